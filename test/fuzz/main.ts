/**
 * @module test/fuzz/main
 *
 * `npm run fuzz`: the long run of the mutation fuzzer (10,000 mutants per
 * command unless FUZZ_MUTANTS says otherwise), with a report of exit codes,
 * timings, the slowest runs and every finding. `npm run fuzz -- --replay
 * explain:123` rebuilds one mutant into a folder and runs it, printing what
 * polis printed and the command line to run it again.
 *
 * Environment: FUZZ_MUTANTS (per command), FUZZ_SEED, FUZZ_WORKERS (default
 * 2), FUZZ_TIMEOUT_MS (default 5000), FUZZ_MEMORY_MB (default 1024),
 * FUZZ_COMMANDS (comma-separated).
 */
import { join, resolve } from 'node:path';
import { main } from '../../src/cli/main.js';
import { memoryIO } from '../../src/cli/io.js';
import { FUZZ_COMMANDS, makeMutant, type FuzzCommand } from './mutants.js';
import { judge, writeMutant } from './runner.js';
import { formatReport, runFuzz } from './pool.js';
import { knownBug } from './known.js';

const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const env = (name: string, dflt: number) => (process.env[name] ? Number(process.env[name]) : dflt);
export const DEFAULT_SEED = 8;
const seed = Number(arg('--seed') ?? env('FUZZ_SEED', DEFAULT_SEED));

const replay = arg('--replay');
if (replay) {
  const [command, index] = replay.split(':') as [FuzzCommand, string];
  if (!FUZZ_COMMANDS.includes(command) || !/^\d+$/.test(index ?? '')) {
    console.error('usage: npm run fuzz -- --replay COMMAND:INDEX [--seed N]');
    process.exit(2);
  }
  const m = makeMutant(seed, command, Number(index));
  const dir = resolve(arg('--out') ?? join('fuzz-replay', `${command}-${index}`));
  const argv = writeMutant(m, dir);
  console.log(`mutations: ${m.did.join(' | ')}`);
  console.log(`files in ${dir}`);
  console.log(`run: npm run polis -- ${argv.map((a) => JSON.stringify(a)).join(' ')}`);
  const io = memoryIO('');
  const t0 = performance.now();
  const code = await main(argv, io);
  const ms = performance.now() - t0;
  console.log(`--- stdout (${io.stdout().length} chars)\n${io.stdout().slice(0, 4000)}\n--- stderr\n${io.stderr().slice(0, 4000)}\n--- exit ${code} in ${ms.toFixed(0)} ms`);
  const v = judge(m, code, io.stdout(), io.stderr());
  console.log(v.length ? `violations: ${v.join('; ')}` : 'no violation');
  process.exit(0);
}

const perCommand = env('FUZZ_MUTANTS', 10_000);
const commands = (process.env['FUZZ_COMMANDS']?.split(',') ?? FUZZ_COMMANDS) as FuzzCommand[];
let last = 0;
const report = await runFuzz({
  seed, perCommand, commands, workers: env('FUZZ_WORKERS', 2), timeoutMs: env('FUZZ_TIMEOUT_MS', 5000), memoryMb: env('FUZZ_MEMORY_MB', 1024),
  onRun: (done, total) => {
    if (done - last >= 500 || done === total) {
      last = done;
      process.stderr.write(`${new Date().toISOString()} ${done}/${total}\n`);
    }
  },
});
const unknown = report.findings.filter((f) => !knownBug(f));
process.stdout.write(formatReport({ ...report, findings: unknown }, seed));
const known = report.findings.filter((f) => knownBug(f));
if (known.length) {
  process.stdout.write(`${known.length} run(s) hit known bugs (test/fuzz/known.ts):\n`);
  for (const f of known) process.stdout.write(`  ${f.command}#${f.index}: ${knownBug(f)!.name}\n`);
}
process.exitCode = unknown.length ? 1 : 0;
