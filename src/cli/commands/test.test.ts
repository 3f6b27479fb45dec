/**
 * `polis test` in-process with a FAKE engine factory (allow iff port 80):
 * exit codes 0 (all pass), 1 (a case fails, invalid manifests or tests
 * files), 2 (usage, unreadable paths), output formats, and warnings about
 * invalid manifests.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineOptions } from '../../engine/types.js';
import { fakeEngine, SHOP_YAML, testDoc } from '../../analysis/connectivity/testing.js';
import { memoryIO } from '../io.js';
import { main } from '../main.js';
import { registerTest } from './test.js';

const built: EngineOptions[] = [];
// Only the command under test, with the fake engine (the real list registers `test` with the real engine).
const withFake = [registerTest((_ws, opts) => {
  built.push(opts);
  return fakeEngine();
})];

async function run(args: string[]) {
  const io = memoryIO();
  const code = await main(['test', ...args], io, withFake);
  return { code, out: io.stdout(), err: io.stderr() };
}

const dir = mkdtempSync(join(tmpdir(), 'polis-test-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const shop = file('shop.yaml', SHOP_YAML);
const passing = file('pass.yaml', testDoc('  cases:\n    - {name: web, from: shop/admin, to: svc:shop/web, expect: allow}\n    - {from: shop/admin, to: shop/web, port: 22, expect: deny}\n', 'passing'));
const failing = file('fail.yaml', testDoc('  cases:\n    - {name: tls, from: shop/admin, to: svc:shop/web, port: 8443, expect: allow}\n', 'failing'));

describe('polis test', () => {
  test('every case passes: exit 0, summary on the last line', async () => {
    const r = await run(['-f', shop, '--tests', passing]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^PASS web: shop\/admin -> svc:shop\/web 80\/TCP: expected allow, got allow \(fake: port 80 is allowed\)$/m);
    assert.match(r.out, /\n2 passed, 0 failed\n$/);
    assert.equal(r.err, '');
  });

  test('a case fails: exit 1, with its file:line', async () => {
    const r = await run(['-f', shop, '--tests', passing, '--tests', failing]);
    assert.equal(r.code, 1);
    assert.match(r.out, new RegExp(`^FAIL ${failing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:7: tls: .* expected allow, got deny`, 'm'));
    assert.match(r.out, /\n2 passed, 1 failed\n$/);
  });

  test('-o json and -o junit', async () => {
    const j = await run(['-f', shop, '--tests', failing, '-o', 'json']);
    assert.equal(j.code, 1);
    const parsed = JSON.parse(j.out) as { results: { name: string; verdict: string; pass: boolean }[]; summary: object };
    assert.deepEqual(parsed.results.map((x) => [x.name, x.verdict, x.pass]), [['tls', 'deny', false]]);
    assert.deepEqual(parsed.summary, { passed: 0, failed: 1 });
    const x = await run(['-f', shop, '--tests', passing, '--tests', failing, '-o', 'junit']);
    assert.equal(x.code, 1);
    assert.match(x.out, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="polis test" tests="3" failures="1" errors="0">/);
    assert.equal(x.out.match(/<testsuite /g)?.length, 2);
  });

  test('a folder of tests, kind: List, and the DNS answers reach the engine', async () => {
    const sub = join(dir, 'suite');
    mkdirSync(sub);
    const doc = testDoc('  dns: {api.example.com: [203.0.113.7]}\n  cases: [{from: shop/web, to: fqdn:api.example.com, port: 80, expect: allow}]\n', 'listed');
    writeFileSync(join(sub, 'list.yaml'), `apiVersion: v1\nkind: List\nitems:\n  - ${doc.replace(/\n/g, '\n    ')}\n`);
    built.length = 0;
    const r = await run(['-f', shop, '--tests', sub]);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(built, [{ policyEnforcement: 'default', hostFirewall: false, dns: new Map([['api.example.com', ['203.0.113.7']]]) }]);
    assert.match(r.out, /all 2 pairs allowed/);
  });

  test('manifests with errors still run, with a warning on stderr, and exit 1 though every case passed', async () => {
    const bad = file('bad-policy.yaml', 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  endpointSelector: {}\n  ingress: [{fromCIDR: [1.2.3]}]\n');
    const r = await run(['-f', shop, '-f', bad, '--tests', passing]);
    assert.equal(r.code, 1);
    assert.match(r.out, /\n2 passed, 0 failed\n$/);
    assert.match(r.err, /^polis test: warning: the manifests have 1 error \(1 invalid policy enforces nothing\); run polis validate to see them$/m);
  });

  describe('exit 2 on a usage error, 1 on an invalid tests file; no case is run', () => {
    const rows: { name: string; args: () => string[]; err: RegExp; code?: 1 }[] = [
      { name: 'no --tests', args: () => ['-f', shop], err: /no tests: name ConnectivityTest files with --tests FILE/ },
      { name: 'no -f', args: () => ['--tests', passing], err: /no input/ },
      { name: 'a --tests path that does not exist', args: () => ['-f', shop, '--tests', join(dir, 'nope.yaml')], err: /does not exist/ },
      { name: 'an -f path that does not exist', args: () => ['-f', shop, '-f', join(dir, 'nope.yaml'), '--tests', passing], err: /does not exist/ },
      { name: 'an unknown output format', args: () => ['-f', shop, '--tests', passing, '-o', 'xml'], err: /invalid/ },
      {
        name: 'an invalid test file, at file:line:col', code: 1,
        args: () => ['-f', shop, '--tests', file('invalid.yaml', testDoc('  cases:\n    - from: shop/admin\n      to: shop/web\n      port: 80\n      expct: allow\n'))],
        err: /invalid\.yaml:10:7: error: unknown field "expct" \(did you mean "expect"\?\) \(at spec\.cases\[0\]\.expct\) \[unknown-field\]\n {3}10 \| {7}expct: allow/,
      },
      {
        name: 'an endpoint that names nothing, at file:line:col', code: 1,
        args: () => ['-f', shop, '--tests', file('ghost.yaml', testDoc('  cases:\n    - {from: shop/ghost, to: shop/web, port: 80, expect: deny}\n'))],
        err: /ghost\.yaml:7:14: error: no pod or workload shop\/ghost in the cluster \[unknown-endpoint\][\s\S]*no tests were run/,
      },
      {
        name: 'a query the engine cannot answer', code: 1,
        args: () => ['-f', shop, '--tests', file('query.yaml', testDoc('  cases:\n    - {from: shop/admin, to: ip:0.0.0.0, port: 80, expect: deny}\n'))],
        err: /query\.yaml:7:7: error: 0\.0\.0\.0 is not a destination \[unanswerable-query\]/,
      },
      { name: 'a manifest given as a test', args: () => ['-f', shop, '--tests', shop], err: /Deployment is not a ConnectivityTest/, code: 1 },
      { name: 'an empty test folder', args: () => ['-f', shop, '--tests', mkdtempSync(join(tmpdir(), 'polis-empty-'))], err: /no ConnectivityTest found/, code: 1 },
    ];
    for (const row of rows) {
      test(row.name, async () => {
        const r = await run(row.args());
        assert.equal(r.code, row.code ?? 2, r.out + r.err);
        assert.match(r.err, row.err, r.err);
        assert.equal(r.out, '', 'nothing on stdout, so -o json never prints half a document');
      });
    }
  });
});
