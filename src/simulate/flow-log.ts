/**
 * @module simulate/flow-log
 *
 * The flows a virtual cluster has produced, kept as Hubble keeps them: a
 * ring buffer of Hubble's default capacity (4095 flows, the agent's `hubble-event-buffer-capacity`),
 * the oldest dropped first, with subscribers for `--follow`-style streams
 * (the `polis serve` Observer API follows it).
 */
import type { Flow } from '../hubble/flow.js';

/** `hubble-event-buffer-capacity` default of cilium-agent (4095, a power of two minus one). */
export const HUBBLE_BUFFER_SIZE = 4095;

export type FlowListener = (flow: Flow) => void;

export class FlowLog {
  private readonly ring: (Flow | undefined)[];
  private start = 0;
  private count = 0;
  private seen = 0;
  private readonly listeners = new Set<FlowListener>();

  constructor(readonly capacity: number = HUBBLE_BUFFER_SIZE) {
    this.ring = new Array<Flow | undefined>(Math.max(1, capacity)).fill(undefined);
  }

  /** Flows recorded since the cluster started, including those the ring has dropped. */
  get seenFlows(): number {
    return this.seen;
  }

  get size(): number {
    return this.count;
  }

  push(flow: Flow): void {
    const cap = this.ring.length;
    if (this.count < cap) this.ring[(this.start + this.count++) % cap] = flow;
    else {
      this.ring[this.start] = flow;
      this.start = (this.start + 1) % cap;
    }
    this.seen++;
    if (this.listeners.size > 0) for (const l of this.listeners) l(flow);
  }

  /** The flows still in the buffer, oldest first. */
  all(): Flow[] {
    const out: Flow[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.ring[(this.start + i) % this.ring.length]!);
    return out;
  }

  /** Calls `listener` for every flow from now on; returns the function that stops it. */
  subscribe(listener: FlowListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  clear(): void {
    this.ring.fill(undefined);
    this.start = 0;
    this.count = 0;
  }
}
