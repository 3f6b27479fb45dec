/**
 * @module policy/normalize
 *
 * Every valid policy into {@link NormalizedRule}s. Invalid policies are left
 * out: Cilium refuses them and enforces none of their rules ("fail-open").
 */
import type { Cluster } from '../../model/types.js';
import type { CidrPrefix } from '../../net/ip.js';
import type { NormalizedRule } from '../rule.js';
import type { LoadedPolicy } from '../types.js';
import { normalizeCiliumPolicy, type NormalizeContext } from './cilium.js';
import { normalizeNetworkPolicy } from './kubernetes.js';

export interface NormalizedPolicies {
  readonly rules: readonly NormalizedRule[];
  /** CIDRs the rules name (excepts included); each becomes a CIDR identity. */
  readonly referencedCidrs: readonly CidrPrefix[];
  /** toFQDNs selectors by their label text. */
  readonly fqdnSelectors: ReadonlyMap<string, { matchName?: string; matchPattern?: string }>;
}

export function normalizePolicies(policies: readonly LoadedPolicy[], cluster: Cluster): NormalizedPolicies {
  const ctx: NormalizeContext = { cluster, referencedCidrs: new Map(), fqdnSelectors: new Map() };
  const rules: NormalizedRule[] = [];
  for (const p of policies) {
    if (!p.valid) continue;
    rules.push(...(p.kind === 'NetworkPolicy' ? normalizeNetworkPolicy(p, ctx) : normalizeCiliumPolicy(p, ctx)));
  }
  return { rules, referencedCidrs: [...ctx.referencedCidrs.values()], fqdnSelectors: ctx.fqdnSelectors };
}

export { fqdnMatcher, fqdnSelectorText, toFqdn } from './fqdn.js';
export { fqdnSelector } from './cilium.js';
