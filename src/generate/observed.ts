/**
 * @module generate/observed
 *
 * Hubble flows → observed connections. One flow is reduced to at most one
 * connection key (source endpoint, destination endpoint, protocol, port and,
 * with `l7`, the HTTP request or DNS name), and a {@link Reduction} counts
 * flows per key with their first and last time. The reduction is a
 * commutative merge (sums, minima, maxima, unions), so files, byte ranges of
 * a file (worker threads) and ClickHouse's GROUP BY rows can be reduced apart
 * and merged in any order to the same result. Memory grows with distinct
 * connections and endpoints, never with flows.
 *
 * Endpoints are identified by stable labels, never pod names: per-rollout
 * labels (`pod-template-hash`, …) are dropped so that a new ReplicaSet is the
 * same endpoint. Replies are not connections (`is_reply`, or a TCP SYN+ACK
 * where the direction is unknown); DNS responses only teach which names an
 * address answered for, so egress to it can become `toFQDNs`.
 */
import type { Endpoint, Flow, FlowRecord, L7Record } from '../hubble/flow.js';

/** Why a flow does not stand for a connection; each is counted, none is fatal. */
export type SkipCause =
  | 'reply'
  | 'dropped'
  | 'not-policy-event'
  | 'no-l4'
  | 'unknown-direction'
  | 'no-identity'
  | 'no-workload';

export const SKIP_CAUSES: readonly SkipCause[] = ['reply', 'dropped', 'not-policy-event', 'no-l4', 'unknown-direction', 'no-identity', 'no-workload'];

/** Text of each cause for reports. */
export const SKIP_CAUSE_TEXT: Readonly<Record<SkipCause, string>> = {
  'reply': 'replies (not new connections)',
  'dropped': 'dropped or error verdicts (not observed to work)',
  'not-policy-event': 'not a policy-relevant event (socket trace, debug, capture)',
  'no-l4': 'no layer-4 protocol',
  'unknown-direction': 'direction unknown (no is_reply, not a TCP SYN)',
  'no-identity': 'an end without identity or labels',
  'no-workload': 'neither end is a workload (node, health, world only)',
};

/** Entities a flow's reserved identity stands for. */
export type EntityName = 'host' | 'remote-node' | 'kube-apiserver' | 'world' | 'health' | 'init' | 'ingress' | 'unmanaged';

/** One end of an observed connection, as policies can name it. */
export type ObservedEndpoint =
  /** A pod's identity: its namespace and stable labels (no `k8s:` prefix). */
  | { readonly kind: 'pod'; readonly namespace: string; readonly labels: Readonly<Record<string, string>> }
  | { readonly kind: 'entity'; readonly entity: EntityName }
  /** A world address. */
  | { readonly kind: 'ip'; readonly ip: string };

/** Details kept per pod endpoint: namespace labels, service account, cluster (all from its identity labels). */
export interface PodInfo {
  namespaceLabels: Record<string, string>;
  serviceAccount?: string;
  cluster?: string;
}

/** The count and time span of one connection key. */
export interface ConnectionStats {
  flows: number;
  /** Milliseconds since the epoch; `Infinity`/`-Infinity` when no flow had a time. */
  first: number;
  last: number;
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP' | 'ICMP' | 'ICMPv6';

/** An observed connection, decoded from its key. */
export interface ObservedConnection extends ConnectionStats {
  readonly from: ObservedEndpoint;
  readonly to: ObservedEndpoint;
  readonly protocol: Protocol;
  /** Destination port, or the ICMP type. */
  readonly port: number;
  readonly http?: { readonly method: string; readonly path: string };
  readonly dns?: string;
}

export interface ReduceOptions {
  /** Keep HTTP method + path and DNS names in the keys. */
  readonly l7?: boolean;
}

/** Per-rollout labels Kubernetes and common controllers add to pods; never part of a workload's identity here. */
const PER_ROLLOUT = new Set([
  'pod-template-hash', 'controller-revision-hash', 'pod-template-generation', 'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index', 'controller-uid', 'batch.kubernetes.io/controller-uid', 'job-name', 'batch.kubernetes.io/job-name',
  'batch.kubernetes.io/job-completion-index', 'service.istio.io/canonical-revision', 'security.istio.io/tlsMode',
]);

const RESERVED_BY_ID: ReadonlyMap<number, EntityName> = new Map([
  [1, 'host'], [2, 'world'], [3, 'unmanaged'], [4, 'health'], [5, 'init'], [6, 'remote-node'], [7, 'kube-apiserver'], [8, 'ingress'],
  [9, 'world'], [10, 'world'],
]);
// Precedence when labels carry several (a control-plane host is host + kube-apiserver: it is the host to its pods).
const RESERVED_BY_LABEL: readonly (readonly [string, EntityName])[] = [
  ['reserved:host', 'host'], ['reserved:kube-apiserver', 'kube-apiserver'], ['reserved:remote-node', 'remote-node'],
  ['reserved:health', 'health'], ['reserved:init', 'init'], ['reserved:ingress', 'ingress'], ['reserved:unmanaged', 'unmanaged'],
  ['reserved:world', 'world'], ['reserved:world-ipv4', 'world'], ['reserved:world-ipv6', 'world'],
];
/** Local (CIDR, FQDN) identities have this bit (`pkg/identity/numericidentity.go: IdentityScopeLocal`); they are world addresses. */
const LOCAL_SCOPE = 1 << 24;

const NS_LABEL = 'io.kubernetes.pod.namespace';
const NS_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';
const SA_LABEL = 'io.cilium.k8s.policy.serviceaccount';
const CLUSTER_LABEL = 'io.cilium.k8s.policy.cluster';

/** The endpoint key of a pod identity: `p` namespace, then sorted `k=v` labels, tab separated. */
function podKey(namespace: string, labels: Readonly<Record<string, string>>): string {
  let k = `p\t${namespace}`;
  for (const name of Object.keys(labels).sort()) k += `\t${name}=${labels[name]}`;
  return k;
}

export function endpointKey(e: ObservedEndpoint): string {
  switch (e.kind) {
    case 'pod':
      return podKey(e.namespace, e.labels);
    case 'entity':
      return `e\t${e.entity}`;
    case 'ip':
      return `i\t${e.ip}`;
  }
}

export function parseEndpointKey(k: string): ObservedEndpoint {
  const parts = k.split('\t');
  if (parts[0] === 'e') return { kind: 'entity', entity: parts[1] as EntityName };
  if (parts[0] === 'i') return { kind: 'ip', ip: parts[1] ?? '' };
  const labels: Record<string, string> = {};
  for (const kv of parts.slice(2)) {
    const eq = kv.indexOf('=');
    labels[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return { kind: 'pod', namespace: parts[1] ?? '', labels };
}

/** What one end of a flow is, before keys: cached per label list, since a stream repeats a few identities. */
interface Resolved {
  readonly key: string;
  /** Pod identity details, parsed once. */
  readonly pod?: { namespaceLabels: Record<string, string>; serviceAccount?: string; cluster?: string };
  /** True for world: the address is the endpoint. */
  readonly world?: boolean;
  /** The reduction's number for `key` (see `Reduction.endpointId`), once asked. */
  id?: number;
  /** Set once the pod details are merged into the reduction's `pods`. */
  noted?: boolean;
}

const NO_IDENTITY: Resolved = { key: '' };
const NO_LABELS: readonly string[] = [];

function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Resolves one end of a flow. The label list decides; the numeric identity
 * only where labels are missing (field-masked exports).
 */
function resolveUncached(e: Endpoint): Resolved {
  const labels = e.labels ?? [];
  for (const [label, entity] of RESERVED_BY_LABEL) {
    if (labels.includes(label)) return entity === 'world' ? { key: '', world: true } : { key: `e\t${entity}` };
  }
  if (labels.some((l) => l.startsWith('cidr:') || l.startsWith('fqdn:'))) return { key: '', world: true };
  const id = e.identity ?? 0;
  if (labels.length === 0) {
    const r = RESERVED_BY_ID.get(id);
    if (r === 'world' || id >= LOCAL_SCOPE) return { key: '', world: true };
    if (r) return { key: `e\t${r}` };
    return NO_IDENTITY;
  }
  let namespace = e.namespace ?? '';
  const podLabels: Record<string, string> = {};
  const namespaceLabels: Record<string, string> = {};
  let serviceAccount: string | undefined;
  let cluster: string | undefined;
  for (const l of labels) {
    if (!l.startsWith('k8s:')) continue;
    const eq = l.indexOf('=');
    const key = eq < 0 ? l.slice(4) : l.slice(4, eq);
    const value = eq < 0 ? '' : l.slice(eq + 1);
    if (key === NS_LABEL) namespace = value;
    else if (key.startsWith(NS_LABELS_PREFIX)) namespaceLabels[key.slice(NS_LABELS_PREFIX.length)] = value;
    else if (key === SA_LABEL) serviceAccount = value;
    else if (key === CLUSTER_LABEL) cluster = value;
    else if (key.startsWith('io.cilium.k8s.') || key.startsWith('io.kubernetes.') || PER_ROLLOUT.has(key)) continue;
    else podLabels[key] = value;
  }
  if (namespace === '' || Object.keys(podLabels).length === 0) return NO_IDENTITY;
  const pod: NonNullable<Resolved['pod']> = { namespaceLabels };
  if (serviceAccount !== undefined) pod.serviceAccount = serviceAccount;
  if (cluster !== undefined) pod.cluster = cluster;
  return { key: podKey(namespace, podLabels), pod };
}

/** Endpoint numbers of the connection index stay below this (2^26), so that two fit in a double exactly. */
const ID_LIMIT = 2 ** 26;
const PROTOCOL_NUMBER: Readonly<Record<Protocol, number>> = { TCP: 0, UDP: 1, SCTP: 2, ICMP: 3, ICMPv6: 4 };

/** Counts of what a reduction read and why flows were not connections. */
export interface ReduceStats {
  flows: number;
  connections: number;
  skipped: Record<SkipCause, number>;
}

export function emptyReduceStats(): ReduceStats {
  return { flows: 0, connections: 0, skipped: { 'reply': 0, 'dropped': 0, 'not-policy-event': 0, 'no-l4': 0, 'unknown-direction': 0, 'no-identity': 0, 'no-workload': 0 } };
}

/** A reduction as plain data (worker messages, JSON). */
export interface ReductionData {
  readonly l7: boolean;
  readonly stats: ReduceStats;
  readonly connections: readonly (readonly [string, number, number | null, number | null])[];
  readonly pods: readonly (readonly [string, PodInfo])[];
  readonly dns: readonly (readonly [string, readonly string[]])[];
}

function httpPath(url: string): string {
  // Hubble's url is absolute (`http://host:port/path?query`); policies match the path alone.
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url);
  let p = m ? url.slice(m[0].length) : url;
  const q = p.search(/[?#]/);
  if (q >= 0) p = p.slice(0, q);
  return p === '' ? '/' : p;
}

function dnsName(q: string): string {
  const n = q.toLowerCase();
  return n.endsWith('.') ? n.slice(0, -1) : n;
}

/** The time of a flow in milliseconds, or NaN. */
function flowMillis(r: FlowRecord): number {
  const t = r.flow.time ?? r.time;
  return t ? t.seconds * 1000 + Math.floor(t.nanos / 1e6) : NaN;
}

/**
 * Why a flow is no connection, by the fields read before its endpoints
 * (`undefined`: it may be one, the endpoints decide). The one place of these
 * rules: `Reduction` calls it with a decoded flow's fields, and the line
 * pattern with a line's match groups, so that a line that is skipped here
 * needs no flow built (`skippedRecord`). `port` is the destination port, or
 * the ICMP type; `syn`/`ack` the TCP flags.
 */
export function skipCause(
  verdict: string | number | undefined, type: string | number | undefined, eventType: number | undefined, isReply: boolean | undefined, reply: boolean,
  l7Response: boolean, protocol: string | undefined, port: number, syn: boolean, ack: boolean,
): SkipCause | undefined {
  if (verdict === 'DROPPED' || verdict === 'ERROR') return 'dropped';
  // 4 trace, 5 policy verdict, 129 L7 (pkg/monitor/api/types.go); a missing event type (field-masked export) is given the benefit.
  if (type === 'SOCK' || (eventType !== undefined && eventType !== 4 && eventType !== 5 && eventType !== 129)) return 'not-policy-event';
  if (isReply === true || reply || l7Response) return 'reply';
  if (protocol === undefined || protocol === 'none' || protocol === 'VRRP' || protocol === 'IGMP') return 'no-l4';
  if (protocol === 'ICMPv4' || protocol === 'ICMPv6') {
    // Echo replies and the like: only requests open a conversation (ICMP types 0 and 129 are echo replies).
    if (isReply === undefined && (port === 0 || port === 129)) return 'reply';
    return undefined;
  }
  if (isReply === undefined) {
    // Unknown direction (e.g. TO_OVERLAY traces): only a bare SYN proves who opened the connection.
    if (protocol !== 'TCP' || !syn) return 'unknown-direction';
    if (ack) return 'reply';
  }
  return port === 0 ? 'no-l4' : undefined;
}

/** Causes `skipCause` decides, and a flow it decides each for. */
const SKIPPED_FLOWS: Readonly<Partial<Record<SkipCause, Flow>>> = {
  'dropped': { verdict: 'DROPPED' },
  'not-policy-event': { type: 'SOCK' },
  'reply': { isReply: true },
  'no-l4': {},
  'unknown-direction': { l4: { protocol: 'UDP', sourcePort: 1, destinationPort: 1 } },
};
const SKIPPED_RECORDS = new Map(Object.entries(SKIPPED_FLOWS).map(([c, flow]) => [c as SkipCause, Object.freeze({ flow: Object.freeze(flow) })]));

/**
 * A record that stands for a flow `skipCause` skipped for `cause`, for a
 * reader whose records only a `Reduction` reads: the reduction counts it as
 * it would count that flow (it has no DNS names nor time to keep).
 */
export function skippedRecord(cause: SkipCause): FlowRecord {
  return SKIPPED_RECORDS.get(cause)!;
}

/**
 * Observed connections, built flow by flow ({@link add}) or from rows already
 * grouped elsewhere ({@link addFlow} with a count), and merged with
 * {@link merge}.
 */
export class Reduction {
  readonly stats: ReduceStats = emptyReduceStats();
  /** Connection key → stats. Key: source key, destination key, protocol, port, l7 — joined by `\n`. */
  readonly connections = new Map<string, ConnectionStats>();
  readonly pods = new Map<string, PodInfo>();
  /** World address → names DNS answered with it. */
  readonly dns = new Map<string, Set<string>>();
  private readonly cache = new Map<number, { namespace: string; labels: readonly string[]; resolved: Resolved }[]>();
  /**
   * The connections again, by numbers instead of the key text: endpoint
   * numbers (source, destination), then protocol and port. Building and
   * hashing the text key for every flow cost more than the rest of `add`;
   * a flow with an L7 part, or numbers out of range, takes the text path.
   * The values are the objects of `connections`.
   */
  private readonly index = new Map<number, Map<number, ConnectionStats>>();
  /** Endpoint key text → number (`index`), and world address → number. */
  private readonly endpointIds = new Map<string, number>();
  private readonly addressIds = new Map<string, number>();

  constructor(readonly l7 = false) {}

  /** Adds one flow record (the reader's sink calls this). */
  add(r: FlowRecord): void {
    this.addFlow(r.flow, 1, flowMillis(r), NaN);
  }

  /**
   * Adds `count` flows that share everything this reduction looks at, seen
   * first at `first` and last at `last` (ms; NaN when unknown; `last`
   * defaults to `first`).
   */
  addFlow(f: Flow, count: number, first: number, last: number): void {
    this.stats.flows += count;
    // DNS answers teach names whatever else the flow is (they are replies).
    const rec = f.l7?.record;
    if (rec?.kind === 'dns' && rec.ips && rec.ips.length > 0 && rec.query) this.learn(rec.ips, dnsName(rec.query));
    if (f.destinationNames && f.destinationNames.length > 0 && f.ip?.destination) {
      for (const n of f.destinationNames) this.learn([f.ip.destination], dnsName(n));
    }
    const cause = this.connect(f, count, first, Number.isNaN(last) ? first : last, rec);
    if (cause) this.stats.skipped[cause] += count;
  }

  private learn(ips: readonly string[], name: string): void {
    for (const ip of ips) {
      let s = this.dns.get(ip);
      if (!s) this.dns.set(ip, (s = new Set()));
      s.add(name);
    }
  }

  /**
   * Resolves an endpoint, cached by identity number and checked against the
   * label list (numbers repeat across clusters and time): comparing a few
   * strings costs less than building a key of them for every flow.
   */
  private resolve(e: Endpoint | undefined): Resolved {
    if (!e) return NO_IDENTITY;
    const labels = e.labels ?? NO_LABELS;
    const ns = e.namespace ?? '';
    const id = e.identity ?? 0;
    let bucket = this.cache.get(id);
    if (bucket) {
      for (const c of bucket) if (c.namespace === ns && sameLabels(c.labels, labels)) return c.resolved;
    } else {
      // Bounded: identities are few, but a hostile input could make each one unique.
      if (this.cache.size > 100_000) this.cache.clear();
      this.cache.set(id, (bucket = []));
    }
    const resolved = resolveUncached(e);
    if (bucket.length < 64) bucket.push({ namespace: ns, labels, resolved });
    return resolved;
  }

  private connect(f: Flow, count: number, first: number, last: number, rec: L7Record | undefined): SkipCause | undefined {
    const l4 = f.l4;
    let port = 0;
    let syn = false;
    let ack = false;
    switch (l4?.protocol) {
      case 'TCP':
        syn = l4.flags?.SYN === true;
        ack = l4.flags?.ACK === true;
        port = l4.destinationPort;
        break;
      case 'UDP':
      case 'SCTP':
        port = l4.destinationPort;
        break;
      case 'ICMPv4':
      case 'ICMPv6':
        port = l4.type;
    }
    const cause = skipCause(f.verdict, f.type, f.eventType?.type, f.isReply, f.reply === true, f.l7?.type === 'RESPONSE', l4?.protocol, port, syn, ack);
    if (cause) return cause;
    const protocol: Protocol = l4!.protocol === 'ICMPv4' ? 'ICMP' : (l4!.protocol as Protocol);
    const src = this.resolve(f.source);
    const dst = this.resolve(f.destination);
    if ((!src.world && src.key === '') || (!dst.world && dst.key === '')) return 'no-identity';
    if (!src.pod && !dst.pod) return 'no-workload';
    if (src.pod && !src.noted) this.notePod(src);
    if (dst.pod && !dst.noted) this.notePod(dst);
    const from = first;
    const to = last;
    let l7 = '';
    if (this.l7 && rec && f.l7?.type === 'REQUEST') {
      if (rec.kind === 'http' && rec.method) l7 = `http\t${rec.method}\t${httpPath(rec.url ?? '/')}`;
      else if (rec.kind === 'dns' && rec.query) l7 = `dns\t${dnsName(rec.query)}`;
    }
    const srcId = src.world ? this.addressId(f.ip?.source) : (src.id ??= this.endpointId(src.key));
    const dstId = dst.world ? this.addressId(f.ip?.destination) : (dst.id ??= this.endpointId(dst.key));
    const pair = srcId * ID_LIMIT + dstId;
    const sub = PROTOCOL_NUMBER[protocol] * 2 ** 32 + port;
    const fast = l7 === '' && srcId < ID_LIMIT && dstId < ID_LIMIT && port < 2 ** 32;
    let byPort = fast ? this.index.get(pair) : undefined;
    const known = byPort?.get(sub);
    if (known) {
      known.flows += count;
      if (from < known.first) known.first = from;
      if (to > known.last) known.last = to;
      return undefined;
    }
    const srcKey = src.world ? (f.ip?.source ? `i\t${f.ip.source}` : 'e\tworld') : src.key;
    const dstKey = dst.world ? (f.ip?.destination ? `i\t${f.ip.destination}` : 'e\tworld') : dst.key;
    const key = `${srcKey}\n${dstKey}\n${protocol}\n${port}\n${l7}`;
    const c = this.bump(key, count, Number.isNaN(from) ? Infinity : from, Number.isNaN(to) ? -Infinity : to);
    if (fast) {
      if (!byPort) this.index.set(pair, (byPort = new Map()));
      byPort.set(sub, c);
    }
    return undefined;
  }

  /** A number for an endpoint key, the same for the same text. */
  private endpointId(key: string): number {
    let id = this.endpointIds.get(key);
    if (id === undefined) this.endpointIds.set(key, (id = this.endpointIds.size));
    return id;
  }

  /** A number for a world address (or world itself, when the flow has none). */
  private addressId(ip: string | undefined): number {
    if (!ip) return this.endpointId('e\tworld');
    let id = this.addressIds.get(ip);
    if (id === undefined) this.addressIds.set(ip, (id = this.endpointId(`i\t${ip}`)));
    return id;
  }

  private bump(key: string, flows: number, first: number, last: number): ConnectionStats {
    let c = this.connections.get(key);
    if (c) {
      c.flows += flows;
      if (first < c.first) c.first = first;
      if (last > c.last) c.last = last;
    } else {
      this.connections.set(key, (c = { flows, first, last }));
      this.stats.connections = this.connections.size;
    }
    return c;
  }

  /** Merges a pod's details into `pods`, once per resolved endpoint (the resolve cache hands out the same objects). */
  private notePod(r: Resolved): void {
    r.noted = true;
    const key = r.key;
    const pod = r.pod!;
    const known = this.pods.get(key);
    if (known) {
      unionLabels(known.namespaceLabels, pod.namespaceLabels);
      return;
    }
    const info: PodInfo = { namespaceLabels: { ...pod.namespaceLabels } };
    if (pod.serviceAccount !== undefined) info.serviceAccount = pod.serviceAccount;
    if (pod.cluster !== undefined) info.cluster = pod.cluster;
    this.pods.set(key, info);
  }

  /** Merges another reduction into this one (commutative and associative). */
  merge(o: Reduction | ReductionData): this {
    const data = o instanceof Reduction ? o.toData() : o;
    this.stats.flows += data.stats.flows;
    for (const c of SKIP_CAUSES) this.stats.skipped[c] += data.stats.skipped[c];
    for (const [k, flows, first, last] of data.connections) this.bump(k, flows, first ?? Infinity, last ?? -Infinity);
    for (const [k, info] of data.pods) {
      const p = this.pods.get(k);
      if (!p) this.pods.set(k, { ...info, namespaceLabels: { ...info.namespaceLabels } });
      else {
        unionLabels(p.namespaceLabels, info.namespaceLabels);
        p.serviceAccount ??= info.serviceAccount;
        p.cluster ??= info.cluster;
      }
    }
    for (const [ip, names] of data.dns) for (const n of names) this.learn([ip], n);
    return this;
  }

  /** Plain data, sorted: equal reductions give equal data whatever the order of their flows. */
  toData(): ReductionData {
    const fin = (n: number) => (Number.isFinite(n) ? n : null);
    return {
      l7: this.l7,
      stats: { flows: this.stats.flows, connections: this.connections.size, skipped: { ...this.stats.skipped } },
      connections: [...this.connections].sort(([a], [b]) => cmp(a, b)).map(([k, c]) => [k, c.flows, fin(c.first), fin(c.last)] as const),
      pods: [...this.pods].sort(([a], [b]) => cmp(a, b)).map(([k, p]) => [k, sortedInfo(p)] as const),
      dns: [...this.dns].sort(([a], [b]) => cmp(a, b)).map(([ip, s]) => [ip, [...s].sort()] as const),
    };
  }

  static fromData(d: ReductionData): Reduction {
    return new Reduction(d.l7).merge(d);
  }

  /** The connections, decoded and sorted by key. */
  observed(): ObservedConnection[] {
    return [...this.connections].sort(([a], [b]) => cmp(a, b)).map(([k, c]) => decodeConnection(k, c));
  }
}

/**
 * Namespace labels of one pod identity differ between flows (agents of
 * different versions, a relabelled namespace): keep the union, and on a
 * conflict the smaller value, so that the merge stays commutative.
 */
function unionLabels(into: Record<string, string>, from: Readonly<Record<string, string>>): void {
  for (const [k, v] of Object.entries(from)) {
    const old = into[k];
    if (old === undefined || v < old) into[k] = v;
  }
}

function sortedInfo(p: PodInfo): PodInfo {
  const out: PodInfo = { namespaceLabels: Object.fromEntries(Object.entries(p.namespaceLabels).sort(([a], [b]) => cmp(a, b))) };
  if (p.serviceAccount !== undefined) out.serviceAccount = p.serviceAccount;
  if (p.cluster !== undefined) out.cluster = p.cluster;
  return out;
}

export function decodeConnection(key: string, c: ConnectionStats): ObservedConnection {
  const [src = '', dst = '', protocol = 'TCP', port = '0', l7 = ''] = key.split('\n');
  const base = { from: parseEndpointKey(src), to: parseEndpointKey(dst), protocol: protocol as Protocol, port: Number(port), flows: c.flows, first: c.first, last: c.last };
  if (l7.startsWith('http\t')) {
    const [, method = 'GET', path = '/'] = l7.split('\t');
    return { ...base, http: { method, path } };
  }
  if (l7.startsWith('dns\t')) return { ...base, dns: l7.slice(4) };
  return base;
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
