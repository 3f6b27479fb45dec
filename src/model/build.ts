/**
 * @module model/build
 *
 * Builds the cluster model from loaded objects, doing what the control plane
 * would do: controllers expand workloads into pods (names, labels, replicas),
 * the scheduler spreads them over worker nodes, IPAM gives them addresses,
 * services get cluster IPs, namespaces named but not declared exist, and a
 * kind-like cluster supplies what users do not write (nodes, CoreDNS, the
 * `kubernetes` service). Everything is deterministic: same input, same output.
 */
import type { z } from 'zod';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { formatPath, type ManifestObject } from '../manifest/object.js';
import { checkSchema } from '../manifest/check-schema.js';
import { parseCidr, parseIp } from '../net/ip.js';
import type {
  CidrGroup, Cluster, ClusterNode, ContainerPort, EndpointPort, Labels, Namespace, Pod, PodOwner, Service, ServiceAccount, ServiceEndpoint, ServicePort,
} from './types.js';
import * as s from './schemas.js';
import { AddressPool, nodePodCidr } from './ipam.js';
import { fnv32a, nameSuffix, podTemplateHash } from './names.js';
import { builtinCoreDns, builtinKubernetesService, defaultNodes } from './builtins.js';
import { own } from '../util/record.js';

/** Settings of the virtual cluster, each with its default. */
export interface ClusterOptions {
  /** Cilium cluster name (`cluster-name`), default `default`. */
  readonly clusterName?: string;
  /** Cluster pod CIDR, default `10.244.0.0/16`; each node gets a /24 of it. */
  readonly podCIDR?: string;
  /** Service CIDR, default `10.96.0.0/12` (kubeadm's default). */
  readonly serviceCIDR?: string;
  /**
   * Pods of the cluster as it was before this change (`ns/name` → node and
   * address). A running pod is never moved or renumbered by a real cluster,
   * so a pod named here keeps its node and IP (when the node still exists and
   * nothing fixed another address), and new pods are placed around them:
   * applying a Deployment never shifts the addresses of the others.
   */
  readonly previousPods?: ReadonlyMap<string, { readonly ip: string; readonly nodeName: string }>;
}

export const DEFAULT_POD_CIDR = '10.244.0.0/16';
export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';
/** Most pods polis expands one workload into. */
export const MAX_PODS_PER_WORKLOAD = 1000;

/** Kinds the model reads; policy kinds are read by the policy layer. */
export const MODEL_KINDS = new Set([
  'Namespace', 'Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob',
  'Service', 'Endpoints', 'EndpointSlice', 'Node', 'ServiceAccount', 'CiliumCIDRGroup',
]);
export const POLICY_KINDS = new Set(['NetworkPolicy', 'CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy']);

export interface BuildResult {
  readonly cluster: Cluster;
  readonly diagnostics: readonly Diagnostic[];
}

/** A pod before scheduling and IPAM. */
interface PodDraft {
  name: string;
  namespace: string;
  labels: Labels;
  spec: s.PodSpec;
  owner: PodOwner;
  origin: ManifestObject['location'] | undefined;
  podIP?: string;
  /** DaemonSet pods are pinned to one node each. */
  pinnedNode?: string;
  /** Set by the StatefulSet controller over the template's (pod name, spec.serviceName). */
  hostname?: string;
  subdomain?: string;
}

/** Builds the cluster model. Objects of kinds it does not read are ignored here. */
export function buildCluster(objects: readonly ManifestObject[], options: ClusterOptions = {}): BuildResult {
  const diagnostics: Diagnostic[] = [];
  const clusterName = options.clusterName ?? 'default';
  const podCIDR = options.podCIDR ?? DEFAULT_POD_CIDR;
  const serviceCIDR = options.serviceCIDR ?? DEFAULT_SERVICE_CIDR;
  for (const [label, cidr] of [['pod CIDR', podCIDR], ['service CIDR', serviceCIDR]] as const) {
    if (!parseCidr(cidr)) diagnostics.push({ code: 'invalid-option', severity: 'error', message: `${label} ${cidr} is not a valid CIDR`, hint: 'write it as address/length, e.g. 10.244.0.0/16' });
  }

  const typed = <S extends z.ZodType>(obj: ManifestObject, schema: S): z.infer<S> | undefined => {
    const r = checkSchema(obj, schema);
    diagnostics.push(...r.diagnostics);
    return r.value;
  };
  const nsOf = (o: ManifestObject) => o.namespace ?? 'default';
  const byKind = new Map<string, ManifestObject[]>();
  // Policies are not the model's: their duplicates are the policy layer's (policy/in-force.ts).
  for (const o of dedupe(objects.filter((x) => MODEL_KINDS.has(x.kind)), diagnostics)) {
    const list = byKind.get(o.kind) ?? [];
    list.push(o);
    byKind.set(o.kind, list);
  }
  const of = (kind: string) => byKind.get(kind) ?? [];

  // Nodes.
  const nodeObjs = of('Node');
  const nodes: ClusterNode[] = [];
  if (nodeObjs.length === 0) nodes.push(...defaultNodes(podCIDR));
  nodeObjs.forEach((o, i) => {
    const v = typed(o, s.nodeSchema);
    if (!v) return;
    const addresses = v.status?.addresses ?? [];
    addresses.forEach((a, j) => {
      if ((a.type === 'InternalIP' || a.type === 'ExternalIP') && !parseIp(a.address)) {
        const path = ['status', 'addresses', j, 'address'];
        diagnostics.push({
          code: 'invalid-ip', severity: 'error', location: o.locate(path), path: formatPath(path), object: o.displayName,
          message: `${a.type} ${JSON.stringify(a.address)} of node ${o.name} is not an IP address`,
          hint: 'write an IPv4 or IPv6 address, e.g. 172.18.0.2; host names go in a Hostname address',
        });
      }
    });
    const ip = addresses.find((a) => a.type === 'InternalIP' && parseIp(a.address))?.address ?? `172.18.0.${i + 2}`;
    const labels: Labels = { 'kubernetes.io/hostname': o.name, ...v.metadata.labels };
    nodes.push({
      name: o.name, labels, ip,
      podCIDR: v.spec?.podCIDR ?? nodePodCidr(podCIDR, i) ?? podCIDR,
      controlPlane: 'node-role.kubernetes.io/control-plane' in labels || 'node-role.kubernetes.io/master' in labels,
      origin: o.location,
    });
  });

  // Pods from every kind of workload.
  const drafts: PodDraft[] = [];
  for (const o of of('Pod')) {
    const v = typed(o, s.podSchema);
    if (!v) continue;
    drafts.push({
      name: o.name, namespace: nsOf(o), labels: v.metadata.labels ?? {}, spec: v.spec ?? {},
      owner: { kind: 'Pod', name: o.name }, origin: o.location, ...(v.status?.podIP ? { podIP: v.status.podIP } : {}),
    });
  }
  // A typo such as `replicas: 20000000` must not make polis model millions of pods.
  const capped = (o: ManifestObject, field: 'replicas' | 'parallelism', n: number, path: (string | number)[]) => {
    if (n <= MAX_PODS_PER_WORKLOAD) return n;
    diagnostics.push({
      code: 'too-many-replicas', severity: 'warning', location: o.locate(path), object: o.displayName,
      message: `${field} ${n} is more than polis models; it uses ${MAX_PODS_PER_WORKLOAD} pods for ${o.displayName}`,
    });
    return MAX_PODS_PER_WORKLOAD;
  };
  for (const kind of ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'] as const) {
    for (const o of of(kind)) {
      const v = typed(o, s.workloadSchema);
      if (v) drafts.push(...expandWorkload(kind, o, v, nsOf(o), nodes, capped(o, 'replicas', v.spec.replicas ?? 1, ['spec', 'replicas'])));
    }
  }
  for (const o of of('Job')) {
    const v = typed(o, s.jobSchema);
    if (v) drafts.push(...expandJob(o.name, nsOf(o), capped(o, 'parallelism', v.spec.parallelism ?? 1, ['spec', 'parallelism']), v.spec.template, { kind: 'Job', name: o.name }, o));
  }
  for (const o of of('CronJob')) {
    const v = typed(o, s.cronJobSchema);
    if (!v) continue;
    // One scheduled run, named as the CronJob controller names jobs (name-<minutes since epoch>).
    const jobName = `${o.name}-${29_000_000 + (fnv32a(`${nsOf(o)}/${o.name}`) % 1_000_000)}`;
    const job = v.spec.jobTemplate.spec;
    drafts.push(...expandJob(jobName, nsOf(o), capped(o, 'parallelism', job.parallelism ?? 1, ['spec', 'jobTemplate', 'spec', 'parallelism']), job.template, { kind: 'CronJob', name: o.name }, o));
  }

  // Services and their endpoints.
  const endpoints = collectEndpoints(of('Endpoints'), of('EndpointSlice'), typed, nsOf);
  const serviceDrafts: { o?: ManifestObject; name: string; namespace: string; v: z.infer<typeof s.serviceSchema> }[] = [];
  for (const o of of('Service')) {
    const v = typed(o, s.serviceSchema);
    if (v) serviceDrafts.push({ o, name: o.name, namespace: nsOf(o), v });
  }

  // What a kind cluster has that users do not write. Cluster DNS is two
  // halves: the user may declare their own CoreDNS pods, their own kube-dns
  // Service, or both; whichever half is missing is supplied, since a real
  // cluster always has both (pods resolve through 10.96.0.10).
  const userDnsPods = drafts.some((d) => d.namespace === 'kube-system' && d.labels['k8s-app'] === 'kube-dns');
  const userDnsService = serviceDrafts.some((d) => d.namespace === 'kube-system' && d.name === 'kube-dns');
  if (!userDnsPods || !userDnsService) {
    const dns = builtinCoreDns(nodes);
    if (!userDnsPods) drafts.push(...dns.pods);
    if (!userDnsService) serviceDrafts.push(dns.service);
  }
  if (!serviceDrafts.some((d) => d.namespace === 'default' && d.name === 'kubernetes')) {
    const cp = nodes.find((n) => n.controlPlane) ?? nodes[0];
    serviceDrafts.push(builtinKubernetesService());
    if (cp) endpoints.set('default/kubernetes', [{ ip: cp.ip, ports: [] }]);
  }

  const pods = schedule(drafts, nodes, podCIDR, diagnostics, options.previousPods);
  const services = assignServiceIPs(serviceDrafts, serviceCIDR, endpoints, diagnostics);
  const namespaces = collectNamespaces(objects, of('Namespace'), typed, pods, services);
  const serviceAccounts = collectServiceAccounts(of('ServiceAccount'), namespaces, pods, nsOf);
  const cidrGroups: CidrGroup[] = [];
  for (const o of of('CiliumCIDRGroup')) {
    const v = typed(o, s.cidrGroupSchema);
    if (v) cidrGroups.push({ name: o.name, labels: v.metadata.labels ?? {}, cidrs: v.spec.externalCIDRs ?? [], origin: o.location });
  }

  const byNsName = <T extends { namespace: string; name: string }>(a: T, b: T) =>
    a.namespace === b.namespace ? cmp(a.name, b.name) : cmp(a.namespace, b.namespace);
  return {
    cluster: {
      name: clusterName, podCIDR, serviceCIDR,
      namespaces: namespaces.sort((a, b) => cmp(a.name, b.name)),
      nodes,
      pods: pods.sort(byNsName),
      services: services.sort(byNsName),
      serviceAccounts: serviceAccounts.sort(byNsName),
      cidrGroups: cidrGroups.sort((a, b) => cmp(a.name, b.name)),
    },
    diagnostics,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** When an object is given twice, the later one wins, as with `kubectl apply`. */
function dedupe(objects: readonly ManifestObject[], diagnostics: Diagnostic[]): ManifestObject[] {
  const seen = new Map<string, number>();
  const out: ManifestObject[] = [];
  for (const o of objects) {
    const key = `${o.kind}/${o.namespace ?? ''}/${o.name}`;
    const prev = seen.get(key);
    if (prev !== undefined && o.name) {
      const first = out[prev]!;
      diagnostics.push({
        code: 'duplicate-object', severity: 'warning', location: o.location, object: o.displayName,
        message: `${o.displayName} is defined twice (first at ${first.location.file}:${first.location.line}); the later definition wins, as with kubectl apply`,
      });
      out[prev] = o;
    } else {
      seen.set(key, out.length);
      out.push(o);
    }
  }
  return out;
}

/** Pods of a Deployment/ReplicaSet/StatefulSet/DaemonSet, named and labelled as their controllers do. */
function expandWorkload(
  kind: 'Deployment' | 'ReplicaSet' | 'StatefulSet' | 'DaemonSet', o: ManifestObject,
  v: z.infer<typeof s.workloadSchema>, namespace: string, nodes: readonly ClusterNode[], replicas: number,
): PodDraft[] {
  const template = v.spec.template;
  const base: Labels = template.metadata?.labels ?? {};
  const spec = template.spec ?? {};
  const owner: PodOwner = { kind, name: o.name };
  const hash = podTemplateHash(template);
  const out: PodDraft[] = [];
  const draft = (name: string, labels: Labels, pinnedNode?: string): PodDraft => {
    const d: PodDraft = { name, namespace, labels, spec, owner, origin: o.location };
    if (pinnedNode) d.pinnedNode = pinnedNode;
    return d;
  };
  const seed = `${namespace}/${o.name}/`;
  switch (kind) {
    case 'Deployment': {
      // Replicas of one template carry equal labels: one object serves them all (labels are never written to).
      const labels: Labels = { ...base, 'pod-template-hash': hash };
      const prefix = `${o.name}-${hash}-`;
      for (let i = 0; i < replicas; i++) out.push(draft(prefix + nameSuffix(seed + i), labels));
      break;
    }
    case 'ReplicaSet':
      for (let i = 0; i < replicas; i++) out.push(draft(`${o.name}-${nameSuffix(seed + i)}`, base));
      break;
    case 'StatefulSet':
      for (let i = 0; i < replicas; i++) {
        const pod = draft(`${o.name}-${i}`, {
          ...base, 'controller-revision-hash': `${o.name}-${hash}`,
          'statefulset.kubernetes.io/pod-name': `${o.name}-${i}`, 'apps.kubernetes.io/pod-index': String(i),
        });
        // The controller names each pod in DNS through the governing Service
        // (`web-0.nginx.NS.svc.cluster.local`), whatever the template says.
        pod.hostname = pod.name;
        if (v.spec.serviceName) pod.subdomain = v.spec.serviceName;
        out.push(pod);
      }
      break;
    case 'DaemonSet':
      for (const n of nodes) {
        if (n.controlPlane && !toleratesControlPlane(spec)) continue;
        out.push(draft(`${o.name}-${nameSuffix(`${namespace}/${o.name}/${n.name}`)}`, {
          ...base, 'controller-revision-hash': hash, 'pod-template-generation': '1',
        }, n.name));
      }
      break;
  }
  return out;
}

function expandJob(
  name: string, namespace: string, parallelism: number, template: z.infer<typeof s.jobSchema>['spec']['template'],
  owner: PodOwner, o: ManifestObject,
): PodDraft[] {
  const uid = `${nameSuffix(`${namespace}/${name}/uid`)}-${nameSuffix(`${namespace}/${name}/uid2`)}`;
  const labels: Labels = {
    ...(template.metadata?.labels ?? {}),
    'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name,
    'controller-uid': uid, 'job-name': name,
  };
  const out: PodDraft[] = [];
  for (let i = 0; i < parallelism; i++) {
    out.push({ name: `${name}-${nameSuffix(`${namespace}/${name}/${i}`)}`, namespace, labels, spec: template.spec ?? {}, owner, origin: o.location });
  }
  return out;
}

function toleratesControlPlane(spec: s.PodSpec): boolean {
  return (spec.tolerations ?? []).some((t) =>
    (t.operator === 'Exists' && !t.key) ||
    t.key === 'node-role.kubernetes.io/control-plane' || t.key === 'node-role.kubernetes.io/master');
}

/** Places pods on nodes (round-robin over workers, honouring nodeName and nodeSelector) and gives them IPs. */
function schedule(
  drafts: PodDraft[], nodes: readonly ClusterNode[], podCIDR: string, diagnostics: Diagnostic[],
  previous?: ClusterOptions['previousPods'],
): Pod[] {
  const pools = new Map<string, AddressPool>();
  for (const n of nodes) {
    const c = parseCidr(n.podCIDR);
    if (c) pools.set(n.name, new AddressPool(c, 2n));
  }
  // A node's block holds ~250 pods; a model may have more (a real node would
  // leave them Pending). They get addresses from the rest of the pod CIDR.
  const clusterPrefix = parseCidr(podCIDR);
  const overflow = clusterPrefix && new AddressPool(clusterPrefix, BigInt(nodes.length) * 256n);
  let overflowed = false;
  // Pods that already run keep their place; their addresses are taken before any new pod is given one.
  const kept = new Map<PodDraft, { ip: string; node: ClusterNode }>();
  // Indexed loops over drafts and pods: they run once per pod (10,000), mostly before anything is optimised.
  for (let i = 0; previous && i < drafts.length; i++) {
    const d = drafts[i]!;
    const before = previous.get(`${d.namespace}/${d.name}`);
    const node = before && !d.podIP && nodes.find((n) => n.name === before.nodeName);
    if (before && node && (!d.pinnedNode || d.pinnedNode === node.name)) {
      kept.set(d, { ip: before.ip, node });
    }
  }
  for (let i = 0; i < drafts.length; i++) {
    const d = drafts[i]!;
    const ip = d.podIP ?? (d.spec.hostNetwork === true ? undefined : kept.get(d)?.ip);
    if (!ip) continue;
    for (const p of pools.values()) p.reserve(ip);
    overflow?.reserve(ip);
  }
  const workers = nodes.filter((n) => !n.controlPlane);
  const candidates = workers.length > 0 ? workers : nodes;
  let rr = 0;
  // Stable order, so adding a pod elsewhere does not move these.
  const keyed = drafts.map((d) => ({ d, key: `${d.namespace}/${d.name}` })).sort((a, b) => cmp(a.key, b.key));
  const ordered = keyed.map((k) => k.d);
  const pods: Pod[] = [];
  const portLists = new Map<s.PodSpec, readonly ContainerPort[]>();
  for (let i = 0; i < ordered.length; i++) {
    const d = ordered[i]!;
    const keep = kept.get(d);
    let node: ClusterNode | undefined = keep?.node;
    const wanted = keep ? undefined : d.pinnedNode ?? d.spec.nodeName;
    if (wanted) {
      node = nodes.find((n) => n.name === wanted);
      if (!node) {
        diagnostics.push({ code: 'unknown-node', severity: 'warning', location: d.origin, message: `pod ${d.namespace}/${d.name} names node "${wanted}", which is not in the cluster; it is placed on another node` });
      }
    }
    if (!node && !keep && d.spec.nodeSelector) {
      const sel = d.spec.nodeSelector;
      const fits = nodes.filter((n) => Object.entries(sel).every(([k, v]) => own(n.labels, k) === v));
      node = fits[rr++ % Math.max(1, fits.length)];
    }
    node ??= candidates[rr++ % candidates.length];
    if (!node) continue;
    const hostNetwork = d.spec.hostNetwork === true;
    let ip = hostNetwork ? node.ip : d.podIP ?? keep?.ip;
    if (ip !== undefined && !parseIp(ip)) {
      diagnostics.push({ code: 'invalid-ip', severity: 'error', location: d.origin, message: `status.podIP ${ip} of pod ${d.namespace}/${d.name} is not a valid IP address` });
      ip = undefined;
    }
    ip ??= pools.get(node.name)?.allocate();
    if (!ip && overflow) {
      ip = overflow.allocate();
      if (ip && !overflowed) {
        overflowed = true;
        diagnostics.push({ code: 'node-cidr-full', severity: 'info', location: d.origin, message: `node ${node.name}'s pod CIDR ${node.podCIDR} is full; further pods get addresses from the rest of ${podCIDR}` });
      }
    }
    if (!ip) {
      diagnostics.push({ code: 'ipam-exhausted', severity: 'error', location: d.origin, message: `no pod IP left on node ${node.name} for ${d.namespace}/${d.name}`, hint: 'use a larger pod CIDR (--pod-cidr)' });
      continue;
    }
    const hostname = d.hostname ?? d.spec.hostname;
    const subdomain = d.subdomain ?? d.spec.subdomain;
    // Optional fields are added after the others, in the order the object has always listed them.
    const pod: { -readonly [K in keyof Pod]: Pod[K] } = {
      name: d.name, namespace: d.namespace, labels: d.labels, ip, nodeName: node.name,
      serviceAccount: d.spec.serviceAccountName ?? d.spec.serviceAccount ?? 'default',
      hostNetwork, ports: portsOf(d.spec, portLists), owner: d.owner,
    };
    if (hostname) pod.hostname = hostname;
    if (subdomain) pod.subdomain = subdomain;
    if (d.origin) pod.origin = d.origin;
    pods.push(pod);
  }
  return pods;
}

/** Container ports of a pod spec, by spec (`lists`): replicas share their template's spec, so its list is built once and shared. */
function portsOf(spec: s.PodSpec, lists: Map<s.PodSpec, readonly ContainerPort[]>): readonly ContainerPort[] {
  let ports = lists.get(spec);
  if (ports) return ports;
  const list: ContainerPort[] = [];
  for (const cs of [spec.containers, spec.initContainers]) {
    if (!cs) continue;
    for (const c of cs) {
      for (const p of c.ports ?? []) {
        const protocol = p.protocol ?? 'TCP';
        list.push(p.name ? { name: p.name, containerPort: p.containerPort, protocol } : { containerPort: p.containerPort, protocol });
      }
    }
  }
  lists.set(spec, (ports = list));
  return ports;
}

/**
 * Backends of selector-less services, by `ns/service`: each address once,
 * with the union of the ports its Endpoints subsets and EndpointSlices list
 * (a service port finds its backend port there by name).
 */
function collectEndpoints(
  endpoints: readonly ManifestObject[], slices: readonly ManifestObject[],
  typed: <S extends z.ZodType>(o: ManifestObject, schema: S) => z.infer<S> | undefined,
  nsOf: (o: ManifestObject) => string,
): Map<string, ServiceEndpoint[]> {
  const out = new Map<string, ServiceEndpoint[]>();
  type RawPort = { name?: string | undefined; port?: number | undefined; protocol?: 'TCP' | 'UDP' | 'SCTP' | undefined };
  const add = (key: string, ips: readonly string[], raw: readonly RawPort[]) => {
    const ports: EndpointPort[] = [];
    for (const p of raw) if (p.port !== undefined) ports.push({ ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol ?? 'TCP' });
    const list = out.get(key) ?? [];
    for (const ip of ips) {
      const i = list.findIndex((e) => e.ip === ip);
      const prev = i < 0 ? [] : list[i]!.ports;
      const merged = [...prev, ...ports.filter((p) => !prev.some((q) => q.name === p.name && q.port === p.port && q.protocol === p.protocol))];
      if (i < 0) list.push({ ip, ports: merged });
      else list[i] = { ip, ports: merged };
    }
    out.set(key, list);
  };
  for (const o of endpoints) {
    const v = typed(o, s.endpointsSchema);
    for (const sub of v?.subsets ?? []) add(`${nsOf(o)}/${o.name}`, (sub.addresses ?? []).map((a) => a.ip), sub.ports ?? []);
  }
  for (const o of slices) {
    const v = typed(o, s.endpointSliceSchema);
    const svc = v?.metadata.labels?.['kubernetes.io/service-name'];
    // An FQDN slice lists host names, not endpoint IPs.
    if (v && svc && v.addressType !== 'FQDN') add(`${nsOf(o)}/${svc}`, (v.endpoints ?? []).flatMap((e) => e.addresses), v.ports ?? []);
  }
  return out;
}

/** The API server's default `--service-node-port-range`. */
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

function assignServiceIPs(
  drafts: { o?: ManifestObject; name: string; namespace: string; v: z.infer<typeof s.serviceSchema> }[],
  serviceCIDR: string, endpoints: Map<string, ServiceEndpoint[]>, diagnostics: Diagnostic[],
): Service[] {
  const prefix = parseCidr(serviceCIDR) ?? parseCidr('10.96.0.0/12')!;
  const pool = new AddressPool(prefix);
  const usedNodePorts = new Set<number>();
  for (const d of drafts) {
    if (d.v.spec?.clusterIP) pool.reserve(d.v.spec.clusterIP);
    for (const ip of d.v.spec?.clusterIPs ?? []) pool.reserve(ip);
    for (const p of d.v.spec?.ports ?? []) if (p.nodePort) usedNodePorts.add(p.nodePort);
  }
  const out: Service[] = [];
  for (const d of [...drafts].sort((a, b) => cmp(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`))) {
    const spec = d.v.spec ?? {};
    const type = spec.type ?? 'ClusterIP';
    const valid = (ip: string, path: (string | number)[]) => {
      if (ip === 'None' || ip === '' || parseIp(ip)) return true;
      diagnostics.push({ code: 'invalid-ip', severity: 'error', ...(d.o ? { location: d.o.locate(path) } : {}), message: `spec.${path.slice(1).join('.')} ${ip} is not a valid IP address` });
      return false;
    };
    const clusterIPs = (spec.clusterIPs ?? []).filter((ip, i) => valid(ip, ['spec', 'clusterIPs', i]) && ip !== 'None' && ip !== '');
    let clusterIP = spec.clusterIP;
    if (clusterIP !== undefined && !valid(clusterIP, ['spec', 'clusterIP'])) clusterIP = undefined;
    // The API server takes the primary address from clusterIPs when clusterIP is left out.
    if (!clusterIP && spec.clusterIPs?.[0] === 'None') clusterIP = 'None';
    clusterIP ||= clusterIPs[0];
    if (!clusterIP && type !== 'ExternalName') clusterIP = pool.allocateStable(`${d.namespace}/${d.name}`) ?? 'None';
    const ports: ServicePort[] = (spec.ports ?? []).map((p, i) => {
      // NodePort and LoadBalancer services get a node port for each port, as the API server allocates them.
      const nodePort = p.nodePort ?? (type === 'NodePort' || type === 'LoadBalancer' ? allocateNodePort(`${d.namespace}/${d.name}/${i}`, usedNodePorts) : undefined);
      return {
        ...(p.name ? { name: p.name } : {}), port: p.port, targetPort: p.targetPort ?? p.port, protocol: p.protocol ?? 'TCP',
        ...(nodePort ? { nodePort } : {}),
      };
    });
    // An empty selector is no selector: the service's endpoints are managed by hand (core/v1 ServiceSpec.selector).
    const selector = spec.selector && Object.keys(spec.selector).length > 0 ? spec.selector : undefined;
    const eps = selector ? [] : (endpoints.get(`${d.namespace}/${d.name}`) ?? []);
    out.push({
      name: d.name, namespace: d.namespace, labels: d.v.metadata.labels ?? {},
      ...(selector ? { selector } : {}),
      type, clusterIP: clusterIP ?? 'None',
      ...(clusterIPs.length ? { clusterIPs: clusterIP && clusterIP !== 'None' && !clusterIPs.includes(clusterIP) ? [clusterIP, ...clusterIPs] : clusterIPs } : {}),
      ports,
      ...(type === 'ExternalName' && spec.externalName ? { externalName: spec.externalName.toLowerCase().replace(/\.$/, '') } : {}),
      endpointIPs: eps.map((e) => e.ip),
      ...(eps.some((e) => e.ports.length > 0) ? { endpoints: eps } : {}),
      ...(d.o ? { origin: d.o.location } : {}),
    });
  }
  return out;
}

/** A free node port chosen by hashing `key` (stable when other services change), probing onward. */
function allocateNodePort(key: string, used: Set<number>): number | undefined {
  const span = NODE_PORT_MAX - NODE_PORT_MIN + 1;
  const start = fnv32a(key) % span;
  for (let i = 0; i < span; i++) {
    const port = NODE_PORT_MIN + ((start + i) % span);
    if (!used.has(port)) {
      used.add(port);
      return port;
    }
  }
  return undefined;
}

function collectNamespaces(
  all: readonly ManifestObject[], declared: readonly ManifestObject[],
  typed: <S extends z.ZodType>(o: ManifestObject, schema: S) => z.infer<S> | undefined,
  pods: readonly Pod[], services: readonly Service[],
): Namespace[] {
  const out = new Map<string, Namespace>();
  for (const o of declared) {
    const v = typed(o, s.namespaceSchema);
    if (!v) continue;
    out.set(o.name, { name: o.name, labels: { ...v.metadata.labels, 'kubernetes.io/metadata.name': o.name }, implicit: false, origin: o.location });
  }
  const implicit = (name: string) => {
    if (!out.has(name)) out.set(name, { name, labels: { 'kubernetes.io/metadata.name': name }, implicit: true });
  };
  for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) implicit(n);
  for (const o of all) {
    if (o.namespace) implicit(o.namespace);
    else if (o.kind !== 'Namespace' && o.kind !== 'Node' && o.kind !== 'CiliumClusterwideNetworkPolicy' && o.kind !== 'CiliumCIDRGroup') implicit('default');
  }
  for (let i = 0; i < pods.length; i++) implicit(pods[i]!.namespace);
  for (const sv of services) implicit(sv.namespace);
  return [...out.values()];
}

function collectServiceAccounts(
  declared: readonly ManifestObject[], namespaces: readonly Namespace[], pods: readonly Pod[], nsOf: (o: ManifestObject) => string,
): ServiceAccount[] {
  const out = new Map<string, ServiceAccount>();
  for (const n of namespaces) out.set(`${n.name}/default`, { name: 'default', namespace: n.name });
  for (const o of declared) out.set(`${nsOf(o)}/${o.name}`, { name: o.name, namespace: nsOf(o), origin: o.location });
  let prev: Pod | undefined;
  for (let i = 0; i < pods.length; i++) {
    const p = pods[i]!;
    // Pods come sorted by namespace: most have the account of the one before, already in `out`.
    if (prev && prev.namespace === p.namespace && prev.serviceAccount === p.serviceAccount) continue;
    prev = p;
    const key = `${p.namespace}/${p.serviceAccount}`;
    if (!out.has(key)) out.set(key, { name: p.serviceAccount, namespace: p.namespace });
  }
  return [...out.values()];
}
