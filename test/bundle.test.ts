/**
 * The bundled command line (scripts/build-cli.mjs), which `bin/polis.js`
 * runs: it builds, runs commands as tsc's output does, and every worker
 * thread a module starts is an entry of the bundle under the name the
 * module starts it by. (A worker that cannot start is not an error for the
 * user: parsing falls back to the main thread. So only this test notices
 * a worker left out of the bundle.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
// @ts-expect-error: a plain .mjs build script without types
import { buildCli, workerEntries } from '../scripts/build-cli.mjs';
import { parseConnectivityTests } from '../src/analysis/connectivity/parse.js';

type Build = (o: { outdir: string }) => Promise<{ files: number }>;
const outdir = mkdtempSync(join(tmpdir(), 'polis-bundle-'));

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

describe('the bundled command line', () => {
  before(async () => {
    await (buildCli as Build)({ outdir });
  });
  after(() => rmSync(outdir, { recursive: true, force: true }));

  test('every startWorker call names a *-worker.ts module beside it, which the bundle carries under that name', () => {
    const entries = workerEntries() as Record<string, string>;
    const calls = sourceFiles('src').flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/startWorker\('\.\/([\w-]+)\.js', import\.meta\.url/g)].map((m) => ({ file, name: m[1]! })));
    assert.ok(calls.length >= 2, 'the parse and reduce workers are started somewhere');
    for (const { file, name } of calls) {
      assert.ok(name.endsWith('-worker'), `${file} starts ${name}: worker modules are named *-worker.ts`);
      assert.equal(entries[name], join(process.cwd(), dirname(file), `${name}.ts`), `${file} starts ${name}`);
      assert.ok(existsSync(join(outdir, `${name}.js`)), `${name}.js is in the bundle`);
    }
  });

  test('the bundled CLI validates and tests the demo as the sources do', () => {
    const run = (args: string[]) => spawnSync(process.execPath, [join(outdir, 'main.js'), ...args], { encoding: 'utf8' });
    const fromSources = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
    for (const args of [['validate', '-f', 'examples/demo'], ['test', '-f', 'examples/demo', '--tests', 'examples/demo/connectivity-test.yaml', '-o', 'json']]) {
      const b = run(args);
      const s = fromSources(args);
      assert.equal(b.stderr, s.stderr, args.join(' '));
      assert.equal(b.status, s.status, args.join(' '));
      assert.equal(b.stdout, s.stdout, args.join(' '));
      assert.equal(b.status, 0, b.stderr);
    }
  });

  test('worker threads start under a V8 flag that workers refuse (node --single-threaded-gc …)', () => {
    // A worker given a process-wide flag in its execArgv does not start at all (ERR_WORKER_INVALID_EXEC_ARGV).
    // Two files: two tasks, so two workers read them.
    const flows = ['basic-sample-330-dns-flows', 'basic-sample-10-flows'].flatMap((f) => ['--flows', `testdata/hubble/cilium-hubble-otel__${f}.jsonl`]);
    const args = [join(outdir, 'main.js'), 'generate', ...flows, '--workers', '2', '-q'];
    const plain = spawnSync(process.execPath, args, { encoding: 'utf8' });
    const flagged = spawnSync(process.execPath, ['--single-threaded-gc', ...args], { encoding: 'utf8' });
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal(flagged.status, 0, flagged.stderr);
    assert.equal(flagged.stdout, plain.stdout);
    assert.match(plain.stdout, /kind: CiliumNetworkPolicy/);
  });

  test('the bundled parse worker runs on its own and answers as the main thread does', async () => {
    const sources = [{ path: 'examples/demo/connectivity-test.yaml', text: readFileSync('examples/demo/connectivity-test.yaml', 'utf8') }];
    const w = new Worker(join(outdir, 'parse-worker.js'), { workerData: sources });
    // The worker streams its parse: a test's header, its cases in columns, its end, then done.
    const events: { kind: string; cases?: { count: number } }[] = [];
    await new Promise<void>((resolve, reject) => {
      w.on('message', (e: { kind: string }) => {
        events.push(e);
        if (e.kind === 'done') resolve();
      });
      w.once('error', reject);
    });
    await w.terminate();
    const direct = parseConnectivityTests(sources);
    assert.deepEqual(events.map((e) => e.kind), ['test', 'cases', 'end', 'done']);
    assert.equal(events[1]!.cases!.count, direct.tests[0]!.cases.length);
    assert.ok(events[1]!.cases!.count > 0);
  });
});
