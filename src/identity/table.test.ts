import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { buildIdentityTable, type IdentityTableOptions } from './table.js';
import { EndpointSelector } from './selector.js';
import type { K8sLabelSelector } from './selector-validation.js';
import { entitySelectors } from './entities.js';
import { Reserved, identityScope, type IdentityId } from './reserved.js';
import { mkCluster, mkNamespace, mkNode, mkPod } from './testing.js';
import type { Cluster } from '../model/types.js';

const S34 = 'semantics.md §3.4';
const S35 = 'semantics.md §3.5; pkg/policy/api/entity.go';

const cluster: Cluster = mkCluster({
  namespaces: [mkNamespace('default'), mkNamespace('shop', { team: 'a' })],
  pods: [
    mkPod({ name: 'web-1', namespace: 'shop', ip: '10.244.1.10', labels: { app: 'web', 'pod-template-hash': 'aaa' } }),
    mkPod({ name: 'web-2', namespace: 'shop', ip: '10.244.2.11', nodeName: 'worker2', labels: { app: 'web', 'pod-template-hash': 'bbb' } }),
    mkPod({ name: 'db-0', namespace: 'shop', ip: '10.244.1.12', labels: { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-0' } }),
    mkPod({ name: 'web-1', namespace: 'default', ip: '10.244.1.13', labels: { app: 'web' } }),
    mkPod({ name: 'agent', namespace: 'default', ip: '172.18.0.3', hostNetwork: true, labels: { app: 'agent' } }),
    mkPod({ name: 'agent-2', namespace: 'default', ip: '172.18.0.2', nodeName: 'control-plane', hostNetwork: true, labels: { app: 'agent' } }),
  ],
});
const opts: IdentityTableOptions = { localNode: 'worker', referencedCidrs: ['10.0.0.0/8', '10.1.0.0/16', '8.8.8.8', '0.0.0.0/0', '11.0.0.0/8'] };
const build = (c = cluster, o = opts) => {
  const { table, diagnostics } = buildIdentityTable(c, o);
  assert.deepEqual(diagnostics, []);
  return table;
};
const t = build();
const pod = (ns: string, name: string) => t.identityOfPod({ namespace: ns, name })!;

test('two pods with the same identity-relevant labels share an identity', () => {
  // source: semantics.md §3.3 (pod-template-hash is filtered) and §4.2 (decision per identity)
  assert.equal(pod('shop', 'web-1'), pod('shop', 'web-2'));
  assert.deepEqual(t.podsOf(pod('shop', 'web-1')).map((p) => p.name), ['web-1', 'web-2']);
  assert.notEqual(pod('shop', 'web-1'), pod('default', 'web-1'), 'namespace is part of the identity');
  assert.notEqual(pod('shop', 'web-1'), pod('shop', 'db-0'));
  assert.equal(t.labelsOf(pod('shop', 'db-0'))!.has('statefulset.kubernetes.io/pod-name'), false);
});

test('cluster identities are numbered from 256 deterministically', () => {
  // source: semantics.md §3.2 (256…65535); polis numbering rule (sorted canonical label sets)
  const ids = [pod('default', 'web-1'), pod('shop', 'db-0'), pod('shop', 'web-1')];
  assert.deepEqual([...ids].sort((a, b) => a - b), [256, 257, 258]);
  const shuffled = build({ ...cluster, pods: [...cluster.pods].reverse() });
  for (const [ns, n] of [['default', 'web-1'], ['shop', 'db-0'], ['shop', 'web-2']] as const) {
    assert.equal(shuffled.identityOfPod({ namespace: ns, name: n }), pod(ns, n), `${ns}/${n}`);
  }
  assert.deepEqual(shuffled.allIdentities(), t.allIdentities());
});

test('reserved identities carry Cilium numbers, names and labels', () => {
  // source: semantics.md §3.1; pkg/identity/numericidentity.go
  assert.deepEqual(t.allIdentities().filter((id) => identityScope(id) === 'reserved'), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(t.labelsOf(Reserved.world)!.toStrings(), ['reserved:world']);
  assert.deepEqual(t.labelsOf(Reserved.kubeApiserver)!.toStrings(), ['reserved:kube-apiserver', 'reserved:remote-node']);
  assert.deepEqual(t.labelsOf(Reserved.host)!.toStrings(), ['reserved:host'], 'worker runs no apiserver and has no labels');
  assert.equal(t.nameOf(Reserved.remoteNode), 'remote-node');
  assert.equal(t.nameOf(pod('shop', 'db-0')), `ID:${pod('shop', 'db-0')}`);
});

test('host identity gains reserved:kube-apiserver and node labels on a control-plane node', () => {
  // source: semantics.md §3.1 (host + kube-apiserver if local), §2.2 (nodeSelector vs host labels)
  const cp = build(mkCluster({ nodes: [mkNode('control-plane', '172.18.0.2', true, { 'node-role.kubernetes.io/control-plane': '' }), mkNode('worker', '172.18.0.3')] }), { localNode: 'control-plane' });
  assert.deepEqual(cp.labelsOf(Reserved.host)!.toStrings(), ['reserved:host', 'reserved:kube-apiserver', 'k8s:node-role.kubernetes.io/control-plane'], 'sorted by key');
  assert.equal(cp.identityOf('172.18.0.2'), Reserved.host);
});

const ipCases: { ip: string; want: () => IdentityId; source: string }[] = [
  { ip: '10.244.1.10', want: () => pod('shop', 'web-1'), source: S34 + ': pod IP -> pod identity, never CIDR (inside referenced 10.0.0.0/8)' },
  { ip: '172.18.0.3', want: () => Reserved.host, source: S34 + ': local node IP -> host' },
  { ip: '172.18.0.4', want: () => Reserved.remoteNode, source: S34 + ': other node -> remote-node' },
  { ip: '172.18.0.2', want: () => Reserved.kubeApiserver, source: S34 + ': control-plane runs kube-apiserver (kind) -> 7' },
  { ip: '1.2.3.4', want: () => Reserved.world, source: S34 + ': no referenced prefix -> world (0.0.0.0/0 is world itself)' },
  { ip: '10.1.2.3', want: () => t.identityOf('10.1.0.0')!, source: S34 + ': longest referenced prefix (/16 over /8)' },
  { ip: '10.2.0.1', want: () => t.identityOf('10.0.0.0')!, source: S34 },
  { ip: '8.8.8.8', want: () => t.identityOf('8.8.8.8')!, source: S34 + ': bare IP = /32' },
  { ip: 'fd00::1', want: () => Reserved.world, source: S34 + ': single-stack world covers IPv6' },
];
for (const c of ipCases) {
  test(`identityOf ${c.ip}`, () => assert.equal(t.identityOf(c.ip), c.want(), c.source));
}

test('CIDR identities are local (1<<24 | n) and carry cidr + world labels', () => {
  // source: semantics.md §3.2 (local scope), pkg/labels/cidr.go GetCIDRLabels
  const id16 = t.identityOf('10.1.2.3')!;
  assert.equal(identityScope(id16), 'local');
  assert.ok(id16 > 1 << 24);
  assert.deepEqual(t.labelsOf(id16)!.toStrings(), ['cidr:10.1.0.0/16', 'reserved:world']);
  assert.deepEqual(t.allIdentities().filter((id) => identityScope(id) === 'local').map((id) => id - (1 << 24)), [1, 2, 3, 4], 'four non-/0 prefixes');
  assert.notEqual(t.identityOf('10.1.2.3'), t.identityOf('10.2.2.3'));
  assert.equal(t.identityOf('not-an-ip'), undefined);
});

test('hostNetwork pods have their node identity', () => {
  // source: semantics.md §3.4 (hostNetwork pods use node IPs -> host / remote-node)
  assert.equal(pod('default', 'agent'), Reserved.host);
  assert.equal(pod('default', 'agent-2'), Reserved.kubeApiserver);
  assert.deepEqual(t.podsOf(Reserved.host).map((p) => p.name), ['agent']);
});

const sel = EndpointSelector.fromK8s;
test('CIDR selection is prefix-aware through the table', () => {
  // source: semantics.md §2.1 cidr prefix-aware keys; §3.4 evaluator implication
  const by8 = t.select(sel({ matchLabels: { 'cidr:10.0.0.0/8': '' } }));
  assert.deepEqual(by8, [t.identityOf('10.2.0.0'), t.identityOf('10.1.0.0')].sort((a, b) => a! - b!));
  assert.ok(!by8.includes(t.identityOf('11.0.0.1')!));
  assert.ok(!by8.includes(pod('shop', 'web-1')), 'CIDR selectors never select pods (§4.9)');
  assert.ok(!by8.includes(Reserved.remoteNode), 'nor nodes (§4.9)');
});

test('CIDR selection through the prefix index equals matching every identity', () => {
  // The table narrows cidr: selectors with a prefix index (issue 8); the verdict must be the
  // one Selector.matches gives on each identity (pkg/labels/labels.go HasKey, prefix-aware, 1.16+).
  const ds = build(cluster, { ...opts, dualStack: true, referencedCidrs: [...opts.referencedCidrs!, '10.1.2.0/24', '2001:db8::/32', '2001:db8:1::/48', '::/0'] });
  const selectors: K8sLabelSelector[] = [
    { matchLabels: { 'cidr:10.0.0.0/8': '' } },
    { matchLabels: { 'cidr:10.1.0.0/16': '' } },
    { matchLabels: { 'cidr:0.0.0.0/0': '' } },
    { matchLabels: { 'cidr:0--0/0': '' } },
    { matchLabels: { 'cidr:2001-db8--0/32': '' } },
    { matchLabels: { 'cidr:10.0.0.0/8': '' }, matchExpressions: [{ key: 'cidr:10.1.0.0/16', operator: 'DoesNotExist' }] },
    { matchExpressions: [{ key: 'cidr:10.0.0.0/8', operator: 'Exists' }] },
    { matchExpressions: [{ key: 'cidr:10.1.0.0/16', operator: 'In', values: [''] }] },
    { matchLabels: { 'cidr:not-a-prefix': '' } },
    { matchLabels: { 'cidr:10.0.0.0/8': 'x' } },
    { matchLabels: { 'cidr:10.0.0.0/8': '', 'reserved:world-ipv4': '' } },
  ];
  for (const raw of selectors) {
    const s = sel(raw);
    const scan = ds.allIdentities().filter((id) => s.matches(ds.labelsOf(id)!));
    assert.deepEqual(ds.select(s), scan, JSON.stringify(raw));
  }
  assert.deepEqual(ds.select(sel({ matchLabels: { 'cidr:10.0.0.0/8': '' } })).map((id) => ds.labelsOf(id)!.toStrings()[0]), ['cidr:10.0.0.0/8', 'cidr:10.1.0.0/16', 'cidr:10.1.2.0/24']);
});

// Issue 8: a policy with thousands of fromCIDR entries made explain quadratic (every CIDR
// selector tested against every identity, parsing the label keys each time): 2 s at 1,000
// entries, 11 s at 3,000, minutes at 10,000.
test('10,000 CIDR selectors over 10,000 CIDR identities select in near-linear time', () => {
  const cidrs = Array.from({ length: 10_000 }, (_, i) => `${20 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24`);
  const big = build(mkCluster({}), { localNode: 'worker', referencedCidrs: [...cidrs, '20.0.0.0/16'] });
  const t0 = performance.now();
  let selected = 0;
  for (const c of cidrs) selected += big.select(sel({ matchLabels: { [`cidr:${c}`]: '' } })).length;
  const wide = big.select(sel({ matchLabels: { 'cidr:20.0.0.0/16': '' } })).length;
  const ms = performance.now() - t0;
  assert.equal(selected, 10_000);
  assert.equal(wide, 257, 'the /16 itself and the 256 /24s inside it');
  assert.ok(ms < 3_000, `took ${ms.toFixed(0)} ms`);
});

const selectName = (entity: Parameters<typeof entitySelectors>[0]) => t.selectAny(entitySelectors(entity, 'default')).map((id) => t.nameOf(id));

test('entity cluster selects pods and host, not world or CIDR identities', () => {
  // source: semantics.md §3.5
  const got = t.selectAny(entitySelectors('cluster', 'default'));
  for (const id of [Reserved.host, Reserved.remoteNode, Reserved.kubeApiserver, Reserved.health, Reserved.init, Reserved.ingress, Reserved.unmanaged, pod('shop', 'web-1'), pod('default', 'web-1')]) {
    assert.ok(got.includes(id), t.nameOf(id));
  }
  assert.ok(!got.includes(Reserved.world));
  assert.ok(!got.includes(t.identityOf('8.8.8.8')!));
  assert.ok(!t.selectAny(entitySelectors('cluster', 'other-cluster')).includes(pod('shop', 'web-1')), 'pods of another cluster name');
});

test('entity world selects world and every CIDR identity, no pods/nodes', () => {
  // source: semantics.md §3.5 (world = reserved:world|world-ipv4|world-ipv6)
  assert.deepEqual(selectName('world'), ['world', ...t.allIdentities().filter((id) => identityScope(id) === 'local').map((id) => `ID:${id}`)]);
});

test('single-purpose entities and all/none', () => {
  // source: semantics.md §3.5
  assert.deepEqual(selectName('host'), ['host']);
  assert.deepEqual(selectName('remote-node'), ['remote-node', 'kube-apiserver']);
  assert.deepEqual(selectName('kube-apiserver'), ['kube-apiserver']);
  assert.deepEqual(selectName('health'), ['health']);
  assert.deepEqual(selectName('none'), []);
  assert.equal(selectName('all').length, t.allIdentities().length);
});

test('empty selector selects every identity including reserved ones', () => {
  // source: semantics.md §2.1
  assert.deepEqual(t.select(EndpointSelector.wildcard), t.allIdentities());
});

test('select is cached per canonical selector string', () => {
  // source: STYLE.md (d) "work per identity": one evaluation per distinct selector
  const a = t.select(sel({ matchLabels: { app: 'web', 'k8s:io.kubernetes.pod.namespace': 'shop' } }));
  const b = t.select(sel({ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop', app: 'web' } }));
  assert.equal(a, b);
  assert.deepEqual(a, [pod('shop', 'web-1')]);
  assert.equal(t.selects(sel({ matchLabels: { app: 'web' } }), pod('default', 'web-1')), true);
});

test('external kube-apiserver IP gets a local identity with kube-apiserver + world', () => {
  // source: semantics.md §3.4 "External kube-apiserver IPs"
  const ext = build(cluster, { localNode: 'worker', kubeApiserverIps: ['192.0.2.10'] });
  const id = ext.identityOf('192.0.2.10')!;
  assert.deepEqual(ext.labelsOf(id)!.toStrings(), ['cidr:192.0.2.10/32', 'reserved:kube-apiserver', 'reserved:world']);
  assert.deepEqual(ext.selectAny(entitySelectors('kube-apiserver', 'default')), [Reserved.kubeApiserver, id], 'reserved 7 always exists');
  assert.ok(ext.selectAny(entitySelectors('world', 'default')).includes(id));
  assert.equal(ext.identityOf('172.18.0.2'), Reserved.remoteNode, 'control-plane no longer an apiserver');
});

test('dual-stack: world splits into 9/10 and CIDR identities carry world-ipv4/6', () => {
  // source: semantics.md §3.1, §3.6; pkg/labels/cidr.go AddWorldLabel
  const ds = build(cluster, { localNode: 'worker', dualStack: true, referencedCidrs: ['0.0.0.0/0', '::/0', '2001:db8::/32'] });
  assert.equal(ds.identityOf('1.1.1.1'), Reserved.worldIpv4);
  assert.equal(ds.identityOf('fd00::1'), Reserved.worldIpv6);
  const v6 = ds.identityOf('2001:db8::1')!;
  assert.deepEqual(ds.labelsOf(v6)!.toStrings(), ['cidr:2001-db8--0/32', 'reserved:world-ipv6']);
  assert.deepEqual(ds.selectAny(entitySelectors('world', 'default')), [Reserved.world, Reserved.worldIpv4, Reserved.worldIpv6, v6]);
});

test('bad input is reported, not thrown', () => {
  // source: STYLE.md (c) bad input is data
  const bad = mkCluster({
    pods: [mkPod({ name: 'a', ip: '10.244.1.1' }), mkPod({ name: 'b', ip: '10.244.1.1' }), mkPod({ name: 'c', ip: 'nope' })],
  });
  const { table, diagnostics } = buildIdentityTable(bad, { localNode: 'ghost', referencedCidrs: ['172.224.3/32'] });
  assert.deepEqual(diagnostics.map((d) => d.code).sort(), ['identity-duplicate-ip', 'identity-invalid-cidr', 'identity-invalid-ip', 'identity-unknown-local-node']);
  assert.equal(table.identityOf('172.18.0.3'), Reserved.remoteNode, 'without a local node every node is remote');
});

test('pods of an undeclared namespace get its metadata.name label', () => {
  // source: model/types.ts Namespace doc (API server always sets kubernetes.io/metadata.name); semantics.md §2.6
  const c = mkCluster({ namespaces: [], pods: [mkPod({ name: 'a', namespace: 'ghost', ip: '10.244.1.1' })] });
  const labels = build(c, { localNode: 'worker' }).labelsOf(build(c, { localNode: 'worker' }).identityOfPod({ namespace: 'ghost', name: 'a' })!)!;
  assert.equal(labels.get('io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name', 'k8s'), 'ghost');
});

test('pods are grouped by namespace, service account and labels whatever their order, with hostNetwork pods in between', () => {
  // The table derives identity labels once per such group (STYLE: work per identity, not per pod);
  // the grouping must never merge pods that differ in any of the three (semantics.md §2.6, §3.3).
  const c = mkCluster({
    namespaces: [mkNamespace('default'), mkNamespace('shop')],
    pods: [
      mkPod({ name: 'a-1', namespace: 'shop', ip: '10.244.1.20', labels: { app: 'a', tier: 'x' } }),
      mkPod({ name: 'host-1', namespace: 'shop', ip: '172.18.0.3', hostNetwork: true, labels: { app: 'a', tier: 'x' } }),
      mkPod({ name: 'a-2', namespace: 'shop', ip: '10.244.1.21', labels: { tier: 'x', app: 'a' } }),
      mkPod({ name: 'a-3', namespace: 'shop', ip: '10.244.1.22', labels: { app: 'a', tier: 'x', extra: 'e' } }),
      mkPod({ name: 'a-4', namespace: 'shop', ip: '10.244.1.23', labels: { app: 'a' } }),
      mkPod({ name: 'a-5', namespace: 'default', ip: '10.244.1.24', labels: { app: 'a' } }),
      mkPod({ name: 'a-6', namespace: 'default', ip: '10.244.1.25', serviceAccount: 'robot', labels: { app: 'a' } }),
      mkPod({ name: 'a-7', namespace: 'default', ip: '10.244.1.26', labels: { app: 'a' } }),
    ],
  });
  const tc = build(c);
  const id = (ns: string, n: string) => tc.identityOfPod({ namespace: ns, name: n })!;
  assert.equal(id('shop', 'a-1'), id('shop', 'a-2'), 'label order does not matter');
  assert.equal(id('shop', 'host-1'), Reserved.host, 'hostNetwork: the node identity');
  const distinct = ['shop/a-1', 'shop/a-3', 'shop/a-4', 'default/a-5', 'default/a-6'].map((k) => id(k.split('/')[0]!, k.split('/')[1]!));
  assert.equal(new Set(distinct).size, 5, 'an extra label, a missing label, another namespace, another service account: each its own identity');
  assert.equal(id('default', 'a-7'), id('default', 'a-5'));
});
