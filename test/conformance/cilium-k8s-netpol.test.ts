/**
 * Conformance: how Cilium translates a Kubernetes NetworkPolicy, from
 * cilium/cilium pkg/k8s/network_policy_test.go (as stored at commit
 * 00ad989ea72a6ddc777e19595e1f093298ffa4da of the search index: the version
 * that checks verdicts with `policy.LookupFlow`). Apache-2.0; no code or
 * fixture is vendored, the policies are re-typed as the YAML `kubectl apply`
 * takes.
 *
 * Upstream checks either the api.Rule a policy parses to or, through
 * `validateNetworkPolicy`, which flows `LookupFlow` allows (the egress policy
 * of the source and the ingress policy of the destination, both computed).
 * Here every flow is asked of the compiled verdict (use case
 * checkConnection, what `polis test` calls), of explainConnection and of the
 * rule-by-rule reference evaluator: all three must give upstream's answer.
 * A rule-shape row (TestParseNetworkPolicy, Test_parseNetworkPolicyPeer) is
 * turned into the flows that tell its translations apart: for example a
 * namespaceSelector with no podSelector must not gain the policy's own
 * namespace, and `namespaceSelector: {}` selects pods of every namespace
 * but neither nodes nor the world.
 *
 * Upstream's identities become pods, with the labels of their label arrays:
 * labelsA (id=a), labelsB (id1=b, id2=c), labelsC (id=c) in `default`, and
 * labelsOther (id=other) in namespace `other`. Where upstream gives two
 * identities of one namespace different namespace labels (impossible in a
 * cluster) or names a namespace with capitals (`nsBob`, not a valid
 * namespace name), the row uses two namespaces or a lower-case name, noted
 * at the row.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from '../../src/usecases/index.js';
import type { Peer } from '../../src/engine/types.js';
import { answerOfAll, loadWorld, type World } from './three-ways.js';
import type { L4Protocol } from '../../src/policy/rule.js';

// --- the cluster ---

interface PodSpec { ns: string; name: string; labels: Record<string, string> }
interface NsSpec { name: string; labels?: Record<string, string> }
interface Cluster { namespaces: readonly NsSpec[]; pods: readonly PodSpec[] }

function manifests(namespaces: readonly NsSpec[], pods: readonly PodSpec[]): string {
  const docs: object[] = [
    ...namespaces.map((n) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n.name, ...(n.labels ? { labels: n.labels } : {}) } })),
    ...pods.map((p) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: p.name, namespace: p.ns, labels: p.labels }, spec: { containers: [{ name: 'c', ports: [{ name: 'port-80', containerPort: 80 }] }] } })),
  ];
  return docs.map((d) => JSON.stringify(d)).join('\n---\n') + '\n';
}

/** A NetworkPolicy as JSON (upstream's `json.Unmarshal` input or its Go struct), namespace `default` unless given (parseAndAddRules). */
function netpol(spec: object, name = 'policy', namespace = 'default'): object {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

/** Upstream's allIDs: labelsA, labelsB, labelsC in default, labelsOther in `other`. */
const ALL_IDS: Cluster = {
  namespaces: [{ name: 'other' }],
  pods: [
    { ns: 'default', name: 'a', labels: { id: 'a' } },
    { ns: 'default', name: 'b', labels: { id1: 'b', id2: 'c' } },
    { ns: 'default', name: 'c', labels: { id: 'c' } },
    { ns: 'other', name: 'other', labels: { id: 'other' } },
  ],
};

function load(cluster: Cluster, policies: readonly object[]): World {
  return loadWorld([
    { path: 'cluster.yaml', text: manifests(cluster.namespaces, cluster.pods) },
    { path: 'policies.yaml', text: policies.map((p) => JSON.stringify(p)).join('\n---\n') + '\n' },
  ], 'the manifests load, as ParseNetworkPolicy accepts them');
}

/** A flow: `ns/pod` or `pod` (default), or `ip:ADDR` / `node:NAME` for the ends outside the pods. */
type Flow = [from: string, to: string, port: number, protocol?: L4Protocol];

/** The endpoint as a ConnectivityTest file writes it (a node by its address). */
function ref(w: World, end: string): string {
  if (end.startsWith('node:')) return `ip:${w.session.workspace.cluster.nodes.find((n) => n.name === end.slice(5))!.ip}`;
  return end.includes(':') || end.includes('/') ? end : `default/${end}`;
}

function peerOf(w: World, end: string): Peer {
  const cluster = w.session.workspace.cluster;
  if (end.startsWith('ip:')) return { kind: 'ip', ip: end.slice(3) };
  if (end.startsWith('node:')) return { kind: 'ip', ip: cluster.nodes.find((n) => n.name === end.slice(5))!.ip };
  const [ns, name] = ref(w, end).split('/');
  const pod = cluster.pods.find((p) => p.namespace === ns && p.name === name);
  assert.ok(pod, `pod ${end}`);
  return { kind: 'pod', pod };
}

/** validateNetworkPolicy: each flow allowed or denied, by verdict, explain and the reference evaluator alike. */
function validate(w: World, allowed: readonly Flow[], denied: readonly Flow[], label = ''): void {
  for (const [flows, want] of [[allowed, 'allow'], [denied, 'deny']] as const) {
    for (const [from, to, port, protocol = 'TCP'] of flows) {
      const what = `${label}${from} -> ${to} ${protocol}/${port}`;
      const req = { from: ref(w, from), to: ref(w, to), traffic: { port, protocol } };
      const got = answerOfAll(w, req, { from: peerOf(w, from), to: peerOf(w, to), port, protocol }, what);
      assert.equal(got.verdict, want, `${what}: ${got.reason}`);
    }
  }
}

const A = 'a', B = 'b', C = 'c', OTHER = 'other/other';
const flowAToB: Flow = [A, B, 80], flowBToA: Flow = [B, A, 80], flowAToOther: Flow = [A, OTHER, 80];
const flowOtherToA: Flow = [OTHER, A, 80], flowAToC: Flow = [A, C, 80], flowCToA: Flow = [C, A, 80];
const labelSelectorA = { matchLabels: { id: 'a' } };
const labelSelectorB = { matchLabels: { id1: 'b' } };
const labelSelectorC = { matchLabels: { id: 'c' } };
const port80 = { port: 80 };

// --- the flow tests ---

describe('cilium pkg/k8s/network_policy_test.go: flows through ParseNetworkPolicy + LookupFlow', () => {
  test('TestParseNetworkPolicyMultipleSelectors: A talks to B and C; only C and Other talk to A', () => {
    const w = load(ALL_IDS, [netpol({
      podSelector: { matchLabels: { id: 'a' } },
      egress: [{ ports: [{ protocol: 'TCP', port: 80 }], to: [{ podSelector: { matchLabels: { id1: 'b' } } }, { podSelector: { matchLabels: { id: 'c' } } }] }],
      ingress: [{ from: [
        { podSelector: { matchLabels: { id: 'other' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } } },
        { podSelector: { matchLabels: { id: 'c' } } },
      ] }],
    }, 'ingress-multiple-selectors')]);
    validate(w, [flowAToB, flowAToC, flowCToA, flowOtherToA], [flowBToA, flowAToOther]);
  });

  test('TestParseNetworkPolicyEgress: egress to id1=b on 80 only', () => {
    const w = load(ALL_IDS, [netpol({ podSelector: { matchLabels: { id: 'a' } }, egress: [{ to: [{ podSelector: { matchLabels: { id1: 'b' } } }], ports: [{ port: 80 }] }] })]);
    validate(w, [flowAToB], [[A, B, 81], flowAToC, flowAToOther]);
  });

  test('TestParseNetworkPolicyEgressAllowAll: `to: []` allows all egress; policyTypes [Egress] with no rule denies it; Ingress is implied for A', () => {
    const w = load(ALL_IDS, [
      netpol({ podSelector: labelSelectorA, egress: [{ to: [] }] }, 'policy-0'),
      netpol({ podSelector: labelSelectorB, policyTypes: ['Egress'] }, 'policy-1'),
    ]);
    // Other -> A is denied: A's policy lists no policyTypes and has egress rules, so it is [Ingress, Egress] and A's ingress is default-deny.
    validate(w, [flowAToB, flowAToC], [flowBToA, flowOtherToA]);
  });

  test('TestParseNetworkPolicyEgressL4AllowAll: port 80 to every peer', () => {
    const w = load(ALL_IDS, [netpol({ podSelector: labelSelectorA, egress: [{ ports: [port80], to: [] }] })]);
    validate(w, [flowAToC], [[A, C, 90]]);
  });

  test('TestParseNetworkPolicyEgressL4PortRangeAllowAll: 8080-8090 (endPort) to every peer', () => {
    const w = load(ALL_IDS, [netpol({ podSelector: labelSelectorA, egress: [{ ports: [{ port: 8080, endPort: 8090 }], to: [] }] })]);
    validate(w, [[A, C, 8080], [A, C, 8085], [A, C, 8090]], [[A, C, 8091]]);
  });

  test('TestParseNetworkPolicyIngressAllowAll: policyTypes [Ingress] denies; `ingress: [{}]` and `from: []` allow all', () => {
    const w = load(ALL_IDS, [
      netpol({ podSelector: labelSelectorA, policyTypes: ['Ingress'] }, 'policy-0'),
      netpol({ podSelector: labelSelectorB, ingress: [{}] }, 'policy-1'),
      netpol({ podSelector: labelSelectorC, ingress: [{ from: [] }] }, 'policy-2'),
    ]);
    validate(w, [flowAToB, flowAToC], [flowBToA]);
  });

  test('TestParseNetworkPolicyIngressL4AllowAll: port 80 from every peer', () => {
    const w = load(ALL_IDS, [netpol({ podSelector: labelSelectorC, ingress: [{ ports: [port80], from: [] }] })]);
    validate(w, [flowAToC], [[A, C, 90]]);
  });

  test('TestParseNetworkPolicyEmptyFrom: a missing `from` allows every source', () => {
    const w = load(ALL_IDS, [netpol({ podSelector: { matchLabels: { id: 'a' } }, ingress: [{}] })]);
    validate(w, [flowBToA, flowCToA, flowOtherToA], []);
  });

  test('TestParseNetworkPolicyDenyAll: a policy with no statements is an ingress-only deny-all', () => {
    const w = load(ALL_IDS, [netpol({ podSelector: { matchLabels: {} } })]);
    validate(w, [flowAToOther], [flowAToB, flowBToA, flowAToC, flowCToA, flowOtherToA]);
  });

  test('TestParseNetworkPolicyEmptyPort / TestParsePorts: `ports: [{}]` is port 0 of TCP (every TCP port, no UDP)', () => {
    const w = load(ALL_IDS, [netpol({ podSelector: labelSelectorA, ingress: [{ ports: [{}] }] })]);
    validate(w, [[B, A, 80], [B, A, 1], [B, A, 65535]], [[B, A, 80, 'UDP'], [B, A, 80, 'SCTP']]);
  });

  test('TestParseNetworkPolicyNamedPort: a named port is accepted and resolves on the subject', () => {
    const w = load(ALL_IDS, [netpol({ podSelector: labelSelectorA, ingress: [{ ports: [{ port: 'port-80' }] }] })]);
    validate(w, [[B, A, 80]], [[B, A, 81]]);
  });
});

describe('cilium pkg/k8s/network_policy_test.go TestParseNetworkPolicyUnknownProto', () => {
  test('protocol "unknown" is refused', () => {
    const s = Session.load([{ path: 'p.yaml', text: JSON.stringify(netpol({ podSelector: {}, ingress: [{ ports: [{ port: 'port-80', protocol: 'unknown' }] }] })) }]);
    assert.ok(s.workspace.diagnostics.some((d) => d.severity === 'error'), 'an error');
  });
});

describe('kubernetes pkg/apis/networking/validation ValidateNetworkPolicySpec: what the API server refuses never reaches ParseNetworkPolicy', () => {
  test('more than two policyTypes (Ingress, Egress, Ingress) is refused, so none of its rules is enforced', () => {
    const np = netpol({ podSelector: {}, policyTypes: ['Ingress', 'Egress', 'Ingress'] });
    const s = Session.load([{ path: 'p.yaml', text: JSON.stringify(np) }]);
    assert.ok(s.workspace.diagnostics.some((d) => d.severity === 'error' && /more than two policyTypes/.test(d.message)), 'an error');
    const two = Session.load([{ path: 'p.yaml', text: JSON.stringify(netpol({ podSelector: {}, policyTypes: ['Ingress', 'Ingress'] })) }]);
    assert.ok(!two.workspace.diagnostics.some((d) => d.severity === 'error'), 'two, even repeated, are accepted');
  });
});

// --- TestParseNetworkPolicy: the api.Rule of each spec, as the flows that tell it apart ---

describe('cilium pkg/k8s/network_policy_test.go TestParseNetworkPolicy (translation, as flows)', () => {
  // The subject: podSelector foo1=bar1, foo2=bar2 in default (upstream sets it on every row).
  const SUBJECT = { foo1: 'bar1', foo2: 'bar2' };
  const PEER = { foo3: 'bar3', foo4: 'bar4' };
  const cluster: Cluster = {
    namespaces: [{ name: 'nsx', labels: { nsfoo: 'nsbar' } }, { name: 'nsy' }],
    pods: [
      { ns: 'default', name: 'subject', labels: SUBJECT },
      { ns: 'default', name: 'peer', labels: PEER },
      { ns: 'default', name: 'stranger', labels: { foo3: 'bar3' } },
      { ns: 'nsx', name: 'peer', labels: PEER },
      { ns: 'nsx', name: 'stranger', labels: { foo3: 'bar3' } },
      { ns: 'nsy', name: 'peer', labels: PEER },
    ],
  };
  const spec = (s: object) => [netpol({ podSelector: { matchLabels: SUBJECT }, ...s }, 'testing')];
  const S = 'subject';
  const WORLD = 'ip:198.51.100.7';

  test('0-ingress pod + port: FromEndpoints gains the policy namespace; port 80/TCP', () => {
    const w = load(cluster, spec({ ingress: [{ from: [{ podSelector: { matchLabels: PEER } }], ports: [{ port: 80 }] }] }));
    validate(w, [['peer', S, 80]], [['peer', S, 81], ['peer', S, 80, 'UDP'], ['stranger', S, 80], ['nsx/peer', S, 80], [WORLD, S, 80]]);
  });

  test('1-ingress only port: FromEndpoints is the wildcard selector (every peer, the world too) on 80/TCP', () => {
    const w = load(cluster, spec({ ingress: [{ ports: [{ port: 80 }] }] }));
    validate(w, [['peer', S, 80], ['nsy/peer', S, 80], [WORLD, S, 80], ['node:kind-control-plane', S, 80]], [['peer', S, 81], [WORLD, S, 81]]);
  });

  test('2-ingress pod + namespace + port: the namespace labels and pod labels, no namespace-name term', () => {
    const w = load(cluster, spec({ ingress: [{ from: [{ podSelector: { matchLabels: PEER }, namespaceSelector: { matchLabels: { nsfoo: 'nsbar' } } }], ports: [{ port: 80 }] }] }));
    validate(w, [['nsx/peer', S, 80]], [['peer', S, 80], ['nsy/peer', S, 80], ['nsx/stranger', S, 80], ['nsx/peer', S, 81]]);
  });

  test('3-ingress default deny: policyTypes [Ingress] and no rule', () => {
    const w = load(cluster, spec({ policyTypes: ['Ingress'] }));
    validate(w, [[S, 'peer', 80]], [['peer', S, 80], [WORLD, S, 80], ['nsx/peer', S, 443]]);
  });

  test('4-ingress allow all: `ingress: [{}]` is the wildcard selector', () => {
    const w = load(cluster, spec({ ingress: [{}] }));
    validate(w, [['peer', S, 80], ['nsy/peer', S, 9], [WORLD, S, 53, 'UDP'], ['node:kind-control-plane', S, 80]], []);
  });
});

// --- Test_parseNetworkPolicyPeer: each peer's selector, as the sources it selects ---

describe('cilium pkg/k8s/network_policy_test.go Test_parseNetworkPolicyPeer (as flows)', () => {
  const cluster: Cluster = {
    namespaces: [
      { name: 'foo-namespace' },
      { name: 'ns-a', labels: { 'ns-foo': 'ns-bar', 'ns-foo-expression': 'x' } },
      { name: 'ns-b', labels: { 'ns-foo': 'ns-bar' } },
      { name: 'ns-c', labels: { 'ns-foo-expression': 'y' } },
    ],
    pods: [
      { ns: 'foo-namespace', name: 'subject', labels: { role: 'subject' } },
      ...['foo-namespace', 'ns-a', 'ns-b', 'ns-c'].flatMap((ns): PodSpec[] => [
        { ns, name: 'bar', labels: { foo: 'bar' } }, { ns, name: 'baz', labels: { foo: 'baz' } }, { ns, name: 'none', labels: { other: 'x' } },
      ]),
    ],
  };
  const from = (peer: object) => [netpol({ podSelector: { matchLabels: { role: 'subject' } }, ingress: [{ from: [peer] }] }, 'p', 'foo-namespace')];
  const S = 'foo-namespace/subject';
  const WORLD = 'ip:198.51.100.7';
  const POD_SELECTOR = { matchLabels: { foo: 'bar' }, matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar', 'baz'] }] };
  const NS_SELECTOR = { matchLabels: { 'ns-foo': 'ns-bar' }, matchExpressions: [{ key: 'ns-foo-expression', operator: 'Exists' }] };

  test('peer-with-pod-selector: pod terms and the policy namespace', () => {
    const w = load(cluster, from({ podSelector: POD_SELECTOR }));
    validate(w, [['foo-namespace/bar', S, 80]], [['foo-namespace/baz', S, 80], ['ns-a/bar', S, 80], [WORLD, S, 80]]);
  });

  test('peer-with-pod-selector-and-ns-selector: namespace-label terms AND pod terms, no namespace name', () => {
    const w = load(cluster, from({ podSelector: POD_SELECTOR, namespaceSelector: NS_SELECTOR }));
    validate(w, [['ns-a/bar', S, 80]], [['ns-a/baz', S, 80], ['ns-b/bar', S, 80], ['ns-c/bar', S, 80], ['foo-namespace/bar', S, 80]]);
  });

  test('peer-with-ns-selector: every pod of the namespaces the labels and expression select', () => {
    const w = load(cluster, from({ namespaceSelector: NS_SELECTOR }));
    validate(w, [['ns-a/bar', S, 80], ['ns-a/none', S, 80]], [['ns-b/bar', S, 80], ['ns-c/none', S, 80], ['foo-namespace/bar', S, 80], [WORLD, S, 80]]);
  });

  test('peer-with-allow-all-ns-selector: `namespaceSelector: {}` is "pod namespace Exists": pods of every namespace, not nodes or the world', () => {
    const w = load(cluster, from({ namespaceSelector: {} }));
    validate(w, [['ns-a/bar', S, 80], ['ns-c/none', S, 80], ['foo-namespace/none', S, 80]], [[WORLD, S, 80], ['node:kind-control-plane', S, 80]]);
  });
});

// --- TestNetworkPolicyExamples ---

describe('cilium pkg/k8s/network_policy_test.go TestNetworkPolicyExamples', () => {
  // Upstream's nsBob / nsSally are not valid namespace names (capitals): here ns-bob and ns-sally, with the same labels.
  const cluster: Cluster = {
    namespaces: [{ name: 'myns' }, { name: 'ns-bob', labels: { user: 'bob' } }, { name: 'ns-sally', labels: { user: 'sally' } }],
    pods: [
      { ns: 'myns', name: 'frontend', labels: { role: 'frontend' } },
      { ns: 'myns', name: 'backend', labels: { role: 'backend' } },
      { ns: 'myns', name: 'db', labels: { role: 'db' } },
      { ns: 'ns-bob', name: 'frontend', labels: { role: 'frontend' } },
      { ns: 'ns-sally', name: 'frontend', labels: { role: 'frontend' } },
    ],
  };
  const frontend = 'myns/frontend', backend = 'myns/backend', db = 'myns/db', nsBob = 'ns-bob/frontend', nsSally = 'ns-sally/frontend';
  const inMyns = (name: string, spec: object) => netpol(spec, name, 'myns');
  const tcp = (from: string, to: string, port: number): Flow => [from, to, port];
  const udp = (from: string, to: string, port: number): Flow => [from, to, port, 'UDP'];

  test('Example 1a: only frontend pods of myns on TCP 6379 to backend', () => {
    const w = load(cluster, [inMyns('allow-frontend', { podSelector: { matchLabels: { role: 'backend' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 6379 }] }] })]);
    validate(w, [tcp(frontend, backend, 6379)], [udp(frontend, backend, 6379), tcp(frontend, backend, 6378), tcp(nsBob, backend, 6379), tcp(nsSally, backend, 6379), tcp(db, backend, 6379)]);
  });

  test('Example 1b: all from frontend, and TCP 6379 from all (two rules are OR-ed)', () => {
    const w = load(cluster, [inMyns('allow-frontend', { podSelector: { matchLabels: { role: 'backend' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'frontend' } } }] }, { ports: [{ protocol: 'TCP', port: 6379 }] }] })]);
    validate(w,
      [tcp(frontend, backend, 6379), tcp(frontend, backend, 1), udp(frontend, backend, 1), tcp(nsBob, backend, 6379), tcp(nsSally, backend, 6379), tcp(db, backend, 6379)],
      [udp(db, backend, 6379), tcp(db, backend, 1), tcp(nsBob, backend, 1), tcp(nsSally, backend, 1)]);
  });

  test("Example 2a: TCP 443 from any pod of Bob's namespaces", () => {
    const w = load(cluster, [inMyns('allow-tcp-443', { podSelector: { matchLabels: { role: 'frontend' } }, ingress: [{ ports: [{ protocol: 'TCP', port: 443 }], from: [{ namespaceSelector: { matchLabels: { user: 'bob' } } }] }] })]);
    validate(w, [tcp(nsBob, frontend, 443)], [tcp(nsBob, frontend, 80), udp(nsBob, frontend, 443), tcp(nsSally, frontend, 443), tcp(backend, frontend, 443), tcp(db, frontend, 443)]);
  });

  test('Example 3: `podSelector: null` with `ingress: [{}]` allows all traffic to all pods of the namespace', () => {
    const w = load(cluster, [inMyns('allow-all', { podSelector: null, ingress: [{}] })]);
    validate(w, [tcp(nsBob, frontend, 443), tcp(nsBob, backend, 443), tcp(nsBob, db, 443), tcp(frontend, backend, 443), tcp(db, backend, 443)], []);
  });

  test('Example 4a + 4b: two policies on one podSelector are additive', () => {
    const w = load(cluster, [
      inMyns('allow-udp-8080-from-bob', { podSelector: { matchLabels: { role: 'frontend' } }, ingress: [{ ports: [{ protocol: 'UDP', port: 8080 }], from: [{ namespaceSelector: { matchLabels: { user: 'bob' } } }] }] }),
      inMyns('allow-udp-8080-or-bob', { podSelector: { matchLabels: { role: 'frontend' } }, ingress: [{ ports: [{ protocol: 'UDP', port: 8080 }] }, { from: [{ namespaceSelector: { matchLabels: { user: 'bob' } } }] }] }),
    ]);
    validate(w,
      [udp(nsBob, frontend, 8080), udp(nsBob, frontend, 8081), udp(nsSally, frontend, 8080), udp(backend, frontend, 8080), udp(db, frontend, 8080)],
      [udp(nsSally, frontend, 8081), udp(backend, frontend, 8081), udp(db, frontend, 8081)]);
  });

  test('Example 5: matchExpressions In / NotIn in podSelector and namespaceSelector, beside a namespace default deny', () => {
    // Upstream puts redisCacheDevOther and redisCacheProdOther in one namespace `other` with different
    // namespace labels; a namespace has one set of labels, so here they are two namespaces.
    const redisNs = { component: 'redis', tier: 'cache' };
    const c5: Cluster = {
      namespaces: [{ name: 'expressions' }, { name: 'other-dev', labels: { ...redisNs, environment: 'dev' } }, { name: 'other-prod', labels: { ...redisNs, environment: 'prod' } }],
      pods: [
        { ns: 'expressions', name: 'redis-cache-dev', labels: { component: 'redis', tier: 'cache', environment: 'dev' } },
        { ns: 'expressions', name: 'redis-cache-prod', labels: { component: 'redis', tier: 'cache', environment: 'prod' } },
        { ns: 'other-dev', name: 'monitoring', labels: { component: 'monitoring' } },
        { ns: 'other-prod', name: 'monitoring', labels: { component: 'monitoring' } },
      ],
    };
    const exprs = [{ key: 'tier', operator: 'In', values: ['cache'] }, { key: 'environment', operator: 'NotIn', values: ['dev'] }];
    const w = load(c5, [
      netpol({ podSelector: {}, policyTypes: ['Ingress'] }, 'ingress-default-deny', 'expressions'),
      netpol({
        podSelector: { matchLabels: { component: 'redis' }, matchExpressions: exprs },
        ingress: [{ ports: [{ protocol: 'UDP', port: 8080 }], from: [{ namespaceSelector: { matchLabels: { component: 'redis' }, matchExpressions: exprs } }] }],
      }, 'allow-tcp-8080', 'expressions'),
    ]);
    const dev = 'expressions/redis-cache-dev', prod = 'expressions/redis-cache-prod', devOther = 'other-dev/monitoring', prodOther = 'other-prod/monitoring';
    validate(w, [udp(prodOther, prod, 8080)], [udp(devOther, prod, 8080), udp(dev, prod, 8080), udp(prodOther, dev, 8080), udp(devOther, dev, 8080), udp(prod, dev, 8080)]);
  });
});

// --- ipBlock: TestParseNetworkPolicyNoSelectors, TestCIDRPolicyExamples, TestIPBlockToCIDRRule ---

describe('cilium pkg/k8s/network_policy_test.go ipBlock translation (fromCIDRSet / toCIDRSet with except)', () => {
  // Addresses outside the cluster: 10.0.0.0/8 minus 10.96.0.0/12 holds 10.1.2.3 and not 10.100.0.7
  // (no Service has it: polis allocates ClusterIPs from 10.96.0.0/24 up).
  const cluster: Cluster = { namespaces: [{ name: 'myns' }, { name: 'ns-bob', labels: { user: 'bob' } }], pods: [{ ns: 'myns', name: 'backend', labels: { role: 'backend' } }, { ns: 'ns-bob', name: 'client', labels: { role: 'client' } }, { ns: 'myns', name: 'client', labels: { role: 'client' } }] };
  const backend = 'myns/backend';

  test('TestParseNetworkPolicyNoSelectors: ingress ipBlock 10.0.0.0/8 except 10.96.0.0/12', () => {
    const w = load(cluster, [netpol({ podSelector: { matchLabels: { role: 'backend' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.96.0.0/12'] } }] }] }, 'ingress-cidr-test', 'myns')]);
    // An ipBlock never selects a pod (cilium/cilium#9209), so the client pods are denied.
    validate(w, [['ip:10.1.2.3', backend, 80], ['ip:10.255.0.1', backend, 443, 'UDP']], [['ip:10.100.0.7', backend, 80], ['ip:11.0.0.1', backend, 80], ['myns/client', backend, 80]]);
  });

  test('TestCIDRPolicyExamples ex1: a namespaceSelector rule and an ipBlock rule (two ingress rules)', () => {
    const w = load(cluster, [netpol({ podSelector: { matchLabels: { role: 'backend' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: 'bob' } } }] }, { from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.96.0.0/12'] } }] }] }, 'ingress-cidr-test', 'myns')]);
    validate(w, [['ns-bob/client', backend, 80], ['ip:10.1.2.3', backend, 80]], [['myns/client', backend, 80], ['ip:10.100.0.7', backend, 80]]);
  });

  test('TestCIDRPolicyExamples ex2: two egress ipBlocks, each with two excepts', () => {
    const w = load(cluster, [netpol({ podSelector: { matchLabels: { role: 'backend' } }, egress: [{ to: [
      { ipBlock: { cidr: '10.0.0.0/8', except: ['10.96.0.0/12', '10.255.255.254/32'] } },
      { ipBlock: { cidr: '11.0.0.0/8', except: ['11.96.0.0/12', '11.255.255.254/32'] } },
    ] }] }, 'ingress-cidr-test', 'myns')]);
    validate(w,
      [[backend, 'ip:10.1.1.1', 80], [backend, 'ip:10.255.255.253', 80], [backend, 'ip:11.1.1.1', 443], [backend, 'ip:11.255.255.255', 80]],
      [[backend, 'ip:10.100.0.7', 80], [backend, 'ip:10.255.255.254', 80], [backend, 'ip:11.96.0.1', 80], [backend, 'ip:11.255.255.254', 80], [backend, 'ip:12.0.0.1', 80], [backend, 'myns/client', 80]]);
  });

  test('TestIPBlockToCIDRRule: host bits in cidr and except (192.168.1.1/24 except 192.168.1.1/28) mean their networks', () => {
    const w = load(cluster, [netpol({ podSelector: { matchLabels: { role: 'backend' } }, egress: [{ to: [{ ipBlock: { cidr: '192.168.1.1/24', except: ['192.168.1.1/30', '192.168.1.1/26', '192.168.1.1/28'] } }] }] }, 'p', 'myns')]);
    validate(w, [[backend, 'ip:192.168.1.64', 80], [backend, 'ip:192.168.1.255', 80]], [[backend, 'ip:192.168.1.0', 80], [backend, 'ip:192.168.1.63', 80], [backend, 'ip:192.168.2.1', 80]]);
  });
});

/**
 * Rows left out, each because it says nothing a verdict shows or needs what polis does not model:
 * - TestParseNetworkPolicyClusterLabel and the cluster rows of Test_parseNetworkPolicyPeer
 *   (peer-with-defaut-cluster, peer-with-cluster-selector, -expr): unsupported, clustermesh. The
 *   `io.cilium.k8s.policy.cluster` term is added only with a cluster name (ParseNetworkPolicy's
 *   second argument, i.e. `policy-default-local-cluster`, off by default in 1.18); polis models one cluster.
 * - Test_parseNetworkPolicyPeer peer-nil: a nil peer is not writable in YAML.
 * - TestGetPolicyLabelsv1: the derived-from / name / namespace / uid labels of a rule (no verdict).
 * - TestParseNetworkPolicyNoIngress: only that one rule is produced (its verdict is TestParseNetworkPolicyDenyAll's).
 */

// --- Branches of ParseNetworkPolicy at cilium v1.18.0-pre.3 no row above reaches ---

/**
 * Read from vendor/github.com/cilium/cilium/pkg/k8s/network_policy.go of cilium/cilium-cli at
 * commit 6e65fa094 (cilium v1.18.0-pre.3). Each row names the function and branch it pins.
 */
describe('cilium pkg/k8s/network_policy.go @6e65fa094 (v1.18.0-pre.3): branches without an upstream test row', () => {
  const cluster: Cluster = {
    namespaces: [{ name: 'nsx', labels: { team: 'x' } }, { name: 'nsy' }],
    pods: [
      { ns: 'default', name: 'subject', labels: { role: 'subject' } },
      { ns: 'default', name: 'peer', labels: { role: 'peer' } },
      { ns: 'default', name: 'stranger', labels: { role: 'stranger' } },
      { ns: 'nsx', name: 'peer', labels: { role: 'peer' } },
      { ns: 'nsy', name: 'peer', labels: { role: 'peer' } },
    ],
  };
  const S = 'subject';
  const WORLD = 'ip:198.51.100.7';
  const NODE = 'node:kind-control-plane';
  const subject = (s: object, name = 'p') => netpol({ podSelector: { matchLabels: { role: 'subject' } }, ...s }, name);

  test('ParseNetworkPolicy: ingress rules are translated whatever policyTypes says, so policyTypes [Egress] with an ingress rule still restricts ingress', () => {
    // `for _, iRule := range np.Spec.Ingress` runs before and regardless of hasV1PolicyType.
    const w = load(cluster, [subject({ policyTypes: ['Egress'], ingress: [{ from: [{ podSelector: { matchLabels: { role: 'peer' } } }] }] })]);
    // Egress is listed with no rule: deny-all egress (`egresses = []api.EgressRule{{}}`).
    validate(w, [['peer', S, 80]], [['stranger', S, 80], ['nsx/peer', S, 80], [S, 'peer', 80]]);
  });

  test('ParseNetworkPolicy: egress rules are translated whatever policyTypes says, so policyTypes [Ingress] with an egress rule still restricts egress', () => {
    const w = load(cluster, [subject({ policyTypes: ['Ingress'], egress: [{ to: [{ podSelector: { matchLabels: { role: 'peer' } } }] }] })]);
    validate(w, [[S, 'peer', 80]], [[S, 'stranger', 80], [S, 'nsx/peer', 80], ['peer', S, 80]]);
  });

  test('parseNetworkPolicyPeer: a namespaceSelector with only a DoesNotExist expression gets no namespace-exists term, so it selects the world and nodes too', () => {
    // allowAllNamespacesRequirement is added only when the translated selector has neither labels nor expressions.
    const w = load(cluster, [subject({ ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] } }] }] })]);
    validate(w, [['peer', S, 80], ['nsy/peer', S, 80], [WORLD, S, 80], [NODE, S, 80]], [['nsx/peer', S, 80]]);
  });

  test('parseNetworkPolicyPeer: a namespaceSelector NotIn expression likewise matches identities with no namespace labels (world, nodes)', () => {
    const w = load(cluster, [subject({ ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['x'] }] } }] }] })]);
    validate(w, [['nsy/peer', S, 80], [WORLD, S, 80], [NODE, S, 80]], [['nsx/peer', S, 80]]);
  });

  test('parseNetworkPolicyPeer: namespaceSelector with a podSelector NotIn term still needs the namespace labels term; the pod term alone does not admit the world', () => {
    const w = load(cluster, [subject({ ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'role', operator: 'NotIn', values: ['stranger'] }] } }] }] })]);
    validate(w, [['peer', S, 80], ['nsx/peer', S, 80]], [['stranger', S, 80], [WORLD, S, 80], [NODE, S, 80]]);
  });

  test('parsePodSelector: a podSelector-only peer with a NotIn term is pinned to the policy namespace, so neither the world nor other namespaces match', () => {
    const w = load(cluster, [subject({ ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'role', operator: 'NotIn', values: ['stranger'] }] } }] }] })]);
    validate(w, [['peer', S, 80]], [['stranger', S, 80], ['nsx/peer', S, 80], [WORLD, S, 80], [NODE, S, 80]]);
  });

  test('parsePorts: a port with only a protocol is port "0" of that protocol (every UDP port, no TCP)', () => {
    const w = load(cluster, [subject({ ingress: [{ ports: [{ protocol: 'UDP' }] }] })]);
    validate(w, [['peer', S, 53, 'UDP'], ['peer', S, 65535, 'UDP']], [['peer', S, 53], ['peer', S, 53, 'SCTP']]);
  });

  test('parsePorts: SCTP is parsed by ParseL4Proto like TCP and UDP (the policy verdict; the datapath also needs enable-sctp); several ports of one rule are separate PortRules (OR), each with its own protocol', () => {
    const w = load(cluster, [subject({ ingress: [{ from: [{ podSelector: {} }], ports: [{ protocol: 'SCTP', port: 9000 }, { protocol: 'UDP', port: 53 }, { port: 8080, endPort: 8081 }] }] })]);
    validate(w, [['peer', S, 9000, 'SCTP'], ['peer', S, 53, 'UDP'], ['peer', S, 8081]], [['peer', S, 9000], ['peer', S, 53], ['peer', S, 8081, 'UDP'], ['peer', S, 8082], ['nsx/peer', S, 53, 'UDP']]);
  });

  test('ParseNetworkPolicy: the ports of a rule apply to every peer of its `from` ("We apply the ports to all rules generated from the From section")', () => {
    const w = load(cluster, [subject({ ingress: [{ from: [{ podSelector: { matchLabels: { role: 'peer' } } }, { ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ port: 443 }] }] })]);
    validate(w, [['peer', S, 443], [WORLD, S, 443]], [['peer', S, 80], [WORLD, S, 80], ['stranger', S, 443]]);
  });

  test('parsePodSelector: the policy namespace is written over a peer podSelector matchLabels io.kubernetes.pod.namespace, so naming another namespace there selects the policy\'s own', () => {
    // `podSelector.MatchLabels[k8sConst.PodNamespaceLabel] = namespace` after copying the user's labels.
    const w = load(cluster, [subject({ ingress: [{ from: [{ podSelector: { matchLabels: { 'io.kubernetes.pod.namespace': 'nsx', role: 'peer' } } }] }] })]);
    validate(w, [['peer', S, 80]], [['nsx/peer', S, 80], ['stranger', S, 80]]);
  });

  test('parsePodSelector: a matchExpressions term on io.kubernetes.pod.namespace is kept beside the policy namespace (AND), so In [nsx] selects nothing', () => {
    const w = load(cluster, [subject({ ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'io.kubernetes.pod.namespace', operator: 'In', values: ['nsx'] }] } }] }] })]);
    validate(w, [], [['peer', S, 80], ['nsx/peer', S, 80], [WORLD, S, 80]]);
  });

  test('ParseNetworkPolicy: a missing `to` is api.WildcardEndpointSelector on egress too: pods of every namespace, the world and nodes', () => {
    const w = load(cluster, [subject({ egress: [{ ports: [{ port: 443 }] }] })]);
    validate(w, [[S, 'nsy/peer', 443], [S, WORLD, 443], [S, NODE, 443]], [[S, WORLD, 80], [S, 'peer', 443, 'UDP']]);
  });

  test('ipBlockToCIDRRule: ipBlock 0.0.0.0/0 (toCIDRSet / fromCIDRSet) is the world only: neither pods nor nodes, either way', () => {
    const w = load(cluster, [subject({ ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] })]);
    validate(w, [[WORLD, S, 80], [S, WORLD, 53, 'UDP']], [['peer', S, 80], [NODE, S, 80], [S, 'peer', 80], [S, NODE, 80]]);
  });

  test('parsePorts: a named port keeps its protocol (TCP unless given), so a UDP "port-80" does not resolve to the TCP containerPort of that name', () => {
    // The port string goes to api.PortProtocol as is; the name resolves on the endpoint only for its protocol.
    const w = load(cluster, [subject({ ingress: [{ ports: [{ port: 'port-80', protocol: 'UDP' }] }] })]);
    validate(w, [], [['peer', S, 80], ['peer', S, 80, 'UDP']]);
  });

  test('parsePorts: an egress named port resolves on the destination pod', () => {
    const w = load(cluster, [subject({ egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 'port-80' }] }] })]);
    validate(w, [[S, 'nsx/peer', 80], [S, 'peer', 80]], [[S, 'peer', 81], [S, WORLD, 80]]);
  });

  test('CIDRRuleSlice.GetAsEndpointSelectors (policy/api/cidr.go): ipBlock 0.0.0.0/0 except 10.96.0.0/12 is the world selector with the except as DoesNotExist; an excepted address is its CIDR identity, not world', () => {
    const w = load(cluster, [subject({ ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.96.0.0/12'] } }] }] })]);
    validate(w, [[WORLD, S, 80], ['ip:10.1.2.3', S, 80]], [['ip:10.100.0.7', S, 80], ['peer', S, 80]]);
  });

  test('CIDRRuleSlice.GetAsEndpointSelectors: in a single-stack cluster a "/0" cidr adds the plain reserved:world selector, so ipBlock ::/0 admits IPv4 world addresses too', () => {
    // `case !option.Config.IsDualStack(): addWorldLabel = worldLabelNonDualStack`, whatever the family of the cidr.
    const w = load(cluster, [subject({ ingress: [{ from: [{ ipBlock: { cidr: '::/0' } }] }] })]);
    validate(w, [[WORLD, S, 80]], [['peer', S, 80], [NODE, S, 80]]);
  });

  test('ExtractNamespaceOrDefault: a NetworkPolicy with no metadata.namespace is in `default` (its subject and its podSelector peers)', () => {
    const np = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'nons' }, spec: { podSelector: { matchLabels: { role: 'subject' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'peer' } } }] }] } };
    const w = load(cluster, [np]);
    validate(w, [['peer', S, 80]], [['nsx/peer', S, 80], ['stranger', S, 80]]);
  });
});
