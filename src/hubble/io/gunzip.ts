/**
 * @module hubble/io/gunzip
 *
 * Streaming gzip decompression that keeps every complete member. Exports are
 * often concatenated (several gzip members, which gzip itself reads as one
 * file), cut (a copy interrupted mid-member) or padded. Node's `createGunzip`
 * reads concatenated members, but on any other byte after a member it fails
 * with "incorrect header check" and drops the output of the whole chunk that
 * held the bad bytes: ten good flows followed by a stray newline came out as
 * "read 0 lines". So the gzip framing (RFC 1952 header and trailer) is parsed
 * here and only the deflate body goes through Node's raw inflater, whose
 * `bytesWritten` says where the body ended. Bytes after the last member are
 * counted, not buffered, and reported once; zero bytes there are padding, as
 * for gzip and Node, and are ignored silently. Memory stays one chunk deep.
 */
import { createInflateRaw, crc32, type InflateRaw } from 'node:zlib';

/** What went wrong with the gzip data, once, after every complete member was delivered. */
export interface GzipDamage {
  readonly kind: 'trailing' | 'truncated' | 'corrupt';
  /** One sentence for the user. */
  readonly message: string;
}

/**
 * Compressed bytes given to the inflater at a time. Its whole output for one
 * write is held until the write completes, and deflate expands up to ~1000:1,
 * so this bounds what a gzip bomb can make us hold to ~16 MiB.
 */
const INFLATE_SLICE = 1 << 14;

/** Upper bound on a member header (file name and comment fields are unbounded in RFC 1952). */
const MAX_HEADER = 1 << 16;

const EMPTY = new Uint8Array(0);

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const c = new Uint8Array(a.length + b.length);
  c.set(a, 0);
  c.set(b, a.length);
  return c;
}

/** Header length, `0` when more bytes are needed, or an error. RFC 1952 §2.3. */
function headerLength(b: Uint8Array): number | { error: string } {
  if (b.length < 10) return 0;
  if (b[0] !== 0x1f || b[1] !== 0x8b) return { error: 'not a gzip member header' };
  if (b[2] !== 8) return { error: 'unknown compression method' };
  const flags = b[3] as number;
  if (flags & 0xe0) return { error: 'reserved header flags set' };
  let i = 10;
  if (flags & 4) {
    if (b.length < i + 2) return 0;
    i += 2 + ((b[i] as number) | ((b[i + 1] as number) << 8));
  }
  for (const bit of [8, 16]) {
    if (!(flags & bit)) continue;
    const z = b.indexOf(0, i);
    if (z < 0) return b.length > MAX_HEADER ? { error: 'header too long' } : 0;
    i = z + 1;
  }
  if (flags & 2) i += 2;
  if (i > MAX_HEADER) return { error: 'header too long' };
  return b.length < i ? 0 : i;
}

function le32(b: Uint8Array, i: number): number {
  return ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24)) >>> 0;
}

/** Writes one chunk to the inflater; resolves with an error instead of hanging when the inflater fails. */
function write(inf: InflateRaw, chunk: Uint8Array, failed: () => Error | undefined): Promise<Error | undefined> {
  return new Promise((resolve) => {
    const onError = (e: Error) => resolve(e);
    inf.once('error', onError);
    inf.write(chunk, () => {
      inf.off('error', onError);
      resolve(failed());
    });
  });
}

/**
 * Inflates a gzip byte stream member by member. Yields the decompressed
 * bytes of every member as they come; `onDamage` is called at most once,
 * after the last good byte was yielded, when the stream has trailing bytes,
 * is cut short or is corrupt.
 */
export async function* gunzipMembers(source: AsyncIterable<Uint8Array>, onDamage: (d: GzipDamage) => void): AsyncGenerator<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  let buf: Uint8Array = EMPTY;
  /** Offset in the compressed input of `buf[0]`. */
  let offset = 0;
  let eof = false;
  const more = async (): Promise<boolean> => {
    if (eof) return false;
    const n = await it.next();
    if (n.done) {
      eof = true;
      return false;
    }
    buf = concat(buf, n.value);
    return true;
  };
  const cut = (what: string) => onDamage({
    kind: 'truncated',
    message: `gzip data is cut short in member ${members + 1} (${what}); ${members === 0 ? 'the lines' : `${members} complete member${members === 1 ? '' : 's'} and the lines`} before the cut were read`,
  });
  let members = 0;
  for (;;) {
    // Header, or the end of the input.
    while (buf.length < 10 && (await more()));
    if (buf.length === 0) return;
    if (members > 0 && (buf[0] !== 0x1f || (buf.length > 1 && buf[1] !== 0x8b))) {
      let bytes = buf.length;
      let padding = buf.every((x) => x === 0);
      const at = offset;
      buf = EMPTY;
      while (await more()) {
        bytes += buf.length;
        padding &&= buf.every((x) => x === 0);
        buf = EMPTY;
      }
      if (!padding) {
        onDamage({
          kind: 'trailing',
          message: `${bytes} byte${bytes === 1 ? '' : 's'} after the last complete gzip member (from byte ${at}) are not gzip data and were ignored; ${members} member${members === 1 ? ' was' : 's were'} read`,
        });
      }
      return;
    }
    let h = headerLength(buf);
    while (h === 0 && (await more())) h = headerLength(buf);
    if (h === 0) return cut('incomplete header');
    if (typeof h !== 'number') {
      return onDamage({ kind: 'corrupt', message: `gzip data is corrupt at byte ${offset} (${h.error}); ${members} complete member${members === 1 ? ' was' : 's were'} read` });
    }
    buf = buf.subarray(h);
    offset += h;

    // Deflate body: raw inflate stops at the end of the body; bytesWritten is how much of the input it used.
    const inf = createInflateRaw();
    const out: Uint8Array[] = [];
    let failure: Error | undefined;
    inf.on('data', (d: Uint8Array) => out.push(d));
    inf.on('error', (e: Error) => (failure = e));
    let crc = 0;
    let size = 0;
    let written = 0;
    let ended = false;
    try {
      while (!ended) {
        if (buf.length === 0 && !(await more())) break;
        const chunk = buf.length > INFLATE_SLICE ? buf.subarray(0, INFLATE_SLICE) : buf;
        buf = buf.length > INFLATE_SLICE ? buf.subarray(INFLATE_SLICE) : EMPTY;
        const err = await write(inf, chunk, () => failure);
        written += chunk.length;
        for (const d of out) {
          crc = crc32(d, crc);
          size += d.length;
          yield d;
        }
        out.length = 0;
        if (err) {
          return onDamage({
            kind: 'corrupt',
            message: `gzip data is corrupt in member ${members + 1} (${err.message}); the lines before the damage were read`,
          });
        }
        const left = written - inf.bytesWritten;
        if (left > 0) {
          ended = true;
          buf = concat(chunk.subarray(chunk.length - left), buf);
          offset += inf.bytesWritten;
        }
      }
    } finally {
      inf.close();
    }
    if (!ended) return cut('unexpected end of file');

    // Trailer: CRC-32 and length of the member's data.
    while (buf.length < 8 && (await more()));
    if (buf.length < 8) return cut('trailer missing');
    if (le32(buf, 0) !== crc >>> 0 || le32(buf, 4) !== size % 2 ** 32) {
      return onDamage({ kind: 'corrupt', message: `gzip member ${members + 1} fails its CRC or length check; its lines were read but may be damaged` });
    }
    buf = buf.subarray(8);
    offset += 8;
    members++;
  }
}
