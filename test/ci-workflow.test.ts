/**
 * examples/ci/polis.yml: the workflow is valid YAML of the shape GitHub
 * reads, and each polis command in it, with its environment filled in
 * (BASE = HEAD, so the diff compares the committed demo with the work
 * tree), runs on the demo through main() and writes the report it names
 * (SARIF for validate and lint, JUnit for test, Markdown for the diff),
 * exiting as the step expects.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { main } from '../src/cli/main.js';
import { memoryIO } from '../src/cli/io.js';

interface Step { name?: string; run?: string; uses?: string; 'continue-on-error'?: boolean }
const workflow = parse(readFileSync('examples/ci/polis.yml', 'utf8')) as { on: Record<string, unknown>; jobs: Record<string, { env: Record<string, string>; steps: Step[] }> };
const job = workflow.jobs.policies!;
const env: Record<string, string> = { ...job.env, BASE: 'HEAD' };

/** The polis argv of a step's `run` line: words up to the redirection, variables filled in, quotes removed. */
function polisArgv(run: string): string[] {
  const cmd = run.split(/\s+>\s+/)[0]!.replace(/\$(\w+)/g, (_m, v: string) => env[v] ?? '');
  const words = [...cmd.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
  assert.deepEqual(words.slice(0, 2), ['node', 'bin/polis.js'], run);
  return words.slice(2);
}

describe('examples/ci/polis.yml', () => {
  test('a pull-request workflow with validate, lint, test and diff, SARIF uploaded and the diff commented', () => {
    assert.ok('pull_request' in workflow.on);
    const names = job.steps.map((s) => s.name);
    for (const n of ['validate', 'lint', 'test', 'diff against the base branch', 'upload SARIF', 'comment the diff']) assert.ok(names.includes(n), n);
    assert.match(job.steps.find((s) => s.name === 'upload SARIF')!.uses!, /^github\/codeql-action\/upload-sarif@/);
  });

  const expected: Record<string, { codes: number[]; out: RegExp }> = {
    'validate': { codes: [0], out: /"version": "2.1.0"/ },
    'lint': { codes: [0, 1], out: /"version": "2.1.0"/ },
    'test': { codes: [0], out: /^<\?xml[\s\S]*failures="0"/ },
    'diff against the base branch': { codes: [0, 1], out: /^\*\*polis diff\*\*: / },
  };
  for (const [name, want] of Object.entries(expected)) {
    test(`step "${name}" runs on the demo`, async () => {
      const step = job.steps.find((s) => s.name === name)!;
      const argv = polisArgv(step.run!);
      const io = memoryIO('');
      const code = await main(argv, io);
      assert.ok(want.codes.includes(code), `exit ${code}: ${io.stderr()}`);
      assert.match(io.stdout(), want.out);
      if (code !== 0 && name === 'lint') assert.equal(step['continue-on-error'], true, 'lint findings must not hide the other reports');
    });
  }
});
