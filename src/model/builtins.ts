/**
 * @module model/builtins
 *
 * What a fresh kind cluster (the tutorial's setup) has before the user
 * applies anything: two nodes, CoreDNS in kube-system with its `kube-dns`
 * Service, and the `default/kubernetes` Service for the API server.
 */
import type { ClusterNode, Labels } from './types.js';
import { nodePodCidr } from './ipam.js';
import { nameSuffix, podTemplateHash } from './names.js';

/** `kind-control-plane` and `kind-worker`, with kind's addresses and labels. */
export function defaultNodes(podCIDR: string): ClusterNode[] {
  const common = (name: string): Labels => ({
    'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux',
  });
  return [
    {
      name: 'kind-control-plane', ip: '172.18.0.2', controlPlane: true,
      labels: { ...common('kind-control-plane'), 'node-role.kubernetes.io/control-plane': '' },
      podCIDR: nodePodCidr(podCIDR, 0) ?? podCIDR,
    },
    { name: 'kind-worker', ip: '172.18.0.3', controlPlane: false, labels: common('kind-worker'), podCIDR: nodePodCidr(podCIDR, 1) ?? podCIDR },
  ];
}

const COREDNS_TEMPLATE = {
  metadata: { labels: { 'k8s-app': 'kube-dns' } },
  spec: {
    serviceAccountName: 'coredns',
    tolerations: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
    containers: [{
      name: 'coredns',
      ports: [
        { name: 'dns', containerPort: 53, protocol: 'UDP' as const },
        { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' as const },
        { name: 'metrics', containerPort: 9153, protocol: 'TCP' as const },
      ],
    }],
  },
};

/** CoreDNS pods (2 replicas, on the control plane as in kind) and the kube-dns Service at 10.96.0.10. */
export function builtinCoreDns(nodes: readonly ClusterNode[]) {
  const hash = podTemplateHash(COREDNS_TEMPLATE);
  const node = nodes.find((n) => n.controlPlane) ?? nodes[0];
  const pods = [0, 1].map((i) => ({
    name: `coredns-${hash}-${nameSuffix(`kube-system/coredns/${i}`)}`,
    namespace: 'kube-system',
    labels: { ...COREDNS_TEMPLATE.metadata.labels, 'pod-template-hash': hash },
    spec: COREDNS_TEMPLATE.spec,
    owner: { kind: 'Deployment', name: 'coredns' },
    origin: undefined,
    ...(node ? { pinnedNode: node.name } : {}),
  }));
  const service = {
    name: 'kube-dns', namespace: 'kube-system',
    v: {
      metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS' } },
      spec: {
        clusterIP: '10.96.0.10', selector: { 'k8s-app': 'kube-dns' },
        ports: [
          { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' as const },
          { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' as const },
          { name: 'metrics', port: 9153, targetPort: 9153, protocol: 'TCP' as const },
        ],
      },
    },
  };
  return { pods, service };
}

/** `default/kubernetes`: selector-less, backed by the API server on the control plane. */
export function builtinKubernetesService() {
  return {
    name: 'kubernetes', namespace: 'default',
    v: {
      metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, targetPort: 6443, protocol: 'TCP' as const }] },
    },
  };
}
