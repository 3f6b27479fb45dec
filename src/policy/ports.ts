/**
 * @module policy/ports
 *
 * How Cilium reads the `port` string of a policy (`pkg/policy/api/l4.go`,
 * `pkg/iana/svcname.go`): a string that is a valid IANA service name is a
 * named port (lower-cased); anything else is parsed with Go's
 * `strconv.ParseUint(port, 0, 16)`, so base prefixes and digit separators
 * count (`"0x50"` is a name because it has a letter, `"010"` is 8, `"8_0"` is 80).
 */

export type ParsedPort =
  | { readonly kind: 'number'; readonly port: number; readonly text: string }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'invalid' };

/** IANA service name: 1–15 chars of [a-z0-9-], at least one letter, no leading, trailing or double hyphen. */
export function isServiceName(s: string): boolean {
  if (s.length < 1 || s.length > 15) return false;
  if (!/^[A-Za-z0-9-]+$/.test(s) || !/[A-Za-z]/.test(s)) return false;
  return !s.startsWith('-') && !s.endsWith('-') && !s.includes('--');
}

/** Go's ParseUint(s, 0, 16): decimal, 0x/0o/0b prefixes, legacy leading-0 octal, `_` between digits. */
export function parseGoUint16(s: string): number | undefined {
  let body = s;
  let base = 10;
  let prefixed = false;
  if (/^0[xX]/.test(body)) { base = 16; body = body.slice(2); prefixed = true; }
  else if (/^0[oO]/.test(body)) { base = 8; body = body.slice(2); prefixed = true; }
  else if (/^0[bB]/.test(body)) { base = 2; body = body.slice(2); prefixed = true; }
  else if (body.length > 1 && body.startsWith('0')) { base = 8; body = body.slice(1); prefixed = true; }
  if (body.includes('_')) {
    // Underscores must separate digits (or follow a base prefix).
    if (!(prefixed ? /^_?[^_]+(_[^_]+)*$/ : /^[^_]+(_[^_]+)*$/).test(body)) return undefined;
    body = body.replace(/_/g, '');
  }
  if (body === '') return undefined;
  const digits = base === 16 ? /^[0-9a-fA-F]+$/ : base === 8 ? /^[0-7]+$/ : base === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!digits.test(body)) return undefined;
  const n = Number.parseInt(body, base);
  return n <= 65535 ? n : undefined;
}

/** Reads a policy `port` string as Cilium does. The result is shared (frozen): policies write the same few ports over and over. */
export function parsePortString(port: string): ParsedPort {
  let parsed = parsedPorts.get(port);
  if (parsed === undefined) {
    if (parsedPorts.size >= 4096) parsedPorts.clear();
    parsedPorts.set(port, (parsed = Object.freeze(readPortString(port))));
  }
  return parsed;
}

/** Port strings read so far (bounded; cleared when full). */
const parsedPorts = new Map<string, ParsedPort>();

function readPortString(port: string): ParsedPort {
  if (isServiceName(port)) return { kind: 'name', name: port.toLowerCase() };
  const n = parseGoUint16(port);
  return n === undefined ? { kind: 'invalid' } : { kind: 'number', port: n, text: port };
}
