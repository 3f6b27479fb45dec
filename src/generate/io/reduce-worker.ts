/**
 * @module generate/io/reduce-worker
 *
 * The worker-thread side of parallel reading: takes tasks from the parent,
 * runs each with `runReduceTask` and posts back its plain-data result, with
 * progress counts in between. One worker runs many tasks in turn.
 */
import { parentPort } from 'node:worker_threads';
import { runReduceTask, type ReduceTask } from './reduce-task.js';

export type WorkerMessage =
  | { readonly kind: 'progress'; readonly id: number; readonly flows: number }
  | { readonly kind: 'done'; readonly id: number; readonly result: Awaited<ReturnType<typeof runReduceTask>> }
  | { readonly kind: 'failed'; readonly id: number; readonly message: string };

parentPort?.on('message', (m: { id: number; task: ReduceTask }) => {
  runReduceTask(m.task, (flows) => parentPort!.postMessage({ kind: 'progress', id: m.id, flows } satisfies WorkerMessage)).then(
    (result) => parentPort!.postMessage({ kind: 'done', id: m.id, result } satisfies WorkerMessage),
    (e: unknown) => parentPort!.postMessage({ kind: 'failed', id: m.id, message: e instanceof Error ? e.stack ?? e.message : String(e) } satisfies WorkerMessage),
  );
});
