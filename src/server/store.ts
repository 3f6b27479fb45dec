/**
 * @module server/store
 *
 * The API object store of the virtual cluster: objects by resource,
 * namespace and name, each as stored (metadata.uid, resourceVersion,
 * creationTimestamp, generation kept by the server), one resourceVersion
 * counter for the whole store as etcd's revision, and watchers that get
 * ADDED / MODIFIED / DELETED events. Objects written by the cluster itself
 * (pods of a Deployment, CiliumEndpoints, …) are flagged `derived` so they
 * are never handed back to the loader as if a user had written them.
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject, ResourceType } from './resources.js';

export interface StoredObject {
  readonly resource: ResourceType;
  readonly object: KubeObject;
  readonly derived: boolean;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Watcher {
  readonly resource: ResourceType;
  readonly namespace?: string;
  readonly send: (type: WatchEventType, object: KubeObject) => void;
}

/** Events kept for watches that resume (the apiserver's watch cache keeps ~100 per resource; one store here). */
const HISTORY = 2000;

const keyOf = (r: ResourceType, ns: string, name: string) => `${r.group}/${r.plural}/${ns}/${name}`;

/** Content without the fields the server maintains, to tell a real change from a no-op. */
function content(o: KubeObject): string {
  const { metadata = {}, ...rest } = o;
  const { resourceVersion: _r, uid: _u, creationTimestamp: _c, generation: _g, ...meta } = metadata;
  return JSON.stringify({ ...rest, metadata: meta });
}

function specOf(o: KubeObject): string {
  const { metadata: _m, status: _s, ...rest } = o;
  return JSON.stringify(rest);
}

export class ObjectStore {
  private readonly objects = new Map<string, StoredObject>();
  private readonly watchers = new Set<Watcher>();
  private revision = 1;
  /** Recent events, for watches that start from a list's resourceVersion. */
  private readonly history: { rv: number; resource: ResourceType; type: WatchEventType; object: KubeObject }[] = [];
  /** The newest revision no longer in {@link history}. */
  private forgotten = 0;

  constructor(private readonly clock: () => Date = () => new Date()) {}

  /** The current resourceVersion of the store (a list's `metadata.resourceVersion`). */
  get resourceVersion(): string {
    return String(this.revision);
  }

  get(r: ResourceType, ns: string, name: string): StoredObject | undefined {
    return this.objects.get(keyOf(r, r.namespaced ? ns : '', name));
  }

  /** Objects of one resource (one namespace, or all when `ns` is undefined), sorted by namespace and name. */
  list(r: ResourceType, ns?: string): StoredObject[] {
    const out: StoredObject[] = [];
    for (const s of this.objects.values()) {
      if (s.resource !== r) continue;
      if (ns !== undefined && r.namespaced && (s.object.metadata?.namespace ?? '') !== ns) continue;
      out.push(s);
    }
    const k = (s: StoredObject) => `${s.object.metadata?.namespace ?? ''}/${s.object.metadata?.name ?? ''}`;
    return out.sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0));
  }

  all(): IterableIterator<StoredObject> {
    return this.objects.values();
  }

  /**
   * Writes an object: keeps uid and creationTimestamp of the stored one,
   * bumps generation when anything but metadata and status changed, and
   * does nothing (returns the stored object) when nothing changed.
   */
  put(r: ResourceType, object: KubeObject, derived: boolean): KubeObject {
    const ns = r.namespaced ? (object.metadata?.namespace ?? 'default') : '';
    const name = object.metadata?.name as string;
    const key = keyOf(r, ns, name);
    const old = this.objects.get(key);
    if (old && content(old.object) === content(object) && old.derived === derived) return old.object;
    const metadata: KubeObject = { ...object.metadata, name };
    if (r.namespaced) metadata.namespace = ns;
    else delete metadata.namespace;
    metadata.uid = old?.object.metadata?.uid ?? randomUUID();
    metadata.creationTimestamp = old?.object.metadata?.creationTimestamp ?? this.clock().toISOString().replace(/\.\d+Z$/, 'Z');
    metadata.generation = !old ? 1 : specOf(old.object) !== specOf(object) ? (old.object.metadata?.generation ?? 1) + 1 : (old.object.metadata?.generation ?? 1);
    metadata.resourceVersion = String(++this.revision);
    const stored: KubeObject = { apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind: r.kind, ...object, metadata };
    this.objects.set(key, { resource: r, object: stored, derived });
    this.notify(r, old ? 'MODIFIED' : 'ADDED', stored);
    return stored;
  }

  delete(r: ResourceType, ns: string, name: string): KubeObject | undefined {
    const key = keyOf(r, r.namespaced ? ns : '', name);
    const old = this.objects.get(key);
    if (!old) return undefined;
    this.objects.delete(key);
    const gone = { ...old.object, metadata: { ...old.object.metadata, resourceVersion: String(++this.revision) } };
    this.notify(r, 'DELETED', gone);
    return gone;
  }

  /**
   * Adds a watcher. With `since` (a list's resourceVersion) the events after
   * it are replayed first, so nothing written between a client's list and its
   * watch is lost; `false` when `since` is older than the history kept (the
   * apiserver's 410 Gone: the client lists again).
   */
  watch(w: Watcher, since?: number): (() => void) | false {
    if (since !== undefined) {
      if (since < this.forgotten) return false;
      for (const e of this.history) if (e.rv > since && this.matches(w, e.resource, e.object)) w.send(e.type, e.object);
    }
    this.watchers.add(w);
    return () => void this.watchers.delete(w);
  }

  private matches(w: Watcher, r: ResourceType, object: KubeObject): boolean {
    return w.resource === r && (w.namespace === undefined || !r.namespaced || object.metadata?.namespace === w.namespace);
  }

  private notify(r: ResourceType, type: WatchEventType, object: KubeObject): void {
    this.history.push({ rv: this.revision, resource: r, type, object });
    if (this.history.length > HISTORY) this.forgotten = (this.history.splice(0, this.history.length - HISTORY).pop()?.rv ?? this.forgotten);
    for (const w of this.watchers) if (this.matches(w, r, object)) w.send(type, object);
  }
}
