/**
 * @module hubble/select
 *
 * The selectors of `hubble observe` applied to a stream of records, after
 * filtering: `--since`/`--until` (against the envelope `time`, else the flow's
 * own, as `io_reader_observer.go` does), then `--first N` or `--last N`.
 * `--last` keeps only a ring of N records, so memory is bounded by N, not by
 * the input. Reading a file, everything is returned unless first/last is set.
 */
import type { FlowRecord, Timestamp } from './flow.js';
import type { FlowPredicate } from './filter/compile.js';
import { compareTimestamps } from './time.js';

/** Options of `FlowSelection`. */
export interface SelectOptions {
  /** Keep flows matching this predicate (default: all). */
  readonly match?: FlowPredicate;
  /** Keep flows at or after this time. */
  readonly since?: Timestamp;
  /** Keep flows at or before this time. */
  readonly until?: Timestamp;
  /** Keep only the first N matching flows. */
  readonly first?: number;
  /** Keep only the last N matching flows (emitted at `end()`). */
  readonly last?: number;
}

/** Streams records through filter and selectors. */
export class FlowSelection {
  private readonly ring: FlowRecord[] = [];
  private ringStart = 0;
  private emitted = 0;
  /** Number of records that passed the filter and time range. */
  matched = 0;

  constructor(private readonly opts: SelectOptions, private readonly emit: (r: FlowRecord) => void) {}

  /** True once `--first N` is satisfied: the caller may stop reading. */
  get done(): boolean {
    return this.opts.first !== undefined && this.emitted >= this.opts.first;
  }

  /** Offers one record. */
  push(r: FlowRecord): void {
    const o = this.opts;
    if (o.since || o.until) {
      const t = r.time ?? r.flow.time;
      if (!t) return;
      if (o.since && compareTimestamps(t, o.since) < 0) return;
      if (o.until && compareTimestamps(t, o.until) > 0) return;
    }
    if (o.match && !o.match(r.flow)) return;
    this.matched++;
    if (o.last !== undefined) {
      if (o.last === 0) return;
      if (this.ring.length < o.last) this.ring.push(r);
      else {
        this.ring[this.ringStart] = r;
        this.ringStart = (this.ringStart + 1) % o.last;
      }
      return;
    }
    if (o.first !== undefined && this.emitted >= o.first) return;
    this.emitted++;
    this.emit(r);
  }

  /** Emits what `--last` kept, oldest first. */
  end(): void {
    for (let i = 0; i < this.ring.length; i++) this.emit(this.ring[(this.ringStart + i) % this.ring.length] as FlowRecord);
    this.ring.length = 0;
  }
}
