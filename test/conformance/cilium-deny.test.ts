/**
 * Conformance: deny policies and how they take precedence over allows, from
 * Cilium's own tests and docs (Apache-2.0; rules re-typed as
 * CiliumNetworkPolicy YAML, no code vendored). Rows already ported elsewhere
 * (cilium-policy.test.ts: distillery Test_MergeRules, Test_EnsureDeniesPrecedeAllows,
 * Test_Allowception, TestEgressPortRangePrecedence, the flow versions of
 * TestDeniesIngress/Egress, TestComputePolicyDenyEnforcementAndRules,
 * TestWildcardL3/L4RulesIngressDeny, TestL3DependentL4*DenyFromRequires) are
 * not repeated. Sources:
 * - pkg/policy/repository_deny_test.go, search-index blob 32822501931 (commit
 *   01d4a09284f7b5ef86e9453098275267ad030d92): the SearchContext versions of
 *   TestDeniesIngress/TestDeniesEgress, TestWildcardL3RulesEgressDeny,
 *   TestWildcardL4RulesEgressDeny, TestWildcardCIDRRulesEgressDeny,
 *   TestWildcardL3RulesIngressDenyFromEntities, TestWildcardL3RulesEgressDenyToEntities,
 *   TestMinikubeGettingStartedDeny, TestPolicyDenyTrace;
 * - pkg/policy/mapstate_test.go, blob 68330692321 (commit
 *   008ab736b26b2549bcebb25ab298972daaac369d): TestMapState_denyPreferredInsertWithSubnets,
 *   TestMapState_insertWithChanges and TestMapState_AccumulateMapChangesDeny,
 *   the rows of one policy order (see SKIPPED);
 * - Documentation/security/policy/deny.rst (blob 55175796831, commit
 *   669f18e3e0474760a42e86a2e5637e350384393d): the allow/deny table and
 *   examples/policies/l3/entities/from_world_deny.yaml.
 *
 * Upstream asserts L4 policies, map states and trace outputs. What the
 * datapath does with them is a verdict; each row says which upstream
 * assertion it turns into one. A drop is POLICY_DENY (181, a deny entry
 * decided) or POLICY_DENIED (133, no entry in an enforced direction), so
 * "Found deny rule" and "Found no deny rule" of the trace tests are told
 * apart. Every probe goes through checkConnection, explainConnection and the
 * rule-by-rule reference evaluator (three-ways.ts), which must agree, the
 * reference on the drop reason too.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Peer, TrafficSpec } from '../../src/engine/types.js';
import type { L4Protocol } from '../../src/policy/rule.js';
import { loadWorkspace } from '../../src/workspace/load.js';
import { answerOfAll, loadWorld, type World } from './three-ways.js';
import { datapathLookup, type Expected, type MapEntry } from './mapstate-lookup.js';

// --- the cluster: upstream's identities as pods on node n1; n2 is a remote node ---

const node = (name: string, ip: string) => `---\napiVersion: v1\nkind: Node\nmetadata: {name: ${name}}\nstatus:\n  addresses: [{type: InternalIP, address: ${ip}}]\n`;
const pod = (name: string, labels: string) =>
  `---\napiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: default, labels: {${labels}}}\nspec:\n  nodeName: n1\n  containers: [{name: c, image: i}]\n`;
const CLUSTER = [
  node('n1', '172.18.0.2'), node('n2', '172.18.0.3'),
  // repository_deny_test.go SearchContext labels.
  pod('foo', 'foo: ""'), pod('bar', 'bar: ""'), pod('bar2', 'bar2: ""'), pod('bar3', 'bar3: ""'), pod('baz', 'baz: ""'),
  pod('foo-a', 'foo: "", groupA: ""'), pod('foo-b', 'foo: "", groupB: ""'), pod('bar-a', 'bar: "", groupA: ""'), pod('bar-b', 'bar: "", groupB: ""'),
  // The id= identities (selectorcache test data), TestMinikubeGettingStartedDeny's apps, deny.rst's client and server.
  pod('id-foo', 'id: foo'), pod('id-bar1', 'id: bar1'), pod('id-bar2', 'id: bar2'), pod('id-baz', 'id: baz'),
  pod('app1', 'id: app1'), pod('app2', 'id: app2'), pod('app3', 'id: app3'),
  pod('client', 'app: client'), pod('server', 'app: server'),
].join('');

const HOST = 'ip:172.18.0.2'; // reserved:host for every pod (all on n1)
const REMOTE_NODE = 'ip:172.18.0.3';
const WORLD = 'ip:8.8.8.8';
const WORLD6 = 'ip:2001:db8::1';

const cnp = (name: string, spec: string) =>
  `---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: ${name}, namespace: default}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;
const ccnp = (name: string, spec: string) =>
  `---\napiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;
/** A CNP whose subject is the pods labelled `subject` (`foo: ""` or `id: foo`). */
const on = (name: string, subject: string, body: string) => cnp(name, `endpointSelector: {matchLabels: {${subject}}}\n${body}`);
const sel = (labels: string) => `{matchLabels: {${labels}}}`;

function world(policies: string): World {
  return loadWorld([{ path: 'cluster.yaml', text: CLUSTER }, { path: 'policy.yaml', text: policies }]);
}

function peer(w: World, ref: string): Peer {
  if (ref.startsWith('ip:')) return { kind: 'ip', ip: ref.slice(3) };
  return { kind: 'pod', pod: w.session.workspace.cluster.pods.find((p) => p.namespace === 'default' && p.name === ref)! };
}

// --- what a row expects ---

const ALLOW: Expected = { verdict: 'allow', redirect: false };
const PROXY: Expected = { verdict: 'allow', redirect: true };
const DENY: Expected = { verdict: 'deny', dropReason: 'POLICY_DENY', redirect: false };
const DEFAULT: Expected = { verdict: 'deny', dropReason: 'POLICY_DENIED', redirect: false };

const TCP = (port: number): TrafficSpec => ({ port });
const UDP = (port: number): TrafficSpec => ({ protocol: 'UDP', port });
const SCTP = (port: number): TrafficSpec => ({ protocol: 'SCTP', port });
const ICMP = (type: number): TrafficSpec => ({ protocol: 'ICMP', icmpType: type });
const ICMP6 = (type: number): TrafficSpec => ({ protocol: 'ICMPv6', icmpType: type });
const GET = (port: number): TrafficSpec => ({ port, http: { method: 'GET', path: '/' } });

type Row = [from: string, to: string, traffic: TrafficSpec, want: Expected];

/** Puts each row to the three evaluators; the verdict, drop reason and redirect must be the row's. */
function check(w: World, rows: readonly Row[], label = ''): void {
  for (const [from, to, traffic, want] of rows) {
    const what = `${label}${from} -> ${to} ${JSON.stringify(traffic)}`;
    const ref = (r: string) => (r.startsWith('ip:') ? r : `default/${r}`);
    const got = answerOfAll(w, { from: ref(from), to: ref(to), traffic }, { from: peer(w, from), to: peer(w, to), ...traffic }, what);
    assert.equal(got.verdict, want.verdict, `${what}: ${got.reason}`);
    if (want.verdict === 'deny') {
      assert.equal(got.dropReason, want.dropReason, `${what}: drop reason (${got.reason})`);
      assert.equal(got.reference.dropReason, want.dropReason, `${what}: the reference's drop reason (${got.reference.reason})`);
    } else {
      assert.equal(!!got.redirect, want.redirect, `${what}: L7 redirect (${got.reason})`);
    }
  }
}

// --- repository_deny_test.go ---

describe('cilium pkg/policy/repository_deny_test.go', () => {
  // Upstream asserts api.Denied for every SearchContext: no rule allows anything. The drop reason is
  // the part a verdict adds: POLICY_DENY where a deny rule selects the peer, POLICY_DENIED otherwise.
  // fromRequires of deny rules are ANDed onto the fromEndpoints of every deny rule selecting the
  // subject, across rules (rules.go resolveL4IngressPolicy: requirementsDeny; semantics.md §4.12).
  test('TestDeniesIngress: bar denies foo, groupA requires groupA, bar2 denies foo', () => {
    const w = world(on('rule1', 'bar: ""', `ingressDeny:\n  - fromEndpoints: [${sel('foo: ""')}]`)
      + on('rule2', 'groupA: ""', `ingressDeny:\n  - fromRequires: [${sel('groupA: ""')}]`)
      + on('rule3', 'bar2: ""', `ingressDeny:\n  - fromEndpoints: [${sel('foo: ""')}]`));
    check(w, [
      ['foo', 'bar', TCP(80), DENY], // foo=>bar is not OK
      ['foo', 'bar2', TCP(80), DENY], // foo=>bar2 is not OK
      ['foo-a', 'bar-a', TCP(80), DENY], // foo=>bar inside groupA: foo AND groupA matches
      ['foo-b', 'bar-a', TCP(80), DEFAULT], // groupB can't talk to groupA: the requirement leaves no deny for it
      ['foo-b', 'bar-b', TCP(80), DENY], // restriction on groupB, unused label
      // foo=>bar3, no rule: upstream's Denied is the trace API's "no allow"; no rule selects bar3, so the
      // datapath does not enforce its ingress (repository.go computePolicyEnforcementAndRules).
      ['foo', 'bar3', TCP(80), ALLOW],
    ]);
  });

  test('TestDeniesEgress: foo denies bar, groupA requires groupA, foo denies bar2', () => {
    const w = world(on('rule1', 'foo: ""', `egressDeny:\n  - toEndpoints: [${sel('bar: ""')}]`)
      + on('rule2', 'groupA: ""', `egressDeny:\n  - toRequires: [${sel('groupA: ""')}]`)
      + on('rule3', 'foo: ""', `egressDeny:\n  - toEndpoints: [${sel('bar2: ""')}]`));
    check(w, [
      ['foo', 'bar', TCP(80), DENY],
      ['foo', 'bar2', TCP(80), DENY],
      ['foo-a', 'bar-a', TCP(80), DENY], // bar AND groupA
      // Upstream swaps From and To here: bar+groupA's egress has rule2 only, a toRequires with no peer: enforced, nothing denied.
      ['bar-a', 'foo-b', TCP(80), DEFAULT],
      ['foo-b', 'bar-b', TCP(80), DENY],
      ['foo', 'bar3', TCP(80), DEFAULT], // foo's egress is enforced by its deny rules; no rule denies bar3
    ]);
  });

  // The L4 deny policy as verdicts: beside an allow-all rule (added here, not upstream's) exactly the
  // (peer, port) pairs of its deny filters are POLICY_DENY; without it every other pair would be POLICY_DENIED.
  const ALLOW_ALL_OUT = on('allow-all', 'id: foo', 'egress:\n  - toEntities: [all]');
  const ALLOW_ALL_IN = on('allow-all', 'id: foo', 'ingress:\n  - fromEntities: [all]');

  test('TestWildcardL3RulesEgressDeny: 0/ANY, 8/ICMP and 128/ICMPV6 deny filters for bar1', () => {
    const toBar1 = (extra = '') => `egressDeny:\n  - toEndpoints: [${sel('id: bar1')}]${extra}`;
    const w = world(on('l3', 'id: foo', toBar1()) + on('icmp', 'id: foo', toBar1('\n    icmps: [{fields: [{type: 8}]}]'))
      + on('icmpv6', 'id: foo', toBar1('\n    icmps: [{fields: [{family: IPv6, type: 128}]}]')) + ALLOW_ALL_OUT);
    check(w, [
      ['id-foo', 'id-bar1', TCP(80), DENY], ['id-foo', 'id-bar1', UDP(53), DENY], ['id-foo', 'id-bar1', ICMP(8), DENY],
      ['id-foo', 'id-bar1', ICMP(0), DENY], ['id-foo', 'id-bar1', ICMP6(128), DENY],
      ['id-foo', 'id-bar2', TCP(80), ALLOW], ['id-foo', 'id-bar2', ICMP(8), ALLOW], ['id-foo', 'id-bar2', ICMP6(128), ALLOW],
    ]);
    // Upstream's rules alone: egress is enforced, and nothing but the deny filters is in it.
    const alone = world(on('l3', 'id: foo', toBar1()) + on('icmp', 'id: foo', toBar1('\n    icmps: [{fields: [{type: 8}]}]')));
    check(alone, [['id-foo', 'id-bar1', ICMP(8), DENY], ['id-foo', 'id-bar2', ICMP(8), DEFAULT], ['id-foo', 'id-bar2', TCP(80), DEFAULT]]);
  });

  test('TestWildcardL4RulesEgressDeny: 53/UDP and 80/TCP deny filters for bar1', () => {
    const port = (p: number, proto: string) => `egressDeny:\n  - toEndpoints: [${sel('id: bar1')}]\n    toPorts: [{ports: [{port: "${p}", protocol: ${proto}}]}]`;
    const w = world(on('l3-dns', 'id: foo', port(53, 'UDP')) + on('l3-http', 'id: foo', port(80, 'TCP')) + ALLOW_ALL_OUT);
    check(w, [
      ['id-foo', 'id-bar1', UDP(53), DENY], ['id-foo', 'id-bar1', TCP(53), ALLOW],
      ['id-foo', 'id-bar1', TCP(80), DENY], ['id-foo', 'id-bar1', UDP(80), ALLOW], ['id-foo', 'id-bar1', TCP(81), ALLOW],
      ['id-foo', 'id-bar1', ICMP(8), ALLOW], ['id-foo', 'id-bar2', TCP(80), ALLOW], ['id-foo', 'id-bar2', UDP(53), ALLOW],
    ]);
  });

  test('TestWildcardCIDRRulesEgressDeny: toCIDR 192.0.0.0/3, 80/TCP and 0/ANY (the L3 filter covers the port one)', () => {
    const w = world(on('http', 'id: foo', 'egressDeny:\n  - toCIDR: [192.0.0.0/3]\n    toPorts: [{ports: [{port: "80", protocol: TCP}]}]')
      + on('l3', 'id: foo', 'egressDeny:\n  - toCIDR: [192.0.0.0/3]') + ALLOW_ALL_OUT);
    check(w, [
      ['id-foo', 'ip:192.0.2.10', TCP(80), DENY], ['id-foo', 'ip:192.0.2.10', TCP(443), DENY], ['id-foo', 'ip:192.0.2.10', UDP(53), DENY],
      ['id-foo', 'ip:192.0.2.10', ICMP(8), DENY], ['id-foo', 'ip:223.255.255.254', TCP(22), DENY],
      ['id-foo', 'ip:191.255.255.254', TCP(80), ALLOW], ['id-foo', 'ip:1.1.1.1', TCP(80), ALLOW],
      // A CIDR selects addresses outside the cluster only (semantics.md §4.9), whatever the pod's IP.
      ['id-foo', 'id-bar1', TCP(80), ALLOW],
    ]);
  });

  // EntitySelectorMapping[world] plus the reserved world-ipv4/world-ipv6 selectors: the filter denies
  // both families of outside addresses, and neither nodes nor pods (entity.go).
  test('TestWildcardL3RulesIngressDenyFromEntities: fromEntities world (world, world-ipv4, world-ipv6)', () => {
    const w = world(on('l3', 'id: foo', 'ingressDeny:\n  - fromEntities: [world]') + ALLOW_ALL_IN);
    check(w, [
      [WORLD, 'id-foo', TCP(80), DENY], [WORLD6, 'id-foo', TCP(80), DENY], [WORLD, 'id-foo', ICMP(8), DENY],
      ['id-bar1', 'id-foo', TCP(80), ALLOW], [HOST, 'id-foo', TCP(80), ALLOW], [REMOTE_NODE, 'id-foo', TCP(80), ALLOW],
    ]);
  });

  test('TestWildcardL3RulesEgressDenyToEntities: toEntities world', () => {
    const w = world(on('l3', 'id: foo', 'egressDeny:\n  - toEntities: [world]') + ALLOW_ALL_OUT);
    check(w, [
      ['id-foo', WORLD, TCP(443), DENY], ['id-foo', WORLD6, TCP(443), DENY], ['id-foo', WORLD, UDP(53), DENY],
      ['id-foo', 'id-bar1', TCP(80), ALLOW], ['id-foo', HOST, TCP(80), ALLOW], ['id-foo', REMOTE_NODE, TCP(80), ALLOW],
    ]);
  });

  test('TestMinikubeGettingStartedDeny: app1 denies app2 on 80/TCP (twice); app3 has no deny rule', () => {
    const rule = `ingressDeny:\n  - fromEndpoints: [${sel('id: app2')}]\n    toPorts: [{ports: [{port: "80", protocol: TCP}]}]`;
    const w = world(on('deny-1', 'id: app1', rule) + on('deny-2', 'id: app1', rule));
    check(w, [
      ['app2', 'app1', TCP(80), DENY], ['app2', 'app1', TCP(81), DEFAULT], ['app2', 'app1', UDP(80), DEFAULT],
      // "L4 from app3 has no rules": no deny filter, and the deny-only policy put app1 in default deny.
      ['app3', 'app1', TCP(80), DEFAULT],
    ]);
  });

  // buildDenyRule(from, to, port): to's ingress denies [reserved:host, from] on `port` with no protocol (ANY).
  // In a CNP a `reserved:` selector gets no namespace term (utils.go getEndpointSelector; semantics.md §2.3),
  // so it is the node's host, as in the upstream rule.
  describe('TestPolicyDenyTrace', () => {
    const denyRule = (name: string, from: string, port = '') => on(name, 'bar: ""',
      `ingressDeny:\n  - fromEndpoints: [${sel('"reserved:host": ""')}, ${sel(`${from}: ""`)}]${port ? `\n    toPorts: [{ports: [{port: "${port}"}]}]` : ''}`);
    const l3 = denyRule('l3', 'foo');
    const l4 = denyRule('l4', 'baz', '80');
    test('foo=>bar: "Found deny rule" on every port; the host is denied as well', () => check(world(l3), [
      ['foo', 'bar', TCP(80), DENY], ['foo', 'bar', UDP(5353), DENY], [HOST, 'bar', TCP(80), DENY], ['baz', 'bar', TCP(80), DEFAULT],
    ]));
    test('+ baz=>bar on port 80 (protocol ANY): baz denied on 80/TCP, UDP, SCTP; bar=>bar "Found no deny rule"', () => check(world(l3 + l4), [
      ['baz', 'bar', TCP(80), DENY], ['baz', 'bar', UDP(80), DENY], ['baz', 'bar', SCTP(80), DENY], ['baz', 'bar', TCP(81), DEFAULT],
      ['bar-b', 'bar', TCP(80), DEFAULT], ['foo', 'bar', TCP(81), DENY],
    ]));
    test('+ fromRequires baz: the requirement narrows both rules\' deny selectors', () => check(world(l3 + l4 + on('requires', 'bar: ""', `ingressDeny:\n  - fromRequires: [${sel('baz: ""')}]`)), [
      ['foo', 'bar', TCP(80), DEFAULT], // "foo=>bar is now denied due to the FromRequires": Found no deny rule
      ['baz', 'bar', TCP(81), DEFAULT], // "baz=>bar is only denied because of the L4 policy": No port match found
      ['baz', 'bar', TCP(80), DENY], // baz AND baz on port 80
      // reserved:host AND baz selects nobody, so no deny covers the host, and the agent's allow-localhost
      // key lets it in (semantics.md §4.8; upstream's trace has no host line to compare).
      [HOST, 'bar', TCP(80), ALLOW],
    ]));
  });
});

// --- Documentation/security/policy/deny.rst ---

describe('cilium Documentation/security/policy/deny.rst', () => {
  // The table's rows, as the server's ingress. Read as: "Layer 7 (HTTP)" an HTTP rule for the client on
  // 80/TCP, "Layer 4" a port rule with no peer, "Layer 3 (Pod: Client)" fromEndpoints client. The doc does
  // not print the policies; which HTTP rule is not said (GET / is what `curl server:80` sends).
  const ALLOWS = {
    l7: `  - fromEndpoints: [${sel('app: client')}]\n    toPorts: [{ports: [{port: "80", protocol: TCP}], rules: {http: [{method: GET, path: "/"}]}}]`,
    l4_80: '  - toPorts: [{ports: [{port: "80", protocol: TCP}]}]',
    l4_81: '  - toPorts: [{ports: [{port: "81", protocol: TCP}]}]',
    l3: `  - fromEndpoints: [${sel('app: client')}]`,
  };
  const DENIES = { l4_80: '  - toPorts: [{ports: [{port: "80", protocol: TCP}]}]', l3: `  - fromEndpoints: [${sel('app: client')}]` };
  const columns: readonly [name: string, allows: boolean, denies: (keyof typeof DENIES)[], curl81: Expected, curl80: Expected, ping: Expected][] = [
    ['column 1: every allow, no deny', true, [], ALLOW, PROXY, ALLOW],
    ['column 2: every allow, deny 80/TCP', true, ['l4_80'], ALLOW, DENY, ALLOW],
    ['column 3: every allow, deny the client', true, ['l3'], DENY, DENY, DENY],
    ['column 4: every allow, both denies', true, ['l4_80', 'l3'], DENY, DENY, DENY],
    ['column 5: deny 80/TCP alone', false, ['l4_80'], DEFAULT, DENY, DEFAULT],
  ];
  for (const [name, allows, denies, curl81, curl80, ping] of columns) {
    test(name, () => {
      const body = [allows ? `ingress:\n${Object.values(ALLOWS).join('\n')}` : '', denies.length ? `ingressDeny:\n${denies.map((d) => DENIES[d]).join('\n')}` : '']
        .filter(Boolean).join('\n');
      check(world(on('server', 'app: server', body)), [
        ['client', 'server', TCP(81), curl81], ['client', 'server', GET(80), curl80], ['client', 'server', ICMP(8), ping],
      ]);
    });
  }

  test('from_world_deny.yaml: world denied everywhere, everything else still allowed', () => {
    const w = world(ccnp('external-lockdown', 'endpointSelector: {}\ningressDeny:\n  - fromEntities: ["world"]\ningress:\n  - fromEntities: ["all"]'));
    check(w, [
      [WORLD, 'server', TCP(80), DENY], [WORLD6, 'server', TCP(80), DENY],
      ['client', 'server', TCP(80), ALLOW], [HOST, 'server', TCP(80), ALLOW], [REMOTE_NODE, 'server', TCP(80), ALLOW],
      // Egress has no rule: not enforced; the reply of the outside server is conntrack's, not a new ingress.
      ['client', WORLD, TCP(443), ALLOW],
    ]);
  });
});

// --- mapstate_test.go: expected map states, looked up as the datapath does ---

/** A key of a row's expected map state; `egress` keys are the subject's egress map, the others its ingress map. */
type DirKey = MapEntry & { egress?: boolean };
type MapRow = { name: string; policies: string; keys: DirKey[]; probes: [from: string, to: string, traffic: TrafficSpec][] };

/** The peer identity of a probe in a row's keys (the subject is id-foo). */
const IDENTITY: Record<string, string> = {
  'id-bar1': 'bar1', 'id-bar2': 'bar2', 'id-baz': 'baz', [WORLD]: 'world', 'ip:192.0.2.3': 'ip', 'ip:192.0.2.77': 'subnet',
};

/** Each probe's expectation is the datapath lookup over the row's keys, in the direction the subject id-foo enforces. */
function checkMapRow(row: MapRow): void {
  const w = world(row.policies);
  const rows: Row[] = row.probes.map(([from, to, traffic]) => {
    const egress = from === 'id-foo';
    const keys = row.keys.filter((k) => !!k.egress === egress);
    const proto: L4Protocol = traffic.protocol ?? 'TCP';
    const port = traffic.port ?? traffic.icmpType ?? 0;
    const want = datapathLookup(keys, IDENTITY[egress ? to : from] ?? 'other', proto, port);
    // A redirected TCP port is asked with a request the row's HTTP rules allow, a DNS port with a query.
    const ask = want.redirect ? (proto === 'TCP' ? { ...traffic, http: { method: 'GET', path: '/' } } : { ...traffic, dns: 'example.com' }) : traffic;
    return [from, to, ask, want];
  });
  check(w, rows, `${row.name}: `);
}

const key = (e: DirKey) => e;
/** `AnyIngressKey(): allowEntry()` as a rule: every peer, every port. */
const ALLOW_ALL_IN_FOO = on('allow-all', 'id: foo', 'ingress:\n  - fromEntities: [all]');

describe('cilium pkg/policy/mapstate_test.go TestMapState_denyPreferredInsertWithSubnets (one policy order)', () => {
  // Identities: world (8.8.8.8), the /32 192.0.2.3 ("worldIP") and the /24 192.0.2.0 ("worldSubnet", 192.0.2.77).
  // A selector's selections: reserved:world → all three; cidr /32 → the /32; cidr /24 → the /24 and the /32.
  const SELECTIONS = { world: ['world', 'ip', 'subnet'], ip: ['ip'], subnet: ['subnet', 'ip'] } as const;
  const PEER = { world: 'fromEntities: [world]', ip: 'fromCIDR: [192.0.2.3/32]', subnet: 'fromCIDR: [192.0.2.0/24]' } as const;
  type Sel = keyof typeof SELECTIONS;
  // Outcome flags, as upstream's `action` bits.
  const AA = 1, A = 2, B = 4, BOTH = A | B, IP_L3_ONLY = 8, IP_PROTO_ONLY = 16, A_L3_NOT_IN_B = 32, B_L3_NOT_IN_A = 64;
  // [name, withAllowAll, a, b, bIsDeny, aPort, aProto, bPort, bProto, outcome]; a is always a deny.
  type T = [string, boolean, Sel, Sel, boolean, number, number, number, number, number];
  // Upstream's rows come in fours per pair of port kinds: a or b the superset, with or without the allow-all
  // rule. Per pair: the deny-allow outcomes [a superset with, without; b superset with, without] (a superset:
  // a = world, b = /24; b superset: a = /32, b = /24) and the deny-deny ones (a superset: a = /24, b = /32;
  // b superset: a = /24, b = world). Row names are upstream's less their suffixes.
  const KIND = { L3: [0, 0], L4: [0, 6], L3L4: [80, 6] } as const;
  type Kind = keyof typeof KIND;
  const NAME = { L3: 'L3-only', L4: 'L4', L3L4: 'L3L4' } as const;
  const FOURS: readonly [Kind, Kind, denyAllow: number[], denyDeny: (number | null)[]][] = [
    ['L3', 'L3', [AA | A, A, AA | A, BOTH], [null, null, AA | BOTH, BOTH]],
    ['L3', 'L4', [AA | A, A, AA | BOTH | IP_L3_ONLY, BOTH | IP_L3_ONLY], [AA | A, A, AA | BOTH | B_L3_NOT_IN_A, BOTH | B_L3_NOT_IN_A]],
    ['L3', 'L3L4', [AA | A, A, AA | BOTH | IP_L3_ONLY, BOTH | IP_L3_ONLY], [AA | A, A, AA | BOTH | B_L3_NOT_IN_A, BOTH | B_L3_NOT_IN_A]],
    ['L4', 'L3', [AA | A, BOTH, AA | A, BOTH], [AA | BOTH | A_L3_NOT_IN_B, BOTH | A_L3_NOT_IN_B, AA | B, B]],
    ['L4', 'L4', [AA | A, A, AA | BOTH, BOTH], [AA | BOTH, BOTH, AA | BOTH, BOTH]],
    ['L4', 'L3L4', [AA | A, A, AA | BOTH | IP_PROTO_ONLY, BOTH | IP_PROTO_ONLY], [AA | A, A, AA | BOTH | B_L3_NOT_IN_A, BOTH | B_L3_NOT_IN_A]],
    ['L3L4', 'L3', [AA | A, BOTH, AA | A, BOTH], [AA | BOTH | A_L3_NOT_IN_B, BOTH | A_L3_NOT_IN_B, AA | B, B]],
    ['L3L4', 'L4', [AA | BOTH, BOTH, AA | BOTH, BOTH], [AA | BOTH | A_L3_NOT_IN_B, BOTH | A_L3_NOT_IN_B, AA | B, B]],
    ['L3L4', 'L3L4', [AA | A, A, AA | BOTH, BOTH], [AA | BOTH, BOTH, AA | BOTH, BOTH]],
  ];
  const SUPERSETS: Record<'deny-allow' | 'deny-deny', [Sel, Sel][]> = { 'deny-allow': [['world', 'subnet'], ['ip', 'subnet']], 'deny-deny': [['subnet', 'ip'], ['subnet', 'world']] };
  const ROWS: T[] = FOURS.flatMap(([ak, bk, denyAllow, denyDeny]) => (['deny-allow', 'deny-deny'] as const).flatMap((kind) =>
    (kind === 'deny-allow' ? denyAllow : denyDeny).flatMap((outcome, i): T[] => {
      if (outcome === null) return [];
      const [a, b] = SUPERSETS[kind][i >> 1]!;
      const name = `${kind}: ${i >> 1 ? 'b' : 'a'} superset ${ak === 'L3' && bk === 'L3' ? 'a|b L3-only' : `a ${NAME[ak]}, b ${NAME[bk]}`}${i & 1 ? '; without allow-all' : ''}`;
      return [[name, !(i & 1), a, b, kind === 'deny-deny', ...KIND[ak], ...KIND[bk], outcome]];
    })));
  // Upstream lists the L3-only deny-deny pair twice, the second time with outcome B (the same keys either way).
  ROWS.push(['deny-deny: b superset a|b L3-only (second row)', true, 'subnet', 'world', true, 0, 0, 0, 0, AA | B],
    ['deny-deny: b superset a|b L3-only; without allow-all (second row)', false, 'subnet', 'world', true, 0, 0, 0, 0, B]);

  /** Upstream's expected keys: the aKeys/bKeys loops with their skips, B inserted before A (equal order), later keys replacing. */
  function expectedKeys([, allowAll, a, b, bIsDeny, aPort, aProto, bPort, bProto, outcome]: T): MapEntry[] {
    const keysOf = (s: Sel, port: number, proto: number, deny: boolean): MapEntry[] => SELECTIONS[s].flatMap((id) => {
      if (outcome & IP_L3_ONLY && id === 'ip' && (proto || port)) return [];
      if (outcome & IP_PROTO_ONLY && id === 'ip' && port) return [];
      return [{ id, ...(proto ? { proto: 'TCP' as const } : {}), ...(port ? { port } : {}), deny }];
    });
    const aKeys = keysOf(a, aPort, aProto, true);
    const bKeys = keysOf(b, bPort, bProto, bIsDeny);
    const map = new Map<string, MapEntry>();
    const insert = (k: MapEntry) => map.set(`${k.id}/${k.proto ?? ''}/${k.port ?? ''}`, k);
    if (outcome & AA) insert({ id: '*' });
    if (outcome & B) for (const k of bKeys) if (!(outcome & B_L3_NOT_IN_A && aKeys.some((x) => x.id === k.id))) insert(k);
    if (outcome & A) for (const k of aKeys) if (!(outcome & A_L3_NOT_IN_B && bKeys.some((x) => x.id === k.id))) insert(k);
    return [...map.values()];
  }

  const rule = (name: string, s: Sel, port: number, proto: number, deny: boolean) => on(name, 'id: foo',
    `${deny ? 'ingressDeny' : 'ingress'}:\n  - ${PEER[s]}${proto ? `\n    toPorts: [{ports: [{port: "${port}", protocol: TCP}]}]` : ''}`);
  for (const row of ROWS) {
    const [name, allowAll, a, b, bIsDeny, aPort, aProto, bPort, bProto] = row;
    test(name, () => checkMapRow({
      name,
      policies: (allowAll ? ALLOW_ALL_IN_FOO : '') + rule('a', a, aPort, aProto, true) + rule('b', b, bPort, bProto, bIsDeny),
      keys: expectedKeys(row),
      probes: [WORLD, 'ip:192.0.2.3', 'ip:192.0.2.77', 'id-bar1'].flatMap((from) => [TCP(80), TCP(81), UDP(80), ICMP(8)].map((t): [string, string, TrafficSpec] => [from, 'id-foo', t])),
    }));
  }
});

describe('cilium pkg/policy/mapstate_test.go TestMapState_insertWithChanges and TestMapState_AccumulateMapChangesDeny', () => {
  // Upstream's identities 1, 2 and 100 (41/42 and 43 in the Accumulate tests) are bar1, bar2 and baz;
  // its protocol numbers 2 and 3 are test values, here UDP and TCP. The rows left out (test-2a/3a/4a/5a/
  // 7a/8a/9a/10a...) are single-port versions of distillery Test_MergeRules' deny rows (cilium-policy.test.ts).
  const inFrom = (who: string, ports = '', rules = '') => `  - fromEndpoints: [${sel(`id: ${who}`)}]${ports ? `\n    toPorts: [{ports: [${ports}]${rules ? `, rules: ${rules}` : ''}}]` : ''}`;
  const outTo = (who: string, ports = '', rules = '') => `  - toEndpoints: [${sel(`id: ${who}`)}]${ports ? `\n    toPorts: [{ports: [${ports}]${rules ? `, rules: ${rules}` : ''}}]` : ''}`;
  const tcp = (p: number, end?: number) => `{port: "${p}", ${end ? `endPort: ${end}, ` : ''}protocol: TCP}`;
  const HTTP = '{http: [{method: GET, path: "/"}]}';
  const fooIn = (allow: string[], deny: string[]) => on('p', 'id: foo', [allow.length ? `ingress:\n${allow.join('\n')}` : '', deny.length ? `ingressDeny:\n${deny.join('\n')}` : ''].filter(Boolean).join('\n'));
  const bar1In = (...ports: number[]) => ports.flatMap((p) => [['id-bar1', 'id-foo', TCP(p)] as [string, string, TrafficSpec]]);
  const ROWS: readonly MapRow[] = [
    {
      name: 'test-2b - L3 port-range allow KV should not overwrite deny entry',
      policies: fooIn([inFrom('bar1', tcp(64, 127))], [inFrom('bar1', tcp(80))]),
      keys: [key({ id: 'bar1', proto: 'TCP', port: 64, bits: 10 }), key({ id: 'bar1', proto: 'TCP', port: 80, deny: true })],
      probes: [...bar1In(63, 64, 79, 80, 81, 127, 128), ['id-bar2', 'id-foo', TCP(80)]],
    },
    {
      name: 'test-4b - L3-L4 port-range deny KV should overwrite allow entry',
      policies: fooIn([inFrom('bar1', tcp(80))], [inFrom('bar1', tcp(64, 127))]),
      keys: [key({ id: 'bar1', proto: 'TCP', port: 64, bits: 10, deny: true })],
      probes: [...bar1In(63, 64, 80, 127, 128), ['id-bar1', 'id-foo', UDP(80)]],
    },
    {
      name: 'test-5b - L3 port-range deny KV should overwrite all L3-L4 allow and L3 allow entries for the same L3',
      policies: fooIn([inFrom('bar1', tcp(80)), inFrom('bar1', tcp(64, 127)), inFrom('bar2', tcp(80)), inFrom('bar2', tcp(64, 127))], [inFrom('bar1', tcp(64, 127))]),
      keys: [key({ id: 'bar1', proto: 'TCP', port: 64, bits: 10, deny: true }), key({ id: 'bar2', proto: 'TCP', port: 80 }), key({ id: 'bar2', proto: 'TCP', port: 64, bits: 10 })],
      probes: [...bar1In(64, 80, 127), ['id-bar2', 'id-foo', TCP(80)], ['id-bar2', 'id-foo', TCP(100)], ['id-bar2', 'id-foo', TCP(128)]],
    },
    {
      name: 'test-6b - L3 egress port-range deny KV should not overwrite any existing ingress allow',
      policies: fooIn([inFrom('bar1', tcp(80)), inFrom('bar1', tcp(64, 127)), inFrom('bar2', tcp(80)), inFrom('bar2', tcp(64, 127))], [])
        + on('egress-deny', 'id: foo', `egressDeny:\n${outTo('bar1', tcp(64, 127))}`),
      keys: [
        key({ id: 'bar1', proto: 'TCP', port: 80 }), key({ id: 'bar1', proto: 'TCP', port: 64, bits: 10 }),
        key({ id: 'bar2', proto: 'TCP', port: 80 }), key({ id: 'bar2', proto: 'TCP', port: 64, bits: 10 }),
        key({ id: 'bar1', proto: 'TCP', port: 64, bits: 10, deny: true, egress: true }),
      ],
      probes: [...bar1In(80, 100), ['id-foo', 'id-bar1', TCP(80)], ['id-foo', 'id-bar1', TCP(200)], ['id-foo', 'id-bar2', TCP(80)]],
    },
    {
      name: 'test-11a - L3 ingress allow should not be allowed if there is a L3 \'all\' deny',
      policies: fooIn([inFrom('baz')], ['  - fromEntities: [all]']) + on('egress', 'id: foo', `egress:\n${outTo('bar1', tcp(80), HTTP)}`),
      keys: [key({ id: 'bar1', proto: 'TCP', port: 80, proxy: true, egress: true }), key({ id: '*', deny: true })],
      probes: [['id-baz', 'id-foo', TCP(80)], ['id-baz', 'id-foo', ICMP(8)], ['id-bar1', 'id-foo', TCP(80)], [WORLD, 'id-foo', TCP(80)], ['id-foo', 'id-bar1', TCP(80)], ['id-foo', 'id-bar1', TCP(81)]],
    },
    {
      name: 'test-12a - inserting a L3 \'all\' deny should delete all entries for that direction',
      policies: fooIn([inFrom('bar1', tcp(80), HTTP), inFrom('bar1', tcp(5), HTTP)], ['  - fromEntities: [all]'])
        + on('egress', 'id: foo', `egress:\n${outTo('baz', tcp(5), HTTP)}`),
      keys: [key({ id: '*', deny: true }), key({ id: 'baz', proto: 'TCP', port: 5, proxy: true, egress: true })],
      probes: [...bar1In(80, 5), ['id-foo', 'id-baz', TCP(5)], ['id-foo', 'id-baz', TCP(80)]],
    },
    {
      name: 'test-15a - L3 port-range allow KV should not overwrite a wildcard deny entry',
      policies: fooIn([inFrom('bar1', tcp(64, 127))], [`  - toPorts: [{ports: [${tcp(80)}]}]`]),
      keys: [key({ id: 'bar1', proto: 'TCP', port: 64, bits: 10 }), key({ id: '*', proto: 'TCP', port: 80, deny: true })],
      probes: [...bar1In(79, 80, 81), ['id-bar2', 'id-foo', TCP(80)], ['id-bar2', 'id-foo', TCP(81)]],
    },
    {
      name: 'test-18 - Deny entry overwrites allow wildcard port entry (protocol-wide, every port)',
      policies: fooIn([inFrom('bar1', '{port: "0", protocol: UDP}')], [inFrom('bar1', '{port: "0", protocol: UDP}')]),
      keys: [key({ id: 'bar1', proto: 'UDP', deny: true })],
      probes: [['id-bar1', 'id-foo', UDP(53)], ['id-bar1', 'id-foo', UDP(65535)], ['id-bar1', 'id-foo', TCP(53)]],
    },
    {
      name: 'AccumulateMapChangesDeny test-0 - L4-only redirect allow key beside an allow-all with L3-only deny',
      policies: ALLOW_ALL_IN_FOO + fooIn([`  - toPorts: [{ports: [${tcp(80)}], rules: ${HTTP}}]`], [inFrom('bar1')]),
      keys: [key({ id: '*' }), key({ id: 'bar1', deny: true }), key({ id: '*', proto: 'TCP', port: 80, proxy: true })],
      probes: [...bar1In(80, 81), ['id-bar2', 'id-foo', TCP(80)], ['id-bar2', 'id-foo', TCP(81)], [WORLD, 'id-foo', TCP(80)]],
    },
    {
      name: 'AccumulateMapChangesDeny test-3a..3c - egress allows (DNS, HTTP proxy) beside an L3 deny',
      policies: on('p', 'id: foo', `egressDeny:\n${outTo('bar1')}\negress:\n${outTo('bar1', `${tcp(53)}, {port: "53", protocol: UDP}`)}\n${outTo('bar2', `${tcp(53)}, {port: "53", protocol: UDP}`)}\n${outTo('bar2', tcp(80), HTTP)}`),
      // The setup's AnyIngressKey and HostIngressKey allows: ingress has no rule.
      keys: [
        key({ id: '*' }), key({ id: 'bar1', deny: true, egress: true }), key({ id: 'bar2', proto: 'UDP', port: 53, egress: true }),
        key({ id: 'bar2', proto: 'TCP', port: 53, egress: true }), key({ id: 'bar2', proto: 'TCP', port: 80, proxy: true, egress: true }),
      ],
      probes: [['id-foo', 'id-bar1', UDP(53)], ['id-foo', 'id-bar1', TCP(53)], ['id-foo', 'id-bar2', UDP(53)], ['id-foo', 'id-bar2', TCP(80)], ['id-foo', 'id-bar2', TCP(81)], ['id-bar1', 'id-foo', TCP(80)]],
    },
    {
      name: 'AccumulateMapChangesDeny test-4a - Add L7 skipped due to covering L3 deny',
      policies: on('p', 'id: foo', `egressDeny:\n${outTo('bar1')}\negress:\n${outTo('bar1', tcp(80), HTTP)}`),
      keys: [key({ id: 'bar1', deny: true, egress: true })],
      probes: [['id-foo', 'id-bar1', TCP(80)], ['id-foo', 'id-bar2', TCP(80)]],
    },
    {
      name: 'AccumulateMapChangesDeny test-6 - Multiple entries (allow-all, HTTP and DNS redirects) and an L3 deny',
      policies: on('p', 'id: foo', `egress:\n  - toEntities: [all]\n  - toPorts: [{ports: [${tcp(80)}], rules: ${HTTP}}]\n  - toPorts: [{ports: [{port: "53", protocol: UDP}], rules: {dns: [{matchPattern: "*"}]}}]\negressDeny:\n${outTo('bar1')}`),
      keys: [
        key({ id: '*', egress: true }), key({ id: 'bar1', deny: true, egress: true }),
        key({ id: '*', proto: 'TCP', port: 80, proxy: true, egress: true }), key({ id: '*', proto: 'UDP', port: 53, proxy: true, egress: true }),
      ],
      probes: [['id-foo', 'id-bar1', TCP(80)], ['id-foo', 'id-bar1', UDP(53)], ['id-foo', 'id-bar2', TCP(80)], ['id-foo', 'id-bar2', UDP(53)], ['id-foo', 'id-bar2', TCP(443)], ['id-foo', WORLD, TCP(80)]],
    },
  ];
  for (const row of ROWS) test(row.name, () => checkMapRow(row));
});

/**
 * Left out, with the reason:
 * - repository_deny_test.go TestComputePolicyDenyEnforcementAndRules with reserved:init (no pod has the
 *   init identity; the rest is ported in cilium-policy.test.ts), TestGetRulesMatching (rule bookkeeping;
 *   its enforcement is TestComputePolicyDenyEnforcementAndRules').
 * - mapstate_test.go rows with a policy order other than 0 (allowAllLevel/aLevel/bLevel, `withLevel`,
 *   "later order ...", TestMapState_orderedMapStateValidation, the tier/pass tests): ordered policies with
 *   priorities came after 1.18; polis models the 1.16-1.18 rule "a deny always wins". The "different
 *   traffic directions" half of denyPreferredInsertWithSubnets is the direction independence of
 *   test-6b above. AccumulateMapChanges auth and listener-priority rows are not deny rows.
 * - mapstate_test.go insertWithChanges test-13/14 (listener priorities among proxies) and test-16a
 *   (a wildcard L7 redirect beside an L3 port-range allow): which Envoy port rules judge the request
 *   is UNCONFIRMED (semantics.md §5.4 item 3), so no row asserts it.
 * - l4_filter_test.go: its deny case (case 18) is a validation row in cilium-policy.test.ts (a deny port
 *   rule has no L7 rules); the newer file's case 18 is an allow rule, not a deny.
 * - deny.rst "Deny policies do not support ... toFQDNs": egressDeny has no toFQDNs field, refused
 *   as an unknown field (row below).
 */
describe('cilium Documentation/security/policy/deny.rst: what a deny rule cannot say', () => {
  const errorsOf = (spec: string) => loadWorkspace([{ path: 'cluster.yaml', text: CLUSTER }, { path: 'policy.yaml', text: on('p', 'id: foo', spec) }])
    .diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
  test('"Deny policies do not support ... toFQDNs": egressDeny with toFQDNs is refused (EgressDenyRule has no such field)', () => {
    assert.notDeepEqual(errorsOf('egressDeny:\n  - toFQDNs: [{matchName: example.com}]'), []);
    assert.deepEqual(errorsOf('egressDeny:\n  - toCIDR: [192.0.2.0/24]'), []);
  });
  // semantics.md §10 item 7. pkg/policy/api/l4.go `PortDenyRule` has only `Ports` at 1.17 (cilium-cli 7a84943d4)
  // and 1.18.0-pre.3 (6e65fa094); ingress.go/egress.go type the deny `ToPorts` as PortDenyRules. The CRD
  // generated from it (pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnetworkpolicies.yaml, search-index blob
  // 53645267251, commit 02904c9b) lists `ports` alone under egressDeny/ingressDeny toPorts items ("This
  // structure lacks the L7Rules since it's not supported in deny policies"), with no
  // x-kubernetes-preserve-unknown-fields. So the agent never sees `rules`: kubectl apply's default
  // --validate=strict has the API server refuse the unknown field, and with --validate=ignore the API server
  // prunes it (CRD pruning, KEP-2332) and the rule denies the whole port. polis follows the default: refused.
  for (const section of ['ingressDeny', 'egressDeny'] as const) {
    test(`${section} toPorts with L7 rules is refused: "rules" is not in the CRD schema of a PortDenyRule`, () => {
      const peer = section === 'ingressDeny' ? 'fromEndpoints' : 'toEndpoints';
      const ws = loadWorkspace([{ path: 'policy.yaml', text: on('p', 'id: foo', `${section}:\n  - ${peer}: [{}]\n    toPorts: [{ports: [{port: "80", protocol: TCP}], rules: {http: [{method: GET}]}}]`) }]);
      const d = ws.diagnostics.filter((x) => x.severity === 'error');
      assert.deepEqual(d.map((x) => [x.code, x.path, x.hint]), [['unknown-field', `spec.${section}[0].toPorts[0].rules`, 'fields allowed here: ports']]);
    });
  }
});
