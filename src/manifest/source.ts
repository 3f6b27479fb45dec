/**
 * @module manifest/source
 *
 * A user's input file as text, and the conversion from character offsets to
 * the `file:line:col` every message cites. Reading files is the CLI's job;
 * the core starts from text, so the editor and the server use the same code.
 */

/** One input: a path (as the user named it, or `<stdin>`) and its text. */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

/** Offsets to `line:col`; lives in diagnostics so the formatter shares it. */
export { LineIndex } from '../diagnostics/line-index.js';
