/**
 * @module simulate/commands/context
 *
 * What a simulated command gets (the network seen from its pod, the virtual
 * clock) and gives back (its output and exit code), plus the small option
 * parser the commands share: short flags may be bundled (`-sS`,
 * `-qO-`, `-m5`), long ones take `--name value` or `--name=value`, as
 * getopt does for curl, wget and busybox.
 */
import type { Pod } from '../../model/types.js';
import type { VirtualClock } from '../clock.js';
import type { Network } from '../network.js';

export interface CommandContext {
  readonly net: Network;
  readonly clock: VirtualClock;
  /** The pod the command runs in (undefined for world: and node: origins). */
  readonly pod?: Pod;
  /** The name the command is called by (`wget`, or `busybox` before it). */
  readonly argv0: string;
  /** What the origin remembers of this very command line (a top-level one only, never a word list built inside a script). */
  readonly line?: LineMemo;
}

/**
 * One command line an origin ran before, with what was learnt from it: the tool's parse of its words (curl's plan)
 * and the network's Link for its connection. A load test runs the same lines from the same pods again and again;
 * finding both here is one small scan on the origin's own entry instead of a walk through curl's tree of words
 * and the source's Links by address, each a cache miss on a large cluster. Each slot is written and read by its
 * one owner (the line's tool, the network), which checks what it reads still fits.
 */
export interface LineMemo {
  /** The words, copied (a caller may change its array afterwards). */
  readonly words: readonly string[];
  /** The words after the command's name. */
  readonly rest: readonly string[];
  plan?: unknown;
  link?: unknown;
  /** The address {@link link} was made for. */
  linkIp?: string;
  /**
   * Set by a tool whose output is a function of its words, of what the network answers and of the virtual time
   * since it started (never the time of day): then a run of the line may be replayed (see `recording.ts`).
   */
  replayable?: boolean;
  /** The recording a replay runs from (the virtual cluster's); null when the line cannot be replayed. */
  replay?: unknown;
}

export interface CommandOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export type CommandFn = (args: readonly string[], ctx: CommandContext) => CommandOutput;

export interface OptionSpec {
  /** Short letters taking a value, e.g. `mXHdowT`. */
  readonly shortValue: string;
  /** Short letters without a value. */
  readonly shortFlag: string;
  /** Long names taking a value. */
  readonly longValue: readonly string[];
  readonly longFlag: readonly string[];
  /** Long name → the short letter it stands for. */
  readonly aliases?: Readonly<Record<string, string>>;
}

export interface ParsedArgs {
  /** Options in order (letter or long name, value or `true`). */
  readonly options: { readonly name: string; readonly value: string | true }[];
  readonly operands: string[];
  readonly error?: string;
}

/** getopt_long-style parsing; an unknown option is an error the command reports its own way. */
export function parseArgs(args: readonly string[], spec: OptionSpec): ParsedArgs {
  const options: { name: string; value: string | true }[] = [];
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const raw = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const name = spec.aliases?.[raw] ?? raw;
      if (spec.longValue.includes(raw) || (name.length === 1 && spec.shortValue.includes(name))) {
        const value = eq >= 0 ? a.slice(eq + 1) : args[++i];
        if (value === undefined) return { options, operands, error: `option --${raw} requires an argument` };
        options.push({ name, value });
      } else if (spec.longFlag.includes(raw) || (name.length === 1 && spec.shortFlag.includes(name))) options.push({ name, value: true });
      else return { options, operands, error: `unrecognized option '--${raw}'` };
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        if (spec.shortValue.includes(c)) {
          const rest = a.slice(j + 1);
          const value = rest !== '' ? rest : args[++i];
          if (value === undefined) return { options, operands, error: `option requires an argument -- '${c}'` };
          options.push({ name: c, value });
          break;
        }
        if (spec.shortFlag.includes(c)) options.push({ name: c, value: true });
        else return { options, operands, error: `invalid option -- '${c}'` };
      }
      continue;
    }
    operands.push(a);
  }
  return { options, operands };
}

/** The last value of an option, as most tools keep it. */
export function last(p: ParsedArgs, ...names: string[]): string | true | undefined {
  let v: string | true | undefined;
  for (const o of p.options) if (names.includes(o.name)) v = o.value;
  return v;
}

export function has(p: ParsedArgs, ...names: string[]): boolean {
  return p.options.some((o) => names.includes(o.name));
}

export function all(p: ParsedArgs, ...names: string[]): string[] {
  return p.options.filter((o) => names.includes(o.name) && o.value !== true).map((o) => o.value as string);
}

export const out = (stdout: string, stderr = '', exitCode = 0): CommandOutput => ({ stdout, stderr, exitCode });

/** A URL as curl and wget read it: scheme (default http), host, port (default by scheme), path with query. */
export interface Url {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly port: number;
  readonly explicitPort: boolean;
  readonly path: string;
}

export function parseUrl(text: string): Url | undefined {
  const m = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):\/\/)?(\[[^\]]+\]|[^/:?#]*)(?::(\d+))?([/?#].*)?$/.exec(text);
  if (!m) return undefined;
  const scheme = (m[1] ?? 'http').toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return undefined;
  const host = m[2]!.replace(/^\[|\]$/g, '');
  if (host === '') return undefined;
  const port = m[3] !== undefined ? Number(m[3]) : scheme === 'https' ? 443 : 80;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  const path = (m[4] ?? '/').replace(/#.*$/, '') || '/';
  return { scheme, host, port, explicitPort: m[3] !== undefined, path: path.startsWith('/') ? path : `/${path}` };
}

/** `host` or `host:port` when the port is not the scheme's: what curl sends as Host and Envoy logs in the URL. */
export function hostHeader(u: Url): string {
  const host = u.host.includes(':') ? `[${u.host}]` : u.host;
  return u.explicitPort && u.port !== (u.scheme === 'https' ? 443 : 80) ? `${host}:${u.port}` : host;
}

/** Seconds as curl and wget take them (decimals allowed) → ms; undefined when not a number. */
export function seconds(v: string | true | undefined): number | undefined {
  if (v === undefined || v === true) return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.round(n * 1000) : undefined;
}

/** HTTP reason phrases for the status lines tools print. */
export const REASONS: Readonly<Record<number, string>> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified', 400: 'Bad Request',
  401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 500: 'Internal Server Error', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout',
};
