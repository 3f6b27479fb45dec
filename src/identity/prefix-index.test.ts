import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PrefixIndex } from './prefix-index.js';
import { cidrContainsCidr, formatCidr, parseCidr, type CidrPrefix } from '../net/ip.js';

const P = (s: string) => parseCidr(s)!;
const index = (cidrs: string[]) => new PrefixIndex(cidrs.map((c) => ({ prefix: P(c), item: c })));

test('within finds equal and narrower prefixes, never broader ones or the other family', () => {
  // source: netip.Prefix containment as pkg/labels/labels.go HasKey uses it (Cilium 1.16+)
  const ix = index(['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.3/32', '11.0.0.0/8', '0.0.0.0/0', 'fd00::/64', '::/0']);
  assert.deepEqual(ix.within(P('10.1.0.0/16')), ['10.1.0.0/16', '10.1.2.0/24', '10.1.2.3/32'], 'the /8 and /0 at or before the start are skipped');
  assert.deepEqual(ix.within(P('10.0.0.0/8')), ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.3/32']);
  assert.deepEqual(ix.within(P('0.0.0.0/0')), ['0.0.0.0/0', '10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.3/32', '11.0.0.0/8']);
  assert.deepEqual(ix.within(P('::/0')), ['::/0', 'fd00::/64']);
  assert.deepEqual(ix.within(P('12.0.0.0/8')), []);
  assert.deepEqual(index([]).within(P('10.0.0.0/8')), []);
});

test('property: within equals a scan with cidrContainsCidr', () => {
  const v4 = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }))
    .map(([v, bits]): CidrPrefix => P(`${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}/${bits}`));
  // Addresses from a small space so prefixes nest and collide often.
  const small = fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 24, max: 32 })).map(([v, bits]) => P(`10.0.0.${v * 16}/${bits}`));
  const prefix = fc.oneof(v4, small, fc.constantFrom(P('fd00::/8'), P('fd00::1/128'), P('::/0')));
  fc.assert(
    fc.property(fc.array(prefix, { maxLength: 40 }), prefix, (all, outer) => {
      const ix = new PrefixIndex(all.map((prefix, i) => ({ prefix, item: i })));
      const want = all.map((p, i) => [p, i] as const).filter(([p]) => cidrContainsCidr(outer, p)).map(([, i]) => i).sort((a, b) => a - b);
      assert.deepEqual([...ix.within(outer)].sort((a, b) => a - b), want, `${formatCidr(outer)} in ${all.map(formatCidr).join(' ')}`);
    }),
    { numRuns: 2000 },
  );
});
