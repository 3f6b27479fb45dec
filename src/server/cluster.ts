/**
 * @module server/cluster
 *
 * The state behind the Kubernetes API: the object store, the writes kubectl
 * makes (create, update, the three patch formats, server-side apply,
 * delete), and after every write the reconciliation a real control plane
 * does, read from polis rather than re-derived: the stored objects go to the
 * {@link ClusterBackend} as sources, and the Session's cluster model and
 * engine give the ReplicaSets, Pods (same names and IPs as `polis get pods`),
 * Nodes, implicit Namespaces, CiliumEndpoints and CiliumIdentities (the
 * identities verdicts use), plus the status a controller would write.
 * A write polis's validation refuses is refused here with 422 Invalid and
 * polis's messages at their fields, and nothing changes.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { parseLabelSelector, parseLabels, selectorMatches } from '../hubble/filter/label-selector.js';
import { loadManifests } from '../manifest/load.js';
import type { SourceFile } from '../manifest/source.js';
import { podTemplateHash } from '../model/names.js';
import type { Pod } from '../model/types.js';
import { loadWorkspace } from '../workspace/load.js';
import type { ClusterBackend } from './backend.js';
import { applyConfig, recordUpdate } from './managed-fields.js';
import { jsonPatch, mergePatch, PatchError, strategicMergePatch, type Json } from './patch.js';
import { RESOURCES, resourceByKind, groupVersion, type KubeObject, type ResourceType } from './resources.js';
import { ApiError, alreadyExists, badRequest, conflict, invalid, notFound, qualified } from './status.js';
import { ObjectStore, type StoredObject } from './store.js';

export const KUBERNETES_VERSION = { major: '1', minor: '33', gitVersion: 'v1.33.0' } as const;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export interface ListOptions {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

export interface WriteOptions {
  readonly manager: string;
  readonly dryRun?: boolean;
  readonly force?: boolean;
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

const rk = (kind: string) => RESOURCES.find((r) => r.kind === kind) as ResourceType;
const objectName = (o: KubeObject): string => (typeof o.metadata?.name === 'string' ? o.metadata.name : '');

export class VirtualApi {
  readonly store: ObjectStore;
  /** Diagnostics of the last load of every stored object. */
  diagnostics: readonly Diagnostic[] = [];

  constructor(readonly backend: ClusterBackend, private readonly clock: () => Date = () => new Date()) {
    this.store = new ObjectStore(clock);
  }

  /** Loads manifests as if `kubectl apply -f` had created each object; returns what could not be stored. */
  seed(sources: readonly SourceFile[]): string[] {
    const skipped: string[] = [];
    for (const o of loadManifests(sources).objects) {
      const r = resourceByKind(o.apiVersion, o.kind);
      if (!r || !o.name) {
        skipped.push(`${o.displayName}: not served`);
        continue;
      }
      const obj = JSON.parse(JSON.stringify(o.value)) as KubeObject;
      if (r.namespaced) obj.metadata = { ...obj.metadata, namespace: o.namespace ?? 'default' };
      // What `kubectl apply` records, so a later `kubectl apply` of the same files patches quietly.
      obj.metadata = { ...obj.metadata, annotations: { ...obj.metadata?.annotations, [LAST_APPLIED]: `${JSON.stringify(o.value)}\n` } };
      this.store.put(r, recordUpdate(r.kind, undefined, obj as never, 'kubectl-client-side-apply', this.now()) as KubeObject, false);
    }
    this.reconcile();
    return skipped;
  }

  private now(): string {
    return this.clock().toISOString().replace(/\.\d+Z$/, 'Z');
  }

  list(r: ResourceType, ns: string | undefined, opts: ListOptions = {}): KubeObject[] {
    return this.store.list(r, ns).map((s) => s.object).filter(selector(opts));
  }

  get(r: ResourceType, ns: string, name: string): KubeObject {
    const s = this.store.get(r, ns, name);
    if (!s) throw notFound(r, name);
    return s.object;
  }

  create(r: ResourceType, ns: string, body: KubeObject, opts: WriteOptions): KubeObject {
    const name = this.checkBody(r, ns, body);
    if (this.store.get(r, ns, name)) throw alreadyExists(r, name);
    return this.write(r, ns, recordUpdate(r.kind, undefined, strip(body) as never, opts.manager, this.now()) as KubeObject, opts);
  }

  update(r: ResourceType, ns: string, name: string, body: KubeObject, opts: WriteOptions): KubeObject {
    const bodyName = this.checkBody(r, ns, body);
    if (bodyName !== name) throw badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
    const old = this.store.get(r, ns, name);
    if (!old) throw notFound(r, name);
    const rv = body.metadata?.resourceVersion;
    if (rv && rv !== old.object.metadata?.resourceVersion) {
      throw conflict(r, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    const next = { ...strip(body), metadata: { ...strip(body).metadata, managedFields: old.object.metadata?.managedFields } };
    return this.write(r, ns, recordUpdate(r.kind, old.object as never, next as never, opts.manager, this.now()) as KubeObject, opts);
  }

  patch(r: ResourceType, ns: string, name: string, type: PatchType, body: Json, opts: WriteOptions): { object: KubeObject; created: boolean } {
    const old = this.store.get(r, ns, name);
    if (type === 'apply') {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the apply configuration must be an object');
      const config = body as KubeObject;
      if (config.metadata?.name !== undefined && config.metadata.name !== name) throw badRequest(`the name of the object (${config.metadata.name}) does not match the name on the URL (${name})`);
      if (config.kind !== r.kind || config.apiVersion !== groupVersion(r)) {
        throw badRequest(`the apiVersion and kind of the apply configuration (${config.apiVersion}, ${config.kind}) do not match the URL (${groupVersion(r)}, ${r.kind})`);
      }
      const applied = applyConfig(r.kind, old?.object as never, { ...config, metadata: { ...config.metadata, name, ...(r.namespaced ? { namespace: ns } : {}) } } as never, opts.manager, opts.force === true, this.now());
      if (!applied.ok) {
        const fields = applied.conflicts.map((c) => `conflict with "${c.manager}": ${c.field}`);
        throw new ApiError(409, 'Conflict', `Apply failed with ${fields.length} conflict${fields.length === 1 ? '' : 's'}: ${fields.join('\n')}`, {
          name, ...(r.group ? { group: r.group } : {}), kind: r.plural,
          causes: applied.conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}"`, field: c.field })),
        });
      }
      const next = applied.object as KubeObject;
      if (old) next.metadata = { ...next.metadata, uid: old.object.metadata?.uid, resourceVersion: old.object.metadata?.resourceVersion };
      return { object: this.write(r, ns, next, opts), created: !old };
    }
    if (!old) throw notFound(r, name);
    let next: Json;
    try {
      if (type === 'merge') next = mergePatch(old.object as Json, body);
      else if (type === 'json') next = jsonPatch(old.object as Json, body);
      else next = strategicMergePatch(r.kind, old.object as Json, body);
    } catch (e) {
      if (e instanceof PatchError) throw new ApiError(422, 'Invalid', `the patch cannot be applied: ${e.message}`);
      throw e;
    }
    const obj = next as KubeObject;
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new ApiError(422, 'Invalid', 'the patched object is not an object');
    if (objectName(obj) !== name) throw badRequest('a patch may not change metadata.name');
    const rv = obj.metadata?.resourceVersion;
    if (rv !== undefined && rv !== old.object.metadata?.resourceVersion) {
      throw conflict(r, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    return { object: this.write(r, ns, recordUpdate(r.kind, old.object as never, obj as never, opts.manager, this.now()) as KubeObject, opts), created: false };
  }

  delete(r: ResourceType, ns: string, name: string): KubeObject {
    const old = this.store.get(r, ns, name);
    if (!old) throw notFound(r, name);
    this.store.delete(r, ns, name);
    if (r.kind === 'Namespace') {
      // The namespace controller deletes everything in a deleted namespace.
      for (const s of [...this.store.all()]) {
        if (s.resource.namespaced && s.object.metadata?.namespace === name) this.store.delete(s.resource, name, objectName(s.object));
      }
    }
    // Deleting what the cluster made (a Deployment's pod) is answered, and reconciliation makes it again, as its controller would.
    this.reconcile();
    return old.object;
  }

  deleteCollection(r: ResourceType, ns: string | undefined, opts: ListOptions): KubeObject[] {
    const gone = this.list(r, ns, opts);
    for (const o of gone) this.store.delete(r, o.metadata?.namespace ?? '', objectName(o));
    this.reconcile();
    return gone;
  }

  private checkBody(r: ResourceType, ns: string, body: KubeObject): string {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the request body must be an object');
    if (body.kind !== undefined && body.kind !== r.kind) throw badRequest(`the kind of the object (${String(body.kind)}) does not match the URL (${r.kind})`);
    if (body.apiVersion !== undefined && body.apiVersion !== groupVersion(r)) throw badRequest(`the API version of the object (${String(body.apiVersion)}) does not match the URL (${groupVersion(r)})`);
    const name = objectName(body);
    if (!name) throw invalid(r, '', [{ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
    if (r.namespaced && body.metadata?.namespace !== undefined && body.metadata.namespace !== ns) {
      throw badRequest(`the namespace of the provided object does not match the namespace sent on the request`);
    }
    return name;
  }

  /** Validates with polis, stores, reconciles. */
  private write(r: ResourceType, ns: string, obj: KubeObject, opts: WriteOptions): KubeObject {
    const name = objectName(obj);
    const candidate: KubeObject = { apiVersion: groupVersion(r), kind: r.kind, ...obj, metadata: { ...obj.metadata, ...(r.namespaced ? { namespace: ns } : {}) } };
    if (r.kind === 'Namespace') {
      // The API server labels every namespace with its name (NamespaceDefaultLabelName, Kubernetes 1.22+).
      candidate.metadata.labels = { ...candidate.metadata.labels, 'kubernetes.io/metadata.name': name };
      candidate.status = { phase: 'Active' };
    }
    const errors = validate(r, candidate);
    if (errors.length) throw invalid(r, name, errors);
    if (opts.dryRun) return candidate;
    const stored = this.store.put(r, candidate, false);
    this.reconcile();
    return this.store.get(r, ns, name)?.object ?? stored;
  }

  /** Hands the user's objects to the backend and writes what follows from them. */
  reconcile(): void {
    const user = [...this.store.all()].filter((s) => !s.derived);
    const sources: SourceFile[] = user.map((s) => ({
      path: `${qualified(s.resource)}/${s.object.metadata?.namespace ? `${s.object.metadata.namespace}/` : ''}${objectName(s.object)}`,
      text: JSON.stringify(s.object),
    }));
    this.diagnostics = this.backend.setSources(sources);
    const desired = derive(this.backend, user.map((s) => s.object), this.now());
    const keep = new Set<string>();
    for (const d of desired.derived) {
      const r = rk(d.kind);
      keep.add(`${r.plural}/${d.metadata.namespace ?? ''}/${d.metadata.name}`);
      const old = this.store.get(r, d.metadata.namespace ?? '', d.metadata.name);
      if (old && !old.derived) continue;
      this.store.put(r, d, true);
    }
    for (const s of [...this.store.all()]) {
      if (s.derived && !keep.has(`${s.resource.plural}/${s.object.metadata?.namespace ?? ''}/${objectName(s.object)}`)) {
        this.store.delete(s.resource, s.object.metadata?.namespace ?? '', objectName(s.object));
      }
    }
    for (const [s, status] of desired.statuses) {
      const cur = this.store.get(s.resource, s.object.metadata?.namespace ?? '', objectName(s.object));
      if (!cur || cur.derived) continue;
      const next = { ...cur.object, ...status };
      if (JSON.stringify(next) !== JSON.stringify(cur.object)) this.store.put(s.resource, next, false);
    }
  }
}

/** The test of `labelSelector` and `fieldSelector` (throws a 400 for one that does not parse). */
export function selector(opts: ListOptions): (o: KubeObject) => boolean {
  const tests: ((o: KubeObject) => boolean)[] = [];
  if (opts.labelSelector) {
    const sel = parseLabelSelector(opts.labelSelector);
    if ('error' in sel) throw badRequest(`unable to parse requirement: ${sel.error}`);
    tests.push((o) => selectorMatches(sel, parseLabels(Object.entries(o.metadata?.labels ?? {}).map(([k, v]) => `k8s:${k}=${String(v)}`))));
  }
  for (const term of (opts.fieldSelector ?? '').split(',').filter(Boolean)) {
    const m = /^([\w.]+)(==|!=|=)(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid field selector: "${term}"`);
    const [, field, op, value] = m as unknown as [string, string, string, string];
    const get = FIELD_GETTERS[field];
    if (!get) throw badRequest(`field label not supported: ${field}`);
    tests.push((o) => (get(o) === value) === (op !== '!='));
  }
  return (o) => tests.every((t) => t(o));
}

const FIELD_GETTERS: Record<string, (o: KubeObject) => string> = {
  'metadata.name': (o) => o.metadata?.name ?? '',
  'metadata.namespace': (o) => o.metadata?.namespace ?? '',
  'spec.nodeName': (o) => o.spec?.nodeName ?? '',
  'status.phase': (o) => o.status?.phase ?? '',
};

/** The object as a client may set it: server-maintained metadata is the server's. */
function strip(body: KubeObject): KubeObject {
  const { uid: _u, creationTimestamp: _c, generation: _g, managedFields: _m, selfLink: _s, ...metadata } = body.metadata ?? {};
  return { ...body, metadata };
}

/** polis's errors about this one object, as Status causes at their fields. */
function validate(r: ResourceType, obj: KubeObject): { reason: string; message: string; field?: string }[] {
  const path = `${qualified(r)}/${objectName(obj)}`;
  const ws = loadWorkspace([{ path, text: JSON.stringify(obj) }]);
  return ws.diagnostics
    .filter((d) => d.severity === 'error' && (d.location?.file ?? path) === path)
    .map((d) => ({ reason: 'FieldValueInvalid', message: `Invalid value: ${d.message}${d.hint ? ` (${d.hint})` : ''}`, ...(d.path ? { field: d.path } : {}) }));
}

interface Desired {
  readonly derived: KubeObject[];
  /** Fields a controller writes into user objects (status, a Service's clusterIP). */
  readonly statuses: [StoredObject, KubeObject][];
}

/** Everything a control plane with Cilium would make from the user's objects, read from the session. */
function derive(backend: ClusterBackend, user: readonly KubeObject[], now: string): Desired {
  const session = backend.session;
  const cluster = session.workspace.cluster;
  const derived: KubeObject[] = [];
  const byKind = (kind: string, ns: string, name: string) =>
    user.find((o) => o.kind === kind && (o.metadata?.namespace ?? '') === ns && o.metadata?.name === name);
  const declared = (kind: string, name: string) => user.some((o) => o.kind === kind && o.metadata?.name === name);

  for (const n of cluster.namespaces) {
    if (declared('Namespace', n.name)) continue;
    derived.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n.name, labels: { ...n.labels } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  }
  for (const n of cluster.nodes) {
    if (declared('Node', n.name)) continue;
    derived.push({
      apiVersion: 'v1', kind: 'Node', metadata: { name: n.name, labels: { ...n.labels } }, spec: { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR] },
      status: {
        addresses: [{ type: 'InternalIP', address: n.ip }, { type: 'Hostname', address: n.name }],
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
        nodeInfo: { kubeletVersion: KUBERNETES_VERSION.gitVersion, osImage: 'polis virtual node', kernelVersion: '', containerRuntimeVersion: 'polis://virtual', architecture: 'amd64', operatingSystem: 'linux' },
      },
    });
  }

  const templateOf = (p: Pod): KubeObject | undefined => {
    const owner = byKind(p.owner.kind, p.namespace, p.owner.name);
    if (!owner) return undefined;
    return p.owner.kind === 'CronJob' ? owner.spec?.jobTemplate?.spec?.template : owner.spec?.template;
  };
  // The identities of the engine the verdicts come from (same options), not a second compile.
  const identities = backend.engine().identities();
  const identityOfPod = new Map<string, (typeof identities)[number]>();
  for (const id of identities) for (const p of id.pods) identityOfPod.set(p, id);

  const replicaSets = new Map<string, KubeObject>();
  cluster.pods.forEach((p, i) => {
    const template = templateOf(p);
    let ownerRef: KubeObject | undefined;
    if (p.owner.kind === 'Deployment') {
      const dep = byKind('Deployment', p.namespace, p.owner.name);
      const rsName = `${p.owner.name}-${podTemplateHash(template ?? {})}`;
      if (dep && !replicaSets.has(`${p.namespace}/${rsName}`)) {
        const replicas = dep.spec?.replicas ?? 1;
        replicaSets.set(`${p.namespace}/${rsName}`, {
          apiVersion: 'apps/v1', kind: 'ReplicaSet',
          metadata: {
            name: rsName, namespace: p.namespace, labels: { ...(template?.metadata?.labels ?? {}), 'pod-template-hash': podTemplateHash(template ?? {}) },
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: dep.metadata.name, uid: dep.metadata.uid, controller: true, blockOwnerDeletion: true }],
          },
          spec: { replicas, selector: dep.spec?.selector, template },
          status: { replicas, readyReplicas: replicas, availableReplicas: replicas, fullyLabeledReplicas: replicas, observedGeneration: 1 },
        });
      }
      ownerRef = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rsName, controller: true, blockOwnerDeletion: true };
    } else if (p.owner.kind !== 'Pod') {
      const owner = byKind(p.owner.kind, p.namespace, p.owner.name);
      ownerRef = { apiVersion: owner?.apiVersion ?? 'apps/v1', kind: p.owner.kind, name: p.owner.name, ...(owner ? { uid: owner.metadata?.uid } : {}), controller: true, blockOwnerDeletion: true };
    }
    const containers: KubeObject[] = template?.spec?.containers ?? [{ name: p.owner.name, image: 'virtual', ports: p.ports.map((x) => ({ containerPort: x.containerPort, protocol: x.protocol })) }];
    const node = cluster.nodes.find((n) => n.name === p.nodeName);
    const status = {
      phase: 'Running', podIP: p.ip, podIPs: [{ ip: p.ip }], hostIP: node?.ip, startTime: now,
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True' })),
      containerStatuses: containers.map((c) => ({ name: c.name, image: c.image, imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } } })),
    };
    if (p.owner.kind !== 'Pod') {
      derived.push({
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: p.name, namespace: p.namespace, labels: { ...p.labels }, ...(ownerRef ? { ownerReferences: [ownerRef] } : {}) },
        spec: { ...(template?.spec ?? {}), containers, nodeName: p.nodeName, serviceAccountName: p.serviceAccount },
        status,
      });
    }
    const id = identityOfPod.get(`${p.namespace}/${p.name}`);
    if (!p.hostNetwork && id) {
      derived.push({
        apiVersion: 'cilium.io/v2', kind: 'CiliumEndpoint',
        metadata: { name: p.name, namespace: p.namespace, ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: p.name }] },
        status: {
          id: 100 + i, 'external-identifiers': { 'k8s-namespace': p.namespace, 'k8s-pod-name': p.name, 'pod-name': `${p.namespace}/${p.name}` },
          identity: { id: id.id, labels: id.labels },
          networking: { addressing: [{ ipv4: p.ip }], node: node?.ip ?? '' },
          state: 'ready', encryption: {},
        },
      });
    }
  });
  derived.push(...replicaSets.values());
  for (const id of identities) {
    if (id.id < 256 || id.id >= 1 << 24 || id.pods.length === 0) continue;
    const security = Object.fromEntries(id.labels.map((l) => { const e = l.indexOf('='); return e < 0 ? [l, ''] : [l.slice(0, e), l.slice(e + 1)]; }));
    const k8s = Object.fromEntries(Object.entries(security).filter(([k]) => k.startsWith('k8s:') && k.length <= 63 + 4).map(([k, v]) => [k.slice(4), v]));
    derived.push({ apiVersion: 'cilium.io/v2', kind: 'CiliumIdentity', metadata: { name: String(id.id), labels: k8s }, 'security-labels': security });
  }

  const statuses: Desired['statuses'] = [];
  const podsOf = (ns: string, name: string) => cluster.pods.filter((p) => p.namespace === ns && p.owner.name === name && p.owner.kind !== 'Pod').length;
  for (const o of user) {
    const r = resourceByKind(o.apiVersion, o.kind);
    if (!r) continue;
    const ns = o.metadata?.namespace ?? '';
    const stored = { resource: r, object: o, derived: false };
    if (o.kind === 'Deployment' || o.kind === 'StatefulSet') {
      const n = podsOf(ns, o.metadata.name);
      statuses.push([stored, { status: {
        observedGeneration: o.metadata?.generation ?? 1, replicas: n, readyReplicas: n, availableReplicas: n, updatedReplicas: n,
        ...(o.kind === 'Deployment' ? { conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }] } : { currentReplicas: n }),
      } }]);
    } else if (o.kind === 'DaemonSet') {
      const n = podsOf(ns, o.metadata.name);
      statuses.push([stored, { status: { desiredNumberScheduled: n, currentNumberScheduled: n, numberReady: n, numberAvailable: n, updatedNumberScheduled: n, observedGeneration: o.metadata?.generation ?? 1 } }]);
    } else if (o.kind === 'Pod') {
      const p = cluster.pods.find((x) => x.namespace === ns && x.name === o.metadata.name);
      if (p) {
        statuses.push([stored, {
          spec: { ...o.spec, nodeName: p.nodeName },
          status: { phase: 'Running', podIP: p.ip, podIPs: [{ ip: p.ip }], conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: (o.spec?.containers ?? []).map((c: KubeObject) => ({ name: c.name, image: c.image, ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } } })) },
        }]);
      }
    } else if (o.kind === 'Service') {
      const s = cluster.services.find((x) => x.namespace === ns && x.name === o.metadata.name);
      if (s && s.type !== 'ExternalName') {
        statuses.push([stored, { spec: {
          ...o.spec, clusterIP: s.clusterIP, clusterIPs: s.clusterIPs ?? [s.clusterIP], type: s.type,
          ports: (o.spec?.ports ?? []).map((p: KubeObject, i: number) => ({ protocol: 'TCP', targetPort: p.port, ...p, ...(s.ports[i]?.nodePort ? { nodePort: s.ports[i]?.nodePort } : {}) })),
        } }]);
      }
    } else if (o.kind === 'CiliumNetworkPolicy' || o.kind === 'CiliumClusterwideNetworkPolicy') {
      statuses.push([stored, { status: { conditions: [{ type: 'Valid', status: 'True', message: 'Policy validation succeeded', lastTransitionTime: o.metadata?.creationTimestamp ?? now }] } }]);
    }
  }
  return { derived, statuses };
}
