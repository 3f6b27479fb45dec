/**
 * @module test/fuzz/runner
 *
 * Runs one mutant in-process through `main()` and judges the answer: the
 * exit code must be one the exit-code table gives the command (and, when
 * only files were mutated, never a usage error: a file's content is input,
 * exit 1), and nothing may read as a crash (an internal error, a stack
 * trace). The time bound is the pool's watchdog; here a run only measures.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { memoryIO } from '../../src/cli/io.js';
import { EXIT_CODE_TABLE, type CommandName } from '../../src/cli/exit-codes.js';
import { DIR, type Mutant } from './mutants.js';

export interface RunResult {
  readonly code: number;
  readonly ms: number;
  readonly outChars: number;
  /** The start of stderr, for reports. */
  readonly err: string;
  readonly violations: readonly string[];
}

/** The codes the table allows a command, outside of internal errors. */
export function allowedCodes(command: CommandName): ReadonlySet<number> {
  return new Set(EXIT_CODE_TABLE.filter((r) => r.situation !== 'internal-error').flatMap((r) => (r.codes[command] === undefined ? [] : [r.codes[command]!])));
}

// A V8 stack frame: "    at fn (file:///x.ts:1:2)", "    at node:internal/…:3:4", "    at /abs/path.js:5:6".
const STACK_FRAME = /^\s+at (?:async )?(?:\S+ \()?(?:file:\/\/|node:|\/)[^\s)]*:\d+:\d+\)?$/m;
// explain's answer to an endpoint or question that names nothing is a diagnostic with its code in brackets.
const QUESTION_DIAGNOSTIC = /^error: .*\[[a-z-]+\]$/m;

/** What is wrong with an answer, if anything. */
export function judge(m: Mutant, code: number, out: string, err: string): string[] {
  const v: string[] = [];
  if (!allowedCodes(m.command).has(code)) v.push(`exit code ${code}, not one the table gives ${m.command}`);
  if (!m.flagsMutated && code === 2 && !(m.command === 'explain' && QUESTION_DIAGNOSTIC.test(err))) {
    v.push('exit code 2 (usage error) though only the files were mutated: a problem in a file is invalid input, exit 1');
  }
  if (/internal error/.test(out) || /internal error/.test(err)) v.push('internal error');
  if (STACK_FRAME.test(out) || STACK_FRAME.test(err)) v.push('stack trace in the output');
  return v;
}

/** Writes the mutant's files into `dir` (emptied first) and returns its command line pointing there. */
export function writeMutant(m: Mutant, dir: string): string[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'm'), { recursive: true });
  for (const f of m.files) {
    mkdirSync(dirname(join(dir, f.name)), { recursive: true });
    writeFileSync(join(dir, f.name), f.bytes);
  }
  return m.argv.map((a) => a.split(DIR).join(dir));
}

/** Writes the mutant's files under `root`, runs it, removes the files. */
export async function runMutant(m: Mutant, root: string): Promise<RunResult> {
  const dir = join(root, `${m.command}-${m.index}`);
  const argv = writeMutant(m, dir);
  const io = memoryIO('');
  const t0 = performance.now();
  let code: number;
  try {
    code = await main(argv, io);
  } catch (e) {
    // main() never throws; if it does, that is the finding.
    code = -1;
    io.err(`main() threw: ${e instanceof Error ? e.stack : String(e)}\n`);
  }
  const ms = performance.now() - t0;
  rmSync(dir, { recursive: true, force: true });
  const out = io.stdout();
  const err = io.stderr();
  return { code, ms, outChars: out.length, err: err.slice(0, 2000), violations: judge(m, code, out, err) };
}
