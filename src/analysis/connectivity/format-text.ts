/**
 * @module analysis/connectivity/format-text
 *
 * Results for people: one line per case, then `N passed, M failed` alone on
 * the last line (so scripts can read it with `tail -1`). A failing line
 * starts with the case's file:line, which editors and terminals link.
 */
import { trafficLabel, type CaseResult } from './types.js';

/** Renders results as text, ending with a newline. */
export function formatText(results: readonly CaseResult[]): string {
  const lines = results.map((r) => {
    const where = r.pass ? '' : `${r.location.file}:${r.location.line}: `;
    const traffic = trafficLabel(r);
    // A case without a name is named after its traffic (run.ts): say it once.
    const label = r.name === traffic ? traffic : `${r.name}: ${traffic}`;
    const line = `${r.pass ? 'PASS' : 'FAIL'} ${where}${label}: expected ${r.expect}, got ${r.verdict} (${r.reason})`;
    return r.explanation ? `${line}\n    ${r.explanation}` : line;
  });
  const passed = results.filter((r) => r.pass).length;
  lines.push(`${passed} passed, ${results.length - passed} failed`);
  return lines.join('\n') + '\n';
}
