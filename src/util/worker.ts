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

const HEAP_FLAG = /^--(max-semi-space-size|max-old-space-size|max-young-generation-size|min-semi-space-size)\b/;
const SEMI_SPACE = /^--max-semi-space-size=(\d+)$/;

/**
 * `relative` names the module's compiled file (`./parse-worker.js`),
 * resolved against `base` (the caller's `import.meta.url`).
 */
export function startWorker(relative: string, base: string, workerData?: unknown): Worker {
  if (!base.endsWith('.ts')) {
    const url = new URL(relative, base);
    const flags = workerFlags(process.execArgv);
    try {
      return new Worker(url, { workerData, ...flags });
    } catch (e) {
      // A V8 or process-wide flag (`node --single-threaded-gc …`) is refused in a worker's
      // execArgv; such flags act on the whole process anyway, so the worker runs without them.
      if ((e as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
      return new Worker(url, { workerData, ...flags, execArgv: [] });
    }
  }
  const entry = new URL(relative.replace(/\.js$/, '.ts'), base).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData, execArgv: [] });
}

/**
 * The flags of this process a worker takes. Heap sizes are the process's: a
 * worker refuses them as flags (and so would not start at all), so the young
 * generation the batch commands run with (bin/respawn.js) becomes the
 * worker's own limit. Node's `--test` flags stay behind too.
 */
export function workerFlags(execArgv: readonly string[]): { execArgv: string[]; resourceLimits?: { maxYoungGenerationSizeMb: number } } {
  const kept = execArgv.filter((a) => !a.startsWith('--test') && !HEAP_FLAG.test(a));
  const semi = execArgv.map((a) => SEMI_SPACE.exec(a)?.[1]).find((x) => x !== undefined);
  // V8's young generation is three semi-spaces (two, and the large-object space beside them).
  return semi ? { execArgv: kept, resourceLimits: { maxYoungGenerationSizeMb: 3 * Number(semi) } } : { execArgv: kept };
}
