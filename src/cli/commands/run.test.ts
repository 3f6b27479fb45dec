/**
 * CLI tests for `polis run`, in-process through `main`: the command's output
 * and exit code passed on as `kubectl exec` passes them, `--observe` with
 * hubble's filter flags, `-o json`, and flows written by `--hubble` read back
 * by `polis observe --input-file` and filtered with `--from-label`,
 * `--verdict DROPPED`, `--type policy-verdict` and `--type l7`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../main.js';
import { memoryIO } from '../io.js';

const dir = mkdtempSync(join(tmpdir(), 'polis-run-'));

async function polis(...args: string[]) {
  const io = memoryIO();
  const code = await main(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const APP = 'examples/demo/app.yaml';
const DENY = 'examples/stories/1-database-lockdown/database-deny-all.yaml';
const L7 = 'examples/stories/5-docs-l7-vpn/backend-policy.yaml';

describe('polis run', () => {
  it('prints what curl prints and exits with its code (the first word after -- may be the pod)', async () => {
    const ok = await polis('run', '-f', APP, '--', 'default/deploy/backend', 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'database');
    assert.deepEqual([ok.code, ok.out, ok.err], [0, '200', '']);
    const dropped = await polis('run', '-f', APP, '-f', DENY, '--from', 'deploy/backend', '--', 'curl', '-sS', '-m', '5', 'database');
    assert.deepEqual([dropped.code, dropped.out, dropped.err], [28, '', 'curl: (28) Connection timed out after 5000 milliseconds\n']);
  });

  it('kubectl exec form', async () => {
    const r = await polis('run', '-f', APP, '--', 'kubectl', 'exec', 'deploy/backend', '--', 'hostname');
    assert.equal(r.code, 0);
    assert.match(r.out, /^backend-/);
  });

  it('--observe prints the flows after the output, filtered with hubble flags', async () => {
    const r = await polis('run', '-f', APP, '-f', DENY, '--observe', '--verdict', 'DROPPED', '--to-label', 'tier=database', '--', 'deploy/backend', 'curl', '-s', '-m', '2', 'database');
    assert.equal(r.code, 28);
    const lines = r.out.trimEnd().split('\n');
    assert.equal(lines.length, 4, r.out);
    assert.match(lines[0]!, /^Jan  1 12:00:00\.\d{3}: default\/backend-\S+ \(ID:\d+\) <> default\/database-\S+:7379 \(ID:\d+\) policy-verdict:none INGRESS DENIED \(TCP Flags: SYN\)$/);
    assert.match(lines[1]!, /Policy denied DROPPED \(TCP Flags: SYN\)$/);
  });

  it('--now sets the virtual clock', async () => {
    const r = await polis('run', '-f', APP, '--now', '2024-03-14T13:55:24Z', '--observe', '--', 'deploy/backend', 'curl', '-s', 'database');
    assert.match(r.out, /\nMar 14 13:55:24\.000: /);
  });

  it('-o json gives every step: DNS lookups, the connection with its verdict, the HTTP status, and the flows', async () => {
    const r = await polis('run', '-f', APP, '-o', 'json', '--', 'deploy/backend', 'curl', '-s', 'database/PING');
    assert.equal(r.code, 0);
    const j = JSON.parse(r.out) as { exitCode: number; steps: { kind: string; result?: string; verdict?: string; status?: number }[]; flows: unknown[] };
    assert.deepEqual(j.steps.map((s) => s.kind), ['dns', 'dns', 'connect', 'http']);
    assert.equal(j.steps[2]!.verdict, 'allow');
    assert.equal(j.steps[3]!.status, 200);
    assert.ok(j.flows.length > 5);
  });

  it('--hubble FILE round-trips through polis observe --input-file and its filters', async () => {
    const file = join(dir, 'flows.jsonl');
    await polis('run', '-f', APP, '-f', DENY, '--hubble', file, '--', 'deploy/backend', 'curl', '-s', '-m', '2', 'database');
    await polis('run', '-f', APP, '-f', L7, '--hubble', file, '--', 'world:172.27.224.3', 'curl', '-s', 'http://10.244.1.2/admin');
    const text = readFileSync(file, 'utf8');
    assert.ok(text.split('\n').filter(Boolean).every((l) => /^\{"flow":\{"time":"[^"]+Z","uuid":/.test(l) && /"node_name":"kind-[a-z-]+","time":"[^"]+Z"\}$/.test(l)), 'the exporter envelope');
    const all = await polis('observe', '--input-file', file);
    assert.equal(all.code, 0);
    const total = all.out.trimEnd().split('\n').length;
    const fromBackend = await polis('observe', '--input-file', file, '--from-label', 'tier=backend');
    assert.ok(fromBackend.out.trimEnd().split('\n').every((l) => / default\/backend-/.test(l)) && fromBackend.out.length > 0);
    const dropped = await polis('observe', '--input-file', file, '--verdict', 'DROPPED');
    assert.ok(dropped.out.trimEnd().split('\n').every((l) => /DROPPED|DENIED/.test(l)));
    const verdicts = await polis('observe', '--input-file', file, '--type', 'policy-verdict');
    assert.ok(verdicts.out.trimEnd().split('\n').every((l) => / policy-verdict:/.test(l)) && verdicts.out.length > 0);
    const l7 = await polis('observe', '--input-file', file, '--type', 'l7');
    assert.deepEqual(l7.out.trimEnd().split('\n').map((l) => l.replace(/^.*\) (http-\S+ \S+).*$/, '$1')), ['http-request DROPPED', 'http-response FORWARDED']);
    assert.ok(total > l7.out.trimEnd().split('\n').length);
  });

  it('a scenario: the transcript on stdout, JUnit with -o junit', async () => {
    const r = await polis('run', '--scenario', 'examples/knp-echo/scenario.yaml');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /\$ kubectl exec -it curl -n universe -- curl -m 5 -s -o \/dev\/null -w "%\{http_code\}\\n" echo\.echo\.svc\.cluster\.local\n200\n/);
    const junit = await polis('run', '--scenario', 'examples/knp-echo/scenario.yaml', '-o', 'junit');
    assert.match(junit.out, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="polis run --scenario" tests="\d+" failures="0"/);
    const json = await polis('run', '--scenario', 'examples/tutorial/scenario.yaml', '-o', 'json');
    assert.equal((JSON.parse(json.out) as { passed: boolean }).passed, true);
  });

  it('usage errors exit 2 with a message, never a stack trace', async () => {
    for (const args of [['run', '-f', APP, '-o', 'junit', '--', 'deploy/backend', 'true'], ['run', '-f', APP, '--dns', 'nonsense', '--', 'x', 'true'], ['run', '-f', APP, '--observe', '--verdict', 'MAYBE', '--', 'x', 'true']]) {
      const r = await polis(...args);
      assert.equal(r.code, 2, `${args.join(' ')}\n${r.err}`);
      assert.match(r.err, /^polis run: /);
    }
  });
});
