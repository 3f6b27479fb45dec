/**
 * @module identity/selector-validation
 *
 * Kubernetes label-selector syntax checks as Cilium runs them on every
 * EndpointSelector (`pkg/policy/api/selector.go: Sanitize` →
 * `ValidateLabelSelector` with `AllowInvalidLabelValueInSelector: false`).
 * A failure makes Cilium reject the whole policy with
 * `invalid label selector: <aggregate>` (semantics.md §1.2). Problems are
 * returned as data, never thrown; the policy validator turns them into
 * diagnostics.
 *
 * Cilium validates the selector **after** key normalisation, i.e. on the
 * extended key `source.key` (`app` → `any.app`, `k8s:app` → `k8s.app`):
 * in 1.16–1.18 `EndpointSelector.UnmarshalJSON` rewrites the keys before
 * `sanitize()` validates them (code reading of `pkg/policy/api/selector.go`).
 * Messages therefore name the extended key, and the 63-character name limit
 * counts the `any.` prefix.
 */

/** One problem with a selector: a field path relative to the selector and a k8s-style message. */
export interface SelectorProblem {
  /** e.g. `matchLabels`, `matchExpressions[0].values`. */
  readonly path: string;
  /** e.g. `Required value: must be specified when \`operator\` is 'In' or 'NotIn'`. */
  readonly message: string;
}

/** A k8s `metav1.LabelSelector` as parsed from YAML, before any Cilium processing. */
export interface K8sLabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly K8sLabelSelectorRequirement[];
}

/** One `matchExpressions` entry as written. */
export interface K8sLabelSelectorRequirement {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[];
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const QN_REGEX_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const DNS_REGEX_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const VALUE_REGEX_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

/**
 * Problems with a label key (k8s `IsQualifiedName`): optional DNS-1123
 * subdomain prefix (≤253) and `/`, then a name of ≤63 characters.
 * Empty array when valid.
 */
export function labelKeyProblems(key: string): string[] {
  const errs: string[] = [];
  const parts = key.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else {
      if (prefix.length > 253) errs.push('prefix part must be no more than 253 characters');
      if (!DNS1123_SUBDOMAIN.test(prefix)) errs.push(`prefix part ${DNS_REGEX_MSG}`);
    }
  } else {
    return [`a qualified name ${QN_REGEX_MSG} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (!QUALIFIED_NAME.test(name)) errs.push(`name part ${QN_REGEX_MSG}`);
  return errs;
}

/** Problems with a label value (k8s `IsValidLabelValue`). Empty array when valid. */
export function labelValueProblems(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!LABEL_VALUE.test(value)) errs.push(VALUE_REGEX_MSG);
  return errs;
}

/**
 * Cilium's extended key for a selector key as written (`GetExtendedKeyFrom`):
 * `k8s:app` → `k8s.app`, `app` → `any.app`, `$host` → `reserved.host`; an
 * `=value` suffix is dropped.
 */
export function extendedKey(source: string, key: string): string {
  return `${source}.${key}`;
}

/**
 * {@link labelKeyProblems} and {@link labelValueProblems} memoised (bounded):
 * policies repeat the same few keys and values, each checked by regexes.
 */
const keyChecks = new Map<string, readonly string[]>();
const valueChecks = new Map<string, readonly string[]>();

function checked(cache: Map<string, readonly string[]>, text: string, check: (t: string) => string[]): readonly string[] {
  // A value that is not a string (bad input) is checked afresh, never remembered.
  if (typeof text !== 'string') return check(text);
  let hit = cache.get(text);
  if (!hit) {
    if (cache.size >= 16384) cache.clear();
    cache.set(text, (hit = Object.freeze(check(text))));
  }
  return hit;
}

/** {@link labelKeyProblems}, remembered for the key. */
export const keyProblems = (k: string) => checked(keyChecks, k, labelKeyProblems);
/** {@link labelValueProblems}, remembered for the value. */
export const valueProblems = (v: string) => checked(valueChecks, v, labelValueProblems);

const invalid = (v: string, msg: string) => `Invalid value: ${JSON.stringify(v)}: ${msg}`;

/**
 * All problems k8s `ValidateLabelSelector` reports for a selector whose keys
 * have already been normalised to `source.key` form (see module doc).
 * `keyOf` maps a key as written to its extended key.
 */
export function labelSelectorProblems(sel: K8sLabelSelector, keyOf: (written: string) => string): SelectorProblem[] {
  const out: SelectorProblem[] = [];
  (sel.matchExpressions ?? []).forEach((expr, i) => {
    const at = `matchExpressions[${i}]`;
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) out.push({ path: `${at}.values`, message: "Required value: must be specified when `operator` is 'In' or 'NotIn'" });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) out.push({ path: `${at}.values`, message: "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'" });
        break;
      default:
        out.push({ path: `${at}.operator`, message: invalid(expr.operator, 'not a valid selector operator') });
    }
    const k = keyOf(expr.key);
    for (const msg of keyProblems(k)) out.push({ path: `${at}.key`, message: invalid(k, msg) });
    values.forEach((v, j) => {
      for (const msg of valueProblems(v)) out.push({ path: `${at}.values[${j}]`, message: invalid(v, msg) });
    });
  });
  for (const [written, v] of Object.entries(sel.matchLabels ?? {})) {
    const k = keyOf(written);
    for (const msg of keyProblems(k)) out.push({ path: 'matchLabels', message: invalid(k, msg) });
    for (const msg of valueProblems(v)) out.push({ path: 'matchLabels', message: invalid(v, msg) });
  }
  return out;
}
