/**
 * Patches as kubectl sends them: strategic merge patch (apimachinery
 * `pkg/util/strategicpatch`, the directives and the merge keys of
 * k8s.io/api), RFC 7386 merge patch, RFC 6902 JSON patch, and server-side
 * apply's field ownership (structured-merge-diff).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyConfig } from './managed-fields.js';
import { jsonPatch, mergePatch, PatchError, strategicMergePatch, type Json } from './patch.js';

// Typed loosely: the cases spread it into expected values of every shape.
const pod: any = {
  spec: {
    containers: [
      { name: 'curl', image: 'curl:1', ports: [{ containerPort: 9090 }, { containerPort: 9091 }] },
      { name: 'side', image: 'side:1' },
    ],
    tolerations: [{ key: 'a' }],
  },
  metadata: { finalizers: ['x', 'y'], labels: { a: '1', b: '2' } },
};

const smp: [string, Json, Json][] = [
  ['merges a container by name and deletes a port by containerPort (the patch kubectl sent, reference/kubectl-and-hubble-api.md)',
    { spec: { '$setElementOrder/containers': [{ name: 'curl' }, { name: 'side' }], containers: [{ '$setElementOrder/ports': [{ containerPort: 9091 }], name: 'curl', ports: [{ containerPort: 9091 }, { $patch: 'delete', containerPort: 9090 }] }] } },
    { ...pod, spec: { ...pod.spec, containers: [{ name: 'curl', image: 'curl:1', ports: [{ containerPort: 9091 }] }, pod.spec.containers[1] as Json] } }],
  ['null deletes a key', { metadata: { labels: { a: null } } }, { ...pod, metadata: { ...pod.metadata, labels: { b: '2' } } }],
  ['a list without a merge key is replaced', { spec: { tolerations: [{ key: 'b' }] } }, { ...pod, spec: { ...pod.spec, tolerations: [{ key: 'b' }] } }],
  ['$patch: replace on a map replaces it', { metadata: { labels: { $patch: 'replace', c: '3' } } }, { ...pod, metadata: { ...pod.metadata, labels: { c: '3' } } }],
  ['$patch: delete on a map removes it', { metadata: { labels: { $patch: 'delete' } } }, { ...pod, metadata: { finalizers: ['x', 'y'] } }],
  ['$retainKeys drops the keys not listed', { metadata: { $retainKeys: ['labels'], labels: { a: '1', b: '2' } } }, { ...pod, metadata: { labels: { a: '1', b: '2' } } }],
  ['$deleteFromPrimitiveList removes values; finalizers merge as a set', { metadata: { '$deleteFromPrimitiveList/finalizers': ['x'], finalizers: ['z'] } }, { ...pod, metadata: { ...pod.metadata, finalizers: ['y', 'z'] } }],
  ['$setElementOrder orders a merged list', { spec: { '$setElementOrder/containers': [{ name: 'side' }, { name: 'curl' }] } }, { ...pod, spec: { ...pod.spec, containers: [pod.spec.containers[1] as Json, pod.spec.containers[0] as Json] } }],
  ['a new container is appended', { spec: { containers: [{ name: 'new', image: 'n' }] } }, { ...pod, spec: { ...pod.spec, containers: [...pod.spec.containers, { name: 'new', image: 'n' }] as Json } }],
];
for (const [name, patch, want] of smp) {
  test(`strategic merge patch: ${name}`, () => assert.deepEqual(strategicMergePatch('Pod', pod as Json, patch), want));
}

test('strategic merge patch: a Service merges ports by port (core/v1 ServiceSpec patchMergeKey)', () => {
  const svc: Json = { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } };
  assert.deepEqual(strategicMergePatch('Service', svc, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }), { spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] } });
});

test('merge patch (RFC 7386): objects merge, lists and scalars replace, null deletes', () => {
  assert.deepEqual(mergePatch({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3], e: null }, d: null }), { a: { b: 1, c: [3] } });
});

test('JSON patch (RFC 6902): add, replace, remove, test; a failing op is a PatchError', () => {
  assert.deepEqual(jsonPatch({ a: [1, 2] }, [{ op: 'add', path: '/a/-', value: 3 }, { op: 'replace', path: '/a/0', value: 0 }, { op: 'add', path: '/b', value: { 'x/y': 1 } }, { op: 'remove', path: '/b/x~1y' }]), { a: [0, 2, 3], b: {} });
  assert.throws(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]), PatchError);
  assert.throws(() => jsonPatch({}, { op: 'add' }), PatchError);
});

const cnp = (ports: string[]) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'default' }, spec: { endpointSelector: { matchLabels: { tier: 'db' } }, ingress: [{ toPorts: [{ ports: ports.map((port) => ({ port })) }] }] } });
const NOW = '2026-01-01T00:00:00Z';

test('server-side apply: creates, and a second manager (kubectl-last-applied) setting only the annotation keeps the spec', () => {
  const created = applyConfig('CiliumNetworkPolicy', undefined, cnp(['80']), 'kubectl', false, NOW);
  assert.ok(created.ok);
  const annotated = applyConfig('CiliumNetworkPolicy', created.object, {
    apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'default', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
  }, 'kubectl-last-applied', false, NOW);
  assert.ok(annotated.ok);
  assert.deepEqual(annotated.object.spec, cnp(['80']).spec);
  assert.deepEqual((annotated.object.metadata as any).managedFields.map((m: any) => m.manager), ['kubectl', 'kubectl-last-applied']);
});

test('server-side apply: a field the manager stops setting is removed; another manager\'s value conflicts unless forced', () => {
  const a = applyConfig('Deployment', undefined, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', labels: { x: '1' } }, spec: { replicas: 2 } }, 'a', false, NOW);
  assert.ok(a.ok);
  const dropped = applyConfig('Deployment', a.object, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 2 } }, 'a', false, NOW);
  assert.ok(dropped.ok);
  assert.equal((dropped.object.metadata as any).labels, undefined);
  const other = applyConfig('Deployment', dropped.object, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 3 } }, 'b', false, NOW);
  assert.deepEqual(other, { ok: false, conflicts: [{ manager: 'a', field: '.spec.replicas' }] });
  const same = applyConfig('Deployment', dropped.object, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 2 } }, 'b', false, NOW);
  assert.ok(same.ok, 'setting the same value shares the field');
  const forced = applyConfig('Deployment', dropped.object, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 3 } }, 'b', true, NOW);
  assert.ok(forced.ok);
  assert.equal((forced.object.spec as any).replicas, 3);
});
