/**
 * @module manifest/split
 *
 * Splits a YAML stream into its documents at `---` lines, without parsing.
 * A `---` at column 0 can only be a document marker (block scalars must be
 * indented, and quoted scalars may not contain one at the start of a line),
 * so this is exact for the YAML Kubernetes users write. Streams with `%`
 * directives are left whole.
 */

export interface DocumentChunk {
  /** Offset of the chunk's first character in the file. */
  readonly offset: number;
  readonly text: string;
}

const MARKER = /^---(?=[ \t\r\n]|$)/gm;

export function splitDocuments(text: string): DocumentChunk[] {
  if (/^%/m.test(text)) return [{ offset: 0, text }];
  const starts = [0];
  for (const m of text.matchAll(MARKER)) if (m.index > 0) starts.push(m.index);
  return starts.map((start, i) => ({ offset: start, text: text.slice(start, starts[i + 1] ?? text.length) }));
}
