/**
 * @module hubble/printer-dict
 *
 * `hubble observe -o dict`: one block of `KEY: value` lines per flow, keys
 * right-aligned to 11 columns, blocks separated by `------------`
 * (`printer.go` DictOutput). No identities, no arrow and no reply swap.
 */
import type { FlowRecord } from './flow.js';
import { hostTexts, nodeText, summaryText, timeText, typeText, verdictText, type TextPrintOptions } from './print-fields.js';

/** Formats one flow as a dict block; `first` is false for every block after the first (which gets the separator). */
export function formatDict(r: FlowRecord, first: boolean, opts: TextPrintOptions = {}): string {
  const f = r.flow;
  const [src, dst] = hostTexts(f, opts);
  let out = first ? '' : '------------\n';
  out += `  TIMESTAMP: ${timeText(f, opts)}\n`;
  if (opts.nodeName) out += `       NODE: ${nodeText(f)}\n`;
  out += `     SOURCE: ${src}\nDESTINATION: ${dst}\n       TYPE: ${typeText(f)}\n    VERDICT: ${verdictText(f, opts)}\n    SUMMARY: ${summaryText(f, opts)}\n`;
  return out;
}
