/**
 * @module usecases/tests
 *
 * Connectivity tests over a session: parse ConnectivityTest sources, run
 * every case through `verdict` (explaining only failures), and return the
 * results with every input problem as a diagnostic. Each distinct
 * `spec.dns` gets its engine from the session, so repeated runs (the
 * server, the editor) compile nothing twice.
 */
import { parseConnectivityTests, runConnectivityTests, type CaseResult, type ParseResult } from '../analysis/connectivity/index.js';
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

/** The same, for tests already parsed (`polis test` parses big files in a worker: `startParse`). */
export function runParsedTests(session: Session, parsed: ParseResult, options: EngineOptions = {}): TestRun {
  const parseErrors = parsed.diagnostics.filter((d) => d.severity !== 'info');
  if (parseErrors.length) return { results: [], diagnostics: parseErrors, empty: false };
  if (!parsed.tests.some((t) => t.cases.length > 0)) return { results: [], diagnostics: [], empty: true };
  const run = runConnectivityTests(parsed.tests, session.workspace, (_ws, o) => session.engine(o), options);
  return { results: run.results, diagnostics: run.diagnostics, empty: false };
}
