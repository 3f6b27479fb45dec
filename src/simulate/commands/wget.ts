/**
 * @module simulate/commands/wget
 *
 * BusyBox `wget` (what `wget` is in busybox and alpine images, and what the
 * tutorial runs as `busybox wget -O - frontend`), with the messages of
 * busybox `networking/wget.c`: `Connecting to HOST (IP:PORT)`, `writing to
 * stdout` / `saving to 'FILE'`, `wget: bad address 'HOST'` when the name does
 * not resolve, `wget: download timed out` when `-T` (default 900 s) runs out,
 * `wget: can't connect to remote host (IP): Connection timed out` when the
 * kernel gives up first (127 s) or `…: Connection refused`, and
 * `wget: server returned error: HTTP/1.1 403 Forbidden`. Every failure exits 1.
 */
import type { CommandContext, CommandOutput } from './context.js';
import { has, hostHeader, last, parseArgs, parseUrl, REASONS, seconds } from './context.js';

const SPEC = {
  shortValue: 'OTUYPo', shortFlag: 'qcsS',
  longValue: ['output-document', 'timeout', 'user-agent', 'header', 'post-data', 'tries'],
  longFlag: ['quiet', 'spider', 'server-response', 'no-check-certificate', 'continue'],
  aliases: { 'output-document': 'O', timeout: 'T', 'user-agent': 'U', quiet: 'q', spider: 's', 'server-response': 'S' },
} as const;

/** BusyBox wget's default `-T` (seconds). */
const DEFAULT_TIMEOUT_MS = 900_000;

export function wget(args: readonly string[], ctx: CommandContext): CommandOutput {
  const p = parseArgs(args, SPEC);
  if (p.error) return { stdout: '', stderr: `wget: ${p.error}\nBusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n`, exitCode: 1 };
  const quiet = has(p, 'q');
  const spider = has(p, 's');
  const outFile = last(p, 'O');
  const timeoutMs = seconds(last(p, 'T')) ?? DEFAULT_TIMEOUT_MS;
  const target = p.operands[0];
  if (target === undefined) return { stdout: '', stderr: 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n', exitCode: 1 };
  const url = parseUrl(target);
  if (!url) return { stdout: '', stderr: `wget: not an http or ftp url: ${target}\n`, exitCode: 1 };
  let stderr = '';
  const clock = ctx.clock;
  const start = clock.micros;
  const elapsedMs = () => (clock.micros - start) / 1000;
  const resolved = ctx.net.resolve(url.host);
  if (!resolved.ok) return { stdout: '', stderr: `wget: bad address '${url.host}'\n`, exitCode: 1 };
  const ip = resolved.addresses[0]!;
  if (!quiet) stderr += `Connecting to ${hostHeader(url)} (${ip}:${url.port})\n`;
  const host = hostHeader(url);
  const conn = ctx.net.connect(ip, url.port, {
    name: url.host, resolved, timeoutMs: Math.max(0, timeoutMs - elapsedMs()),
    http: { method: spider ? 'HEAD' : 'GET', path: url.path, host, url: `${url.scheme}://${host}${url.path}`, tls: url.scheme === 'https' },
  });
  if (conn.result === 'timeout') {
    if (elapsedMs() >= timeoutMs) return { stdout: '', stderr: `${stderr}wget: download timed out\n`, exitCode: 1 };
    return { stdout: '', stderr: `${stderr}wget: can't connect to remote host (${ip}): Connection timed out\n`, exitCode: 1 };
  }
  if (conn.result === 'refused') return { stdout: '', stderr: `${stderr}wget: can't connect to remote host (${ip}): Connection refused\n`, exitCode: 1 };
  const res = conn.response ?? { status: 200, body: '' };
  if (res.status >= 400) return { stdout: '', stderr: `${stderr}wget: server returned error: HTTP/1.1 ${res.status} ${REASONS[res.status] ?? ''}\n`, exitCode: 1 };
  if (spider) return { stdout: '', stderr: quiet ? '' : `${stderr}remote file exists\n`, exitCode: 0 };
  const toStdout = outFile === '-';
  const file = typeof outFile === 'string' ? outFile : basename(url.path);
  const size = Buffer.byteLength(res.body);
  if (!quiet) {
    stderr += toStdout ? 'writing to stdout\n' : `saving to '${file}'\n`;
    stderr += `${(toStdout ? '-' : file).slice(0, 20).padEnd(20)}100% |********************************| ${String(size).padStart(5)}  0:00:00 ETA\n`;
    stderr += toStdout ? 'written to stdout\n' : `'${file}' saved\n`;
  }
  return { stdout: toStdout ? res.body : '', stderr, exitCode: 0 };
}

function basename(path: string): string {
  const clean = path.replace(/[?#].*$/, '');
  const name = clean.slice(clean.lastIndexOf('/') + 1);
  return name === '' ? 'index.html' : name;
}
