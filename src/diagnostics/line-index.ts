/**
 * @module diagnostics/line-index
 *
 * The line starts of one file, computed once, so turning an offset into
 * `line:col` (the loader) or a line number back into its text (the
 * formatter's excerpt) is a binary search or a slice, not a rescan of the
 * file from its start: with one rescan per diagnostic, 50,000 diagnostics on
 * one file took quadratic time (issue 8).
 */
import type { SourceLocation } from './diagnostic.js';

export class LineIndex {
  /** Offset of the first character of each line; `starts[0]` is 0. */
  private readonly starts: number[] = [0];

  constructor(
    readonly file: string,
    private readonly text: string,
  ) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  /** Number of lines (a final newline opens one more, empty, line). */
  get lineCount(): number {
    return this.starts.length;
  }

  /** The location of the character range [offset, endOffset). */
  locate(offset: number, endOffset = offset): SourceLocation {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.file, line: lo + 1, col: offset - (this.starts[lo] ?? 0) + 1, offset, endOffset };
  }

  /** Text of 1-based line `line` without its line break, or undefined past the end. */
  lineText(line: number): string | undefined {
    if (!Number.isInteger(line) || line < 1 || line > this.starts.length) return undefined;
    const start = this.starts[line - 1]!;
    const next = this.starts[line];
    const end = next === undefined ? this.text.length : next - 1;
    return this.text.slice(start, end).replace(/\r$/, '');
  }
}
