import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIdentityRelevant, podIdentityLabels } from './label-filter.js';
import { label } from './labels.js';
import type { Pod } from '../model/types.js';

const FILTER = 'semantics.md §3.3; cilium pkg/labelsfilter/filter.go defaultLabelPrefixCfg';

const cases: { key: string; src?: string; keep: boolean; source: string }[] = [
  { key: 'app', keep: true, source: FILTER + ' (no pattern matches: kept)' },
  { key: 'pod-template-hash', keep: false, source: FILTER },
  { key: 'controller-revision-hash', keep: false, source: FILTER },
  { key: 'pod-template-generation', keep: false, source: FILTER },
  { key: 'statefulset.kubernetes.io/pod-name', keep: false, source: FILTER },
  { key: 'apps.kubernetes.io/pod-index', keep: false, source: FILTER },
  { key: 'batch.kubernetes.io/job-completion-index', keep: false, source: FILTER },
  { key: 'batch.kubernetes.io/controller-uid', keep: false, source: FILTER },
  { key: 'controller-uid', keep: false, source: FILTER },
  { key: 'batch.kubernetes.io/job-name', keep: true, source: FILTER + ' (kubernetes.io not at key start)' },
  { key: 'job-name', keep: true, source: FILTER },
  { key: 'app.kubernetes.io/name', keep: true, source: FILTER },
  { key: 'io.kubernetes.pod.namespace', keep: true, source: FILTER + ' (include 27 chars > exclude io.kubernetes 13)' },
  { key: 'io.kubernetes.container.name', keep: false, source: FILTER },
  { key: 'kubernetes.io/hostname', keep: false, source: FILTER },
  { key: 'failure-domain.beta.kubernetes.io/zone', keep: false, source: FILTER + ' (.*beta.kubernetes.io)' },
  { key: 'k8s.io/foo', keep: false, source: FILTER },
  { key: 'k8s-app', keep: true, source: FILTER + ' (k8s\\.io needs a literal dot)' },
  { key: 'annotation.foo', keep: false, source: FILTER },
  { key: 'annotationfoo', keep: false, source: FILTER + " ('annotation.*' is a regex: any key starting with annotation)" },
  { key: 'etcd_node', keep: false, source: FILTER },
  { key: 'io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name', keep: true, source: FILTER },
  { key: 'io.cilium.k8s.policy.serviceaccount', keep: true, source: FILTER },
  { key: 'io.cilium.k8s.policy.cluster', keep: true, source: FILTER },
  { key: 'host', src: 'reserved', keep: true, source: FILTER + ' (reserved:.*)' },
  { key: 'topology.kubernetes.io/zone', keep: true, source: FILTER + ' (exclude must match at key start)' },
];
for (const c of cases) {
  test(`label filter ${c.keep ? 'keeps' : 'drops'} ${c.src ?? 'k8s'}:${c.key}`, () => {
    assert.equal(isIdentityRelevant(label(c.src ?? 'k8s', c.key, 'x')), c.keep, c.source);
  });
}

const pod = (labels: Record<string, string>, sa = 'default'): Pod => ({
  name: 'p', namespace: 'shop', labels, ip: '10.0.0.1', nodeName: 'n1', serviceAccount: sa,
  hostNetwork: false, ports: [], owner: { kind: 'Pod', name: 'p' },
});
const ns = { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop', team: 'a' } };

test('podIdentityLabels builds the §2.6 label set', () => {
  // source: semantics.md §2.6; pkg/k8s/utils/utils.go SanitizePodLabels
  const ls = podIdentityLabels(pod({ app: 'web', 'pod-template-hash': 'abc' }), ns, 'default');
  assert.deepEqual(ls.toStrings(), [
    'k8s:app=web',
    'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=shop',
    'k8s:io.cilium.k8s.namespace.labels.team=a',
    'k8s:io.cilium.k8s.policy.cluster=default',
    'k8s:io.cilium.k8s.policy.serviceaccount=default',
    'k8s:io.kubernetes.pod.namespace=shop',
  ]);
});

test('podIdentityLabels omits an empty service account', () => {
  // source: SanitizePodLabels: serviceAccount == "" -> delete
  assert.equal(podIdentityLabels(pod({}, ''), ns, 'c1').has('io.cilium.k8s.policy.serviceaccount'), false);
});

test('1.18+ strips user labels starting with io.cilium.k8s; 1.16/1.17 keep them', () => {
  // source: semantics.md §2.6; pkg/k8s/utils/utils.go filterPodLabels (1.18)
  const p = pod({ 'io.cilium.k8s.fake': 'x', 'io.kubernetes.pod.namespace': 'evil' });
  assert.equal(podIdentityLabels(p, ns, 'default').has('io.cilium.k8s.fake'), false);
  assert.equal(podIdentityLabels(p, ns, 'default', { stripCiliumPrefixedLabels: false }).get('io.cilium.k8s.fake'), 'x');
  // Cilium's own namespace label always wins over a user label of the same key.
  assert.equal(podIdentityLabels(p, ns, 'default').get('io.kubernetes.pod.namespace'), 'shop');
});
