/**
 * `polis serve` as a process: prints the URL and a kubeconfig, writes the
 * kubeconfig only where asked and never over a file without --force, and
 * exits 0 on SIGTERM after closing its listeners; usage problems exit 2.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { memoryIO } from '../io.js';
import { main } from '../main.js';

test('serve: an existing --kubeconfig without --force, a bad port or an unreadable path exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polis-serve-'));
  const existing = join(dir, 'kubeconfig');
  writeFileSync(existing, 'mine');
  const io = memoryIO();
  assert.equal(await main(['serve', '--kubeconfig', existing, '--port', '0'], io), 2);
  assert.match(io.stderr(), /exists; give --force/);
  assert.equal(readFileSync(existing, 'utf8'), 'mine');
  assert.equal(await main(['serve', '--port', '70000'], memoryIO()), 2);
  assert.equal(await main(['serve', '-f', join(dir, 'nope.yaml'), '--port', '0'], memoryIO()), 2);
  rmSync(dir, { recursive: true, force: true });
});

test('serve: prints the URL, writes the kubeconfig, answers /version, stops on SIGTERM with exit 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polis-serve-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--hubble-port', '0', '--kubeconfig', kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Kubernetes API: (\S+)/.exec(out);
      if (m && /kubeconfig:/.test(out)) resolve(m[1] as string);
    });
    child.on('exit', () => reject(new Error(`exited early: ${out}`)));
  });
  const version = (await (await fetch(`${url}/version`)).json()) as { gitVersion: string };
  assert.match(version.gitVersion, /^v1\.(3\d)/);
  assert.match(readFileSync(kubeconfig, 'utf8'), new RegExp(`server: ${url}`));
  // The policy editor's API shares the port: the demo's files, and nothing else.
  assert.match(out, new RegExp(`Policy editor:  ${url}/`));
  const files = (await (await fetch(`${url}/polis/api/files`)).json()) as { files: { path: string }[] };
  assert.ok(files.files.some((f) => f.path.endsWith('examples/demo/database-policy.yaml')), JSON.stringify(files.files.map((f) => f.path)));
  assert.equal((await fetch(`${url}/api/v1/namespaces/default/pods`)).status, 200, 'the Kubernetes API still answers beside it');
  const code = await new Promise<number | null>((resolve) => {
    child.on('exit', (c) => resolve(c));
    child.kill('SIGTERM');
  });
  assert.equal(code, 0);
  rmSync(dir, { recursive: true, force: true });
});
