/**
 * @module simulate/commands/curl
 *
 * `curl` as curl 8 (curlimages/curl) answers in a pod, with the messages
 * and exit codes of its sources (lib/multi.c, lib/connect.c, src/tool_*):
 * `(6) Could not resolve host: NAME`; `(7) Failed to connect to HOST port N
 * after T ms: Couldn't connect to server` for a refused connection; `(28)
 * Resolving timed out after T milliseconds` and `(28) Connection timed out
 * after T milliseconds` when `-m`/`--connect-timeout` runs out first, and
 * `(28) Failed to connect to HOST port N after T ms: Couldn't connect to
 * server` when the kernel gives up on the SYNs (127 s); `(22) The requested
 * URL returned error: 403` with `-f`. `-s` hides the messages and the
 * progress meter, `-S` shows messages again; `-w` writes `%{http_code}`
 * (`000` when no response came) and other variables.
 */
import type { CommandContext, CommandOutput } from './context.js';
import { has, hostHeader, last, all, parseArgs, parseUrl, REASONS, seconds, type Url } from './context.js';

const CURL_VERSION = '8.11.1';
const SPEC = {
  shortValue: 'mXHdowAeuxr',
  shortFlag: 'sSfvIkLiG4',
  longValue: ['max-time', 'connect-timeout', 'request', 'header', 'data', 'data-raw', 'data-binary', 'output', 'write-out', 'user-agent', 'referer', 'user', 'proxy', 'range', 'retry'],
  longFlag: ['silent', 'show-error', 'fail', 'verbose', 'head', 'insecure', 'location', 'include', 'get', 'http1.1', 'no-progress-meter', 'ipv4', 'fail-with-body'],
  aliases: {
    'max-time': 'm', request: 'X', header: 'H', data: 'd', 'data-raw': 'd', 'data-binary': 'd', output: 'o', 'write-out': 'w', 'user-agent': 'A',
    silent: 's', 'show-error': 'S', fail: 'f', verbose: 'v', head: 'I', insecure: 'k', location: 'L', include: 'i', get: 'G', ipv4: '4',
  },
} as const;

export function curl(args: readonly string[], ctx: CommandContext): CommandOutput {
  const p = parseArgs(args, SPEC);
  if (p.error) return { stdout: '', stderr: `curl: ${p.error}\ncurl: try 'curl --help' or 'curl --manual' for more information\n`, exitCode: 2 };
  const silent = has(p, 's');
  const showError = has(p, 'S') || !silent;
  const verbose = has(p, 'v');
  const fail = has(p, 'f');
  const head = has(p, 'I');
  const include = has(p, 'i');
  const maxTime = seconds(last(p, 'm'));
  const connectTimeout = seconds(last(p, 'connect-timeout'));
  const writeOut = last(p, 'w');
  const output = last(p, 'o');
  const data = all(p, 'd');
  const method = (last(p, 'X') as string | undefined) ?? (head ? 'HEAD' : data.length > 0 ? 'POST' : 'GET');
  const headers: Record<string, string> = {};
  for (const h of all(p, 'H')) {
    const i = h.indexOf(':');
    if (i > 0) headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  const userAgent = last(p, 'A');
  let stdout = '';
  let stderr = '';
  const meter = !silent && !verbose && output !== undefined ? true : !silent && !verbose;
  const target = p.operands[0];
  if (target === undefined) {
    return { stdout: '', stderr: "curl: no URL specified\ncurl: try 'curl --help' or 'curl --manual' for more information\n", exitCode: 2 };
  }
  const url = parseUrl(target);
  const clock = ctx.clock;
  const start = clock.micros;
  const elapsedMs = () => Math.round((clock.micros - start) / 1000);
  const vars: Record<string, string> = { http_code: '000', response_code: '000', remote_ip: '', remote_port: '', size_download: '0', content_type: '', url_effective: target, exitcode: '0', errormsg: '' };
  const finish = (exitCode: number, message?: string): CommandOutput => {
    if (message !== undefined && showError) stderr += `curl: (${exitCode}) ${message}\n`;
    vars['exitcode'] = String(exitCode);
    vars['errormsg'] = message ?? '';
    vars['time_total'] = (elapsedMs() / 1000).toFixed(6);
    if (typeof writeOut === 'string') stdout += expandWriteOut(writeOut, vars);
    return { stdout, stderr, exitCode };
  };
  if (!url) {
    const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(target)?.[1];
    return scheme ? finish(1, `Protocol "${scheme}" not supported`) : finish(3, 'URL rejected: Bad hostname');
  }
  vars['url_effective'] = `${url.scheme}://${hostHeader(url)}${url.path}`;
  // --connect-timeout bounds resolving and connecting; -m bounds everything (CURLOPT_CONNECTTIMEOUT docs).
  const connectBudget = minDefined(connectTimeout, maxTime);
  const resolved = ctx.net.resolve(url.host, connectBudget !== undefined ? { budgetMs: connectBudget } : {});
  if (!resolved.ok) {
    if (resolved.error === 'TIMEOUT' && connectBudget !== undefined && elapsedMs() >= connectBudget) {
      clock.advanceMicros(start + connectBudget * 1000 - clock.micros);
      return finish(28, `Resolving timed out after ${connectBudget} milliseconds`);
    }
    return finish(6, `Could not resolve host: ${url.host}`);
  }
  const ip = resolved.addresses[0]!;
  if (verbose) stderr += `* Host ${url.host}:${url.port} was resolved.\n* IPv4: ${resolved.addresses.filter((a) => !a.includes(':')).join(', ')}\n*   Trying ${ip}:${url.port}...\n`;
  const remaining = connectBudget !== undefined ? Math.max(0, connectBudget - elapsedMs()) : undefined;
  const hostH = headers['Host'] ?? hostHeader(url);
  const path = url.path;
  const request = { method, path, host: hostH, url: `${url.scheme}://${hostH}${path}`, tls: url.scheme === 'https', ...(Object.keys(headers).length ? { headers } : {}) };
  const conn = ctx.net.connect(ip, url.port, { name: url.host, resolved, ...(remaining !== undefined ? { timeoutMs: remaining } : {}), http: request });
  vars['remote_ip'] = ip;
  vars['remote_port'] = String(url.port);
  if (conn.result === 'refused') return finish(7, `Failed to connect to ${url.host} port ${url.port} after ${elapsedMs()} ms: Couldn't connect to server`);
  if (conn.result === 'timeout') {
    if (connectBudget !== undefined && elapsedMs() >= connectBudget) return finish(28, `Connection timed out after ${elapsedMs()} milliseconds`);
    return finish(28, `Failed to connect to ${url.host} port ${url.port} after ${elapsedMs()} ms: Couldn't connect to server`);
  }
  const res = conn.response ?? { status: 200, body: '', deniedByProxy: false };
  if (verbose) {
    stderr += `* Connected to ${url.host} (${ip}) port ${url.port}\n`;
    stderr += `> ${method} ${path} HTTP/1.1\r\n> Host: ${hostH}\r\n> User-Agent: ${typeof userAgent === 'string' ? userAgent : `curl/${CURL_VERSION}`}\r\n> Accept: */*\r\n`;
    for (const [k, v] of Object.entries(headers)) if (k !== 'Host') stderr += `> ${k}: ${v}\r\n`;
    stderr += '>\r\n';
    stderr += responseHead(res, '< ');
    stderr += '<\r\n';
  }
  vars['http_code'] = vars['response_code'] = String(res.status).padStart(3, '0');
  vars['content_type'] = res.headers?.['content-type'] ?? '';
  if (fail && res.status >= 400) {
    if (verbose) stderr += `* The requested URL returned error: ${res.status}\n`;
    return finish(22, `The requested URL returned error: ${res.status}`);
  }
  let body = head ? '' : res.body;
  if (head || include) body = responseHead(res, '') + '\r\n' + body;
  vars['size_download'] = String(head ? 0 : Buffer.byteLength(res.body));
  if (meter) stderr += progressMeter(Buffer.byteLength(body), elapsedMs());
  if (output === undefined || output === '-') stdout += body;
  if (verbose) stderr += `* Connection #0 to host ${url.host} left intact\n`;
  return finish(0);
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

function responseHead(res: { status: number; body: string; headers?: Readonly<Record<string, string>> }, prefix: string): string {
  let s = `${prefix}HTTP/1.1 ${res.status} ${REASONS[res.status] ?? ''}\r\n`;
  for (const [k, v] of Object.entries(res.headers ?? {})) s += `${prefix}${k}: ${v}\r\n`;
  s += `${prefix}content-length: ${Buffer.byteLength(res.body)}\r\n`;
  return s;
}

/** curl's `-w` variables and backslash escapes (src/tool_writeout.c). */
export function expandWriteOut(fmt: string, vars: Readonly<Record<string, string>>): string {
  return fmt
    .replace(/%\{([a-z_]+)\}/g, (m, name: string) => vars[name] ?? (name.startsWith('time_') ? '0.000000' : m))
    .replace(/\\([nrt\\])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : '\\'));
}

/** The last state of curl's progress meter (it is written to stderr when the output is not a terminal, as under `kubectl exec`). */
function progressMeter(bytes: number, ms: number): string {
  const speed = ms > 0 ? Math.round((bytes * 1000) / ms) : bytes;
  const size = (n: number) => String(n).padStart(5);
  return (
    '  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n' +
    '                                 Dload  Upload   Total   Spent    Left  Speed\n' +
    `\r100 ${size(bytes)}  100 ${size(bytes)}    0     0 ${size(speed)}      0 --:--:-- --:--:-- --:--:-- ${size(speed)}\n`
  );
}

export type { Url };
