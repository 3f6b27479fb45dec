/**
 * @module diagnostics/format
 *
 * Renders diagnostics for people (`file:line:col: error: message` with the
 * offending line and a caret, as compilers do) and for machines (JSON).
 */
import type { Diagnostic } from './diagnostic.js';
import { LineIndex } from './line-index.js';

/** Text of each source file, so the formatter can quote the offending line. */
export type SourceTexts = ReadonlyMap<string, string>;

/**
 * Line indexes per source map and file, built on first use: callers format
 * thousands of diagnostics against one map, and each must not rescan its file.
 */
const indexes = new WeakMap<SourceTexts, Map<string, LineIndex>>();

function lineIndexOf(sources: SourceTexts, file: string): LineIndex | undefined {
  let perFile = indexes.get(sources);
  if (!perFile) indexes.set(sources, (perFile = new Map()));
  let index = perFile.get(file);
  if (!index) {
    const text = sources.get(file);
    if (text === undefined) return undefined;
    perFile.set(file, (index = new LineIndex(file, text)));
  }
  return index;
}

/** One diagnostic as `file:line:col: severity: message [code]` plus excerpt and hint. */
export function formatDiagnostic(d: Diagnostic, sources?: SourceTexts): string {
  const where = d.location ? `${d.location.file}:${d.location.line}:${d.location.col}: ` : '';
  const field = d.path ? ` (at ${d.path})` : '';
  const lines = [`${where}${d.severity}: ${d.message}${field} [${d.code}]`];
  const index = d.location && sources ? lineIndexOf(sources, d.location.file) : undefined;
  if (d.location && index) {
    const excerpt = index.lineText(d.location.line);
    if (excerpt !== undefined && excerpt.length <= 300) {
      const gutter = String(d.location.line).padStart(5) + ' | ';
      lines.push(gutter + excerpt);
      lines.push(' '.repeat(gutter.length + Math.max(0, d.location.col - 1)) + '^');
    }
  }
  if (d.hint) lines.push(`  hint: ${d.hint}`);
  return lines.join('\n');
}

/** Diagnostics as plain data, for `-o json`. */
export function diagnosticsToJson(diags: readonly Diagnostic[]): object[] {
  return diags.map((d) => ({
    severity: d.severity,
    code: d.code,
    message: d.message,
    ...(d.hint ? { hint: d.hint } : {}),
    ...(d.object ? { object: d.object } : {}),
    ...(d.path ? { path: d.path } : {}),
    ...(d.location
      ? { file: d.location.file, line: d.location.line, col: d.location.col, offset: d.location.offset, endOffset: d.location.endOffset }
      : {}),
  }));
}
