/**
 * @module analysis/report/report
 *
 * Reports for CI systems from what polis finds: SARIF 2.1.0 (GitHub code
 * scanning shows each result on its line, with the rule's explanation) and
 * JUnit XML (test report viewers), from one neutral form, so `lint`,
 * `validate`, `test` and `diff` write the same shapes. A finding is a
 * {@link Diagnostic}: a lint finding, a validation problem, a failed test
 * case or a changed connection, each with a rule id and a place.
 */
import type { Diagnostic, Severity } from '../../diagnostics/diagnostic.js';
import { attr, text } from '../connectivity/format-junit.js';
import { portLabel, type CaseResult } from '../connectivity/types.js';

/** Metadata of a rule (SARIF `reportingDescriptor`). */
export interface ReportRule {
  readonly id: string;
  readonly title: string;
  readonly explanation?: string;
  readonly severity: Severity;
}

export interface Report {
  /** `polis lint`, `polis validate`, … */
  readonly command: string;
  readonly rules: readonly ReportRule[];
  readonly findings: readonly Diagnostic[];
  /** Files that were checked (JUnit lists a passing case for each file with no finding). */
  readonly files?: readonly string[];
}

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = { error: 'error', warning: 'warning', info: 'note' };

/** The report as a SARIF 2.1.0 log (one run), ready for JSON.stringify. */
export function toSarif(report: Report, version = '0.1.0'): object {
  const ids = new Map<string, ReportRule>(report.rules.map((r) => [r.id, r]));
  // Rules the findings name but the catalogue does not (validation codes): described by their first message.
  for (const f of report.findings) if (!ids.has(f.code)) ids.set(f.code, { id: f.code, title: f.code, severity: f.severity });
  const rules = [...ids.values()];
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'polis', version, semanticVersion: version,
          rules: rules.map((r) => ({
            id: r.id, name: camel(r.id),
            shortDescription: { text: r.title },
            fullDescription: { text: r.explanation ?? r.title },
            help: { text: r.explanation ?? r.title },
            defaultConfiguration: { level: LEVEL[r.severity] },
          })),
        },
      },
      automationDetails: { id: `${report.command}/` },
      results: report.findings.map((f) => ({
        ruleId: f.code, ruleIndex: index.get(f.code)!, level: LEVEL[f.severity],
        message: { text: f.hint ? `${f.message}. Fix: ${f.hint}` : f.message },
        ...(f.location ? {
          locations: [{
            physicalLocation: {
              artifactLocation: { uri: uri(f.location.file) },
              region: { startLine: f.location.line, startColumn: f.location.col },
            },
            ...(f.object || f.path ? { logicalLocations: [{ name: f.path ?? f.object, fullyQualifiedName: [f.object, f.path].filter(Boolean).join(' ') }] } : {}),
          }],
        } : {}),
      })),
    }],
  };
}

/** A relative path as a URI reference (SARIF wants `/` and percent-encoding). */
function uri(file: string): string {
  return file.replace(/\\/g, '/').split('/').map(encodeURIComponent).join('/');
}

const camel = (id: string) => id.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase());

/**
 * The report as JUnit XML: one `<testsuite>` per file, one failing
 * `<testcase>` per error or warning (infos pass, with the note as output),
 * and a passing case for each file that had nothing to report.
 */
export function toJunit(report: Report): string {
  const byFile = new Map<string, Diagnostic[]>();
  for (const f of report.files ?? []) byFile.set(f, []);
  for (const d of report.findings) {
    const file = d.location?.file ?? '<input>';
    (byFile.get(file) ?? byFile.set(file, []).get(file)!).push(d);
  }
  if (byFile.size === 0) byFile.set('<input>', []);
  const failing = (d: Diagnostic) => d.severity !== 'info';
  const count = (ds: readonly Diagnostic[]) => Math.max(1, ds.length);
  const all = [...byFile.values()];
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name=${attr(report.command)} tests="${all.reduce((n, ds) => n + count(ds), 0)}" failures="${report.findings.filter(failing).length}" errors="0">`);
  for (const [file, ds] of byFile) {
    out.push(`  <testsuite name=${attr(file)} tests="${count(ds)}" failures="${ds.filter(failing).length}" errors="0" skipped="0">`);
    if (ds.length === 0) out.push(`    <testcase classname=${attr(report.command)} name=${attr(`${file}: no findings`)} file=${attr(file)}/>`);
    for (const d of ds) {
      const where = d.location ? `${d.location.file}:${d.location.line}:${d.location.col}` : file;
      out.push(`    <testcase classname=${attr(d.code)} name=${attr(`${where} ${d.code}`)} file=${attr(file)}${d.location ? ` line="${d.location.line}"` : ''}>`);
      const body = text(`${where}: ${d.severity}: ${d.message}${d.hint ? `\nfix: ${d.hint}` : ''}${d.object ? `\nin ${d.object}${d.path ? ` at ${d.path}` : ''}` : ''}`);
      if (failing(d)) out.push(`      <failure message=${attr(d.message)} type=${attr(d.code)}>${body}</failure>`);
      else out.push(`      <system-out>${body}</system-out>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

/** Failed connectivity-test cases as findings (passing cases are no problem to report; JUnit has its own test format). */
export function testResultsReport(results: readonly CaseResult[]): Report {
  const findings: Diagnostic[] = results.filter((r) => !r.pass).map((r) => ({
    code: 'connectivity-test-failed', severity: 'error',
    message: `${r.test}: ${r.name}: expected ${r.expect}, got ${r.verdict} (${r.from} → ${r.to} ${portLabel(r)}): ${r.reason}`,
    ...(r.explanation ? { hint: r.explanation } : {}),
    location: r.location,
  }));
  return {
    command: 'polis test',
    rules: [{ id: 'connectivity-test-failed', title: 'a connectivity test case failed', explanation: 'The policies allow a connection the ConnectivityTest expects denied, or deny one it expects allowed.', severity: 'error' }],
    findings,
    files: [...new Set(results.map((r) => r.location.file))],
  };
}
