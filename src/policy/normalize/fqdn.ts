/**
 * @module policy/normalize/fqdn
 *
 * DNS name matching as Cilium does it for `toFQDNs` and DNS rules
 * (`pkg/fqdn/matchpattern/matchpattern.go: ToAnchoredRegexp`): names and
 * patterns are lower-cased and get a trailing dot; `*` matches zero or more
 * DNS characters but never a dot; a pattern that is `*` alone matches every
 * name (`*.` does not: it is a single label). Matching
 * uses RE2, so a hostile pattern cannot make it slow.
 */
import { compileRe2, fullMatch } from '../../util/re2.js';

/** `Example.COM` → `example.com.` */
export function toFqdn(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/**
 * A matcher for a `matchName` or a `matchPattern`; undefined when the pattern
 * cannot compile. A valid selector sets exactly one of them (the CRD's oneOf,
 * validate/fqdn.ts), and only valid policies are normalised.
 */
export function fqdnMatcher(sel: { matchName?: string; matchPattern?: string }): ((fqdn: string) => boolean) | undefined {
  if (sel.matchName) return nameMatcher(sel.matchName);
  return sel.matchPattern ? patternMatcher(sel.matchPattern) : undefined;
}

function nameMatcher(name: string): (fqdn: string) => boolean {
  const want = toFqdn(name);
  return (fqdn) => toFqdn(fqdn) === want;
}

function patternMatcher(pattern: string): ((fqdn: string) => boolean) | undefined {
  // Only a pattern that is exactly "*" matches every name: "*." is one label, `[-a-zA-Z0-9_]*[.]`
  // (1.18 matchpattern.go Sanitize and ToAnchoredRegexp test `pattern == "*"` before and after the
  // trailing dot is added; matchpattern_test.go TestMatchPatternSanitize keeps "*." as "*.").
  const trimmed = pattern.trim();
  const source = trimmed === '*'
    ? '(([-a-zA-Z0-9_]+[.])+|[.])'
    : toFqdn(trimmed).split('*').map((lit) => lit.replace(/\./g, '[.]')).join('[-a-zA-Z0-9_]*');
  const re = compileRe2(source);
  if (!re.ok) return undefined;
  return (fqdn) => fullMatch(re.re, toFqdn(fqdn));
}

/** The selector as text, used for its `fqdn:` label and in explanations. */
export function fqdnSelectorText(sel: { matchName?: string; matchPattern?: string }): string {
  return sel.matchName ? `matchName=${sel.matchName.toLowerCase()}` : `matchPattern=${(sel.matchPattern ?? '').toLowerCase()}`;
}
