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
import { SKIP_CAUSES, skippedRecord } from './observed.js';

const NO_IGNORED: readonly [] = [];

/** The results of the pattern's records for skipped lines, made once: half the lines of an export are replies. */
const SKIPPED = new Map(SKIP_CAUSES.map((c) => skippedRecord(c)).filter((r) => r !== undefined).map((r) => [r, { kind: 'records', records: [r], ignored: NO_IGNORED } as const]));

/** The records of one line, or `undefined` when the careful path must read it. */
export function readLineForReduction(line: string): LineResult | undefined {
  const hit = matchFlowLine(line);
  if (!hit) return scanLine(line);
  // Only frozen records can be skipped ones; asking the map about a new object would give it a hash.
  return (Object.isFrozen(hit) ? SKIPPED.get(hit) : undefined) ?? { kind: 'records', records: [hit], ignored: NO_IGNORED };
}

/** The reader options of every reduction (files, workers, stdin, uploads). */
export const REDUCTION_READ: FlowStreamParserOptions = { scan: readLineForReduction };
