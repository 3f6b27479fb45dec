/**
 * @module hubble/filter/patterns
 *
 * FQDN and node-name glob patterns (`--fqdn`, `--from-fqdn`, `--to-fqdn`,
 * `--node-name`), translated into the same regular expression as
 * `pkg/hubble/filters/patterns.go`: the pattern is trimmed, lower-cased and
 * loses one trailing dot; `*` matches `[-.0-9a-z]*`; only `-`, digits, `_`,
 * lower-case letters and `.` are allowed; the result is anchored at both ends.
 *
 * The expression is run by RE2 (re2js), as Go runs it, never by a JS RegExp:
 * a backtracking engine takes exponential time on `*a*a*a…*b` against a long
 * name, RE2 takes time linear in the name.
 */
import { compileRe2, fullMatch } from '../../util/re2.js';

const FQDN_RE = '(?:[-0-9_a-z]+(?:\\.[-0-9_a-z]+)*)';

/** A compiled set of patterns: `test` is true when the whole name matches one of them. */
export interface NameMatcher {
  /** The RE2 expression, anchored by `test` (Go's `\A(?:…)\z`). */
  readonly source: string;
  test(name: string): boolean;
}

function fqdnPatternRegexp(pattern: string): string | { error: string } {
  const p = pattern.trim().replace(/\.$/, '').toLowerCase();
  if (p === '') return { error: 'empty pattern' };
  if (p.endsWith('.')) return { error: 'multiple trailing dots in pattern' };
  let out = '';
  for (const r of p) {
    if (r === '.') out += '\\.';
    else if (r === '*') out += '[-.0-9a-z]*';
    else if (r === '-' || r === '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z')) out += r;
    else return { error: `${JSON.stringify(r)}: invalid rune in pattern` };
  }
  return out;
}

function matcher(parts: readonly string[]): NameMatcher | { error: string } {
  const source = `(?:${parts.join('|')})`;
  const c = compileRe2(source);
  // Unreachable with validated characters, but an error value is cheaper than a crash.
  if (!c.ok) return { error: c.error };
  const re = c.re;
  return { source, test: (name) => fullMatch(re, name) };
}

/** Compiles FQDN patterns (`--fqdn`) into one anchored matcher, or an error message. */
export function compileFqdnPatterns(patterns: readonly string[]): NameMatcher | { error: string } {
  const parts: string[] = [];
  for (const p of patterns) {
    const r = fqdnPatternRegexp(p);
    if (typeof r !== 'string') return { error: `invalid FQDN pattern ${JSON.stringify(p)}: ${r.error}` };
    parts.push(r);
  }
  return matcher(parts);
}

/**
 * Compiles node-name patterns (`--node-name`): `cluster/node`, each half an
 * FQDN pattern where empty matches anything; without a slash the pattern is
 * the node part and matches every cluster.
 */
export function compileNodeNamePatterns(patterns: readonly string[]): NameMatcher | { error: string } {
  const parts: string[] = [];
  for (const p of patterns) {
    if (p === '') return { error: 'invalid node name pattern "": empty pattern' };
    const elems = p.split('/');
    if (elems.length > 2) return { error: `invalid node name pattern ${JSON.stringify(p)}: too many slashes in pattern` };
    const [cluster, node] = elems.length === 1 ? ['', elems[0] as string] : [elems[0] as string, elems[1] as string];
    const c = cluster === '' ? FQDN_RE : fqdnPatternRegexp(cluster);
    const n = node === '' ? FQDN_RE : fqdnPatternRegexp(node);
    if (typeof c !== 'string') return { error: `invalid node name pattern ${JSON.stringify(p)}: ${c.error}` };
    if (typeof n !== 'string') return { error: `invalid node name pattern ${JSON.stringify(p)}: ${n.error}` };
    parts.push(`${c}/${n}`);
  }
  return matcher(parts);
}
