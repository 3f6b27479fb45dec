/**
 * Endpoint resolution: each endpoint kind, service ports, DNS defaults, and
 * each way an endpoint can name nothing (an input error at its line).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nullRecord } from '../../util/record.js';
import { parseConnectivityTests } from './parse.js';
import { resolveCase } from './resolve.js';
import { loadWorkspace } from '../../workspace/load.js';
import { SHOP_YAML, shopWorkspace, testDoc } from './testing.js';
import type { TestCase } from './types.js';

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

  test('a missing DNS answer is asked for in the form the caller takes (spec.dns in a file, --dns-answer for explain)', () => {
    const c = caseOf('{from: shop/admin, to: fqdn:example.org, port: 443, expect: allow}');
    const hints = (['spec.dns', '--dns-answer'] as const).map((source) => {
      const r = resolveCase(c, ws.cluster, DNS, source);
      assert.equal(r.ok, false);
      const d = r.ok ? undefined : r.diagnostics[0];
      assert.equal(d?.code, 'no-dns-answer');
      return `${d?.message} | ${d?.hint}`;
    });
    assert.match(hints[0]!, /^example\.org has no address in spec\.dns \| add it: spec\.dns: \{example\.org: \[203\.0\.113\.10\]\}/);
    assert.match(hints[1]!, /^example\.org has no address: give one with --dns-answer \| add --dns-answer example\.org=203\.0\.113\.10 /);
    assert.doesNotMatch(hints[1]!, /spec\.dns/);
  });

  test('both ends wrong: two diagnostics', () => {
    const r = resolve('{from: shop/x, to: svc:shop/y, port: 80, expect: allow}');
    assert.equal(r.ok, false);
    assert.equal(r.ok ? 0 : r.diagnostics.length, 2);
  });
});

describe('resolveCase: a service as users address it', () => {
  // shop plus a NodePort service, the headless service of StatefulSet db and an ExternalName service.
  const EXTRA = `
---
apiVersion: v1
kind: Service
metadata: {name: web-np, namespace: shop}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 6379}]
---
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: shop}
spec: {type: ExternalName, externalName: db.example.com}
`;
  const svcWs = loadWorkspace([{ path: 'shop.yaml', text: SHOP_YAML + EXTRA }]);
  const webIP = svcWs.cluster.services.find((s) => s.name === 'web')!.clusterIP;
  const adminIP = svcWs.cluster.pods.find((p) => p.name === 'admin')!.ip;
  const resolveIn = (fields: string) => resolveCase(caseOf(fields), svcWs.cluster, DNS);

  const rows: { name: string; fields: string; pairs: string[]; protocol: string; port?: number; shown?: number }[] = [
    { name: 'svc:NS/NAME', fields: '{from: shop/admin, to: svc:shop/web, expect: allow}', pairs: ['shop/admin → svc:shop/web'], protocol: 'TCP', port: 80 },
    // A pod's resolv.conf: search shop.svc.cluster.local svc.cluster.local cluster.local (kubelet, dnsPolicy ClusterFirst).
    { name: 'NAME, from the source pod\'s namespace', fields: '{from: shop/admin, to: web, expect: allow}', pairs: ['shop/admin → svc:shop/web'], protocol: 'TCP', port: 80 },
    { name: 'NAME.NS', fields: '{from: shop/admin, to: web.shop, port: 8443, expect: allow}', pairs: ['shop/admin → svc:shop/web'], protocol: 'TCP', port: 8443 },
    { name: 'NAME.NS.svc', fields: '{from: shop/admin, to: web.shop.svc, protocol: UDP, expect: allow}', pairs: ['shop/admin → svc:shop/web'], protocol: 'UDP', port: 514 },
    { name: 'NAME.NS.svc.cluster.local, any case, trailing dot', fields: '{from: shop/admin, to: WEB.shop.svc.cluster.local., expect: allow}', pairs: ['shop/admin → svc:shop/web'], protocol: 'TCP', port: 80 },
    { name: 'the ClusterIP is the service, not world', fields: `{from: shop/admin, to: "ip:${webIP}", expect: allow}`, pairs: ['shop/admin → svc:shop/web'], protocol: 'TCP', port: 80 },
    { name: 'the ClusterIP written bare', fields: `{from: shop/admin, to: "${webIP}", port: 80, expect: allow}`, pairs: ['shop/admin → svc:shop/web'], protocol: 'TCP', port: 80 },
    { name: 'ip:10.96.0.10 is kube-dns', fields: '{from: shop/admin, to: ip:10.96.0.10, protocol: UDP, expect: allow}', pairs: ['shop/admin → svc:kube-system/kube-dns'], protocol: 'UDP', port: 53 },
    { name: 'a DNS query to kube-dns by name', fields: '{from: shop/admin, to: kube-dns.kube-system, dns: example.com, expect: allow}', pairs: ['shop/admin → svc:kube-system/kube-dns'], protocol: 'UDP', port: 53 },
    // Cilium's socket LB translates nodeIP:nodePort as it does a ClusterIP (kube-proxy replacement).
    { name: 'a node address and a node port: that service\'s port', fields: '{from: shop/admin, to: ip:172.18.0.3, port: 30080, expect: allow}', pairs: ['shop/admin → svc:shop/web-np'], protocol: 'TCP', port: 80, shown: 30080 },
    { name: 'a node port is open on every node', fields: '{from: shop/admin, to: ip:172.18.0.2, port: 30080, expect: allow}', pairs: ['shop/admin → svc:shop/web-np'], protocol: 'TCP', port: 80, shown: 30080 },
    { name: 'a node address on another port is the node', fields: '{from: shop/admin, to: ip:172.18.0.3, port: 30081, expect: allow}', pairs: ['shop/admin → 172.18.0.3'], protocol: 'TCP', port: 30081 },
    { name: 'a node port over another protocol is the node', fields: '{from: shop/admin, to: ip:172.18.0.3, port: 30080, protocol: UDP, expect: allow}', pairs: ['shop/admin → 172.18.0.3'], protocol: 'UDP', port: 30080 },
    // Kubernetes DNS spec: a headless service's name answers with its pods' addresses; no translation.
    { name: 'a headless service\'s name: each of its pods', fields: '{from: shop/admin, to: db, port: 6379, expect: allow}', pairs: ['shop/admin → shop/db-0', 'shop/admin → shop/db-1'], protocol: 'TCP', port: 6379 },
    { name: 'a StatefulSet pod\'s DNS name', fields: '{from: shop/admin, to: db-1.db, port: 6379, expect: allow}', pairs: ['shop/admin → shop/db-1'], protocol: 'TCP', port: 6379 },
    { name: 'a bare name in spec.dns is the external name', fields: '{from: shop/admin, to: API.example.com, port: 443, expect: allow}', pairs: ['shop/admin → api.example.com (203.0.113.10)', 'shop/admin → api.example.com (203.0.113.11)'], protocol: 'TCP', port: 443 },
    { name: 'a source given by its pod address: the pod\'s namespace is searched', fields: `{from: "ip:${adminIP}", to: web, expect: allow}`, pairs: [`${adminIP} → svc:shop/web`], protocol: 'TCP', port: 80 },
    { name: 'a pod\'s DNS name as the source', fields: '{from: db-0.db.shop.svc.cluster.local, to: web, expect: allow}', pairs: ['shop/db-0 → svc:shop/web'], protocol: 'TCP', port: 80 },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const r = resolveIn(row.fields);
      assert.ok(r.ok, JSON.stringify(!r.ok && r.diagnostics));
      assert.deepEqual(r.value.probes.map((p) => `${p.fromLabel} → ${p.toLabel}`), row.pairs);
      assert.equal(r.value.protocol, row.protocol);
      assert.equal(r.value.port, row.shown ?? row.port, 'the port the case shows');
      for (const p of r.value.probes) {
        assert.equal(p.query.protocol, row.protocol);
        assert.equal(p.query.port, row.port, 'the port the engine is asked: the service port');
      }
    });
  }

  test('every form of a service is the same engine question', () => {
    const forms = ['svc:shop/web', 'web', 'web.shop', 'web.shop.svc', 'web.shop.svc.cluster.local', `ip:${webIP}`];
    const queries = forms.map((to) => {
      const r = resolveIn(`{from: shop/admin, to: "${to}", expect: allow}`);
      assert.ok(r.ok);
      return r.value.probes.map((p) => p.query);
    });
    for (const q of queries.slice(1)) assert.deepEqual(q, queries[0]);
    const [q] = queries[0]!;
    assert.equal(q?.to.kind === 'service' && q.to.service, svcWs.cluster.services.find((s) => s.name === 'web'), 'the cluster\'s own Service object');
  });

  const errors: { name: string; fields: string; code: string; message: RegExp; hint: RegExp }[] = [
    { name: 'a Service as the source', fields: '{from: svc:shop/web, to: shop/admin, port: 80, expect: allow}', code: 'service-as-source', message: /^svc:shop\/web is a Service, and a Service never sends traffic$/, hint: /^name a pod or workload as the source, e.g. shop\/web$/ },
    { name: 'a ClusterIP as the source', fields: '{from: ip:10.96.0.10, to: shop/admin, port: 80, expect: allow}', code: 'service-as-source', message: /^ip:10\.96\.0\.10 \(the ClusterIP of svc:kube-system\/kube-dns\) is a Service/, hint: /e\.g\. kube-system\/coredns$/ },
    { name: 'a service DNS name as the source', fields: '{from: web.shop.svc.cluster.local, to: shop/admin, port: 80, expect: allow}', code: 'service-as-source', message: /^web\.shop\.svc\.cluster\.local \(svc:shop\/web\) is a Service/, hint: /e\.g\. shop\/web$/ },
    { name: 'a bare service name as the source', fields: '{from: web, to: shop/admin, port: 80, expect: allow}', code: 'service-as-source', message: /^web \(svc:shop\/web\) is a Service/, hint: /e\.g\. shop\/web$/ },
    { name: 'a bare workload name as the source: name the namespace', fields: '{from: admin, to: shop/web, port: 80, expect: allow}', code: 'unknown-endpoint', message: /^"admin" names no pod, workload or address$/, hint: /^name the namespace too, e.g\. shop\/admin$/ },
    { name: 'NAME from another namespace', fields: '{from: kube-system/coredns, to: web, expect: allow}', code: 'unknown-endpoint', message: /^web is no Service or pod name in the cluster \(looked up from namespace kube-system\) and has no address in spec\.dns$/, hint: /^Service web is in namespace shop, not in the source's namespace kube-system: write web\.shop$/ },
    { name: 'a misspelt service name', fields: '{from: shop/admin, to: webb, expect: allow}', code: 'unknown-endpoint', message: /^webb is no Service/, hint: /^did you mean web\?$/ },
    { name: 'a misspelt service name with its namespace', fields: '{from: shop/admin, to: webb.shop.svc.cluster.local, expect: allow}', code: 'unknown-endpoint', message: /^webb\.shop/, hint: /^did you mean web\.shop\.svc\.cluster\.local\?$/ },
    { name: 'an external name without an answer', fields: '{from: shop/admin, to: example.org, port: 443, expect: allow}', code: 'unknown-endpoint', message: /^example\.org is no Service/, hint: /spec\.dns: \{example\.org: \[203\.0\.113\.10\]\}/ },
    { name: 'a node address needs a port', fields: '{from: shop/admin, to: ip:172.18.0.3, expect: allow}', code: 'missing-port', message: /^port is required for TCP to ip:172\.18\.0\.3$/, hint: /add port/ },
    { name: 'a headless service\'s name needs the pods\' port', fields: '{from: shop/admin, to: db, expect: allow}', code: 'missing-port', message: /^port is required for TCP to db$/, hint: /headless Service shop\/db/ },
    { name: 'ping a ClusterIP', fields: `{from: shop/admin, to: "ip:${webIP}", protocol: ICMP, expect: deny}`, code: 'icmp-service', message: /is Service shop\/web, which forwards TCP, UDP and SCTP only/, hint: /ping a pod/ },
    { name: 'a target port is no service port, whatever the form', fields: '{from: shop/admin, to: web.shop, port: 8080, expect: allow}', code: 'not-a-service-port', message: /^Service shop\/web has no port 8080\/TCP/, hint: /not on the target port/ },
    { name: 'an ExternalName service', fields: '{from: shop/admin, to: ext, port: 5432, expect: allow}', code: 'external-name', message: /^ext is the ExternalName Service shop\/ext, an alias of db\.example\.com/, hint: /fqdn:db\.example\.com/ },
  ];
  for (const row of errors) {
    test(`error: ${row.name}`, () => {
      const r = resolveIn(row.fields);
      assert.equal(r.ok, false);
      const [d, more] = r.ok ? [] : r.diagnostics;
      assert.equal(more, undefined, 'one diagnostic');
      assert.equal(d?.code, row.code);
      assert.match(d!.message, row.message);
      assert.match(d!.hint ?? '', row.hint);
      assert.equal(d?.location?.line, 7);
    });
  }
});

describe('resolveCase: the not-a-service-port message reads as English (issue 8)', () => {
  // It said "has no a ICMP port" and "has no any port".
  test('a protocol the Service has no port for', () => {
    const sctp = caseOf('{from: shop/admin, to: svc:shop/web, protocol: SCTP, expect: deny}');
    const r = resolveCase(sctp, ws.cluster, DNS);
    assert.equal(r.ok ? '' : r.diagnostics[0]!.message, 'Service shop/web has no SCTP port (it has 80/TCP, 8443/TCP, 514/UDP)');
  });

  test('a Service without ports', () => {
    const bare = loadWorkspace([{ path: 's.yaml', text: 'apiVersion: v1\nkind: Service\nmetadata: {name: bare, namespace: shop}\nspec: {clusterIP: 10.96.5.5}\n' }]);
    const r = resolveCase(caseOf('{from: ip:203.0.113.5, to: svc:shop/bare, expect: deny}'), bare.cluster, DNS);
    assert.equal(r.ok ? '' : r.diagnostics[0]!.message, 'Service shop/bare has no ports');
  });
});
