/**
 * @module simulate/scenario-format
 *
 * A scenario run as text (the terminal transcript, then the failure at its
 * file:line:col), as JSON for scripts, and as JUnit XML for CI, one test
 * case per step.
 */
import type { ScenarioRun, StepResult } from './scenario.js';

export function scenarioFailure(r: StepResult): string {
  const l = r.step.location;
  return `${l.file}:${l.line}:${l.col}: ${r.step.spec.name ? `${r.step.spec.name}: ` : ''}${r.failures.join('\n  ')}`;
}

export function formatScenarioJson(runs: readonly ScenarioRun[]): string {
  return `${JSON.stringify({
    passed: runs.every((r) => r.passed),
    scenarios: runs.map((r) => ({
      name: r.scenario.name, file: r.scenario.file, passed: r.passed,
      steps: r.steps.map((s) => ({
        line: s.step.location.line, ...(s.step.spec.name ? { name: s.step.spec.name } : {}), transcript: s.transcript, passed: s.failures.length === 0,
        ...(s.failures.length ? { failures: s.failures } : {}),
        ...(s.command ? { exitCode: s.command.exitCode, stdout: s.command.stdout, stderr: s.command.stderr, steps: s.command.steps } : {}),
        ...(s.flows ? { flows: s.flows.length } : {}),
      })),
    })),
  }, null, 2)}\n`;
}

export function formatScenarioJunit(runs: readonly ScenarioRun[]): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const all = runs.flatMap((r) => r.steps);
  const failures = all.filter((s) => s.failures.length > 0).length;
  out.push(`<testsuites name="polis run --scenario" tests="${all.length}" failures="${failures}" errors="0">`);
  for (const r of runs) {
    const f = r.steps.filter((s) => s.failures.length > 0).length;
    out.push(`  <testsuite name=${attr(r.scenario.name)} tests="${r.steps.length}" failures="${f}" errors="0" skipped="${r.scenario.steps.length - r.steps.length}">`);
    for (const s of r.steps) {
      const name = s.step.spec.name ?? s.transcript.split('\n').find((l) => l.startsWith('$ '))?.slice(2) ?? `step at line ${s.step.location.line}`;
      const head = `    <testcase classname=${attr(r.scenario.name)} name=${attr(name)} file=${attr(r.scenario.file)} line="${s.step.location.line}"`;
      if (s.failures.length === 0) out.push(`${head}/>`);
      else out.push(`${head}>`, `      <failure message=${attr(s.failures[0]!)} type="ScenarioExpectation">${text(`${s.transcript}\n${scenarioFailure(s)}`)}</failure>`, '    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

// XML 1.0 allows tab, LF, CR and everything from U+0020 except surrogates and U+FFFE/U+FFFF.
const clean = (s: string) => s.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/g, '\uFFFD');
const text = (s: string) => clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const attr = (s: string) => `"${text(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;')}"`;
