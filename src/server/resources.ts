/**
 * @module server/resources
 *
 * The resource types the virtual cluster serves: the kinds polis loads
 * (and the ones it derives: ReplicaSets, Pods, CiliumEndpoints,
 * CiliumIdentities), each with the names discovery advertises (plural,
 * singular, short names kubectl resolves `po`, `cnp`, `cep` by) and the
 * columns `kubectl get` prints, computed as the Kubernetes printers do
 * (`pkg/printers/internalversion/printers.go`) and, for Cilium's CRDs, as
 * their `additionalPrinterColumns` (cilium `pkg/k8s/apis/cilium.io/client/crds/v2`).
 */

/** A stored object: JSON as kubectl sent it plus the server's metadata. */
export type KubeObject = Record<string, any>;

export interface Column {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'date';
  /** 0 shown always, 1 only with `-o wide`. */
  readonly priority: 0 | 1;
  readonly format?: string;
  readonly description: string;
  readonly cell: (o: KubeObject, now: number) => string | number;
}

export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly namespaced: boolean;
  readonly categories: readonly string[];
  readonly subresources: readonly string[];
  /** Kinds kubectl's scheme knows: client-side apply sends strategic merge patches for them. */
  readonly builtin: boolean;
  readonly columns: readonly Column[];
}

export const VERBS_RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

/** `group/version` as apiVersion spells it (`v1` for the core group). */
export function groupVersion(r: Pick<ResourceType, 'group' | 'version'>): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** Kubernetes' `duration.HumanDuration` (apimachinery `pkg/util/duration`). */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 24 * 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  if (h < 24 * 365 * 8) return d % 365 === 0 ? `${y}y` : `${y}y${d % 365}d`;
  return `${y}y`;
}

const str = (v: unknown, dflt = '<none>'): string => (v === undefined || v === null || v === '' ? dflt : String(v));
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

const NAME: Column = { name: 'Name', type: 'string', format: 'name', priority: 0, description: 'Name must be unique within a namespace.', cell: (o) => o.metadata?.name ?? '' };
const AGE: Column = {
  name: 'Age', type: 'string', priority: 0, description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  cell: (o, now) => {
    const t = Date.parse(o.metadata?.creationTimestamp ?? '');
    return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
  },
};
const col = (name: string, cell: Column['cell'], priority: 0 | 1 = 0, type: Column['type'] = 'string'): Column => ({ name, type, priority, description: name, cell });

function labelSelectorText(sel: KubeObject | undefined): string {
  if (!sel) return '<none>';
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const vals = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${vals})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${vals})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.length ? parts.join(',') : '<none>';
}

const containers = (o: KubeObject): KubeObject[] => o.spec?.template?.spec?.containers ?? [];
const workloadWide = [
  col('Containers', (o) => containers(o).map((c) => c.name).join(','), 1),
  col('Images', (o) => containers(o).map((c) => c.image).join(','), 1),
  col('Selector', (o) => labelSelectorText(o.spec?.selector), 1),
];

function servicePorts(o: KubeObject): string {
  const ports: KubeObject[] = o.spec?.ports ?? [];
  if (!ports.length) return '<none>';
  return ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

const podReady = (o: KubeObject): string => {
  const total = (o.spec?.containers ?? []).length;
  const ready = (o.status?.containerStatuses ?? []).filter((c: KubeObject) => c.ready).length;
  return `${ready}/${total}`;
};

function resource(
  group: string, kind: string, plural: string, shortNames: string[], namespaced: boolean, columns: Column[],
  extra: Partial<Pick<ResourceType, 'categories' | 'subresources' | 'version'>> = {},
): ResourceType {
  return {
    group, version: extra.version ?? (group === 'cilium.io' ? 'v2' : 'v1'), kind, plural, singular: kind.toLowerCase(), shortNames, namespaced,
    categories: extra.categories ?? (group === 'cilium.io' ? ['cilium'] : []), subresources: extra.subresources ?? [],
    builtin: group !== 'cilium.io', columns: [NAME, ...columns],
  };
}

const CILIUM_POLICY_COLUMNS = [
  AGE,
  col('Valid', (o) => str((o.status?.conditions ?? []).find((c: KubeObject) => c.type === 'Valid')?.status, '')),
];

export const RESOURCES: readonly ResourceType[] = [
  resource('', 'Namespace', 'namespaces', ['ns'], false, [col('Status', (o) => str(o.status?.phase, 'Active')), AGE]),
  resource('', 'Node', 'nodes', ['no'], false, [
    col('Status', () => 'Ready'),
    col('Roles', (o) => Object.keys(o.metadata?.labels ?? {}).filter((k) => k.startsWith('node-role.kubernetes.io/')).map((k) => k.slice(24)).join(',') || '<none>'),
    AGE,
    col('Version', (o) => str(o.status?.nodeInfo?.kubeletVersion)),
    col('Internal-IP', (o) => str((o.status?.addresses ?? []).find((a: KubeObject) => a.type === 'InternalIP')?.address), 1),
    col('External-IP', () => '<none>', 1),
  ]),
  resource('', 'Pod', 'pods', ['po'], true, [
    col('Ready', podReady),
    col('Status', (o) => str(o.status?.phase, 'Pending')),
    col('Restarts', () => 0, 0, 'integer'),
    AGE,
    col('IP', (o) => str(o.status?.podIP), 1),
    col('Node', (o) => str(o.spec?.nodeName), 1),
    col('Nominated Node', () => '<none>', 1),
    col('Readiness Gates', () => '<none>', 1),
  ], { categories: ['all'], subresources: ['exec', 'log', 'status'] }),
  resource('', 'Service', 'services', ['svc'], true, [
    col('Type', (o) => str(o.spec?.type, 'ClusterIP')),
    col('Cluster-IP', (o) => str(o.spec?.clusterIP)),
    col('External-IP', (o) => (o.spec?.type === 'ExternalName' ? str(o.spec?.externalName) : o.spec?.type === 'LoadBalancer' ? '<pending>' : '<none>')),
    col('Port(s)', servicePorts),
    AGE,
    col('Selector', (o) => (o.spec?.selector ? Object.entries(o.spec.selector).map(([k, v]) => `${k}=${v}`).join(',') : '<none>'), 1),
  ], { categories: ['all'] }),
  // Nothing happens in the virtual cluster that Kubernetes would record as an event; served so `describe` and `get events` work.
  resource('', 'Event', 'events', ['ev'], true, [
    col('Last Seen', () => ''), col('Type', (o) => str(o.type)), col('Reason', (o) => str(o.reason)), col('Object', (o) => `${o.involvedObject?.kind ?? ''}/${o.involvedObject?.name ?? ''}`), col('Message', (o) => str(o.message, '')),
  ]),
  resource('', 'ServiceAccount', 'serviceaccounts', ['sa'], true, [col('Secrets', (o) => (o.secrets ?? []).length, 0, 'integer'), AGE]),
  resource('', 'Endpoints', 'endpoints', ['ep'], true, [
    col('Endpoints', (o) => (o.subsets ?? []).flatMap((s: KubeObject) => (s.addresses ?? []).map((a: KubeObject) => a.ip)).join(',') || '<none>'),
    AGE,
  ]),
  resource('apps', 'Deployment', 'deployments', ['deploy'], true, [
    col('Ready', (o) => `${num(o.status?.readyReplicas)}/${o.spec?.replicas ?? 1}`),
    col('Up-to-date', (o) => num(o.status?.updatedReplicas), 0, 'integer'),
    col('Available', (o) => num(o.status?.availableReplicas), 0, 'integer'),
    AGE, ...workloadWide,
  ], { categories: ['all'], subresources: ['scale', 'status'] }),
  resource('apps', 'ReplicaSet', 'replicasets', ['rs'], true, [
    col('Desired', (o) => o.spec?.replicas ?? 1, 0, 'integer'),
    col('Current', (o) => num(o.status?.replicas), 0, 'integer'),
    col('Ready', (o) => num(o.status?.readyReplicas), 0, 'integer'),
    AGE, ...workloadWide,
  ], { categories: ['all'], subresources: ['scale', 'status'] }),
  resource('apps', 'StatefulSet', 'statefulsets', ['sts'], true, [
    col('Ready', (o) => `${num(o.status?.readyReplicas)}/${o.spec?.replicas ?? 1}`), AGE, ...workloadWide.slice(0, 2),
  ], { categories: ['all'], subresources: ['scale', 'status'] }),
  resource('apps', 'DaemonSet', 'daemonsets', ['ds'], true, [
    col('Desired', (o) => num(o.status?.desiredNumberScheduled), 0, 'integer'),
    col('Current', (o) => num(o.status?.currentNumberScheduled), 0, 'integer'),
    col('Ready', (o) => num(o.status?.numberReady), 0, 'integer'),
    AGE, ...workloadWide,
  ], { categories: ['all'] }),
  resource('batch', 'Job', 'jobs', [], true, [AGE], { categories: ['all'] }),
  resource('batch', 'CronJob', 'cronjobs', ['cj'], true, [col('Schedule', (o) => str(o.spec?.schedule)), AGE], { categories: ['all'] }),
  resource('discovery.k8s.io', 'EndpointSlice', 'endpointslices', [], true, [
    col('AddressType', (o) => str(o.addressType)), AGE,
  ]),
  resource('networking.k8s.io', 'NetworkPolicy', 'networkpolicies', ['netpol'], true, [
    col('Pod-Selector', (o) => (labelSelectorText(o.spec?.podSelector) === '<none>' ? '<none>' : labelSelectorText(o.spec?.podSelector))),
    AGE,
  ]),
  resource('cilium.io', 'CiliumNetworkPolicy', 'ciliumnetworkpolicies', ['cnp', 'ciliumnp'], true, CILIUM_POLICY_COLUMNS, { categories: ['cilium', 'ciliumpolicy'] }),
  resource('cilium.io', 'CiliumClusterwideNetworkPolicy', 'ciliumclusterwidenetworkpolicies', ['ccnp'], false, CILIUM_POLICY_COLUMNS, { categories: ['cilium', 'ciliumpolicy'] }),
  resource('cilium.io', 'CiliumEndpoint', 'ciliumendpoints', ['cep', 'ciliumep'], true, [
    col('Cilium Endpoint', (o) => num(o.status?.id), 1, 'integer'),
    col('Security Identity', (o) => num(o.status?.identity?.id), 0, 'integer'),
    col('Endpoint State', (o) => str(o.status?.state, '')),
    col('IPv4', (o) => str(o.status?.networking?.addressing?.[0]?.ipv4, '')),
    col('IPv6', (o) => str(o.status?.networking?.addressing?.[0]?.ipv6, '')),
  ]),
  resource('cilium.io', 'CiliumIdentity', 'ciliumidentities', ['ciliumid'], false, [
    col('Namespace', (o) => str(o['security-labels']?.['k8s:io.kubernetes.pod.namespace'], '')), AGE,
  ]),
];

const byPlural = new Map<string, ResourceType>(RESOURCES.map((r) => [`${r.group}/${r.version}/${r.plural}`, r]));
const byKind = new Map<string, ResourceType>(RESOURCES.map((r) => [`${groupVersion(r)}/${r.kind}`, r]));

/** The resource at `/apis/GROUP/VERSION/PLURAL` (group '' for `/api/v1`). */
export function resourceByPlural(group: string, version: string, plural: string): ResourceType | undefined {
  return byPlural.get(`${group}/${version}/${plural}`);
}

/** The resource of an object's `apiVersion` and `kind`. */
export function resourceByKind(apiVersion: string, kind: string): ResourceType | undefined {
  return byKind.get(`${apiVersion}/${kind}`);
}

/** Group versions served, core first. */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES) seen.set(groupVersion(r), { group: r.group, version: r.version });
  return [...seen.values()];
}
