/**
 * @module hubble/printer
 *
 * One interface over the output formats of `hubble observe -o …`: `compact`
 * (default), `dict`, `table`, `json` and `jsonpb`. A printer turns records
 * into text and returns it; it does no I/O. `json` prints the same
 * GetFlowsResponse lines as `jsonpb`, as hubble does unless
 * `HUBBLE_COMPAT=legacy-json-output` is set (reference §3.1).
 */
import { encodeFlowResponse } from './encode.js';
import type { FlowRecord } from './flow.js';
import type { TextPrintOptions } from './print-fields.js';
import { formatCompact } from './printer-compact.js';
import { formatDict } from './printer-dict.js';
import { TablePrinter } from './printer-table.js';

/** The `-o` output formats. */
export const OUTPUT_FORMATS = ['compact', 'dict', 'table', 'json', 'jsonpb'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Turns flow records into text. */
export interface FlowPrinter {
  /** Text for one record (for the table, a whole batch of rows now and then, else empty). */
  write(record: FlowRecord): string;
  /** Text still to be written at the end (the table's last batch). */
  end(): string;
}

/** A printer for the format; text options are ignored by the JSON formats. */
export function createPrinter(format: OutputFormat, opts: TextPrintOptions = {}): FlowPrinter {
  switch (format) {
    case 'compact':
      return { write: (r) => formatCompact(r, opts), end: () => '' };
    case 'dict': {
      let first = true;
      return {
        write: (r) => {
          const s = formatDict(r, first, opts);
          first = false;
          return s;
        },
        end: () => '',
      };
    }
    case 'table': {
      const t = new TablePrinter(opts);
      return { write: (r) => t.add(r), end: () => t.end() };
    }
    case 'json':
    case 'jsonpb':
      return { write: (r) => `${encodeFlowResponse(r)}\n`, end: () => '' };
  }
}
