/**
 * @module generate/io/reduce-task
 *
 * One unit of reading: a whole file, or a byte range of a plain file that
 * starts and ends on line boundaries, reduced to observed connections with
 * the hubble layer's streaming reader. Runs the same in the main thread and
 * in a worker (`reduce-worker.ts`); its result is plain data, so it crosses
 * threads as a message and merges in any order.
 */
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import type { LineIssue, ReadStats } from '../../hubble/reader.js';
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
const CHUNK = 1 << 16;

/**
 * The bytes [start, end) of a file, or the whole of it, in chunks, each its
 * own buffer (the reader may keep one). A regular file is read synchronously:
 * a reading thread has nothing else to do, and a stream's round trips through
 * the thread pool (which workers share) cost more than the copy. A FIFO or a
 * device (`--flows <(zcat …)`) is streamed, opened and read off this thread:
 * a blocking open or read there would stop the thread its writer may need.
 */
async function* readChunks(path: string, start?: number, end = Infinity): AsyncGenerator<Uint8Array> {
  // Looked at before it is opened: opening a FIFO blocks until its writer opens it, and a writer in
  // this process (`generate.test.ts`) may need this thread to get there; the stream opens it off the thread.
  if (!statSync(path).isFile()) {
    yield* createReadStream(path, { highWaterMark: CHUNK }) as AsyncIterable<Uint8Array>;
    return;
  }
  const fd = openSync(path, 'r');
  try {
    for (let at = start ?? 0; at < end;) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, end - at));
      const got = readSync(fd, buf, 0, buf.length, at);
      if (got === 0) return;
      at += got;
      yield got === buf.length ? buf : buf.subarray(0, got);
    }
  } finally {
    closeSync(fd);
  }
}

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
  const stream = task.start !== undefined && task.end !== undefined ? readChunks(task.path, task.start, task.end) : readChunks(task.path);
  const r = await readFlowStream(stream, sink, { ...REDUCTION_READ, name: task.path });
  if (progress) progress(n);
  return { task, data: reduction.toData(), stats: r.stats, issues, ...(r.error ? { error: r.error } : {}), ...(r.damage ? { damage: r.damage } : {}) };
}
