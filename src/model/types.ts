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
  /**
   * `spec.hostname` / `spec.subdomain` (a StatefulSet sets them to the pod
   * name and `spec.serviceName`): with a headless Service named like the
   * subdomain, the pod gets the DNS name `HOSTNAME.SUBDOMAIN.NS.svc.cluster.local`.
   */
  readonly hostname?: string;
  readonly subdomain?: string;
  readonly origin?: SourceLocation;
}

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  /** Number, or the name of a container port on the backends. */
  readonly targetPort: number | string;
  readonly protocol: PortProtocol;
  /** For NodePort and LoadBalancer services: as written, or allocated as the API server does. */
  readonly nodePort?: number;
}

/** A port of an Endpoints subset or EndpointSlice; matched to a service port by name. */
export interface EndpointPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: PortProtocol;
}

/** One backend address of a selector-less Service, with the ports its Endpoints objects give it. */
export interface ServiceEndpoint {
  readonly ip: string;
  /** Empty when the objects list no ports (the service's targetPort is used then). */
  readonly ports: readonly EndpointPort[];
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
  /** `spec.clusterIPs` when written (dual stack): every address of the service, the primary first. */
  readonly clusterIPs?: readonly string[];
  readonly ports: readonly ServicePort[];
  /** For `type: ExternalName`: the name the service's DNS name is an alias (CNAME) of. */
  readonly externalName?: string;
  /** For selector-less services: backend IPs from Endpoints / EndpointSlice objects. */
  readonly endpointIPs: readonly string[];
  /** For selector-less services whose Endpoints / EndpointSlices list ports: each address with its ports. */
  readonly endpoints?: readonly ServiceEndpoint[];
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
  /** CiliumCIDRGroups, by name (cluster-scoped); absent in models built by hand. */
  readonly cidrGroups?: readonly CidrGroup[];
}

/** A CiliumCIDRGroup: what `cidrGroupRef` (by name) and `cidrGroupSelector` (by label) select. */
export interface CidrGroup {
  readonly name: string;
  readonly labels: Labels;
  /** `spec.externalCIDRs` as written. */
  readonly cidrs: readonly string[];
  readonly origin?: SourceLocation;
}
