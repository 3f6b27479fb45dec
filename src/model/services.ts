/**
 * @module model/services
 *
 * Services as the cluster serves them: each Service's backends per service
 * port (what the Endpoints controller and Cilium's service table hold), and
 * the ways a client reaches a service — its name, its ClusterIPs, its DNS
 * names (as a pod's resolver searches them) and its node ports. Computed once
 * per {@link Cluster} and memoised, so that a verdict never scans pods to
 * translate a service (the cost `engine.translateService` used to pay on
 * every query).
 *
 * Sources of the rules: the Kubernetes DNS specification
 * (kubernetes/dns `docs/specification.md`: `<svc>.<ns>.svc.<zone>`, and
 * `<hostname>.<svc>.<ns>.svc.<zone>` for headless services), a pod's
 * resolv.conf under `dnsPolicy: ClusterFirst` (search `<ns>.svc.<zone>
 * svc.<zone> <zone>`, `options ndots:5`; kubelet `pkg/kubelet/network/dns`),
 * and the EndpointSlice controller (a named targetPort is looked up per pod
 * by name and protocol; a pod without it is no backend of that port,
 * `pkg/controller/endpointslice` `podutil.FindPort`).
 *
 * Pure: no I/O, nothing thrown; a miss is `undefined`.
 */
import { podIndex } from './pods.js';
import type { Cluster, Pod, PortProtocol, Service, ServicePort } from './types.js';

/** The cluster DNS domain (kubelet `--cluster-domain`; kind and kubeadm use `cluster.local`). */
export const CLUSTER_DOMAIN = 'cluster.local';

/** One backend of a service port: where the load balancer sends the connection. */
export interface Backend {
  /** The backend address (a hostNetwork pod's is its node's). */
  readonly ip: string;
  /** The port on the backend: the target port, resolved for this pod. */
  readonly port: number;
  /** The pod behind the address, when there is one (always, for services with a selector). */
  readonly pod?: Pod;
}

/** A service port and its backends, in pod order (namespace, name) or Endpoints order. */
export interface ServicePortBackends {
  readonly port: ServicePort;
  readonly backends: readonly Backend[];
}

/** Everything polis knows about one Service, derived once. */
export interface ServiceEntry {
  readonly service: Service;
  /** `NAME.NS.svc.cluster.local`. */
  readonly dnsName: string;
  /** `clusterIP: None`: DNS answers with the backends' own addresses and nothing is translated. */
  readonly headless: boolean;
  /** Pods the selector picks, whatever their ports (empty for selector-less services). */
  readonly pods: readonly Pod[];
  /** One per service port, in spec order. */
  readonly ports: readonly ServicePortBackends[];
  /** What the service's DNS name answers for a headless service: its pods', or its Endpoints', addresses. */
  readonly addresses: readonly { readonly ip: string; readonly pod?: Pod }[];
}

/** What an in-cluster DNS name stands for. */
export type DnsAnswer =
  /** A service with a ClusterIP: the client connects to it and the load balancer picks a backend. */
  | { readonly kind: 'service'; readonly name: string; readonly entry: ServiceEntry }
  /** A headless service: the name answers with every backend's own address. */
  | { readonly kind: 'headless'; readonly name: string; readonly entry: ServiceEntry }
  /** `HOSTNAME.SUBDOMAIN.NS.svc.cluster.local`: one pod behind a headless service. */
  | { readonly kind: 'pod'; readonly name: string; readonly entry: ServiceEntry; readonly pod: Pod }
  /** An ExternalName service: a CNAME to a name outside the cluster. */
  | { readonly kind: 'external-name'; readonly name: string; readonly entry: ServiceEntry; readonly target?: string };

/** A node port reached on a node address. */
export interface NodePortTarget {
  readonly entry: ServiceEntry;
  readonly port: ServicePort;
}

/** The services of one cluster, indexed every way a client can name them. */
export interface ServiceIndex {
  readonly entries: readonly ServiceEntry[];
  /** By namespace and name. */
  byName(namespace: string, name: string): ServiceEntry | undefined;
  /** The entry of a Service object of this cluster (falls back to its namespace and name). */
  of(service: Service): ServiceEntry | undefined;
  /** By any of its ClusterIPs (headless and ExternalName services have none). */
  byClusterIP(ip: string): ServiceEntry | undefined;
  /** By an absolute in-cluster DNS name (case-insensitive, trailing dot allowed). */
  byDnsName(name: string): DnsAnswer | undefined;
  /** A NodePort / LoadBalancer service port reached at `nodeIP:nodePort`. */
  byNodePort(nodeIP: string, nodePort: number, protocol: PortProtocol): NodePortTarget | undefined;
  /** Every node port open on the nodes, for hints. */
  readonly nodePorts: readonly NodePortTarget[];
}

const cache = new WeakMap<Cluster, ServiceIndex>();

/** The service index of `cluster`, computed on first use and kept as long as the cluster lives. */
export function serviceIndex(cluster: Cluster): ServiceIndex {
  let index = cache.get(cluster);
  if (!index) {
    index = buildIndex(cluster);
    cache.set(cluster, index);
  }
  return index;
}

/**
 * The backends of `service`'s port `port`/`protocol` (the service port, not
 * the target port), as the load balancer translates a connection to it;
 * `undefined` when the service has no such port. This is what the engine
 * calls to translate a service destination.
 */
export function serviceBackends(cluster: Cluster, service: Service, port: number, protocol: PortProtocol | string): ServicePortBackends | undefined {
  return serviceIndex(cluster).of(service)?.ports.find((p) => p.port.port === port && p.port.protocol === protocol);
}

/**
 * Resolves `name` as the resolver of a pod in `sourceNamespace` would
 * (dnsPolicy ClusterFirst): a name with fewer than 5 dots is tried with the
 * search path `<ns>.svc.cluster.local svc.cluster.local cluster.local`
 * first, then as written; a trailing dot means as written only. Without a
 * source namespace (a source outside any pod) the namespace's search entry
 * is left out. Answers only for names in the cluster; `undefined` for any
 * other (which is then a name outside the cluster, or nothing).
 */
export function resolveClusterName(index: ServiceIndex, name: string, sourceNamespace?: string): DnsAnswer | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.')) return index.byDnsName(lower);
  const search = [...(sourceNamespace ? [`${sourceNamespace}.svc.${CLUSTER_DOMAIN}`] : []), `svc.${CLUSTER_DOMAIN}`, CLUSTER_DOMAIN];
  const expanded = search.map((domain) => `${lower}.${domain}`);
  // ndots:5 (kubelet's default for ClusterFirst): names with 5 or more dots are tried as written first.
  const dots = lower.split('.').length - 1;
  const order = dots >= 5 ? [lower, ...expanded] : [...expanded, lower];
  for (const candidate of order) {
    const answer = index.byDnsName(candidate);
    if (answer) return answer;
  }
  return undefined;
}

/** `NAME.NS.svc.cluster.local` of a service. */
export function serviceDnsName(service: Pick<Service, 'name' | 'namespace'>): string {
  return `${service.name}.${service.namespace}.svc.${CLUSTER_DOMAIN}`.toLowerCase();
}

function buildIndex(cluster: Cluster): ServiceIndex {
  // A selector looks at the pods of its namespace only (the model's pod index, shared).
  const index = podIndex(cluster);
  const podByIp = index.byIp;
  const selected = (svc: Service): Pod[] => {
    const sel = Object.entries(svc.selector ?? {});
    if (sel.length === 0) return [];
    return (index.byNamespace.get(svc.namespace) ?? []).filter((p) => sel.every(([k, v]) => Object.hasOwn(p.labels, k) && p.labels[k] === v));
  };

  const entries: ServiceEntry[] = [];
  const byKey = new Map<string, ServiceEntry>();
  const byObject = new Map<Service, ServiceEntry>();
  const byIp = new Map<string, ServiceEntry>();
  const byDns = new Map<string, DnsAnswer>();
  const nodePortMap = new Map<string, NodePortTarget>();
  const nodePorts: NodePortTarget[] = [];

  for (const svc of cluster.services) {
    const pods = selected(svc);
    const ports = svc.ports.map((port): ServicePortBackends => ({ port, backends: svc.selector ? podBackends(pods, port) : endpointBackends(svc, port, podByIp) }));
    const headless = svc.clusterIP === 'None' && svc.type !== 'ExternalName';
    const addresses = svc.selector ? pods.map((pod) => ({ ip: pod.ip, pod })) : svc.endpointIPs.map((ip) => withPod(ip, podByIp));
    const entry: ServiceEntry = { service: svc, dnsName: serviceDnsName(svc), headless, pods, ports, addresses };
    entries.push(entry);
    byKey.set(`${svc.namespace}/${svc.name}`, entry);
    byObject.set(svc, entry);
    for (const ip of svc.clusterIPs ?? [svc.clusterIP]) {
      if (ip && ip !== 'None' && !byIp.has(ip)) byIp.set(ip, entry);
    }
    if (svc.type === 'ExternalName') {
      byDns.set(entry.dnsName, { kind: 'external-name', name: entry.dnsName, entry, ...(svc.externalName ? { target: svc.externalName } : {}) });
    } else if (headless) {
      byDns.set(entry.dnsName, { kind: 'headless', name: entry.dnsName, entry });
      // Pods that name this service as their subdomain get a record of their own.
      for (const pod of pods) {
        if (pod.hostname && pod.subdomain === svc.name) {
          const name = `${pod.hostname}.${entry.dnsName}`.toLowerCase();
          if (!byDns.has(name)) byDns.set(name, { kind: 'pod', name, entry, pod });
        }
      }
    } else {
      byDns.set(entry.dnsName, { kind: 'service', name: entry.dnsName, entry });
    }
    if (svc.type === 'NodePort' || svc.type === 'LoadBalancer') {
      for (const port of svc.ports) {
        if (port.nodePort === undefined) continue;
        const key = `${port.nodePort}/${port.protocol}`;
        if (nodePortMap.has(key)) continue;
        const target = { entry, port };
        nodePortMap.set(key, target);
        nodePorts.push(target);
      }
    }
  }
  const nodeIps = new Set(cluster.nodes.map((n) => n.ip));

  return {
    entries,
    nodePorts,
    byName: (namespace, name) => byKey.get(`${namespace}/${name}`),
    of: (service) => byObject.get(service) ?? byKey.get(`${service.namespace}/${service.name}`),
    byClusterIP: (ip) => byIp.get(ip),
    byDnsName: (name) => byDns.get(name.toLowerCase().replace(/\.$/, '')),
    byNodePort: (nodeIP, nodePort, protocol) => (nodeIps.has(nodeIP) ? nodePortMap.get(`${nodePort}/${protocol}`) : undefined),
  };
}

/** Backends of a selector service's port: each selected pod that has the target port. */
function podBackends(pods: readonly Pod[], sp: ServicePort): Backend[] {
  const out: Backend[] = [];
  for (const pod of pods) {
    const port = typeof sp.targetPort === 'number'
      ? sp.targetPort
      : pod.ports.find((c) => c.name === sp.targetPort && c.protocol === sp.protocol)?.containerPort;
    if (port !== undefined) out.push({ ip: pod.ip, port, pod });
  }
  return out;
}

/**
 * Backends of a selector-less service's port, from its Endpoints objects.
 * When they list ports, the endpoint port with the service port's name (and
 * protocol) is the target, and an address without it is no backend; when
 * they list none, the service's numeric targetPort (or its port) is.
 */
function endpointBackends(svc: Service, sp: ServicePort, podByIp: ReadonlyMap<string, Pod>): Backend[] {
  const out: Backend[] = [];
  if (svc.endpoints) {
    for (const ep of svc.endpoints) {
      const port = ep.ports.length === 0
        ? fallbackPort(sp)
        : ep.ports.find((p) => (p.name ?? '') === (sp.name ?? '') && p.protocol === sp.protocol)?.port;
      if (port !== undefined) out.push({ ...withPod(ep.ip, podByIp), port });
    }
    return out;
  }
  for (const ip of svc.endpointIPs) out.push({ ...withPod(ip, podByIp), port: fallbackPort(sp) });
  return out;
}

function fallbackPort(sp: ServicePort): number {
  return typeof sp.targetPort === 'number' ? sp.targetPort : sp.port;
}

function withPod(ip: string, podByIp: ReadonlyMap<string, Pod>): { ip: string; pod?: Pod } {
  const pod = podByIp.get(ip);
  return pod ? { ip, pod } : { ip };
}
