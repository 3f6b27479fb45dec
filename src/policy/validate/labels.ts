/**
 * @module policy/validate/labels
 *
 * Syntax of label keys, values and selectors, as Kubernetes validates them
 * (`apimachinery/pkg/util/validation`: qualified names and label values) and
 * as Cilium reads selector keys (an optional `source:` prefix such as `k8s:`
 * or `reserved:` before the Kubernetes key).
 */
import type { FieldPath } from '../../manifest/object.js';
import type { LabelSelectorSpec } from '../schema/selector.js';
import type { Reporter } from './reporter.js';

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why a label key is invalid, or undefined when it is valid. `prefix/name`, name ≤ 63, prefix a DNS subdomain ≤ 253. */
export function labelKeyProblem(key: string): string | undefined {
  if (key === '') return 'a label key must not be empty';
  const slash = key.lastIndexOf('/');
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  if (prefix !== undefined) {
    if (prefix === '' || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)) {
      return `the prefix "${prefix}" of label key "${key}" must be a lower-case DNS subdomain such as example.com`;
    }
  }
  if (name.length === 0 || name.length > 63) return `the name part of label key "${key}" must be 1 to 63 characters`;
  if (!NAME.test(name)) return `label key "${key}" may contain only letters, digits, "-", "_" and ".", and must start and end with a letter or digit`;
  return undefined;
}

/** Why a label value is invalid, or undefined. Empty is allowed; otherwise ≤ 63 chars of the name alphabet. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63) return `label value "${value.slice(0, 20)}…" is longer than 63 characters`;
  if (!NAME.test(value)) return `label value "${value}" may contain only letters, digits, "-", "_" and ".", and must start and end with a letter or digit`;
  return undefined;
}

/** Cilium label sources a selector key may start with (`pkg/labels`). */
const SOURCES = new Set(['k8s', 'reserved', 'any', 'unspec', 'cidr', 'fqdn', 'cidrgroup', 'container', 'node', 'k8s-namespace', 'kvstore', 'etcd', 'cilium-generated', 'directory', 'mesos', 'kvstore']);

/** Checks a selector key that may carry a Cilium source prefix. */
function selectorKeyProblem(key: string, allowSource: boolean): string | undefined {
  const colon = key.indexOf(':');
  if (colon >= 0 && allowSource) {
    const source = key.slice(0, colon);
    const rest = key.slice(colon + 1);
    if (!SOURCES.has(source)) return `unknown label source "${source}" in key "${key}" (known: k8s, reserved, any, cidr, fqdn)`;
    if (source === 'cidr' || source === 'fqdn') return undefined;
    return labelKeyProblem(rest);
  }
  return labelKeyProblem(key);
}

/**
 * Validates a label selector at `path`. `allowSource`: Cilium selectors accept
 * `k8s:`/`reserved:` prefixes; Kubernetes NetworkPolicy selectors do not.
 */
export function checkSelector(r: Reporter, sel: LabelSelectorSpec | undefined, path: FieldPath, allowSource: boolean): void {
  if (!sel) return;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    const kp = selectorKeyProblem(k, allowSource);
    if (kp) r.error([...path, 'matchLabels', k], 'invalid-label-key', kp, undefined, 'key');
    const vp = labelValueProblem(v);
    if (vp) r.error([...path, 'matchLabels', k], 'invalid-label-value', vp);
  }
  (sel.matchExpressions ?? []).forEach((e, i) => {
    const p = [...path, 'matchExpressions', i];
    const kp = selectorKeyProblem(e.key, allowSource);
    if (kp) r.error([...p, 'key'], 'invalid-label-key', kp);
    const values = e.values ?? [];
    if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0) {
      r.error([...p, 'values'], 'selector-values-required', `operator ${e.operator} needs at least one value`, 'list the values, e.g. values: ["web"]; to test only that the key is present use operator: Exists');
    }
    if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values.length > 0) {
      r.error([...p, 'values'], 'selector-values-forbidden', `operator ${e.operator} takes no values`, 'remove "values", or use In / NotIn to compare values');
    }
    values.forEach((v, j) => {
      const vp = labelValueProblem(v);
      if (vp) r.error([...p, 'values', j], 'invalid-label-value', vp);
    });
  });
}
