/**
 * @module cli/commands/test
 *
 * `polis test -f PATH... --tests FILE... [-o text|json|junit|sarif]`: runs
 * connectivity tests against the manifests. Exit codes follow
 * `cli/exit-codes.ts`: 0 when every case passes; 1 when a case fails, the
 * manifests have errors or a tests file is invalid (errors, no
 * ConnectivityTest, an endpoint that names nothing: then no case runs); 2 for
 * a usage error or a path that cannot be read.
 *
 * The engine comes in as a factory (`registerTest(compileEngine)`), so this
 * module does not depend on how verdicts are made and tests can pass a fake.
 */
import { testResultsReport, toSarif } from '../../analysis/report/report.js';
import { Option } from 'commander';
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { formatDiagnostic } from '../../diagnostics/format.js';
import { formatJsonChunks, formatJunit, formatText, startParse, type CaseResult, type EngineFactory, type PendingParse } from '../../analysis/connectivity/index.js';
// The use-case modules themselves, not the barrel: a command loads only what it runs.
import { runTestStream } from '../../usecases/tests.js';
import { Session } from '../../usecases/session.js';
import { exitCodeFor, type Situation } from '../exit-codes.js';
import { readSources, type ReadResult } from '../files.js';
import { addEngineOptions, addInputOptions, engineOptionsFrom, loadInput, type EngineFlags, type InputOptions, repeatable } from '../input.js';
import type { CliIO } from '../io.js';
import type { RegisterCommand } from './index.js';

interface TestOptions extends InputOptions, EngineFlags {
  tests?: string[];
  output: 'text' | 'json' | 'junit' | 'sarif';
}

/** Each format as pieces of text, written as they come (JSON of a large suite is tens of megabytes). */
const FORMATS: Record<TestOptions['output'], (r: readonly CaseResult[]) => Iterable<string>> = {
  text: (r) => [formatText(r)], json: formatJsonChunks, junit: (r) => [formatJunit(r)], sarif: (r) => [JSON.stringify(toSarif(testResultsReport(r)), null, 2) + '\n'],
};


/** The `test` command, evaluating with engines built by `factory`. */
export function registerTest(factory: EngineFactory): RegisterCommand {
  return (program, io, setExit) => {
    addEngineOptions(addInputOptions(program.command('test')))
      .description('run connectivity tests (kind: ConnectivityTest) against the manifests')
      .option('--tests <path>', 'file or folder of ConnectivityTest objects (repeatable)', repeatable)
      .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'junit', 'sarif']).default('text'))
      .action(async (opts: TestOptions) => setExit(await runTest(opts, io, factory)));
  };
}

async function runTest(opts: TestOptions, io: CliIO, factory: EngineFactory): Promise<number> {
  if (!opts.tests?.length) return stop(io, 'no tests: name ConnectivityTest files with --tests FILE', 'bad-flag');
  // The tests are read first and a big file is parsed in a worker while the manifests load and compile.
  const read = await readSources(opts.tests, opts.recursive === true, io);
  const parsing = startParse(read.diagnostics.length ? [] : read.sources);
  try {
    return await runParsing(opts as TestOptions & { tests: string[] }, io, factory, read, parsing);
  } finally {
    parsing.cancel();
  }
}

function stop(io: CliIO, message: string, ...situations: Situation[]): number {
  io.err(`polis test: ${message}\n`);
  return exitCodeFor('test', ...situations);
}

async function runParsing(opts: TestOptions & { tests: string[] }, io: CliIO, factory: EngineFactory, read: ReadResult, parsing: PendingParse): Promise<number> {
  const loaded = await loadInput(opts, io);
  if (!loaded.ok) return stop(io, loaded.message, loaded.situation);
  const { workspace: ws } = loaded;
  if (loaded.readProblems.length) return printDiagnostics(io, loaded.readProblems, new Map(), 'unreadable');

  const manifestErrors = ws.diagnostics.filter((d) => d.severity === 'error').length;
  if (manifestErrors > 0) {
    // Still run: Cilium enforces nothing of a policy it rejects, and the engine models exactly that.
    const invalid = ws.policies.filter((p) => !p.valid).length;
    io.err(`polis test: warning: the manifests have ${manifestErrors} error${manifestErrors === 1 ? '' : 's'}`
      + `${invalid ? ` (${invalid} invalid polic${invalid === 1 ? 'y enforces' : 'ies enforce'} nothing)` : ''}; run polis validate to see them\n`);
  }

  const manifests: Situation[] = manifestErrors > 0 ? ['invalid-manifests'] : [];
  const texts = new Map(read.sources.map((s) => [s.path, s.text]));
  if (read.diagnostics.length) return printDiagnostics(io, read.diagnostics, texts, 'unreadable');
  const session = new Session(ws, factory);
  const engineOptions = engineOptionsFrom(opts);
  // Compile while the worker still parses (the engine for tests without spec.dns, the common case).
  if (parsing.inWorker) session.engine(engineOptions);
  const run = await runTestStream(session, parsing.events(), engineOptions);
  if (run.empty) return stop(io, `no ConnectivityTest found in ${opts.tests.join(', ')}`, 'invalid-tests', ...manifests);
  if (run.diagnostics.length) return printDiagnostics(io, run.diagnostics, texts, 'invalid-tests', ...manifests);
  for (const chunk of FORMATS[opts.output](run.results)) io.out(chunk);
  return exitCodeFor('test', ...manifests, ...(run.results.every((r) => r.pass) ? [] : ['case-failed' as const]));
}

/** Input problems go to stderr, so stdout stays valid JSON / XML or empty. */
function printDiagnostics(io: CliIO, diags: readonly Diagnostic[], texts: ReadonlyMap<string, string>, ...situations: Situation[]): number {
  for (const d of diags) io.err(formatDiagnostic(d, texts) + '\n');
  const n = diags.filter((d) => d.severity === 'error').length;
  io.err(`polis test: ${n} input error${n === 1 ? '' : 's'}; no tests were run\n`);
  return exitCodeFor('test', ...situations);
}
