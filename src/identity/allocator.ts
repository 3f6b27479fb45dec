/**
 * @module identity/allocator
 *
 * Deterministic numbering of identities. Cilium allocates identities in the
 * order it meets label sets, so real numbers depend on history; polis instead
 * sorts the distinct label sets by their canonical form and numbers them in
 * that order, so the same cluster and policies always get the same numbers.
 * Numbers never influence a verdict, only what is printed.
 *
 * - Cluster identities (pod label sets): 256, 257, … (semantics.md §3.2).
 * - Local identities (CIDR / FQDN prefixes): `1<<24 | n`, n from 1, as
 *   Cilium's local allocator starts at 16777217.
 * A prefix whose label set equals a reserved identity's (a `/0` is just
 * `reserved:world`) gets that reserved identity, as Cilium's
 * `LookupReservedIdentityByLabels` does.
 */
import type { CidrPrefix } from '../net/ip.js';
import { cidrIdentityLabels } from './cidr-labels.js';
import { LabelSet, type Label } from './labels.js';
import {
  LOCAL_IDENTITY_FLAG,
  MAX_CLUSTER_IDENTITY,
  MIN_CLUSTER_IDENTITY,
  Reserved,
  identityId,
  reservedLabels,
  type IdentityId,
} from './reserved.js';

/** The result of numbering a group of label sets. */
export interface Allocation {
  /** Identity of each label set, by {@link LabelSet.canonical}. */
  readonly byCanonical: ReadonlyMap<string, IdentityId>;
  /** The allocated identities in numeric order. */
  readonly entries: readonly { readonly id: IdentityId; readonly labels: LabelSet }[];
}

function allocate(sets: Iterable<LabelSet>, number: (i: number) => number): Allocation {
  const distinct = new Map<string, LabelSet>();
  const add = (s: LabelSet) => {
    if (!distinct.has(s.canonical)) distinct.set(s.canonical, s);
  };
  if (Array.isArray(sets)) for (let i = 0; i < sets.length; i++) add(sets[i] as LabelSet);
  else for (const s of sets) add(s);
  // The native sort orders strings by UTF-16 code units, as `compareStrings` does, without a call per comparison.
  const canonicals = Array.from(distinct.keys()).sort();
  const byCanonical = new Map<string, IdentityId>();
  const entries = new Array<{ readonly id: IdentityId; readonly labels: LabelSet }>(canonicals.length);
  for (let i = 0; i < canonicals.length; i++) {
    const id = identityId(number(i));
    byCanonical.set(canonicals[i]!, id);
    entries[i] = Object.freeze({ id, labels: distinct.get(canonicals[i]!)! });
  }
  return { byCanonical, entries: Object.freeze(entries) };
}

/**
 * Numbers pod label sets from 256 in canonical order. `overflow` is true when
 * there are more than fit into cluster ID 0's range (…65535); numbering then
 * simply continues, which Cilium could not do.
 */
export function allocateClusterIdentities(sets: Iterable<LabelSet>): Allocation & { readonly overflow: boolean } {
  const a = allocate(sets, (i) => MIN_CLUSTER_IDENTITY + i);
  return { ...a, overflow: a.entries.length > MAX_CLUSTER_IDENTITY - MIN_CLUSTER_IDENTITY + 1 };
}

/** Labels attached to one prefix before allocation. */
export interface PrefixLabels {
  readonly prefix: CidrPrefix;
  /** Extra labels beyond the CIDR/world labels, e.g. `reserved:kube-apiserver`, `fqdn:…`. */
  readonly extra: readonly Label[];
}

/** The identity every prefix resolved to, plus the new local identities. */
export interface PrefixAllocation extends Allocation {
  /** Per input prefix, in input order. */
  readonly prefixIds: readonly IdentityId[];
}

/**
 * Allocates the identities of external prefixes: each gets `cidr:<prefix>` +
 * world (+ its extra labels); equal label sets share an identity; a set equal
 * to a reserved identity's (only `/0`: `reserved:world`, or `world-ipv4/6`
 * in dual-stack) resolves to that reserved identity.
 */
export function allocatePrefixIdentities(prefixes: readonly PrefixLabels[], dualStack: boolean): PrefixAllocation {
  const worldIds = [Reserved.world, Reserved.worldIpv4, Reserved.worldIpv6];
  const reservedByCanonical = new Map(worldIds.map((id) => [reservedLabels(id).canonical, id] as const));
  const sets = prefixes.map((p) => LabelSet.of([...cidrIdentityLabels(p.prefix, dualStack), ...p.extra]));
  const a = allocate(
    sets.filter((s) => !reservedByCanonical.has(s.canonical)),
    (i) => LOCAL_IDENTITY_FLAG | (i + 1),
  );
  const prefixIds = sets.map((s) => reservedByCanonical.get(s.canonical) ?? a.byCanonical.get(s.canonical)!);
  return { ...a, prefixIds: Object.freeze(prefixIds) };
}
