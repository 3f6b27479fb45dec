/**
 * @module web/flows
 *
 * A Hubble export (the JSON lines of `hubble observe -o json` or of the
 * exporter) as the flows panel shows it: each flow as `hubble observe`'s
 * compact line and as the columns of Hubble UI's flows table, printed by the
 * same hubble layer as `polis observe`. Lines that are no flow are counted
 * with the first reasons, as observe reports them.
 */
import { parseLine, type FlowRecord } from '../hubble/index.js';
import { formatCompact } from '../hubble/printer-compact.js';
import { hostTexts, nodeText, summaryText, timeText, typeText, verdictText } from '../hubble/print-fields.js';

export interface FlowRow {
  readonly compact: string;
  readonly time: string;
  readonly node: string;
  readonly source: string;
  readonly destination: string;
  readonly type: string;
  readonly verdict: string;
  readonly summary: string;
}

/** At most this many flows go back: the panel is for reading, `polis observe` for big files. */
export const MAX_FLOWS = 5000;

export function readFlows(text: string): { flows: FlowRow[]; total: number; skipped: number; problems: string[] } {
  const flows: FlowRow[] = [];
  let total = 0;
  let skipped = 0;
  const problems: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const r = parseLine(lines[i]!);
    if (r.kind === 'blank') continue;
    if (r.kind === 'skip') {
      skipped++;
      if (problems.length < 5) problems.push(`line ${i + 1}: ${r.message}`);
      continue;
    }
    for (const rec of r.records) {
      total++;
      if (flows.length < MAX_FLOWS) flows.push(row(rec));
    }
  }
  return { flows, total, skipped, problems };
}

function row(r: FlowRecord): FlowRow {
  const f = r.flow;
  const opts = {};
  // Hubble UI shows the initiator on the left, as the compact line does for replies.
  let [src, dst] = hostTexts(f, opts);
  if (f.isReply) [src, dst] = [dst, src];
  return {
    compact: formatCompact(r, opts).trimEnd(), time: timeText(f, opts), node: nodeText(f),
    source: src, destination: dst, type: typeText(f), verdict: verdictText(f, opts), summary: summaryText(f, opts),
  };
}
