/**
 * Time parsing as hubble does it: Go durations (`time.ParseDuration`, with
 * its int64-nanosecond range), RFC 3339 timestamps, and `--since`/`--until`
 * values (`hubble/pkg/time/time.go` `FromString`).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { looksLikeGoDuration, parseGoDuration, parseTimeArg, parseTimestamp } from './time.js';

describe('Go durations (time.ParseDuration)', () => {
  const ok: [string, number][] = [
    ['0', 0], ['5m', 300e9], ['1h43m', 6180e9], ['-1.5h', -5400e9], ['300ms', 300e6], ['2562047h', 2562047 * 3600e9],
  ];
  for (const [text, ns] of ok) it(`${text} = ${ns} ns`, () => assert.equal(parseGoDuration(text), ns));
  // Beyond 1<<63 - 1 ns Go says "invalid duration"; 9999999999999999h once became a date no calendar has.
  for (const text of ['2562048h', '9999999999999999h', `${'9'.repeat(400)}h`, '-9999999999999999h', '5', 'h', '1d']) {
    it(`${text.slice(0, 20)} is refused`, () => assert.equal(parseGoDuration(text), undefined));
  }
  it('an out-of-range duration still looks like a duration (for the message)', () => {
    assert.ok(looksLikeGoDuration('9999999999999999h'));
    assert.ok(!looksLikeGoDuration('last tuesday'));
  });
  it('--since 9999999999999999h is no time at all', () => assert.equal(parseTimeArg('9999999999999999h', Date.now()), undefined));
  it('--since 2562047h is a real date, 292 years ago', () => {
    const t = parseTimeArg('2562047h', Date.UTC(2025, 0, 1));
    assert.ok(t);
    assert.equal(new Date((t?.seconds ?? 0) * 1000).getUTCFullYear(), 1732);
  });
});

describe('RFC 3339 timestamps', () => {
  it('years 0001-0099 are not read as 1900-1999 (Date.UTC would)', () => {
    assert.deepEqual(parseTimestamp('0050-01-01T00:00:00Z'), { seconds: -60589296000, nanos: 0 });
  });
  it('Feb 30 is refused', () => assert.equal(parseTimestamp('2024-02-30T00:00:00Z'), undefined));
  it('offsets and fractions', () => assert.deepEqual(parseTimestamp('2024-01-02T03:04:05.5+01:00'), { seconds: Date.UTC(2024, 0, 2, 2, 4, 5) / 1000, nanos: 500000000 }));
});
