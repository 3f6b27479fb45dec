/**
 * @module util/worker
 *
 * Starts a worker thread on one of polis's own modules, both from the built
 * JavaScript (`dist/`, as users run it) and from the TypeScript sources
 * (tests, `npm run polis`, run through tsx). Node 20 does not carry tsx's
 * loader into a worker, so from sources the worker first registers it,
 * then imports the module. Node's `--test` flags are not passed on: a
 * worker is not a test file.
 */
import { Worker } from 'node:worker_threads';

/**
 * `relative` names the module's compiled file (`./parse-worker.js`),
 * resolved against `base` (the caller's `import.meta.url`).
 */
export function startWorker(relative: string, base: string, workerData?: unknown): Worker {
  if (!base.endsWith('.ts')) {
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--test'));
    return new Worker(new URL(relative, base), { workerData, execArgv });
  }
  const entry = new URL(relative.replace(/\.js$/, '.ts'), base).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData, execArgv: [] });
}
