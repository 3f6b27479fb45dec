/**
 * @module analysis/matrix/matrix
 *
 * The connectivity matrix: for every pair of endpoints (pods grouped by
 * workload, identity, pod or namespace; the world; each CIDR a policy
 * names; each toFQDNs name; host, remote-node, kube-apiserver), which ports
 * of which protocols are allowed, with the ports an L7 proxy filters and
 * those mutual authentication holds marked.
 *
 * It never walks pod pairs × 65,536 ports: the engine gives endpoint
 * classes (pods it cannot tell apart) and port classes (ports no rule tells
 * apart); `verdict` is asked once per class pair and port class, and groups
 * share the answers of their classes. So 10,000 pods cost what their
 * distinct policies and label sets cost.
 */
import type { PortClass } from '../../engine/classes.js';
import { isProblem, type ConnectionQuery, type InspectableEngine, type Peer, type QueryProblem, type Verdict } from '../../engine/types.js';
import type { ClusterNode, Pod } from '../../model/types.js';
import type { L4Protocol } from '../../policy/rule.js';
import type { Workspace } from '../../workspace/load.js';

export type GroupBy = 'workload' | 'identity' | 'pod' | 'namespace';

/** What a port class gets between two endpoints. */
export const enum PortState {
  Denied = 0,
  Allowed = 1,
  /** Allowed at L4; a proxy filters requests (HTTP, DNS, Kafka rules). */
  Http = 2,
  Dns = 3,
  Kafka = 4,
  L7Other = 5,
  /** Held until mutual authentication succeeds (drop reason 189 before). */
  Auth = 6,
}

export type EndpointKind = 'pods' | 'world' | 'cidr' | 'fqdn' | 'host' | 'remote-node' | 'kube-apiserver';

export interface MatrixEndpoint {
  /** `default/frontend`, `world`, `10.0.0.0/8`, `fqdn:*.example.com`, `host`. */
  readonly name: string;
  readonly kind: EndpointKind;
  readonly namespace?: string;
  /** The pods of a group. */
  readonly pods: readonly Pod[];
}

export interface Matrix {
  readonly by: GroupBy;
  readonly sources: readonly MatrixEndpoint[];
  readonly destinations: readonly MatrixEndpoint[];
  readonly ports: readonly PortClass[];
  /** The state of each port class from source i to destination j (undefined: no Cilium endpoint on either side). */
  cell(i: number, j: number): Uint8Array | undefined;
  /** How many `verdict` questions it took. */
  readonly questions: number;
  /** The question asked for port class k of cell (i, j) (for an explanation), undefined where none was. */
  queryOf(i: number, j: number, k: number): ConnectionQuery | undefined;
  /** The endpoint class of each pod (what cells are looked up by). */
  readonly classes: ReadonlyMap<Pod, number>;
}

/** What a semantic diff fixes so that two matrices line up: classes, port classes and external ends of both versions. */
export interface MatrixOverrides {
  readonly classes?: ReadonlyMap<Pod, number>;
  readonly sideClasses?: { readonly ingress: ReadonlyMap<Pod, number>; readonly egress: ReadonlyMap<Pod, number> };
  readonly ports?: readonly PortClass[];
  /** The world and CIDR ends: name and an address in it. */
  readonly externals?: readonly { readonly name: string; readonly ip: string }[];
}

export interface MatrixOptions {
  readonly by?: GroupBy;
  /** Only these ports (each a port or range of a protocol); default: every port class. */
  readonly ports?: readonly { protocol: L4Protocol; from: number; to: number }[];
  /** Only pods of these namespaces (default all but kube-system's, which shows as kube-dns only). */
  readonly namespaces?: readonly string[];
  /** Include every namespace. */
  readonly allNamespaces?: boolean;
}

const FQDN_NET = '192.0.2.';

/**
 * DNS answers for the toFQDNs names of the policies (one documentation
 * address each), so the matrix can ask about them; the engine then decides
 * whether each source learns them.
 */
export function sampleDns(...engines: readonly InspectableEngine[]): Map<string, string[]> {
  const dns = new Map<string, string[]>();
  let i = 1;
  for (const engine of engines) {
    for (const [text, sel] of engine.fqdnSelectors()) {
      const name = (sel.matchName ?? sel.matchPattern ?? text).replace(/\*\*?/g, 'polis-matrix').replace(/\.$/, '').toLowerCase();
      if (dns.has(name) || i > 250) continue;
      dns.set(name, [`${FQDN_NET}${i++}`]);
    }
  }
  return dns;
}

function groupKey(by: GroupBy, p: Pod, identityOf: (p: Pod) => string): string {
  switch (by) {
    case 'pod':
      return `${p.namespace}/${p.name}`;
    case 'namespace':
      return p.namespace;
    case 'identity':
      return identityOf(p);
    default:
      return `${p.namespace}/${p.owner.kind === 'Pod' ? p.name : p.owner.name}`;
  }
}

/**
 * Builds the matrix. `engine` must have been built with the DNS answers of
 * {@link sampleDns} (from an engine of the same workspace) for toFQDNs
 * destinations to be learnt.
 */
export function computeMatrix(ws: Workspace, engine: InspectableEngine, dns: ReadonlyMap<string, readonly string[]>, options: MatrixOptions = {}, overrides: MatrixOverrides = {}): Matrix {
  const by = options.by ?? 'workload';
  const classes = overrides.classes ?? engine.endpointClasses();
  const sides = overrides.sideClasses ?? engine.sideClasses();
  const wanted = (p: Pod) => (options.allNamespaces ? true : options.namespaces ? options.namespaces.includes(p.namespace) : p.namespace !== 'kube-system' || p.labels['k8s-app'] === 'kube-dns');
  const pods = ws.cluster.pods.filter((p) => classes.has(p) && wanted(p));
  const idName = new Map(engine.identities().flatMap((i) => i.pods.map((p) => [p, i.name] as const)));
  const groups = new Map<string, Pod[]>();
  for (const p of pods) {
    const k = groupKey(by, p, (x) => idName.get(`${x.namespace}/${x.name}`) ?? '?');
    (groups.get(k) ?? groups.set(k, []).get(k)!).push(p);
  }
  const podEndpoints: MatrixEndpoint[] = [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, ps]) => ({ name, kind: 'pods', namespace: ps[0]!.namespace, pods: ps }));

  const externals = overrides.externals ?? engine.externalAddresses();
  const worker = (exclude?: string) => ws.cluster.nodes.find((n) => !n.controlPlane && n.name !== exclude);
  const controlPlane = ws.cluster.nodes.find((n) => n.controlPlane);
  const ext = (name: string, kind: EndpointKind): MatrixEndpoint => ({ name, kind, pods: [] });
  const cidrs = externals.filter((e) => e.name !== 'world').map((e) => ext(e.name, 'cidr'));
  const nodeEnds = [ext('host', 'host'), ...(ws.cluster.nodes.length > 1 ? [ext('remote-node', 'remote-node')] : []), ...(controlPlane ? [ext('kube-apiserver', 'kube-apiserver')] : [])];
  const fqdns = [...dns.keys()].map((n) => ext(`fqdn:${n}`, 'fqdn'));
  const sources = [...podEndpoints, ext('world', 'world'), ...cidrs, ...nodeEnds];
  const destinations = [...podEndpoints, ext('world', 'world'), ...cidrs, ...fqdns, ...nodeEnds];

  const allClasses = overrides.ports ?? engine.portClasses();
  const ports = options.ports ? restrict(allClasses, options.ports) : allClasses;

  /** The address of an external end as seen from a pod on `node`. */
  const addressOf = (e: MatrixEndpoint, node: string): Peer | undefined => {
    switch (e.kind) {
      case 'world':
        return ip(externals.find((x) => x.name === 'world')?.ip);
      case 'cidr':
        return ip(externals.find((x) => x.name === e.name)?.ip);
      case 'fqdn': {
        const name = e.name.slice('fqdn:'.length);
        const a = dns.get(name)?.[0];
        return a ? { kind: 'fqdn', name, ip: a } : undefined;
      }
      case 'host':
        return ip(ws.cluster.nodes.find((n) => n.name === node)?.ip);
      case 'remote-node':
        return ip(worker(node)?.ip);
      case 'kube-apiserver':
        return controlPlane && controlPlane.name !== node ? ip(controlPlane.ip) : undefined;
      default:
        return undefined;
    }
  };

  let questions = 0;
  // Representatives: per class, two pods when it has two (a pod to itself is never policed).
  const reps = new Map<number, Pod[]>();
  for (const p of pods) {
    const c = classes.get(p)!;
    const r = reps.get(c) ?? reps.set(c, []).get(c)!;
    if (r.length < 2) r.push(p);
  }
  const byClassPair = new Map<number, Uint8Array>();
  const nClasses = Math.max(0, ...classes.values()) + 1;
  const podPair = (a: Pod, b: Pod): Uint8Array => {
    const ca = classes.get(a)!;
    const cb = classes.get(b)!;
    const key = ca * nClasses + cb;
    let s = byClassPair.get(key);
    if (!s) {
      const [ra, rb] = [reps.get(ca)!, reps.get(cb)!];
      const from = ra[0]!;
      const to = rb.find((x) => x !== from) ?? rb[0]!;
      const vs = engine.podVerdicts(from, to, ports);
      questions += ports.length;
      s = new Uint8Array(ports.length);
      for (let k = 0; k < ports.length; k++) s[k] = stateOf(vs[k]!);
      byClassPair.set(key, s);
    }
    return s;
  };
  // Answers for an external end and a pod class, by number: (end, class, direction, node of the pod for node-relative ends).
  const byExternal = new Map<number, Uint8Array | null>();
  const nSide = Math.max(0, ...sides.ingress.values(), ...sides.egress.values()) + 1;
  const endIndex = new Map<MatrixEndpoint, number>();
  const nodeIndex = new Map(ws.cluster.nodes.map((n, i) => [n.name, i + 1]));
  const externalPair = (e: MatrixEndpoint, pod: Pod, outgoing: boolean): Uint8Array | undefined => {
    const rep = reps.get(classes.get(pod)!)![0]!;
    // With the other end outside the cluster only the pod's own side decides: cache by its side class.
    const c = (outgoing ? sides.egress : sides.ingress).get(pod)!;
    const relative = e.kind === 'host' || e.kind === 'remote-node' || e.kind === 'kube-apiserver';
    const ei = endIndex.get(e) ?? endIndex.set(e, endIndex.size).get(e)!;
    const key = ((ei * nSide + c) * 2 + (outgoing ? 1 : 0)) * (nodeIndex.size + 1) + (relative ? (nodeIndex.get(rep.nodeName) ?? 0) : 0);
    const known = byExternal.get(key);
    if (known !== undefined) return known ?? undefined;
    const peer = addressOf(e, rep.nodeName);
    let s: Uint8Array | null = null;
    if (peer) {
      const vs = engine.addressVerdicts(rep, peer, outgoing, ports);
      questions += ports.length;
      s = new Uint8Array(ports.length);
      for (let k = 0; k < ports.length; k++) s[k] = stateOf(vs[k]!);
    }
    byExternal.set(key, s);
    return s ?? undefined;
  };
  // Cells are not stored (a 2,000-workload matrix has 4 million): each is a lookup of its class pairs.
  const distinct = new Map<MatrixEndpoint, Pod[]>();
  const distinctOf = (e: MatrixEndpoint) => distinct.get(e) ?? distinct.set(e, distinctClasses(e.pods, classes)).get(e)!;
  // Endpoints with the same classes (and nodes) have equal rows and columns: number them, and keep one answer per pair of numbers.
  const sigNumbers = new Map<string, number>();
  const sigOf = (e: MatrixEndpoint) => {
    const key = e.kind === 'pods' ? distinctOf(e).map((p) => `${classes.get(p)}@${p.nodeName}`).join(',') : `x:${e.name}`;
    return sigNumbers.get(key) ?? sigNumbers.set(key, sigNumbers.size).get(key)!;
  };
  const srcSig = Int32Array.from(sources, sigOf);
  const dstSig = Int32Array.from(destinations, sigOf);
  const nSig = sigNumbers.size;
  const answers: (Uint8Array | null | undefined)[] = new Array(nSig * nSig);
  const cell = (i: number, j: number): Uint8Array | undefined => {
    const key = srcSig[i]! * nSig + dstSig[j]!;
    const known = answers[key];
    if (known !== undefined) return known ?? undefined;
    const out = computeCell(i, j);
    answers[key] = out ?? null;
    return out;
  };
  const computeCell = (i: number, j: number): Uint8Array | undefined => {
    const src = sources[i]!;
    const dst = destinations[j]!;
    if (src.kind === 'pods' && dst.kind === 'pods') {
      const as = distinctOf(src);
      const bs = distinctOf(dst);
      if (as.length === 1 && bs.length === 1) return podPair(as[0]!, bs[0]!);
      return combine(as.flatMap((a) => bs.map((b) => podPair(a, b))), ports.length);
    }
    if (src.kind === 'pods') {
      const as = distinctOf(src);
      return as.length === 1 ? externalPair(dst, as[0]!, true) : combineMaybe(as.map((a) => externalPair(dst, a, true)), ports.length);
    }
    if (dst.kind === 'pods') {
      const bs = distinctOf(dst);
      return bs.length === 1 ? externalPair(src, bs[0]!, false) : combineMaybe(bs.map((b) => externalPair(src, b, false)), ports.length);
    }
    return undefined;
  };
  const queryOf = (i: number, j: number, k: number): ConnectionQuery | undefined => {
    const src = sources[i]!;
    const dst = destinations[j]!;
    const pc = ports[k]!;
    const traffic = { protocol: pc.protocol, port: pc.from };
    if (src.kind === 'pods' && dst.kind === 'pods') {
      // The first distinct pair that is denied (a group is denied if any pair is), else the first.
      const pairs = distinctOf(src).flatMap((a) => distinctOf(dst).map((b) => [a, b] as const));
      const [a, b] = pairs.find(([x, y]) => podPair(x, y)[k] === PortState.Denied) ?? pairs[0]!;
      const ra = reps.get(classes.get(a)!)!;
      const rb = reps.get(classes.get(b)!)!;
      const from = ra[0]!;
      return { from: { kind: 'pod', pod: from }, to: { kind: 'pod', pod: rb.find((x) => x !== from) ?? rb[0]! }, ...traffic };
    }
    const pod = src.kind === 'pods' ? distinctOf(src)[0] : dst.kind === 'pods' ? distinctOf(dst)[0] : undefined;
    if (!pod) return undefined;
    const rep = reps.get(classes.get(pod)!)![0]!;
    const peer = addressOf(src.kind === 'pods' ? dst : src, rep.nodeName);
    if (!peer) return undefined;
    return src.kind === 'pods' ? { from: { kind: 'pod', pod: rep }, to: peer, ...traffic } : { from: peer, to: { kind: 'pod', pod: rep }, ...traffic };
  };
  return { by, sources, destinations, ports, cell, queryOf, classes, get questions() { return questions; } };
}

/** One pod per endpoint class among `pods` (and per node, for host-relative peers). */
function distinctClasses(pods: readonly Pod[], classes: ReadonlyMap<Pod, number>): Pod[] {
  const seen = new Set<string>();
  const out: Pod[] = [];
  for (const p of pods) {
    const k = `${classes.get(p)}|${p.nodeName}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(p);
  }
  return out;
}

const ip = (a: string | undefined): Peer | undefined => (a ? { kind: 'ip', ip: a } : undefined);

function stateOf(v: Verdict | QueryProblem): PortState {
  if (isProblem(v)) return PortState.Denied;
  if (v.verdict === 'deny') return v.dropReason === 'AUTH_REQUIRED' ? PortState.Auth : PortState.Denied;
  switch (v.l7) {
    case 'http':
      return PortState.Http;
    case 'dns':
      return PortState.Dns;
    case 'kafka':
      return PortState.Kafka;
    case 'l7proto':
      return PortState.L7Other;
    default:
      return PortState.Allowed;
  }
}

/**
 * A group is allowed a port only if every pod pair is (as a ConnectivityTest
 * reads a workload): the weakest state of each port class wins.
 */
function combine(states: readonly Uint8Array[], n: number): Uint8Array {
  if (states.length === 1) return states[0]!;
  const out = new Uint8Array(n);
  if (states.length === 0) return out;
  for (let k = 0; k < n; k++) {
    let s = states[0]![k]!;
    for (const x of states) if (x[k] !== s) s = weaker(s, x[k]!);
    out[k] = s;
  }
  return out;
}

function combineMaybe(states: readonly (Uint8Array | undefined)[], n: number): Uint8Array | undefined {
  const known = states.filter((s): s is Uint8Array => s !== undefined);
  return known.length ? combine(known, n) : undefined;
}

function weaker(a: number, b: number): number {
  if (a === PortState.Denied || b === PortState.Denied) return PortState.Denied;
  if (a === PortState.Auth || b === PortState.Auth) return PortState.Auth;
  return a === PortState.Allowed ? b : a;
}

/** The classes restricted to the asked ports, split where the asked ranges cut them. */
function restrict(classes: readonly PortClass[], asked: readonly { protocol: L4Protocol; from: number; to: number }[]): PortClass[] {
  const out: PortClass[] = [];
  for (const a of asked) {
    for (const c of classes) {
      if (c.protocol !== a.protocol || c.to < a.from || c.from > a.to) continue;
      out.push({ protocol: c.protocol, from: Math.max(c.from, a.from), to: Math.min(c.to, a.to) });
    }
  }
  return out;
}

export type { ClusterNode };
