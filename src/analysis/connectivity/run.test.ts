/**
 * The runner with a FAKE engine (allow iff port 80, see testing.ts):
 * multi-pod workloads, service targets, generated names, file order,
 * QueryError as an input error, one engine per set of DNS answers.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConnectionQuery, EngineOptions } from '../../engine/types.js';
import { parseConnectivityTests } from './parse.js';
import { runCases, runConnectivityTests } from './run.js';
import { fakeEngine, shopWorkspace, testDoc } from './testing.js';

const ws = shopWorkspace();

function tests(cases: string, extra = '') {
  const r = parseConnectivityTests([{ path: 'shop-test.yaml', text: testDoc(`${extra}  cases:\n${cases}`, 'shop') }]);
  assert.deepEqual(r.diagnostics, []);
  return r.tests;
}

describe('runCases', () => {
  test('verdicts, pass/fail and file order', () => {
    const [t] = tests([
      '    - {name: web serves, from: shop/admin, to: shop/web, port: 80, expect: allow}',
      '    - {name: ssh is closed, from: shop/admin, to: shop/web, port: 22, expect: deny}',
      '    - {name: wrong expectation, from: shop/admin, to: shop/web, port: 443, expect: allow}',
      '',
    ].join('\n'));
    const out = runCases(t!.cases, ws.cluster, fakeEngine(), t!.dns);
    assert.deepEqual(out.diagnostics, []);
    assert.deepEqual(out.results.map((r) => [r.name, r.verdict, r.pass, r.location.line]), [
      ['web serves', 'allow', true, 7], ['ssh is closed', 'deny', true, 8], ['wrong expectation', 'deny', false, 9],
    ]);
    assert.match(out.results[2]!.reason, /fake: 443 is denied$/);
  });

  test('a workload is allowed only if every pod pair is; the reason names the first denied pair', () => {
    const [t] = tests('    - {from: shop/db, to: shop/web, port: 80, expect: allow}\n');
    const log: ConnectionQuery[] = [];
    const denyDb1 = (q: ConnectionQuery) => q.from.kind === 'pod' && q.from.pod.name === 'db-1';
    const out = runCases(t!.cases, ws.cluster, fakeEngine({ deny: denyDb1, log }), t!.dns);
    assert.equal(log.length, 4, 'two sources × two destinations');
    const [r] = out.results;
    assert.equal(r?.verdict, 'deny');
    assert.equal(r?.pass, false);
    assert.equal(r?.pairs, 4);
    assert.equal(r?.reason, '2 of 4 pairs denied; first shop/db-1 -> shop/web-855db4678b-4ttc2: fake: 80 is denied');
  });

  test('all pairs allowed: allow, with the first pair\'s reason', () => {
    const [t] = tests('    - {from: shop/web, to: shop/admin, port: 80, expect: allow}\n');
    const [r] = runCases(t!.cases, ws.cluster, fakeEngine(), t!.dns).results;
    assert.equal(r?.verdict, 'allow');
    assert.equal(r?.reason, 'all 2 pairs allowed; shop/web-855db4678b-4ttc2 -> shop/admin: fake: port 80 is allowed');
  });

  test('a service target goes to the engine as a Service on the service port', () => {
    const [t] = tests('    - {from: shop/admin, to: svc:shop/web, expect: allow}\n    - {from: shop/admin, to: svc:shop/web, port: 8443, expect: deny}\n');
    const log: ConnectionQuery[] = [];
    const out = runCases(t!.cases, ws.cluster, fakeEngine({ log }), t!.dns);
    assert.deepEqual(log.map((q) => [q.to.kind, q.port, q.protocol]), [['service', 80, 'TCP'], ['service', 8443, 'TCP']]);
    assert.deepEqual(out.results.map((r) => [r.port, r.verdict, r.pass, r.pairs]), [[80, 'allow', true, 1], [8443, 'deny', true, 1]]);
  });

  test('names are generated from from, to and port', () => {
    const [t] = tests([
      '    - {from: shop/admin, to: svc:shop/web, expect: allow}',
      '    - {from: shop/admin, to: shop/db-0, icmp: {type: 8}, expect: deny}',
      '    - {from: shop/admin, dns: example.com, expect: deny}',
      '',
    ].join('\n'));
    const out = runCases(t!.cases, ws.cluster, fakeEngine(), t!.dns);
    assert.deepEqual(out.results.map((r) => r.name), [
      'shop/admin -> svc:shop/web 80/TCP',
      'shop/admin -> shop/db-0 ICMP/8',
      'shop/admin -> svc:kube-system/kube-dns DNS example.com 53/UDP',
    ]);
    assert.equal(out.results[2]?.dns, 'example.com');
  });

  test('a query problem from the engine is an input error at the case, not a deny', () => {
    const [t] = tests('    - {name: nowhere, from: shop/admin, to: ip:0.0.0.0, port: 80, expect: deny}\n    - {from: shop/admin, to: shop/web, port: 80, expect: allow}\n');
    const out = runCases(t!.cases, ws.cluster, fakeEngine(), t!.dns);
    assert.equal(out.results.length, 1, 'the other case still runs');
    assert.deepEqual(out.diagnostics.map((d) => [d.code, d.severity, d.location?.file, d.location?.line, d.message]), [
      ['unanswerable-query', 'error', 'shop-test.yaml', 7, 'case "nowhere": 0.0.0.0 is not a destination'],
    ]);
  });

  test('an unknown endpoint is an input error, and other errors are not swallowed', () => {
    const [t] = tests('    - {from: shop/ghost, to: shop/web, port: 80, expect: deny}\n');
    const out = runCases(t!.cases, ws.cluster, fakeEngine(), t!.dns);
    assert.deepEqual([out.results.length, out.diagnostics[0]?.code, out.diagnostics[0]?.location?.line], [0, 'unknown-endpoint', 7]);
    const broken = { verdict: () => { throw new TypeError('bug'); }, explain: () => { throw new TypeError('bug'); }, identityName: String, identities: () => [] };
    const [u] = tests('    - {from: shop/admin, to: shop/web, port: 80, expect: deny}\n');
    assert.throws(() => runCases(u!.cases, ws.cluster, broken), TypeError);
  });
});

describe('runConnectivityTests', () => {
  test('the engine is built with the test\'s DNS answers, once per distinct set', () => {
    const files = [
      { path: 'a.yaml', text: testDoc('  dns: {api.example.com: [203.0.113.10]}\n  cases: [{from: shop/admin, to: fqdn:api.example.com, port: 80, expect: allow}]\n', 'a') },
      { path: 'b.yaml', text: testDoc('  dns: {api.example.com: [203.0.113.10]}\n  cases: [{from: shop/admin, to: fqdn:api.example.com, port: 443, expect: deny}]\n', 'b') },
      { path: 'c.yaml', text: testDoc('  cases: [{from: shop/admin, to: shop/web, port: 80, expect: allow}]\n', 'c') },
    ];
    const parsed = parseConnectivityTests(files);
    assert.deepEqual(parsed.diagnostics, []);
    const built: EngineOptions[] = [];
    const out = runConnectivityTests(parsed.tests, ws, (w, o) => {
      assert.equal(w, ws);
      built.push(o);
      return fakeEngine();
    });
    assert.deepEqual(built, [{ dns: new Map([['api.example.com', ['203.0.113.10']]]) }, { dns: new Map() }]);
    assert.deepEqual(out.results.map((r) => [r.test, r.to, r.pass]), [['a', 'fqdn:api.example.com', true], ['b', 'fqdn:api.example.com', true], ['c', 'shop/web', true]]);
  });
});
