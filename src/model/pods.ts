/**
 * @module model/pods
 *
 * Pods indexed every way a question names them: by namespace and name, by
 * the workload that made them, by namespace, by address. Built once per
 * cluster (a tests file of 100,000 cases resolves 200,000 endpoints, and
 * a scan per lookup would cost more than every verdict together).
 */
import type { Cluster, Pod } from './types.js';

export interface PodIndex {
  /** `ns/name` → the pod. */
  readonly byName: ReadonlyMap<string, Pod>;
  /** `ns/workload` → the pods a workload (Deployment, StatefulSet, …) made, in cluster order. */
  readonly byWorkload: ReadonlyMap<string, readonly Pod[]>;
  readonly byNamespace: ReadonlyMap<string, readonly Pod[]>;
  /** Pod IPs (hostNetwork pods, which use their node's, are left out). */
  readonly byIp: ReadonlyMap<string, Pod>;
}

const cache = new WeakMap<Cluster, PodIndex>();

/** The pod index of `cluster`, computed on first use. */
export function podIndex(cluster: Cluster): PodIndex {
  let index = cache.get(cluster);
  if (!index) {
    const byName = new Map<string, Pod>();
    const byWorkload = new Map<string, Pod[]>();
    const byNamespace = new Map<string, Pod[]>();
    const byIp = new Map<string, Pod>();
    const push = (m: Map<string, Pod[]>, k: string, p: Pod) => {
      const list = m.get(k);
      if (list) list.push(p);
      else m.set(k, [p]);
    };
    for (const pod of cluster.pods) {
      byName.set(`${pod.namespace}/${pod.name}`, pod);
      if (pod.owner.kind !== 'Pod') push(byWorkload, `${pod.namespace}/${pod.owner.name}`, pod);
      push(byNamespace, pod.namespace, pod);
      if (!pod.hostNetwork) byIp.set(pod.ip, pod);
    }
    index = { byName, byWorkload, byNamespace, byIp };
    cache.set(cluster, index);
  }
  return index;
}
