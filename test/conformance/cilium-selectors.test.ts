/**
 * Conformance: how Cilium turns the selectors of a CNP / CCNP into the
 * selectors it matches identities with, as verdicts. Read from the cilium/cilium
 * source (Apache-2.0; rows re-typed as YAML, no code vendored):
 * - pkg/k8s/apis/cilium.io/utils/utils_test.go `Test_ParseToCiliumRule`, the
 *   1.18-line test (hivetest logger, no cluster name), blob id 12553006690 of
 *   the search index: each of its cases is a row below;
 * - pkg/k8s/apis/cilium.io/utils/utils.go `getEndpointSelector`,
 *   `ParseToCiliumRule`, `matchesPodInit`, blob id 6663530045 (main after 1.18;
 *   its namespace logic is what the 1.18 test above asserts, plus the
 *   cluster filter of 1.19, which is off here): the reserved-key exemption
 *   (fromEndpoints/toEndpoints only, not fromRequires), the namespace-labels
 *   exemption (CNP only), `Exists` for a CCNP peer unless the subject names
 *   `reserved:init`;
 * - pkg/policy/api/selector_test.go `TestSelectsAllEndpoints`, blob id
 *   892228447: an empty peer list selects nothing, the `all` entity everything;
 * - pkg/labels (labels.go `parseSource`, array.go `Has`): a key without a source
 *   is `any:` and matches every source, `$x` and `reserved.x` are `reserved:`.
 *
 * Every verdict goes through the use cases the CLI calls (checkConnection,
 * explainConnection) and the rule-by-rule reference evaluator, which must agree.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TrafficSpec } from '../../src/engine/types.js';
import { allowedAll, loadWorld, type World } from './three-ways.js';

// --- the cluster: namespaces with and without labels, two nodes, a host-network pod ---

const ns = (name: string, labels = '') => `---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}${labels ? `, labels: {${labels}}` : ''}}\n`;
const node = (name: string, ip: string) => `---\napiVersion: v1\nkind: Node\nmetadata: {name: ${name}}\nstatus:\n  addresses: [{type: InternalIP, address: ${ip}}]\n`;
function pod(namespace: string, name: string, labels: string, extra = ''): string {
  return `---\napiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${namespace}, labels: {${labels}}}\nspec:\n  nodeName: n1\n${extra}  containers: [{name: c, image: i}]\n`;
}
const CLUSTER = [
  ns('default'), ns('team-a', 'team: team-a'), ns('ns-2'), ns('foo'),
  node('n1', '172.18.0.2'), node('n2', '172.18.0.3'),
  pod('default', 'backend', 'role: backend', '  serviceAccountName: backend\n'),
  pod('default', 'client', 'app: client'),
  pod('default', 'other', 'app: other'),
  pod('ns-2', 'client', 'app: client'),
  pod('team-a', 'client', 'app: client'),
  pod('foo', 'backend', 'role: backend', '  serviceAccountName: backend\n'),
].join('');

const WORLD = 'ip:1.1.1.1';
const HOST = 'ip:172.18.0.2'; // the node of every pod: reserved:host
const REMOTE_NODE = 'ip:172.18.0.3';

function world(policies: string): World {
  return loadWorld([{ path: 'cluster.yaml', text: CLUSTER }, { path: 'policy.yaml', text: policies }]);
}

/** Allowed or not, by checkConnection, explainConnection and the reference evaluator alike (TCP/80 unless told). */
const allowed = (w: World, from: string, to: string, traffic: TrafficSpec = { port: 80 }) => allowedAll(w, from, to, traffic);

const indent = (s: string) => s.replace(/^/gm, '  ');
const cnp = (spec: string, namespace = 'default', name = 'p') => `---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec:\n${indent(spec)}\n`;
const ccnp = (spec: string, name = 'p') => `---\napiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n${indent(spec)}\n`;
/** An ingress rule for role=backend from the peers written. */
const toBackend = (from: string) => `endpointSelector: {matchLabels: {role: backend}}\ningress:\n  - ${from}`;
/** A rule that selects its subject and allows it nothing from `nobody`, so a selected subject is in default deny. */
const denyAll = (subject: string) => `endpointSelector: ${subject}\ningress:\n  - fromEndpoints: [{matchLabels: {app: nobody}}]`;

const B = 'default/backend', FOO_B = 'foo/backend', C = 'default/client', NS2 = 'ns-2/client', TEAM = 'team-a/client';

describe('cilium utils_test.go Test_ParseToCiliumRule (1.18) as verdicts', () => {
  test('parse-in-namespace: a CNP subject gains k8s:io.kubernetes.pod.namespace of the policy', () => {
    const w = world(cnp(denyAll('{matchLabels: {role: backend}}')));
    assert.equal(allowed(w, C, B), false, 'default/backend is selected');
    assert.equal(allowed(w, C, FOO_B), true, 'foo/backend is not');
  });
  test('parse-in-namespace-with-ns-selector: a k8s: namespace in the subject is replaced by the policy\'s', () => {
    const w = world(cnp(denyAll('{matchLabels: {role: backend, k8s:io.kubernetes.pod.namespace: foo}}')));
    assert.equal(allowed(w, C, B), false, 'the policy\'s namespace');
    assert.equal(allowed(w, C, FOO_B), true, 'not the one written');
  });
  test('parse-init-policy-namespaced: subject `reserved.init DoesNotExist`, fromEndpoints [{}] gains the namespace', () => {
    const w = world(cnp('endpointSelector: {matchExpressions: [{key: reserved.init, operator: DoesNotExist}]}\ningress:\n  - fromEndpoints: [{}]'));
    assert.equal(allowed(w, C, B), true);
    assert.equal(allowed(w, NS2, B), false, 'the peer is this namespace only');
    assert.equal(allowed(w, WORLD, B), false);
    assert.equal(allowed(w, NS2, FOO_B), true, 'the subject is this namespace only');
  });
  test('set-any-source-for-namespace: `io.kubernetes.pod.namespace: ns-2` (any:) replaces the policy\'s namespace', () => {
    const w = world(cnp(toBackend('fromEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: ns-2}}]')));
    assert.equal(allowed(w, NS2, B), true);
    assert.equal(allowed(w, C, B), false);
  });
  test('parse-in-namespace-with-ns-labels-selector: namespace labels span namespaces, no namespace term', () => {
    const w = world(cnp(toBackend('fromEndpoints: [{matchLabels: {io.cilium.k8s.namespace.labels.team: team-a}}]')));
    assert.equal(allowed(w, TEAM, B), true);
    assert.equal(allowed(w, C, B), false);
    assert.equal(allowed(w, NS2, B), false);
  });
  test('wildcard-to-from-endpoints-with-ccnp: a CCNP fromEndpoints [{}] gains `namespace Exists`: every pod, not world or host', () => {
    const w = world(ccnp(toBackend('fromEndpoints: [{}]')));
    for (const from of [C, NS2, TEAM]) assert.equal(allowed(w, from, B), true, from);
    assert.equal(allowed(w, WORLD, B), false);
    assert.equal(allowed(w, REMOTE_NODE, B), false);
  });
});

describe('cilium utils.go getEndpointSelector: the branches the test table leaves out', () => {
  test('a k8s: namespace in a CNP peer is kept: that namespace only', () => {
    const w = world(cnp(toBackend('fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: ns-2, app: client}}]')));
    assert.equal(allowed(w, NS2, B), true);
    assert.equal(allowed(w, C, B), false);
  });
  test('the namespace as an expression counts as naming it (HasKey looks at matchExpressions)', () => {
    const w = world(cnp(toBackend('fromEndpoints: [{matchExpressions: [{key: k8s:io.kubernetes.pod.namespace, operator: In, values: [ns-2, team-a]}]}]')));
    assert.equal(allowed(w, NS2, B), true);
    assert.equal(allowed(w, TEAM, B), true);
    assert.equal(allowed(w, C, B), false);
  });
  test('a reserved: key in toEndpoints is used as written: reserved:host is the host, no namespace term', () => {
    const w = world(cnp('endpointSelector: {matchLabels: {role: backend}}\negress:\n  - toEndpoints: [{matchLabels: {reserved:host: ""}}]'));
    assert.equal(allowed(w, B, HOST), true);
    assert.equal(allowed(w, B, REMOTE_NODE), false);
    assert.equal(allowed(w, B, C), false);
  });
  test('`$host` is reserved:host too (parseSource)', () => {
    const w = world(cnp('endpointSelector: {matchLabels: {role: backend}}\negress:\n  - toEndpoints: [{matchLabels: {$host: ""}}]'));
    assert.equal(allowed(w, B, HOST), true);
  });
  test('fromRequires gets the namespace even beside a reserved: key (addK8sPrefix is false there)', () => {
    // fromEndpoints `reserved:world` is used as written (world allowed); the requirement becomes
    // `reserved:world AND k8s:namespace=default`, which `GetSourceEndpointSelectorsWithRequirements`
    // adds to that fromEndpoints selector: nothing has both, so world is no longer allowed.
    const peerOnly = world(cnp(toBackend('fromEndpoints: [{matchLabels: {reserved:world: ""}}]')));
    assert.equal(allowed(peerOnly, WORLD, B), true);
    const w = world(cnp(toBackend('fromEndpoints: [{matchLabels: {reserved:world: ""}}]\n  - fromRequires: [{matchLabels: {reserved:world: ""}}]')));
    assert.equal(allowed(w, WORLD, B), false);
  });
  test('a CCNP peer by namespace labels still gains `Exists`: DoesNotExist on them selects pods only', () => {
    const w = world(ccnp(toBackend('fromEndpoints: [{matchExpressions: [{key: io.cilium.k8s.namespace.labels.team, operator: DoesNotExist}]}]')));
    assert.equal(allowed(w, C, B), true, 'default has no team label');
    assert.equal(allowed(w, TEAM, B), false);
    assert.equal(allowed(w, WORLD, B), false, 'world has no namespace label');
  });
  test('a CCNP peer by a NotIn on the namespace itself is used as written: world matches it', () => {
    const w = world(ccnp(toBackend('fromEndpoints: [{matchExpressions: [{key: k8s:io.kubernetes.pod.namespace, operator: NotIn, values: [ns-2]}]}]')));
    assert.equal(allowed(w, C, B), true);
    assert.equal(allowed(w, NS2, B), false);
    assert.equal(allowed(w, WORLD, B), true, 'NotIn matches an absent key');
  });
  test('a CCNP whose subject names reserved:init as $init: peers gain no `Exists` (matchesPodInit normalises the key)', () => {
    // The subject is `app: client` AND `$init` absent-or-present; DoesNotExist keeps pods selectable, and the
    // peer `{}` stays the wildcard, so world is allowed.
    const w = world(ccnp('endpointSelector: {matchLabels: {app: client}, matchExpressions: [{key: $init, operator: DoesNotExist}]}\ningress:\n  - fromEndpoints: [{}]'));
    assert.equal(allowed(w, WORLD, C), true);
    assert.equal(allowed(w, B, C), true);
  });
});

describe('cilium pkg/labels and selector.go: sources, operators, special labels', () => {
  test('a key without a source (any:) matches the k8s: label; `k8s:` matches it too; `reserved:` does not', () => {
    for (const [key, want] of [['app', true], ['k8s:app', true], ['any:app', true], ['reserved:app', false]] as const) {
      const w = world(cnp(toBackend(`fromEndpoints: [{matchLabels: {"${key}": client}}]`)));
      assert.equal(allowed(w, C, B), want, key);
    }
  });
  test('NotIn matches pods without the key; In does not', () => {
    const w = world(cnp(toBackend('fromEndpoints: [{matchExpressions: [{key: app, operator: NotIn, values: [client]}]}]')));
    assert.equal(allowed(w, 'default/other', B), true);
    assert.equal(allowed(w, C, B), false);
    assert.equal(allowed(w, 'default/backend', FOO_B), true, 'foo/backend is not selected at all');
  });
  test('Exists and DoesNotExist', () => {
    const exists = world(cnp(toBackend('fromEndpoints: [{matchExpressions: [{key: app, operator: Exists}]}]')));
    assert.equal(allowed(exists, C, B), true);
    const absent = world(cnp(toBackend('fromEndpoints: [{matchExpressions: [{key: app, operator: DoesNotExist}]}]')));
    assert.equal(allowed(absent, C, B), false);
    assert.equal(allowed(absent, WORLD, B), false, 'a CNP peer still gains the namespace');
  });
  test('the service account label io.cilium.k8s.policy.serviceaccount', () => {
    const w = world(cnp('endpointSelector: {matchLabels: {app: client}}\ningress:\n  - fromEndpoints: [{matchLabels: {io.cilium.k8s.policy.serviceaccount: backend}}]'));
    assert.equal(allowed(w, B, C), true);
    assert.equal(allowed(w, 'default/other', C), false, 'service account default');
  });
  test('the cluster label io.cilium.k8s.policy.cluster (cluster name "default")', () => {
    const local = world(cnp(toBackend('fromEndpoints: [{matchLabels: {io.cilium.k8s.policy.cluster: default, app: client}}]')));
    assert.equal(allowed(local, C, B), true);
    const other = world(cnp(toBackend('fromEndpoints: [{matchLabels: {io.cilium.k8s.policy.cluster: other, app: client}}]')));
    assert.equal(allowed(other, C, B), false);
  });
});

describe('cilium selector_test.go TestSelectsAllEndpoints and the empty list vs the empty selector', () => {
  test('fromEndpoints: [] selects nothing, even with toPorts; ingress is enforced', () => {
    const w = world(cnp(toBackend('fromEndpoints: []\n    toPorts: [{ports: [{port: "80", protocol: TCP}]}]')));
    assert.equal(allowed(w, C, B), false);
    assert.equal(allowed(w, WORLD, B), false);
  });
  test('no peer field with toPorts is the wildcard: world too', () => {
    const w = world(cnp(toBackend('toPorts: [{ports: [{port: "80", protocol: TCP}]}]')));
    assert.equal(allowed(w, WORLD, B), true);
    assert.equal(allowed(w, NS2, B), true);
  });
  test('fromEndpoints: [{}] in a CNP is this namespace, fromEntities: [all] is everything', () => {
    const ns1 = world(cnp(toBackend('fromEndpoints: [{}]')));
    assert.equal(allowed(ns1, C, B), true);
    assert.equal(allowed(ns1, NS2, B), false);
    const all = world(cnp(toBackend('fromEntities: [all]')));
    for (const from of [C, NS2, WORLD, REMOTE_NODE]) assert.equal(allowed(all, from, B), true, from);
  });
});

/**
 * Left out:
 * - parse-init-policy (a CCNP whose subject is `reserved:init` with no peers: the subject is an
 *   endpoint still being initialised, which polis does not model as a connection end) — unsupported;
 * - parse-from-to-nodes-rule (fromNodes needs `enable-node-selector-labels`, which polis has no
 *   option for; it refuses fromNodes/toNodes as the agent without the flag does) — unsupported;
 * - TestParseToCiliumLabels, Test_namespacesAreValid (rule labels and a log message, no verdict);
 * - TestLabelSelectorToRequirements (the order of built requirements, no verdict).
 */
