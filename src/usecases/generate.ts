/**
 * @module usecases/generate
 *
 * Policies from observed flows, and the proof that they allow what was
 * observed. The CLI reads the flows (files, workers, ClickHouse) into a
 * {@link Reduction}; the editor can feed an uploaded export through
 * {@link reduceFlowChunks}. Both then call {@link generateFromReduction},
 * which builds the policies, loads them with the observed cluster and
 * replays every connection through the engine ({@link replayReduction} does
 * the same for any policy set). Nothing throws for bad input.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { EngineOptions } from '../engine/types.js';
import { isProblem } from '../engine/types.js';
import { REDUCTION_READ } from '../generate/line-reader.js';
import { observedCluster, type ObservedCluster } from '../generate/cluster.js';
import { cmp, endpointKey, Reduction, type ObservedConnection, type ReduceOptions } from '../generate/observed.js';
import { buildPolicies, renderPolicies, type PolicyFile, type PolicyOptions } from '../generate/policies.js';
import { replayConnections, type ReplayReport } from '../generate/replay.js';
import { groupWorkloads } from '../generate/workloads.js';
import { FlowStreamParser } from '../hubble/reader.js';
import type { SourceFile } from '../manifest/source.js';
import { Session } from './session.js';

export interface GenerateOptions extends PolicyOptions {
  /** The user's current policies: kept, and only what they do not already allow is generated. */
  readonly existing?: readonly SourceFile[];
}

/** Per workload: unobserved connections to it that the generated set now denies. */
export interface SurfaceEntry {
  readonly workload: string;
  /** (source, port) pairs asked: other workloads, and the world, on the ports it was seen serving. */
  readonly checked: number;
  /** Of those, allowed before and denied now. */
  readonly nowDenied: number;
}

export interface GenerateResult {
  readonly files: readonly PolicyFile[];
  /** Every observed connection replayed against the generated set plus `existing`: each must be allowed. */
  readonly proof: ReplayReport;
  /** Connections the existing policies already allowed (none generated for them). */
  readonly alreadyAllowed: number;
  readonly surface: readonly SurfaceEntry[];
  /** Errors of the generated files as polis validate sees them (a bug when not empty), and problems of `existing`. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Reduces flow text or bytes (an uploaded export) in memory-flat chunks. */
export function reduceFlowChunks(chunks: Iterable<Uint8Array | string>, options: ReduceOptions = {}): { reduction: Reduction; lines: number; skippedLines: number } {
  const reduction = new Reduction(options.l7 === true);
  const parser = new FlowStreamParser({ flow: (r) => reduction.add(r) }, REDUCTION_READ);
  for (const c of chunks) parser.push(c);
  parser.end();
  const skipped = Object.values(parser.stats.skipped).reduce((a, b) => a + b, 0);
  return { reduction, lines: parser.stats.lines, skippedLines: skipped };
}

function dnsAnswers(r: Reduction): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const [ip, names] of r.dns) {
    for (const n of names) {
      const l = byName.get(n);
      if (l) l.push(ip);
      else byName.set(n, [ip]);
    }
  }
  for (const l of byName.values()) l.sort(cmp);
  return byName;
}

interface Loaded {
  readonly session: Session;
  readonly engineOptions: EngineOptions;
}

function load(cluster: ObservedCluster, policies: readonly SourceFile[], r: Reduction): Loaded {
  const session = Session.load([cluster.source, ...policies], cluster.options);
  return { session, engineOptions: { dns: dnsAnswers(r) } };
}

function replay(l: Loaded, cluster: ObservedCluster, connections: readonly ObservedConnection[], r: Reduction, sides = false): ReplayReport {
  return replayConnections(l.session.engine(l.engineOptions), l.session.workspace.cluster, cluster, connections, r.dns, { sides });
}

/**
 * A connection is already allowed by the existing set only where a policy
 * enforces each workload side and allows it: a side nobody enforces is
 * allowed by default today, but not once a generated policy selects it.
 */
function allowedByExisting(l: Loaded, cluster: ObservedCluster, connections: readonly ObservedConnection[], r: Reduction): Set<ObservedConnection> {
  const out = new Set<ObservedConnection>();
  for (const x of replay(l, cluster, connections, r, true).connections) {
    const c = x.connection;
    if (x.verdict === 'allow' && x.enforced && (c.from.kind !== 'pod' || x.enforced.egress) && (c.to.kind !== 'pod' || x.enforced.ingress)) out.add(c);
  }
  return out;
}

const MAX_SURFACE_WORKLOADS = 200;

/** Unobserved (source workload or world, port) → workload pairs that were allowed before and are denied now. */
function attackSurface(before: Loaded, after: Loaded, cluster: ObservedCluster, connections: readonly ObservedConnection[]): SurfaceEntry[] {
  const workloads = groupWorkloads(cluster.podOf.keys());
  const ids = [...new Set([...workloads.values()].map((w) => w.id))].sort(cmp).slice(0, MAX_SURFACE_WORKLOADS);
  const first = new Map<string, string>();
  for (const [k, w] of workloads) if (!first.has(w.id)) first.set(w.id, cluster.podOf.get(k)!);
  const served = new Map<string, Set<string>>();
  const seen = new Set<string>();
  for (const c of connections) {
    if (c.to.kind !== 'pod' || c.protocol.startsWith('ICMP')) continue;
    const w = workloads.get(endpointKey(c.to));
    if (!w) continue;
    let s = served.get(w.id);
    if (!s) served.set(w.id, (s = new Set()));
    s.add(`${c.protocol}/${c.port}`);
    const src = c.from.kind === 'pod' ? workloads.get(endpointKey(c.from))?.id : 'world';
    seen.add(`${src}|${w.id}|${c.protocol}/${c.port}`);
  }
  const podsOf = (l: Loaded) => new Map(l.session.workspace.cluster.pods.map((p) => [`${p.namespace}/${p.name}`, p]));
  const pb = podsOf(before);
  const pa = podsOf(after);
  const eb = before.session.engine(before.engineOptions);
  const ea = after.session.engine(after.engineOptions);
  const out: SurfaceEntry[] = [];
  for (const id of ids) {
    const ports = served.get(id);
    if (!ports) continue;
    let checked = 0;
    let nowDenied = 0;
    const dstName = first.get(id)!;
    for (const src of [...ids, 'world']) {
      for (const port of [...ports].sort(cmp)) {
        if (seen.has(`${src}|${id}|${port}`)) continue;
        const [protocol, n] = port.split('/') as ['TCP' | 'UDP' | 'SCTP', string];
        const ask = (pods: Map<string, import('../model/types.js').Pod>) => {
          const to = pods.get(dstName);
          const from = src === 'world' ? undefined : pods.get(first.get(src)!);
          if (!to || (src !== 'world' && !from)) return undefined;
          return { from: from ? { kind: 'pod' as const, pod: from } : { kind: 'ip' as const, ip: '203.0.113.99' }, to: { kind: 'pod' as const, pod: to }, protocol, port: Number(n) };
        };
        const qb = ask(pb);
        const qa = ask(pa);
        if (!qb || !qa) continue;
        checked++;
        const vb = eb.verdict(qb);
        const va = ea.verdict(qa);
        if (!isProblem(vb) && !isProblem(va) && vb.verdict === 'allow' && va.verdict === 'deny') nowDenied++;
      }
    }
    out.push({ workload: id, checked, nowDenied });
  }
  return out;
}

/** Generates policies from a reduction and proves them by replay. */
export function generateFromReduction(reduction: Reduction, options: GenerateOptions = {}): GenerateResult {
  const cluster = observedCluster(reduction.pods);
  const all = reduction.observed();
  const existing = (options.existing ?? []).filter((e) => e.text.trim() !== '');
  const before = load(cluster, existing, reduction);
  const covered = existing.length > 0 ? allowedByExisting(before, cluster, all, reduction) : new Set<ObservedConnection>();
  const todo = all.filter((c) => !covered.has(c));
  const workloads = groupWorkloads(reduction.pods.keys());
  const policies = buildPolicies(todo, (e) => (e.kind === 'pod' ? workloads.get(endpointKey(e)) : undefined), reduction.dns, options);
  const files = renderPolicies(policies, options);
  const generated: SourceFile[] = files.map((f) => ({ path: f.fileName, text: f.text }));
  const after = load(cluster, [...existing, ...generated], reduction);
  const names = new Set(generated.map((g) => g.path));
  const diagnostics = after.session.workspace.diagnostics.filter(
    (d) => d.severity === 'error' && (d.location === undefined || names.has(d.location.file) || existing.some((e) => e.path === d.location?.file)),
  );
  const proof = replay(after, cluster, all, reduction);
  const surface = attackSurface(before, after, cluster, all);
  return { files, proof, alreadyAllowed: covered.size, surface, diagnostics };
}

export interface ReplayResult {
  readonly report: ReplayReport;
  /** Errors in the policy files (a policy Cilium refuses enforces nothing). */
  readonly diagnostics: readonly Diagnostic[];
}

/** Replays observed connections against any policy set. */
export function replayReduction(reduction: Reduction, policies: readonly SourceFile[]): ReplayResult {
  const cluster = observedCluster(reduction.pods);
  const loaded = load(cluster, policies, reduction);
  const diagnostics = loaded.session.workspace.diagnostics.filter((d) => d.severity === 'error' && d.location?.file !== cluster.source.path);
  return { report: replay(loaded, cluster, reduction.observed(), reduction), diagnostics };
}
