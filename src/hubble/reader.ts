/**
 * @module hubble/reader
 *
 * The streaming core of the flow reader, without I/O: bytes in (chunks of any
 * size), flow records out, plus a tally of what was read and skipped. It keeps
 * at most one partial line in memory, capped at `maxLineLength`; a longer line
 * is dropped as it streams past and reported, never buffered whole. So memory
 * stays flat however large the input. The Node file/stdin/gzip shell is
 * `io/read-flows.ts`; a browser can feed this from a `ReadableStream`.
 */
import type { FlowRecord } from './flow.js';
import { decodeValue, parseLine, type IgnoredKind, type LineResult, type SkipReason } from './parse-line.js';

/** A line that was skipped, with its 1-based number. */
export interface LineIssue {
  readonly line: number;
  readonly reason: SkipReason;
  readonly message: string;
}

/** Counts of what a read produced. */
export interface ReadStats {
  lines: number;
  flows: number;
  blank: number;
  skipped: Record<SkipReason, number>;
  ignored: Record<IgnoredKind, number>;
}

/** Receives what the parser finds, in input order. */
export interface ReaderSink {
  /** A decoded flow. */
  flow(record: FlowRecord, line: number): void;
  /** A skipped line (optional: the tally counts it either way). */
  issue?(issue: LineIssue): void;
}

/** Options of `FlowStreamParser`. */
export interface FlowStreamParserOptions {
  /** Longest line kept, in UTF-16 code units; longer lines are skipped. Default 1 MiB (1,048,576). */
  readonly maxLineLength?: number;
  /** Turns each parsed JSON line into records (default: the full `decodeValue`). */
  readonly decode?: (value: unknown) => LineResult;
  /**
   * A faster reader of a whole line that starts with `{`, tried before
   * `JSON.parse`: it returns what `parseLine(line, decode)` would, or
   * `undefined` to leave the line to it (default: none).
   */
  readonly scan?: (line: string) => LineResult | undefined;
  /**
   * Decodes a chunk fast when it is plain ASCII (Node: `buffer.isAscii` and
   * latin1), or returns `undefined`; ASCII text is the same in UTF-8, so the
   * lines are the same (default: every chunk goes through `TextDecoder`).
   */
  readonly decodeAscii?: (bytes: Uint8Array) => string | undefined;
}

/** The default line cap: 1 MiB. Hubble itself stops at bufio's 64 KiB; we are more lenient. */
export const DEFAULT_MAX_LINE_LENGTH = 1 << 20;

/** Fresh, all-zero statistics. */
export function emptyStats(): ReadStats {
  return {
    lines: 0, flows: 0, blank: 0,
    skipped: { 'invalid-json': 0, 'text-output': 0, 'not-a-flow': 0, 'bad-field': 0, 'too-long': 0 },
    ignored: { lost_events: 0, node_status: 0, agent_event: 0, debug_event: 0 },
  };
}

/**
 * Splits a byte stream into lines and parses each one. Push chunks with
 * `push`, then call `end` once. Lines end at `\n`; a trailing `\r` is dropped
 * as Go's `bufio.ScanLines` does. Invalid UTF-8 becomes U+FFFD and then fails
 * JSON parsing, so binary garbage is reported line by line, not fatal.
 */
export class FlowStreamParser {
  /** The running tally. */
  readonly stats: ReadStats = emptyStats();
  private readonly decoder = new TextDecoder('utf-8');
  private readonly max: number;
  private readonly decode: (value: unknown) => LineResult;
  private readonly scan: ((line: string) => LineResult | undefined) | undefined;
  private readonly decodeAscii: ((bytes: Uint8Array) => string | undefined) | undefined;
  /** Bytes given to the TextDecoder: from 3 on, a BOM can no longer be at its start, so other decoders may take turns. */
  private decoded = 0;
  private carry = '';
  /** Length of the over-long line being skipped, or -1 when not skipping. */
  private skipping = -1;
  /** True when the last byte decoded was ASCII, so the decoder holds no partial UTF-8 sequence. */
  private asciiBoundary = true;

  constructor(private readonly sink: ReaderSink, options: FlowStreamParserOptions = {}) {
    this.max = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
    this.decode = options.decode ?? decodeValue;
    this.scan = options.scan;
    this.decodeAscii = options.decodeAscii;
  }

  /** Feeds the next chunk of bytes (or already-decoded text). */
  push(chunk: Uint8Array | string): void {
    if (typeof chunk === 'string') {
      this.feed(chunk);
      return;
    }
    let bytes = chunk;
    // Blank lines at a line start are counted on the bytes, before decoding: a file of newlines is read at memory speed.
    // Only when the decoder holds no partial character, i.e. the previous chunk ended in ASCII.
    if (this.carry === '' && this.skipping < 0 && this.asciiBoundary) {
      const i = this.skipBlankBytes(bytes);
      if (i > 0) bytes = bytes.subarray(i);
    }
    if (bytes.length === 0) return;
    // Only at a character boundary (nothing pending in the TextDecoder) and past where a BOM could be stripped.
    const fast = this.asciiBoundary && this.decoded >= 3 && this.decodeAscii !== undefined ? this.decodeAscii(bytes) : undefined;
    this.asciiBoundary = (bytes[bytes.length - 1] as number) < 0x80;
    if (fast !== undefined) {
      this.feed(fast);
      return;
    }
    this.decoded += bytes.length;
    this.feed(this.decoder.decode(bytes, { stream: true }));
  }

  /** Flushes the last line (a file need not end with a newline). */
  end(): void {
    this.feed(this.decoder.decode());
    if (this.skipping >= 0) {
      this.tooLong(this.skipping);
    } else if (this.carry !== '') {
      this.line(this.carry);
    }
    this.carry = '';
    this.skipping = -1;
  }

  /**
   * Drops the line in progress (text after the last newline) without
   * reporting it, and returns its length: for input cut off mid-line, which
   * the caller reports once as a whole.
   */
  dropPartialLine(): number {
    const rest = this.decoder.decode();
    const n = this.skipping >= 0 ? this.skipping + rest.length : this.carry.length + rest.length;
    this.carry = '';
    this.skipping = -1;
    return n;
  }

  private feed(text: string): void {
    let start = 0;
    for (;;) {
      if (this.carry === '' && this.skipping < 0) start = this.skipBlankRun(text, start);
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      if (this.skipping >= 0) {
        this.tooLong(this.skipping + nl - start);
        this.skipping = -1;
      } else if (this.carry !== '') {
        const line = this.carry + text.slice(start, nl);
        this.carry = '';
        if (line.length > this.max) this.tooLong(line.length);
        else this.line(line);
      } else if (nl - start > this.max) {
        this.tooLong(nl - start);
      } else {
        this.line(text.slice(start, nl));
      }
      start = nl + 1;
    }
    const rest = text.length - start;
    if (rest === 0) return;
    if (this.skipping >= 0) {
      this.skipping += rest;
    } else if (this.carry.length + rest > this.max) {
      // Drop what we have so far: the line is over the cap, whatever follows.
      this.skipping = this.carry.length + rest;
      this.carry = '';
    } else {
      this.carry += text.slice(start);
    }
  }

  /**
   * Counts a run of empty lines (`\n` or `\r\n`) starting at `start` in one
   * tight loop, with no line string, parse or report per line: megabytes of
   * newlines (padding, a broken export) then cost what reading them costs.
   * Returns where the run ends.
   */
  private skipBlankRun(text: string, start: number): number {
    // Bounded loops: reading past the end (NaN) would deoptimise them.
    const len = text.length;
    let i = start;
    let n = 0;
    for (;;) {
      if (i < len && text.charCodeAt(i) === 10) i++;
      else if (i + 1 < len && text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10) i += 2;
      else break;
      n++;
    }
    if (n === 0) return start;
    this.stats.lines += n;
    this.stats.blank += n;
    return i;
  }

  /** `skipBlankRun` on bytes (`\n` = 10, `\r` = 13): returns how many leading bytes were blank lines. */
  private skipBlankBytes(b: Uint8Array): number {
    const len = b.length;
    let i = 0;
    let n = 0;
    for (;;) {
      if (i < len && b[i] === 10) i++;
      else if (i + 1 < len && b[i] === 13 && b[i + 1] === 10) i += 2;
      else break;
      n++;
    }
    this.stats.lines += n;
    this.stats.blank += n;
    return i;
  }

  private tooLong(length: number): void {
    const n = ++this.stats.lines;
    this.stats.skipped['too-long']++;
    this.sink.issue?.({ line: n, reason: 'too-long', message: `line is ${length} characters long, over the limit of ${this.max}; skipped` });
  }

  private line(raw: string): void {
    const n = ++this.stats.lines;
    // A character code, not `endsWith`: this runs for every line, and the builtin call costs more.
    const text = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    if (text === '') {
      this.stats.blank++;
      return;
    }
    const r = (this.scan !== undefined && text.charCodeAt(0) === 123 ? this.scan(text) : undefined) ?? parseLine(text, this.decode);
    switch (r.kind) {
      case 'blank':
        this.stats.blank++;
        return;
      case 'skip':
        this.stats.skipped[r.reason]++;
        this.sink.issue?.({ line: n, reason: r.reason, message: r.message });
        return;
      case 'records':
        for (let i = 0; i < r.ignored.length; i++) this.stats.ignored[r.ignored[i]!]++;
        for (let i = 0; i < r.records.length; i++) {
          this.stats.flows++;
          this.sink.flow(r.records[i]!, n);
        }
    }
  }
}

const REASON_TEXT: Record<SkipReason, string> = {
  'invalid-json': 'invalid JSON',
  'text-output': 'hubble text output',
  'not-a-flow': 'not a flow',
  'bad-field': 'field of the wrong type',
  'too-long': 'line too long',
};

/** Total number of skipped lines. */
export function skippedCount(s: ReadStats): number {
  return Object.values(s.skipped).reduce((a, b) => a + b, 0);
}

/**
 * One-line summary of a read, e.g.
 * `read 12 lines: 9 flows, 2 skipped (1 invalid JSON, 1 line too long), 1 ignored (1 lost_events)`.
 */
export function formatReadSummary(s: ReadStats): string {
  const skipped = skippedCount(s);
  const ignored = Object.values(s.ignored).reduce((a, b) => a + b, 0);
  let out = `read ${s.lines} line${s.lines === 1 ? '' : 's'}: ${s.flows} flow${s.flows === 1 ? '' : 's'}, ${skipped} skipped`;
  if (skipped > 0) {
    const parts = (Object.keys(s.skipped) as SkipReason[]).filter((k) => s.skipped[k] > 0).map((k) => `${s.skipped[k]} ${REASON_TEXT[k]}`);
    out += ` (${parts.join(', ')})`;
  }
  if (ignored > 0) {
    const parts = (Object.keys(s.ignored) as IgnoredKind[]).filter((k) => s.ignored[k] > 0).map((k) => `${s.ignored[k]} ${k}`);
    out += `, ${ignored} ignored (${parts.join(', ')})`;
  }
  if (s.blank > 0) out += `, ${s.blank} blank`;
  return out;
}
