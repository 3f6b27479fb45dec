/**
 * @module hubble/printer-compact
 *
 * `hubble observe -o compact` (the default): one line per flow,
 * `TIME [NODE]: SRC SRC_ID ARROW DST DST_ID TYPE VERDICT (SUMMARY)`
 * (`printer.go` `WriteProtoFlow`, CompactOutput). The arrow is `<>` when
 * `is_reply` is unknown, `->` for a request, and `<-` for a reply, in which
 * case source and destination swap so the initiator stays on the left.
 */
import type { FlowRecord } from './flow.js';
import { hostTexts, identityTexts, nodeText, summaryText, timeText, typeText, verdictText, type TextPrintOptions } from './print-fields.js';

/** Formats one flow as a compact line, including the trailing newline. */
export function formatCompact(r: FlowRecord, opts: TextPrintOptions = {}): string {
  const f = r.flow;
  let [src, dst] = hostTexts(f, opts);
  let [srcId, dstId] = identityTexts(f, opts);
  let arrow = '->';
  if (f.isReply === undefined) {
    arrow = '<>';
  } else if (f.isReply) {
    [src, dst] = [dst, src];
    [srcId, dstId] = [dstId, srcId];
    arrow = '<-';
  }
  const node = opts.nodeName ? ` [${nodeText(f)}]` : '';
  return `${timeText(f, opts)}${node}: ${src} ${srcId} ${arrow} ${dst} ${dstId} ${typeText(f)} ${verdictText(f, opts)} (${summaryText(f, opts)})\n`;
}
