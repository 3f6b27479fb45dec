/**
 * @module engine/decided
 *
 * The decisions one compiled direction has taken, by (peer identity,
 * protocol and port): the lookup table a datapath would hold, filled as
 * questions come. An open-addressing table over two typed arrays, so that a
 * suite asking about a hundred thousand new pairs allocates nothing per
 * pair (a Map per peer did, and its garbage cost more than deciding).
 * Bounded: a table that reaches its cap starts over.
 */
import type { SideOutcome } from './compile.js';

/** Entries before the table starts over: bounds memory on endless random questions. */
const CAP = 1 << 16;

export class DecidedTable {
  private keys = new Int32Array(0);
  private values: (SideOutcome | undefined)[] = [];
  private size = 0;

  /** The outcome stored for (peer, protocol-and-port key). */
  get(peer: number, key: number): SideOutcome | undefined {
    const keys = this.keys;
    if (keys.length === 0) return undefined;
    const mask = this.values.length - 1;
    for (let slot = hash(peer, key) & mask; ; slot = (slot + 1) & mask) {
      const v = this.values[slot];
      if (v === undefined) return undefined;
      if (keys[slot * 2] === peer && keys[slot * 2 + 1] === key) return v;
    }
  }

  set(peer: number, key: number, outcome: SideOutcome): void {
    if (this.size >= CAP) this.resize(16, true);
    else if ((this.size + 1) * 2 > this.values.length) this.resize(Math.max(16, this.values.length * 2), false);
    this.insert(peer, key, outcome);
    this.size++;
  }

  private insert(peer: number, key: number, outcome: SideOutcome): void {
    const mask = this.values.length - 1;
    let slot = hash(peer, key) & mask;
    while (this.values[slot] !== undefined) slot = (slot + 1) & mask;
    this.keys[slot * 2] = peer;
    this.keys[slot * 2 + 1] = key;
    this.values[slot] = outcome;
  }

  private resize(capacity: number, clear: boolean): void {
    const { keys, values } = this;
    this.keys = new Int32Array(capacity * 2);
    this.values = new Array<SideOutcome | undefined>(capacity).fill(undefined);
    this.size = 0;
    if (clear) return;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v !== undefined) {
        this.insert(keys[i * 2]!, keys[i * 2 + 1]!, v);
        this.size++;
      }
    }
  }
}

function hash(peer: number, key: number): number {
  const h = Math.imul(peer, 0x9e3779b1) ^ Math.imul(key, 0x85ebca77);
  return (h ^ (h >>> 16)) >>> 0;
}
