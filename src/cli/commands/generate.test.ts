/**
 * `polis generate` and `polis replay` end to end, in-process: generated
 * files written with -o, validated by `polis validate`, replayed by
 * `polis replay` (text, JSON, and jsonpb that `polis observe` reads back).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../main.js';
import { memoryIO } from '../io.js';

const TCP = 'testdata/hubble/cilium-hubble-otel__basic-sample-400-tcp-flows.jsonl';
const UDP = 'testdata/hubble/cilium-hubble-otel__basic-sample-400-udp-flows.jsonl';
const dir = mkdtempSync(join(tmpdir(), 'polis-generate-cli-'));

async function polis(...argv: string[]) {
  const io = memoryIO();
  const code = await main(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

test('generate -o DIR, validate, replay: every observed connection allowed', async () => {
  const out = join(dir, 'policies');
  const g = await polis('generate', '--workers', '1', '--flows', TCP, UDP, '-o', out);
  assert.equal(g.code, 0, g.err);
  assert.match(g.err, /proof: 15 of 15 observed connections allowed/);
  const files = readdirSync(out).sort();
  assert.ok(files.includes('bookinfo.productpage.yaml'), files.join(' '));
  const v = await polis('validate', '-f', out);
  assert.equal(v.code, 0, v.out);
  assert.match(v.out, /0 errors/);
  const r = await polis('replay', '--workers', '1', '--flows', TCP, UDP, '-f', out, '-o', 'json');
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out) as { observed: number; allowed: number; denied: number; connections: { verdict: string }[] };
  assert.deepEqual([report.observed, report.allowed, report.denied], [15, 15, 0]);
  // A second run does not overwrite without --force, and writes nothing.
  writeFileSync(join(out, 'bookinfo.details.yaml'), '# edited by hand\n');
  const again = await polis('generate', '--workers', '1', '--flows', TCP, UDP, '-o', out);
  assert.equal(again.code, 2);
  assert.match(again.err, /would be overwritten/);
});

test('replay of the TCP-only policies against TCP and UDP flows: DNS is denied, with file:line; --hubble writes the verdicts', async () => {
  const g = await polis('generate', '-q', '--workers', '1', '--flows', TCP);
  const policies = join(dir, 'tcp-only.yaml');
  writeFileSync(policies, g.out);
  const hubble = join(dir, 'replayed.jsonl');
  const r = await polis('replay', '-q', '--workers', '1', '--flows', TCP, UDP, '-f', policies, '--hubble', hubble);
  assert.equal(r.code, 1);
  assert.match(r.out, /DENIED bookinfo\/app=productpage,.* → kube-system\/k8s-app=kube-dns 53\/UDP \(\d+ flows\): denied at egress[\s\S]*tcp-only\.yaml:\d+: CiliumNetworkPolicy bookinfo\/productpage spec\.egress/);
  assert.match(r.out, /15 observed connections: 13 allowed, 2 denied\n$/);
  const o = await polis('observe', '--input-file', hubble, '--verdict', 'DROPPED', '-o', 'jsonpb');
  assert.equal(o.code, 0, o.err);
  assert.equal(o.out.trim().split('\n').length, 2);
  assert.match(o.out, /"drop_reason_desc":"POLICY_DENIED"/);
});

test('flows from a FIFO (`--flows <(zcat …)`) and from gzip read as from the plain file, with every worker count', async () => {
  const { execFileSync } = await import('node:child_process');
  const { createReadStream, createWriteStream, readFileSync } = await import('node:fs');
  const { pipeline } = await import('node:stream/promises');
  const { createGzip } = await import('node:zlib');
  const plain = await polis('generate', '--workers', '1', '--flows', TCP, '-q');
  assert.equal(plain.code, 0, plain.err);
  const gz = join(dir, 'tcp.jsonl.gz');
  await pipeline(createReadStream(TCP), createGzip(), createWriteStream(gz));
  for (const workers of ['1', '2']) {
    assert.equal((await polis('generate', '--workers', workers, '--flows', gz, '-q')).out, plain.out, `gzip, ${workers} workers`);
    // Only one open of a FIFO gets its writer's data: reading it must not look inside first.
    const fifo = join(dir, `flows-${workers}.fifo`);
    execFileSync('mkfifo', [fifo]);
    // The writer in this process: reading must not block the thread it writes from.
    const writing = new Promise<void>((resolve, reject) => {
      const w = createWriteStream(fifo);
      w.on('error', reject);
      w.end(readFileSync(TCP), () => resolve());
    });
    const viaFifo = await polis('generate', '--workers', workers, '--flows', fifo, '-q');
    await writing;
    assert.equal(viaFifo.code, 0, viaFifo.err);
    assert.equal(viaFifo.out, plain.out, `FIFO, ${workers} workers`);
  }
});
