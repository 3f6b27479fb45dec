/**
 * Workers start under the flags of the batch commands: a heap-size flag,
 * which a worker refuses outright, becomes the worker's own limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { workerFlags } from './worker.js';

test('heap flags become resource limits; a worker then starts', async () => {
  const flags = workerFlags(['--max-semi-space-size=32', '--enable-source-maps', '--test-reporter=spec', '--max-old-space-size=4096']);
  assert.deepEqual(flags, { execArgv: ['--enable-source-maps'], resourceLimits: { maxYoungGenerationSizeMb: 96 } });
  assert.throws(() => new Worker('0', { eval: true, execArgv: ['--max-semi-space-size=32'] }), /ERR_WORKER_INVALID_EXEC_ARGV|invalid execArgv/);
  const w = new Worker('require("node:worker_threads").parentPort.postMessage(42)', { eval: true, ...flags });
  assert.equal(await new Promise((resolve) => w.once('message', resolve)), 42);
  await w.terminate();
});
