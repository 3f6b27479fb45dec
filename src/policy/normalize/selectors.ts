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
 * - a CCNP peer without a namespace key gets `k8s:io.kubernetes.pod.namespace Exists`;
 * - fromNodes/toNodes get `reserved:remote-node Exists`.
 */
import { EndpointSelector } from '../../identity/selector.js';
import type { LabelSelectorSpec } from '../schema/selector.js';

export const NS_KEY = 'io.kubernetes.pod.namespace';
const NS_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';

function keysOf(sel: LabelSelectorSpec): string[] {
  return [...Object.keys(sel.matchLabels ?? {}), ...(sel.matchExpressions ?? []).map((e) => e.key)];
}

const isNsKey = (k: string) => k === NS_KEY || k === `k8s:${NS_KEY}` || k === `any:${NS_KEY}`;
const stripSource = (k: string) => (k.startsWith('k8s:') || k.startsWith('any:') ? k.slice(4) : k);

/** Subject of a CNP rule: the selector plus its namespace. */
export function cnpSubject(sel: LabelSelectorSpec, namespace: string): EndpointSelector {
  const matchLabels = { ...(sel.matchLabels ?? {}) };
  delete matchLabels[`k8s:${NS_KEY}`];
  matchLabels[`k8s:${NS_KEY}`] = namespace;
  return EndpointSelector.fromK8s({ matchLabels, ...(sel.matchExpressions ? { matchExpressions: sel.matchExpressions } : {}) });
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
  const base = EndpointSelector.fromK8s(sel);
  const keys = keysOf(sel);
  if (allowReserved && keys.some((k) => k.startsWith('reserved:') || k.startsWith('reserved.') || k.startsWith('$'))) return base;
  if (keys.some(isNsKey)) return base;
  if (keys.some((k) => stripSource(k).startsWith(NS_LABELS_PREFIX))) return base;
  if (namespace !== undefined) return base.withTerm({ kind: 'match', key: `k8s:${NS_KEY}`, value: namespace });
  if (subjectSelectsInit) return base;
  return base.withTerm({ kind: 'expression', key: `k8s:${NS_KEY}`, operator: 'Exists' });
}

/** fromNodes/toNodes: only remote nodes can match. */
export function nodePeerSelector(sel: LabelSelectorSpec): EndpointSelector {
  return EndpointSelector.fromK8s(sel).withTerm({ kind: 'expression', key: 'reserved:remote-node', operator: 'Exists' });
}

/** A short text of a selector for explanations: `tier=backend`, `{}` for all. */
export function selectorText(sel: LabelSelectorSpec): string {
  const parts = [
    ...Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(sel.matchExpressions ?? []).map((e) => `${e.key} ${e.operator}${e.values?.length ? ` (${e.values.join(',')})` : ''}`),
  ];
  return parts.length ? parts.join(',') : '{}';
}
