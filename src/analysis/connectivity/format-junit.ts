/**
 * @module analysis/connectivity/format-junit
 *
 * Results as JUnit XML, the format CI systems (GitLab, Jenkins, GitHub
 * test reporters) show as test reports: one `<testsuite>` per test file,
 * one `<testcase>` per case with `classname` = the ConnectivityTest's name,
 * and a `<failure>` for each case whose verdict was not the expected one.
 * Everything user-written is escaped; characters XML 1.0 cannot carry at all
 * (most control characters) are replaced, so the document always parses.
 */
import { trafficLabel, type CaseResult } from './types.js';

/** Renders results as a JUnit XML document, ending with a newline. */
export function formatJunit(results: readonly CaseResult[]): string {
  const files = new Map<string, CaseResult[]>();
  for (const r of results) {
    const list = files.get(r.location.file);
    if (list) list.push(r);
    else files.set(r.location.file, [r]);
  }
  const failures = (rs: readonly CaseResult[]) => rs.filter((r) => !r.pass).length;
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="polis test" tests="${results.length}" failures="${failures(results)}" errors="0">`);
  for (const [file, rs] of files) {
    out.push(`  <testsuite name=${attr(file)} tests="${rs.length}" failures="${failures(rs)}" errors="0" skipped="0">`);
    for (const r of rs) {
      const head = `    <testcase classname=${attr(r.test)} name=${attr(r.name)} file=${attr(file)} line="${r.location.line}"`;
      if (r.pass) {
        out.push(`${head}/>`);
        continue;
      }
      out.push(`${head}>`);
      out.push(`      <failure message=${attr(`expected ${r.expect}, got ${r.verdict}: ${r.reason}`)} type="ConnectivityTestFailure">${text(
        `${trafficLabel(r)}\nexpected ${r.expect}, got ${r.verdict}\n${r.reason}\nat ${file}:${r.location.line}:${r.location.col}`,
      )}</failure>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

// XML 1.0 allows tab, LF, CR and everything from U+0020 except surrogates and U+FFFE/U+FFFF.
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Character data: `&` and `<` must go; `>` too, so `]]>` can never appear. */
export function text(s: string): string {
  return s.replace(NOT_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A quoted attribute value; newlines and tabs become references, or parsers would normalise them to spaces. */
export function attr(s: string): string {
  return `"${text(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;')}"`;
}
