/**
 * @module identity/prefix-index
 *
 * "Which of these prefixes lie inside P?" in O(log n + answers), for
 * selecting CIDR identities with a `cidr:` selector term (prefix-aware since
 * Cilium 1.16, see {@link LabelSet.find}). Testing every identity against
 * every CIDR selector was quadratic: a policy with 10,000 `fromCIDR`
 * entries took minutes to explain (issue 8).
 *
 * Layout: per family, entries sorted by network address. The prefixes inside
 * P have their network in P's address range `[P.network, P.last]` and are at
 * least as long as P, so they form one contiguous run of the sorted list,
 * found by binary search. The run may also hold shorter prefixes that
 * start exactly at P.network (at most one per length), which are skipped.
 */
import { familyBits, type CidrPrefix, type IpFamily } from '../net/ip.js';

interface Entry<T> {
  readonly network: bigint;
  readonly bits: number;
  readonly item: T;
}

export class PrefixIndex<T> {
  private readonly byFamily = new Map<IpFamily, Entry<T>[]>();

  /** Builds the index once; an item may appear under several prefixes. */
  constructor(entries: Iterable<{ readonly prefix: CidrPrefix; readonly item: T }>) {
    for (const { prefix, item } of entries) {
      const list = this.byFamily.get(prefix.family) ?? this.byFamily.set(prefix.family, []).get(prefix.family)!;
      list.push({ network: prefix.network, bits: prefix.bits, item });
    }
    for (const list of this.byFamily.values()) list.sort((a, b) => (a.network < b.network ? -1 : a.network > b.network ? 1 : a.bits - b.bits));
  }

  /** Items whose prefix is equal to or inside `outer` (same family), in address order. */
  within(outer: CidrPrefix): T[] {
    const list = this.byFamily.get(outer.family);
    if (!list) return [];
    const last = outer.network | ((1n << BigInt(familyBits(outer.family) - outer.bits)) - 1n);
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.network < outer.network) lo = mid + 1;
      else hi = mid;
    }
    const out: T[] = [];
    for (let i = lo; i < list.length && list[i]!.network <= last; i++) if (list[i]!.bits >= outer.bits) out.push(list[i]!.item);
    return out;
  }
}
