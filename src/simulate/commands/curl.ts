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
import type { HttpRequest } from '../../engine/types.js';
import type { CommandContext, CommandOutput } from './context.js';
import { addressLiteral, type Resolved } from '../network.js';
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

/**
 * What a curl command line asks for, derived from its words alone (no cluster state): parsed once and
 * remembered by the words, since scripts, scenarios and tutorials run the same lines again and again.
 * Shared by every run of the line, so never changed once built.
 */
interface CurlPlan {
  /** The words are wrong (a bad option, no URL): what curl prints, at once. */
  readonly usage?: CommandOutput;
  readonly showError: boolean;
  readonly verbose: boolean;
  readonly fail: boolean;
  readonly head: boolean;
  readonly include: boolean;
  readonly writeOut: string | undefined;
  readonly output: string | true | undefined;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly userAgent: string | true | undefined;
  readonly meter: boolean;
  /** The URL operand as given. */
  readonly target: string;
  readonly url: Url | undefined;
  /** --connect-timeout bounds resolving and connecting; -m bounds everything (CURLOPT_CONNECTTIMEOUT docs). */
  readonly connectBudget: number | undefined;
  readonly hostH: string;
  /** The URL's host when it is an address: what resolving it gives, known from the words alone. */
  readonly literal: (Resolved & { readonly elapsedMs: number }) | null;
  /** `url.host` and `url.port`, kept here too: a command reads them first, and the plan is fetched already. */
  readonly host: string;
  readonly port: number;
  readonly request: HttpRequest & { readonly url: string; readonly tls: boolean };
  readonly urlEffective: string;
}

/**
 * Plans by their words, one level per word (no joined key to build and hash for every command); a line's plan
 * hangs from the level of its next-to-last word, under its last (one object fewer to fetch than a level of its own).
 */
interface PlanNode {
  next?: Map<string, PlanNode>;
  plans?: Map<string, CurlPlan>;
}
let plans: PlanNode = {};
/** The plan of no words. */
let emptyPlan: CurlPlan | undefined;
let planCount = 0;
/**
 * Enough for every line of a long script and for a load test's thousands of distinct URLs (a plan is well under
 * 1 kB); a flood of distinct lines starts over rather than grows. Too small a bound costs more than it saves:
 * plans evicted in bulk have lived long enough to leave the young generation, so the collector pays for each.
 */
const MAX_PLANS = 32_768;

/** The plan of these words: remembered, or parsed now ({@link parseCurl}). */
export function curlPlan(args: readonly string[]): CurlPlan {
  const n = args.length;
  if (n === 0) return (emptyPlan ??= parseCurl(args));
  let node = plans;
  for (let i = 0; i < n - 1; i++) {
    const word = args[i]!;
    let next = node.next?.get(word);
    if (!next) (node.next ??= new Map()).set(word, (next = {}));
    node = next;
  }
  const last = args[n - 1]!;
  const known = node.plans?.get(last);
  if (known) return known;
  if (++planCount > MAX_PLANS) {
    plans = {};
    planCount = 0;
    return curlPlan(args);
  }
  const plan = parseCurl(args);
  (node.plans ??= new Map()).set(last, plan);
  return plan;
}

export function parseCurl(args: readonly string[]): CurlPlan {
  const p = parseArgs(args, SPEC);
  const silent = has(p, 's');
  const verbose = has(p, 'v');
  const head = has(p, 'I');
  const maxTime = seconds(last(p, 'm'));
  const connectTimeout = seconds(last(p, 'connect-timeout'));
  const writeOut = last(p, 'w');
  const output = last(p, 'o');
  const data = all(p, 'd');
  const method = (last(p, 'X') as string | undefined) ?? (head ? 'HEAD' : data.length > 0 ? 'POST' : 'GET');
  // Any name a user types is a header, `__proto__` too; names are case-insensitive, so `-H 'host: x'` replaces Host.
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  let hostGiven: string | undefined;
  for (const h of all(p, 'H')) {
    const i = h.indexOf(':');
    if (i <= 0) continue;
    const name = h.slice(0, i).trim();
    if (name.toLowerCase() === 'host') hostGiven = h.slice(i + 1).trim();
    else headers[name] = h.slice(i + 1).trim();
  }
  const target = p.operands[0];
  const url = target === undefined ? undefined : parseUrl(target);
  const hostH = url ? (hostGiven ?? hostHeader(url)) : '';
  const path = url?.path ?? '/';
  const usage = p.error
    ? { stdout: '', stderr: `curl: ${p.error}\ncurl: try 'curl --help' or 'curl --manual' for more information\n`, exitCode: 2 }
    : target === undefined
      ? { stdout: '', stderr: "curl: no URL specified\ncurl: try 'curl --help' or 'curl --manual' for more information\n", exitCode: 2 }
      : undefined;
  return {
    ...(usage ? { usage } : {}),
    showError: has(p, 'S') || !silent,
    verbose,
    fail: has(p, 'f'),
    head,
    include: has(p, 'i'),
    writeOut: typeof writeOut === 'string' ? writeOut : undefined,
    output,
    method,
    headers,
    userAgent: last(p, 'A'),
    meter: !silent && !verbose,
    target: target ?? '',
    url,
    connectBudget: minDefined(connectTimeout, maxTime),
    hostH,
    literal: url ? addressLiteral(url.host) : null,
    host: url?.host ?? '',
    port: url?.port ?? 0,
    request: { method, path, host: hostH, url: url ? `${url.scheme}://${hostH}${path}` : '', tls: url?.scheme === 'https', ...(Object.keys(headers).length ? { headers } : {}) },
    urlEffective: url ? `${url.scheme}://${hostHeader(url)}${url.path}` : (target ?? ''),
  };
}

/** curl's `-w` variables of one run (only kept when `-w` asks for them). */
type Vars = Record<string, string>;

export function curl(args: readonly string[], ctx: CommandContext): CommandOutput {
  // A line's memo holds the plan of its own words (curl's, as the words name curl).
  const line = ctx.line;
  const plan = line ? ((line.plan as CurlPlan | undefined) ?? linePlan(line, args)) : curlPlan(args);
  if (plan.usage) return { stdout: plan.usage.stdout, stderr: plan.usage.stderr, exitCode: plan.usage.exitCode };
  const { verbose, url, target, connectBudget, hostH, method } = plan;
  let stderr = '';
  const clock = ctx.clock;
  const start = clock.micros;
  const vars: Vars | undefined = plan.writeOut === undefined ? undefined
    : { http_code: '000', response_code: '000', remote_ip: '', remote_port: '', size_download: '0', content_type: '', url_effective: target, exitcode: '0', errormsg: '' };
  if (!url) {
    const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(target)?.[1];
    return scheme ? finish(plan, vars, start, clock, '', stderr, 1, `Protocol "${scheme}" not supported`) : finish(plan, vars, start, clock, '', stderr, 3, 'URL rejected: Bad hostname');
  }
  if (vars) vars['url_effective'] = plan.urlEffective;
  const host = plan.host;
  const port = plan.port;
  const literal = plan.literal;
  const resolved = literal ?? ctx.net.resolve(host, connectBudget !== undefined ? { budgetMs: connectBudget } : {});
  if (literal === null && !resolved.ok) {
    if (resolved.error === 'TIMEOUT' && connectBudget !== undefined && elapsed(clock, start) >= connectBudget) {
      clock.advanceMicros(start + connectBudget * 1000 - clock.micros);
      return finish(plan, vars, start, clock, '', stderr, 28, `Resolving timed out after ${connectBudget} milliseconds`);
    }
    return finish(plan, vars, start, clock, '', stderr, 6, `Could not resolve host: ${host}`);
  }
  // An address is itself (its plan says so): no lookup's answer to read.
  const ip = literal !== null ? host : resolved.addresses[0]!;
  if (verbose) stderr += `* Host ${host}:${port} was resolved.\n* IPv4: ${resolved.addresses.filter((a) => !a.includes(':')).join(', ')}\n*   Trying ${ip}:${port}...\n`;
  const remaining = connectBudget !== undefined ? Math.max(0, connectBudget - elapsed(clock, start)) : undefined;
  const conn = ctx.net.connect(ip, port, remaining !== undefined ? { name: host, resolved, timeoutMs: remaining, http: plan.request, memo: line } : { name: host, resolved, http: plan.request, memo: line });
  if (vars) {
    vars['remote_ip'] = ip;
    vars['remote_port'] = String(port);
  }
  if (conn.result === 'refused') return finish(plan, vars, start, clock, '', stderr, 7, `Failed to connect to ${host} port ${port} after ${elapsed(clock, start)} ms: Couldn't connect to server`);
  if (conn.result === 'timeout') {
    if (connectBudget !== undefined && elapsed(clock, start) >= connectBudget) return finish(plan, vars, start, clock, '', stderr, 28, `Connection timed out after ${elapsed(clock, start)} milliseconds`);
    return finish(plan, vars, start, clock, '', stderr, 28, `Failed to connect to ${host} port ${port} after ${elapsed(clock, start)} ms: Couldn't connect to server`);
  }
  const res = conn.response ?? { status: 200, body: '', deniedByProxy: false };
  if (verbose) {
    const userAgent = plan.userAgent;
    stderr += `* Connected to ${host} (${ip}) port ${port}\n`;
    stderr += `> ${method} ${url.path} HTTP/1.1\r\n> Host: ${hostH}\r\n> User-Agent: ${typeof userAgent === 'string' ? userAgent : `curl/${CURL_VERSION}`}\r\n> Accept: */*\r\n`;
    for (const [k, v] of Object.entries(plan.headers)) stderr += `> ${k}: ${v}\r\n`;
    stderr += '>\r\n';
    stderr += responseHead(res, '< ');
    stderr += '<\r\n';
  }
  if (vars) {
    vars['http_code'] = vars['response_code'] = String(res.status).padStart(3, '0');
    vars['content_type'] = res.headers?.['content-type'] ?? '';
  }
  if (plan.fail && res.status >= 400) {
    if (verbose) stderr += `* The requested URL returned error: ${res.status}\n`;
    return finish(plan, vars, start, clock, '', stderr, 22, `The requested URL returned error: ${res.status}`);
  }
  const head = plan.head;
  let body = head ? '' : res.body;
  if (head || plan.include) body = responseHead(res, '') + '\r\n' + body;
  if (vars) vars['size_download'] = String(head ? 0 : Buffer.byteLength(res.body));
  if (plan.meter) stderr += progressMeter(Buffer.byteLength(body), elapsed(clock, start));
  const stdout = plan.output === undefined || plan.output === '-' ? body : '';
  if (verbose) stderr += `* Connection #0 to host ${host} left intact\n`;
  return finish(plan, vars, start, clock, stdout, stderr, 0);
}

/** The plan of a line run for the first time, kept on it; curl's output never reads the time of day, so the line may be replayed. */
function linePlan(line: NonNullable<CommandContext['line']>, args: readonly string[]): CurlPlan {
  line.replayable = true;
  return (line.plan = curlPlan(args));
}

/** Milliseconds since `start` on the virtual clock, as curl rounds them. */
function elapsed(clock: CommandContext['clock'], start: number): number {
  return Math.round((clock.micros - start) / 1000);
}

/** The end of a run: the error message (unless silenced), then what `-w` writes. */
function finish(plan: CurlPlan, vars: Vars | undefined, start: number, clock: CommandContext['clock'], stdout: string, stderr: string, exitCode: number, message?: string): CommandOutput {
  if (message !== undefined && plan.showError) stderr += `curl: (${exitCode}) ${message}\n`;
  if (vars && plan.writeOut !== undefined) {
    vars['exitcode'] = String(exitCode);
    vars['errormsg'] = message ?? '';
    vars['time_total'] = (elapsed(clock, start) / 1000).toFixed(6);
    stdout += expandWriteOut(plan.writeOut, vars);
  }
  return { stdout, stderr, exitCode };
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
