/**
 * @module hubble/io/read-flows
 *
 * The Node I/O shell around the pure `FlowStreamParser`: reads a file or a
 * byte stream (stdin), detects gzip by its magic bytes (1f 8b) and inflates
 * it on the fly (member by member, `gunzip.ts`), and pushes chunks through the
 * parser. Memory stays flat: one chunk and at most one capped partial line are
 * held at a time.
 */
import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { emptyStats, FlowStreamParser, type FlowStreamParserOptions, type ReaderSink, type ReadStats } from '../reader.js';
import { gunzipMembers, type GzipDamage } from './gunzip.js';

/** The outcome of a read: the tally, and what kept the input from being read whole. */
export interface ReadResult {
  readonly stats: ReadStats;
  /** Set when the source could not be opened or read; lines before it were still delivered. */
  readonly error?: string;
  /** Set when gzip data had trailing bytes, was cut short or corrupt; every complete line before it was delivered. */
  readonly damage?: string;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** A chunk of plain ASCII as text: a copy, several times faster than `TextDecoder` (Node 20's goes through ICU). */
function asciiText(bytes: Uint8Array): string | undefined {
  if (!isAscii(bytes)) return undefined;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** Re-yields a byte stream, inflating it first when it starts with the gzip magic bytes. */
async function* maybeGunzip(source: AsyncIterable<Uint8Array>, onDamage: (d: GzipDamage) => void): AsyncGenerator<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  let first: Uint8Array | undefined;
  // Gather at least two bytes to look at the magic number.
  while (!first || first.length < 2) {
    const n = await it.next();
    if (n.done) break;
    first = first ? concat(first, n.value) : n.value;
  }
  if (!first) return;
  const head = first;
  const all: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: async function* () {
      yield head;
      yield* { [Symbol.asyncIterator]: () => it };
    },
  };
  if (first[0] === GZIP_MAGIC_0 && first[1] === GZIP_MAGIC_1) {
    yield* gunzipMembers(all, onDamage);
    return;
  }
  yield* all;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const c = new Uint8Array(a.length + b.length);
  c.set(a, 0);
  c.set(b, a.length);
  return c;
}

function describe(e: unknown, name: string): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT':
      return `${name}: no such file`;
    case 'EACCES':
      return `${name}: permission denied`;
    case 'EISDIR':
      return `${name}: is a directory`;
    default:
      return `${name}: ${err?.message ?? String(e)}`;
  }
}

/** An error of the byte source itself (open, read), as opposed to one of the code consuming it. */
class SourceError extends Error {
  constructor(override readonly cause: unknown) {
    super('source error');
  }
}

/** Re-yields a source, marking what it throws as a {@link SourceError}. */
async function* marked(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  for (;;) {
    let n: IteratorResult<Uint8Array>;
    try {
      n = await it.next();
    } catch (e) {
      throw new SourceError(e);
    }
    if (n.done) return;
    yield n.value;
  }
}

/**
 * Reads flows from a byte stream (e.g. `process.stdin`), plain or gzip.
 * A source that cannot be read is `error`, never a throw. What the sink
 * throws is not a read error and propagates: reporting a bug in the code
 * that prints flows as "cannot read the file" would hide it.
 */
export async function readFlowStream(
  source: AsyncIterable<Uint8Array>,
  sink: ReaderSink,
  options: FlowStreamParserOptions & { name?: string } = {},
): Promise<ReadResult> {
  const parser = new FlowStreamParser(sink, { decodeAscii: asciiText, ...options });
  let damage: GzipDamage | undefined;
  try {
    for await (const chunk of maybeGunzip(marked(source), (d) => (damage = d))) parser.push(chunk);
  } catch (e) {
    if (!(e instanceof SourceError)) throw e;
    parser.end();
    return { stats: parser.stats, error: describe(e.cause, options.name ?? 'input') };
  }
  if (!damage) {
    parser.end();
    return { stats: parser.stats };
  }
  // A cut member ends inside a line: that fragment belongs to the one damage report, not to a line report of its own.
  const dropped = damage.kind === 'trailing' ? 0 : parser.dropPartialLine();
  parser.end();
  const tail = dropped > 0 ? `; the incomplete last line (${dropped} characters) was dropped` : '';
  return { stats: parser.stats, damage: `${options.name ?? 'input'}: ${damage.message}${tail}` };
}

/** Reads flows from a file, plain or gzip. Never throws; an unreadable file is `error`. */
export async function readFlowFile(path: string, sink: ReaderSink, options: FlowStreamParserOptions = {}): Promise<ReadResult> {
  let stream: AsyncIterable<Uint8Array>;
  try {
    stream = createReadStream(path, { highWaterMark: 1 << 16 }) as AsyncIterable<Uint8Array>;
  } catch (e) {
    // A path Node refuses outright (a NUL byte in it) throws here, not from the stream (found by the fuzzer).
    return { stats: emptyStats(), error: describe(e, path) };
  }
  return readFlowStream(stream, sink, { ...options, name: path });
}
