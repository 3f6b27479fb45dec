/**
 * @module generate/io/reduce-files
 *
 * Reads Hubble exports (files, `-` for stdin, plain or gzip) into one
 * {@link Reduction}, in parallel: each file is a task, and a large plain
 * file is cut into byte ranges on line boundaries, one task each (gzip
 * cannot be entered mid-stream, so a gzip file is one task). Tasks run in a
 * pool of worker threads, one per core, and their reductions are merged —
 * the merge is commutative, so the result does not depend on which worker
 * finished first. With one core, or one task, everything runs in this
 * thread and no worker is started.
 */
import { availableParallelism } from 'node:os';
import { open, stat } from 'node:fs/promises';
import { startWorker } from '../../util/worker.js';
import { emptyStats, type LineIssue, type ReadStats } from '../../hubble/reader.js';
import { readFlowStream } from '../../hubble/io/read-flows.js';
import { REDUCTION_READ } from '../line-reader.js';
import { Reduction } from '../observed.js';
import { MAX_TASK_ISSUES, runReduceTask, type ReduceTask, type ReduceTaskResult } from './reduce-task.js';
import type { WorkerMessage } from './reduce-worker.js';

export interface ReduceFilesOptions {
  readonly l7?: boolean;
  /** Threads to read with (default: the cores available). */
  readonly workers?: number;
  /** Size of the byte ranges a large plain file is cut into (default 32 MiB). */
  readonly rangeBytes?: number;
  /** Standard input, for `-`. */
  readonly stdin?: () => AsyncIterable<Uint8Array>;
  /** Called about every 65,536 flows with the total so far. */
  readonly onProgress?: (flows: number) => void;
}

export interface SourceIssue {
  /** The file, with the byte offset of its range when the file was cut (line numbers count from there). */
  readonly source: string;
  readonly issue: LineIssue;
}

export interface ReduceFilesResult {
  readonly reduction: Reduction;
  readonly stats: ReadStats;
  /** The first skipped lines, per task. */
  readonly issues: readonly SourceIssue[];
  /** Sources that could not be opened or read. */
  readonly errors: readonly string[];
  /** Gzip data cut short, corrupt or followed by junk (the lines before were read). */
  readonly damage: readonly string[];
  /** Threads that read, this one included (0: no pool, everything read in this thread in turn). */
  readonly threads: number;
}

const DEFAULT_RANGE = 32 << 20;

/** Sums read tallies. */
export function addStats(a: ReadStats, b: ReadStats): void {
  a.lines += b.lines;
  a.flows += b.flows;
  a.blank += b.blank;
  for (const k of Object.keys(a.skipped) as (keyof ReadStats['skipped'])[]) a.skipped[k] += b.skipped[k];
  for (const k of Object.keys(a.ignored) as (keyof ReadStats['ignored'])[]) a.ignored[k] += b.ignored[k];
}

/** Cuts a plain file into ranges that start at line starts; a gzip or small file stays whole. */
async function plan(path: string, l7: boolean, parts: number, rangeBytes: number): Promise<ReduceTask[]> {
  const whole: ReduceTask[] = [{ path, l7 }];
  let fh;
  let st;
  try {
    // Looked at before it is opened: opening a FIFO (`--flows <(zcat …)`) here would take the
    // writer's data with it when closed, and the task's own open would then wait for ever.
    st = await stat(path);
    if (!st.isFile() || st.size <= rangeBytes) return whole;
    fh = await open(path, 'r');
  } catch {
    return whole; // the task reports why it cannot be read
  }
  try {
    const head = Buffer.alloc(2);
    await fh.read(head, 0, 2, 0);
    if (head[0] === 0x1f && head[1] === 0x8b) return whole;
    const n = Math.min(1024, Math.max(parts, Math.ceil(st.size / rangeBytes)));
    const cuts = [0];
    const buf = Buffer.alloc(1 << 16);
    for (let k = 1; k < n; k++) {
      let pos = Math.max(Math.floor((st.size * k) / n), cuts[cuts.length - 1]!);
      // The next line start after pos: ranges never split a line.
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) {
          pos = st.size;
          break;
        }
        const nl = buf.subarray(0, bytesRead).indexOf(10);
        if (nl >= 0) {
          pos += nl + 1;
          break;
        }
        pos += bytesRead;
      }
      if (pos > cuts[cuts.length - 1]! && pos < st.size) cuts.push(pos);
    }
    cuts.push(st.size);
    const tasks: ReduceTask[] = [];
    for (let i = 0; i + 1 < cuts.length; i++) tasks.push({ path, start: cuts[i]!, end: cuts[i + 1]!, l7 });
    return tasks;
  } finally {
    await fh.close();
  }
}

/**
 * Runs tasks on this thread and `threads - 1` workers; resolves with results
 * in task order. This thread reads too: it starts at once, while the workers
 * still load their modules, and would otherwise only wait. It takes in the
 * workers' messages between two of its own tasks, so each worker is kept two
 * tasks ahead and never waits for it.
 */
async function runPool(tasks: readonly ReduceTask[], threads: number, progress: (task: number, flows: number) => void): Promise<ReduceTaskResult[]> {
  const results: ReduceTaskResult[] = new Array(tasks.length);
  let next = 0;
  const claim = () => (next < tasks.length ? next++ : -1);
  const worker = () =>
    new Promise<void>((resolve, reject) => {
      const w = startWorker('./reduce-worker.js', import.meta.url);
      let running = 0;
      const feed = () => {
        for (let id = running < 2 ? claim() : -1; id >= 0; id = running < 2 ? claim() : -1) {
          running++;
          w.postMessage({ id, task: tasks[id] });
        }
        if (running === 0) void w.terminate().then(() => resolve());
      };
      w.on('message', (m: WorkerMessage) => {
        if (m.kind === 'progress') progress(m.id, m.flows);
        else if (m.kind === 'done') {
          results[m.id] = m.result;
          running--;
          feed();
        } else {
          void w.terminate();
          reject(new Error(`flow reader worker failed: ${m.message}`));
        }
      });
      w.on('error', reject);
      feed();
    });
  const here = async () => {
    for (let id = claim(); id >= 0; id = claim()) {
      results[id] = await runReduceTask(tasks[id]!, (flows) => progress(id, flows));
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const workers = Array.from({ length: Math.min(threads, tasks.length) - 1 }, worker);
  await Promise.all([here(), ...workers]);
  return results;
}

/** Reads every source into one reduction. Never throws for bad input: unreadable sources are `errors`. */
export async function reduceFlowFiles(paths: readonly string[], options: ReduceFilesOptions = {}): Promise<ReduceFilesResult> {
  const l7 = options.l7 === true;
  const threads = Math.max(1, options.workers ?? availableParallelism());
  const rangeBytes = Math.max(1, options.rangeBytes ?? DEFAULT_RANGE);
  const reduction = new Reduction(l7);
  const stats = emptyStats();
  const issues: SourceIssue[] = [];
  const errors: string[] = [];
  const damage: string[] = [];
  const perTask: number[] = [];
  let stdinFlows = 0;
  const report = () => options.onProgress?.(perTask.reduce((a, b) => a + b, 0) + stdinFlows);

  const tasks: ReduceTask[] = [];
  for (const p of paths) if (p !== '-') tasks.push(...(threads > 1 ? await plan(p, l7, threads, rangeBytes) : [{ path: p, l7 }]));
  const progress = (id: number, flows: number) => {
    perTask[id] = flows;
    report();
  };
  let used = 0;
  let results: ReduceTaskResult[];
  if (threads > 1 && tasks.length > 1) {
    used = Math.min(threads, tasks.length);
    results = await runPool(tasks, threads, progress);
  } else {
    results = [];
    for (let i = 0; i < tasks.length; i++) results.push(await runReduceTask(tasks[i]!, (f) => progress(i, f)));
  }
  for (const r of results) {
    reduction.merge(r.data);
    addStats(stats, r.stats);
    const where = r.task.start ? `${r.task.path} (from byte ${r.task.start})` : r.task.path;
    for (const i of r.issues) issues.push({ source: where, issue: i });
    if (r.error) errors.push(r.error);
    if (r.damage) damage.push(r.damage);
  }
  if (paths.includes('-')) {
    const src = options.stdin?.();
    if (!src) errors.push('stdin: not available');
    else {
      let n = 0;
      const r = await readFlowStream(src, {
        flow: (rec) => {
          reduction.add(rec);
          if ((++n & 0xffff) === 0) {
            stdinFlows = n;
            report();
          }
        },
        issue: (i) => {
          if (issues.filter((x) => x.source === 'stdin').length < MAX_TASK_ISSUES) issues.push({ source: 'stdin', issue: i });
        },
      }, { ...REDUCTION_READ, name: 'stdin' });
      addStats(stats, r.stats);
      if (r.error) errors.push(r.error);
      if (r.damage) damage.push(r.damage);
    }
  }
  return { reduction, stats, issues, errors, damage, threads: used };
}
