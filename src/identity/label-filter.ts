/**
 * @module identity/label-filter
 *
 * Which labels of a pod make up its security identity. First the pod's labels
 * are sanitized and extended with the namespace, namespace labels, service
 * account and cluster name (`pkg/k8s/utils/utils.go: SanitizePodLabels`),
 * then the identity label filter drops labels that are not
 * security-relevant (`pkg/labelsfilter/filter.go: defaultLabelPrefixCfg`,
 * semantics.md §2.6 and §3.3). Two pods whose filtered label sets are equal
 * share one identity.
 */
import type { Labels, Namespace, Pod } from '../model/types.js';
import { LabelSet, LabelSource, type Label } from './labels.js';

/** One prefix rule of the filter: a regex that must match at the start of the key. */
interface LabelPrefix {
  /** Text as in Cilium's list, `!` for an exclude. */
  readonly text: string;
  /** Only labels of this source; `undefined` = any source. */
  readonly source?: string;
  readonly ignore: boolean;
  /** The regex, anchored at the start (Cilium requires `FindStringIndex()[0] == 0`). */
  readonly expr: RegExp;
}

function prefix(text: string): LabelPrefix {
  // parseLabelPrefix: split the source at the first ':', then a leading '!' inverts.
  const colon = text.indexOf(':');
  const source = colon >= 0 ? text.slice(0, colon) : undefined;
  let body = colon >= 0 ? text.slice(colon + 1) : text;
  const ignore = body.startsWith('!');
  if (ignore) body = body.slice(1);
  return { text, ignore, expr: new RegExp(`^(?:${body})`), ...(source !== undefined ? { source } : {}) };
}

/**
 * Cilium's default identity-relevant label list (1.18; semantics.md §3.3).
 * Texts are the Go regexes (`regexp.QuoteMeta` already applied). A pattern
 * without a source applies to labels of every source.
 */
export const DEFAULT_LABEL_PREFIXES: readonly string[] = [
  'reserved:.*',
  'io\\.kubernetes\\.pod\\.namespace',
  'io\\.cilium\\.k8s\\.namespace\\.labels',
  'app\\.kubernetes\\.io',
  'io\\.cilium\\.k8s\\.policy\\.cluster',
  'io\\.cilium\\.k8s\\.policy\\.serviceaccount',
  '!io\\.kubernetes',
  '!kubernetes\\.io',
  '!statefulset\\.kubernetes\\.io/pod-name',
  '!apps\\.kubernetes\\.io/pod-index',
  '!batch\\.kubernetes\\.io/job-completion-index',
  '!batch\\.kubernetes\\.io/controller-uid',
  '!.*beta\\.kubernetes\\.io',
  '!k8s\\.io',
  '!pod-template-generation',
  '!pod-template-hash',
  '!controller-revision-hash',
  '!controller-uid',
  '!annotation.*',
  '!etcd_node',
];

const DEFAULT_PREFIXES: readonly LabelPrefix[] = DEFAULT_LABEL_PREFIXES.map(prefix);

/**
 * True when the default filter keeps the label (`labelPrefixCfg.filterLabels`
 * with the default config, which has no whitelist mode): kept if no exclude
 * matches, or if the longest matching include is longer than the shortest
 * matching exclude — so `io.kubernetes.pod.namespace` (include, 27 chars)
 * survives `!io\.kubernetes` (13 chars).
 */
export function isIdentityRelevant(l: Label): boolean {
  // The verdict depends only on source and key, and keys repeat across pods:
  // memoise (bounded) instead of running ~20 regexes per label.
  let bySource = relevance.get(l.source);
  if (!bySource) relevance.set(l.source, (bySource = new Map()));
  const hit = bySource.get(l.key);
  if (hit !== undefined) return hit;
  if (++relevanceSize > 65536) {
    relevance.clear();
    relevance.set(l.source, bySource = new Map());
    relevanceSize = 1;
  }
  const verdict = computeRelevance(l);
  bySource.set(l.key, verdict);
  return verdict;
}

/** Verdicts by source, then key. */
const relevance = new Map<string, Map<string, boolean>>();
let relevanceSize = 0;

function computeRelevance(l: Label): boolean {
  let included = 0;
  let ignored = 0;
  for (const p of DEFAULT_PREFIXES) {
    if (p.source !== undefined && p.source !== l.source) continue;
    const m = p.expr.exec(l.key);
    if (!m) continue;
    const len = m[0].length;
    if (p.ignore) {
      if (ignored === 0 || len < ignored) ignored = len;
    } else if (len > included) {
      included = len;
    }
  }
  return ignored === 0 || included > ignored;
}

/** Splits labels into identity-relevant ones and the rest (Cilium `labelsfilter.Filter`). */
export function filterIdentityLabels(labels: readonly Label[]): { identity: Label[]; information: Label[] } {
  const identity: Label[] = [];
  const information: Label[] = [];
  for (const l of labels) (isIdentityRelevant(l) ? identity : information).push(l);
  return { identity, information };
}

/** Cilium-owned label keys (`pkg/k8s/apis/cilium.io/const.go`). */
export const K8sLabel = {
  podNamespace: 'io.kubernetes.pod.namespace',
  namespaceLabelsPrefix: 'io.cilium.k8s.namespace.labels.',
  serviceAccount: 'io.cilium.k8s.policy.serviceaccount',
  cluster: 'io.cilium.k8s.policy.cluster',
  /** `k8sconst.LabelPrefix`: user pod labels with this prefix are dropped in 1.18+. */
  ciliumPrefix: 'io.cilium.k8s',
} as const;

/** Options of {@link podIdentityLabels}. */
export interface PodLabelOptions {
  /**
   * Drop user pod labels starting with `io.cilium.k8s` before adding Cilium's
   * own (1.18+ `filterPodLabels`). Default `true`; set `false` to emulate
   * 1.16/1.17, where such labels survive unless Cilium overwrites them.
   */
  readonly stripCiliumPrefixedLabels?: boolean;
}

/**
 * The k8s-source labels of a pod's identity (semantics.md §2.6): the pod's
 * labels, `io.kubernetes.pod.namespace`, `io.cilium.k8s.namespace.labels.<k>`
 * for every namespace label, the service account (if set) and the cluster
 * name, all with source `k8s`, then passed through the identity label filter.
 */
export function podIdentityLabels(pod: Pod, namespace: Pick<Namespace, 'name' | 'labels'>, clusterName: string, options: PodLabelOptions = {}): LabelSet {
  // filterIdentityLabels(sanitizedPodLabels(…)).identity into a set, in one pass: identities are
  // derived for every distinct label set of a cluster (thousands), so no intermediate lists.
  const strip = options.stripCiliumPrefixedLabels ?? true;
  const byKey = new Map<string, Label>();
  const podLabels = pod.labels;
  for (const key in podLabels) {
    if (strip && key.startsWith(K8sLabel.ciliumPrefix)) continue;
    if (ciliumWrites(key, namespace.labels)) continue;
    const l: Label = { source: LabelSource.k8s, key, value: podLabels[key]! };
    if (isIdentityRelevant(l)) byKey.set(key, l);
  }
  const ns = namespacePart(namespace, clusterName);
  for (let i = 0; i < ns.length; i++) if (isIdentityRelevant(ns[i]!)) byKey.set(ns[i]!.key, ns[i]!);
  if (pod.serviceAccount !== '') {
    const l: Label = { source: LabelSource.k8s, key: K8sLabel.serviceAccount, value: pod.serviceAccount };
    if (isIdentityRelevant(l)) byKey.set(l.key, l);
  }
  return LabelSet.ofMap(byKey);
}

/** `SanitizePodLabels` as Cilium labels of source `k8s` (before filtering). */
export function sanitizedPodLabels(
  podLabels: Labels,
  namespace: Pick<Namespace, 'name' | 'labels'>,
  serviceAccount: string,
  clusterName: string,
  options: PodLabelOptions = {},
): Label[] {
  const strip = options.stripCiliumPrefixedLabels ?? true;
  const out: Label[] = [];
  for (const key in podLabels) {
    if (strip && key.startsWith(K8sLabel.ciliumPrefix)) continue;
    if (ciliumWrites(key, namespace.labels)) continue; // Cilium's own value replaces the user's
    out.push({ source: LabelSource.k8s, key, value: podLabels[key]! });
  }
  out.push(...namespacePart(namespace, clusterName));
  if (serviceAccount !== '') out.push({ source: LabelSource.k8s, key: K8sLabel.serviceAccount, value: serviceAccount });
  return out;
}

/** True for the keys SanitizePodLabels sets (or, for the service account, deletes). */
function ciliumWrites(key: string, nsLabels: Labels): boolean {
  if (key === K8sLabel.podNamespace || key === K8sLabel.cluster || key === K8sLabel.serviceAccount) return true;
  return key.startsWith(K8sLabel.namespaceLabelsPrefix) && Object.hasOwn(nsLabels, key.slice(K8sLabel.namespaceLabelsPrefix.length));
}

/**
 * The labels every pod of a namespace shares (namespace labels, namespace
 * name, cluster). Memoised per namespace object: a cluster has few
 * namespaces and many pods.
 */
function namespacePart(namespace: Pick<Namespace, 'name' | 'labels'>, clusterName: string): readonly Label[] {
  const hit = nsParts.get(namespace);
  if (hit && hit.clusterName === clusterName) return hit.labels;
  const labels: Label[] = Object.entries(namespace.labels).map(([k, value]) => ({ source: LabelSource.k8s, key: K8sLabel.namespaceLabelsPrefix + k, value }));
  labels.push({ source: LabelSource.k8s, key: K8sLabel.podNamespace, value: namespace.name });
  labels.push({ source: LabelSource.k8s, key: K8sLabel.cluster, value: clusterName });
  nsParts.set(namespace, { clusterName, labels });
  return labels;
}

const nsParts = new WeakMap<object, { readonly clusterName: string; readonly labels: readonly Label[] }>();
