/**
 * @module identity/ipcache
 *
 * IP → identity by longest-prefix match, as Cilium's ipcache (an LPM map in
 * the datapath). Built once, immutable.
 *
 * Layout: per family, one hash map per distinct prefix length, tried from the
 * longest length down. Clusters have few distinct lengths (host /32 or /128
 * entries for pods and nodes plus the lengths policies name), so a lookup is a
 * handful of map probes. IPv4 keys are plain numbers (no bigint work on the
 * hot path); IPv6 keys are bigints.
 */
import { familyBits, type CidrPrefix, type IpAddress } from '../net/ip.js';
import type { IdentityId } from './reserved.js';

/** One ipcache entry. */
export interface IpCacheEntry {
  readonly prefix: CidrPrefix;
  readonly id: IdentityId;
}

interface Level<K> {
  readonly bits: number;
  readonly map: ReadonlyMap<K, IdentityId>;
}

function v4Mask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

function v6Mask(bits: number): bigint {
  return bits === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - bits)) - 1n);
}

/** Immutable longest-prefix-match table from prefixes to identities. */
export class IpCache {
  private readonly v4: readonly (Level<number> & { readonly mask: number })[];
  private readonly v6: readonly (Level<bigint> & { readonly mask: bigint })[];
  /** The entries kept (first of each prefix), in the order given; sorted when first listed. */
  private readonly kept: IpCacheEntry[];
  private sorted: readonly IpCacheEntry[] | undefined;

  /**
   * Builds the table. When two entries name the same prefix, the first one
   * wins — callers order entries by precedence.
   * @param fallback identity of addresses no entry covers, per family.
   */
  constructor(entries: readonly IpCacheEntry[], private readonly fallback: { readonly v4: IdentityId; readonly v6: IdentityId }) {
    const v4 = new Map<number, Map<number, IdentityId>>();
    const v6 = new Map<number, Map<bigint, IdentityId>>();
    const kept: IpCacheEntry[] = [];
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      const p = e.prefix;
      if (p.family === 4) {
        const m = v4.get(p.bits) ?? v4.set(p.bits, new Map()).get(p.bits)!;
        const key = Number(p.network);
        if (m.has(key)) continue;
        m.set(key, e.id);
      } else {
        const m = v6.get(p.bits) ?? v6.set(p.bits, new Map()).get(p.bits)!;
        if (m.has(p.network)) continue;
        m.set(p.network, e.id);
      }
      kept.push(e);
    }
    this.v4 = [...v4].sort((a, b) => b[0] - a[0]).map(([bits, map]) => ({ bits, map, mask: v4Mask(bits) }));
    this.v6 = [...v6].sort((a, b) => b[0] - a[0]).map(([bits, map]) => ({ bits, map, mask: v6Mask(bits) }));
    this.kept = kept;
  }

  /**
   * All entries, sorted by family, network, then length. Sorted on first use:
   * lookups never need the list, and sorting a cluster's 10,000 pod
   * addresses is a noticeable part of building the table.
   */
  get entries(): readonly IpCacheEntry[] {
    return (this.sorted ??= Object.freeze(
      this.kept.sort((a, b) =>
        a.prefix.family - b.prefix.family || (a.prefix.network < b.prefix.network ? -1 : a.prefix.network > b.prefix.network ? 1 : 0) || a.prefix.bits - b.prefix.bits),
    ));
  }

  /** The identity of the longest prefix containing `ip`, else the family's fallback. */
  lookup(ip: IpAddress): IdentityId {
    // No allocation here: this is the per-packet path of every evaluator.
    if (ip.family === 4) return this.lookupV4(Number(ip.value));
    for (const level of this.v6) {
      const id = level.map.get(ip.value & level.mask);
      if (id !== undefined) return id;
    }
    return this.fallback.v6;
  }

  /** The longest matching entry, or `undefined` when none covers `ip`. */
  match(ip: IpAddress): IpCacheEntry | undefined {
    if (ip.family === 4) {
      const v = Number(ip.value);
      for (const level of this.v4) {
        const key = (v & level.mask) >>> 0;
        const id = level.map.get(key);
        if (id !== undefined) return { prefix: { family: 4, network: BigInt(key), bits: level.bits }, id };
      }
      return undefined;
    }
    for (const level of this.v6) {
      const key = ip.value & level.mask;
      const id = level.map.get(key);
      if (id !== undefined) return { prefix: { family: 6, network: key, bits: level.bits }, id };
    }
    return undefined;
  }

  /** Fast path for IPv4 as an unsigned 32-bit number; `fallback.v4` when nothing matches. */
  lookupV4(v: number): IdentityId {
    for (const level of this.v4) {
      const id = level.map.get((v & level.mask) >>> 0);
      if (id !== undefined) return id;
    }
    return this.fallback.v4;
  }
}

/** The host prefix (/32 or /128) of an address. */
export function hostPrefix(ip: IpAddress): CidrPrefix {
  return { family: ip.family, network: ip.value, bits: familyBits(ip.family) };
}
