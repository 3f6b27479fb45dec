/**
 * @module generate/line-values
 *
 * Values the reduction's line readers (`flow-pattern.ts`, `scan-decode.ts`)
 * make from the text of a line, shared so both make them alike: label lists
 * and namespaces, one object per distinct text (bounded memos: a few hundred
 * distinct lists stand for millions of flows), timestamps by arithmetic, and
 * copies of strings. The readers hand out no slice of a line: the reduction
 * keeps some strings, and a slice would keep the whole chunk it was read in.
 */
import type { Timestamp } from '../hubble/flow.js';
import { daysInMonth } from '../hubble/time.js';

/**
 * A string that shares no storage with a larger one: `slice` shares the
 * line's storage from 13 characters on; joining forces a flat copy.
 */
export function copyString(x: string): string {
  return x.length < 13 ? x : (' ' + x).slice(1);
}

// Label lists by their text: a few hundred distinct lists stand for millions of endpoints.
const LABELS = new Map<string, string[] | undefined>();
const LABELS_MAX = 4096;
const LABELS_MAX_TEXT = 2048;

/** A label list by its (valid) JSON text, from the memo; `undefined` when empty. */
export function labelsOf(text: string): string[] | undefined {
  let v = LABELS.get(text);
  if (v === undefined && !LABELS.has(text)) {
    const list = JSON.parse(text) as string[];
    v = list.length > 0 ? list : undefined;
    if (text.length <= LABELS_MAX_TEXT) {
      if (LABELS.size >= LABELS_MAX) LABELS.clear();
      LABELS.set(copyString(text), v);
    }
  }
  return v;
}

// Namespaces by their text, so each is one string however many flows name it.
const NAMES = new Map<string, string>();

/** One string per distinct namespace text (bounded). */
export function internName(text: string): string {
  let v = NAMES.get(text);
  if (v === undefined) {
    if (NAMES.size >= 4096) NAMES.clear();
    v = copyString(text);
    NAMES.set(v, v);
  }
  return v;
}

const SCALE = [1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 100, 10, 1];

/**
 * Whether the whole-second text at `at` (`2024-05-01T10:00:00`, digits
 * where digits go) names a second `parseTimestamp` accepts: what a line the
 * reduction skips needs of its times.
 */
export function validTimeAt(text: string, at: number): boolean {
  const d = (i: number) => text.charCodeAt(at + i) - 48;
  const mo = d(5) * 10 + d(6);
  const day = d(8) * 10 + d(9);
  if (mo < 1 || mo > 12 || day < 1 || d(11) * 10 + d(12) > 23 || d(14) > 5 || d(17) > 5) return false;
  return day <= 28 || day <= daysInMonth(d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3), mo);
}

/** `validTimeAt` of a whole string. */
export function validTime(prefix: string): boolean {
  return validTimeAt(prefix, 0);
}

/**
 * A UTC timestamp given as its whole-second text at `at` (see
 * `validTimeAt`) and fraction digits in [`from`, `to`) of the same text
 * (none when equal), as `parseTimestamp` reads it (proleptic Gregorian, no
 * leap seconds); `undefined` when the date does not exist. Arithmetic on the
 * line's characters, not `Date` nor slices: this runs twice per line.
 */
export function secondsAt(text: string, at: number, from: number, to: number): Timestamp | undefined {
  if (!validTimeAt(text, at)) return undefined;
  const d = (i: number) => text.charCodeAt(at + i) - 48;
  let y = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
  const mo = d(5) * 10 + d(6);
  const day = d(8) * 10 + d(9);
  // `utcSeconds` of hubble/time.ts, written out here: as a call, one (noisy) A/B measured ingest about 9% slower.
  if (mo <= 2) y--;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5) + day - 1;
  const days = era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
  const seconds = days * 86400 + (d(11) * 10 + d(12)) * 3600 + (d(14) * 10 + d(15)) * 60 + d(17) * 10 + d(18);
  // Digits by hand: `Number` of a short string took longer than the rest of this function.
  let nanos = 0;
  if (to > from) {
    for (let i = from; i < to; i++) nanos = nanos * 10 + text.charCodeAt(i) - 48;
    nanos *= SCALE[to - from]!;
  }
  return { seconds, nanos };
}

/** `secondsAt` of a whole-second text and its fraction digits, given apart. */
export function secondsOf(prefix: string, fraction: string | undefined): Timestamp | undefined {
  return fraction === undefined ? secondsAt(prefix, 0, 0, 0) : secondsAt(prefix + fraction, 0, prefix.length, prefix.length + fraction.length);
}
