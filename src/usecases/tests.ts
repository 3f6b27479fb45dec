/**
 * @module usecases/tests
 *
 * Connectivity tests over a session: parse ConnectivityTest sources, run
 * every case through `verdict` (explaining only failures), and return the
 * results with every input problem as a diagnostic. Each distinct
 * `spec.dns` gets its engine from the session, so repeated runs (the
 * server, the editor) compile nothing twice.
 */
import { parseConnectivityTests, TestRunner, type CaseResult, type ParseEvent, type ParseResult, type TestHeader } from '../analysis/connectivity/index.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { EngineOptions } from '../engine/types.js';
import type { SourceFile } from '../manifest/source.js';
import type { Session } from './session.js';

export interface TestRun {
  readonly results: readonly CaseResult[];
  /** Problems of the tests files (syntax, endpoints naming nothing): with any of these no case counts. */
  readonly diagnostics: readonly Diagnostic[];
  /** True when the sources hold no ConnectivityTest with cases. */
  readonly empty: boolean;
}

export function runTests(session: Session, sources: readonly SourceFile[], options: EngineOptions = {}): TestRun {
  return runParsedTests(session, parseConnectivityTests(sources), options);
}

/** The same, for tests already parsed. */
export function runParsedTests(session: Session, parsed: ParseResult, options: EngineOptions = {}): TestRun {
  const runner = runnerOf(session, options);
  if (!parsed.diagnostics.some(blocks)) for (const t of parsed.tests) runner.run(t, t.cases);
  return outcome(runner, parsed.diagnostics);
}

/**
 * The same, for a parse that streams (`polis test` parses big files in a
 * worker: `startParse`): each batch of cases runs as it comes, while the
 * rest are still being read. The cases run before the parse is known to be
 * free of errors; with an error, their results are dropped, as if none had run.
 */
export async function runTestStream(session: Session, events: AsyncIterable<ParseEvent>, options: EngineOptions = {}): Promise<TestRun> {
  let runner = runnerOf(session, options);
  let test: TestHeader | undefined;
  for await (const e of events) {
    switch (e.kind) {
      case 'restart':
        runner = runnerOf(session, options);
        break;
      case 'test':
        test = e.test;
        break;
      case 'cases':
        runner.run(test!, e.cases);
        break;
      case 'end':
        // A test with errors: `done` lists them, and then no result counts.
        break;
      case 'done':
        return outcome(runner, e.diagnostics);
    }
  }
  throw new Error('a parse ended without done');
}

/** A runner whose engines come from the session (compiled once per set of DNS answers). */
function runnerOf(session: Session, options: EngineOptions): TestRunner {
  return new TestRunner(session.workspace, (_ws, o) => session.engine(o), options);
}

/** Any problem of a tests file but an info stops the whole run: a suite counts only when it reads as written. */
const blocks = (d: Diagnostic) => d.severity !== 'info';

function outcome(runner: TestRunner, parseDiagnostics: readonly Diagnostic[]): TestRun {
  const parseErrors = parseDiagnostics.filter(blocks);
  if (parseErrors.length) return { results: [], diagnostics: parseErrors, empty: false };
  if (runner.cases === 0) return { results: [], diagnostics: [], empty: true };
  return { results: runner.results, diagnostics: runner.diagnostics, empty: false };
}
