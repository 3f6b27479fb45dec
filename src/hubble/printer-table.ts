/**
 * @module hubble/printer-table
 *
 * `hubble observe -o table`: rows through Go's `text/tabwriter` with
 * minwidth 2, tabwidth 0, padding 3, pad character space, flags 0
 * (`printer.go` `tabwriter.NewWriter(w, 2, 0, 3, ' ', 0)`). Colour is always
 * off.
 *
 * hubble holds every row until it exits, because tabwriter aligns a column
 * over all its rows and only flushes on Close. That is unbounded memory
 * (200 MB of flows took 1.3 GB) and, past V8's string limit, a crash. So rows
 * are aligned and written in batches: up to `BATCH_ROWS` rows or
 * `BATCH_CHARS` characters, which covers any ordinary capture, so the output
 * is then byte for byte hubble's. Past the first batch a column keeps the
 * widest width seen so far and never shrinks, so later batches line up with
 * earlier ones unless a wider cell appears. A cell longer than
 * `MAX_COLUMN_WIDTH` runes is written whole but does not widen its column:
 * one hostile million-character pod name cannot pad every other row to a
 * megabyte.
 */
import type { FlowRecord } from './flow.js';
import { hostTexts, nodeText, summaryText, timeText, typeText, verdictText, type TextPrintOptions } from './print-fields.js';

/** Rows aligned and written together. */
export const BATCH_ROWS = 4096;
/** Characters of cell text aligned and written together, whatever the row count. */
export const BATCH_CHARS = 4 << 20;
/** Widest a column grows, in runes (plus padding); longer cells overflow it. */
export const MAX_COLUMN_WIDTH = 256;

/** Width of a cell as tabwriter counts it: in runes (code points). */
function runeCount(s: string): number {
  // A string of more than 2n UTF-16 units has more than n code points: no need to count a huge cell.
  if (s.length > 2 * MAX_COLUMN_WIDTH) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * Aligns batches of rows as tabwriter does when every row has the same
 * number of tab-terminated cells: each column is as wide as its widest cell
 * plus `padding` (at least `minWidth`); the last cell of a row (after the
 * last tab) is written as is. Column widths carry over from one batch to the
 * next and only grow.
 */
export class ColumnAligner {
  private readonly widths: number[] = [];

  constructor(private readonly minWidth = 2, private readonly padding = 3, private readonly maxWidth = MAX_COLUMN_WIDTH) {}

  /** The rows of one batch, aligned, each ending in a newline. */
  format(rows: readonly (readonly string[])[]): string {
    const counts: number[][] = [];
    for (const row of rows) {
      const c: number[] = [];
      for (let i = 0; i < row.length - 1; i++) {
        const n = runeCount(row[i] ?? '');
        c.push(n);
        if (n > this.maxWidth) continue;
        const w = Math.max(n + this.padding, this.minWidth);
        if (w > (this.widths[i] ?? 0)) this.widths[i] = w;
      }
      counts.push(c);
    }
    let out = '';
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r] as readonly string[];
      const c = counts[r] as number[];
      for (let i = 0; i < row.length - 1; i++) {
        const n = c[i] as number;
        out += (row[i] ?? '') + ' '.repeat(Math.max((this.widths[i] ?? 0) - n, n > this.maxWidth ? this.padding : 0));
      }
      out += `${row[row.length - 1] ?? ''}\n`;
    }
    return out;
  }
}

/** Aligns one set of rows (a whole table) as tabwriter does. */
export function alignColumns(rows: readonly (readonly string[])[], minWidth = 2, padding = 3): string {
  return new ColumnAligner(minWidth, padding).format(rows);
}

/** Collects table rows and returns them aligned, a batch at a time. */
export class TablePrinter {
  private rows: string[][] = [];
  private chars = 0;
  private started = false;
  private readonly aligner = new ColumnAligner();
  private readonly opts: TextPrintOptions;

  constructor(opts: TextPrintOptions = {}) {
    // The tabwriter is not compatible with colours, so hubble disables them.
    this.opts = { ...opts, color: false };
  }

  /** Adds one flow. Returns the text of a full batch, or `''` while the batch fills. */
  add(r: FlowRecord): string {
    const f = r.flow;
    const o = this.opts;
    if (!this.started) {
      this.started = true;
      this.rows.push(o.nodeName ? ['TIMESTAMP', 'NODE', 'SOURCE', 'DESTINATION', 'TYPE', 'VERDICT', 'SUMMARY'] : ['TIMESTAMP', 'SOURCE', 'DESTINATION', 'TYPE', 'VERDICT', 'SUMMARY']);
    }
    const [src, dst] = hostTexts(f, o);
    const row = [timeText(f, o)];
    if (o.nodeName) row.push(nodeText(f));
    row.push(src, dst, typeText(f), verdictText(f, o), summaryText(f, o));
    this.rows.push(row);
    for (const c of row) this.chars += c.length;
    return this.rows.length >= BATCH_ROWS || this.chars >= BATCH_CHARS ? this.flush() : '';
  }

  /** The rows not yet written; empty when no flow was added at all (hubble prints no header then). */
  end(): string {
    return this.flush();
  }

  private flush(): string {
    const out = this.aligner.format(this.rows);
    this.rows = [];
    this.chars = 0;
    return out;
  }
}
