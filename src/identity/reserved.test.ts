import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOCAL_IDENTITY_FLAG, Reserved, identityId, identityScope, isWorldId, reservedLabels, reservedName } from './reserved.js';
import { allocateClusterIdentities, allocatePrefixIdentities } from './allocator.js';
import { LabelSet } from './labels.js';
import { parseCidr } from '../net/ip.js';
import { ENTITY_NAMES, entitySelectors, isEntityName } from './entities.js';

const NUMERIC = 'semantics.md §3.1; cilium pkg/identity/numericidentity.go';

test('reserved numbers and names', () => {
  const table: [number, string, string[]][] = [
    [1, 'host', ['reserved:host']],
    [2, 'world', ['reserved:world']],
    [3, 'unmanaged', ['reserved:unmanaged']],
    [4, 'health', ['reserved:health']],
    [5, 'init', ['reserved:init']],
    [6, 'remote-node', ['reserved:remote-node']],
    [7, 'kube-apiserver', ['reserved:kube-apiserver', 'reserved:remote-node']],
    [8, 'ingress', ['reserved:ingress']],
    [9, 'world-ipv4', ['reserved:world-ipv4']],
    [10, 'world-ipv6', ['reserved:world-ipv6']],
  ];
  for (const [id, name, labels] of table) {
    assert.equal(reservedName(identityId(id)), name, NUMERIC);
    assert.deepEqual(reservedLabels(identityId(id)).toStrings(), labels, NUMERIC);
  }
  assert.deepEqual(reservedLabels(Reserved.host, { hostIsKubeApiserver: true }).toStrings(), ['reserved:host', 'reserved:kube-apiserver'], NUMERIC);
  assert.equal(reservedName(identityId(256)), undefined);
});

test('identity scopes and IsWorld', () => {
  // source: semantics.md §3.2
  assert.equal(identityScope(identityId(8)), 'reserved');
  assert.equal(identityScope(identityId(256)), 'cluster');
  assert.equal(identityScope(identityId(65535)), 'cluster');
  assert.equal(identityScope(identityId(LOCAL_IDENTITY_FLAG | 5)), 'local');
  assert.equal(identityScope(identityId(2 << 24)), 'cluster', 'remote-node scope is not local');
  assert.ok(isWorldId(Reserved.world) && isWorldId(Reserved.worldIpv4) && isWorldId(Reserved.worldIpv6));
  assert.ok(!isWorldId(Reserved.host));
  assert.throws(() => identityId(-1), RangeError);
  assert.throws(() => identityId(1.5), RangeError);
});

test('deterministic numbering: input order does not matter', () => {
  // source: polis rule (allocator.ts module doc); range from semantics.md §3.2
  const a = LabelSet.parse('k8s:app=a');
  const b = LabelSet.parse('k8s:app=b');
  const x = allocateClusterIdentities([b, a, b]);
  const y = allocateClusterIdentities([a, b]);
  assert.deepEqual([...x.byCanonical], [...y.byCanonical]);
  assert.equal(x.byCanonical.get(a.canonical), 256);
  assert.equal(x.entries.length, 2);
  assert.equal(x.overflow, false);
});

test('prefix identities: local from 1<<24|1, /0 is the world identity', () => {
  // source: semantics.md §3.2, §3.6; pkg/labels/cidr.go GetCIDRLabels (/0 -> world label only)
  const p = (c: string) => ({ prefix: parseCidr(c)!, extra: [] });
  const single = allocatePrefixIdentities([p('10.0.0.0/8'), p('0.0.0.0/0'), p('1.0.0.0/8')], false);
  assert.deepEqual(single.prefixIds, [LOCAL_IDENTITY_FLAG | 2, Reserved.world, LOCAL_IDENTITY_FLAG | 1]);
  const dual = allocatePrefixIdentities([p('0.0.0.0/0'), p('::/0')], true);
  assert.deepEqual(dual.prefixIds, [Reserved.worldIpv4, Reserved.worldIpv6]);
  assert.equal(dual.entries.length, 0);
});

test('entity names are the CRD enum', () => {
  // source: semantics.md §1.7; pkg/policy/api/entity.go +kubebuilder:validation:Enum
  assert.deepEqual([...ENTITY_NAMES], ['all', 'world', 'cluster', 'host', 'init', 'ingress', 'unmanaged', 'remote-node', 'health', 'none', 'kube-apiserver']);
  assert.ok(isEntityName('remote-node'));
  assert.ok(!isEntityName('world-ipv4'), 'internal only');
  assert.ok(!isEntityName('World'));
  assert.deepEqual(entitySelectors('cluster', 'c1').map(String).at(-1), 'k8s:io.cilium.k8s.policy.cluster=c1');
  assert.deepEqual(entitySelectors('world', 'c1').map(String), ['reserved:world', 'reserved:world-ipv4', 'reserved:world-ipv6']);
});
