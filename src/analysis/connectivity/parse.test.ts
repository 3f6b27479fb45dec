/**
 * Parsing ConnectivityTest files: the issue's example, and every input
 * error with its code, file:line:col and message.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nullRecord } from '../../util/record.js';
import { parseConnectivityTests } from './parse.js';
import { testDoc } from './testing.js';
import { caseSchema, isPlainCase } from './schema.js';
import { seededRandom } from '../../util/random.js';

const parse = (text: string, path = 't.yaml') => parseConnectivityTests([{ path, text }]);

/** The example of the issue, verbatim. */
const ISSUE_EXAMPLE = testDoc(`  dns:                                  # answers for names outside the cluster
    storage.cloud.google.com: [203.0.113.10]
  cases:
    - name: backend reaches the database
      from: default/backend             # NS/POD, or NS/WORKLOAD (any of its pods)
      to: svc:default/database          # svc:NS/NAME uses the service port
      port: 80
      protocol: TCP                     # TCP (default) | UDP | SCTP | ICMP
      http: {method: GET, path: /PING, headers: {X-Token: "42"}}  # optional
      expect: allow                     # allow | deny
    - from: default/frontend
      to: default/backend
      protocol: ICMP
      icmp: {type: 8}                   # ICMP probes have no port; type by number or name
      expect: deny
    - from: ip:203.0.113.5              # any IP: world, a node, a pod IP
      to: default/frontend
      port: 443
      expect: allow
    - from: default/backend
      to: fqdn:storage.cloud.google.com
      port: 443
      expect: allow
`, 'database-lockdown');

describe('parseConnectivityTests: valid files', () => {
  test('the example of the issue', () => {
    const r = parse(ISSUE_EXAMPLE);
    assert.deepEqual(r.diagnostics, []);
    const [t] = r.tests;
    assert.equal(t?.name, 'database-lockdown');
    assert.deepEqual(t?.dns, new Map([['storage.cloud.google.com', ['203.0.113.10']]]));
    const [a, b, c, d] = t!.cases;
    assert.equal(a?.name, 'backend reaches the database');
    assert.deepEqual(a?.from, { kind: 'workload', namespace: 'default', name: 'backend', text: 'default/backend' });
    assert.deepEqual(a?.to, { kind: 'service', namespace: 'default', name: 'database', text: 'svc:default/database' });
    assert.deepEqual(a?.http, { method: 'GET', path: '/PING', headers: nullRecord([['X-Token', '42']]) }, 'header names are keys of a record without prototype');
    assert.equal(a?.location.line, 9);
    assert.deepEqual([b?.protocol, b?.icmpType, b?.port, b?.name], ['ICMP', 8, undefined, undefined]);
    assert.deepEqual(c?.from, { kind: 'ip', ip: '203.0.113.5', text: 'ip:203.0.113.5' });
    assert.equal(c?.protocol, undefined, 'the default protocol is chosen at resolution');
    assert.deepEqual(d?.to, { kind: 'fqdn', name: 'storage.cloud.google.com', text: 'fqdn:storage.cloud.google.com' });
    assert.equal(d?.locate('to').line, 26);
  });

  const valid: { name: string; spec: string; check: (c: ReturnType<typeof parse>['tests'][number]['cases'][number]) => void }[] = [
    { name: 'ICMP type by name', spec: '{from: a/b, to: a/c, icmp: {type: EchoReply}, expect: deny}', check: (c) => assert.deepEqual([c.protocol, c.icmpType], ['ICMP', 0]) },
    { name: 'ICMPv6 names use the IPv6 table', spec: '{from: a/b, to: a/c, protocol: ICMPv6, icmp: {type: EchoRequest}, expect: deny}', check: (c) => assert.equal(c.icmpType, 128) },
    { name: 'ICMP without a type is an echo request', spec: '{from: a/b, to: a/c, protocol: ICMP, expect: deny}', check: (c) => assert.equal(c.icmpType, 8) },
    { name: 'a DNS case needs neither to nor port', spec: '{from: a/b, dns: example.com, expect: allow}', check: (c) => assert.deepEqual([c.to, c.port, c.dns], [undefined, undefined, 'example.com']) },
    { name: 'a service needs no port', spec: '{from: a/b, to: svc:a/c, expect: allow}', check: (c) => assert.equal(c.port, undefined) },
    { name: 'http defaults to GET /', spec: '{from: a/b, to: a/c, port: 80, http: {}, expect: allow}', check: (c) => assert.deepEqual(c.http, { method: 'GET', path: '/' }) },
    { name: 'a DNS name, lower-cased, trailing dot kept', spec: '{from: a/b, to: Echo.echo.SVC.cluster.local., expect: allow}', check: (c) => assert.deepEqual(c.to, { kind: 'name', name: 'echo.echo.svc.cluster.local.', text: 'Echo.echo.SVC.cluster.local.' }) },
    { name: 'a bare name may be a service: its port is settled in the cluster', spec: '{from: a/b, to: database, expect: allow}', check: (c) => assert.equal(c.port, undefined) },
    { name: 'an address may be a ClusterIP: its port is settled in the cluster', spec: '{from: a/b, to: ip:10.96.0.10, expect: allow}', check: (c) => assert.equal(c.to?.kind, 'ip') },
    { name: 'an address written bare', spec: '{from: a/b, to: 10.96.0.10, port: 53, expect: allow}', check: (c) => assert.deepEqual(c.to, { kind: 'ip', ip: '10.96.0.10', text: '10.96.0.10' }) },
    { name: 'IPv6 address', spec: '{from: "ip:2001:db8::1", to: a/c, port: 80, expect: allow}', check: (c) => assert.deepEqual(c.from, { kind: 'ip', ip: '2001:db8::1', text: 'ip:2001:db8::1' }) },
  ];
  for (const v of valid) {
    test(v.name, () => {
      const r = parse(testDoc(`  cases:\n    - ${v.spec}\n`));
      assert.deepEqual(r.diagnostics, []);
      v.check(r.tests[0]!.cases[0]!);
    });
  }

  test('kind: List and several documents, in file order', () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n  - ${testDoc('  cases: [{from: a/b, to: a/c, port: 1, expect: allow}]\n', 'one').replace(/\n/g, '\n    ')}\n---\n${testDoc('  cases: [{from: a/b, to: a/c, port: 2, expect: deny}]\n', 'two')}`;
    const r = parse(list);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.tests.map((t) => [t.name, t.cases[0]?.port]), [['one', 1], ['two', 2]]);
  });
});

describe('parseConnectivityTests: input errors', () => {
  // Each case body starts on line 7 (`    - from: …`), fields follow one per line.
  const one = (fields: string) => testDoc(`  cases:\n    - ${fields.split('\n').join('\n      ')}\n`);
  const rows: { name: string; text: string; code: string; at: string; message: RegExp }[] = [
    { name: 'misspelt field', text: one('from: a/b\nto: a/c\nport: 80\nexpct: allow'), code: 'unknown-field', at: '10:7', message: /^unknown field "expct" \(did you mean "expect"\?\)$/ },
    { name: 'missing expect', text: one('from: a/b\nto: a/c\nport: 80'), code: 'missing-field', at: '7:7', message: /^expect is required \(one of allow, deny\)$/ },
    { name: 'quoted port', text: one('from: a/b\nto: a/c\nport: "80"\nexpect: allow'), code: 'wrong-type', at: '9:13', message: /^port must be a number, not "80"$/ },
    { name: 'port out of range', text: one('from: a/b\nto: a/c\nport: 70000\nexpect: allow'), code: 'out-of-range', at: '9:13', message: /^port must be at most 65535/ },
    { name: 'lower-case protocol', text: one('from: a/b\nto: a/c\nport: 80\nprotocol: tcp\nexpect: allow'), code: 'invalid-value', at: '10:17', message: /^protocol must be one of TCP, UDP, SCTP, ICMP, ICMPv6, not "tcp"$/ },
    { name: 'bad expect', text: one('from: a/b\nto: a/c\nport: 80\nexpect: maybe'), code: 'invalid-value', at: '10:15', message: /^expect must be one of allow, deny, not "maybe"$/ },
    { name: 'neither a name nor NS/NAME', text: one('from: back end\nto: a/c\nport: 80\nexpect: allow'), code: 'invalid-endpoint', at: '7:13', message: /^"back end" is not an endpoint$/ },
    { name: 'too many slashes', text: one('from: a/b/c\nto: a/c\nport: 80\nexpect: allow'), code: 'invalid-endpoint', at: '7:13', message: /^"a\/b\/c" is not an endpoint$/ },
    { name: 'unknown endpoint prefix', text: one('from: a/b\nto: http:x\nport: 80\nexpect: allow'), code: 'invalid-endpoint', at: '8:11', message: /^unknown endpoint prefix "http:"/ },
    { name: 'bad IP', text: one('from: ip:1.2.3\nto: a/c\nport: 80\nexpect: allow'), code: 'invalid-endpoint', at: '7:13', message: /^"1\.2\.3" is not an IP address$/ },
    { name: 'bad DNS name', text: one('from: a/b\nto: fqdn:a b\nport: 80\nexpect: allow'), code: 'invalid-endpoint', at: '8:11', message: /^"a b" is not a DNS name$/ },
    { name: 'missing to', text: one('from: a/b\nport: 80\nexpect: allow'), code: 'missing-field', at: '7:7', message: /^to is required$/ },
    { name: 'missing port', text: one('from: a/b\nto: a/c\nexpect: allow'), code: 'missing-port', at: '7:7', message: /^port is required for TCP to a\/c$/ },
    { name: 'port 0 (no packet goes to port 0)', text: one('from: a/b\nto: a/c\nport: 0\nexpect: allow'), code: 'out-of-range', at: '9:13', message: /^port must be at least 1, not number 0$/ },
    { name: 'negative port', text: one('from: a/b\nto: a/c\nport: -1\nexpect: allow'), code: 'out-of-range', at: '9:13', message: /^port must be at least 1/ },
    { name: 'ICMPv6 with a port', text: one('from: a/b\nto: a/c\nprotocol: ICMPv6\nport: 80\nexpect: deny'), code: 'icmp-port', at: '10:13', message: /^ICMP probes have no port$/ },
    { name: 'icmp (ICMP implied) with a port', text: one('from: a/b\nto: a/c\nicmp: {type: 8}\nport: 80\nexpect: deny'), code: 'icmp-port', at: '10:13', message: /^ICMP probes have no port$/ },
    { name: 'ICMP with a port', text: one('from: a/b\nto: a/c\nprotocol: ICMP\nport: 80\nexpect: deny'), code: 'icmp-port', at: '10:13', message: /^ICMP probes have no port$/ },
    { name: 'unknown ICMP type name', text: one('from: a/b\nto: a/c\nicmp: {type: Ping}\nexpect: deny'), code: 'invalid-icmp-type', at: '9:20', message: /^"Ping" is not an IPv4 ICMP type$/ },
    { name: 'IPv6-only ICMP name on IPv4', text: one('from: a/b\nto: a/c\nicmp: {type: NeighborSolicitation}\nexpect: deny'), code: 'invalid-icmp-type', at: '9:20', message: /not an IPv4 ICMP type/ },
    { name: 'ICMP type out of range', text: one('from: a/b\nto: a/c\nicmp: {type: 300}\nexpect: deny'), code: 'out-of-range', at: '9:20', message: /^type must be at most 255/ },
    { name: 'icmp with protocol TCP', text: one('from: a/b\nto: a/c\nprotocol: TCP\nport: 80\nicmp: {type: 8}\nexpect: deny'), code: 'icmp-protocol', at: '11:13', message: /^icmp does not go with protocol TCP$/ },
    { name: 'ping a service', text: one('from: a/b\nto: svc:a/c\nprotocol: ICMP\nexpect: deny'), code: 'icmp-service', at: '8:11', message: /^a Service forwards TCP, UDP and SCTP only/ },
    { name: 'http over UDP', text: one('from: a/b\nto: a/c\nport: 80\nprotocol: UDP\nhttp: {path: /}\nexpect: allow'), code: 'l7-protocol', at: '10:17', message: /^http requests go over TCP, not UDP$/ },
    { name: 'http and dns in one case', text: one('from: a/b\nto: a/c\nport: 53\ndns: x.com\nhttp: {path: /}\nexpect: allow'), code: 'l7-conflict', at: '10:12', message: /either http or dns/ },
    { name: 'header value not a string', text: one('from: a/b\nto: a/c\nport: 80\nhttp: {headers: {X-Token: 42}}\nexpect: allow'), code: 'wrong-type', at: '10:33', message: /^X-Token must be a string such as "42", not number 42$/ },
    { name: 'DNS answer not an address', text: testDoc('  dns:\n    x.com: [1.2.3.400]\n  cases: [{from: a/b, to: fqdn:x.com, port: 80, expect: allow}]\n'), code: 'invalid-ip', at: '7:13', message: /^"1\.2\.3\.400" is not an IP address$/ },
    { name: 'no cases', text: testDoc('  cases: []\n'), code: 'invalid-value', at: '6:10', message: /^cases: list at least one case$/ },
    { name: 'wrong apiVersion', text: testDoc('  cases: [{from: a/b, to: a/c, port: 1, expect: allow}]\n').replace('v1alpha1', 'v1'), code: 'invalid-value', at: '1:13', message: /^apiVersion must be one of polis\.dev\/v1alpha1, not "polis\.dev\/v1"$/ },
    { name: 'not a test at all', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n', code: 'not-a-test', at: '2:7', message: /^ConfigMap is not a ConnectivityTest/ },
    { name: 'misspelt kind', text: 'apiVersion: polis.dev/v1alpha1\nkind: ConectivityTest\nmetadata: {name: c}\n', code: 'not-a-test', at: '2:7', message: /ConectivityTest is not a ConnectivityTest/ },
    { name: 'YAML syntax', text: testDoc('  cases:\n    - from: a/b\n     to: a/c\n'), code: 'yaml-syntax', at: '8:', message: /^invalid YAML/ },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const r = parse(row.text, 'tests/x.yaml');
      assert.equal(r.tests.length, 0, 'an object with errors yields no test');
      const d = r.diagnostics.find((x) => x.code === row.code);
      assert.ok(d, `expected ${row.code}, got ${JSON.stringify(r.diagnostics.map((x) => [x.code, x.message]))}`);
      assert.equal(d.location?.file, 'tests/x.yaml');
      assert.ok(`${d.location?.line}:${d.location?.col}`.startsWith(row.at), `at ${d.location?.line}:${d.location?.col}, expected ${row.at}`);
      assert.match(d.message, row.message);
      assert.equal(d.severity, 'error');
    });
  }

  test('every error of a file is reported, not only the first', () => {
    const r = parse(testDoc('  cases:\n    - {from: a/, to: a/c, port: 80, expect: allow}\n    - {from: a/b, to: ip:x, port: 80, expect: allow}\n'));
    assert.deepEqual(r.diagnostics.map((d) => [d.code, d.location?.line]), [['invalid-endpoint', 7], ['invalid-endpoint', 8]]);
  });
});

describe('plain cases skip the per-case schema run', () => {
  // isPlainCase must never accept what caseSchema would refuse or change: every plain case is
  // checked here against the schema itself, over a grid of fields and values.
  const values: Record<string, unknown[]> = {
    name: ['n', '', 3, undefined], from: ['a/b', '', null, undefined], to: ['svc:a/b', '', ['x'], undefined],
    port: [1, 65535, 0, 65536, 8.5, '80', undefined], protocol: ['TCP', 'ICMPv6', 'tcp', undefined], dns: ['x.io', '', undefined],
    expect: ['allow', 'deny', 'Allow', true, undefined], http: [{ path: '/' }, undefined], extra: [1, undefined],
  };
  const keys = Object.keys(values);
  test('every plain case is one the schema returns unchanged (10,000 combinations)', () => {
    let plain = 0;
    const rnd = seededRandom(1);
    const pick = <T>(list: readonly T[]): T => list[rnd(list.length)]!;
    for (let i = 0; i < 10_000; i++) {
      const c: Record<string, unknown> = {};
      for (const k of keys) {
        // Mostly well-formed values, so that plain cases are common.
        const v = pick([0, 1, 2].includes(pick([0, 1, 2, 3, 4])) ? values[k]!.slice(0, 1).concat(undefined) : values[k]!);
        if (v !== undefined) c[k] = v;
      }
      if (!isPlainCase(c)) continue;
      plain++;
      const r = caseSchema.safeParse(c);
      assert.ok(r.success, JSON.stringify(c));
      assert.deepEqual(r.data, c);
    }
    assert.ok(plain > 100, `only ${plain} plain cases generated`);
  });
  test('a suite of plain cases parses as with the schema, and a bad case still gets its message', () => {
    const ok = parse(testDoc('  cases:\n    - {from: a/b, to: c/d, port: 80, expect: allow}\n    - {from: a/b, to: c/d, port: 81, protocol: UDP, expect: deny}\n'));
    assert.deepEqual(ok.diagnostics, []);
    assert.deepEqual(ok.tests[0]!.cases.map((c) => [c.port, c.protocol, c.expect]), [[80, undefined, 'allow'], [81, 'UDP', 'deny']]);
    const bad = parse(testDoc('  cases:\n    - {from: a/b, to: c/d, port: 80, expect: allow}\n    - {from: a/b, to: c/d, port: 80, expect: maybe}\n'));
    assert.equal(bad.diagnostics.length, 1);
    assert.match(bad.diagnostics[0]!.message, /expect/);
    assert.equal(bad.diagnostics[0]!.location?.line, 8);
  });
});
