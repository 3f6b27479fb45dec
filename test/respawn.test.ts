/**
 * The launcher's respawn (bin/respawn.js): batch commands run in a node
 * with a larger young generation, everything else as it is; the child's
 * output and exit code are the command's, and a signal sent to the
 * launcher ends the child too (no orphan left running).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = mkdtempSync(join(tmpdir(), 'polis-respawn-'));
const script = join(dir, 'cli.mjs');
// A stand-in for the CLI: prints how it was started, then exits with the last argument or waits.
writeFileSync(script, `import { startsAgain } from ${JSON.stringify(pathToFileURL(join(process.cwd(), 'bin/respawn.js')).href)};
const args = process.argv.slice(2);
if (!startsAgain(import.meta.url, args)) {
  console.log(JSON.stringify({ pid: process.pid, execArgv: process.execArgv, args }));
  if (args.includes('--wait')) setInterval(() => {}, 1000);
  else process.exitCode = Number(args[args.length - 1]);
}
`);

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, out: JSON.parse(r.stdout) as { execArgv: string[]; args: string[] } };
}

describe('bin/respawn.js', () => {
  test('a batch command runs again with the larger young generation; its exit code is the launcher\'s', () => {
    const r = run(['test', '-f', 'x', '7']);
    assert.equal(r.status, 7);
    assert.deepEqual(r.out.execArgv, ['--max-semi-space-size=32']);
    assert.deepEqual(r.out.args, ['test', '-f', 'x', '7']);
  });
  test('other commands, and POLIS_NO_RESPAWN, run in this node', () => {
    assert.deepEqual(run(['serve', '0']).out.execArgv, []);
    assert.deepEqual(run(['explain', '0']).out.execArgv, []);
    assert.deepEqual(run(['matrix', '3'], { POLIS_NO_RESPAWN: '1' }).out.execArgv, []);
    assert.equal(run(['matrix', '3'], { POLIS_NO_RESPAWN: '1' }).status, 3);
  });
  test('SIGTERM to the launcher ends the command, and the launcher ends by that signal', async () => {
    const launcher = spawn(process.execPath, [script, 'test', '--wait'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const child = await new Promise<number>((resolve) => launcher.stdout.once('data', (d: Buffer) => resolve((JSON.parse(String(d)) as { pid: number }).pid)));
    assert.notEqual(child, launcher.pid);
    const ended = new Promise<NodeJS.Signals | null>((resolve) => launcher.once('exit', (_code, signal) => resolve(signal)));
    launcher.kill('SIGTERM');
    assert.equal(await ended, 'SIGTERM');
    const alive = () => {
      try {
        process.kill(child, 0);
        return true;
      } catch {
        return false;
      }
    };
    assert.equal(alive(), false, 'the command ended with its launcher');
  });
});
