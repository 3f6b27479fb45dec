/**
 * @module generate/cluster
 *
 * The cluster the flows came from, as manifests polis can load: one Pod per
 * observed pod identity (its stable labels, service account and an address
 * it was seen with), its Namespace with the namespace labels the identity
 * carried, and three nodes (a control plane running the kube-apiserver, the
 * node every pod runs on, another node), so that replaying a connection asks
 * the engine about exactly the identities Hubble reported. The manifests are
 * text, so replay goes through the same loader and engine as every other
 * verdict.
 */
import type { SourceFile } from '../manifest/source.js';
import { cmp, parseEndpointKey, type EntityName, type ObservedEndpoint, type PodInfo } from './observed.js';
import { q } from './policies.js';
import { dnsName, groupWorkloads } from './workloads.js';

/** The path of the synthetic source, as diagnostics name it. */
export const OBSERVED_CLUSTER_PATH = '<observed cluster>';

export const NODES = {
  controlPlane: { name: 'observed-control-plane', ip: '192.0.2.1' },
  local: { name: 'observed-node', ip: '192.0.2.2' },
  remote: { name: 'observed-other-node', ip: '192.0.2.3' },
} as const;
/** An address for `world` when the flows gave none (TEST-NET-3, RFC 5737). */
export const WORLD_IP = '203.0.113.1';

/** Where each end of a connection is, for the engine. */
export type Where =
  | { readonly kind: 'pods'; readonly pods: readonly string[] }
  | { readonly kind: 'ip'; readonly ip: string }
  | { readonly kind: 'none'; readonly why: string };

export interface ObservedCluster {
  readonly source: SourceFile;
  /** `NS/NAME` of the synthetic pod of each pod endpoint key. */
  readonly podOf: ReadonlyMap<string, string>;
  /** Load options: the cluster name, and a pod CIDR (RFC 6598 shared space) that observed world addresses are unlikely to fall in. */
  readonly options: { readonly clusterName?: string; readonly podCIDR: string };
}

/**
 * Pods get addresses from here, not the ones they were seen with: Hubble
 * reports some pod addresses as world (a sidecar's un-NATed ClusterIP, a
 * pod of another cluster), and a CIDR rule never selects a pod (§1.8).
 */
export const OBSERVED_POD_CIDR = '100.64.0.0/16';

function labelsYaml(indent: string, labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels).sort(cmp).map((k) => `${indent}${q(k)}: ${q(labels[k]!)}\n`).join('');
}

/** Builds the manifests of the pods seen in the flows. */
export function observedCluster(pods: ReadonlyMap<string, PodInfo>): ObservedCluster {
  const keys = [...pods.keys()].sort(cmp);
  const workloads = groupWorkloads(keys);
  const namespaces = new Map<string, Record<string, string>>();
  const clusters = new Map<string, number>();
  const podOf = new Map<string, string>();
  const perWorkload = new Map<string, number>();
  const used = new Set<string>();
  let text = '';
  for (const n of [NODES.controlPlane, NODES.local, NODES.remote]) {
    const cp = n === NODES.controlPlane ? '\n    node-role.kubernetes.io/control-plane: ""' : '';
    text += `apiVersion: v1\nkind: Node\nmetadata:\n  name: ${n.name}\n  labels:\n    kubernetes.io/hostname: ${n.name}${cp}\nstatus:\n  addresses:\n    - {type: InternalIP, address: ${n.ip}}\n---\n`;
  }
  for (const key of keys) {
    const e = parseEndpointKey(key);
    if (e.kind !== 'pod') continue;
    const info = pods.get(key)!;
    const ns = namespaces.get(e.namespace) ?? {};
    Object.assign(ns, info.namespaceLabels);
    namespaces.set(e.namespace, ns);
    if (info.cluster) clusters.set(info.cluster, (clusters.get(info.cluster) ?? 0) + 1);
    const w = workloads.get(key);
    const base = dnsName(w?.name ?? 'pod');
    let i = perWorkload.get(`${e.namespace}/${base}`) ?? 0;
    let name: string;
    do name = `${base}-observed-${i++}`;
    while (used.has(`${e.namespace}/${name}`));
    perWorkload.set(`${e.namespace}/${base}`, i);
    used.add(`${e.namespace}/${name}`);
    podOf.set(key, `${e.namespace}/${name}`);
    const sa = info.serviceAccount ? `  serviceAccountName: ${q(info.serviceAccount)}\n` : '';
    text += `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${q(e.namespace)}\n  labels:\n${labelsYaml('    ', e.labels)}spec:\n  nodeName: ${NODES.local.name}\n${sa}  containers:\n    - {name: app, image: observed}\n---\n`;
  }
  for (const ns of [...namespaces.keys()].sort(cmp)) {
    const labels = namespaces.get(ns)!;
    text += `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${q(ns)}\n${Object.keys(labels).length > 0 ? `  labels:\n${labelsYaml('    ', labels)}` : ''}---\n`;
  }
  const clusterName = [...clusters].sort((a, b) => b[1] - a[1] || cmp(a[0], b[0]))[0]?.[0];
  return { source: { path: OBSERVED_CLUSTER_PATH, text }, podOf, options: { podCIDR: OBSERVED_POD_CIDR, ...(clusterName ? { clusterName } : {}) } };
}

const ENTITY_IPS: Partial<Record<EntityName, string>> = {
  'host': NODES.local.ip,
  'remote-node': NODES.remote.ip,
  'kube-apiserver': NODES.controlPlane.ip,
  'world': WORLD_IP,
};

/** Where an observed endpoint is in the observed cluster. */
export function whereIs(cluster: ObservedCluster, e: ObservedEndpoint, key: string): Where {
  switch (e.kind) {
    case 'pod': {
      const p = cluster.podOf.get(key);
      return p ? { kind: 'pods', pods: [p] } : { kind: 'none', why: `no pod for ${key}` };
    }
    case 'ip':
      return { kind: 'ip', ip: e.ip };
    case 'entity': {
      const ip = ENTITY_IPS[e.entity];
      return ip ? { kind: 'ip', ip } : { kind: 'none', why: `the ${e.entity} entity has no address polis can replay from` };
    }
  }
}
