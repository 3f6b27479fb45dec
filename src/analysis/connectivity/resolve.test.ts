/**
 * Endpoint resolution: each endpoint kind, service ports, DNS defaults, and
 * each way an endpoint can name nothing (an input error at its line).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nullRecord } from '../../util/record.js';
import { parseConnectivityTests } from './parse.js';
import { resolveCase } from './resolve.js';
import { shopWorkspace, testDoc } from './testing.js';
import type { TestCase } from './types.js';
import { loadWorkspace } from '../../workspace/load.js';

const ws = shopWorkspace();
const DNS = new Map([['api.example.com', ['203.0.113.10', '203.0.113.11']]]);

function caseOf(fields: string): TestCase {
  const r = parseConnectivityTests([{ path: 't.yaml', text: testDoc(`  cases:\n    - ${fields}\n`) }]);
  assert.deepEqual(r.diagnostics, []);
  return r.tests[0]!.cases[0]!;
}
const resolve = (fields: string) => resolveCase(caseOf(fields), ws.cluster, DNS);

describe('resolveCase: endpoints', () => {
  const rows: { name: string; fields: string; pairs: string[]; protocol: string; port?: number }[] = [
    { name: 'exact pod name', fields: '{from: shop/admin, to: shop/db-1, port: 6379, expect: deny}', pairs: ['shop/admin → shop/db-1'], protocol: 'TCP', port: 6379 },
    { name: 'Deployment: each of its pods', fields: '{from: shop/web, to: shop/admin, port: 80, expect: allow}', pairs: ['shop/web-855db4678b-4ttc2 → shop/admin', 'shop/web-855db4678b-r2hxs → shop/admin'], protocol: 'TCP', port: 80 },
    { name: 'StatefulSet × Deployment: every pair', fields: '{from: shop/db, to: shop/web, port: 80, expect: allow}', pairs: ['shop/db-0 → shop/web-855db4678b-4ttc2', 'shop/db-0 → shop/web-855db4678b-r2hxs', 'shop/db-1 → shop/web-855db4678b-4ttc2', 'shop/db-1 → shop/web-855db4678b-r2hxs'], protocol: 'TCP', port: 80 },
    { name: 'ip: any address', fields: '{from: ip:203.0.113.5, to: shop/admin, port: 443, protocol: UDP, expect: deny}', pairs: ['203.0.113.5 → shop/admin'], protocol: 'UDP', port: 443 },
    { name: 'fqdn: every address of spec.dns', fields: '{from: shop/admin, to: fqdn:API.example.com., port: 443, expect: allow}', pairs: ['shop/admin → api.example.com (203.0.113.10)', 'shop/admin → api.example.com (203.0.113.11)'], protocol: 'TCP', port: 443 },
    { name: 'service: its first port by default', fields: '{from: shop/admin, to: svc:shop/web, expect: allow}', pairs: ['shop/admin → svc:shop/web'], protocol: 'TCP', port: 80 },
    { name: 'service: a named port', fields: '{from: shop/admin, to: svc:shop/web, port: 8443, expect: allow}', pairs: ['shop/admin → svc:shop/web'], protocol: 'TCP', port: 8443 },
    { name: 'service: first port of the protocol', fields: '{from: shop/admin, to: svc:shop/web, protocol: UDP, expect: allow}', pairs: ['shop/admin → svc:shop/web'], protocol: 'UDP', port: 514 },
    { name: 'DNS case: kube-dns on 53/UDP', fields: '{from: shop/admin, dns: example.com, expect: allow}', pairs: ['shop/admin → svc:kube-system/kube-dns'], protocol: 'UDP', port: 53 },
    { name: 'DNS case over TCP', fields: '{from: shop/admin, dns: example.com, protocol: TCP, expect: allow}', pairs: ['shop/admin → svc:kube-system/kube-dns'], protocol: 'TCP', port: 53 },
    { name: 'DNS case to a pod', fields: '{from: shop/admin, to: kube-system/coredns, dns: example.com, expect: allow}', pairs: ['shop/admin → kube-system/coredns-f6c589ddd-l98bd', 'shop/admin → kube-system/coredns-f6c589ddd-vbqd5'], protocol: 'UDP', port: 53 },
    { name: 'ICMP has no port', fields: '{from: shop/admin, to: shop/db-0, icmp: {type: EchoRequest}, expect: deny}', pairs: ['shop/admin → shop/db-0'], protocol: 'ICMP' },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const r = resolve(row.fields);
      assert.ok(r.ok, JSON.stringify(!r.ok && r.diagnostics));
      assert.deepEqual(r.value.probes.map((p) => `${p.fromLabel} → ${p.toLabel}`), row.pairs);
      assert.equal(r.value.protocol, row.protocol);
      for (const p of r.value.probes) {
        assert.equal(p.query.protocol, row.protocol);
        assert.equal(p.query.port, row.port);
      }
    });
  }

  test('the query carries pods, services and L7 requests as the engine wants them', () => {
    const r = resolve('{from: shop/admin, to: svc:shop/web, http: {path: /x, headers: {A: b}}, expect: allow}');
    assert.ok(r.ok);
    const q = r.value.probes[0]!.query;
    assert.equal(q.from.kind === 'pod' && q.from.pod.name, 'admin');
    assert.equal(q.to.kind === 'service' && q.to.service.name, 'web');
    assert.deepEqual(q.http, { method: 'GET', path: '/x', headers: nullRecord([['A', 'b']]) });
    const dns = resolve('{from: shop/admin, dns: example.com, expect: allow}');
    assert.ok(dns.ok);
    assert.equal(dns.value.probes[0]!.query.dns, 'example.com');
    const icmp = resolve('{from: shop/admin, to: shop/db-0, protocol: ICMP, expect: deny}');
    assert.ok(icmp.ok);
    assert.equal(icmp.value.probes[0]!.query.icmpType, 8);
  });
});

describe('resolveCase: endpoints that name nothing are input errors', () => {
  const rows: { name: string; fields: string; code: string; message: RegExp; hint: RegExp }[] = [
    { name: 'unknown workload, with a suggestion', fields: '{from: shop/webb, to: shop/admin, port: 80, expect: allow}', code: 'unknown-endpoint', message: /^no pod or workload shop\/webb in the cluster$/, hint: /did you mean shop\/web\?/ },
    { name: 'unknown namespace', fields: '{from: shp/web, to: shop/admin, port: 80, expect: allow}', code: 'unknown-endpoint', message: /^no pod or workload shp\/web/, hint: /no namespace shp; did you mean shop\?/ },
    { name: 'unknown name, nothing close: what the namespace has', fields: '{from: shop/admin, to: shop/nothing-here, port: 80, expect: allow}', code: 'unknown-endpoint', message: /shop\/nothing-here/, hint: /^shop has: db, web, admin, db-0, db-1, / },
    { name: 'unknown service', fields: '{from: shop/admin, to: svc:shop/db, port: 80, expect: allow}', code: 'unknown-endpoint', message: /^no Service shop\/db in the cluster$/, hint: /.+/ },
    { name: 'port that is not a service port', fields: '{from: shop/admin, to: svc:shop/web, port: 8080, expect: allow}', code: 'not-a-service-port', message: /^Service shop\/web has no port 8080\/TCP \(it has 80\/TCP, 8443\/TCP, 514\/UDP\)$/, hint: /not on the target port/ },
    { name: 'service port with another protocol', fields: '{from: shop/admin, to: svc:shop/web, port: 80, protocol: SCTP, expect: allow}', code: 'not-a-service-port', message: /no port 80\/SCTP/, hint: /.+/ },
    { name: 'fqdn without an answer', fields: '{from: shop/admin, to: fqdn:example.org, port: 443, expect: allow}', code: 'no-dns-answer', message: /^example\.org has no address in spec\.dns$/, hint: /spec\.dns/ },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const c = caseOf(row.fields);
      const r = resolveCase(c, ws.cluster, DNS);
      assert.equal(r.ok, false);
      const [d] = r.ok ? [] : r.diagnostics;
      assert.equal(d?.code, row.code);
      assert.match(d!.message, row.message);
      assert.match(d!.hint ?? '', row.hint);
      assert.equal(d?.location?.file, 't.yaml');
      assert.equal(d?.location?.line, 7, 'the case is on line 7');
    });
  }

  test('both ends wrong: two diagnostics', () => {
    const r = resolve('{from: shop/x, to: svc:shop/y, port: 80, expect: allow}');
    assert.equal(r.ok, false);
    assert.equal(r.ok ? 0 : r.diagnostics.length, 2);
  });
});

describe('resolveCase: the not-a-service-port message reads as English (issue 8)', () => {
  // It said "has no a ICMP port" and "has no any port".
  test('a protocol the Service has no port for', () => {
    const sctp = caseOf('{from: shop/admin, to: svc:shop/web, protocol: SCTP, expect: deny}');
    // ICMP to a Service reaches resolution from `polis explain` (a tests file refuses it earlier).
    for (const [c, protocol] of [[sctp, 'SCTP'], [{ ...sctp, protocol: 'ICMP' } as TestCase, 'ICMP']] as const) {
      const r = resolveCase(c, ws.cluster, DNS);
      assert.equal(r.ok ? '' : r.diagnostics[0]!.message, `Service shop/web has no ${protocol} port (it has 80/TCP, 8443/TCP, 514/UDP)`);
    }
  });

  test('a Service without ports', () => {
    const bare = loadWorkspace([{ path: 's.yaml', text: 'apiVersion: v1\nkind: Service\nmetadata: {name: bare, namespace: shop}\nspec: {clusterIP: 10.96.5.5}\n' }]);
    const r = resolveCase(caseOf('{from: ip:203.0.113.5, to: svc:shop/bare, expect: deny}'), bare.cluster, DNS);
    assert.equal(r.ok ? '' : r.diagnostics[0]!.message, 'Service shop/bare has no ports');
  });
});
