/**
 * @module web/yaml-path
 *
 * Where the cursor is in a YAML document, cheaply and tolerant of the
 * half-typed text an editor holds (a parser would give up on it): the key
 * path by indentation and the document's kind, for schema completion.
 * No DOM, so it is tested in Node.
 */
export interface FieldTree { fields?: Record<string, FieldTree>; values?: string[] }

/**
 * The YAML key path at a line, by indentation (lists are transparent, as in
 * the field trees): each line above with a key indented less than the one
 * below is its parent, up to the document's top. Also the document's kind.
 */
export function keyPathAt(lines: readonly string[], row: number, indent: number): { path: string[]; kind?: string } {
  const path: string[] = [];
  let want = indent;
  let kind: string | undefined;
  for (let i = row - 1; i >= 0; i--) {
    const l = lines[i]!;
    if (/^---/.test(l)) break;
    const m = /^(\s*)(- +)?([A-Za-z_][\w.-]*)\s*:/.exec(l);
    if (!m) continue;
    const at = m[1]!.length + (m[2]?.length ?? 0);
    if (at === 0 && m[3] === 'kind') kind = /:\s*["']?([\w]+)/.exec(l)?.[1];
    if (at < want) {
      path.unshift(m[3]!);
      want = at;
    }
  }
  for (let i = row; i < lines.length && kind === undefined; i++) {
    if (/^---/.test(lines[i]!)) break;
    kind = /^kind:\s*["']?([\w]+)/.exec(lines[i]!)?.[1];
  }
  return { path, ...(kind ? { kind } : {}) };
}

