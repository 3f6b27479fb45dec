/**
 * Connectivity tests as a use case: a streamed parse gives what a whole
 * parse gives; cases that ran before the parse found an error, or before
 * a worker failed, do not count.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parseConnectivityTests, type ParseEvent } from '../analysis/connectivity/parse.js';
import { startParse } from '../analysis/connectivity/parse-parallel.js';
import { Session } from './session.js';
import { runTests, runTestStream } from './tests.js';

const dir = 'examples/demo';
const session = Session.load(readdirSync(dir).filter((f) => f !== 'connectivity-test.yaml').map((f) => ({ path: `${dir}/${f}`, text: readFileSync(`${dir}/${f}`, 'utf8') })));
const sources = [{ path: `${dir}/connectivity-test.yaml`, text: readFileSync(`${dir}/connectivity-test.yaml`, 'utf8') }];

async function* stream(events: readonly ParseEvent[]): AsyncGenerator<ParseEvent> {
  yield* events;
}

describe('runTestStream', () => {
  test('gives what runTests gives, in a worker too', async () => {
    const whole = runTests(session, sources);
    assert.ok(whole.results.length > 3 && whole.diagnostics.length === 0);
    assert.deepEqual(await runTestStream(session, startParse(sources).events()), whole);
    assert.deepEqual(await runTestStream(session, startParse(sources, 0).events()), whole);
  });

  const [t] = parseConnectivityTests(sources).tests;
  const header = { ...t!, cases: undefined };
  const half = Math.floor(t!.cases.length / 2);

  test('after restart only the cases that follow count', async () => {
    const run = await runTestStream(session, stream([
      { kind: 'test', test: header }, { kind: 'cases', cases: t!.cases.slice(0, half) }, { kind: 'restart' },
      { kind: 'test', test: header }, { kind: 'cases', cases: t!.cases.slice(half) }, { kind: 'end', kept: true }, { kind: 'done', diagnostics: [] },
    ]));
    assert.equal(run.results.length, t!.cases.length - half);
    assert.deepEqual(run.results, runTests(session, sources).results.slice(half));
  });

  test('an error found after cases ran: no result counts, the error is reported', async () => {
    const error = { code: 'invalid-endpoint', severity: 'error' as const, message: 'x' };
    const run = await runTestStream(session, stream([
      { kind: 'test', test: header }, { kind: 'cases', cases: t!.cases }, { kind: 'end', kept: false }, { kind: 'done', diagnostics: [error] },
    ]));
    assert.deepEqual(run, { results: [], diagnostics: [error], empty: false });
  });

  test('no cases at all is empty', async () => {
    assert.equal((await runTestStream(session, stream([{ kind: 'done', diagnostics: [] }]))).empty, true);
  });
});
