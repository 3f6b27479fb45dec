/**
 * @module test/fuzz/worker
 *
 * One fuzz worker thread: runs the mutants it is sent, one at a time, and
 * tells the pool when each starts and ends, so the pool can stop a run that
 * hangs (a thread stuck in a loop cannot time itself out).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { makeMutant, type FuzzCommand } from './mutants.js';
import { runMutant } from './runner.js';

export interface WorkerJob {
  readonly command: FuzzCommand;
  readonly from: number;
  readonly to: number;
}

export type WorkerMessage =
  | { readonly t: 'make'; readonly command: FuzzCommand; readonly index: number }
  | { readonly t: 'start'; readonly command: FuzzCommand; readonly index: number }
  | {
    readonly t: 'done'; readonly command: FuzzCommand; readonly index: number; readonly code: number; readonly ms: number;
    readonly violations: readonly string[]; readonly err: string; readonly argv: readonly string[]; readonly did: readonly string[];
  }
  | { readonly t: 'finished' };

const { seed, root, jobs } = workerData as { seed: number; root: string; jobs: readonly WorkerJob[] };
const port = parentPort!;
for (const job of jobs) {
  for (let index = job.from; index < job.to; index++) {
    // Building the mutant is the fuzzer's time, not polis's: timed apart.
    port.postMessage({ t: 'make', command: job.command, index } satisfies WorkerMessage);
    const m = makeMutant(seed, job.command, index);
    port.postMessage({ t: 'start', command: job.command, index } satisfies WorkerMessage);
    const r = await runMutant(m, root);
    const bad = r.violations.length > 0;
    port.postMessage({
      t: 'done', command: job.command, index, code: r.code, ms: r.ms, violations: r.violations,
      err: bad ? r.err : '', argv: bad ? m.argv : [], did: bad ? m.did : [],
    } satisfies WorkerMessage);
  }
}
port.postMessage({ t: 'finished' } satisfies WorkerMessage);
