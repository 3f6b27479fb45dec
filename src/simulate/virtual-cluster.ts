/**
 * @module simulate/virtual-cluster
 *
 * A cluster that lives in memory and changes as `kubectl apply` and
 * `kubectl delete` change a real one, and in whose pods commands run. State
 * is the list of applied documents (one per object, keyed by kind,
 * namespace and name, so a re-applied policy replaces the old one, as
 * kubectl apply does); every change rebuilds the workspace and its
 * {@link Session}, keeping running pods on their nodes and addresses
 * (`previousPods`). Commands ask the session's engine for every verdict
 * and record their flows in a {@link FlowLog}, on a virtual clock that only
 * moves when something happens, so every run prints the same bytes. A
 * command line run again from the same pod, in the same state, with the
 * engine's same verdict, replays its first run (`recording.ts`).
 *
 * `polis run`, scenarios and the `polis serve` API server all drive this
 * class; its public names are a contract (see the README).
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Engine, EngineOptions, HttpRequest } from '../engine/types.js';
import type { Flow } from '../hubble/flow.js';
import { loadManifests } from '../manifest/load.js';
import type { SourceFile } from '../manifest/source.js';
import { splitDocuments } from '../manifest/split.js';
import { fnv32a } from '../model/names.js';
import { podIndex } from '../model/pods.js';
import type { Labels, Pod } from '../model/types.js';
import { formatIp, parseCidr, nthAddress } from '../net/ip.js';
import { Session } from '../usecases/session.js';
import { PolicyEngine } from '../engine/engine.js';
import { fqdnMatcher, toFqdn } from '../policy/normalize/index.js';
import { storedByApiServer } from '../policy/in-force.js';
import { validatePolicies } from '../policy/validate/index.js';
import { formatPolicyRef } from '../policy/types.js';
import type { WorkspaceOptions } from '../workspace/load.js';
import { VirtualClock } from './clock.js';
import type { Host } from './flows.js';
import { FlowLog } from './flow-log.js';
import { FlowFactory } from './flows.js';
import { runCommand } from './commands/index.js';
import type { LineMemo } from './commands/context.js';
import { Network, type HttpResponse, type NetworkState, type Origin, type Step } from './network.js';
import { record, replays, type Recording } from './recording.js';

/** A canned answer of the pods: the first rule that matches a request decides the response. */
export interface ResponseRule {
  /** `NS/NAME`: a pod, or the pods of a workload (`default/database`); prefix of the pod name allowed. */
  readonly pod?: string;
  /** Labels the answering pod must have. */
  readonly labels?: Labels;
  readonly port?: number;
  readonly method?: string;
  /** The request path: exact, or a prefix ending in `*`. */
  readonly path?: string;
  /** External host (name or address) when no pod answers. */
  readonly host?: string;
  readonly status?: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface VirtualClusterOptions extends WorkspaceOptions {
  /** Where the virtual clock starts (default 2026-01-01T12:00:00Z). */
  readonly now?: Date;
  readonly policyEnforcement?: EngineOptions['policyEnforcement'];
  readonly hostFirewall?: boolean;
  /** Addresses of names outside the cluster; others get a stable made-up address in 198.18.0.0/15 (RFC 2544, never routed). */
  readonly dns?: Readonly<Record<string, readonly string[]>>;
  /** What the pods answer (before the default JSON echo). */
  readonly responses?: readonly ResponseRule[];
  /** Name the policies in policy-verdict events (`*_allowed_by`): costs an `explain` per connection. Default true. */
  readonly policyNames?: boolean;
  /** Ring buffer size (default Hubble's 4095). */
  readonly bufferSize?: number;
  /** Replay a command line run again from its recording when nothing it depends on changed (default true; see `recording.ts`). False runs every command in full (tests compare the two). */
  readonly replay?: boolean;
}

/** What one command did. */
export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  /** The Hubble events it caused, in order. */
  readonly flows: Flow[];
  /** DNS lookups, connections and HTTP exchanges with their verdicts (for `-o json`). */
  readonly steps: readonly Step[];
  /** `ns/pod` (or `world:IP`, `node:NAME`) it ran as. */
  readonly origin: string;
  /** Virtual time it started and took. */
  readonly startedAt: string;
  readonly durationMs: number;
}

/** One object an apply or delete touched, as kubectl reports it (`deployment.apps/backend created`). */
export interface Change {
  /** `Kind|namespace|name`. */
  readonly key: string;
  /** kubectl's resource name: `deployment.apps`, `ciliumnetworkpolicy.cilium.io`, `service`. */
  readonly resource: string;
  readonly name: string;
  /** False when an apply gave the same text again (`unchanged`). */
  readonly changed: boolean;
}

interface Entry {
  readonly keys: readonly string[];
  readonly source: SourceFile;
  /** Where the document starts in its file (1-based). */
  readonly line: number;
}

const SYNTHETIC_DNS = parseCidr('198.18.0.0/15')!;
const CLUSTER_SCOPED = new Set(['Namespace', 'Node', 'CiliumClusterwideNetworkPolicy', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass', 'CustomResourceDefinition']);

export class VirtualCluster {
  readonly flows: FlowLog;
  readonly clock: VirtualClock;
  private entries: Entry[] = [];
  private current!: Session;
  private revisionNo = 1;
  private readonly factory: FlowFactory;
  private readonly dnsMap = new Map<string, readonly string[]>();
  /** The names the engine is told: those a toFQDNs selector matches (others change no verdict, and a new engine costs a compile). */
  private readonly engineDns = new Map<string, readonly string[]>();
  private fqdnMatchers: ((fqdn: string) => boolean)[] = [];
  private dnsVersion = 0;
  private cachedEngine: { session: Session; version: number; engine: Engine } | undefined;
  private port = 0;
  private commandFlows: Flow[] | undefined;
  private changes: Change[] = [];
  private state: { engineOf: Engine; value: NetworkState } | undefined;
  /** Where a command runs, by the name it was given, with its `ns/pod` text (kept until the cluster changes) and its host in the network of `srcOf`. */
  private readonly origins = new Map<string, OriginEntry | { error: string }>();

  constructor(sources: readonly SourceFile[], private readonly options: VirtualClusterOptions = {}) {
    this.clock = new VirtualClock(options.now);
    this.flows = new FlowLog(options.bufferSize);
    for (const [k, v] of Object.entries(options.dns ?? {})) {
      this.dnsMap.set(k.toLowerCase().replace(/\.$/, ''), v);
      this.engineDns.set(k.toLowerCase().replace(/\.$/, ''), v);
    }
    this.factory = new FlowFactory(this.clock, options.clusterName ?? 'default', (f) => {
      this.flows.push(f);
      this.commandFlows?.push(f);
    });
    this.setSources(sources);
  }

  /** The current workspace and its engines. */
  get session(): Session {
    return this.current;
  }

  /** The policy repository revision (goes up with every change, as Cilium's does). */
  get revision(): number {
    return this.revisionNo;
  }

  /** The objects the last apply or delete touched. */
  get lastChanges(): readonly Change[] {
    return this.changes;
  }

  /** `Kind|namespace|name` of every object in the cluster's state. */
  objectKeys(): Set<string> {
    return new Set(this.entries.flatMap((e) => e.keys));
  }

  /** The documents in force, one per object (what `kubectl get -o yaml` of everything would give back). */
  sources(): SourceFile[] {
    return this.entries.map((e) => e.source);
  }

  /** Replaces the whole state; returns the load diagnostics. Documents defining the same object: the last one wins, as applying them in order would. */
  setSources(sources: readonly SourceFile[]): readonly Diagnostic[] {
    this.entries = [];
    for (const e of documentsOf(sources)) this.put(e);
    return this.rebuild();
  }

  /** `kubectl apply`: each object replaces the one of the same kind, namespace and name, or is added. */
  apply(sources: readonly SourceFile[]): readonly Diagnostic[] {
    this.changes = [];
    const refused: Diagnostic[] = [];
    for (const e of documentsOf(sources).flatMap(splitEntry)) {
      // The API server stores nothing it refuses (a policy whose shape breaks the CRD schema): the object before stays.
      const validated = validatePolicies(loadManifests([e.source]).objects);
      const bad = validated.policies.find((p) => !storedByApiServer(p));
      if (bad) {
        // As kubectl prints the API server's 422: the object, then the field and why.
        const why = validated.diagnostics.find((d) => d.severity === 'error' && d.object === bad.object.displayName);
        refused.push({
          code: 'refused-by-api-server', severity: 'error', location: why?.location ?? bad.object.location, object: bad.object.displayName,
          message: `the API server refuses ${formatPolicyRef(bad.ref)}${why ? ` (${why.path ? `${why.path}: ` : ''}${why.message})` : ''}: it is not stored, and what was there before stays in force`,
        });
        continue;
      }
      const old = this.entries.find((x) => x.keys.some((k) => e.keys.includes(k)));
      const oldText = old && (old.keys.length > 1 ? splitEntry(old).find((x) => x.keys.some((k) => e.keys.includes(k))) : old)?.source.text.trim();
      for (const key of e.keys) this.changes.push(change(key, !old || oldText !== e.source.text.trim()));
      this.put(e);
    }
    return [...refused, ...this.only(sources, this.rebuild())];
  }

  /** Whether a diagnostic of {@link apply} means kubectl apply itself failed (exit 1), not only that Cilium will refuse something. */
  static refusedByApiServer(d: Diagnostic): boolean {
    return d.code === 'refused-by-api-server';
  }

  /** `kubectl delete -f`: removes the objects these documents name (a warning for each that is not there). */
  delete(sources: readonly SourceFile[]): readonly Diagnostic[] {
    const missing: Diagnostic[] = [];
    this.changes = [];
    for (const e of documentsOf(sources)) {
      for (const key of e.keys) {
        if (this.remove([key])) this.changes.push(change(key, true));
        else {
          missing.push({ code: 'not-found', severity: 'warning', location: { file: e.source.path, line: e.line, col: 1, offset: 0, endOffset: 0 }, message: `${key.replace(/\|/g, ' ')} not found: nothing to delete` });
        }
      }
    }
    return [...missing, ...this.only(sources, this.rebuild())];
  }

  /**
   * Runs one command as the pod would (`ns/name`, `name` in default, a
   * workload `deploy/NAME` or `ns/NAME` for its first pod, `world:IP`,
   * `node:NAME`). Never waits in real time: the virtual clock moves.
   */
  exec(pod: string, argv: readonly string[]): CommandResult {
    const started = this.clock.iso();
    const t0 = this.clock.micros;
    const found = this.originOf(pod);
    if ('error' in found) {
      return { stdout: '', stderr: `${found.error}\n`, exitCode: 1, flows: [], steps: [], origin: pod, startedAt: started, durationMs: 0 };
    }
    const origin = found.origin;
    const state = this.networkState();
    const same = found.srcOf === state;
    // Links belong to the source host of one network state: a new state starts the lines over.
    if (!same) forgetLines(found);
    const line = lineMemo(found, argv);
    const flows: Flow[] = [];
    const kept = line.replay as Recording | null | undefined;
    if (kept && this.options.replay !== false && replays(kept, state)) return this.replay(kept, state, flows, found.text, started, t0);
    const net = new Network(state, origin, same ? found.src : undefined);
    found.src = net.source;
    found.srcOf = state;
    const port = this.port;
    this.commandFlows = flows;
    try {
      const r = runCommand(argv, { net, clock: this.clock, pod: found.pod, line });
      if (line.replayable && kept === undefined && this.options.replay !== false) {
        line.replay = record({ state, connection: net.replayable(), ports: this.port - port, flows, steps: net.steps, output: r, start: t0, end: this.clock.micros });
      }
      // A command takes at least a little time, so the next one's events come after its own.
      this.clock.advanceMicros(1000);
      return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, flows, steps: net.steps, origin: found.text, startedAt: started, durationMs: (this.clock.micros - t0) / 1000 };
    } finally {
      this.commandFlows = undefined;
    }
  }

  /** A command line run again as its recording says (see `recording.ts`). */
  private replay(r: Recording, state: NetworkState, flows: Flow[], origin: string, started: string, t0: number): CommandResult {
    this.commandFlows = flows;
    try {
      this.factory.replay(r.pattern, r, state.nextPort(), t0);
      this.clock.advanceMicros(t0 + r.micros - this.clock.micros);
      this.clock.advanceMicros(1000);
      return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, flows, steps: r.steps, origin, startedAt: started, durationMs: (this.clock.micros - t0) / 1000 };
    } finally {
      this.commandFlows = undefined;
    }
  }

  /** The pod a name stands for, or why none does. */
  findPod(ref: string): Pod | undefined {
    const o = this.originOf(ref);
    return 'error' in o || o.origin.kind !== 'pod' ? undefined : o.origin.pod;
  }

  // ---- internals -----------------------------------------------------------------------------

  private put(e: Entry): void {
    this.remove(e.keys);
    this.entries.push(e);
  }

  /** Removes the objects with these keys; a file that holds others too is cut into documents first. */
  private remove(keys: readonly string[]): boolean {
    const wanted = new Set(keys);
    let removed = false;
    const next: Entry[] = [];
    for (const x of this.entries) {
      if (!x.keys.some((k) => wanted.has(k))) next.push(x);
      else {
        removed = true;
        if (x.keys.length > 1) for (const part of splitEntry(x)) if (!part.keys.some((k) => wanted.has(k))) next.push(part);
      }
    }
    this.entries = next;
    return removed;
  }

  private rebuild(): readonly Diagnostic[] {
    const previousPods = this.current ? new Map(this.current.workspace.cluster.pods.map((p) => [`${p.namespace}/${p.name}`, { ip: p.ip, nodeName: p.nodeName }])) : undefined;
    const { now: _n, policyEnforcement: _p, hostFirewall: _h, dns: _d, responses: _r, policyNames: _pn, bufferSize: _b, replay: _rp, ...ws } = this.options;
    this.current = Session.load(this.entries.map((e) => e.source), { ...ws, ...(previousPods ? { previousPods } : {}) });
    this.cachedEngine = undefined;
    this.state = undefined;
    this.origins.clear();
    this.revisionNo++;
    return this.current.workspace.diagnostics;
  }

  private only(sources: readonly SourceFile[], diagnostics: readonly Diagnostic[]): readonly Diagnostic[] {
    const paths = new Set(sources.map((s) => s.path));
    return diagnostics.filter((d) => !d.location || paths.has(d.location.file));
  }

  /** The engine every verdict of this cluster comes from (built once per state and DNS answers). */
  engine(): Engine {
    const c = this.cachedEngine;
    if (c && c.session === this.current && c.version === this.dnsVersion) return c.engine;
    return this.buildEngine();
  }

  /** Apart from {@link engine}, so that asking for the engine built already allocates nothing (its closures would). */
  private buildEngine(): Engine {
    const build = () => this.current.engine({
      ...(this.options.policyEnforcement ? { policyEnforcement: this.options.policyEnforcement } : {}),
      ...(this.options.hostFirewall ? { hostFirewall: true } : {}),
      dns: this.engineDns,
    });
    let engine = build();
    if (engine instanceof PolicyEngine) {
      // New policies may select names learnt before: tell the engine about those too.
      this.fqdnMatchers = [...engine.normalized.fqdnSelectors.values()].flatMap((sel) => fqdnMatcher(sel) ?? []);
      let added = false;
      for (const [name, ips] of this.dnsMap) {
        if (!this.engineDns.has(name) && this.fqdnMatchers.some((m) => m(toFqdn(name)))) {
          this.engineDns.set(name, ips);
          added = true;
        }
      }
      if (added) engine = build();
    }
    this.cachedEngine = { session: this.current, version: this.dnsVersion, engine };
    return engine;
  }

  private externalAnswer(name: string): readonly string[] | undefined {
    const key = name.toLowerCase().replace(/\.$/, '');
    const known = this.dnsMap.get(key);
    if (known) return known;
    // A single label (no dot) or a reserved test name is nothing on the Internet either.
    if (!key.includes('.') || /\.(invalid|test|example|localhost|local)$/.test(key)) return undefined;
    const ip = formatIp(nthAddress(SYNTHETIC_DNS, BigInt(1 + (fnv32a(key) % 131070))));
    this.dnsMap.set(key, [ip]);
    if (this.fqdnMatchers.some((m) => m(toFqdn(key)))) {
      this.engineDns.set(key, [ip]);
      this.dnsVersion++;
    }
    return [ip];
  }

  /** What the network of a command sees; one per engine, so hosts are described once, not per command. */
  private networkState(): NetworkState {
    const engine = this.engine();
    if (this.state?.engineOf === engine) return this.state.value;
    const vc = this;
    const value: NetworkState = {
      cluster: this.current.workspace.cluster,
      clock: this.clock,
      flows: this.factory,
      engine: () => vc.engine(),
      externalAnswer: (n) => vc.externalAnswer(n),
      nextPort: () => 32768 + (vc.port++ % 28232),
      respond: (server, req) => respond(vc.options.responses ?? [], server, req),
      policyNames: this.options.policyNames ?? true,
      get revision() {
        return vc.revisionNo;
      },
      hosts: new Map(),
      podsByIp: new Map(),
    };
    this.state = { engineOf: engine, value };
    return value;
  }

  private originOf(ref: string): OriginEntry | { error: string } {
    let o = this.origins.get(ref);
    if (!o) {
      const found = this.findOrigin(ref);
      o = 'error' in found ? found : originEntry(found);
      if (this.origins.size > 100_000) this.origins.clear();
      this.origins.set(ref, o);
    }
    return o;
  }

  private findOrigin(ref: string): Origin | { error: string } {
    const cluster = this.current.workspace.cluster;
    if (ref.startsWith('world:')) return { kind: 'world', ip: ref.slice(6) };
    if (ref.startsWith('node:')) {
      const node = cluster.nodes.find((n) => n.name === ref.slice(5));
      return node ? { kind: 'node', node } : { error: `Error from server (NotFound): nodes "${ref.slice(5)}" not found` };
    }
    const index = podIndex(cluster);
    const parts = ref.split('/');
    let ns = 'default';
    let rest = parts;
    if (parts.length === 3 || (parts.length === 2 && !WORKLOAD_PREFIX.has(parts[0]!.toLowerCase()))) {
      ns = parts[0]!;
      rest = parts.slice(1);
    }
    if (rest.length === 2) {
      const pods = index.byWorkload.get(`${ns}/${rest[1]}`);
      return pods?.[0] ? { kind: 'pod', pod: pods[0] } : { error: `Error from server (NotFound): ${rest[0]} "${rest[1]}" not found` };
    }
    const name = rest[0]!;
    const pod = index.byName.get(`${ns}/${name}`) ?? index.byWorkload.get(`${ns}/${name}`)?.[0];
    return pod ? { kind: 'pod', pod } : { error: `Error from server (NotFound): pods "${name}" not found` };
  }
}

/** A place commands run: the origin, its `ns/pod` text, and its source host in the network state it was described for. */
interface OriginEntry {
  readonly origin: Origin;
  /** The origin's pod (none for world: and node:), read here rather than from the origin. */
  readonly pod: Pod | undefined;
  readonly text: string;
  src: Host | undefined;
  srcOf: NetworkState | undefined;
  /**
   * The last command lines run from here (see {@link LineMemo}), {@link MAX_LINES} at most, replaced in turn, each
   * beside the array it last came in: a caller that runs one array again finds its line without reading another.
   */
  a0: readonly string[] | undefined;
  l0: Line | undefined;
  a1: readonly string[] | undefined;
  l1: Line | undefined;
  a2: readonly string[] | undefined;
  l2: Line | undefined;
  a3: readonly string[] | undefined;
  l3: Line | undefined;
  /** Lines past the four, each with its array (the slower way: a pod talking to many pods). */
  more: Line[] | undefined;
  nextLine: number;
}

function originEntry(origin: Origin): OriginEntry {
  return {
    origin, pod: origin.kind === 'pod' ? origin.pod : undefined, text: originText(origin), src: undefined, srcOf: undefined,
    a0: undefined, l0: undefined, a1: undefined, l1: undefined, a2: undefined, l2: undefined, a3: undefined, l3: undefined, more: undefined, nextLine: 0,
  };
}

/**
 * Lines one origin remembers: four beside their arrays, then more in a list. A load test's pod talks to a few pods,
 * some to more than four (each line forgotten is run in full again, and recorded again); past the bound, new lines
 * replace old ones in turn.
 */
const MAX_LINES = 16;

/** Forgets an origin's lines (their Links and recordings belong to a network state gone). */
function forgetLines(o: OriginEntry): void {
  o.a0 = o.a1 = o.a2 = o.a3 = undefined;
  o.l0 = o.l1 = o.l2 = o.l3 = undefined;
  o.more = undefined;
  o.nextLine = 0;
}

/** A line's memo with its first words in fields of its own (compared without fetching the words' array). */
interface Line extends LineMemo {
  /** The array it last came in, for a line kept past the four (see {@link OriginEntry.more}). */
  argv: readonly string[] | undefined;
  readonly n: number;
  readonly w0: string | undefined;
  readonly w1: string | undefined;
  readonly w2: string | undefined;
  readonly w3: string | undefined;
  readonly w4: string | undefined;
  readonly w5: string | undefined;
}

/** Whether a line has these words (the last, most telling, compared first). */
function sameWords(line: Line, argv: readonly string[]): boolean {
  const n = argv.length;
  if (line.n !== n) return false;
  if (n > 6) {
    const words = line.words;
    for (let j = n - 1; j >= 0; j--) if (words[j] !== argv[j]) return false;
    return true;
  }
  return (n < 6 || line.w5 === argv[5]) && (n < 5 || line.w4 === argv[4]) && (n < 4 || line.w3 === argv[3]) &&
    (n < 3 || line.w2 === argv[2]) && (n < 2 || line.w1 === argv[1]) && (n < 1 || line.w0 === argv[0]);
}

function lineAt(o: OriginEntry, i: number): Line | undefined {
  return i === 0 ? o.l0 : i === 1 ? o.l1 : i === 2 ? o.l2 : i === 3 ? o.l3 : o.more?.[i - 4];
}

function setLine(o: OriginEntry, i: number, argv: readonly string[], line: Line): void {
  if (i === 0) (o.a0 = argv), (o.l0 = line);
  else if (i === 1) (o.a1 = argv), (o.l1 = line);
  else if (i === 2) (o.a2 = argv), (o.l2 = line);
  else if (i === 3) (o.a3 = argv), (o.l3 = line);
  else {
    line.argv = argv;
    (o.more ??= [])[i - 4] = line;
  }
}

/**
 * The memo of this command line at this origin, or a new one. A caller that runs one array again is found by the
 * array first (no other line read), then its words are checked; else the words of each line.
 */
function lineMemo(o: OriginEntry, argv: readonly string[]): LineMemo {
  let byArray = o.a0 === argv ? o.l0 : o.a1 === argv ? o.l1 : o.a2 === argv ? o.l2 : o.a3 === argv ? o.l3 : undefined;
  const more = o.more;
  if (!byArray && more) {
    for (let i = 0; i < more.length; i++) {
      if (more[i]!.argv === argv) {
        byArray = more[i];
        break;
      }
    }
  }
  if (byArray && sameWords(byArray, argv)) return byArray;
  let free = -1;
  for (let i = 0; i < MAX_LINES; i++) {
    const line = lineAt(o, i);
    if (!line) {
      if (free < 0) free = i;
    } else if (line !== byArray && sameWords(line, argv)) {
      setLine(o, i, argv, line);
      return line;
    }
  }
  const words = argv.slice();
  const line: Line = {
    words, rest: words.slice(1), n: words.length, w0: words[0], w1: words[1], w2: words[2], w3: words[3], w4: words[4], w5: words[5], argv: undefined,
    plan: undefined, link: undefined, linkIp: undefined, replayable: undefined, replay: undefined,
  };
  if (free < 0) {
    free = o.nextLine % MAX_LINES;
    o.nextLine = free + 1;
  }
  setLine(o, free, argv, line);
  return line;
}

/** kubectl's `resource.group` of a kind, as apply and delete print it. */
const RESOURCES: Readonly<Record<string, string>> = {
  Deployment: 'deployment.apps', StatefulSet: 'statefulset.apps', DaemonSet: 'daemonset.apps', ReplicaSet: 'replicaset.apps',
  Job: 'job.batch', CronJob: 'cronjob.batch', NetworkPolicy: 'networkpolicy.networking.k8s.io',
  CiliumNetworkPolicy: 'ciliumnetworkpolicy.cilium.io', CiliumClusterwideNetworkPolicy: 'ciliumclusterwidenetworkpolicy.cilium.io',
  EndpointSlice: 'endpointslice.discovery.k8s.io',
};

function change(key: string, changed: boolean): Change {
  const [kind, , name] = key.split('|') as [string, string, string];
  return { key, resource: RESOURCES[kind] ?? kind.toLowerCase(), name, changed };
}

const WORKLOAD_PREFIX = new Set(['deploy', 'deployment', 'deployments', 'sts', 'statefulset', 'ds', 'daemonset', 'pod', 'po', 'job', 'rs', 'replicaset']);

function originText(o: Origin): string {
  return o.kind === 'pod' ? `${o.pod.namespace}/${o.pod.name}` : o.kind === 'world' ? `world:${o.ip}` : `node:${o.node.name}`;
}

/**
 * One entry per source, keyed by all its objects (loading each file once);
 * {@link splitEntry} cuts one into its documents when a later change touches
 * only some of them.
 */
function documentsOf(sources: readonly SourceFile[]): Entry[] {
  const out: Entry[] = [];
  for (const s of sources) {
    const objs = loadManifests([s]).objects;
    if (objs.length === 0) {
      // Not an object (or unreadable): kept so the workspace reports it where it is.
      if (s.text.trim() !== '') out.push({ keys: [`?|${s.path}`], source: s, line: 1 });
      continue;
    }
    out.push({ keys: objs.map(objectKey), source: s, line: 1 });
  }
  return out;
}

function objectKey(o: { kind: string; namespace: string | undefined; name: string }): string {
  return `${o.kind}|${CLUSTER_SCOPED.has(o.kind) ? '' : (o.namespace ?? 'default')}|${o.name}`;
}

/** The documents of an entry, each padded with the lines before it, so positions stay those of the file. */
function splitEntry(e: Entry): Entry[] {
  const s = e.source;
  const chunks = splitDocuments(s.text);
  if (chunks.length <= 1) return [e];
  const out: Entry[] = [];
  let line = 0;
  let consumed = 0;
  for (const c of chunks) {
    line += countLines(s.text, consumed, c.offset);
    consumed = c.offset;
    const source = { path: s.path, text: '\n'.repeat(line) + c.text };
    const objs = loadManifests([source]).objects;
    if (objs.length === 0) {
      if (!/^(---)?[\s]*(#[^\n]*\s*)*$/.test(c.text)) out.push({ keys: [`?|${s.path}|${c.offset}`], source, line: line + 1 });
      continue;
    }
    out.push({ keys: objs.map(objectKey), source, line: line + 1 });
  }
  return out;
}

function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function respond(rules: readonly ResponseRule[], server: { pod?: Pod; ip: string; port: number; host: string }, req: HttpRequest): HttpResponse | undefined {
  for (const r of rules) {
    if (r.pod !== undefined) {
      const p = server.pod;
      if (!p) continue;
      const [ns, name] = r.pod.includes('/') ? r.pod.split('/', 2) as [string, string] : ['default', r.pod];
      if (p.namespace !== ns || !(p.name === name || p.owner.name === name || p.name.startsWith(name))) continue;
    }
    if (r.labels && !(server.pod && Object.entries(r.labels).every(([k, v]) => server.pod!.labels[k] === v))) continue;
    if (r.host !== undefined && (server.pod || (r.host !== server.host.replace(/:\d+$/, '') && r.host !== server.ip))) continue;
    if (r.port !== undefined && r.port !== server.port) continue;
    if (r.method !== undefined && r.method.toUpperCase() !== req.method.toUpperCase()) continue;
    if (r.path !== undefined && !(r.path.endsWith('*') ? req.path.startsWith(r.path.slice(0, -1)) : req.path === r.path)) continue;
    return { status: r.status ?? 200, body: r.body, headers: r.headers ?? { 'content-type': 'text/plain' } };
  }
  return undefined;
}
