/**
 * The editor's analysis endpoints through real HTTP: lint findings at
 * their line (fed to the editor beside validate), the connectivity matrix,
 * the diff between the saved files and the unsaved buffers, and generate
 * from an uploaded Hubble export with its replay proof, each with the bad
 * requests a browser or a stray client can send.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoCopy, REPO, startTestServer } from './testing.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SAMPLE = join(REPO, 'testdata/hubble/cilium-hubble-otel__basic-sample-348-http-flows.jsonl');

describe('web API: lint, matrix, diff, generate', () => {
  const demo = demoCopy();
  let url = '';
  let close: () => Promise<void> = async () => undefined;
  before(async () => {
    ({ url, close } = await startTestServer({ files: demo.files, root: demo.dir, maxBodyBytes: 64 * 1024, maxUploadBytes: 1024 * 1024 }));
  });
  after(async () => {
    await close();
    demo.cleanup();
  });

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
    const init: RequestInit = { method, headers: { 'content-type': 'application/json' } };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const r = await fetch(`${url}/polis/api/${path}`, init);
    return { status: r.status, json: (await r.json()) as Json };
  }
  const text = (name: string) => readFileSync(join(demo.dir, name), 'utf8');

  test('lint: findings of the buffers at the line they name, with rule metadata', async () => {
    const r = await call('POST', 'lint', {});
    assert.equal(r.status, 200);
    const f = r.json.findings.find((d: Json) => d.code === 'port-not-listening' && d.location.file === 'database-policy.yaml');
    assert.ok(f, 'the demo database policy opens 443, which no database container declares');
    assert.equal(text('database-policy.yaml').split('\n')[f.location.line - 1]!.trim(), '- port: "443"');
    assert.ok(r.json.rules.some((x: Json) => x.id === 'dns-blocked'));
    // The unsaved buffer is what is linted: give the database its container port and the finding goes.
    const fixed = text('database-policy.yaml').replace('port: "443"', 'port: "7379"');
    const again = await call('POST', 'lint', { buffers: { 'database-policy.yaml': fixed } });
    assert.equal(again.json.findings.filter((d: Json) => d.code === 'port-not-listening' && d.location.file === 'database-policy.yaml').length, 0);
  });

  test('matrix: every workload pair with the ports it allows, from the engine', async () => {
    const r = await call('POST', 'matrix', {});
    assert.equal(r.status, 200);
    assert.ok(r.json.sources.some((s: Json) => s.name === 'default/frontend'));
    const cell = r.json.cells.find((c: Json) => c.from === 'default/frontend' && c.to === 'default/backend');
    assert.match(cell.allowed, /80/);
    const byNs = await call('POST', 'matrix', { by: 'namespace' });
    assert.equal(byNs.json.by, 'namespace');
  });

  test('diff: the saved files against the buffers ("this edit newly denies frontend → backend:80")', async () => {
    const same = await call('POST', 'diff', {});
    assert.equal(same.status, 200);
    assert.equal(same.json.changed, false);
    const edited = text('backend-policy.yaml').replace('tier: frontend', 'tier: frontend-v2');
    const r = await call('POST', 'diff', { buffers: { 'backend-policy.yaml': edited } });
    const c = r.json.changes.find((x: Json) => x.kind === 'denied' && x.from === 'default/frontend' && x.to === 'default/backend');
    assert.ok(c, JSON.stringify(r.json.changes));
    assert.match(c.ports, /^80\/TCP/);
    assert.equal(c.location.file, 'backend-policy.yaml');
  });

  test('generate: an uploaded export becomes policies that pass their replay proof', async () => {
    const r = await call('POST', 'generate', { text: readFileSync(SAMPLE, 'utf8'), name: 'sample.jsonl' });
    assert.equal(r.status, 200, JSON.stringify(r.json).slice(0, 300));
    assert.deepEqual(r.json.files.map((f: Json) => f.path), ['bookinfo.productpage.yaml', 'bookinfo.ratings.yaml', 'istio-system.prometheus.yaml', 'kube-system.kube-dns.yaml', 'kube-system.node-local-dns.yaml']);
    assert.equal(r.json.proof.passed, true);
    assert.equal(r.json.proof.allowed, r.json.proof.observed - r.json.proof.notReplayed);
    assert.match(r.json.files[0].text, /kind: CiliumNetworkPolicy/);
  });

  // Story 1 of the seed tutorial: the backend reaches the database until database-policy allows nothing in; then
  // Hubble shows the SYN "Policy denied DROPPED" and curl gives up (the golden lines are testdata/simulate/story1.compact.txt).
  test('run: a command in a pod of the virtual cluster built from the buffers, with its flows as Hubble compact lines', async () => {
    const argv = ['kubectl', 'exec', 'deploy/backend', '--', 'curl', '-s', '-m', '2', 'database/PING'];
    const open = await call('POST', 'run', { buffers: { 'database-policy.yaml': '' }, argv });
    assert.equal(open.status, 200, JSON.stringify(open.json));
    assert.equal(open.json.exitCode, 0);
    assert.match(open.json.pod, /^default\/backend-/);
    assert.ok(open.json.flows.some((l: string) => /:7379 .*FORWARDED \(TCP Flags: SYN\)/.test(l)));
    const denyAll = readFileSync(join(REPO, 'examples/stories/1-database-lockdown/database-deny-all.yaml'), 'utf8');
    const shut = await call('POST', 'run', { buffers: { 'database-policy.yaml': denyAll }, argv });
    assert.equal(shut.json.exitCode, 28, 'curl: operation timed out');
    assert.ok(shut.json.flows.some((l: string) => /:7379 .*Policy denied DROPPED \(TCP Flags: SYN\)/.test(l)), shut.json.flows.join('\n'));
    const from = await call('POST', 'run', { argv: ['nslookup', 'database'], from: 'deploy/backend' });
    assert.equal(from.json.exitCode, 0);
    assert.match(from.json.stdout, /database/);
  });

  test('bad requests get a 4xx with a message', async () => {
    const cases: [string, () => Promise<{ status: number; json: Json }>, number, RegExp][] = [
      ['lint: an unknown rule', () => call('POST', 'lint', { enable: ['no-such-rule'] }), 400, /no-such-rule/],
      ['lint: a buffer outside the workspace', () => call('POST', 'lint', { buffers: { '../x.yaml': 'a: 1' } }), 403, /not one of the workspace files/],
      ['matrix: an unknown grouping', () => call('POST', 'matrix', { by: 'planet' }), 400, /^by:/],
      ['diff: malformed JSON', () => call('POST', 'diff', '{"buffers":'), 400, /not valid JSON/],
      ['diff: a buffer outside the workspace', () => call('POST', 'diff', { buffers: { '/etc/passwd': '' } }), 403, /workspace/],
      ['generate: no text', () => call('POST', 'generate', { name: 'x' }), 400, /^text:/],
      ['generate: not a Hubble export', () => call('POST', 'generate', { text: 'hello\nworld\n' }), 422, /no connection/],
      ['generate: an export over the upload limit', () => call('POST', 'generate', { text: 'x'.repeat(2 * 1024 * 1024) }), 413, /limit/],
      ['run: no command', () => call('POST', 'run', { argv: [] }), 400, /^argv:/],
      ['run: kubectl exec without a pod', () => call('POST', 'run', { argv: ['kubectl', 'exec', '--', 'curl', 'x'] }), 422, /needs a pod/],
      ['run: a buffer outside the workspace', () => call('POST', 'run', { argv: ['a', 'b'], buffers: { '../x': '' } }), 403, /workspace/],
      ['generate: GET', () => call('GET', 'generate'), 405, /not allowed/],
    ];
    for (const [what, run, status, message] of cases) {
      const r = await run();
      assert.equal(r.status, status, `${what}: ${JSON.stringify(r.json)}`);
      assert.match(r.json.error, message, what);
    }
  });
});
