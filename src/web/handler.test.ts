/**
 * The editor's JSON API over the use cases, through real HTTP: files with
 * atomic save and conflict detection, validate with quick fixes, verdict,
 * explain, tests, the diagram and map views, flows, and every kind of bad
 * request a browser or a stray client can send.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoCopy, REPO, startTestServer } from './testing.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('web API', () => {
  const demo = demoCopy();
  let url = '';
  let close: () => Promise<void> = async () => undefined;
  before(async () => {
    ({ url, close } = await startTestServer({ files: demo.files, root: demo.dir, maxBodyBytes: 64 * 1024 }));
  });
  after(async () => {
    await close();
    demo.cleanup();
  });

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Json }> {
    const init: RequestInit = { method, headers: { 'content-type': 'application/json', ...headers } };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const r = await fetch(`${url}/polis/api/${path}`, init);
    return { status: r.status, json: (await r.json()) as Json };
  }

  test('lists exactly the workspace files, by their name under the root, with a version', async () => {
    const r = await call('GET', 'files');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.files.map((f: Json) => f.path), ['app.yaml', 'backend-policy.yaml', 'connectivity-test.yaml', 'database-policy.yaml', 'frontend-policy.yaml']);
    assert.match(r.json.files[0].version, /^[0-9a-f]{16}$/);
  });

  test('saves atomically over the version it loaded, and refuses when the disk changed since (409 with both texts)', async () => {
    const files = (await call('GET', 'files')).json.files as Json[];
    const f = files.find((x) => x.path === 'frontend-policy.yaml')!;
    const saved = await call('PUT', 'files', { path: f.path, text: `${f.text}# edited\n`, base: f.version });
    assert.equal(saved.status, 200);
    assert.match(readFileSync(join(demo.dir, f.path), 'utf8'), /# edited\n$/);
    assert.deepEqual(readdirSync(demo.dir).filter((n) => n.endsWith('.tmp')), [], 'no temp file left behind');
    // Someone else edits the file; a save over the old version must not clobber it.
    writeFileSync(join(demo.dir, f.path), 'changed: elsewhere\n');
    const conflict = await call('PUT', 'files', { path: f.path, text: 'mine\n', base: saved.json.version });
    assert.equal(conflict.status, 409);
    assert.match(conflict.json.error, /changed on disk/);
    assert.equal(conflict.json.disk.text, 'changed: elsewhere\n');
    assert.equal(readFileSync(join(demo.dir, f.path), 'utf8'), 'changed: elsewhere\n');
    writeFileSync(join(demo.dir, f.path), f.text);
  });

  test('paths outside the workspace are refused before any file is touched', async () => {
    for (const path of ['../etc/passwd', '/etc/passwd', 'app.yaml/../../x', 'nope.yaml']) {
      const r = await call('PUT', 'files', { path, text: 'x', base: '0' });
      assert.equal(r.status, 403, path);
      assert.match(r.json.error, /not one of the workspace files/);
    }
    const v = await call('POST', 'validate', { buffers: { '../secret.yaml': 'x' } });
    assert.equal(v.status, 403);
    const t = await call('POST', 'test', { path: '/etc/passwd' });
    assert.equal(t.status, 403);
  });

  test('bad requests get a 4xx with a message: malformed JSON, wrong fields, huge bodies, no JSON type, another origin, unknown paths', async () => {
    const cases: [string, () => Promise<{ status: number; json: Json }>, number, RegExp][] = [
      ['malformed JSON', () => call('POST', 'validate', '{"buffers": '), 400, /not valid JSON/],
      ['a wrong field type', () => call('POST', 'verdict', { from: 'default/frontend', to: 'database', port: 'eighty' }), 400, /^port: /],
      ['a port out of range', () => call('POST', 'verdict', { from: 'default/frontend', to: 'database', port: 70000 }), 400, /^port: /],
      ['an unknown field', () => call('POST', 'verdict', { from: 'a', to: 'b', prot: 80 }), 400, /prot/],
      ['a body over the limit', () => call('POST', 'validate', { buffers: { 'app.yaml': 'x'.repeat(100_000) } }), 413, /limit/],
      ['no JSON content type', () => call('POST', 'validate', '{}', { 'content-type': 'text/plain' }), 415, /application\/json/],
      ['a page on another site', () => call('POST', 'validate', {}, { origin: 'http://evil.example' }), 403, /not allowed/],
      ['an unknown endpoint', () => call('POST', 'nope', {}), 404, /no API endpoint/],
      ['a wrong method', () => call('DELETE', 'files'), 405, /not allowed/],
      ['an endpoint that names nothing', () => call('POST', 'verdict', { from: 'default/nobody', to: 'database', port: 80 }), 422, /nobody/],
    ];
    for (const [what, run, status, message] of cases) {
      const r = await run();
      assert.equal(r.status, status, what);
      assert.match(r.json.error, message, what);
    }
  });

  test('a chunked body over the limit is cut off with 413 (no Content-Length to trust)', async () => {
    const big = new ReadableStream({
      start(c) {
        for (let i = 0; i < 20; i++) c.enqueue(new TextEncoder().encode('x'.repeat(10_000)));
        c.close();
      },
    });
    const r = await fetch(`${url}/polis/api/validate`, { method: 'POST', body: big, headers: { 'content-type': 'application/json' }, duplex: 'half' } as RequestInit);
    assert.equal(r.status, 413);
  });

  test('validate: diagnostics of the unsaved buffer at the right line, with a quick fix', async () => {
    const text = readFileSync(join(REPO, 'examples/demo/frontend-policy.yaml'), 'utf8').replace('toPorts:', 'toPort:');
    const r = await call('POST', 'validate', { buffers: { 'frontend-policy.yaml': text } });
    assert.equal(r.status, 200);
    const d = r.json.diagnostics.find((x: Json) => x.code === 'unknown-field');
    assert.ok(d, JSON.stringify(r.json.diagnostics));
    assert.equal(d.location.file, 'frontend-policy.yaml');
    assert.equal(d.location.line, text.split('\n').findIndex((l) => l.includes('toPort:')) + 1);
    assert.deepEqual(d.fixes, [{ title: 'Rename to "toPorts"', from: text.indexOf('toPort:'), to: text.indexOf('toPort:') + 'toPort'.length, insert: 'toPorts' }]);
    assert.equal(r.json.errors, true);
  });

  test('verdict and explain come from the engine, with the deciding rule located', async () => {
    const v = await call('POST', 'verdict', { from: 'default/frontend', to: 'svc:default/database', port: 80 });
    assert.equal(v.status, 200);
    assert.equal(v.json.pairs[0].verdict, 'deny');
    const e = await call('POST', 'explain', { from: 'default/backend', to: 'svc:default/database', port: 80 });
    assert.equal(e.json.pairs[0].explanation.verdict, 'allow');
    const rule = e.json.pairs[0].explanation.ingress.decidedBy[0];
    assert.equal(rule.location.file, 'database-policy.yaml');
    assert.match(e.json.pairs[0].text, /^ALLOWED/);
    // spec.dns of the tests file resolves external names for the try-it panel.
    const f = await call('POST', 'verdict', { from: 'default/backend', to: 'fqdn:storage.cloud.google.com', port: 443 });
    assert.equal(f.json.pairs[0].verdict, 'allow');
  });

  test('test runs the ConnectivityTest files over the buffers', async () => {
    const r = await call('POST', 'test', {});
    assert.equal(r.status, 200);
    assert.equal(r.json.failed, 0);
    assert.equal(r.json.passed, 9);
    const open = readFileSync(join(REPO, 'examples/demo/database-policy.yaml'), 'utf8').replace('tier: backend', 'tier: nobody');
    const broken = await call('POST', 'test', { buffers: { 'database-policy.yaml': open } });
    assert.ok(broken.json.failed > 0);
  });

  test('policies: the diagram model locates each peer and port in its file and lists the pods selected', async () => {
    const r = await call('POST', 'policies', {});
    const db = r.json.policies.find((p: Json) => p.name === 'database-policy');
    assert.equal(db.rules[0].subject.pods.length > 0, true);
    const peers = db.rules[0].ingress.peers;
    assert.deepEqual(peers.map((p: Json) => p.kind), ['endpoints', 'cidrSet']);
    const text = readFileSync(join(REPO, 'examples/demo/database-policy.yaml'), 'utf8');
    assert.match(text.slice(peers[1].at.from), /^cidr: 102\.213\.50\.174\/32/);
    assert.equal(peers[1].at.line, text.slice(0, peers[1].at.from).split('\n').length);
    assert.ok(peers[0].pods.some((p: string) => p.startsWith('default/backend')));
    assert.equal(db.rules[0].ingress.defaultDeny, true);
    // The policy under the cursor alone, as the editor asks on each keystroke.
    const one = await call('POST', 'policies', { file: 'database-policy.yaml', offset: text.indexOf('ingress:') });
    assert.deepEqual(one.json.policies.map((p: Json) => p.name), ['database-policy']);
    const none = await call('POST', 'policies', { file: 'app.yaml', offset: 0 });
    assert.deepEqual(none.json.policies, []);
    // Several documents: the one around the cursor, and nothing for a document with a YAML error.
    const two = `${text}---\n${text.replace('database-policy', 'second')}---\nkind: [broken\n`;
    const at = (n: string) => call('POST', 'policies', { buffers: { 'database-policy.yaml': two }, file: 'database-policy.yaml', offset: two.indexOf(n) });
    assert.deepEqual((await at('second')).json.policies.map((p: Json) => p.name), ['second']);
    assert.deepEqual((await at('[broken')).json.policies, []);
  });

  test('cluster: workloads, Services and the verdict of each workload → Service port', async () => {
    const r = await call('POST', 'cluster', {});
    const edge = (from: string, to: string) => r.json.edges.find((e: Json) => e.from === from && e.to === to);
    assert.equal(edge('default/frontend', 'svc:default/database').verdict, 'deny');
    assert.equal(edge('default/backend', 'svc:default/database').verdict, 'allow');
  });

  test('schema: the fields each kind allows, from the schemas validation uses', async () => {
    const r = await call('GET', 'schema');
    const ingress = r.json.CiliumNetworkPolicy.fields.spec.fields.ingress.fields;
    assert.ok(ingress.fromEndpoints && ingress.toPorts && ingress.fromCIDRSet);
    assert.deepEqual(ingress.toPorts.fields.ports.fields.protocol.values, ['TCP', 'UDP', 'SCTP', 'ANY']);
    assert.ok(r.json.NetworkPolicy.fields.spec.fields.podSelector);
  });

  test('flows: a Hubble export as compact lines and table rows; junk lines counted', async () => {
    const text = readFileSync(join(REPO, 'testdata/hubble/cilium-hubble-otel__basic-sample-10-flows.jsonl'), 'utf8');
    const r = await call('POST', 'flows', { text: `${text}not json\n` });
    assert.equal(r.json.total, 10);
    assert.equal(r.json.skipped, 1);
    assert.match(r.json.flows[0].compact, / -> | <- | <> /);
  });

  test('the app is served at / (or a 503 saying to build it); other paths are not ours', async () => {
    const r = await fetch(`${url}/`);
    assert.ok(r.status === 200 || r.status === 503);
    const other = await fetch(`${url}/api/v1/pods`);
    assert.equal(other.status, 404);
  });
});
