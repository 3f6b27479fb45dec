/**
 * @module hubble/filter/patterns
 *
 * FQDN and node-name glob patterns, translated into anchored regular
 * expressions exactly as `pkg/hubble/filters/patterns.go` does: the pattern is
 * trimmed, lower-cased and loses one trailing dot; `*` matches `[-.0-9a-z]*`;
 * only `-`, digits, `_`, lower-case letters and `.` are allowed. The regular
 * expression is built by us from validated characters, never from raw user
 * text, so a JS RegExp is safe here.
 */

const FQDN_RE = '(?:[-0-9_a-z]+(?:\\.[-0-9_a-z]+)*)';

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

/** Compiles FQDN patterns (`--fqdn`) into one anchored matcher, or an error message. */
export function compileFqdnPatterns(patterns: readonly string[]): RegExp | { error: string } {
  const parts: string[] = [];
  for (const p of patterns) {
    const r = fqdnPatternRegexp(p);
    if (typeof r !== 'string') return { error: `invalid FQDN pattern ${JSON.stringify(p)}: ${r.error}` };
    parts.push(r);
  }
  return new RegExp(`^(?:${parts.join('|')})$`);
}

/**
 * Compiles node-name patterns (`--node-name`): `cluster/node`, each half an
 * FQDN pattern where empty matches anything; without a slash the pattern is
 * the node part and matches every cluster.
 */
export function compileNodeNamePatterns(patterns: readonly string[]): RegExp | { error: string } {
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
  return new RegExp(`^(?:${parts.join('|')})$`);
}
