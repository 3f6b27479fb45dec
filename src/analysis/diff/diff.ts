/**
 * @module analysis/diff/diff
 *
 * The semantic diff of two versions of a cluster's manifests: every
 * connection the change newly allows or newly denies (or whose L7 filtering
 * changes), grouped by workload pair and port range, with the rule
 * responsible on each side from `explain`.
 *
 * Both versions are laid on one grid so the comparison is cell by cell:
 * the port classes of both (cut where either version's rules cut), the
 * external ends of both (an address a new rule names is asked of the old
 * engine too, where it is plain world), and endpoint classes that refine
 * both versions' classes (pods matched by namespace/name, so workloads and
 * their identities are matched by labels and names, never by identity
 * number). Cells are compared once per pair of class signatures, then
 * spread to the workloads that share them.
 */
import type { PortClass } from '../../engine/classes.js';
import { isProblem, type ConnectionQuery, type Explanation, type InspectableEngine, type RuleMatch } from '../../engine/types.js';
import type { Pod } from '../../model/types.js';
import type { SourceLocation } from '../../diagnostics/diagnostic.js';
import { formatPolicyRef } from '../../policy/types.js';
import type { Workspace } from '../../workspace/load.js';
import { computeMatrix, PortState, type Matrix, type MatrixEndpoint } from '../matrix/matrix.js';

/** One version: its workspace and its engine (built with the DNS answers given to {@link semanticDiff}). */
export interface DiffSide {
  readonly workspace: Workspace;
  readonly engine: InspectableEngine;
}

export type ChangeKind = 'allowed' | 'denied' | 'l7';

/** A connection whose verdict changed on a range of ports. */
export interface Change {
  readonly kind: ChangeKind;
  readonly from: string;
  readonly to: string;
  /** `443/TCP`, `8000-8080/UDP`. */
  readonly ports: string;
  /** What it was and is: `denied`, `allowed`, `allowed (HTTP)`. */
  readonly before: string;
  readonly after: string;
  /** The rules responsible in each version (from `explain`), computed on first use. */
  reasons(): { readonly before: string; readonly after: string };
  /** Where the rule responsible now is (else the one responsible before), for reports that point at lines. */
  location(): SourceLocation | undefined;
}

export interface DiffResult {
  readonly changes: readonly Change[];
  /** Workloads (and external ends) that exist in one version only. */
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** How many cell comparisons and verdicts it took. */
  readonly compared: number;
  readonly verdicts: number;
}

/** The union of both versions' port class edges. */
function mergePorts(a: readonly PortClass[], b: readonly PortClass[]): PortClass[] {
  const starts = new Map<string, Set<number>>();
  for (const c of [...a, ...b]) (starts.get(c.protocol) ?? starts.set(c.protocol, new Set()).get(c.protocol)!).add(c.from);
  const out: PortClass[] = [];
  for (const [protocol, set] of starts) {
    const s = [...set].sort((x, y) => x - y);
    s.forEach((from, i) => out.push({ protocol: protocol as PortClass['protocol'], from, to: (s[i + 1] ?? 65536) - 1 }));
  }
  return out;
}

const podKey = (p: Pod) => `${p.namespace}/${p.name}`;

/** Classes that refine two versions' classes of pods, numbered alike on both sides for the same pod (matched by namespace/name). */
function combine(oc: ReadonlyMap<Pod, number>, nc: ReadonlyMap<Pod, number>): [Map<Pod, number>, Map<Pod, number>] {
  const oldByKey = new Map([...oc.keys()].map((p) => [podKey(p), p]));
  const numbers = new Map<string, number>();
  const num = (k: string) => numbers.get(k) ?? numbers.set(k, numbers.size).get(k)!;
  const o = new Map<Pod, number>();
  const n = new Map<Pod, number>();
  const seen = new Set<string>();
  for (const [p, c] of nc) {
    const op = oldByKey.get(podKey(p));
    const k = `${op ? oc.get(op) : '-'}|${c}`;
    n.set(p, num(k));
    if (op) {
      o.set(op, num(k));
      seen.add(podKey(p));
    }
  }
  for (const [p, c] of oc) if (!seen.has(podKey(p))) o.set(p, num(`${c}|-`));
  return [o, n];
}

const STATE_TEXT: Readonly<Record<number, string>> = {
  [PortState.Denied]: 'denied', [PortState.Allowed]: 'allowed', [PortState.Http]: 'allowed (HTTP rules)', [PortState.Dns]: 'allowed (DNS rules)',
  [PortState.Kafka]: 'allowed (Kafka rules)', [PortState.L7Other]: 'allowed (L7 rules)', [PortState.Auth]: 'waits for mutual authentication',
};

const allowedState = (s: number) => s !== PortState.Denied && s !== PortState.Auth;

/** `CiliumNetworkPolicy default/db spec.ingress[1] (db.yaml:12)`. */
function ruleText(r: RuleMatch | undefined): string | undefined {
  if (!r) return undefined;
  if (r.synthetic === 'allow-localhost') return 'allow-localhost';
  if (r.synthetic === 'default-allow') return 'no rule asks for default deny';
  return `${r.policy ? formatPolicyRef(r.policy) : ''} ${r.path ?? ''}${r.location ? ` (${r.location.file}:${r.location.line})` : ''}`.trim();
}

/** The rule(s) behind an explanation, in one line. */
export function responsible(x: Explanation | undefined): string {
  if (!x) return 'no endpoint enforces policy';
  if (x.verdict === 'deny') {
    if (x.l7 && !x.l7.allowed) return `L7 ${x.l7.protocol.toUpperCase()} rules refuse the request: ${x.l7.decidedBy.map(ruleText).filter(Boolean).join(', ') || x.l7.detail}`;
    const side = x.egress?.verdict === 'deny' ? x.egress : x.ingress;
    if (!side) return x.reason;
    const by = ruleText(side.decidedBy[0]);
    if (by) return `${side.direction}: ${x.reason.includes('mutual authentication') ? 'mutual authentication required by' : 'deny rule'} ${by}`;
    return `${side.direction}: default deny (enforced by ${ruleText(side.enforcedBy[0]) ?? 'policy'}), no rule allows it`;
  }
  const parts = [x.egress, x.ingress].filter((s) => s?.enforced).map((s) => `${s!.direction}: ${ruleText(s!.decidedBy[0]) ?? 'allowed'}`);
  return parts.length ? parts.join('; ') : 'no policy selects either end';
}

/** The place of the rule that decided (the deny, the first allow, or the policy turning default deny on). */
function decidingLocation(x: Explanation): SourceLocation | undefined {
  if (x.l7 && !x.l7.allowed) return x.l7.decidedBy.find((r) => r.location)?.location;
  const sides = x.verdict === 'deny' ? [x.egress?.verdict === 'deny' ? x.egress : x.ingress] : [x.ingress, x.egress];
  for (const side of sides) {
    const r = side?.decidedBy.find((m) => m.location) ?? side?.enforcedBy.find((m) => m.location);
    if (r?.location) return r.location;
  }
  return undefined;
}

function explainOf(m: Matrix, engine: InspectableEngine, i: number, j: number, k: number): { text: string; location?: SourceLocation } {
  const q: ConnectionQuery | undefined = m.queryOf(i, j, k);
  if (!q) return { text: 'no endpoint on either side' };
  const x = engine.explain(q);
  if (isProblem(x)) return { text: x.problem };
  const location = decidingLocation(x);
  return { text: responsible(x), ...(location ? { location } : {}) };
}

/**
 * A signature of an endpoint: the classes of its pods with their nodes (for
 * pod groups; host, remote-node and kube-apiserver cells depend on the node,
 * as the matrix keys them) or its name.
 */
function signature(m: Matrix, e: MatrixEndpoint): string {
  if (e.kind !== 'pods') return `x:${e.name}`;
  return [...new Set(e.pods.map((p) => `${m.classes.get(p)!}@${p.nodeName}`))].sort().join(',');
}

/**
 * The diff. `dns`: the DNS answers both engines were built with (the
 * toFQDNs names of both versions), so names are asked of both.
 */
export function semanticDiff(before: DiffSide, after: DiffSide, dns: ReadonlyMap<string, readonly string[]>): DiffResult {
  const ports = mergePorts(before.engine.portClasses(), after.engine.portClasses());
  const externals = new Map<string, string>();
  for (const e of [...after.engine.externalAddresses(), ...before.engine.externalAddresses()]) if (!externals.has(e.name)) externals.set(e.name, e.ip);
  const ext = [...externals].map(([name, ip]) => ({ name, ip }));
  const [oc, nc] = combine(before.engine.endpointClasses(), after.engine.endpointClasses());
  const [os_, ns_] = [before.engine.sideClasses(), after.engine.sideClasses()];
  const [oi, ni] = combine(os_.ingress, ns_.ingress);
  const [oe, ne] = combine(os_.egress, ns_.egress);
  const options = { by: 'workload' as const, allNamespaces: false };
  const mo = computeMatrix(before.workspace, before.engine, dns, options, { classes: oc, sideClasses: { ingress: oi, egress: oe }, ports, externals: ext });
  const mn = computeMatrix(after.workspace, after.engine, dns, options, { classes: nc, sideClasses: { ingress: ni, egress: ne }, ports, externals: ext });

  const index = (list: readonly MatrixEndpoint[]) => new Map(list.map((e, i) => [e.name, i]));
  const [os, od, ns, nd] = [index(mo.sources), index(mo.destinations), index(mn.sources), index(mn.destinations)];
  const added = mn.destinations.filter((e) => !od.has(e.name) && e.kind === 'pods').map((e) => e.name);
  const removed = mo.destinations.filter((e) => !nd.has(e.name) && e.kind === 'pods').map((e) => e.name);

  // Group the endpoints both versions have by (old signature, new signature): equal signatures, equal cells.
  const groupsOf = (oldList: readonly MatrixEndpoint[], oldIdx: Map<string, number>, newList: readonly MatrixEndpoint[], newIdx: Map<string, number>) => {
    const groups = new Map<string, { o: number; n: number; names: string[] }>();
    for (const [name, n] of newIdx) {
      const o = oldIdx.get(name);
      if (o === undefined) continue;
      const key = `${signature(mo, oldList[o]!)}/${signature(mn, newList[n]!)}`;
      (groups.get(key) ?? groups.set(key, { o, n, names: [] }).get(key)!).names.push(name);
    }
    return [...groups.values()];
  };
  const srcGroups = groupsOf(mo.sources, os, mn.sources, ns);
  const dstGroups = groupsOf(mo.destinations, od, mn.destinations, nd);
  const beforeEngine = before.engine;
  const afterEngine = after.engine;

  const changes: Change[] = [];
  let compared = 0;
  for (const sg of srcGroups) {
    for (const dg of dstGroups) {
      const a = mo.cell(sg.o, dg.o);
      const b = mn.cell(sg.n, dg.n);
      compared++;
      if (!a || !b) continue;
      let same = true;
      for (let k = 0; k < ports.length && same; k++) if (a[k] !== b[k]) same = false;
      if (same) continue;
      // Runs of adjacent port classes with the same change, explained once for every workload pair of the groups.
      let k = 0;
      while (k < ports.length) {
        if (a[k] === b[k]) {
          k++;
          continue;
        }
        const first = k;
        while (k + 1 < ports.length && a[k + 1] === a[first] && b[k + 1] === b[first] && ports[k + 1]!.protocol === ports[first]!.protocol && ports[k + 1]!.from === ports[k]!.to + 1) k++;
        const last = k;
        k++;
        const [lo, hi] = [ports[first]!.from, ports[last]!.to];
        const portsText = `${lo === 1 && hi === 65535 ? 'all' : lo === hi ? lo : `${lo}-${hi}`}/${ports[first]!.protocol}`;
        const before = a[first]!;
        const after = b[first]!;
        const kind: ChangeKind = allowedState(after) && !allowedState(before) ? 'allowed' : !allowedState(after) && allowedState(before) ? 'denied' : 'l7';
        let explained: { before: ReturnType<typeof explainOf>; after: ReturnType<typeof explainOf> } | undefined;
        const explain = () => (explained ??= { before: explainOf(mo, beforeEngine, sg.o, dg.o, first), after: explainOf(mn, afterEngine, sg.n, dg.n, first) });
        const reasons = () => ({ before: explain().before.text, after: explain().after.text });
        const location = () => explain().after.location ?? explain().before.location;
        for (const from of sg.names) {
          for (const to of dg.names) {
            changes.push({ kind, from, to, ports: portsText, before: STATE_TEXT[before]!, after: STATE_TEXT[after]!, reasons, location });
          }
        }
      }
    }
  }
  changes.sort((x, y) => (x.from < y.from ? -1 : x.from > y.from ? 1 : x.to < y.to ? -1 : x.to > y.to ? 1 : 0));
  return { changes, added, removed, compared, verdicts: mo.questions + mn.questions };
}
