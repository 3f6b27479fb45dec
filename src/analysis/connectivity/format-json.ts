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

/** Results per `JSON.stringify` call: large enough to stay in its fast path, small enough to keep strings short. */
const CHUNK = 4096;

/** Renders results as JSON, one result per line, ending with a newline. */
export function formatJson(results: readonly CaseResult[]): string {
  return [...formatJsonChunks(results)].join('');
}

/**
 * The same text in pieces of a few thousand results, to write as they are
 * made: a suite of 100,000 cases is 40 MB of JSON, better never held whole.
 */
export function* formatJsonChunks(results: readonly CaseResult[]): Generator<string> {
  const passed = results.filter((r) => r.pass).length;
  yield '{\n  "results": [';
  // One JSON.stringify per chunk of plain rows is several times faster than a call (or a
  // template) per result. Rows are flat and every one starts with "name", and a quote inside a
  // string is always escaped, so `},{"name"` occurs only between two rows: there the lines break.
  for (let i = 0; i < results.length; i += CHUNK) {
    const text = JSON.stringify(results.slice(i, i + CHUNK).map(row));
    yield `${i === 0 ? '' : ','}\n    ${text.slice(1, -1).replaceAll('},{"name"', '},\n    {"name"')}`;
  }
  yield `${results.length ? '\n  ' : ''}],\n  "summary": ${JSON.stringify({ passed, failed: results.length - passed })}\n}\n`;
}

/** A result as printed: every field in one literal (undefined ones are left out by JSON.stringify). */
function row(r: CaseResult) {
  return {
    name: r.name, from: r.from, to: r.to, port: r.port ?? null, protocol: r.protocol,
    expect: r.expect, verdict: r.verdict, pass: r.pass, reason: r.reason,
    test: r.test, file: r.location.file, line: r.location.line,
    icmpType: r.icmpType, dns: r.dns, pairs: r.pairs, explanation: r.explanation,
  };
}
