/**
 * @module policy/normalize/selectors
 *
 * Selectors as Cilium's agent rewrites them before resolving policy
 * (`pkg/k8s/apis/cilium.io/utils/utils.go: ParseToCiliumRule,
 * getEndpointSelector`; semantics.md §2.2–2.4):
 * - a CNP subject gets `k8s:io.kubernetes.pod.namespace=<ns>` (overwriting a
 *   `k8s:`-prefixed one the user wrote);
 * - a CNP peer without a namespace key gets the policy's namespace, unless it
 *   names a reserved label or namespace labels;
 * - a CCNP peer without a namespace key gets `k8s:io.kubernetes.pod.namespace Exists`
 *   (namespace labels or not), unless it names a reserved label or its rule selects `reserved:init`;
 * - fromNodes/toNodes get `reserved:remote-node Exists`.
 */
import { EndpointSelector, normaliseSelectorKey, selectorSpecKey } from '../../identity/selector.js';
import { labelValueProblems } from '../../identity/selector-validation.js';
import type { LabelSelectorSpec } from '../schema/selector.js';

export const NS_KEY = 'io.kubernetes.pod.namespace';
const NS_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';

function keysOf(sel: LabelSelectorSpec): string[] {
  return [...Object.keys(sel.matchLabels ?? {}), ...(sel.matchExpressions ?? []).map((e) => e.key)];
}

const isNsKey = (k: string) => k === NS_KEY || k === `k8s:${NS_KEY}` || k === `any:${NS_KEY}`;
const stripSource = (k: string) => (k.startsWith('k8s:') || k.startsWith('any:') ? k.slice(4) : k);

/**
 * Rewritten selectors by what they were built from (the selector as written,
 * by {@link selectorSpecKey}, and the namespace and flags of the rewrite):
 * a thousand policies write a few hundred distinct selectors, and the
 * result is immutable. Bounded; cleared when full.
 */
const rewritten = new Map<string, EndpointSelector>();
const texts = new Map<string, string>();
const MEMO_LIMIT = 16384;

function memo<T>(cache: Map<string, T>, key: string | undefined, make: () => T): T {
  if (key === undefined) return make();
  let hit = cache.get(key);
  if (hit === undefined) {
    if (cache.size >= MEMO_LIMIT) cache.clear();
    cache.set(key, (hit = make()));
  }
  return hit;
}

/** Whether a selector as written has a term (label or expression, any operator) on `source:key` after key normalisation (Cilium's `HasKey`). */
export function selectorNamesKey(sel: LabelSelectorSpec, source: string, key: string): boolean {
  return keysOf(sel).some((k) => {
    const n = normaliseSelectorKey(k);
    return n.source === source && n.key === key;
  });
}

/** Subject of a CNP rule: the selector plus its namespace. */
export function cnpSubject(sel: LabelSelectorSpec, namespace: string): EndpointSelector {
  const spec = selectorSpecKey(sel);
  return memo(rewritten, spec === undefined ? undefined : `s${namespace.length}:${namespace}${spec}`, () => buildCnpSubject(sel, namespace));
}

function buildCnpSubject(sel: LabelSelectorSpec, namespace: string): EndpointSelector {
  // A valid selector with a valid namespace value: the selector as written (shared by every
  // namespace that writes it) plus the namespace term, which replaces any written `k8s:` namespace
  // key. Equal to the rewrite below, whose validation could then find nothing more.
  const base = EndpointSelector.fromK8s(sel);
  if (base.isValid && validNamespaceValue(namespace)) return base.withTerm({ kind: 'match', key: `k8s:${NS_KEY}`, value: namespace });
  const matchLabels = { ...(sel.matchLabels ?? {}) };
  delete matchLabels[`k8s:${NS_KEY}`];
  matchLabels[`k8s:${NS_KEY}`] = namespace;
  return EndpointSelector.fromK8s({ matchLabels, ...(sel.matchExpressions ? { matchExpressions: sel.matchExpressions } : {}) });
}

const namespaceValueOk = new Map<string, boolean>();

function validNamespaceValue(namespace: string): boolean {
  let ok = namespaceValueOk.get(namespace);
  if (ok === undefined) {
    if (namespaceValueOk.size >= MEMO_LIMIT) namespaceValueOk.clear();
    namespaceValueOk.set(namespace, (ok = labelValueProblems(namespace).length === 0));
  }
  return ok;
}

/** Subject of a CCNP rule (nothing injected) or a host rule. */
export function plainSelector(sel: LabelSelectorSpec): EndpointSelector {
  return EndpointSelector.fromK8s(sel);
}

/**
 * A peer selector of fromEndpoints/toEndpoints/fromRequires/toRequires.
 * `namespace` is the CNP's namespace, or undefined for a CCNP.
 * `allowReserved`: endpoints selectors with a `reserved:` key stay as written.
 */
export function peerSelector(sel: LabelSelectorSpec, namespace: string | undefined, allowReserved: boolean, subjectSelectsInit = false): EndpointSelector {
  const spec = selectorSpecKey(sel);
  const how = `p${allowReserved ? 1 : 0}${subjectSelectsInit ? 1 : 0}${namespace === undefined ? '-' : `${namespace.length}:${namespace}`}`;
  return memo(rewritten, spec === undefined ? undefined : how + spec, () => buildPeerSelector(sel, namespace, allowReserved, subjectSelectsInit));
}

function buildPeerSelector(sel: LabelSelectorSpec, namespace: string | undefined, allowReserved: boolean, subjectSelectsInit: boolean): EndpointSelector {
  const base = EndpointSelector.fromK8s(sel);
  const keys = keysOf(sel);
  if (allowReserved && keys.some((k) => k.startsWith('reserved:') || k.startsWith('reserved.') || k.startsWith('$'))) return base;
  if (keys.some(isNsKey)) return base;
  // Namespace labels stand in for the namespace in a CNP only: getEndpointSelector checks them in
  // its `namespace != ""` branch, so a CCNP peer that names them still gets `Exists` and so still
  // selects pods alone (pkg/k8s/apis/cilium.io/utils/utils.go, blob id 6663530045).
  if (namespace !== undefined) {
    if (keys.some((k) => stripSource(k).startsWith(NS_LABELS_PREFIX))) return base;
    return base.withTerm({ kind: 'match', key: `k8s:${NS_KEY}`, value: namespace });
  }
  if (subjectSelectsInit) return base;
  return base.withTerm({ kind: 'expression', key: `k8s:${NS_KEY}`, operator: 'Exists' });
}

/** fromNodes/toNodes: only remote nodes can match. */
export function nodePeerSelector(sel: LabelSelectorSpec): EndpointSelector {
  return EndpointSelector.fromK8s(sel).withTerm({ kind: 'expression', key: 'reserved:remote-node', operator: 'Exists' });
}

/** A short text of a selector for explanations: `tier=backend`, `{}` for all. */
export function selectorText(sel: LabelSelectorSpec): string {
  return memo(texts, selectorSpecKey(sel), () => buildSelectorText(sel));
}

function buildSelectorText(sel: LabelSelectorSpec): string {
  const parts = [
    ...Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(sel.matchExpressions ?? []).map((e) => `${e.key} ${e.operator}${e.values?.length ? ` (${e.values.join(',')})` : ''}`),
  ];
  return parts.length ? parts.join(',') : '{}';
}
