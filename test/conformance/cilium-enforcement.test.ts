/**
 * Conformance: when Cilium enforces policy at all — the enforcement modes
 * (`enable-policy` default | always | never), `enableDefaultDeny`, and host
 * policies under the host firewall — as verdicts. Sources (Apache-2.0; rules
 * re-typed as YAML, never vendored):
 * - cilium/cilium pkg/policy/repository_test.go (blob id 3914794611 of the
 *   search index, the 1.18 line): TestComputePolicyEnforcementAndRules,
 *   TestDefaultAllow, TestMinikubeGettingStarted;
 * - pkg/policy/repository.go `computePolicyEnforcementAndRules` (blob ids
 *   7924417930, 267507687): a host without the host firewall is never
 *   enforced, then `never` enforces nothing, then `always` (or reserved:init)
 *   enforces both directions of every endpoint, the host included;
 * - Documentation/security/policy/intro.rst "Policy Enforcement Modes" and
 *   its intercept-all-dns example (commit 1ba78805d4da81b63ebfa6d086767e8b37c009fb);
 * - Documentation/security/host-firewall.rst (commit 0e03d299d88474a97cc22d77fc56ec7a1cea778a)
 *   with examples/policies/host/demo-host-policy.yaml, and
 *   Documentation/security/policy/host.rst with lock-down-ingress.yaml,
 *   lock-down-dev-vms-remote-node.yaml and allow-extended-protocols.yaml.
 *
 * Every verdict is asked through the use cases the CLI calls (checkConnection,
 * explainConnection) of a session on the compiled engine and of a session on
 * the rule-by-rule reference evaluator; all three must agree.
 *
 * The cluster is the host-firewall guide's: node k8s1 (192.168.60.11, label
 * node-access=ssh, where the kube-apiserver runs, as the guide's :6443 line
 * shows) and k8s2 (192.168.60.12, type=worker), the guide's outside client
 * 10.0.2.2, and pods on both nodes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Session, checkConnection, explainConnection } from '../../src/usecases/index.js';
import { ReferenceEngine } from '../../src/engine/reference.js';
import { normalizePolicies } from '../../src/policy/normalize/index.js';
import { loadWorkspace } from '../../src/workspace/load.js';
import type { EngineOptions, MatchType, TrafficSpec, Verdict } from '../../src/engine/types.js';

const K8S1 = 'ip:192.168.60.11', K8S2 = 'ip:192.168.60.12', OUTSIDE = 'ip:10.0.2.2';

const node = (name: string, ip: string, labels: string) =>
  `---\napiVersion: v1\nkind: Node\nmetadata: {name: ${name}, labels: {${labels}}}\nstatus: {addresses: [{type: InternalIP, address: ${ip}}]}\n`;
const pod = (name: string, labels: string, nodeName: string, ns = 'default') =>
  `---\napiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${ns}, labels: {${labels}}}\nspec: {nodeName: ${nodeName}, containers: [{name: c}]}\n`;

const CLUSTER = [
  node('k8s1', '192.168.60.11', 'node-access: ssh, node-role.kubernetes.io/control-plane: ""'),
  node('k8s2', '192.168.60.12', 'type: worker'),
  // repository_test.go identities: foo (selectFoo_ is the label `foo`), bar; TestMinikubeGettingStarted's A (id=a) and B (id1=b).
  pod('foo', 'foo: ""', 'k8s1'), pod('bar', 'bar: ""', 'k8s2'),
  pod('a', 'id: a', 'k8s1'), pod('b', 'id1: b, id2: t', 'k8s2'), pod('c', 'id: t', 'k8s2'),
  pod('client', 'app: client', 'k8s2'), pod('server', 'app: server', 'k8s1'),
].join('');

interface World { engine: Session; reference: Session }

function world(policies: string): World {
  const engine = Session.load([{ path: 'cluster.yaml', text: CLUSTER }, { path: 'policies.yaml', text: policies }]);
  assert.deepEqual(engine.workspace.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  const reference = new Session(engine.workspace, (ws, options) => new ReferenceEngine({ cluster: ws.cluster, policies: normalizePolicies(ws.policies, ws.cluster) }, options));
  return { engine, reference };
}

/**
 * What a row expects: `allow`, or `deny@ingress` / `deny@egress` / `deny@l7`;
 * optionally the Hubble match type of the deciding side where upstream shows
 * it, and whether the side is enforced (upstream's `ingress`/`egress` of
 * computePolicyEnforcementAndRules).
 */
interface Want {
  readonly verdict: 'allow' | 'deny@ingress' | 'deny@egress' | 'deny@l7';
  readonly ingressMatch?: MatchType;
  readonly ingressEnforced?: boolean;
  readonly egressEnforced?: boolean;
  readonly redirect?: boolean;
}
type Row = [from: string, to: string, traffic: TrafficSpec, want: Want['verdict'] | Want];

const TCP = (port: number): TrafficSpec => ({ port });
const UDP = (port: number): TrafficSpec => ({ protocol: 'UDP', port });
const ECHO: TrafficSpec = { protocol: 'ICMP', icmpType: 8 };

function one(session: Session, from: string, to: string, traffic: TrafficSpec, options: EngineOptions, what: string): Verdict {
  const a = checkConnection(session, { from, to, traffic }, options);
  if (!a.ok) assert.fail(`${what}: ${a.diagnostics.map((d) => d.message).join('; ')}`);
  // A workload of several replicas (CoreDNS) is one pair per pod: they must agree.
  const first = a.pairs[0]!.answer;
  assert.ok(a.pairs.every((p) => p.answer.verdict === first.verdict && p.answer.deniedAt === first.deniedAt), `${what}: every pod alike`);
  return first;
}

function check(w: World, rows: readonly Row[], options: EngineOptions = {}): void {
  for (const [from, to, traffic, wanted] of rows) {
    const want: Want = typeof wanted === 'string' ? { verdict: wanted } : wanted;
    const what = `${from} -> ${to} ${JSON.stringify(traffic)} ${JSON.stringify(options)}`;
    const v = one(w.engine, from, to, traffic, options, what);
    const got = v.verdict === 'allow' ? 'allow' : `deny@${v.deniedAt}`;
    assert.equal(got, want.verdict, `${what}: ${v.reason}`);
    if (want.ingressMatch) assert.equal(v.ingressMatch, want.ingressMatch, `${what}: ingress match type (${v.reason})`);
    if (want.ingressEnforced !== undefined) assert.equal(!!v.ingressEnforced, want.ingressEnforced, `${what}: ingress enforced (${v.reason})`);
    if (want.egressEnforced !== undefined) assert.equal(!!v.egressEnforced, want.egressEnforced, `${what}: egress enforced (${v.reason})`);
    if (want.redirect !== undefined) assert.equal(!!v.redirect, want.redirect, `${what}: L7 redirect (${v.reason})`);
    const x = explainConnection(w.engine, { from, to, traffic }, options);
    assert.ok(x.ok && x.pairs.every((p) => p.answer.verdict === v.verdict), `${what}: explain agrees`);
    const r = one(w.reference, from, to, traffic, options, what);
    assert.equal(r.verdict === 'allow' ? 'allow' : `deny@${r.deniedAt}`, got, `${what}: the reference evaluator agrees (${r.reason})`);
  }
}

const cnp = (name: string, spec: string) =>
  `---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: ${name}, namespace: default}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;
const ccnp = (name: string, spec: string) =>
  `---\napiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;

// --- repository_test.go ---

/** `PolicyEntry{Subject: foo, L3: foo, Ingress, DefaultDeny}` as a CNP; `defaultDeny: false` is `enableDefaultDeny`. */
function fooRule(name: string, ingress: boolean, defaultDeny = true): string {
  const dir = ingress ? 'ingress' : 'egress';
  return cnp(name, `endpointSelector: {matchLabels: {foo: ""}}\n${defaultDeny ? '' : `enableDefaultDeny: {${dir}: false}\n`}${dir}:\n  - ${ingress ? 'from' : 'to'}Endpoints: [{matchLabels: {foo: ""}}]`);
}
/** The subject's ingress from bar and egress to bar: what each enforcement state decides. */
const IN = (verdict: Want['verdict'], ingressEnforced: boolean): Row => ['default/bar', 'default/foo', TCP(80), { verdict, ingressEnforced }];
const OUT = (verdict: Want['verdict'], egressEnforced: boolean): Row => ['default/foo', 'default/bar', TCP(80), { verdict, egressEnforced }];

describe('cilium pkg/policy/repository_test.go TestComputePolicyEnforcementAndRules (allow rules) as verdicts', () => {
  const cases: [name: string, policies: string, options: EngineOptions, rows: Row[]][] = [
    ['no rule: neither direction enforced', '', {}, [IN('allow', false), OUT('allow', false)]],
    ['fooIngressRule1: ingress enforced, egress not', fooRule('ingress-1', true), {}, [IN('deny@ingress', true), OUT('allow', false)]],
    ['fooIngressRule1 + fooIngressRule2', fooRule('ingress-1', true) + fooRule('ingress-2', true), {}, [IN('deny@ingress', true), OUT('allow', false)]],
    ['fooEgressRule1: egress enforced, ingress not', fooRule('egress-1', false), {}, [IN('allow', false), OUT('deny@egress', true)]],
    ['combinedRule: both enforced', cnp('combined', 'endpointSelector: {matchLabels: {foo: ""}}\ningress:\n  - fromEndpoints: [{matchLabels: {foo: ""}}]\negress:\n  - toEndpoints: [{matchLabels: {foo: ""}}]'), {},
      [IN('deny@ingress', true), OUT('deny@egress', true), ['default/foo', 'default/foo', TCP(80), 'allow']]],
    // "ingress policy enforcement should apply" with no rule at all; bar's own egress is enforced too, and decides first.
    ['AlwaysEnforce, no rule: both enforced', '', { policyEnforcement: 'always' },
      [['default/bar', 'default/foo', TCP(80), { verdict: 'deny@egress', egressEnforced: true }], [OUTSIDE, 'default/foo', TCP(80), { verdict: 'deny@ingress', ingressEnforced: true }],
        ['default/foo', OUTSIDE, TCP(80), { verdict: 'deny@egress', egressEnforced: true }]]],
    ['NeverEnforce, combinedRule: neither enforced', cnp('combined', 'endpointSelector: {matchLabels: {foo: ""}}\ningress:\n  - fromEndpoints: [{matchLabels: {foo: ""}}]\negress:\n  - toEndpoints: [{matchLabels: {foo: ""}}]'), { policyEnforcement: 'never' },
      [IN('allow', false), OUT('allow', false)]],
  ];
  for (const [name, policies, options, rows] of cases) test(name, () => check(world(policies), rows, options));
  test('the reserved:init identity (enforced in default and always, not in never) is unsupported', { skip: 'unsupported: polis cannot name an endpoint that has not yet received its labels as a connection end' }, () => {});
});

describe('cilium pkg/policy/repository_test.go TestDefaultAllow (enableDefaultDeny: false adds the wildcard rule)', () => {
  // [rules, enforced, allows bar (a peer no rule names)]: upstream's ingressCases / egressCases; ruleC 2 for a lone
  // default-allow rule is the added wildcard, which lets every peer in while the direction stays enforced.
  const INGRESS: [string, string, boolean, boolean][] = [
    ['nil', '', false, true],
    ['iDeny', fooRule('i-deny', true), true, false],
    ['iAllow', fooRule('i-allow', true, false), true, true],
    ['iDeny + iAllow', fooRule('i-deny', true) + fooRule('i-allow', true, false), true, false],
  ];
  const EGRESS: [string, string, boolean, boolean][] = [
    ['nil', '', false, true],
    ['eDeny', fooRule('e-deny', false), true, false],
    ['eAllow', fooRule('e-allow', false, false), true, true],
    ['eDeny + eAllow', fooRule('e-deny', false) + fooRule('e-allow', false, false), true, false],
  ];
  // The cartesian run covers the ingress-only and egress-only runs (their `nil` rows).
  for (const [iName, iRules, iEnforced, iAllows] of INGRESS) {
    for (const [eName, eRules, eEnforced, eAllows] of EGRESS) {
      test(`ingress ${iName} + egress ${eName}`, () => check(world(iRules + eRules), [
        IN(iAllows ? 'allow' : 'deny@ingress', iEnforced), OUT(eAllows ? 'allow' : 'deny@egress', eEnforced),
        // foo itself is allowed by every rule (L3 foo), enforced or not.
        ['default/foo', 'default/foo', TCP(80), 'allow'],
      ]));
    }
  }
});

describe('cilium pkg/policy/repository_test.go TestMinikubeGettingStarted', () => {
  // rule1 (B on 80, no L7), rule2 and rule3 (B on 80, GET /) merge into one 80/TCP filter for B whose HTTP rules are
  // `{GET /}` and `{}`: the proxy is on, and the empty rule lets every request through. rule2 selects id=app1, which
  // upstream's policyMapEquals resolves for the subject regardless; here it is on A like rule3, which means the same.
  const L4 = 'toPorts: [{ports: [{port: "80", protocol: TCP}]}]';
  const L7 = 'toPorts: [{ports: [{port: "80", protocol: TCP}], rules: {http: [{method: GET, path: /}]}}]';
  const rule = (name: string, ports: string) => cnp(name, `endpointSelector: {matchLabels: {id: a}}\ningress:\n  - fromEndpoints: [{matchLabels: {id1: b}}]\n    ${ports}`);
  test('B reaches A on 80 through the proxy with any request; nothing else', () => check(world(rule('rule1', L4) + rule('rule2', L7) + rule('rule3', L7)), [
    ['default/b', 'default/a', { port: 80, http: { method: 'GET', path: '/' } }, { verdict: 'allow', redirect: true }],
    ['default/b', 'default/a', { port: 80, http: { method: 'POST', path: '/private' } }, { verdict: 'allow', redirect: true }],
    ['default/b', 'default/a', TCP(81), 'deny@ingress'],
    ['default/c', 'default/a', { port: 80, http: { method: 'GET', path: '/' } }, 'deny@ingress'],
  ]));
  test('without rule1 the proxy allows only GET /', () => check(world(rule('rule2', L7) + rule('rule3', L7)), [
    ['default/b', 'default/a', { port: 80, http: { method: 'GET', path: '/' } }, { verdict: 'allow', redirect: true }],
    ['default/b', 'default/a', { port: 80, http: { method: 'POST', path: '/private' } }, 'deny@l7'],
  ]));
});

// --- intro.rst: Policy Enforcement Modes ---

describe('Documentation/security/policy/intro.rst Policy Enforcement Modes', () => {
  test('always: every endpoint is enforced with no rule selecting it; the local host still reaches its pods (allow-localhost)', () => check(world(''), [
    ['default/client', 'default/server', TCP(80), { verdict: 'deny@egress', egressEnforced: true }],
    [OUTSIDE, 'default/server', TCP(80), { verdict: 'deny@ingress', ingressEnforced: true }],
    ['default/server', 'ip:1.1.1.1', TCP(443), 'deny@egress'],
    // semantics.md §4.8: allow-localhost=auto is `always` in Kubernetes mode; remote nodes get nothing.
    [K8S1, 'default/server', TCP(80), 'allow'],
    [K8S2, 'default/server', TCP(80), 'deny@ingress'],
    // The host is an endpoint only with the host firewall (repository.go checks it before the mode).
    [OUTSIDE, K8S1, TCP(22), 'allow'],
  ], { policyEnforcement: 'always' }));
  test('always: traffic must be allowed on both sides', () => check(world(
    cnp('client-out', 'endpointSelector: {matchLabels: {app: client}}\negress:\n  - toEndpoints: [{matchLabels: {app: server}}]')
    + cnp('server-in', 'endpointSelector: {matchLabels: {app: server}}\ningress:\n  - fromEndpoints: [{matchLabels: {app: client}}]\n    toPorts: [{ports: [{port: "80", protocol: TCP}]}]'),
  ), [
    ['default/client', 'default/server', TCP(80), 'allow'],
    ['default/client', 'default/server', TCP(81), 'deny@ingress'],
    ['default/server', 'default/client', TCP(80), 'deny@egress'],
  ], { policyEnforcement: 'always' }));
  test('always with the host firewall: the host endpoint is enforced too, with no host policy', () => check(world(''), [
    [OUTSIDE, K8S1, TCP(22), { verdict: 'deny@ingress', ingressEnforced: true }],
    [K8S1, 'ip:1.1.1.1', TCP(443), 'deny@egress'],
  ], { policyEnforcement: 'always', hostFirewall: true }));
  test('never: rules that select endpoints (pods and hosts) are not enforced', () => check(world(
    cnp('deny-all', 'endpointSelector: {}\ningress:\n  - {}\negress:\n  - {}') + ccnp('demo-host-policy', DEMO_HOST_POLICY),
  ), [
    ['default/client', 'default/server', TCP(80), { verdict: 'allow', ingressEnforced: false, egressEnforced: false }],
    [OUTSIDE, K8S1, TCP(21), 'allow'],
  ], { policyEnforcement: 'never', hostFirewall: true }));

  // The example: every DNS query goes through the proxy, and nothing is put into default deny.
  const interceptAllDns = (pattern: string) => ccnp('intercept-all-dns', `endpointSelector:
  matchExpressions:
    - {key: "io.kubernetes.pod.namespace", operator: NotIn, values: [kube-system]}
    - {key: "k8s-app", operator: NotIn, values: [kube-dns]}
enableDefaultDeny: {egress: false, ingress: false}
egress:
  - toEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]
    toPorts:
      - ports: [{port: "53", protocol: TCP}, {port: "53", protocol: UDP}]
        rules: {dns: [{matchPattern: "${pattern}"}]}`);
  test('intercept-all-dns: DNS is proxied, other traffic is not blocked', () => check(world(interceptAllDns('*')), [
    ['default/client', 'svc:kube-system/kube-dns', { protocol: 'UDP', port: 53, dns: 'cilium.io' }, { verdict: 'allow', redirect: true }],
    ['default/client', 'default/server', TCP(80), { verdict: 'allow', egressEnforced: true }],
    ['default/client', 'ip:1.1.1.1', TCP(443), 'allow'],
  ]));
  // The page's warning ("Adding a layer-7 rule that does not include a layer-7 allow-all will cause drops, even when
  // default-deny is explicitly disabled", cilium/cilium#38675) describes 1.16/1.17 (issue #38676). cilium/cilium#38841,
  // merged for 1.18, appends an L7 allow-all rule where the direction is not default-deny: the proxy still sees every
  // query (visibility) and refuses none. polis follows 1.18 (semantics.md §5.5).
  test('1.18: with enableDefaultDeny false a DNS rule without an allow-all only gives visibility (cilium/cilium#38841)', () => check(world(interceptAllDns('*.example.com')), [
    ['default/client', 'svc:kube-system/kube-dns', { protocol: 'UDP', port: 53, dns: 'www.example.com' }, { verdict: 'allow', redirect: true }],
    ['default/client', 'svc:kube-system/kube-dns', { protocol: 'UDP', port: 53, dns: 'cilium.io' }, { verdict: 'allow', redirect: true }],
    ['default/client', 'ip:1.1.1.1', TCP(443), 'allow'],
  ]));
});

// --- host firewall ---

const DEMO_HOST_POLICY = `description: ""
nodeSelector:
  matchLabels:
    node-access: ssh
ingress:
- fromEntities:
  - cluster
- toPorts:
  - ports:
    - port: "22"
      protocol: TCP
- icmps:
  - fields:
    - type: EchoRequest
      family: IPv4`;

describe('Documentation/security/host-firewall.rst with examples/policies/host/demo-host-policy.yaml', () => {
  const w = () => world(ccnp('demo-host-policy', DEMO_HOST_POLICY));
  test('the guide\'s policy-verdict lines', () => check(w(), [
    // "remote ID 6, proto 1, ingress, action allow, match L3-Only, 192.168.60.12 -> 192.168.60.11 EchoRequest": L3-Only is
    // what the policy gives without its icmps rule (next test). With it, the wildcard-identity ICMP 8 key has a longer
    // port prefix than the remote-node key of `cluster`, and bpf/lib/policy.h __policy_can_access picks it: L4-Only.
    [K8S2, K8S1, ECHO, { verdict: 'allow', ingressMatch: 'L4-Only' }],
    // "remote ID 6, proto 6, ingress, action allow, match L3-Only, 192.168.60.12:37278 -> 192.168.60.11:2379"
    [K8S2, K8S1, TCP(2379), { verdict: 'allow', ingressMatch: 'L3-Only' }],
    // "remote ID 2, proto 6, ingress, action audit, match none, 10.0.2.2:47500 -> 10.0.2.15:6443" (audited: denied once enforced)
    [OUTSIDE, K8S1, TCP(6443), { verdict: 'deny@ingress', ingressMatch: 'none' }],
    // "remote ID 2, proto 6, ingress, action deny, match none, 10.0.2.2:49038 -> 10.0.2.15:21"
    [OUTSIDE, K8S1, TCP(21), { verdict: 'deny@ingress', ingressMatch: 'none' }],
  ], { hostFirewall: true }));
  test('the guide\'s echo line without the icmps rule: L3-Only (the `cluster` key alone)', () => check(world(ccnp('demo-host-policy', DEMO_HOST_POLICY.replace(/\n- icmps:[^]*$/, ''))), [
    [K8S2, K8S1, ECHO, { verdict: 'allow', ingressMatch: 'L3-Only' }],
    [OUTSIDE, K8S1, ECHO, 'deny@ingress'],
  ], { hostFirewall: true }));
  test('"allows communications from outside the cluster only for TCP/22 and for ICMP echo requests; all from the cluster"', () => check(w(), [
    [OUTSIDE, K8S1, TCP(22), { verdict: 'allow', ingressMatch: 'L4-Only' }],
    [OUTSIDE, K8S1, ECHO, { verdict: 'allow' }],
    [OUTSIDE, K8S1, { protocol: 'ICMP', icmpType: 13 }, 'deny@ingress'],
    [OUTSIDE, K8S1, UDP(22), 'deny@ingress'],
    ['default/client', K8S1, TCP(10250), 'allow'],
    // "policy enforcement on the host endpoint is ... disabled for egress traffic"
    [K8S1, 'ip:1.1.1.1', TCP(443), { verdict: 'allow', egressEnforced: false }],
    // k8s2 lacks node-access=ssh: not selected, not enforced.
    [OUTSIDE, K8S2, TCP(21), { verdict: 'allow', ingressEnforced: false }],
  ], { hostFirewall: true }));
  test('without hostFirewall.enabled the policy is accepted and not enforced', () => check(w(), [
    [OUTSIDE, K8S1, TCP(21), 'allow'],
  ]));
  test('host policies do not apply between pods or between pods and the outside', () => check(w(), [
    ['default/client', 'default/server', TCP(21), 'allow'],
    [OUTSIDE, 'default/server', TCP(21), 'allow'],
  ], { hostFirewall: true }));
});

describe('Documentation/security/policy/host.rst examples', () => {
  test('lock-down-ingress.yaml: type=worker nodes accept TCP 22, 6443, 2379, 4240 and UDP 8472 from anyone, nothing else', () => check(world(ccnp('lock-down-ingress-worker-node', `nodeSelector:
  matchLabels:
    type: worker
ingress:
- toPorts:
  - ports:
    - {port: "6443", protocol: TCP}
    - {port: "22", protocol: TCP}
    - {port: "2379", protocol: TCP}
    - {port: "4240", protocol: TCP}
    - {port: "8472", protocol: UDP}`)), [
    ...[22, 6443, 2379, 4240].map((p): Row => [OUTSIDE, K8S2, TCP(p), 'allow']),
    [K8S1, K8S2, UDP(8472), 'allow'],
    [K8S1, K8S2, TCP(8472), 'deny@ingress'],
    [OUTSIDE, K8S2, TCP(80), 'deny@ingress'],
    [K8S1, K8S2, ECHO, 'deny@ingress'],
    ['default/server', K8S2, TCP(10250), 'deny@ingress'],
    [OUTSIDE, K8S1, TCP(80), 'allow'],
  ], { hostFirewall: true }));

  test('lock-down-dev-vms-remote-node.yaml (nodeSelector {}): every node', () => check(world(ccnp('lock-down-dev-vms', LOCK_DOWN_DEV_VMS)), [
    // "Only ICMP echo/reply messages should be drop if this is commented": remote nodes reach every port.
    [K8S2, K8S1, TCP(10250), 'allow'], [K8S2, K8S1, ECHO, 'allow'],
    [OUTSIDE, K8S1, TCP(22), 'allow'], [OUTSIDE, K8S1, TCP(80), 'deny@ingress'], [OUTSIDE, K8S1, ECHO, 'deny@ingress'],
    // kube-api server access for kube-dns; other pods are not let in.
    ['kube-system/coredns', K8S1, TCP(6443), 'allow'],
    ['default/client', K8S1, TCP(6443), 'deny@ingress'],
    ['default/client', K8S1, TCP(31414), 'deny@ingress'],
    // Egress: NTP to the world, DNS to 8.8.8.8/8.8.4.4 and kube-dns, echo-b 8080, remote nodes.
    [K8S1, 'ip:1.1.1.1', UDP(123), 'allow'], [K8S1, 'ip:1.1.1.1', TCP(443), 'deny@egress'],
    [K8S1, 'ip:8.8.8.8', UDP(53), 'allow'], [K8S1, 'ip:8.8.4.4', TCP(53), 'deny@egress'],
    [K8S1, 'svc:kube-system/kube-dns', UDP(53), 'allow'],
    [K8S1, 'default/server', TCP(80), 'deny@egress'],
    [K8S1, K8S2, TCP(10250), 'allow'],
  ], { hostFirewall: true }));
  test('lock-down-dev-vms: the health entity (4240 from reserved:health)', { skip: 'unsupported: polis has no cilium-health endpoint to send from or to' }, () => {});
  test('lock-down-dev-vms: the NodePort rules (only needed with kube-proxy)', { skip: 'unsupported: polis models kube-proxy replacement (socket LB), where a NodePort is translated before any host policy' }, () => {});

  test('allow-extended-protocols.yaml: `protocol: VRRP` is refused (the 1.18 CRD enum is TCP, UDP, SCTP, ANY)', () => {
    // VRRP and IGMP came with --enable-extended-ip-protocols after the 1.18 line polis follows (semantics.md §10 item 8).
    const text = ccnp('allow-extended-egress-worker-node', 'nodeSelector: {matchLabels: {type: egress-worker}}\negress:\n- toPorts:\n  - ports:\n    - {port: "6443", protocol: TCP}\n    - protocol: VRRP');
    const errors = loadWorkspace([{ path: 'p.yaml', text }]).diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
    assert.ok(errors.some((m) => /VRRP/.test(m)), errors.join('; '));
  });
});

const LOCK_DOWN_DEV_VMS = `nodeSelector: {}
ingress:
- fromEntities: [remote-node, health]
- fromEntities: [world]
  toPorts: [{ports: [{port: "22", protocol: TCP}]}]
- fromEntities: [remote-node]
  toPorts: [{ports: [{port: "8472", protocol: UDP}, {port: "2379", protocol: TCP}, {port: "2380", protocol: TCP}, {port: "6443", protocol: TCP}]}]
- fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]
  toPorts: [{ports: [{port: "6443", protocol: TCP}]}]
- fromEntities: [remote-node, health]
  toPorts: [{ports: [{port: "4240", protocol: TCP}]}]
- fromEndpoints: [{matchLabels: {name: pod-to-b-intra-node-nodeport}}]
  toPorts: [{ports: [{port: "31414", protocol: TCP}]}]
- fromEndpoints: [{matchLabels: {name: pod-to-b-multi-node-nodeport}}]
  toPorts: [{ports: [{port: "31414", protocol: TCP}]}]
egress:
- toEntities: [remote-node, health]
- toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]
  toPorts: [{ports: [{port: "8080", protocol: TCP}, {port: "8181", protocol: TCP}, {port: "53", protocol: UDP}]}]
- toEntities: [remote-node]
  toPorts: [{ports: [{port: "8472", protocol: UDP}, {port: "2379", protocol: TCP}, {port: "2380", protocol: TCP}, {port: "6443", protocol: TCP}]}]
- toEntities: [remote-node, health]
  toPorts: [{ports: [{port: "4240", protocol: TCP}]}]
- toEntities: [world]
  toPorts: [{ports: [{port: "123", protocol: UDP}]}]
- toCIDR: [8.8.8.8/32, 8.8.4.4/32]
  toPorts: [{ports: [{port: "53", protocol: UDP}]}]
- toEndpoints: [{matchLabels: {name: echo-b}}]
  toPorts: [{ports: [{port: "8080", protocol: TCP}]}]`;
