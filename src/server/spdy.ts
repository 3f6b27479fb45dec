/**
 * @module server/spdy
 *
 * `kubectl exec` over SPDY/3.1, the transport kubectl 1.29 and older use
 * (and newer ones fall back to): the request is upgraded with
 * `Upgrade: SPDY/3.1` and `X-Stream-Protocol-Version: v4.channel.k8s.io`
 * (apimachinery `pkg/util/httpstream/spdy/upgrade.go`), then the client
 * opens one stream per channel, its `streamtype` header saying which
 * (error, stdin, stdout, stderr, resize; client-go
 * `tools/remotecommand/v2.go`). The command's output goes on the stdout and
 * stderr streams; the v4 error stream carries the final Status, whose
 * `NonZeroExitCode` cause kubectl exits with (`v4.go`).
 *
 * Framing follows the SPDY/3 draft as moby/spdystream implements it:
 * control frames (SYN_STREAM, SYN_REPLY, PING, GOAWAY, …), data frames with
 * FIN, header blocks compressed with one zlib stream per direction over the
 * spec's dictionary. What we send has no headers worth compressing, so our
 * blocks are zlib *stored* blocks (no dictionary needed to read them);
 * what the client sends is inflated with the dictionary.
 */
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { constants, createInflate, type Inflate } from 'node:zlib';
import type { ExecResult } from './backend.js';

/** The SPDY/3 header compression dictionary (draft-mbelshe-httpbis-spdy-00 §2.6.10.1): length-prefixed words, then a raw tail. */
export const SPDY3_DICTIONARY: Buffer = (() => {
  const words = [
    'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
    'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
    'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag',
    'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
    'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
    'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
    'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie', 'keep-alive', 'origin',
  ];
  const tail = '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505'
    + '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden'
    + '404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable'
    + 'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT'
    + 'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,'
    + 'publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';
  const parts: Buffer[] = [];
  for (const w of words) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length);
    parts.push(len, Buffer.from(w, 'latin1'));
  }
  parts.push(Buffer.from(tail, 'latin1'));
  return Buffer.concat(parts);
})();

/** sha256 of the dictionary, for the test that checks it byte for byte. */
export const spdyDictionaryHash = () => createHash('sha256').update(SPDY3_DICTIONARY).digest('hex');

const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const PING = 6;
const GOAWAY = 7;
const HEADERS = 8;
const FLAG_FIN = 1;
/** A data frame carries at most 2^24 - 1 bytes; stay well below. */
const MAX_DATA = 64 * 1024 - 1;

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | 3, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(payload.length, 4);
  h.writeUInt8(flags, 4);
  return Buffer.concat([h, payload]);
}

function dataFrames(stream: number, data: Buffer, fin: boolean): Buffer[] {
  const out: Buffer[] = [];
  let off = 0;
  do {
    const chunk = data.subarray(off, off + MAX_DATA);
    off += chunk.length;
    const h = Buffer.alloc(8);
    h.writeUInt32BE(stream & 0x7fffffff, 0);
    h.writeUInt32BE(chunk.length, 4);
    h.writeUInt8(fin && off >= data.length ? FLAG_FIN : 0, 4);
    out.push(h, chunk);
  } while (off < data.length);
  return out;
}

/** Headers from an inflated header block: count, then (name, value) pairs, each 32-bit length prefixed. */
export function parseHeaderBlock(b: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  const take = () => {
    if (i + 4 > b.length) throw new Error('truncated header block');
    const n = b.readUInt32BE(i);
    i += 4;
    if (i + n > b.length) throw new Error('truncated header block');
    const s = b.subarray(i, i + n).toString('latin1');
    i += n;
    return s;
  };
  const count = b.length >= 4 ? b.readUInt32BE(0) : 0;
  i = 4;
  for (let k = 0; k < count; k++) out.set(take().toLowerCase(), take());
  return out;
}

export interface SpdyExecRequest {
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
  readonly run: () => ExecResult;
  readonly onEnd: () => void;
}

/** Runs one exec session on an upgraded socket (101 already sent). */
export class SpdyExecSession {
  private buf: Buffer = Buffer.alloc(0);
  private readonly inflate: Inflate = createInflate({ dictionary: SPDY3_DICTIONARY });
  private inflated: Buffer[] = [];
  private queue: Promise<void> = Promise.resolve();
  private readonly streams = new Map<string, number>();
  /** The zlib header goes before our first header block only. */
  private sentZlibHeader = false;
  private ran = false;
  private closed = false;
  private readonly fallback: NodeJS.Timeout;

  constructor(private readonly socket: Duplex, head: Buffer, private readonly req: SpdyExecRequest) {
    this.inflate.on('data', (d: Buffer) => this.inflated.push(d));
    this.inflate.on('error', () => this.close());
    socket.on('data', (d: Buffer) => this.feed(d));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
    // Should a client open fewer streams than its query asked for, answer with what it opened.
    this.fallback = setTimeout(() => this.runOnce(), 2000);
    if (head.length) this.feed(head);
  }

  /** Ends the session (server shutdown). */
  end(): void {
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.fallback);
    this.inflate.destroy();
    this.socket.destroy();
    this.req.onEnd();
  }

  private write(...bufs: Buffer[]): void {
    if (!this.closed && this.socket.writable) this.socket.write(Buffer.concat(bufs));
  }

  private feed(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4) & 0xffffff;
      if (this.buf.length < 8 + len) break;
      const frame = this.buf.subarray(0, 8 + len);
      this.buf = this.buf.subarray(8 + len);
      this.queue = this.queue.then(() => this.frame(frame)).catch(() => this.close());
    }
    if (this.buf.length > 1 << 20) this.close();
  }

  /** Inflates one header block with the connection's shared zlib stream. */
  private inflateBlock(block: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.inflated = [];
      this.inflate.write(block);
      this.inflate.flush(constants.Z_SYNC_FLUSH, () => (this.closed ? reject(new Error('closed')) : resolve(Buffer.concat(this.inflated))));
    });
  }

  /** A header block with no headers, as zlib stored blocks (readable without the dictionary). */
  private emptyHeaderBlock(): Buffer {
    const raw = Buffer.alloc(4);
    const stored = Buffer.from([0x00, raw.length & 0xff, raw.length >> 8, ~raw.length & 0xff, (~raw.length >> 8) & 0xff]);
    // The empty stored block after it is zlib's sync-flush marker: Go's flate hands out the data on
    // reaching it (compress/flate dataBlock), without reading past this frame.
    const out = Buffer.concat([this.sentZlibHeader ? Buffer.alloc(0) : Buffer.from([0x78, 0x01]), stored, raw, Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff])]);
    this.sentZlibHeader = true;
    return out;
  }

  private async frame(f: Buffer): Promise<void> {
    if (this.closed) return;
    if (!(f[0]! & 0x80)) return; // data: stdin and resize input, which the commands answered here do not read
    const type = f.readUInt16BE(2);
    if (type === SYN_STREAM) {
      const id = f.readUInt32BE(8) & 0x7fffffff;
      const headers = parseHeaderBlock(await this.inflateBlock(f.subarray(18)));
      const kind = headers.get('streamtype') ?? '';
      this.streams.set(kind, id);
      const reply = Buffer.alloc(4);
      reply.writeUInt32BE(id);
      this.write(controlFrame(SYN_REPLY, 0, Buffer.concat([reply, this.emptyHeaderBlock()])));
      if (this.allOpen()) this.runOnce();
    } else if (type === HEADERS) {
      await this.inflateBlock(f.subarray(12));
    } else if (type === PING) {
      this.write(f);
    } else if (type === GOAWAY) {
      this.close();
    } else if (type === RST_STREAM) {
      // A stream the client gave up on: nothing to free.
    }
  }

  private allOpen(): boolean {
    const want = ['error', ...(this.req.stdin ? ['stdin'] : []), ...(this.req.stdout ? ['stdout'] : []), ...(this.req.stderr && !this.req.tty ? ['stderr'] : []), ...(this.req.tty ? ['resize'] : [])];
    return want.every((w) => this.streams.has(w));
  }

  private runOnce(): void {
    if (this.ran || this.closed) return;
    this.ran = true;
    clearTimeout(this.fallback);
    let status: string | undefined;
    let result: ExecResult = { stdout: '', stderr: '', exitCode: 0 };
    try {
      result = this.req.run();
      if (result.exitCode !== 0) {
        status = JSON.stringify({
          metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: exit status ${result.exitCode}`, reason: 'NonZeroExitCode',
          details: { causes: [{ reason: 'ExitCode', message: String(result.exitCode) }] },
        });
      }
    } catch (e) {
      status = JSON.stringify({ metadata: {}, status: 'Failure', message: `polis: internal error running the command: ${e instanceof Error ? e.message : String(e)}`, reason: 'InternalError', code: 500 });
    }
    const out = this.streams.get('stdout');
    const err = this.streams.get('stderr');
    const errorStream = this.streams.get('error');
    if (out !== undefined) this.write(...dataFrames(out, Buffer.from(result.stdout), true));
    if (err !== undefined) this.write(...dataFrames(err, Buffer.from(result.stderr), true));
    else if (out !== undefined && result.stderr && this.req.tty) this.write(...dataFrames(out, Buffer.from(result.stderr), true));
    if (errorStream !== undefined) this.write(...dataFrames(errorStream, Buffer.from(status ?? ''), true));
    // The client closes the connection once it has read everything; do not wait forever if it does not.
    setTimeout(() => this.close(), 30_000).unref();
  }
}

/** The 101 response that switches to SPDY/3.1 with the v4 channel protocol, or undefined when the client offers no v4. */
export function spdyUpgradeResponse(offered: string | string[] | undefined): string | undefined {
  const list = (Array.isArray(offered) ? offered.join(',') : offered ?? '').split(',').map((s) => s.trim());
  if (!list.includes('v4.channel.k8s.io')) return undefined;
  return 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n';
}
