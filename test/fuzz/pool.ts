/**
 * @module test/fuzz/pool
 *
 * Runs the fuzzer on worker threads and watches them: a run that takes
 * longer than the time bound is stopped (the worker is terminated, which
 * interrupts even a tight loop) and reported as a hang; a worker that dies
 * (out of its heap limit, an uncaught error) is reported as a crash; either
 * way a new worker goes on with the next mutant. Collects exit codes and
 * timings per command and the slowest runs.
 */
import { Worker } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeMutant, type FuzzCommand } from './mutants.js';
import type { WorkerJob, WorkerMessage } from './worker.js';

export interface FuzzOptions {
  readonly seed: number;
  readonly perCommand: number;
  readonly commands: readonly FuzzCommand[];
  readonly workers: number;
  /** The time bound of one run. */
  readonly timeoutMs: number;
  /** Heap limit of a worker; a run that needs more is a finding. */
  readonly memoryMb: number;
  /** Called after each run. */
  readonly onRun?: (done: number, total: number) => void;
}

export interface Finding {
  readonly command: FuzzCommand;
  readonly index: number;
  readonly kind: 'wrong answer' | 'hang' | 'crash';
  readonly detail: readonly string[];
  readonly argv: readonly string[];
  readonly did: readonly string[];
  readonly err: string;
}

export interface CommandStats {
  runs: number;
  codes: Record<number, number>;
  totalMs: number;
}

export interface FuzzReport {
  readonly wallMs: number;
  readonly runs: number;
  readonly byCommand: Partial<Record<FuzzCommand, CommandStats>>;
  /** The slowest runs, slowest first. */
  readonly slowest: readonly { command: FuzzCommand; index: number; ms: number }[];
  readonly findings: readonly Finding[];
}

const BOOT = new URL('./worker-boot.mjs', import.meta.url);
/** Building a mutant is quick; this only keeps a fuzzer bug from stalling the run. */
const MAKE_TIMEOUT_MS = 60_000;

/** Runs `perCommand` mutants of each command; resolves when all ran. */
export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const root = mkdtempSync(join(tmpdir(), 'polis-fuzz-'));
  const t0 = performance.now();
  const byCommand: Partial<Record<FuzzCommand, CommandStats>> = {};
  const slowest: { command: FuzzCommand; index: number; ms: number }[] = [];
  const findings: Finding[] = [];
  const total = o.perCommand * o.commands.length;
  let done = 0;
  const record = (command: FuzzCommand, index: number, code: number | string, ms: number) => {
    const s = (byCommand[command] ??= { runs: 0, codes: {}, totalMs: 0 });
    s.runs++;
    s.totalMs += ms;
    const key = typeof code === 'number' ? code : -1;
    s.codes[key] = (s.codes[key] ?? 0) + 1;
    slowest.push({ command, index, ms });
    if (slowest.length > 40) {
      slowest.sort((a, b) => b.ms - a.ms);
      slowest.length = 20;
    }
    done++;
    o.onRun?.(done, total);
  };
  const described = (command: FuzzCommand, index: number, kind: Finding['kind'], detail: string[]): Finding => {
    try {
      const m = makeMutant(o.seed, command, index);
      return { command, index, kind, detail, argv: m.argv, did: m.did, err: '' };
    } catch (e) {
      // The mutant itself could not be built: a bug of the fuzzer, reported as such.
      return { command, index, kind, detail: [...detail, `the fuzzer failed to build it: ${String(e)}`], argv: [], did: [], err: '' };
    }
  };

  // Contiguous slices of each command's range, one per worker.
  const slices: WorkerJob[][] = Array.from({ length: o.workers }, () => []);
  for (const command of o.commands) {
    const per = Math.ceil(o.perCommand / o.workers);
    for (let w = 0; w < o.workers; w++) {
      const from = w * per;
      const to = Math.min(o.perCommand, from + per);
      if (from < to) slices[w]!.push({ command, from, to });
    }
  }

  const runWorker = (jobs: readonly WorkerJob[]): Promise<void> => new Promise((resolve) => {
    if (jobs.length === 0) return resolve();
    const worker = new Worker(BOOT, { workerData: { seed: o.seed, root, jobs }, resourceLimits: { maxOldGenerationSizeMb: o.memoryMb }, stdout: true, stderr: true });
    // What the code under test writes to the real streams is not ours to print.
    worker.stdout.resume();
    worker.stderr.resume();
    let current: { command: FuzzCommand; index: number; started: number } | undefined;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    /** The jobs after the current mutant, for the worker that takes over. */
    const rest = (): WorkerJob[] => {
      if (!current) return [];
      const i = jobs.findIndex((j) => j.command === current!.command && current!.index >= j.from && current!.index < j.to);
      return [{ command: current.command, from: current.index + 1, to: jobs[i]!.to }, ...jobs.slice(i + 1)].filter((j) => j.from < j.to);
    };
    const takeOver = (kind: Finding['kind'], detail: string[]) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (current) {
        findings.push(described(current.command, current.index, kind, detail));
        record(current.command, current.index, kind, performance.now() - current.started);
      }
      const next = rest();
      void worker.terminate().then(() => runWorker(next)).then(resolve);
    };
    worker.on('message', (msg: WorkerMessage) => {
      // After a take-over the worker is being terminated; a message it had already queued
      // (the 'done' of the mutant just reported as a hang) must not count that mutant twice.
      if (settled) return;
      if (msg.t === 'make') {
        current = { command: msg.command, index: msg.index, started: performance.now() };
        clearTimeout(timer);
        timer = setTimeout(() => takeOver('crash', [`the fuzzer took over ${MAKE_TIMEOUT_MS} ms to build the mutant`]), MAKE_TIMEOUT_MS);
      } else if (msg.t === 'start') {
        current = { command: msg.command, index: msg.index, started: performance.now() };
        clearTimeout(timer);
        timer = setTimeout(() => takeOver('hang', [`no answer within ${o.timeoutMs} ms`]), o.timeoutMs);
      } else if (msg.t === 'done') {
        clearTimeout(timer);
        record(msg.command, msg.index, msg.code, msg.ms);
        if (msg.violations.length) {
          findings.push({ command: msg.command, index: msg.index, kind: 'wrong answer', detail: [...msg.violations], argv: msg.argv, did: msg.did, err: msg.err });
        }
        current = undefined;
      } else if (msg.t === 'finished') {
        settled = true;
        void worker.terminate().then(() => resolve());
      }
    });
    worker.on('error', (e: Error & { code?: string }) => takeOver('crash', [`worker died: ${e.code ?? ''} ${e.message}`]));
    worker.on('exit', (code) => {
      if (!settled) takeOver('crash', [`worker exited with code ${code}`]);
    });
  });

  try {
    await Promise.all(slices.map(runWorker));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  slowest.sort((a, b) => b.ms - a.ms);
  return { wallMs: performance.now() - t0, runs: done, byCommand, slowest: slowest.slice(0, 10), findings };
}

/** A report as text: per command the exit codes and time, the slowest runs, every finding with what reproduces it. */
export function formatReport(r: FuzzReport, seed: number): string {
  const lines: string[] = [];
  lines.push(`${r.runs} runs in ${(r.wallMs / 1000).toFixed(1)} s (seed ${seed})`);
  for (const [command, s] of Object.entries(r.byCommand)) {
    const codes = Object.entries(s.codes).map(([c, n]) => `${c === '-1' ? 'stopped' : `exit ${c}`}: ${n}`).join(', ');
    lines.push(`  ${command.padEnd(8)} ${String(s.runs).padStart(6)} runs, ${(s.totalMs / 1000).toFixed(1).padStart(6)} s, mean ${(s.totalMs / s.runs).toFixed(1)} ms; ${codes}`);
  }
  lines.push(`slowest: ${r.slowest.slice(0, 5).map((s) => `${s.command}#${s.index} ${s.ms.toFixed(0)} ms`).join(', ')}`);
  lines.push(`${r.findings.length} finding(s)`);
  for (const f of r.findings) {
    lines.push(`- ${f.command}#${f.index} (${f.kind}): ${f.detail.join('; ')}`);
    lines.push(`    mutations: ${f.did.join(' | ')}`);
    lines.push(`    argv: ${JSON.stringify(f.argv)}`);
    if (f.err) lines.push(`    stderr: ${JSON.stringify(f.err.slice(0, 400))}`);
    lines.push(`    replay: npm run fuzz -- --replay ${f.command}:${f.index} --seed ${seed}`);
  }
  return lines.join('\n') + '\n';
}
