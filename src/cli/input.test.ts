/**
 * The input options every command shares: a bad --pod-cidr / --service-cidr
 * is a usage error, reported before anything is read or evaluated (issue 8:
 * `get pods --pod-cidr garbage` exited 1, `explain --service-cidr garbage`
 * only warned, and a bad pod CIDR led to a misleading "no pod … in the cluster").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from './main.js';
import { memoryIO } from './io.js';
import { ExitCode } from './exit-codes.js';

async function run(args: string[]) {
  const io = memoryIO();
  const code = await main(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const commands: string[][] = [
  ['validate', '-f', 'examples/demo'],
  ['get', 'pods', '-f', 'examples/demo'],
  ['explain', '-f', 'examples/demo', '--from', 'default/frontend', '--to', 'default/backend', '--port', '80'],
  ['test', '-f', 'examples/demo', '--tests', 'examples/demo/connectivity-test.yaml'],
];

for (const cmd of commands) {
  for (const [option, value] of [['--pod-cidr', 'garbage'], ['--service-cidr', 'garbage'], ['--pod-cidr', '10.244.0.0'], ['--service-cidr', '10.96.0.0/33']] as const) {
    test(`${cmd[0]} ${option} ${value} is a usage error shown first`, async () => {
      const r = await run([...cmd, option, value]);
      assert.equal(r.code, ExitCode.usage);
      assert.equal(r.out, '');
      assert.match(r.err, new RegExp(`^error: option '${option} <cidr>' argument '${value.replace(/\./g, '\\.')}' is invalid\\. "[^"]+" is not a CIDR`));
      assert.doesNotMatch(r.err, /no pod|not in the cluster/);
    });
  }
}

test('a valid --pod-cidr is used', async () => {
  const r = await run(['get', 'pods', '-f', 'examples/demo', '--pod-cidr', '10.200.0.0/16', '-o', 'json']);
  assert.equal(r.code, ExitCode.ok, r.err);
  assert.match(r.out, /"10\.200\.1\.\d+"/);
});
