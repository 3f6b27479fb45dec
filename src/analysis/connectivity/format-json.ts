/**
 * @module analysis/connectivity/format-json
 *
 * Results for machines: `{"results":[…],"summary":{"passed":N,"failed":M}}`.
 * The fields of the issue come first and always exist (`port` is null for
 * ICMP); `test`, `file`, `line`, `icmpType`, `dns`, `pairs` and, for a
 * failing case, `explanation` are extras.
 *
 * One result per line: still one JSON document, readable with `jq` and by
 * eye, diffable line by line, and half the size of indented JSON (a suite of
 * 100,000 cases printed 52 MB indented).
 */
import type { CaseResult } from './types.js';

/** Renders results as JSON, one result per line, ending with a newline. */
export function formatJson(results: readonly CaseResult[]): string {
  const passed = results.filter((r) => r.pass).length;
  const lines = results.map((r) => {
    // Filled field by field (no spreads): this runs once per case of a suite of any size.
    const o: Record<string, unknown> = {
      name: r.name, from: r.from, to: r.to, port: r.port ?? null, protocol: r.protocol,
      expect: r.expect, verdict: r.verdict, pass: r.pass, reason: r.reason,
      test: r.test, file: r.location.file, line: r.location.line,
    };
    if (r.icmpType !== undefined) o.icmpType = r.icmpType;
    if (r.dns !== undefined) o.dns = r.dns;
    o.pairs = r.pairs;
    if (r.explanation !== undefined) o.explanation = r.explanation;
    return '    ' + JSON.stringify(o);
  });
  const summary = JSON.stringify({ passed, failed: results.length - passed });
  return `{\n  "results": [${lines.length ? `\n${lines.join(',\n')}\n  ` : ''}],\n  "summary": ${summary}\n}\n`;
}
