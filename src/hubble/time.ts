/**
 * @module hubble/time
 *
 * Timestamps as Hubble reads and writes them: protojson's RFC 3339 text (UTC,
 * `Z`, a fraction of 0, 3, 6 or 9 digits), and the Go layouts that
 * `hubble observe --time-format` accepts (cilium `hubble/pkg/time/time.go`).
 * Formatting is done by hand rather than through `Date`, which has only
 * millisecond precision.
 */
import type { Timestamp } from './flow.js';

const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?([Zz]|([+-])(\d\d):(\d\d))$/;

// Consecutive flows mostly share their second: remember the last two whole-second prefixes (UTC only) — two,
// because an exporter line carries the flow's time and the envelope's, and they alternate.
let lastPrefix = '';
let lastSeconds = 0;
let prevPrefix = '';
let prevSeconds = 0;
const FAST_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.(\d{1,9}))?Z$/;

/** Parses an RFC 3339 timestamp (any offset, up to 9 fraction digits); `undefined` if invalid. */
export function parseTimestamp(text: string): Timestamp | undefined {
  const seconds = lastPrefix !== '' && text.startsWith(lastPrefix) ? lastSeconds : prevPrefix !== '' && text.startsWith(prevPrefix) ? prevSeconds : undefined;
  if (seconds !== undefined) {
    const f = FAST_UTC.exec(text);
    if (f) return { seconds, nanos: f[1] === undefined ? 0 : Number(f[1].padEnd(9, '0')) };
  }
  const t = parseTimestampSlow(text);
  if (t && text.length >= 20 && text.endsWith('Z')) {
    prevPrefix = lastPrefix;
    prevSeconds = lastSeconds;
    lastPrefix = text.slice(0, 19);
    lastSeconds = t.seconds;
  }
  return t;
}

/** Days in a month of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Seconds since 1970-01-01T00:00:00Z of a valid UTC date and time (proleptic
 * Gregorian, no leap seconds): arithmetic (H. Hinnant's days_from_civil), not
 * `Date`, which reads years 0–99 as 1900–1999 and costs more on a hot path.
 */
export function utcSeconds(year: number, month: number, day: number, hour: number, min: number, sec: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const days = era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
  return days * 86400 + hour * 3600 + min * 60 + sec;
}

function parseTimestampSlow(text: string): Timestamp | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const min = Number(mi);
  const sec = Number(s);
  // A real RFC 3339 parser rejects Feb 30 rather than rolling it over into March.
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || min > 59 || sec > 59) return undefined;
  let seconds = utcSeconds(year, month, day, hour, min, sec);
  if (sign !== undefined) seconds -= (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60);
  const nanos = frac === undefined ? 0 : Number(frac.padEnd(9, '0'));
  return { seconds, nanos };
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

interface Parts { y: number; mo: number; d: number; h: number; mi: number; s: number; wd: number }

function parts(ts: Timestamp): Parts {
  const dt = new Date(ts.seconds * 1000);
  return {
    y: dt.getUTCFullYear(), mo: dt.getUTCMonth(), d: dt.getUTCDate(), h: dt.getUTCHours(), mi: dt.getUTCMinutes(),
    s: dt.getUTCSeconds(), wd: dt.getUTCDay(),
  };
}

/** Whether a timestamp is one protobuf accepts (`Timestamp.IsValid`: years 1–9999, nanos in range). */
export function isValidTimestamp(ts: Timestamp): boolean {
  return ts.seconds >= -62135596800 && ts.seconds <= 253402300799 && ts.nanos >= 0 && ts.nanos < 1e9;
}

function ymdhms(p: Parts): string {
  return `${pad(p.y, 4)}-${pad(p.mo + 1, 2)}-${pad(p.d, 2)}T${pad(p.h, 2)}:${pad(p.mi, 2)}:${pad(p.s, 2)}`;
}

/** protojson's text: RFC 3339 in UTC with the shortest of 0, 3, 6 or 9 fraction digits. */
export function formatProtoTimestamp(ts: Timestamp): string {
  let frac = '';
  if (ts.nanos !== 0) {
    const n = pad(ts.nanos, 9);
    frac = ts.nanos % 1e6 === 0 ? `.${n.slice(0, 3)}` : ts.nanos % 1e3 === 0 ? `.${n.slice(0, 6)}` : `.${n}`;
  }
  return `${ymdhms(parts(ts))}${frac}Z`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** The `--time-format` names hubble accepts (case-insensitive), as in `hubble/pkg/time`. */
export const TIME_FORMATS = [
  'StampMilli', 'RFC3339', 'RFC3339Milli', 'RFC3339Micro', 'RFC3339Nano', 'RFC1123Z', 'YearMonthDay', 'YearMonthDayHour',
  'YearMonthDayHourMinute',
] as const;
export type TimeFormat = (typeof TIME_FORMATS)[number];

/** Resolves a `--time-format` name case-insensitively; `undefined` when unknown. */
export function parseTimeFormat(name: string): TimeFormat | undefined {
  const l = name.toLowerCase();
  return TIME_FORMATS.find((f) => f.toLowerCase() === l);
}

/** Go's `.999…` fraction: trailing zeros trimmed, nothing at all when zero. */
function trimmedFraction(nanos: number, digits: number): string {
  const s = pad(nanos, 9).slice(0, digits).replace(/0+$/, '');
  return s === '' ? '' : `.${s}`;
}

/**
 * Formats a timestamp as Go's `time.Format(layout)` does in UTC for the
 * named layout. `StampMilli` is `Jan _2 15:04:05.000` (space-padded day,
 * no year); `RFC3339Milli`/`Micro`/`Nano` use Go's `.999` layouts, which trim
 * trailing zeros (`hubble/pkg/time/time.go`).
 */
export function formatTimestamp(ts: Timestamp, format: TimeFormat): string {
  const p = parts(ts);
  switch (format) {
    case 'StampMilli':
      return `${MONTHS[p.mo]} ${String(p.d).padStart(2, ' ')} ${pad(p.h, 2)}:${pad(p.mi, 2)}:${pad(p.s, 2)}.${pad(Math.floor(ts.nanos / 1e6), 3)}`;
    case 'RFC3339':
      return `${ymdhms(p)}Z`;
    case 'RFC3339Milli':
      return `${ymdhms(p)}${trimmedFraction(ts.nanos, 3)}Z`;
    case 'RFC3339Micro':
      return `${ymdhms(p)}${trimmedFraction(ts.nanos, 6)}Z`;
    case 'RFC3339Nano':
      return `${ymdhms(p)}${trimmedFraction(ts.nanos, 9)}Z`;
    case 'RFC1123Z':
      return `${DAYS[p.wd]}, ${pad(p.d, 2)} ${MONTHS[p.mo]} ${pad(p.y, 4)} ${pad(p.h, 2)}:${pad(p.mi, 2)}:${pad(p.s, 2)} +0000`;
    case 'YearMonthDay':
      return `${pad(p.y, 4)}-${pad(p.mo + 1, 2)}-${pad(p.d, 2)}`;
    case 'YearMonthDayHour':
      return `${pad(p.y, 4)}-${pad(p.mo + 1, 2)}-${pad(p.d, 2)}T${pad(p.h, 2)}Z`;
    case 'YearMonthDayHourMinute':
      return `${pad(p.y, 4)}-${pad(p.mo + 1, 2)}-${pad(p.d, 2)}T${pad(p.h, 2)}:${pad(p.mi, 2)}Z`;
  }
}

/** Compares two timestamps: negative, zero or positive. */
export function compareTimestamps(a: Timestamp, b: Timestamp): number {
  return a.seconds !== b.seconds ? a.seconds - b.seconds : a.nanos - b.nanos;
}

const DURATION_UNITS: ReadonlyMap<string, number> = new Map([
  ['ns', 1], ['us', 1e3], ['µs', 1e3], ['μs', 1e3], ['ms', 1e6], ['s', 1e9], ['m', 60e9], ['h', 3600e9],
]);

/** Go's `time.Duration` is an int64 of nanoseconds: about ±292 years, ±2562047h. */
const GO_DURATION_MAX_NS = 2 ** 63;

const DURATION_TEXT = /^[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;

/** True when `text` is written like a Go duration, whether or not its value fits (for messages). */
export function looksLikeGoDuration(text: string): boolean {
  return DURATION_TEXT.test(text);
}

/**
 * Parses a Go duration (`300ms`, `5m`, `1h43m`, `-1.5h`) into nanoseconds;
 * `undefined` if invalid or, as Go's `time.ParseDuration` says "invalid
 * duration", beyond the int64 range (so `9999999999999999h` is refused, not
 * turned into a date no calendar has).
 */
export function parseGoDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  const re = /^(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  while (s.length > 0) {
    const m = re.exec(s);
    if (!m) return undefined;
    const unit = DURATION_UNITS.get(m[2] as string);
    if (unit === undefined) return undefined;
    total += Number(m[1]) * unit;
    if (!(total <= GO_DURATION_MAX_NS)) return undefined;
    s = s.slice(m[0].length);
  }
  if (sign > 0 && total >= GO_DURATION_MAX_NS) return undefined;
  return sign * total;
}

/** Timestamp from milliseconds since the epoch. */
export function timestampFromMillis(ms: number): Timestamp {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

// YearMonthDay, YearMonthDayHour and YearMonthDayHourMinute; the first has no zone (UTC).
const ABSOLUTE_LAYOUT = /^(\d{4})-(\d\d)-(\d\d)(?:T(\d\d)(?::(\d\d))?(Z|[+-]\d\d:\d\d))?$/;

/**
 * Parses a `--since`/`--until` value as hubble's `FromString` does: a Go
 * duration before `now`, or an absolute time in YearMonthDay,
 * YearMonthDayHour, YearMonthDayHourMinute, RFC3339(Nano/Milli/Micro) or
 * RFC1123Z. `undefined` when it is none of these.
 */
export function parseTimeArg(text: string, nowMs: number): Timestamp | undefined {
  const d = parseGoDuration(text);
  if (d !== undefined) {
    const ns = BigInt(Math.round(nowMs)) * 1_000_000n - BigInt(Math.round(d));
    const seconds = ns / 1_000_000_000n;
    const rem = ns % 1_000_000_000n;
    return rem < 0n ? { seconds: Number(seconds - 1n), nanos: Number(rem + 1_000_000_000n) } : { seconds: Number(seconds), nanos: Number(rem) };
  }
  const full = parseTimestamp(text);
  if (full) return full;
  const m = ABSOLUTE_LAYOUT.exec(text);
  if (m) {
    const [, y, mo, day, h = '00', mi = '00', zone = 'Z'] = m;
    return parseTimestamp(`${y}-${mo}-${day}T${h}:${mi}:00${zone}`);
  }
  const rfc1123z = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d\d) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/.exec(text);
  if (rfc1123z) {
    const [, , day, mon, y, h, mi, s, sign, oh, om] = rfc1123z;
    const mo = MONTHS.indexOf(mon as (typeof MONTHS)[number]) + 1;
    return parseTimestamp(`${y}-${pad(mo, 2)}-${day}T${h}:${mi}:${s}${sign}${oh}:${om}`);
  }
  return undefined;
}
