/**
 * @module generate/line-reader
 *
 * How the reduction reads an exporter line: Hubble's own layout by the
 * pattern (`flow-pattern.ts`, the fast common case), any other by the
 * scanner (`scan-decode.ts`), and what neither is sure of by the careful
 * path (`JSON.parse` + the full decoder) that the hubble reader falls back
 * to. All three give the same reduction, skips and messages
 * (`fast-paths.test.ts`); the pattern's records carry only what the
 * reduction reads.
 */
import type { LineResult } from '../hubble/parse-line.js';
import type { FlowStreamParserOptions } from '../hubble/reader.js';
import { matchFlowLine } from './flow-pattern.js';
import { scanLine } from './scan-decode.js';

const NO_IGNORED: readonly [] = [];

/** The records of one line, or `undefined` when the careful path must read it. */
export function readLineForReduction(line: string): LineResult | undefined {
  const hit = matchFlowLine(line);
  return hit ? { kind: 'records', records: [hit], ignored: NO_IGNORED } : scanLine(line);
}

/** The reader options of every reduction (files, workers, stdin, uploads). */
export const REDUCTION_READ: FlowStreamParserOptions = { scan: readLineForReduction };
