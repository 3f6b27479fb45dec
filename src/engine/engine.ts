/**
 * @module engine/engine
 *
 * The verdict engine: the only place policy semantics live. Built once from
 * its inputs (the cluster and the normalised rules), it answers
 * {@link ConnectionQuery}s two ways from the same decision:
 *
 * - `verdict(query)`: allow or deny with a one-line reason, from the
 *   per-identity policy compiled lazily by `engine/compile.ts`; equal
 *   questions share one answer object, so pod-to-pod questions allocate
 *   nothing. Every command asks this.
 * - `explain(query)`: the same decision with the rules behind it, located in
 *   the files (`engine/explain.ts`); built only when a person asks.
 *
 * The order of things (semantics.md §4.6, §4.10, §4.11): a connection to a
 * Service, ClusterIP or NodePort is first translated to each backend and
 * its target port (`engine/ends.ts`); a pod talking to itself is never
 * policed; then the source's egress and the destination's ingress must both
 * allow it, each decided by `engine/side.ts`; toFQDNs peers match only names
 * learnt through an allowed, proxied DNS lookup.
 */
import { buildIdentityTable, type IdentityTable } from '../identity/table.js';
import { IpCache } from '../identity/ipcache.js';
import type { EndpointSelector } from '../identity/selector.js';
import { isHostIdentity, Reserved, type IdentityId } from '../identity/reserved.js';
import { LOCAL_IDENTITY_FLAG, MIN_CLUSTER_IDENTITY } from '../identity/reserved.js';
import { formatCidr, formatIp, nthAddress, parseIp } from '../net/ip.js';
import { portClasses, type PortClass } from './classes.js';
import type { Cluster, Pod, Service } from '../model/types.js';
import { normalizePolicies, fqdnMatcher, toFqdn, type NormalizedPolicies } from '../policy/normalize/index.js';
import type { Direction, L4Protocol, NormalizedRule } from '../policy/rule.js';
import type { Workspace } from '../workspace/load.js';
import { compileDirection, type CompiledDirection, type CompileSettings, newCompileMemo, rulesByIdentity, type SideOutcome } from './compile.js';
import { Ends, type End } from './ends.js';
import { VerdictCache } from './verdict-cache.js';
import { explainLegs } from './explain.js';
import { reasonLine, SELF_REASON, serviceVerdict } from './reason.js';
import { decideL7, decideSideMemo, PROTOCOL_INDEX, type L7Outcome, type L7Request, type NamedPorts } from './side.js';
import { defaultHost } from './l7.js';
import type { ConnectionQuery, EngineOptions, InspectableEngine, ExplainOptions, Explanation, IdentityInfo, Peer, QueryProblem, Verdict } from './types.js';
import type { SourceLine } from '../diagnostics/diagnostic.js';

/** What the engine is built from. */
export interface EngineInputs {
  readonly cluster: Cluster;
  readonly policies: NormalizedPolicies;
}

/** One path a connection takes: to the destination itself, or to one backend of a Service. */
export interface Leg {
  readonly src: End;
  readonly dst: End;
  readonly protocol: L4Protocol;
  /** Port after translation, or ICMP type. */
  readonly port: number;
}

/** What one side decided, and what it was asked. */
export interface SideDecision {
  readonly outcome: SideOutcome;
  /** The enforcing endpoint's identity (a pod's, or host). */
  readonly identity: IdentityId;
  /** The identity it saw for the other end. */
  readonly peer: IdentityId;
  /** The named ports it resolved names against. */
  readonly names: NamedPorts | undefined;
}

/** What one side is asked. */
export interface SideQuestion {
  readonly identity: IdentityId;
  readonly direction: Direction;
  readonly peer: IdentityId;
  readonly protocol: L4Protocol;
  readonly port: number;
  readonly names: NamedPorts | undefined;
  /** The enforcing end (its pod resolves ingress named ports). */
  readonly end: End;
}

/** The decision of one leg: each side's, and the proxy's. */
export interface LegDecision {
  readonly leg: Leg;
  /** The source talks to itself: nothing is policed. */
  readonly self: boolean;
  readonly egress?: SideDecision;
  readonly ingress?: SideDecision;
  readonly l7?: L7Outcome;
}

interface Plan {
  readonly legs: readonly Leg[];
  readonly service?: Service;
}

/** Stands for "no endpoint on this side" in the verdict cache. */
const NO_SIDE: SideOutcome = Object.freeze({ id: 0, direction: 'egress', enforced: false, verdict: 'allow', matchType: 'all', redirect: false });
const SELF: Verdict = Object.freeze({ verdict: 'allow', reason: SELF_REASON });
const NO_REQUEST: L7Request = Object.freeze({});

/** Two pods' ends, kept by a caller for {@link PolicyEngine.pairVerdict} (opaque to it). */
export interface PodPair {
  readonly engine: PolicyEngine;
  readonly src: End;
  readonly dst: End;
}

/** A {@link PodPair} with the last question the engine answered for it and its verdict. */
interface KeptPair extends PodPair {
  key: number;
  verdict: Verdict | undefined;
}

export class PolicyEngine implements InspectableEngine {
  readonly cluster: Cluster;
  readonly normalized: NormalizedPolicies;
  readonly table: IdentityTable;
  readonly ends: Ends;
  protected readonly settings: CompileSettings;
  private readonly rulesById: ReadonlyMap<IdentityId, readonly NormalizedRule[]>;
  private readonly hostRules: readonly NormalizedRule[];
  private readonly compiled = new Map<number, CompiledDirection>();
  private readonly dense: (CompiledDirection | undefined)[] = new Array<CompiledDirection | undefined>(2 * 4096).fill(undefined);
  private readonly memo = newCompileMemo();
  /** IP → identity ignoring names learnt by DNS (for lookups the DNS proxy did not see). */
  private readonly unlearnt: IpCache;
  private readonly learntNames = new Map<string, boolean>();
  /** Verdicts by the ids of (egress outcome, ingress outcome): one shared object per distinct decision. */
  private readonly verdicts = new Map<number, Map<number, Verdict>>();
  /** Pod-to-pod verdicts by (source identity, destination identity, its named ports, protocol and port). */
  private readonly pairs = new VerdictCache();

  constructor(inputs: EngineInputs, options: EngineOptions = {}) {
    const cluster = inputs.cluster;
    this.cluster = cluster;
    this.normalized = inputs.policies;
    this.settings = { policyEnforcement: options.policyEnforcement ?? 'default', hostFirewall: options.hostFirewall ?? false };
    const prefixLabels = [];
    const fqdnIps = new Set<string>();
    const dns = options.dns instanceof Map ? options.dns : new Map(Object.entries(options.dns ?? {}));
    for (const [name, ips] of dns) {
      const matching = [...this.normalized.fqdnSelectors].filter(([, sel]) => fqdnMatcher(sel)?.(toFqdn(name)));
      for (const ip of ips) {
        const addr = parseIp(ip);
        if (!addr || matching.length === 0) continue;
        const prefix = { family: addr.family, network: addr.value, bits: addr.family === 4 ? 32 : 128 };
        fqdnIps.add(formatCidr(prefix));
        prefixLabels.push({ prefix, extra: matching.map(([text]) => ({ source: 'fqdn', key: text, value: '' })) });
      }
    }
    // The ipcache is one node's (a worker's); verdicts use the view of the enforcing endpoint's node (`hostOf`, `remoteOf`).
    const localNode = cluster.nodes.find((n) => !n.controlPlane) ?? cluster.nodes[0];
    this.table = buildIdentityTable(cluster, {
      localNode: localNode?.name ?? '', referencedCidrs: this.normalized.referencedCidrs, prefixLabels, cidrMatchesNodes: options.policyCidrMatchMode === 'nodes',
    }).table;
    // Without learnt names the two views are one (the table is single-stack: world is the fallback of both families).
    this.unlearnt = fqdnIps.size === 0 ? this.table.ipcache
      : new IpCache(this.table.ipcache.entries.filter((e) => !fqdnIps.has(formatCidr(e.prefix))), { v4: Reserved.world, v6: Reserved.world });
    this.ends = new Ends(cluster, this.table);

    const assigned = rulesByIdentity(this.normalized.rules, this.table, isEndpointIdentity);
    this.rulesById = assigned.byIdentity;
    this.hostRules = assigned.host;
  }

  /** The compiled policy of an identity in a direction (compiled on first use, then cached). */
  policyOf(identity: IdentityId, direction: Direction): CompiledDirection {
    const key = identity * 2 + (direction === 'ingress' ? 0 : 1);
    // Cluster identities are small integers: an array is the fastest cache; local identities use the map.
    let d = key < DENSE_LIMIT ? this.dense[key] : this.compiled.get(key);
    if (!d) {
      const rules = isHostIdentity(identity) ? this.hostRules.filter((r) => this.table.selects(r.subject.selector, identity)) : (this.rulesById.get(identity) ?? NO_RULES);
      d = compileDirection(identity, direction, rules, this.table, this.settings, this.memo);
      if (key < DENSE_LIMIT) this.dense[key] = d;
      else this.compiled.set(key, d);
    }
    return d;
  }

  /** Compiles every endpoint identity in both directions (what a cluster of agents does up front). */
  compileAll(): number {
    let n = 0;
    for (const id of this.table.allIdentities()) {
      if (!isEndpointIdentity(id)) continue;
      this.policyOf(id, 'ingress');
      this.policyOf(id, 'egress');
      n++;
    }
    return n;
  }

  identityName(identity: number): string {
    return this.table.nameOf(identity as IdentityId);
  }

  identities(): readonly IdentityInfo[] {
    const t = this.table;
    return t.allIdentities().map((id) => ({ id, name: t.nameOf(id), pods: t.podsOf(id).map((p) => `${p.namespace}/${p.name}`), labels: t.labelsOf(id)?.toStrings() ?? [] }));
  }

  rules(): readonly NormalizedRule[] {
    return this.normalized.rules;
  }

  podsSelectedBy(selector: EndpointSelector): readonly Pod[] {
    return this.table.select(selector).flatMap((id) => this.table.podsOf(id));
  }

  enforcementOf(pod: Pod): { readonly ingress: readonly NormalizedRule[]; readonly egress: readonly NormalizedRule[] } {
    const id = this.ends.pod(pod).identity;
    if (id === undefined) return { ingress: [], egress: [] };
    const of = (d: Direction) => {
      const c = this.policyOf(id, d);
      return c.enforced ? c.rules : [];
    };
    return { ingress: of('ingress'), egress: of('egress') };
  }

  portClasses(protocols?: readonly L4Protocol[]): readonly PortClass[] {
    return portClasses(this.normalized.rules, this.cluster.pods, protocols);
  }

  /**
   * A class number per pod such that pods of one class get the same verdict
   * from and to everything: the same compiled policy in each direction (the
   * compile memo shares those objects), membership in the same peer sets of
   * every rule, and the same named ports. Pods with no endpoint (hostNetwork) get none.
   */
  endpointClasses(): ReadonlyMap<Pod, number> {
    this.compileAll();
    const peerSig = new Map<IdentityId, string>();
    let k = 0;
    for (const set of this.memo.peerSets.values()) {
      const tag = (k++).toString(36);
      for (const id of set) peerSig.set(id, (peerSig.get(id) ?? '') + ',' + tag);
    }
    const objectIds = new Map<object | undefined, number>();
    const idOf = (o: object | undefined) => objectIds.get(o) ?? objectIds.set(o, objectIds.size).get(o)!;
    // Unenforced directions all decide alike (most are one shared object; with enforcement "never" and
    // for host endpoints without the host firewall each identity keeps its own, listing its rules).
    const policyId = (d: CompiledDirection) => (d.enforced ? idOf(d) : -1);
    const classes = new Map<string, number>();
    const out = new Map<Pod, number>();
    for (const pod of this.cluster.pods) {
      const end = this.ends.pod(pod);
      if (end.identity === undefined) continue;
      const id = end.identity;
      const key = `${policyId(this.policyOf(id, 'ingress'))}|${policyId(this.policyOf(id, 'egress'))}|${idOf(end.names)}|${peerSig.get(id) ?? ''}`;
      out.set(pod, classes.get(key) ?? classes.set(key, classes.size).get(key)!);
    }
    return out;
  }

  /**
   * Finer than {@link endpointClasses} for connections with one end outside
   * the cluster (world, CIDR, FQDN, node): only the pod's own policy on its
   * side decides, so pods with the same ingress policy and named ports
   * (`ingress`), or the same egress policy (`egress`), answer alike.
   */
  sideClasses(): { readonly ingress: ReadonlyMap<Pod, number>; readonly egress: ReadonlyMap<Pod, number> } {
    this.compileAll();
    const ingress = new Map<Pod, number>();
    const egress = new Map<Pod, number>();
    const keys = new Map<string, number>();
    const objectIds = new Map<object | undefined, number>();
    const idOf = (o: object | undefined) => objectIds.get(o) ?? objectIds.set(o, objectIds.size).get(o)!;
    const policyId = (d: CompiledDirection) => (d.enforced ? idOf(d) : -1);
    const num = (k: string) => keys.get(k) ?? keys.set(k, keys.size).get(k)!;
    for (const pod of this.cluster.pods) {
      const end = this.ends.pod(pod);
      if (end.identity === undefined) continue;
      ingress.set(pod, num(`i|${policyId(this.policyOf(end.identity, 'ingress'))}|${idOf(end.names)}`));
      egress.set(pod, num(`e|${policyId(this.policyOf(end.identity, 'egress'))}`));
    }
    return { ingress, egress };
  }

  /**
   * One address for the world and for each CIDR identity the policies
   * create (the prefix's own identity, not a more specific one inside it),
   * as the ipcache resolves them without names learnt by DNS.
   */
  externalAddresses(): readonly { readonly name: string; readonly identity: number; readonly ip: string }[] {
    const out: { name: string; identity: number; ip: string }[] = [];
    const seen = new Set<number>();
    for (const e of this.unlearnt.entries) {
      if (e.id < LOCAL_IDENTITY_FLAG || seen.has(e.id)) continue;
      const size = 1n << BigInt((e.prefix.family === 4 ? 32 : 128) - e.prefix.bits);
      for (const offset of [0n, 1n, size - 1n, size / 2n]) {
        if (offset >= size) continue;
        const a = nthAddress(e.prefix, offset);
        if (this.unlearnt.lookup(a) !== e.id) continue;
        out.push({ name: formatCidr(e.prefix), identity: e.id, ip: formatIp(a) });
        seen.add(e.id);
        break;
      }
    }
    // Documentation addresses first: any of them that no policy names is plain world.
    for (const ip of ['203.0.113.254', '198.51.100.254', '192.0.2.254', '100.64.255.254', '8.8.8.8']) {
      const id = this.unlearnt.lookup(parseIp(ip)!);
      if (id === Reserved.world || id === Reserved.worldIpv4) {
        out.unshift({ name: 'world', identity: id, ip });
        break;
      }
    }
    return out;
  }

  fqdnSelectors(): ReadonlyMap<string, { readonly matchName?: string; readonly matchPattern?: string }> {
    return this.normalized.fqdnSelectors;
  }

  verdict(query: ConnectionQuery): Verdict | QueryProblem {
    const fast = this.compiledSides ? this.podToPod(query) : undefined;
    if (fast) return fast;
    const plan = this.plan(query);
    if ('problem' in plan) return plan;
    const request = requestOf(query);
    if (plan.legs.length === 1 && !plan.service) return this.verdictOf(this.decideLeg(plan.legs[0]!, request));
    const verdicts = plan.legs.map((leg) => this.verdictOf(this.decideLeg(leg, request)));
    return serviceVerdict(verdicts, plan.legs.map((l) => l.dst.text));
  }

  explain(query: ConnectionQuery): Explanation | QueryProblem;
  explain(query: ConnectionQuery, options: ExplainOptions): Explanation<SourceLine> | QueryProblem;
  explain(query: ConnectionQuery, options?: ExplainOptions): Explanation<SourceLine> | QueryProblem {
    const plan = this.plan(query);
    if ('problem' in plan) return plan;
    const request = requestOf(query);
    const decisions = plan.legs.map((leg) => this.decideLeg(leg, request));
    // Without options every citation is a full location (the overloads above say so to callers).
    return explainLegs<SourceLine>(decisions, request, plan.service !== undefined, {
      policyOf: (id, dir) => this.policyOf(id, dir),
      identityName: (id) => this.identityName(id),
      verdictOf: (d) => this.verdictOf(d),
      cite: options?.positions === 'lines' ? (o, path, at) => o.lineOf(path, at) : (o, path, at) => o.locate(path, at),
    });
  }

  /**
   * The verdicts from one pod to another on many ports at once, for
   * whole-cluster analyses: the decision `verdict` takes, without building a
   * query per port or filling the pair cache (a matrix asks each pair once).
   */
  podVerdicts(from: Pod, to: Pod, ports: readonly { readonly protocol: L4Protocol; readonly from: number }[]): Verdict[] {
    const src = this.ends.pod(from);
    const dst = this.ends.pod(to);
    const s = src.identity;
    const t = dst.identity;
    const out: Verdict[] = new Array<Verdict>(ports.length);
    for (let k = 0; k < ports.length; k++) {
      const { protocol, from: port } = ports[k]!;
      if (src === dst && s !== undefined) {
        out[k] = SELF;
        continue;
      }
      let v: Verdict | undefined;
      if (s !== undefined && t !== undefined && protocol !== 'ICMP' && protocol !== 'ICMPv6') {
        const egress = decideSideMemo(this.policyOf(s, 'egress'), t, protocol, port, this.ends.egressNames);
        const ingress = egress.redirect || egress.verdict === 'deny' ? NO_SIDE : decideSideMemo(this.policyOf(t, 'ingress'), s, protocol, port, dst.names);
        // A proxy on either side: the general path decides the request part.
        if (!egress.redirect && !ingress.redirect) v = this.interned(egress, ingress);
      }
      out[k] = v ?? (this.verdict({ from: { kind: 'pod', pod: from }, to: { kind: 'pod', pod: to }, protocol, port }) as Verdict);
    }
    return out;
  }

  /**
   * The verdicts between a pod and an address outside the cluster (or an
   * external name) on many ports at once, either way: the ends are resolved
   * once, not per port. Node addresses and ClusterIPs, which a port can turn
   * into a NodePort or a Service, take the general path per port.
   */
  addressVerdicts(pod: Pod, peer: Peer, outgoing: boolean, ports: readonly { readonly protocol: L4Protocol; readonly from: number }[]): (Verdict | QueryProblem)[] {
    const podEnd = this.ends.pod(pod);
    const other = peer.kind === 'pod' ? undefined : this.peerEnd(peer);
    const general = !other || 'problem' in other || other.node !== undefined || other.pod !== undefined || (peer.kind === 'ip' && this.ends.serviceAt(peer.ip) !== undefined);
    return ports.map(({ protocol, from: port }) => {
      if (general || protocol === 'ICMP' || protocol === 'ICMPv6') {
        return this.verdict(outgoing ? { from: { kind: 'pod', pod }, to: peer, protocol, port } : { from: peer, to: { kind: 'pod', pod }, protocol, port });
      }
      const end = other as End;
      return this.verdictOf(this.decideLeg(outgoing ? { src: podEnd, dst: end, protocol, port } : { src: end, dst: podEnd, protocol, port }, NO_REQUEST));
    });
  }

  /**
   * The common case with no allocation: a pod to a pod, no L7 request.
   * Undefined when the query is anything else.
   */
  private podToPod(q: ConnectionQuery): Verdict | undefined {
    if (q.from.kind !== 'pod' || q.to.kind !== 'pod' || q.http || q.dns !== undefined || q.kafka) return undefined;
    const protocol = q.protocol ?? 'TCP';
    const icmp = protocol === 'ICMP' || protocol === 'ICMPv6';
    const port = icmp ? (q.icmpType ?? (protocol === 'ICMP' ? 8 : 128)) : q.port;
    if (port === undefined || !validPort(port, icmp)) return undefined;
    return this.podsVerdict(this.ends.pod(q.from.pod), this.ends.pod(q.to.pod), protocol, port);
  }

  /**
   * Two pods' ends, found once for a caller that asks about the same two pods again and again (the simulator keeps
   * one per source and pod address it connects to): {@link pairVerdict} then skips finding each pod's end, a cache
   * miss apiece on a cluster of thousands of pods. Good for this engine only.
   */
  podPair(from: Pod, to: Pod): PodPair {
    const pair: KeptPair = { engine: this, src: this.ends.pod(from), dst: this.ends.pod(to), key: -1, verdict: undefined };
    return pair;
  }

  /**
   * What {@link verdict} answers, by the same path, for a pod-to-pod question about a pair with no request
   * (`port`: the destination port, or the ICMP type); undefined where `verdict` would take its general path
   * (a proxy involved, a pod without identity, another engine's pair): then ask `verdict`.
   */
  pairVerdict(pair: PodPair, protocol: L4Protocol, port: number): Verdict | undefined {
    if (pair.engine !== this || !this.compiledSides || !validPort(port, protocol === 'ICMP' || protocol === 'ICMPv6')) return undefined;
    // A pair's answer to the question it was last asked, on the pair itself: the answer is a function of this
    // engine's compiled policy, the two ends and the question (as in the verdict cache, which is never cleared).
    const kept = pair as KeptPair;
    const key = PROTOCOL_INDEX[protocol] * 65536 + port;
    if (kept.key === key && kept.verdict) return kept.verdict;
    const v = this.podsVerdict(pair.src, pair.dst, protocol, port);
    kept.key = key;
    kept.verdict = v;
    return v;
  }

  /** {@link podToPod} once the two ends are known. */
  private podsVerdict(src: End, dst: End, protocol: L4Protocol, port: number): Verdict | undefined {
    const s = src.identity;
    const t = dst.identity;
    if (s === undefined || t === undefined) return undefined;
    if (src === dst) return SELF;
    // The answer is a function of the two identities and the destination's named ports: remember it by them.
    const key = PROTOCOL_INDEX[protocol] * 65536 + port;
    const names = dst.namesId ?? -1;
    const known = this.pairs.get(s, t, names, key);
    if (known) return known;
    const egress = decideSideMemo(this.policyOf(s, 'egress'), t, protocol, port, this.ends.egressNames);
    if (egress.redirect) return undefined; // a proxy is involved: the general path handles it
    const ingress = egress.verdict === 'deny' ? NO_SIDE : decideSideMemo(this.policyOf(t, 'ingress'), s, protocol, port, dst.names);
    if (ingress.redirect) return undefined;
    const v = this.interned(egress, ingress);
    this.pairs.set(s, t, names, key, v);
    return v;
  }

  private interned(egress: SideOutcome, ingress: SideOutcome): Verdict {
    let byIngress = this.verdicts.get(egress.id);
    if (!byIngress) this.verdicts.set(egress.id, (byIngress = new Map()));
    let v = byIngress.get(ingress.id);
    if (!v) {
      v = Object.freeze(reasonLine(egress === NO_SIDE ? undefined : egress, ingress === NO_SIDE ? undefined : ingress, undefined));
      byIngress.set(ingress.id, v);
    }
    return v;
  }

  /** The verdict of one decided leg (shared objects unless a proxy judged a request). */
  verdictOf(d: LegDecision): Verdict {
    if (d.self) return SELF;
    if (d.l7) return reasonLine(d.egress?.outcome, d.ingress?.outcome, d.l7);
    return this.interned(d.egress?.outcome ?? NO_SIDE, d.ingress?.outcome ?? NO_SIDE);
  }

  /** Decides one leg: egress at the source, then ingress at the destination, then the proxy. */
  decideLeg(leg: Leg, request: L7Request): LegDecision {
    const { src, dst, protocol, port } = leg;
    if (src.pod !== undefined && src.pod === dst.pod) return { leg, self: true };
    let egress: SideDecision | undefined;
    let l7: L7Outcome | undefined;
    const srcEp = this.enforcer(src);
    if (srcEp) {
      const peer = this.peerIdentity(dst, srcEp.node, src);
      const ask = { identity: srcEp.identity, direction: 'egress', peer, protocol, port, names: this.ends.egressNames, end: src } as const;
      const outcome = this.decideSideOf(ask);
      egress = { outcome, identity: srcEp.identity, peer, names: ask.names };
      l7 = this.decideL7Of(ask, outcome, request, defaultHost('egress', dst));
    }
    let ingress: SideDecision | undefined;
    const dstEp = this.enforcer(dst);
    if (dstEp && egress?.outcome.verdict !== 'deny' && l7?.allowed !== false) {
      const peer = this.peerIdentity(src, dstEp.node, undefined);
      const ask = { identity: dstEp.identity, direction: 'ingress', peer, protocol, port, names: dst.names, end: dst } as const;
      const outcome = this.decideSideOf(ask);
      ingress = { outcome, identity: dstEp.identity, peer, names: ask.names };
      l7 ??= this.decideL7Of(ask, outcome, request, defaultHost('ingress', dst));
    }
    return { leg, self: false, ...(egress ? { egress } : {}), ...(ingress ? { ingress } : {}), ...(l7 ? { l7 } : {}) };
  }

  /** Whether verdicts may take the allocation-free pod-to-pod path (off where sides are decided otherwise). */
  protected readonly compiledSides: boolean = true;

  /** One side's decision: from the compiled policy (the reference evaluator overrides this). */
  protected decideSideOf(a: SideQuestion): SideOutcome {
    return decideSideMemo(this.policyOf(a.identity, a.direction), a.peer, a.protocol, a.port, a.names);
  }

  /** The proxy's decision on a side that redirects. */
  protected decideL7Of(a: SideQuestion, outcome: SideOutcome, request: L7Request, host: string): L7Outcome | undefined {
    return decideL7(this.policyOf(a.identity, a.direction), outcome, a, request, host);
  }

  /** The endpoint enforcing policy at an end: a pod, or the host when the host firewall is on. */
  private enforcer(e: End): { identity: IdentityId; node: string } | undefined {
    if (e.identity !== undefined && e.pod) return { identity: e.identity, node: e.pod.nodeName };
    if (e.node && this.settings.hostFirewall) return { identity: this.table.hostOf(e.node.name), node: e.node.name };
    return undefined;
  }

  /**
   * The identity the enforcing node sees for a peer (§3.4): pods keep theirs;
   * node addresses are `host` on their own node, with that node's labels and
   * `kube-apiserver` where the apiserver runs (`pkg/node/manager.go
   * nodeIdentityLabels`: each agent labels its own node `reserved:host`), and
   * `remote-node` (or `kube-apiserver`) elsewhere; other addresses go
   * through the ipcache, where a toFQDNs name counts only if the source's
   * lookup of it went through the DNS proxy and was allowed.
   */
  private peerIdentity(peer: End, enforcingNode: string, source: End | undefined): IdentityId {
    if (peer.identity !== undefined) return peer.identity;
    if (peer.node) return peer.node.name === enforcingNode ? this.table.hostOf(enforcingNode) : this.table.remoteOf(peer.node.name);
    const addr = parseIp(peer.ip)!;
    if (peer.fqdn !== undefined && source?.identity !== undefined && this.learnt(source, peer.fqdn)) return this.table.identityOfAddress(addr);
    return this.unlearnt.lookup(addr);
  }

  /** Whether the source's DNS lookup of `name` reaches kube-dns through the DNS proxy and is allowed. */
  private learnt(source: End, name: string): boolean {
    const key = `${source.identity}|${name}`;
    const known = this.learntNames.get(key);
    if (known !== undefined) return known;
    let ok = false;
    const dns = this.ends.clusterDns();
    const sp = dns?.ports.find((p) => p.port === 53 && p.protocol === 'UDP');
    if (dns && sp) {
      for (const b of this.ends.backendsOf(dns, sp)) {
        const d = this.decideLeg({ src: source, dst: b.end, protocol: 'UDP', port: b.port }, { dns: toFqdn(name) });
        if (this.verdictOf(d).verdict === 'allow' && d.egress?.outcome.redirect && d.l7?.allowed) {
          ok = true;
          break;
        }
      }
    }
    this.learntNames.set(key, ok);
    return ok;
  }

  /** The legs of a query: its ends resolved, Services translated to their backends. */
  private plan(q: ConnectionQuery): Plan | QueryProblem {
    const protocol: L4Protocol = q.protocol ?? 'TCP';
    const icmp = protocol === 'ICMP' || protocol === 'ICMPv6';
    if (!icmp && q.port === undefined) return { problem: `a ${protocol} connection needs a port` };
    const port = icmp ? (q.icmpType ?? (protocol === 'ICMP' ? 8 : 128)) : q.port!;
    if (!validPort(port, icmp)) return { problem: icmp ? `ICMP type ${port} is not a number from 0 to 255` : `port ${port} is not a port number from 1 to 65535` };
    const src = this.peerEnd(q.from);
    if ('problem' in src) return src;
    const srcService = q.from.kind === 'ip' ? this.ends.serviceAt(q.from.ip) : undefined;
    if (srcService) return serviceAsSource(srcService);

    let service: Service | undefined;
    let servicePort = port;
    if (q.to.kind === 'service') service = q.to.service;
    else if (q.to.kind === 'ip' && !icmp) {
      service = this.ends.serviceAt(q.to.ip);
      const np = service ? undefined : this.ends.nodePort(q.to.ip, port, protocol);
      if (np) {
        service = np.service;
        servicePort = np.port.port;
      }
    }
    if (!service) {
      const dst = this.peerEnd(q.to as Peer);
      if ('problem' in dst) return dst;
      return { legs: [{ src, dst, protocol, port }] };
    }
    if (icmp) return { problem: `a Service is reached over TCP, UDP or SCTP, not ${protocol}`, hint: 'ping a pod, not a Service: a ClusterIP does not answer ICMP' };
    const sp = this.ends.servicePort(service, servicePort, protocol);
    if ('problem' in sp) return sp;
    const backends = this.ends.backendsOf(service, sp);
    if (backends.length === 0) {
      return { problem: `service ${service.namespace}/${service.name} has no backends for port ${servicePort}/${protocol}`, hint: 'no pod matches its selector, or none has the named target port' };
    }
    return { service, legs: backends.map((b) => ({ src, dst: b.end, protocol, port: b.port })) };
  }

  private peerEnd(p: Peer): End | QueryProblem {
    switch (p.kind) {
      case 'pod':
        return this.ends.pod(p.pod);
      case 'ip':
        return this.ends.address(p.ip);
      case 'fqdn':
        return parseIp(p.ip) ? { ip: p.ip, text: p.name, fqdn: p.name } : { problem: `${p.ip} (an address of ${p.name}) is not an IP address` };
    }
  }
}

/** The rules of an endpoint no rule selects: one array, so its compiled directions are found by it. */
const NO_RULES: readonly NormalizedRule[] = Object.freeze([]);

/** Compiled policies of identities below this (× 2 directions) live in a packed array, filled up front. */
const DENSE_LIMIT = 2 * 4096;

/** Identities that are endpoints with a policy of their own: pods, health, init, ingress. */
function isEndpointIdentity(id: IdentityId): boolean {
  return (id >= MIN_CLUSTER_IDENTITY && id < LOCAL_IDENTITY_FLAG) || id === Reserved.health || id === Reserved.init || id === Reserved.ingress;
}

function validPort(port: number, icmp: boolean): boolean {
  return Number.isInteger(port) && (icmp ? port >= 0 && port <= 255 : port >= 1 && port <= 65535);
}

function requestOf(q: ConnectionQuery): L7Request {
  if (!q.http && q.dns === undefined && !q.kafka && !q.tls) return NO_REQUEST;
  return {
    ...(q.http ? { http: q.http } : {}), ...(q.dns !== undefined ? { dns: toFqdn(q.dns) } : {}), ...(q.kafka ? { kafka: q.kafka } : {}),
    ...(q.tls ? { sni: q.tls.serverName.toLowerCase().replace(/\.$/, '') } : {}),
  };
}

function serviceAsSource(s: Service): QueryProblem {
  return {
    problem: `${s.clusterIP} is the ClusterIP of Service ${s.namespace}/${s.name}, and a Service never sends traffic`,
    hint: 'name the pod or workload that sends it, e.g. default/frontend',
  };
}

/** Builds the engine for a workspace (the convenience most callers want). */
export function compileEngine(workspace: Pick<Workspace, 'cluster' | 'policies'>, options: EngineOptions = {}): PolicyEngine {
  return new PolicyEngine({ cluster: workspace.cluster, policies: normalizePolicies(workspace.policies, workspace.cluster) }, options);
}
