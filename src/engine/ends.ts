/**
 * @module engine/ends
 *
 * The two ends of a connection as the datapath sees them. A query names
 * pods, addresses, external names or a Service; before any policy is read,
 * each becomes an {@link End}: its address, the endpoint that enforces
 * policy there (a pod's identity, or the host with the host firewall on),
 * and the named ports it resolves. A Service, a ClusterIP or a NodePort is
 * translated to its backends and target ports first, as Cilium's socket
 * load balancer does (semantics.md §4.10). Built once per cluster; pod ends
 * are shared objects, so pod-to-pod questions allocate nothing here.
 */
import type { IdentityTable } from '../identity/table.js';
import type { IdentityId } from '../identity/reserved.js';
import { Reserved } from '../identity/reserved.js';
import { parseIp } from '../net/ip.js';
import type { Cluster, ClusterNode, ContainerPort, Pod, Service, ServicePort } from '../model/types.js';
import { podIndex } from '../model/pods.js';
import { serviceBackends, serviceIndex, type ServiceIndex } from '../model/services.js';
import type { L4Protocol } from '../policy/rule.js';
import { namedPortKey } from './compile.js';
import type { NamedPorts } from './side.js';
import type { QueryProblem } from './types.js';

/** A resolved end of a connection. */
export interface End {
  readonly ip: string;
  /** `ns/pod`, a node name, an address or an external name. */
  readonly text: string;
  /** A Cilium-managed pod (not hostNetwork): it has an endpoint that enforces policy. */
  readonly pod?: Pod;
  /** The node whose address this is (a node IP or a hostNetwork pod). */
  readonly node?: ClusterNode;
  /** The external name this address was reached by. */
  readonly fqdn?: string;
  /** Identity of the pod's endpoint; undefined for everything that is not a managed pod. */
  readonly identity?: IdentityId;
  /** The pod's own named ports (what ingress rules resolve names against). */
  readonly names?: NamedPorts;
  /** A number for {@link names}: pods with equal port tables share it (a verdict cache key). */
  readonly namesId?: number;
}

/** One backend of a Service port. */
export interface Backend {
  readonly end: End;
  /** The target port on this backend. */
  readonly port: number;
}

export class Ends {
  private readonly pods = new Map<Pod, End>();
  private readonly namesBySignature = new Map<string, { readonly table: NamedPorts; readonly id: number }>();
  private readonly namesByPorts = new Map<readonly ContainerPort[], { readonly table: NamedPorts; readonly id: number }>();
  private readonly nodeByIp = new Map<string, ClusterNode>();
  private readonly nodeByName = new Map<string, ClusterNode>();
  private serviceIdx: ServiceIndex | undefined;
  private readonly backends = new Map<ServicePort, readonly Backend[]>();
  private agreedNames: NamedPorts | undefined;

  constructor(private readonly cluster: Cluster, private readonly table: IdentityTable) {
    for (const n of cluster.nodes) {
      this.nodeByIp.set(n.ip, n);
      this.nodeByName.set(n.name, n);
    }
  }

  /** Named ports every pod agrees on: what egress rules resolve names against (§4.4). Built on the first egress question. */
  get egressNames(): NamedPorts {
    return (this.agreedNames ??= agreedPortNames(this.cluster));
  }

  /** Built on the first question about a Service: compiling policy needs none of it, and pod-to-pod questions never ask. */
  private get services(): ServiceIndex {
    return (this.serviceIdx ??= serviceIndex(this.cluster));
  }

  /** The end of a pod (shared object). */
  pod(pod: Pod): End {
    return this.pods.get(pod) ?? this.podEnd(pod);
  }

  /** Builds a pod's end on first use; a pod object not from this cluster (a caller's copy) is found by name. */
  private podEnd(pod: Pod): End {
    const text = `${pod.namespace}/${pod.name}`;
    const ours = podIndex(this.cluster).byName.get(text);
    if (!ours) return { ip: pod.ip, text };
    if (ours !== pod) return this.pod(ours);
    let end: End;
    if (pod.hostNetwork) end = { ip: pod.ip, text, ...nodeOf(this.nodeByName.get(pod.nodeName)) };
    else {
      const names = this.namesOf(pod.ports);
      end = { ip: pod.ip, text, pod, identity: this.table.identityOfClusterPod(pod) ?? Reserved.world, names: names.table, namesId: names.id };
    }
    this.pods.set(pod, end);
    return end;
  }

  /** A pod's named ports; pods with equal tables share one (the replicas of a workload share even their port list). */
  private namesOf(ports: readonly ContainerPort[]): { readonly table: NamedPorts; readonly id: number } {
    const known = this.namesByPorts.get(ports);
    if (known) return known;
    const own = new Map<string, number>();
    for (const cp of ports) {
      const key = cp.name ? namedPortKey(cp.name, cp.protocol) : undefined;
      if (key && !own.has(key)) own.set(key, cp.containerPort);
    }
    const sig = [...own].map(([k, v]) => `${k}=${v}`).join(',');
    let names = this.namesBySignature.get(sig);
    if (!names) this.namesBySignature.set(sig, (names = { table: own, id: this.namesBySignature.size }));
    this.namesByPorts.set(ports, names);
    return names;
  }

  /** The end of an address: a pod, a node, or an address outside the cluster. */
  address(ip: string): End | QueryProblem {
    if (!parseIp(ip)) return { problem: `${ip} is not an IP address` };
    const pod = podIndex(this.cluster).byIp.get(ip);
    if (pod) return this.pod(pod);
    const node = this.nodeByIp.get(ip);
    if (node) return { ip, text: node.name, node };
    return { ip, text: ip };
  }

  /** The Service whose ClusterIP this is. */
  serviceAt(ip: string): Service | undefined {
    return this.services.byClusterIP(ip)?.service;
  }

  /** The Service a node address and port reach as a NodePort, with its service port. */
  nodePort(ip: string, port: number, protocol: L4Protocol): { service: Service; port: ServicePort } | undefined {
    if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') return undefined;
    const np = this.services.byNodePort(ip, port, protocol);
    return np ? { service: np.entry.service, port: np.port } : undefined;
  }

  /** The service port a connection to `port`/`protocol` of the Service uses. */
  servicePort(svc: Service, port: number, protocol: L4Protocol): ServicePort | QueryProblem {
    const sp = svc.ports.find((p) => p.port === port && p.protocol === protocol);
    if (sp) return sp;
    const has = svc.ports.map((p) => `${p.port}/${p.protocol}`).join(', ') || 'none';
    return { problem: `service ${svc.namespace}/${svc.name} has no port ${port}/${protocol} (it has ${has})`, hint: 'a Service is reached on its own port (spec.ports[].port), not on the target port' };
  }

  /** Backends of a service port and their target ports (§4.10; computed once, in `model/services.ts`). */
  backendsOf(svc: Service, sp: ServicePort): readonly Backend[] {
    let list = this.backends.get(sp);
    if (list) return list;
    const found = serviceBackends(this.cluster, svc, sp.port, sp.protocol)?.backends ?? [];
    list = Object.freeze(found.flatMap((b): Backend[] => {
      const end = b.pod ? this.pod(b.pod) : this.address(b.ip);
      return 'problem' in end ? [] : [{ end, port: b.port }];
    }));
    this.backends.set(sp, list);
    return list;
  }

  /** The kube-dns Service, through which pods resolve names. */
  clusterDns(): Service | undefined {
    return this.services.byName('kube-system', 'kube-dns')?.service;
  }
}

function agreedPortNames(cluster: Cluster): NamedPorts {
  const agreed = new Map<string, number | null>();
  for (const p of cluster.pods) {
    for (const cp of p.ports) {
      if (!cp.name) continue;
      // Egress resolves a name only if every pod defining it agrees on the number.
      const key = namedPortKey(cp.name, cp.protocol);
      const prev = agreed.get(key);
      agreed.set(key, prev === undefined || prev === cp.containerPort ? cp.containerPort : null);
    }
  }
  return new Map([...agreed].filter((e): e is [string, number] => e[1] !== null));
}

function nodeOf(node: ClusterNode | undefined): { node?: ClusterNode } {
  return node ? { node } : {};
}
