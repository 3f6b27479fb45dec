/**
 * @module policy/validate/fqdn
 *
 * Checks of DNS name selectors (`toFQDNs`, `rules.dns`): exactly one of
 * matchName / matchPattern, and only the characters Cilium allows
 * (`pkg/policy/api/fqdn.go`, `pkg/fqdn/matchpattern`).
 */
import type { FieldPath } from '../../manifest/object.js';
import type { FqdnSelectorSpec } from '../schema/cilium.js';
import { ciliumRejects, crdRejects, type Reporter } from './reporter.js';

const NAME_CHARS = /^[-a-zA-Z0-9_.]+$/;
const PATTERN_CHARS = /^[-a-zA-Z0-9_.*]+$/;
/**
 * The CRD's patterns (pkg/policy/api/fqdn.go kubebuilder markers, FQDNMatchNameRegexString /
 * FQDNMatchPatternRegexString): labels separated by single dots, an optional final dot. The API
 * server refuses "." alone, a leading dot and an empty label ("a..b") before the agent sees them.
 */
const NAME_SHAPE = /^([-a-zA-Z0-9_]+\.?)+$/;
const PATTERN_SHAPE = /^([-a-zA-Z0-9_*]+\.?)+$/;

/** `where` is the field the selector sits in (`toFQDNs` or a DNS rule), for the messages: both are FQDNSelectors. */
export function checkFqdnSelector(r: Reporter, sel: FqdnSelectorSpec, path: FieldPath, where: 'toFQDNs' | 'dns'): void {
  // FQDNSelector's matchName and matchPattern each carry +kubebuilder:validation:OneOf (pkg/policy/api/fqdn.go,
  // read in cilium 1.17 and 1.18.0-pre.3 as vendored by cilium-cli 7a84943d4 / 6e65fa094): the CRD renders them as
  // `oneOf: [{required: [matchName]}, {required: [matchPattern]}]` on toFQDNs items and on rules.dns items alike
  // (PortRuleDNS is `type PortRuleDNS FQDNSelector`), so exactly one must be written (cilium/cilium#32814).
  const oneOf = 'exactly one of matchName and matchPattern: its oneOf';
  if (sel.matchName !== undefined && sel.matchPattern !== undefined) {
    r.error(path, 'fqdn-name-and-pattern', `a ${where === 'dns' ? 'DNS rule' : 'DNS selector'} may set matchName or matchPattern, not both`,
      crdRejects(oneOf, `split it into two ${where === 'dns' ? 'DNS rules' : 'selectors'}`));
  }
  if (sel.matchName === undefined && sel.matchPattern === undefined) {
    r.error(path, 'fqdn-empty', `this ${where === 'dns' ? 'DNS rule' : 'selector'} sets neither matchName nor matchPattern`,
      crdRejects(oneOf, 'write matchName: example.com, or matchPattern: "*.example.com"'));
  }
  if (sel.matchName !== undefined && !NAME_CHARS.test(sel.matchName)) {
    r.error([...path, 'matchName'], 'invalid-fqdn', `matchName "${sel.matchName}" may contain only letters, digits, "-", "_" and "."`,
      sel.matchName.includes('*')
        ? 'wildcards need matchPattern: write matchPattern instead of matchName'
        : ciliumRejects(`Invalid characters in MatchName: "${sel.matchName}". Only 0-9, a-z, A-Z and . and - characters are allowed`, 'remove the other characters'));
  }
  if (sel.matchPattern !== undefined && !PATTERN_CHARS.test(sel.matchPattern)) {
    r.error([...path, 'matchPattern'], 'invalid-fqdn', `matchPattern "${sel.matchPattern}" may contain only letters, digits, "-", "_", "." and "*"`,
      ciliumRejects('Only alphanumeric ASCII characters, the hyphen "-", underscore "_", "." and "*" are allowed in a matchPattern', 'patterns are not regular expressions: "*" is the only wildcard'));
  }
  for (const [field, value, chars, shape] of [['matchName', sel.matchName, NAME_CHARS, NAME_SHAPE], ['matchPattern', sel.matchPattern, PATTERN_CHARS, PATTERN_SHAPE]] as const) {
    if (value !== undefined && chars.test(value) && !shape.test(value)) {
      r.error([...path, field], 'invalid-fqdn', `${field} "${value}" must be labels separated by single dots (no leading dot, no empty label, not "." alone)`,
        `the CustomResourceDefinition refuses it (pattern ${shape.source}); write e.g. ${field === 'matchName' ? 'cilium.io' : '"*.cilium.io"'}`);
    }
  }
}
