/**
 * The library API as the README shows it: everything comes from the package
 * entry (`src/index.ts`), manifests go in as texts, answers come back as
 * values. Runs the README's example file too, so the example cannot rot.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { Session, checkConnection, explainConnection, isProblem, runTests, listIdentities } from '../src/index.js';

const dir = 'examples/demo';
const session = Session.load(readdirSync(dir).map((f) => ({ path: `${dir}/${f}`, text: readFileSync(`${dir}/${f}`, 'utf8') })));

test('checkConnection: a verdict per pair, by DNS name of a service', () => {
  const denied = checkConnection(session, { from: 'default/frontend', to: 'database', traffic: { port: 80 } });
  assert.ok(denied.ok);
  assert.deepEqual(denied.pairs.map((p) => p.answer.verdict), ['deny', 'deny'], 'frontend may not reach the database');
  assert.deepEqual(denied.pairs[0]!.answer.backends, { total: 2, allowed: 0, denied: denied.pairs[0]!.answer.backends!.denied });
  const allowed = checkConnection(session, { from: 'default/backend', to: 'database.default.svc.cluster.local', traffic: { port: 80 } });
  assert.ok(allowed.ok);
  assert.deepEqual(allowed.pairs.map((p) => p.answer.verdict), ['allow', 'allow']);
});

test('explainConnection: the rules with file:line', () => {
  const e = explainConnection(session, { from: 'default/frontend', to: 'svc:default/database', traffic: { port: 80 } });
  assert.ok(e.ok);
  const first = e.pairs[0]!.answer;
  assert.equal(first.egress?.enforcedBy[0]?.location?.file, 'examples/demo/frontend-policy.yaml');
  assert.equal(first.backends?.length, 2);
});

test('input problems are values, not throws', () => {
  const bad = checkConnection(session, { from: 'svc:default/database', to: 'default/backend', traffic: { port: 80 } });
  assert.equal(bad.ok, false);
  const engine = session.engine();
  const pod = session.workspace.cluster.pods[0]!;
  const v = engine.verdict({ from: { kind: 'pod', pod }, to: { kind: 'pod', pod }, protocol: 'TCP' });
  assert.ok(isProblem(v) && /needs a port/.test(v.problem));
});

test('runTests and listIdentities over the same session', () => {
  const run = runTests(session, [{ path: `${dir}/connectivity-test.yaml`, text: readFileSync(`${dir}/connectivity-test.yaml`, 'utf8') }]);
  assert.deepEqual(run.diagnostics, []);
  assert.ok(run.results.length > 0 && run.results.every((r) => r.pass));
  assert.ok(listIdentities(session).some((i) => i.name === 'world'));
});

test('the README example runs', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/library/verdict.ts'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /frontend-[a-z0-9-]+ → svc:default\/database: deny/);
  assert.match(r.stdout, /^DENIED {2}default\/frontend/m);
});
