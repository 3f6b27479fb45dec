/**
 * @module engine/verdict-cache
 *
 * Remembers pod-to-pod verdicts by four small integers (source identity,
 * destination identity, the destination's named-port table, protocol and
 * port) in a fixed-size, direct-mapped table: typed arrays allocated once,
 * so a suite of a hundred thousand distinct pairs allocates nothing per
 * pair and memory stays bounded, while a question asked again is a hash
 * and four compares. A newer entry simply takes an older one's slot; a
 * miss costs only the identity-level path it stands in front of.
 */
import type { Verdict } from './types.js';

/** 2^18 slots: 5 MB of keys and slots, room for the distinct questions of a large suite. */
const BITS = 18;
const SIZE = 1 << BITS;

export class VerdictCache {
  private keys: Int32Array | undefined;
  private values: (Verdict | undefined)[] = [];

  /** The verdict stored for the four keys, if that slot still holds it. */
  get(a: number, b: number, c: number, d: number): Verdict | undefined {
    const keys = this.keys;
    if (!keys) return undefined;
    const slot = hash(a, b, c, d);
    const k = slot * 4;
    return keys[k] === a && keys[k + 1] === b && keys[k + 2] === c && keys[k + 3] === d ? this.values[slot] : undefined;
  }

  set(a: number, b: number, c: number, d: number, v: Verdict): void {
    // Allocated on first use: most engines (the editor's, a lint run's) never ask pod to pod in bulk.
    const keys = (this.keys ??= new Int32Array(SIZE * 4));
    if (this.values.length === 0) this.values = new Array<Verdict | undefined>(SIZE).fill(undefined);
    const slot = hash(a, b, c, d);
    const k = slot * 4;
    keys[k] = a;
    keys[k + 1] = b;
    keys[k + 2] = c;
    keys[k + 3] = d;
    this.values[slot] = v;
  }
}

function hash(a: number, b: number, c: number, d: number): number {
  const h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77) ^ Math.imul(c, 0xc2b2ae3d) ^ Math.imul(d, 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> (32 - BITS);
}
