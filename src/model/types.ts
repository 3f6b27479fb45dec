/**
 * @module model/types
 *
 * The typed model of a cluster as polis understands it: namespaces, nodes,
 * pods (workloads already expanded as their controllers would), services and
 * service accounts. Built by `model/build.ts` from loaded manifests; read by
 * identity, engine, simulate and every output. Nothing here knows about
 * policy.
 */
import type { SourceLocation } from '../diagnostics/diagnostic.js';

/** Kubernetes labels: key → value. */
export type Labels = Readonly<Record<string, string>>;

/** Transport protocols a Kubernetes port can name. */
export type PortProtocol = 'TCP' | 'UDP' | 'SCTP';

export interface Namespace {
  readonly name: string;
  /** Always includes `kubernetes.io/metadata.name=<name>`, as the API server sets it. */
  readonly labels: Labels;
  /** True when no Namespace object declared it (it exists because an object names it). */
  readonly implicit: boolean;
  readonly origin?: SourceLocation;
}

export interface ClusterNode {
  readonly name: string;
  readonly labels: Labels;
  /** InternalIP of the node. */
  readonly ip: string;
  /** Range pod IPs on this node are drawn from. */
  readonly podCIDR: string;
  /** True for control-plane nodes (no ordinary pods are scheduled there by default). */
  readonly controlPlane: boolean;
  readonly origin?: SourceLocation;
}

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol: PortProtocol;
}

/** What made a pod: the workload object polis expanded it from. */
export interface PodOwner {
  /** Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, or Pod for a bare pod. */
  readonly kind: string;
  readonly name: string;
}

export interface Pod {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Labels;
  /** Primary pod IP (IPv4 unless the pod has only IPv6). */
  readonly ip: string;
  readonly nodeName: string;
  readonly serviceAccount: string;
  /** hostNetwork pods use their node's IP and identity (host / remote-node). */
  readonly hostNetwork: boolean;
  readonly ports: readonly ContainerPort[];
  readonly owner: PodOwner;
  readonly origin?: SourceLocation;
}

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  /** Number, or the name of a container port on the backends. */
  readonly targetPort: number | string;
  readonly protocol: PortProtocol;
  readonly nodePort?: number;
}

export interface Service {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Labels;
  /** Pod selector; `undefined` for a selector-less Service (backed by Endpoints objects). */
  readonly selector?: Labels;
  readonly type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  /** `None` for headless services. */
  readonly clusterIP: string;
  readonly ports: readonly ServicePort[];
  /** For selector-less services: backend IPs from Endpoints / EndpointSlice objects. */
  readonly endpointIPs: readonly string[];
  readonly origin?: SourceLocation;
}

export interface ServiceAccount {
  readonly name: string;
  readonly namespace: string;
  readonly origin?: SourceLocation;
}

/**
 * A whole cluster. Arrays are sorted (namespace, then name) so every output
 * is deterministic.
 */
export interface Cluster {
  /** Cilium cluster name (`io.cilium.k8s.policy.cluster`), `default` unless configured. */
  readonly name: string;
  readonly podCIDR: string;
  readonly serviceCIDR: string;
  readonly namespaces: readonly Namespace[];
  readonly nodes: readonly ClusterNode[];
  readonly pods: readonly Pod[];
  readonly services: readonly Service[];
  readonly serviceAccounts: readonly ServiceAccount[];
}
