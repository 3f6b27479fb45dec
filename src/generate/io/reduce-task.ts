/**
 * @module generate/io/reduce-task
 *
 * One unit of reading: a whole file, or a byte range of a plain file that
 * starts and ends on line boundaries, reduced to observed connections with
 * the hubble layer's streaming reader. Runs the same in the main thread and
 * in a worker (`reduce-worker.ts`); its result is plain data, so it crosses
 * threads as a message and merges in any order.
 */
import { createReadStream } from 'node:fs';
import { emptyStats, type LineIssue, type ReadStats } from '../../hubble/reader.js';
import { readFlowStream } from '../../hubble/io/read-flows.js';
import { REDUCTION_READ } from '../line-reader.js';
import { Reduction, type ReductionData } from '../observed.js';

export interface ReduceTask {
  readonly path: string;
  /** Byte range [start, end) of a plain file; the whole file when absent. */
  readonly start?: number;
  readonly end?: number;
  readonly l7: boolean;
}

export interface ReduceTaskResult {
  readonly task: ReduceTask;
  readonly data: ReductionData;
  readonly stats: ReadStats;
  /** The first skipped lines (line numbers count from the start of the range). */
  readonly issues: readonly LineIssue[];
  readonly error?: string;
  readonly damage?: string;
}

/** How many skipped lines each task describes; the counts cover all. */
export const MAX_TASK_ISSUES = 20;

/** Called now and then with the flows read so far by this task. */
export type TaskProgress = (flows: number) => void;

const PROGRESS_EVERY = 1 << 16;

export async function runReduceTask(task: ReduceTask, progress?: TaskProgress): Promise<ReduceTaskResult> {
  const reduction = new Reduction(task.l7);
  const issues: LineIssue[] = [];
  let n = 0;
  const sink = {
    flow: (r: Parameters<Reduction['add']>[0]) => {
      reduction.add(r);
      if (progress && (++n & (PROGRESS_EVERY - 1)) === 0) progress(n);
    },
    issue: (i: LineIssue) => {
      if (issues.length < MAX_TASK_ISSUES) issues.push(i);
    },
  };
  let stream: AsyncIterable<Uint8Array>;
  try {
    const range = task.start !== undefined && task.end !== undefined ? { start: task.start, end: task.end - 1 } : {};
    // An empty range would make createReadStream read to the end of the file.
    if (task.start !== undefined && task.end !== undefined && task.end <= task.start) stream = (async function* () {})();
    else stream = createReadStream(task.path, { highWaterMark: 1 << 16, ...range }) as AsyncIterable<Uint8Array>;
  } catch (e) {
    return { task, data: reduction.toData(), stats: emptyStats(), issues, error: `${task.path}: ${e instanceof Error ? e.message : String(e)}` };
  }
  const r = await readFlowStream(stream, sink, { ...REDUCTION_READ, name: task.path });
  if (progress) progress(n);
  return { task, data: reduction.toData(), stats: r.stats, issues, ...(r.error ? { error: r.error } : {}), ...(r.damage ? { damage: r.damage } : {}) };
}
