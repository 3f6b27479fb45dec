/**
 * @module policy/validate/labels
 *
 * Reports label-selector problems at their field. The rules themselves
 * (Kubernetes' key and value syntax, checked by Cilium on the extended key
 * `source.key`) live in `identity/selector-validation.ts`; this module only
 * places each problem in the user's file with a plain hint.
 */
import type { FieldPath } from '../../manifest/object.js';
import { keyProblems, valueProblems } from '../../identity/selector-validation.js';
import { normaliseSelectorKey } from '../../identity/selector.js';
import type { LabelSelectorSpec } from '../schema/selector.js';
import type { Reporter } from './reporter.js';

const KEY_HINT = 'a label key is an optional DNS prefix and "/", then up to 63 letters, digits, "-", "_" or "." starting and ending with a letter or digit, e.g. app.kubernetes.io/name';
const VALUE_HINT = 'a label value is empty or up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit; quote values such as "true" or "8080"';

/**
 * Validates a label selector at `path`. `cilium`: Cilium selectors accept
 * `k8s:`/`reserved:` source prefixes and are checked on their extended key;
 * Kubernetes NetworkPolicy selectors are checked as written.
 */
export function checkSelector(r: Reporter, sel: LabelSelectorSpec | undefined, path: FieldPath, cilium: boolean): void {
  if (!sel) return;
  // Paths are written out only for a problem: nearly every selector has none.
  const checkKey = (written: string, at: () => FieldPath, where: 'key' | 'value') => {
    const problem = keyProblem(written, cilium);
    if (problem) r.error(at(), 'invalid-label-key', `label key "${written}" is invalid: ${problem}`, KEY_HINT, where);
  };
  const checkValue = (v: string, at: () => FieldPath) => {
    const problem = valueProblems(v)[0];
    if (problem) r.error(at(), 'invalid-label-value', `label value "${v}" is invalid: ${problem}`, VALUE_HINT);
  };
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    const at = () => [...path, 'matchLabels', k];
    checkKey(k, at, 'key');
    checkValue(v, at);
  }
  (sel.matchExpressions ?? []).forEach((e, i) => {
    const p = [...path, 'matchExpressions', i];
    checkKey(e.key, () => [...p, 'key'], 'value');
    const values = e.values ?? [];
    if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0) {
      r.error([...p, 'values'], 'selector-values-required', `operator ${e.operator} needs at least one value`, 'list the values, e.g. values: ["web"]; to test only that the key is present use operator: Exists');
    }
    if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values.length > 0) {
      r.error([...p, 'values'], 'selector-values-forbidden', `operator ${e.operator} takes no values`, 'remove "values", or use In / NotIn to compare values');
    }
    values.forEach((v, j) => checkValue(v, () => [...p, 'values', j]));
  });
}

function keyProblem(written: string, cilium: boolean): string | undefined {
  if (!cilium) return keyProblems(written)[0];
  const n = normaliseSelectorKey(written);
  return n.source === 'cidr' || n.source === 'fqdn' ? undefined : keyProblems(`${n.source}.${n.key}`)[0];
}
