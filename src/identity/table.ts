/**
 * @module identity/table
 *
 * The identity registry of one node's view of a cluster: every identity with
 * its labels, the pods behind it, the ipcache, and cached selector
 * evaluation. Built once from a {@link Cluster} plus the prefixes policies
 * name; the engine asks it which identities a selector selects (once per
 * distinct selector, STYLE "work per identity, not per pod") and which
 * identity a packet's peer IP has.
 *
 * The ipcache and `identityOfPod` are one node's view (`localNode`): that
 * node's IPs and hostNetwork pods are `host` (1); other nodes are
 * `remote-node` (6), or `kube-apiserver` (7) when they run a kube-apiserver
 * (semantics.md §3.4). Each agent sees its own node as the host, with its
 * own node's labels, so the table also holds every node's view of itself
 * ({@link IdentityTable.hostOf}) and of the others
 * ({@link IdentityTable.remoteOf}): the engine picks the view of the node
 * whose endpoint enforces policy.
 */
import type { Cluster, ClusterNode, Namespace, Pod } from '../model/types.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { formatCidr, formatIp, parseCidr, parseIp, type CidrPrefix, type IpAddress } from '../net/ip.js';
import { allocateClusterIdentities, allocatePrefixIdentities, type PrefixLabels } from './allocator.js';
import { IpCache, hostPrefix, type IpCacheEntry } from './ipcache.js';
import { podIdentityLabels } from './label-filter.js';
import { PrefixIndex } from './prefix-index.js';
import { LabelSet, type Label } from './labels.js';
import { messages } from './messages.js';
import { HOST_VIEW_FLAG, REMOTE_NODE_IDENTITY_FLAG, Reserved, reservedLabels, reservedName, type IdentityId } from './reserved.js';
import { cidrLabel } from './cidr-labels.js';
import type { EndpointSelector } from './selector.js';

/** Options of {@link buildIdentityTable}. */
export interface IdentityTableOptions {
  /** Name of the node whose view polis evaluates; its IPs are `host`. */
  readonly localNode: string;
  /**
   * Every prefix any policy names (`toCIDR`, `toCIDRSet.cidr` **and** its
   * `except` entries, selector-less service endpoint IPs…). Each becomes a
   * CIDR identity; a bare IP means a host prefix. Default none.
   */
  readonly referencedCidrs?: readonly (string | CidrPrefix)[];
  /**
   * Extra labels for external prefixes, merged with those of
   * `referencedCidrs`. This is the extension point for FQDN identities: IPs
   * learned for a `toFQDNs` selector are host prefixes carrying `fqdn:` labels.
   * Default none.
   */
  readonly prefixLabels?: readonly PrefixLabels[];
  /** Dual-stack cluster: world is split into `world-ipv4` (9) / `world-ipv6` (10). Default `false`. */
  readonly dualStack?: boolean;
  /** Drop user pod labels starting with `io.cilium.k8s` (1.18+). Default `true`. */
  readonly stripCiliumPrefixedPodLabels?: boolean;
  /**
   * IPs of the kube-apiserver backends (the `default/kubernetes` Endpoints,
   * which Cilium watches to apply `reserved:kube-apiserver`, PR
   * cilium/cilium#17823). Default: the IPs of control-plane nodes, because
   * kind and kubeadm run the apiserver as a hostNetwork static pod on every
   * control-plane node and publish the node IP as the endpoint. An IP that is
   * not a node IP is an external apiserver: it gets a local identity with
   * `reserved:kube-apiserver` + `reserved:world` (semantics.md §3.4).
   */
  readonly kubeApiserverIps?: readonly string[];
  /**
   * `policy-cidr-match-mode=nodes`: node identities carry the CIDR labels of
   * their addresses, so CIDR selectors match nodes; remote nodes then get
   * per-node identities in the remote-node scope (`pkg/node/manager.go
   * nodeIdentityLabels`, `pkg/identity/reserved.go
   * LookupReservedIdentityByLabels`). Default `false` (Cilium's `[]`).
   */
  readonly cidrMatchesNodes?: boolean;
}

/** The result of {@link buildIdentityTable}: always a table, plus what was wrong with the input. */
export interface IdentityTableBuild {
  readonly table: IdentityTable;
  readonly diagnostics: readonly Diagnostic[];
}

const podKey = (namespace: string, name: string) => `${namespace}/${name}`;
const NO_IDS: readonly IdentityId[] = Object.freeze([]);

/**
 * Builds the identity table of `cluster` as seen from `options.localNode`.
 * Never throws on bad input: unusable IPs or prefixes are skipped and
 * reported in `diagnostics`.
 */
export function buildIdentityTable(cluster: Cluster, options: IdentityTableOptions): IdentityTableBuild {
  const diagnostics: Diagnostic[] = [];
  const dualStack = options.dualStack ?? false;

  // --- nodes and the kube-apiserver -------------------------------------------------------
  const localNode = cluster.nodes.find((n) => n.name === options.localNode);
  if (!localNode) diagnostics.push(messages.unknownLocalNode(options.localNode, cluster.nodes.map((n) => n.name)));
  const nodeIps = new Map<ClusterNode, IpAddress>();
  for (const n of cluster.nodes) {
    const ip = parseIp(n.ip);
    if (ip) nodeIps.set(n, ip);
    else diagnostics.push(messages.invalidIp(`node ${n.name}`, n.ip, n.origin));
  }
  const apiserverIps = new Set<string>();
  for (const text of options.kubeApiserverIps ?? cluster.nodes.filter((n) => n.controlPlane).map((n) => n.ip)) {
    const ip = parseIp(text);
    if (ip) apiserverIps.add(formatIp(ip));
    else diagnostics.push(messages.invalidIp('kube-apiserver endpoint', text));
  }
  const isApiserver = (ip: IpAddress | undefined) => ip !== undefined && apiserverIps.has(formatIp(ip));

  // --- each node's view of itself (host) and of the others --------------------------------
  const views: NodeViews = { hostOf: new Map(), remoteOf: new Map(), hostLabels: new Map() };
  const remoteScoped = new Map<IdentityId, LabelSet>();
  cluster.nodes.forEach((n, i) => {
    const ip = nodeIps.get(n);
    const apiserver = isApiserver(ip);
    const cidr = options.cidrMatchesNodes && ip ? [cidrLabel(hostPrefix(ip))] : [];
    const host = (HOST_VIEW_FLAG | i) as IdentityId;
    views.hostOf.set(n.name, host);
    views.hostLabels.set(host, LabelSet.of([...reservedLabels(Reserved.host, { hostIsKubeApiserver: apiserver, hostNodeLabels: n.labels }).labels, ...cidr]));
    let remote: IdentityId = apiserver ? Reserved.kubeApiserver : Reserved.remoteNode;
    if (cidr.length) {
      remote = (REMOTE_NODE_IDENTITY_FLAG | (i + 1)) as IdentityId;
      remoteScoped.set(remote, LabelSet.of([...reservedLabels(apiserver ? Reserved.kubeApiserver : Reserved.remoteNode).labels, ...cidr]));
    }
    views.remoteOf.set(n.name, remote);
  });
  const nodeIdentity = (n: ClusterNode): IdentityId => (n === localNode ? Reserved.host : views.remoteOf.get(n.name)!);

  const identities = new Map<IdentityId, LabelSet>();
  const reservedIds = [1, 2, 3, 4, 5, 6, 7, 8, ...(dualStack ? [9, 10] : [])] as IdentityId[];
  const hostOptions = { hostIsKubeApiserver: isApiserver(localNode && nodeIps.get(localNode)), hostNodeLabels: localNode?.labels ?? {} };
  for (const id of reservedIds) identities.set(id, reservedLabels(id, hostOptions));
  for (const [id, labels] of remoteScoped) identities.set(id, labels);

  // --- pods → cluster identities ------------------------------------------------------------
  // Work per label set, not per pod (STYLE): replicas share namespace, service account and labels,
  // so a pod costs one key and one lookup; identity labels and numbers are derived per distinct set.
  const namespaces = new Map<string, Pick<Namespace, 'name' | 'labels'>>(cluster.namespaces.map((ns) => [ns.name, ns]));
  const pods = cluster.pods;
  const classOf = new Array<PodClass | undefined>(pods.length);
  const classes = new Map<string, PodClass>();
  const labelOptions = { stripCiliumPrefixedLabels: options.stripCiliumPrefixedPodLabels ?? true };
  let prev: Pod | undefined;
  let prevClass: PodClass | undefined;
  for (let i = 0; i < pods.length; i++) {
    const pod = pods[i]!;
    if (pod.hostNetwork) continue;
    // Replicas of a workload come one after another: most pods are the previous one's class.
    if (prev && prev.namespace === pod.namespace && prev.serviceAccount === pod.serviceAccount && sameLabels(prev.labels, pod.labels)) {
      classOf[i] = prevClass;
      continue;
    }
    const key = podClassKey(pod);
    let c = classes.get(key);
    if (!c) {
      let ns = namespaces.get(pod.namespace);
      if (!ns) {
        // A namespace nobody declared still has the label the API server always sets.
        ns = { name: pod.namespace, labels: { 'kubernetes.io/metadata.name': pod.namespace } };
        namespaces.set(pod.namespace, ns);
      }
      c = { labels: podIdentityLabels(pod, ns, cluster.name, labelOptions), id: undefined };
      classes.set(key, c);
    }
    classOf[i] = c;
    prev = pod;
    prevClass = c;
  }
  const distinctSets: LabelSet[] = [];
  for (const c of classes.values()) distinctSets.push(c.labels);
  const clusterAlloc = allocateClusterIdentities(distinctSets);
  if (clusterAlloc.overflow) diagnostics.push(messages.rangeExhausted(clusterAlloc.entries.length));
  for (const e of clusterAlloc.entries) identities.set(e.id, e.labels);
  for (const c of classes.values()) c.id = clusterAlloc.byCanonical.get(c.labels.canonical);

  const nodesByName = new Map(cluster.nodes.map((n) => [n.name, n]));
  const idOfPod = new Map<Pod, IdentityId>();
  const podsById = new Map<IdentityId, Pod[]>();
  for (let i = 0; i < pods.length; i++) {
    const pod = pods[i]!;
    const c = classOf[i];
    let id: IdentityId | undefined;
    if (c) id = c.id;
    else {
      // hostNetwork pods share their node's identity (semantics.md §3.4).
      const node = nodesByName.get(pod.nodeName);
      id = node ? nodeIdentity(node) : undefined;
    }
    if (id === undefined) continue;
    idOfPod.set(pod, id);
    const list = podsById.get(id);
    if (list) list.push(pod);
    else podsById.set(id, [pod]);
  }

  // --- external prefixes → local identities -------------------------------------------------
  const prefixes = new Map<string, { prefix: CidrPrefix; extra: Label[] }>();
  const addPrefix = (prefix: CidrPrefix, extra: readonly Label[]) => {
    const k = formatCidr(prefix);
    const entry = prefixes.get(k) ?? prefixes.set(k, { prefix, extra: [] }).get(k)!;
    entry.extra.push(...extra);
  };
  for (const c of options.referencedCidrs ?? []) {
    const prefix = typeof c === 'string' ? parseCidr(c, true) : c;
    if (prefix) addPrefix(prefix, []);
    else diagnostics.push(messages.invalidCidr(String(c)));
  }
  for (const p of options.prefixLabels ?? []) addPrefix(p.prefix, p.extra);
  const nodeIpSet = new Set([...nodeIps.values()].map(formatIp));
  for (const text of apiserverIps) {
    if (nodeIpSet.has(text)) continue;
    addPrefix(hostPrefix(parseIp(text)!), [{ source: 'reserved', key: 'kube-apiserver', value: '' }]);
  }
  const prefixList = [...prefixes.values()];
  const prefixAlloc = allocatePrefixIdentities(prefixList, dualStack);
  for (const e of prefixAlloc.entries) identities.set(e.id, e.labels);

  // --- ipcache: nodes, then pods, then prefixes (first entry of a prefix wins) ---------------
  const entries: IpCacheEntry[] = [];
  // Owners are named only when two claim one address (naming 10k pods up front is measurable).
  // Keyed by the address as a number (IPv4) or bigint (IPv6): formatting 10k addresses as text is the slow part of a build.
  const owners4 = new Map<number, ClusterNode | Pod>();
  const owners6 = new Map<bigint, ClusterNode | Pod>();
  const ownerName = (o: ClusterNode | Pod) => ('namespace' in o ? `pod ${podKey(o.namespace, o.name)}` : `node ${o.name}`);
  const claim = (ip: IpAddress, id: IdentityId, owner: ClusterNode | Pod) => {
    const first = ip.family === 4 ? owners4.get(Number(ip.value)) : owners6.get(ip.value);
    if (first !== undefined) {
      diagnostics.push(messages.duplicateIp(formatIp(ip), ownerName(first), ownerName(owner), owner.origin));
      return;
    }
    if (ip.family === 4) owners4.set(Number(ip.value), owner);
    else owners6.set(ip.value, owner);
    entries.push({ prefix: hostPrefix(ip), id });
  };
  for (const [n, ip] of nodeIps) claim(ip, nodeIdentity(n), n);
  for (let i = 0; i < pods.length; i++) {
    const pod = pods[i]!;
    if (pod.hostNetwork) continue;
    const ip = parseIp(pod.ip);
    if (!ip) diagnostics.push(messages.invalidIp(`pod ${podKey(pod.namespace, pod.name)}`, pod.ip, pod.origin));
    else {
      const id = classOf[i]!.id;
      if (id !== undefined) claim(ip, id, pod);
    }
  }
  prefixList.forEach((p, i) => entries.push({ prefix: p.prefix, id: prefixAlloc.prefixIds[i]! }));
  const world = { v4: dualStack ? Reserved.worldIpv4 : Reserved.world, v6: dualStack ? Reserved.worldIpv6 : Reserved.world };

  return {
    table: new IdentityTable(cluster.name, options.localNode, identities, idOfPod, podsById, new IpCache(entries, world), views),
    diagnostics,
  };
}

/**
 * Identities of one node's view of a cluster. Immutable once built; the only
 * state it keeps is a memo of selector results keyed by
 * {@link EndpointSelector.canonical}.
 */
/** Each node's view of the nodes: its own host, and the identity it gives every other node. */
export interface NodeViews {
  readonly hostOf: Map<string, IdentityId>;
  readonly remoteOf: Map<string, IdentityId>;
  readonly hostLabels: Map<IdentityId, LabelSet>;
}

export class IdentityTable {
  private readonly ids: readonly IdentityId[];
  /** `ids` and the host views: what selectors are evaluated against. */
  private readonly selectable: readonly IdentityId[];
  private readonly selections = new Map<string, { readonly list: readonly IdentityId[]; readonly withViews: readonly IdentityId[]; readonly set: ReadonlySet<IdentityId> }>();

  /** @internal use {@link buildIdentityTable}. */
  constructor(
    /** Cilium cluster name (`io.cilium.k8s.policy.cluster`). */
    readonly clusterName: string,
    /** The node whose view this is. */
    readonly localNode: string,
    private readonly labels: ReadonlyMap<IdentityId, LabelSet>,
    private readonly idOfPod: ReadonlyMap<Pod, IdentityId>,
    private readonly pods: ReadonlyMap<IdentityId, readonly Pod[]>,
    /** The IP → identity table. */
    readonly ipcache: IpCache,
    private readonly views: NodeViews = { hostOf: new Map(), remoteOf: new Map(), hostLabels: new Map() },
  ) {
    this.ids = Object.freeze([...labels.keys()].sort((a, b) => a - b));
    this.selectable = Object.freeze([...this.ids, ...views.hostLabels.keys()]);
  }

  /** The host identity as node `node` sees itself (its labels, kube-apiserver where the apiserver runs); 1 for a node the cluster lacks. */
  hostOf(node: string): IdentityId {
    return this.views.hostOf.get(node) ?? Reserved.host;
  }

  /** The identity every other node gives node `node`: remote-node, kube-apiserver, or its own with policy-cidr-match-mode=nodes. */
  remoteOf(node: string): IdentityId {
    return this.views.remoteOf.get(node) ?? Reserved.remoteNode;
  }

  /** Every node's view of its host (allow-localhost admits the host of the endpoint's own node, whichever it is). */
  hostViews(): readonly IdentityId[] {
    return [...this.views.hostLabels.keys()];
  }

  /** Identity of a peer IP (longest referenced prefix, else world); `undefined` when `ip` is not an IP address. */
  identityOf(ip: string): IdentityId | undefined {
    const parsed = parseIp(ip);
    return parsed ? this.ipcache.lookup(parsed) : undefined;
  }

  /** Identity of an already parsed address. */
  identityOfAddress(ip: IpAddress): IdentityId {
    return this.ipcache.lookup(ip);
  }

  /** Identity of a pod (by namespace and name); hostNetwork pods have their node's. */
  /**
   * {@link identityOfPod} for a pod object of this cluster that is the one
   * its name finds (the engine checks that first): found by the object, with
   * no name to build and hash.
   */
  identityOfClusterPod(pod: Pod): IdentityId | undefined {
    return this.idOfPod.get(pod) ?? this.identityOfPod(pod);
  }

  identityOfPod(pod: Pick<Pod, 'namespace' | 'name'>): IdentityId | undefined {
    if (!this.podIds) {
      // Built on the first question (the engine asks once per pod end), not with the table.
      this.podIds = new Map();
      for (const [p, id] of this.idOfPod) this.podIds.set(podKey(p.namespace, p.name), id);
    }
    return this.podIds.get(podKey(pod.namespace, pod.name));
  }

  /** Identities by `ns/name` (a later pod of the same name wins, as in the cluster's own index). */
  private podIds: Map<string, IdentityId> | undefined;

  /** Labels of an identity, `undefined` for an identity this table does not have. */
  labelsOf(id: IdentityId): LabelSet | undefined {
    return this.labels.get(id) ?? this.views.hostLabels.get(id);
  }

  /** Pods with this identity, in cluster order (hostNetwork pods under host / remote-node / kube-apiserver). */
  podsOf(id: IdentityId): readonly Pod[] {
    return this.pods.get(id) ?? [];
  }

  /** Every identity: reserved (1–8, and 9–10 in dual-stack), cluster, local; ascending. */
  allIdentities(): readonly IdentityId[] {
    return this.ids;
  }

  /** `host`, `world`, … for reserved identities, `ID:<n>` otherwise (Hubble's notation). */
  nameOf(id: IdentityId): string {
    return reservedName(id) ?? `ID:${id}`;
  }

  /** Identities the selector selects, ascending. Evaluated once per distinct selector. */
  select(selector: EndpointSelector): readonly IdentityId[] {
    return this.selection(selector).list;
  }

  /** {@link select} plus the nodes' views of the host it selects: the peers a policy entry names. */
  selectWithViews(selector: EndpointSelector): readonly IdentityId[] {
    return this.selection(selector).withViews;
  }

  /** True when the selector selects the identity (cached like {@link select}). */
  selects(selector: EndpointSelector, id: IdentityId): boolean {
    return this.selection(selector).set.has(id);
  }

  /** Identities any of the selectors selects (e.g. an entity's list), ascending. */
  selectAny(selectors: readonly EndpointSelector[]): readonly IdentityId[] {
    if (selectors.length === 1) return this.select(selectors[0]!);
    const out = new Set<IdentityId>();
    for (const s of selectors) for (const id of this.select(s)) out.add(id);
    return Object.freeze([...out].sort((a, b) => a - b));
  }

  /**
   * Identities by the value of their label with a key (any source), per key
   * a selector asks about (selectors name a handful of keys; indexing every
   * label of every identity up front costs more than the selections).
   */
  private readonly byKeyValue = new Map<string, Map<string, IdentityId[]>>();

  /** Identities having a label `key` = `value` (any source), ascending: candidates for a matchLabels term. */
  private withLabel(key: string, value: string): readonly IdentityId[] {
    let byValue = this.byKeyValue.get(key);
    if (!byValue) {
      byValue = new Map();
      const ids = this.selectable;
      for (let i = 0; i < ids.length; i++) {
        const l = this.labelsOf(ids[i]!)!.find(key);
        if (!l) continue;
        const list = byValue.get(l.value);
        if (list) list.push(ids[i]!);
        else byValue.set(l.value, [ids[i]!]);
      }
      this.byKeyValue.set(key, byValue);
    }
    return byValue.get(value) ?? NO_IDS;
  }

  private candidates(selector: EndpointSelector): readonly IdentityId[] {
    const prefixes = selector.requiredPrefixes();
    const terms = selector.matchLabels;
    if (terms.length === 0 && prefixes.length === 0) return this.selectable;
    let best: readonly IdentityId[] = this.selectable;
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i]!;
      // cidr: keys match by prefix, not by equality: the prefix index below narrows those.
      if (t.source === 'cidr') continue;
      const list = this.withLabel(t.key, t.value);
      if (list.length < best.length) best = list;
    }
    for (const p of prefixes) {
      const list = [...new Set(this.cidrIndex().within(p))].sort((a, b) => a - b);
      if (list.length < best.length) best = list;
    }
    return best;
  }

  /** Identities by the prefixes of their `cidr:` labels, built on first use. */
  private prefixIndex: PrefixIndex<IdentityId> | undefined;

  private cidrIndex(): PrefixIndex<IdentityId> {
    return (this.prefixIndex ??= new PrefixIndex(
      this.selectable.flatMap((id) => this.labelsOf(id)!.cidrPrefixes().map((prefix) => ({ prefix, item: id }))),
    ));
  }

  private selection(selector: EndpointSelector) {
    let hit = this.selections.get(selector.canonical);
    if (!hit) {
      const candidates = this.candidates(selector);
      const selected: IdentityId[] = [];
      for (let i = 0; i < candidates.length; i++) if (selector.matches(this.labelsOf(candidates[i]!)!)) selected.push(candidates[i]!);
      const withViews = Object.freeze(selected);
      const list = this.views.hostLabels.size ? Object.freeze(withViews.filter((id) => this.labels.has(id))) : withViews;
      hit = { list, withViews, set: new Set(withViews) };
      this.selections.set(selector.canonical, hit);
    }
    return hit;
  }
}

/** Equal label maps (the order keys were written in does not matter: identity labels are sorted by key). */
function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  if (a === b) return true; // replicas of a Deployment share one labels object (model/build.ts)
  for (const k in a) if (a[k] !== b[k] || !Object.hasOwn(b, k)) return false;
  for (const k in b) if (!Object.hasOwn(a, k)) return false;
  return true;
}

/** Pods whose identity labels are equal by construction: same namespace, service account and labels. */
interface PodClass {
  readonly labels: LabelSet;
  id: IdentityId | undefined;
}

/**
 * An exact key of what a pod's identity labels are made from: namespace,
 * service account and labels in their written order (replicas of one
 * template write them alike; two orders of one map just make two classes
 * with equal labels, hence one identity). JSON keeps every text apart from
 * the separators and is written natively (10,000 pods, ~8 labels each).
 */
function podClassKey(pod: Pod): string {
  return JSON.stringify([pod.namespace, pod.serviceAccount, pod.labels]);
}
