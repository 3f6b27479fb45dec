/**
 * @module manifest/source
 *
 * A user's input file as text, and the conversion from character offsets to
 * the `file:line:col` every message cites. Reading files is the CLI's job;
 * the core starts from text, so the editor and the server use the same code.
 */
import type { SourceLocation } from '../diagnostics/diagnostic.js';

/** One input: a path (as the user named it, or `<stdin>`) and its text. */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

/** Turns offsets into 1-based line/column for one file (binary search over line starts). */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(
    readonly file: string,
    text: string,
  ) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
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
}
