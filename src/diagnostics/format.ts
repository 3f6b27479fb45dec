/**
 * @module diagnostics/format
 *
 * Renders diagnostics for people (`file:line:col: error: message` with the
 * offending line and a caret, as compilers do) and for machines (JSON).
 */
import type { Diagnostic } from './diagnostic.js';

/** Text of each source file, so the formatter can quote the offending line. */
export type SourceTexts = ReadonlyMap<string, string>;

/** One diagnostic as `file:line:col: severity: message [code]` plus excerpt and hint. */
export function formatDiagnostic(d: Diagnostic, sources?: SourceTexts): string {
  const where = d.location ? `${d.location.file}:${d.location.line}:${d.location.col}: ` : '';
  const field = d.path ? ` (at ${d.path})` : '';
  const lines = [`${where}${d.severity}: ${d.message}${field} [${d.code}]`];
  const text = d.location ? sources?.get(d.location.file) : undefined;
  if (d.location && text !== undefined) {
    const excerpt = lineAt(text, d.location.line);
    if (excerpt !== undefined && excerpt.length <= 300) {
      const gutter = String(d.location.line).padStart(5) + ' | ';
      lines.push(gutter + excerpt);
      lines.push(' '.repeat(gutter.length + Math.max(0, d.location.col - 1)) + '^');
    }
  }
  if (d.hint) lines.push(`  hint: ${d.hint}`);
  return lines.join('\n');
}

function lineAt(text: string, line: number): string | undefined {
  let start = 0;
  for (let i = 1; i < line; i++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return undefined;
    start = nl + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? undefined : end).replace(/\r$/, '');
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
