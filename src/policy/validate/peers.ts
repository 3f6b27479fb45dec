/**
 * @module policy/validate/peers
 *
 * Checks of the peer part of one ingress/egress element: which peer fields
 * may be combined (`(*IngressCommonRule).sanitize`, `(*EgressCommonRule).sanitize`),
 * CIDRs and CIDR sets (`pkg/policy/api/cidr.go`), services, nodes.
 */
import type { FieldPath } from '../../manifest/object.js';
import { cidrContainsCidr, parseCidr } from '../../net/ip.js';
import type { CidrRuleSpec, ServiceSelectorSpec } from '../schema/cilium.js';
import type { LabelSelectorSpec } from '../schema/selector.js';
import { checkSelector } from './labels.js';
import { ciliumRejects, type Reporter } from './reporter.js';

/** Peer fields Cilium refuses to combine in one element, in the order Cilium lists them. */
const INGRESS_EXCLUSIVE = ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromNodes', 'fromGroups'] as const;
const EGRESS_EXCLUSIVE = ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toServices', 'toGroups', 'toNodes', 'toFQDNs'] as const;

/** Every field that names the peers of a rule element, ingress and egress (`fromRequires`/`toRequires` only narrow them). */
export const PEER_FIELDS: readonly string[] = [...INGRESS_EXCLUSIVE, ...EGRESS_EXCLUSIVE];

/** Go field names for Cilium's message (`FromEndpoints`, `ToFQDNs`). */
function goName(field: string): string {
  return field.charAt(0).toUpperCase() + field.slice(1);
}

/** Reports every pair of peer fields that cannot appear in one element. */
export function checkPeerCombination(r: Reporter, element: Readonly<Record<string, unknown>>, path: FieldPath, ingress: boolean): void {
  const fields = ingress ? INGRESS_EXCLUSIVE : EGRESS_EXCLUSIVE;
  const present = fields.filter((f) => Array.isArray(element[f]) && (element[f] as unknown[]).length > 0);
  for (let i = 1; i < present.length; i++) {
    const a = present[0]!;
    const b = present[i]!;
    r.error([...path, b], 'peer-combination', `${a} and ${b} cannot be combined in one rule`,
      ciliumRejects(`combining ${goName(a)} and ${goName(b)} is not supported yet`, `split them into two rules: start "${b}:" with its own "- " (and repeat toPorts in each if both need it)`),
      'key');
  }
}

/**
 * Checks `fromCIDR`/`toCIDR` entries. Prefix notation only: the agent's
 * `CIDR.sanitize` would take a bare IP as /32, but the API server never lets
 * one through, since the CRD declares every `CIDR` (toCIDR, fromCIDR, except,
 * CIDRRule.cidr) `format: cidr` (`+kubebuilder:validation:Format=cidr` in
 * pkg/policy/api/cidr.go, blob id 68463512052; cilium/cilium#32814, 1.16+, which
 * replaced a regex that also required `/len`), and apiextensions checks that
 * format with `net.ParseCIDR`.
 */
export function checkCidrList(r: Reporter, list: readonly string[], path: FieldPath): void {
  list.forEach((c, i) => {
    if (c === '') {
      r.error([...path, i], 'invalid-cidr', 'a CIDR must not be empty', ciliumRejects('IP must be specified', 'write a prefix such as 10.0.0.0/8'));
    } else if (!parseCidr(c)) {
      r.error([...path, i], 'invalid-cidr', `${c} is not a valid CIDR`, cidrHint(c, true));
    }
  });
}

/** Checks `fromCIDRSet`/`toCIDRSet` entries. */
export function checkCidrRules(r: Reporter, rules: readonly CidrRuleSpec[], path: FieldPath): void {
  rules.forEach((rule, i) => {
    const p = [...path, i];
    const set = (['cidr', 'cidrGroupRef', 'cidrGroupSelector'] as const).filter((k) => rule[k] !== undefined);
    if (set.length === 0) {
      r.error(p, 'cidr-rule-empty', 'a CIDR set entry needs cidr, cidrGroupRef or cidrGroupSelector',
        ciliumRejects('one of cidr, cidrGroupRef, or cidrGroupSelector is required', 'add cidr: <prefix>'));
      return;
    }
    if (set.length > 1) {
      r.error([...p, set[1]!], 'cidr-rule-ambiguous', `${set.join(' and ')} cannot both be set in one CIDR set entry`,
        ciliumRejects('more than one of cidr, cidrGroupRef, or cidrGroupSelector may not be set', 'use one entry per source'), 'key');
    }
    if (rule.cidrGroupSelector) checkSelector(r, rule.cidrGroupSelector, [...p, 'cidrGroupSelector'], true);
    if (rule.cidr === undefined) return;
    const cidr = parseCidr(rule.cidr);
    if (!cidr) {
      r.error([...p, 'cidr'], 'invalid-cidr', `${rule.cidr} is not a valid CIDR`, cidrHint(rule.cidr, true));
      return;
    }
    (rule.except ?? []).forEach((e, j) => {
      // `except` items are `CIDR`s too: `format: cidr`, so a bare IP is refused (see checkCidrList).
      const ex = parseCidr(e);
      if (!ex) r.error([...p, 'except', j], 'invalid-cidr', `${e} is not a valid CIDR`, cidrHint(e, true));
      else if (!cidrContainsCidr(cidr, ex)) {
        r.error([...p, 'except', j], 'except-outside-cidr', `except ${e} is not inside ${rule.cidr}`,
          ciliumRejects(`allow CIDR prefix ${rule.cidr} does not contain exclude CIDR prefix ${e}`, `make it a prefix inside ${rule.cidr}, or remove it`));
      }
    });
  });
}

/** A helpful hint for a broken CIDR: too few octets, missing length, out-of-range values. */
export function cidrHint(text: string, needsPrefix = false): string {
  const [addr = '', bits] = text.split('/');
  if (/^\d+(\.\d+){0,2}$/.test(addr)) {
    return `an IPv4 address has four numbers: ${addr} has ${addr.split('.').length}. Write e.g. ${[...addr.split('.'), '0', '0', '0'].slice(0, 4).join('.')}/${bits ?? '32'}`;
  }
  if (needsPrefix && bits === undefined) return `add the prefix length: ${text}/32 for one address`;
  if (bits !== undefined && Number(bits) > (addr.includes(':') ? 128 : 32)) return `the prefix length must be at most ${addr.includes(':') ? 128 : 32}`;
  if (/(^|\.)0\d/.test(addr)) return 'write octets without leading zeros (Go rejects them), e.g. 10.0.0.1 not 010.0.0.1';
  return 'write address/length, e.g. 10.0.0.0/8 or 2001:db8::/32';
}

/** Checks `toServices` entries. */
export function checkServices(r: Reporter, services: readonly ServiceSelectorSpec[], path: FieldPath): void {
  services.forEach((s, i) => {
    const p = [...path, i];
    // Neither is required by the CRD nor checked by the agent; processRule then matches no Service (service.go).
    if (!s.k8sService && !s.k8sServiceSelector) {
      r.warn(p, 'service-empty', 'this toServices entry has neither k8sService nor k8sServiceSelector, so it selects no Service', 'e.g. k8sService: {serviceName: my-svc, namespace: default}');
    }
    if (s.k8sService && s.k8sServiceSelector) {
      r.warn(p, 'service-both', 'k8sService and k8sServiceSelector are both set; Cilium uses k8sServiceSelector only (pkg/policy/k8s/service.go processRule)', 'keep one of them');
    }
    // serviceRefMatches compares names, and no Service is named "".
    if (s.k8sService && !s.k8sService.serviceName && !s.k8sServiceSelector) {
      r.warn([...p, 'k8sService'], 'service-name-missing', 'k8sService without serviceName selects no Service', 'add serviceName: <name>');
    }
    if (s.k8sServiceSelector) checkSelector(r, s.k8sServiceSelector.selector, [...p, 'k8sServiceSelector', 'selector'], false);
  });
}

/** Checks a list of endpoint selectors. */
export function checkSelectors(r: Reporter, sels: readonly LabelSelectorSpec[] | undefined, path: FieldPath): void {
  (sels ?? []).forEach((s, i) => checkSelector(r, s, [...path, i], true));
}
