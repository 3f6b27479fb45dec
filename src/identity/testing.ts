/**
 * @module identity/testing
 * @internal
 *
 * Small builders for identity-layer tests and benchmarks: a cluster with
 * nodes, namespaces and pods, filled with sensible defaults. Not exported
 * from the package index.
 */
import type { Cluster, ClusterNode, Namespace, Pod } from '../model/types.js';

/** A pod with defaults (namespace `default`, node `worker`, service account `default`). */
export function mkPod(p: Partial<Pod> & Pick<Pod, 'name' | 'ip'>): Pod {
  return {
    namespace: 'default',
    labels: {},
    nodeName: 'worker',
    serviceAccount: 'default',
    hostNetwork: false,
    ports: [],
    owner: { kind: 'Pod', name: p.name },
    ...p,
  };
}

/** A node with defaults (worker, no labels). */
export function mkNode(name: string, ip: string, controlPlane = false, labels: Record<string, string> = {}): ClusterNode {
  return { name, ip, labels, podCIDR: '10.244.0.0/24', controlPlane };
}

/** A namespace with the `kubernetes.io/metadata.name` label the API server sets. */
export function mkNamespace(name: string, labels: Record<string, string> = {}): Namespace {
  return { name, labels: { 'kubernetes.io/metadata.name': name, ...labels }, implicit: false };
}

/** A cluster named `default` (Cilium's default cluster name) with kind-like nodes unless given. */
export function mkCluster(c: Partial<Cluster>): Cluster {
  return {
    name: 'default',
    podCIDR: '10.244.0.0/16',
    serviceCIDR: '10.96.0.0/12',
    namespaces: [mkNamespace('default')],
    nodes: [mkNode('control-plane', '172.18.0.2', true), mkNode('worker', '172.18.0.3'), mkNode('worker2', '172.18.0.4')],
    pods: [],
    services: [],
    serviceAccounts: [],
    ...c,
  };
}
