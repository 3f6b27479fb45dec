/**
 * @module analysis/connectivity/format-json
 *
 * Results for machines: `{"results":[…],"summary":{"passed":N,"failed":M}}`.
 * The fields of the issue come first and always exist (`port` is null for
 * ICMP); `test`, `file`, `line`, `icmpType`, `dns` and `pairs` are extras.
 */
import type { CaseResult } from './types.js';

/** Renders results as pretty-printed JSON, ending with a newline. */
export function formatJson(results: readonly CaseResult[]): string {
  const passed = results.filter((r) => r.pass).length;
  return JSON.stringify({
    results: results.map((r) => ({
      name: r.name, from: r.from, to: r.to, port: r.port ?? null, protocol: r.protocol,
      expect: r.expect, verdict: r.verdict, pass: r.pass, reason: r.reason,
      test: r.test, file: r.location.file, line: r.location.line,
      ...(r.icmpType !== undefined ? { icmpType: r.icmpType } : {}),
      ...(r.dns !== undefined ? { dns: r.dns } : {}),
      pairs: r.pairs,
    })),
    summary: { passed, failed: results.length - passed },
  }, null, 2) + '\n';
}
