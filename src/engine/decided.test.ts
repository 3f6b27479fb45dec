/**
 * The table of decisions behaves as a Map from (peer, key) would, through
 * growth and up to its cap, where it starts over.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SideOutcome } from './compile.js';
import { DecidedTable } from './decided.js';
import { seededRandom } from '../util/random.js';

const outcome = (id: number) => ({ id }) as unknown as SideOutcome;

test('agrees with a Map over 50,000 random entries, large identities included', () => {
  const t = new DecidedTable();
  const m = new Map<string, SideOutcome>();
  const rnd = seededRandom(9);
  for (let i = 0; i < 50_000; i++) {
    const peer = rnd(3) === 0 ? 16_777_216 + rnd(5000) : rnd(4000);
    const key = rnd(5) * 65536 + rnd(65536);
    const k = `${peer}/${key}`;
    if (!m.has(k)) {
      assert.equal(t.get(peer, key), undefined, k);
      const o = outcome(i);
      m.set(k, o);
      t.set(peer, key, o);
    }
    assert.equal(t.get(peer, key), m.get(k));
  }
  for (const [k, o] of m) {
    const [peer, key] = k.split('/').map(Number);
    assert.equal(t.get(peer!, key!), o);
  }
});

test('at its cap the table starts over instead of growing', () => {
  const t = new DecidedTable();
  for (let i = 0; i < 1 << 16; i++) t.set(i, 1, outcome(i));
  assert.deepEqual(t.get(5, 1), outcome(5), 'full, and still answering');
  t.set(70_000, 1, outcome(1));
  assert.equal(t.get(5, 1), undefined, 'older entries are gone');
  assert.deepEqual(t.get(70_000, 1), outcome(1));
});
