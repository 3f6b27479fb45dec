/**
 * @module bench/diagnostics
 *
 * Formatting many diagnostics against one large file (issue 8: 50,000 errors
 * took 14 s when each excerpt rescanned the file). polis builds a line index
 * once per file; the baseline is the old rescan from the file's start, run on
 * a tenth of the diagnostics because it is quadratic.
 */
import { formatDiagnostic } from '../src/diagnostics/format.js';
import type { Diagnostic } from '../src/diagnostics/diagnostic.js';
import { bestOf, report } from './harness.js';

function rescanLineAt(text: string, line: number): string | undefined {
  let start = 0;
  for (let i = 1; i < line; i++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return undefined;
    start = nl + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? undefined : end);
}

export function run(): void {
  const n = 50_000;
  const text = Array.from({ length: n }, (_, i) => `key${i}: value`).join('\n');
  const diag = (line: number): Diagnostic => ({ code: 'x', severity: 'error', message: 'm', location: { file: 'big.yaml', line, col: 1, offset: 0, endOffset: 0 } });
  const diags = Array.from({ length: n }, (_, i) => diag(i + 1));
  const polis = bestOf(3, () => {
    const sources = new Map([['big.yaml', text]]); // a fresh map: the index is built inside the timing
    for (const d of diags) formatDiagnostic(d, sources);
  });
  const sample = diags.filter((_, i) => i % 10 === 0);
  const rescan = bestOf(1, () => {
    for (const d of sample) rescanLineAt(text, d.location!.line);
  }) * 10;
  report(`format ${n.toLocaleString('en-US')} diagnostics of a ${n.toLocaleString('en-US')}-line file`, { value: polis, unit: 'ms' }, { value: rescan, unit: 'ms (extrapolated, a sample of 1/10 x10)', name: 'rescan per diagnostic' }, false);
}
