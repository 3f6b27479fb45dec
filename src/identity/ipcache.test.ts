import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IpCache, type IpCacheEntry } from './ipcache.js';
import { identityId, Reserved, type IdentityId } from './reserved.js';
import { cidrContains, parseCidr, parseIp, type CidrPrefix, type IpAddress } from '../net/ip.js';

const fallback = { v4: Reserved.world, v6: Reserved.world };
const e = (cidr: string, id: number): IpCacheEntry => ({ prefix: parseCidr(cidr, true)!, id: identityId(id) });

test('longest prefix wins, per family, with a fallback', () => {
  // source: semantics.md §3.4 (identity of the longest referenced prefix, else world)
  const c = new IpCache([e('10.0.0.0/8', 100), e('10.1.0.0/16', 101), e('10.1.2.3', 102), e('fd00::/8', 103), e('0.0.0.0/0', 104)], fallback);
  assert.equal(c.lookup(parseIp('10.1.2.3')!), 102);
  assert.equal(c.lookup(parseIp('10.1.2.4')!), 101);
  assert.equal(c.lookup(parseIp('10.200.0.1')!), 100);
  assert.equal(c.lookup(parseIp('9.9.9.9')!), 104);
  assert.equal(c.lookup(parseIp('fd12::1')!), 103);
  assert.equal(c.lookup(parseIp('2001:db8::1')!), Reserved.world);
  assert.equal(c.lookupV4(Number(parseIp('10.1.9.9')!.value)), 101);
  assert.equal(c.match(parseIp('10.1.9.9')!)?.prefix.bits, 16);
});

test('the first entry for a prefix wins', () => {
  const c = new IpCache([e('10.0.0.1', 1), e('10.0.0.1/32', 6)], fallback);
  assert.equal(c.lookup(parseIp('10.0.0.1')!), 1);
  assert.equal(c.entries.length, 1);
});

/** Reference: scan every entry, keep the longest containing prefix. */
function linear(entries: readonly IpCacheEntry[], ip: IpAddress): IdentityId {
  let best: IpCacheEntry | undefined;
  for (const x of entries) if (cidrContains(x.prefix, ip) && (!best || x.prefix.bits > best.prefix.bits)) best = x;
  return best?.id ?? Reserved.world;
}

const v4Prefix = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 })).map(([v, bits]) => parseCidr(`${[v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.')}/${bits}`)!);
const v6Prefix = fc.tuple(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min: 0, max: 128 })).map(([v, bits]): CidrPrefix => ({ family: 6, network: bits === 0 ? 0n : (v >> BigInt(128 - bits)) << BigInt(128 - bits), bits }));

test('property: LPM lookup equals a linear scan (IPv4 and IPv6)', () => {
  // source: STYLE.md (e) property tests; the ipcache is an LPM map (bpf/lib/eps.h ipcache_lookup)
  fc.assert(
    fc.property(fc.uniqueArray(fc.oneof(v4Prefix, v6Prefix), { maxLength: 30, selector: (p) => `${p.family}/${p.network}/${p.bits}` }), fc.array(fc.nat({ max: 29 }), { minLength: 1, maxLength: 10 }), fc.integer({ min: 0, max: 0xffffffff }), (prefixes, picks, noise) => {
      const entries = prefixes.map((prefix, i) => ({ prefix, id: identityId(1000 + i) }));
      const c = new IpCache(entries, fallback);
      const probes: IpAddress[] = [{ family: 4, value: BigInt(noise) }, { family: 6, value: BigInt(noise) << 96n }];
      // Probe addresses inside chosen prefixes (network + some host bits) as well as random ones.
      for (const k of picks) {
        const p = prefixes[k % Math.max(1, prefixes.length)];
        if (!p) continue;
        const hostBits = (p.family === 4 ? 32 : 128) - p.bits;
        const offset = hostBits === 0 ? 0n : BigInt(noise) % (1n << BigInt(Math.min(hostBits, 32)));
        probes.push({ family: p.family, value: p.network + offset });
      }
      return probes.every((ip) => c.lookup(ip) === linear(entries, ip));
    }),
    { numRuns: 500 },
  );
});
