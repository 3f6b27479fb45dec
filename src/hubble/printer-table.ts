/**
 * @module hubble/printer-table
 *
 * `hubble observe -o table`: rows through Go's `text/tabwriter` with
 * minwidth 2, tabwidth 0, padding 3, pad character space, flags 0
 * (`printer.go` `tabwriter.NewWriter(w, 2, 0, 3, ' ', 0)`). Colour is always
 * off. As tabwriter aligns a column over all its rows, rows are held until
 * `end()`, exactly as hubble only flushes on Close.
 */
import type { FlowRecord } from './flow.js';
import { hostTexts, nodeText, summaryText, timeText, typeText, verdictText, type TextPrintOptions } from './print-fields.js';

/** Width of a cell as tabwriter counts it: in runes (code points). */
function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * Aligns rows of cells as tabwriter does when every row has the same number
 * of tab-terminated cells: each column is as wide as its widest cell plus
 * `padding` (at least `minWidth`); the last cell of a row (after the last tab)
 * is written as is.
 */
export function alignColumns(rows: readonly (readonly string[])[], minWidth = 2, padding = 3): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (let i = 0; i < row.length - 1; i++) {
      const w = runeCount(row[i] ?? '') + padding;
      widths[i] = Math.max(widths[i] ?? 0, w < minWidth ? minWidth : w);
    }
  }
  let out = '';
  for (const row of rows) {
    for (let i = 0; i < row.length - 1; i++) {
      const cell = row[i] ?? '';
      out += cell + ' '.repeat((widths[i] ?? 0) - runeCount(cell));
    }
    out += `${row[row.length - 1] ?? ''}\n`;
  }
  return out;
}

/** Collects table rows; `end()` returns the aligned table with its header. */
export class TablePrinter {
  private readonly rows: string[][] = [];
  private readonly opts: TextPrintOptions;

  constructor(opts: TextPrintOptions = {}) {
    // The tabwriter is not compatible with colours, so hubble disables them.
    this.opts = { ...opts, color: false };
  }

  /** Adds one flow. Returns nothing to write yet. */
  add(r: FlowRecord): void {
    const f = r.flow;
    const o = this.opts;
    if (this.rows.length === 0) {
      this.rows.push(o.nodeName ? ['TIMESTAMP', 'NODE', 'SOURCE', 'DESTINATION', 'TYPE', 'VERDICT', 'SUMMARY'] : ['TIMESTAMP', 'SOURCE', 'DESTINATION', 'TYPE', 'VERDICT', 'SUMMARY']);
    }
    const [src, dst] = hostTexts(f, o);
    const row = [timeText(f, o)];
    if (o.nodeName) row.push(nodeText(f));
    row.push(src, dst, typeText(f), verdictText(f, o), summaryText(f, o));
    this.rows.push(row);
  }

  /** The whole table; empty when no flow was added (hubble prints no header then). */
  end(): string {
    return alignColumns(this.rows);
  }
}
