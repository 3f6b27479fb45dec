/**
 * @module simulate/clock
 *
 * The virtual clock of a virtual cluster. Commands never wait in real time:
 * a dropped SYN that a real curl would wait 5 s for moves this clock 5 s on,
 * so output (timestamps, "after 5000 milliseconds") is the same on every
 * run. Time is kept in whole microseconds since the epoch, which a double
 * holds exactly for the next few centuries.
 */
import type { Timestamp } from '../hubble/flow.js';
import { Stamp } from './flows.js';

/** Where the clock starts unless told otherwise: a fixed instant, so output is deterministic. */
export const DEFAULT_START = new Date('2026-01-01T12:00:00.000Z');

export class VirtualClock {
  private us: number;

  constructor(start: Date = DEFAULT_START) {
    this.us = start.getTime() * 1000;
  }

  /** Microseconds since the epoch. */
  get micros(): number {
    return this.us;
  }

  advanceMicros(us: number): void {
    this.us += Math.max(0, Math.round(us));
  }

  advanceMs(ms: number): void {
    this.advanceMicros(ms * 1000);
  }

  /**
   * The instant as Hubble stamps events; the events of one instant share one value, which nothing
   * changes (`Timestamp` is read-only; not frozen, as freezing costs more than building one).
   */
  timestamp(): Timestamp {
    if (this.us !== this.stampedAt) {
      const seconds = Math.floor(this.us / 1e6);
      this.stamp = new Stamp(seconds, (this.us - seconds * 1e6) * 1000);
      this.stampedAt = this.us;
    }
    return this.stamp!;
  }

  private stampedAt = NaN;
  private stamp: Timestamp | undefined;

  now(): Date {
    return new Date(Math.floor(this.us / 1000));
  }

  /**
   * `now().toISOString()`, with the part up to the minute remembered: every command is stamped, and a denied one
   * moves the clock on by seconds, so a new second is common and a new minute is not.
   */
  iso(): string {
    const ms = Math.floor(this.us / 1000);
    const second = Math.floor(ms / 1000);
    const minute = Math.floor(second / 60);
    if (minute !== this.isoMinute) {
      const full = new Date(minute * 60_000).toISOString();
      this.isoMinute = minute;
      this.isoPrefix = full.slice(0, full.length - 7);
    }
    return this.isoPrefix + SECONDS[second - minute * 60]! + MILLIS[ms - second * 1000]!;
  }

  private isoMinute = NaN;
  private isoPrefix = '';
}

/** `00.` … `59.`: the seconds of an ISO 8601 instant. */
const SECONDS = Array.from({ length: 60 }, (_, i) => `${String(i).padStart(2, '0')}.`);

/** `000Z` … `999Z`: the tail of an ISO 8601 instant. */
const MILLIS = Array.from({ length: 1000 }, (_, i) => `${String(i).padStart(3, '0')}Z`);
