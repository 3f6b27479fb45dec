/**
 * @module engine/reference
 * @internal
 *
 * A slow, obviously correct L3/L4 evaluator that reads the normalised rules
 * one by one for every question, matching selectors against labels each
 * time: no compilation, no indexes, no caches. Two uses: property tests
 * check the compiled engine against it, and benchmarks report the engine's
 * speed as a ratio to it. Not part of the public API.
 */
import type { IdentityTable } from '../identity/table.js';
import { Reserved, type IdentityId } from '../identity/reserved.js';
import type { EndpointSelector } from '../identity/selector.js';
import type { Direction, L4Protocol, NormalizedRule, PolicyEntry } from '../policy/rule.js';

export interface ReferenceSettings {
  readonly policyEnforcement: 'default' | 'always' | 'never';
}

/** L3/L4 verdict between two endpoint identities. */
export function referenceAllows(
  rules: readonly NormalizedRule[], table: IdentityTable, from: IdentityId, to: IdentityId, protocol: L4Protocol, port: number,
  settings: ReferenceSettings = { policyEnforcement: 'default' },
): boolean {
  return sideAllows(rules, table, from, 'egress', to, protocol, port, settings) && sideAllows(rules, table, to, 'ingress', from, protocol, port, settings);
}

function sideAllows(
  rules: readonly NormalizedRule[], table: IdentityTable, subject: IdentityId, dir: Direction, peer: IdentityId, protocol: L4Protocol, port: number, settings: ReferenceSettings,
): boolean {
  if (settings.policyEnforcement === 'never') return true;
  const subjectLabels = table.labelsOf(subject)!;
  const peerLabels = table.labelsOf(peer)!;
  const applicable = rules.filter((r) => r.subject.kind === 'endpoints' && r[dir] !== undefined && r.subject.selector.matches(subjectLabels));
  const forced = settings.policyEnforcement === 'always' || subject === Reserved.init;
  if (!forced && applicable.length === 0) return true;
  const defaultDeny = forced || applicable.some((r) => r[dir]!.defaultDeny);
  const entries = applicable.flatMap((r) => r[dir]!.entries);
  const requires = (deny: boolean) => entries.filter((e) => e.deny === deny).flatMap((e) => e.requires);
  const selects = (e: PolicyEntry): boolean => {
    if (e.peers.kind === 'all') return true;
    return e.peers.selectors.some((p) => {
      if (!p.selector.matches(peerLabels)) return false;
      const reqs: EndpointSelector[] = p.foldsRequires ? requires(e.deny) : [];
      return reqs.every((r) => r.matches(peerLabels));
    });
  };
  const covers = (e: PolicyEntry): boolean =>
    e.ports.kind === 'all' || e.ports.ports.some((p) => p.protocol === protocol && typeof p.port === 'number' && port >= p.port && port <= p.endPort);
  if (entries.some((e) => e.deny && selects(e) && covers(e))) return false;
  const allows = entries.filter((e) => !e.deny && selects(e) && covers(e));
  if (allows.length === 0) return !defaultDeny || (dir === 'ingress' && peer === Reserved.host);
  return !allows.every((e) => e.authentication !== undefined) || !defaultDeny;
}
