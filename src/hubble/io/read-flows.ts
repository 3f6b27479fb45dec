/**
 * @module hubble/io/read-flows
 *
 * The Node I/O shell around the pure `FlowStreamParser`: reads a file or a
 * byte stream (stdin), detects gzip by its magic bytes (1f 8b) and inflates
 * it on the fly, and pushes chunks through the parser. Memory stays flat: one
 * chunk and at most one capped partial line are held at a time.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { FlowStreamParser, type FlowStreamParserOptions, type ReaderSink, type ReadStats } from '../reader.js';

/** The outcome of a read: the tally, and a fatal I/O error if the input could not be read to the end. */
export interface ReadResult {
  readonly stats: ReadStats;
  /** Set when the source could not be opened or decompressed; lines before it were still delivered. */
  readonly error?: string;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** Re-yields a byte stream, inflating it first when it starts with the gzip magic bytes. */
async function* maybeGunzip(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  let first: Uint8Array | undefined;
  // Gather at least two bytes to look at the magic number.
  while (!first || first.length < 2) {
    const n = await it.next();
    if (n.done) break;
    first = first ? concat(first, n.value) : n.value;
  }
  if (!first) return;
  const rest: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => it };
  if (first[0] === GZIP_MAGIC_0 && first[1] === GZIP_MAGIC_1) {
    const head = first;
    const raw = Readable.from((async function* () {
      yield head;
      yield* rest;
    })());
    const gunzip = createGunzip();
    raw.on('error', (e) => gunzip.destroy(e));
    raw.pipe(gunzip);
    yield* gunzip as AsyncIterable<Uint8Array>;
    return;
  }
  yield first;
  yield* rest;
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
    case 'Z_BUF_ERROR':
      return `${name}: gzip data is truncated (unexpected end of file)`;
    case 'Z_DATA_ERROR':
      return `${name}: gzip data is corrupt (${err.message})`;
    default:
      return `${name}: ${err?.message ?? String(e)}`;
  }
}

/** Reads flows from a byte stream (e.g. `process.stdin`), plain or gzip. Never throws. */
export async function readFlowStream(
  source: AsyncIterable<Uint8Array>,
  sink: ReaderSink,
  options: FlowStreamParserOptions & { name?: string } = {},
): Promise<ReadResult> {
  const parser = new FlowStreamParser(sink, options);
  try {
    for await (const chunk of maybeGunzip(source)) parser.push(chunk);
  } catch (e) {
    parser.end();
    return { stats: parser.stats, error: describe(e, options.name ?? 'input') };
  }
  parser.end();
  return { stats: parser.stats };
}

/** Reads flows from a file, plain or gzip. Never throws; an unreadable file is `error`. */
export function readFlowFile(path: string, sink: ReaderSink, options: FlowStreamParserOptions = {}): Promise<ReadResult> {
  const stream = createReadStream(path, { highWaterMark: 1 << 16 });
  return readFlowStream(stream as AsyncIterable<Uint8Array>, sink, { ...options, name: path });
}
