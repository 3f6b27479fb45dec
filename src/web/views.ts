/**
 * @module web/views
 *
 * What the editor draws, computed on the server from the same layers the CLI
 * uses: the policy diagram (each policy's rules as the policy layer
 * normalises them, every peer and port located in the file so a click can
 * jump to its YAML) and the cluster map (workloads and the verdict of each
 * workload → Service port, asked of the engine). Nothing here decides a
 * verdict: edges carry the engine's answer, peers carry what the user wrote.
 */
import type { SourceLocation } from '../diagnostics/diagnostic.js';
import type { EndpointSelector } from '../identity/selector.js';
import { normalizePolicies } from '../policy/normalize/index.js';
import type { DirectionRules, NormalizedRule, PeerKind, PortEntry } from '../policy/rule.js';
import type { FieldPath, ManifestObject } from '../manifest/object.js';
import { formatPolicyRef } from '../policy/types.js';
import { checkConnection, type Session } from '../usecases/index.js';

/** A place in a file, as the editor selects it. */
export interface Place {
  readonly file: string;
  readonly line: number;
  readonly from: number;
  readonly to: number;
}

export interface PortView {
  readonly text: string;
  readonly l7?: string;
  readonly at: Place;
}

export interface PeerView {
  /** What the user wrote: `tier=frontend`, `world`, `*.cloud.google.com`, `any peer`. */
  readonly label: string;
  readonly kind: PeerKind | 'all';
  readonly deny: boolean;
  /** `all ports` or the port entries of the rule element. */
  readonly ports: readonly PortView[];
  readonly at: Place;
  /** For endpoint selectors: the pods it selects in the loaded cluster (`ns/name`). */
  readonly pods?: readonly string[];
}

export interface SideView {
  /** False when `enableDefaultDeny` turns it off for this side. */
  readonly defaultDeny: boolean;
  readonly peers: readonly PeerView[];
  readonly at: Place;
}

export interface PolicyView {
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly valid: boolean;
  /** Where the object is (its whole range), to find the policy under the cursor. */
  readonly at: Place;
  readonly rules: readonly {
    readonly subject: { readonly text: string; readonly pods: readonly string[]; readonly at: Place };
    readonly ingress?: SideView;
    readonly egress?: SideView;
  }[];
}

const place = (l: SourceLocation): Place => ({ file: l.file, line: l.line, from: l.offset, to: l.endOffset });

/**
 * Where a field is, cheaply: the start of the deepest mapping or sequence on
 * its path as the fast reader noted it, so drawing 200 policies costs no
 * position-keeping parse (`locate` does one per document, ~5 ms each). Falls
 * back to `locate` when the reader noted nothing.
 */
function at(o: ManifestObject, path: FieldPath, key: 'key' | 'value' = 'value'): Place {
  let v: unknown = o.value;
  let deepest: object | undefined;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') break;
    v = (v as Record<string | number, unknown>)[seg];
    if (v !== null && typeof v === 'object') deepest = v;
  }
  const start = deepest ? o.startOf(deepest) : undefined;
  return place(start ?? o.locate(path, key));
}

/** Pods the selector selects, as the engine that gives the verdicts sees them (its identity table). */
function selectedPods(session: Session): (sel: EndpointSelector) => string[] {
  const engine = session.inspectable();
  const memo = new Map<string, string[]>();
  return (sel) => {
    let hit = memo.get(sel.canonical);
    if (!hit) {
      hit = engine.podsSelectedBy(sel).map((p) => `${p.namespace}/${p.name}`).sort();
      memo.set(sel.canonical, hit);
    }
    return hit;
  };
}

function l7Text(p: PortEntry): string | undefined {
  const l7 = p.l7;
  if (!l7) return undefined;
  if (l7.kind === 'l7proto') return l7.proto;
  return `${l7.kind.toUpperCase()} ${l7.rules.map((r) => r.text).join(', ') || '(any)'}`;
}

function side(rule: NormalizedRule, d: DirectionRules, dir: 'ingress' | 'egress', pods: (s: EndpointSelector) => string[]): SideView {
  const o = rule.origin.object;
  const peers: PeerView[] = [];
  for (const e of d.entries) {
    const ports: PortView[] = e.ports.kind === 'all' ? [] : e.ports.ports.map((p) => ({ text: p.text, ...(l7Text(p) ? { l7: l7Text(p) } : {}), at: at(o, p.path) }));
    if (e.peers.kind === 'all') peers.push({ label: 'any peer', kind: 'all', deny: e.deny, ports, at: at(o, e.origin.path) });
    else {
      // One written peer can become several selectors (`world` is world-ipv4 and world-ipv6 too): drawn once.
      const seen = new Set<string>();
      for (const s of e.peers.selectors) {
        if (seen.has(`${s.kind} ${s.text}`)) continue;
        seen.add(`${s.kind} ${s.text}`);
        const selects = s.kind === 'endpoints' || s.kind === 'k8s-peer';
        peers.push({ label: s.text, kind: s.kind, deny: e.deny, ports, at: at(o, s.path), ...(selects ? { pods: pods(s.selector) } : {}) });
      }
      // An element whose selectors list is empty selects nobody (`- fromEndpoints: []`): still drawn, as nobody.
      if (e.peers.selectors.length === 0) peers.push({ label: 'nobody', kind: 'endpoints', deny: e.deny, ports, at: at(o, e.origin.path), pods: [] });
    }
  }
  return { defaultDeny: d.defaultDeny, peers, at: at(o, [...rule.origin.path, dir], 'key') };
}

/** Which policies to draw: those of one file, or only the one at an offset of it (the policy under the cursor). */
export interface PolicyFilter {
  readonly file?: string;
  readonly offset?: number;
}

/**
 * The policies of the workspace as the diagram draws them. The editor asks
 * for the one under the cursor: normalising is per policy, and 200 policies
 * cost far more than the keystroke budget.
 */
export function policyViews(session: Session, filter: PolicyFilter = {}): PolicyView[] {
  const ws = session.workspace;
  let chosen = filter.file === undefined ? ws.policies : ws.policies.filter((p) => p.object.file === filter.file);
  if (filter.offset !== undefined && filter.file !== undefined) {
    // The YAML document around the cursor (between `---` lines): its policy, or none when that
    // document is no policy or has errors (never a neighbour's diagram in its place).
    const text = ws.sources.find((f) => f.path === filter.file)?.text ?? '';
    const o = Math.min(filter.offset, text.length);
    const marker = /^---.*$/gm;
    let start = 0;
    let end = text.length;
    for (let m = marker.exec(text); m; m = marker.exec(text)) {
      if (m.index + m[0].length <= o) start = m.index + m[0].length;
      else if (m.index > o) {
        end = m.index;
        break;
      }
    }
    chosen = chosen.filter((p) => p.object.location.offset >= start && p.object.location.offset < end).slice(0, 1);
  }
  const rules = normalizePolicies(chosen, ws.cluster).rules;
  const pods = selectedPods(session);
  const byPolicy = new Map<string, NormalizedRule[]>();
  for (const r of rules) {
    const k = formatPolicyRef(r.origin.policy);
    const list = byPolicy.get(k) ?? [];
    list.push(r);
    byPolicy.set(k, list);
  }
  return chosen.map((p) => {
    const id = formatPolicyRef(p.ref);
    const o = p.object;
    return {
      id, kind: p.ref.kind, name: p.ref.name, ...(p.ref.namespace ? { namespace: p.ref.namespace } : {}), valid: p.valid, at: place(o.location),
      rules: (byPolicy.get(id) ?? []).map((r) => ({
        subject: {
          text: r.subject.selector.toString(),
          pods: pods(r.subject.selector),
          at: at(o, [...r.origin.path, p.kind === 'NetworkPolicy' ? 'podSelector' : r.subject.kind === 'nodes' ? 'nodeSelector' : 'endpointSelector'], 'key'),
        },
        ...(r.ingress ? { ingress: side(r, r.ingress, 'ingress', pods) } : {}),
        ...(r.egress ? { egress: side(r, r.egress, 'egress', pods) } : {}),
      })),
    };
  });
}

export interface ClusterNodeView {
  /** `ns/name` of the workload, `svc:ns/name` of a Service. */
  readonly id: string;
  readonly kind: 'workload' | 'service';
  readonly namespace: string;
  readonly name: string;
  readonly pods?: number;
}

export interface ClusterEdgeView {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: string;
  /** `l7`: allowed at L4 and sent to the proxy, which judges each request. */
  readonly verdict: 'allow' | 'deny' | 'l7';
  readonly reason: string;
}

/** Above this the map is cut: a picture of thousands of edges helps nobody, and the matrix is the tool for that. */
export const MAX_EDGES = 5000;

/** The service map: workloads and Services by namespace, and the verdict of each workload → Service port. */
export function clusterView(session: Session): { nodes: ClusterNodeView[]; edges: ClusterEdgeView[]; truncated: boolean } {
  const c = session.workspace.cluster;
  const workloads = new Map<string, ClusterNodeView & { pods: number }>();
  for (const p of c.pods) {
    const id = `${p.namespace}/${p.owner.name}`;
    const w = workloads.get(id);
    if (w) workloads.set(id, { ...w, pods: w.pods + 1 });
    else workloads.set(id, { id, kind: 'workload', namespace: p.namespace, name: p.owner.name, pods: 1 });
  }
  const services = c.services.filter((s) => s.type !== 'ExternalName' && s.ports.length > 0);
  const nodes: ClusterNodeView[] = [...workloads.values(), ...services.map((s) => ({ id: `svc:${s.namespace}/${s.name}`, kind: 'service' as const, namespace: s.namespace, name: s.name }))];
  const questions = [...workloads.keys()].flatMap((w) => services.flatMap((s) => s.ports.map((p) => ({ from: w, to: `svc:${s.namespace}/${s.name}`, port: p.port, protocol: p.protocol }))));
  const truncated = questions.length > MAX_EDGES;
  const edges: ClusterEdgeView[] = [];
  for (const q of questions.slice(0, MAX_EDGES)) {
    const a = checkConnection(session, { from: q.from, to: q.to, traffic: { port: q.port, protocol: q.protocol } });
    if (!a.ok || a.pairs.length === 0) continue;
    const denied = a.pairs.find((p) => p.answer.verdict === 'deny');
    const l7 = !denied && a.pairs.some((p) => p.answer.redirect === true);
    edges.push({ ...q, verdict: denied ? 'deny' : l7 ? 'l7' : 'allow', reason: (denied ?? a.pairs[0]!).answer.reason });
  }
  return { nodes, edges, truncated };
}
