/**
 * @module server/managed-fields
 *
 * Field ownership, enough for server-side apply as kubectl uses it
 * (apimachinery `pkg/util/managedfields`, structured-merge-diff): each field
 * manager owns a set of field paths (`metadata.managedFields`, FieldsV1).
 * An apply by manager M merges M's configuration into the live object,
 * removes the fields M owned before and no longer sets (unless another
 * manager owns them), and refuses with a conflict to change a value another
 * manager owns unless forced. This is why kubectl's second apply call
 * (manager `kubectl-last-applied`, only the annotation) leaves the spec alone.
 * Updates (PUT, PATCH) give their manager the fields they changed.
 */
import { mergeKeyOf, strategicMergePatch, type Json } from './patch.js';

type JsonObject = { [k: string]: Json };
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A path is its FieldsV1 segments (`f:spec`, `k:{"name":"x"}`, `v:"a"`) joined by NUL. */
type FieldSet = Set<string>;
const SEP = '\u0000';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
}

/** Server-owned metadata a manager never owns. */
const SERVER_METADATA = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp']);

/** The leaf fields `obj` sets. */
export function fieldsOf(kind: string, obj: JsonObject): FieldSet {
  const out: FieldSet = new Set();
  const walk = (v: JsonObject, segs: string[], path: string[]) => {
    for (const [k, x] of Object.entries(v)) {
      if (segs.length === 0 && (k === 'apiVersion' || k === 'kind' || k === 'status')) continue;
      if (segs.length === 1 && segs[0] === 'f:metadata' && SERVER_METADATA.has(k)) continue;
      const here = [...segs, `f:${k}`];
      if (isObject(x) && Object.keys(x).length) walk(x, here, [...path, k]);
      else if (Array.isArray(x)) {
        const key = mergeKeyOf(kind, path, k);
        if (key === '') for (const e of x) out.add([...here, `v:${JSON.stringify(e)}`].join(SEP));
        else if (key && x.every((e) => isObject(e) && key in e)) {
          for (const e of x as JsonObject[]) {
            const el = [...here, `k:${JSON.stringify({ [key]: e[key] })}`];
            out.add(el.join(SEP));
            walk(e, el, [...path, k]);
          }
        } else out.add(here.join(SEP));
      } else out.add(here.join(SEP));
    }
  };
  walk(obj, [], []);
  return out;
}

/** The value at a path, or undefined. */
function valueAt(obj: Json, path: string): Json | undefined {
  let cur: Json | undefined = obj;
  for (const seg of path.split(SEP)) {
    if (cur === undefined) return undefined;
    if (seg.startsWith('f:')) cur = isObject(cur) ? cur[seg.slice(2)] : undefined;
    else if (seg.startsWith('k:')) {
      const [[k, val]] = Object.entries(JSON.parse(seg.slice(2)) as JsonObject) as [[string, Json]];
      cur = Array.isArray(cur) ? cur.find((e) => isObject(e) && JSON.stringify(e[k]) === JSON.stringify(val)) : undefined;
    } else if (seg.startsWith('v:')) cur = Array.isArray(cur) && cur.some((e) => JSON.stringify(e) === seg.slice(2)) ? JSON.parse(seg.slice(2)) : undefined;
  }
  return cur;
}

/** Removes the field at `path` from `obj` (in place). */
function removeAt(obj: JsonObject, path: string): void {
  const segs = path.split(SEP);
  let cur: Json | undefined = obj;
  // Maps left empty by the removal go too, as structured-merge-diff leaves no empty parents.
  const chain: [JsonObject, string][] = [];
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i] as string;
    const last = i === segs.length - 1;
    if (seg.startsWith('f:')) {
      if (!isObject(cur)) return;
      if (last) {
        delete cur[seg.slice(2)];
        for (let j = chain.length - 1; j >= 0; j--) {
          const [parent, key] = chain[j] as [JsonObject, string];
          const child = parent[key];
          if (isObject(child) && Object.keys(child).length === 0) delete parent[key];
          else break;
        }
      } else {
        chain.push([cur, seg.slice(2)]);
        cur = cur[seg.slice(2)];
      }
    } else if (Array.isArray(cur)) {
      const list: Json[] = cur;
      const idx = seg.startsWith('k:')
        ? (() => {
            const [[k, val]] = Object.entries(JSON.parse(seg.slice(2)) as JsonObject) as [[string, Json]];
            return list.findIndex((e) => isObject(e) && JSON.stringify(e[k]) === JSON.stringify(val));
          })()
        : list.findIndex((e) => JSON.stringify(e) === seg.slice(2));
      if (idx < 0) return;
      chain.length = 0;
      if (last) list.splice(idx, 1);
      else cur = list[idx];
    } else return;
  }
}

function toFieldsV1(set: FieldSet): JsonObject {
  const root: JsonObject = {};
  for (const p of set) {
    let node = root;
    for (const seg of p.split(SEP)) node = (node[seg] ??= {}) as JsonObject;
    if (p.slice(p.lastIndexOf(SEP) + 1).startsWith('k:')) node['.'] ??= {};
  }
  return root;
}

function fromFieldsV1(f: Json): FieldSet {
  const out: FieldSet = new Set();
  const walk = (node: Json, segs: string[]) => {
    if (!isObject(node)) return;
    const kids = Object.keys(node).filter((k) => k !== '.');
    if (!kids.length || ('.' in node && segs[segs.length - 1]?.startsWith('k:'))) if (segs.length) out.add(segs.join(SEP));
    for (const k of kids) walk(node[k] as Json, [...segs, k]);
  };
  walk(f, []);
  return out;
}

function owners(obj: JsonObject): ManagedFieldsEntry[] {
  const mf = (obj.metadata as JsonObject | undefined)?.managedFields;
  return Array.isArray(mf) ? (mf as unknown as ManagedFieldsEntry[]) : [];
}

function withOwners(obj: JsonObject, entries: ManagedFieldsEntry[]): JsonObject {
  const metadata = { ...(obj.metadata as JsonObject) };
  if (entries.length) metadata.managedFields = entries as unknown as Json;
  else delete metadata.managedFields;
  return { ...obj, metadata };
}

export interface Conflict {
  readonly manager: string;
  readonly field: string;
}

/** A path as Kubernetes prints it in conflict messages: `.spec.replicas`, `.spec.containers[name="c"].image`. */
export function pathText(path: string): string {
  return path.split(SEP).map((s) => {
    if (s.startsWith('f:')) return `.${s.slice(2)}`;
    if (s.startsWith('k:')) return `[${Object.entries(JSON.parse(s.slice(2)) as JsonObject).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
    return `[${s.slice(2)}]`;
  }).join('');
}

/**
 * Server-side apply of `config` by `manager` to `live` (undefined: create).
 * Returns the new object, or the conflicts when not forced.
 */
export function applyConfig(
  kind: string, live: JsonObject | undefined, config: JsonObject, manager: string, force: boolean, now: string,
): { ok: true; object: JsonObject } | { ok: false; conflicts: Conflict[] } {
  const apiVersion = String(config.apiVersion ?? '');
  const mine = fieldsOf(kind, config);
  const entries = live ? owners(live).map((e) => ({ ...e, set: fromFieldsV1(e.fieldsV1) })) : [];
  const conflicts: Conflict[] = [];
  for (const e of entries) {
    if (e.manager === manager && e.operation === 'Apply') continue;
    for (const p of mine) {
      // An element of a keyed list is identified, not compared: its fields are.
      if (!e.set.has(p) || p.slice(p.lastIndexOf(SEP) + 1).startsWith('k:')) continue;
      if (JSON.stringify(valueAt(live ?? {}, p)) === JSON.stringify(valueAt(config, p))) continue;
      if (force) e.set.delete(p);
      else conflicts.push({ manager: e.manager, field: pathText(p) });
    }
  }
  if (conflicts.length) return { ok: false, conflicts };
  const base: JsonObject = live ? (JSON.parse(JSON.stringify(live)) as JsonObject) : {};
  const previous = entries.find((e) => e.manager === manager && e.operation === 'Apply');
  if (previous) {
    const ownedByOthers = new Set(entries.filter((e) => e !== previous).flatMap((e) => [...e.set]));
    // Deepest first, so an element's fields go before the element.
    for (const p of [...previous.set].sort((a, b) => b.length - a.length)) if (!mine.has(p) && !ownedByOthers.has(p)) removeAt(base, p);
  }
  const merged = strategicMergePatch(kind, base, config) as JsonObject;
  const next: ManagedFieldsEntry[] = entries
    .filter((e) => !(e.manager === manager && e.operation === 'Apply') && e.set.size > 0)
    .map(({ set, ...e }) => ({ ...e, fieldsV1: toFieldsV1(set) }));
  next.push({ manager, operation: 'Apply', apiVersion, time: now, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(mine) });
  return { ok: true, object: withOwners(merged, next) };
}

/** Records an update (create, PUT, PATCH) by `manager`: it owns what it changed. */
export function recordUpdate(kind: string, old: JsonObject | undefined, next: JsonObject, manager: string, now: string): JsonObject {
  // A client that writes managedFields itself (kubectl moving client-side apply's fields to its
  // server-side manager, cli-runtime `csaupgrade`) gets them as written.
  const given = (next.metadata as JsonObject | undefined)?.managedFields;
  if (given !== undefined && JSON.stringify(given) !== JSON.stringify((old?.metadata as JsonObject | undefined)?.managedFields)) return next;
  const before = old ? fieldsOf(kind, old) : new Set<string>();
  const after = fieldsOf(kind, next);
  const changed = [...after].filter((p) => !before.has(p) || JSON.stringify(valueAt(old ?? {}, p)) !== JSON.stringify(valueAt(next, p)));
  const entries = owners(old ?? {}).map((e) => ({ ...e, set: fromFieldsV1(e.fieldsV1) }));
  for (const e of entries) for (const p of [...e.set]) if (!after.has(p) || (changed.includes(p) && e.manager !== manager)) e.set.delete(p);
  let mineEntry = entries.find((e) => e.manager === manager && e.operation === 'Update');
  if (!mineEntry && changed.length) {
    mineEntry = { manager, operation: 'Update', apiVersion: String(next.apiVersion ?? ''), time: now, fieldsType: 'FieldsV1', fieldsV1: {}, set: new Set() };
    entries.push(mineEntry);
  }
  if (mineEntry) {
    for (const p of changed) mineEntry.set.add(p);
    if (changed.length) mineEntry.time = now;
  }
  const out = entries.filter((e) => e.set.size > 0).map(({ set, ...e }) => ({ ...e, fieldsV1: toFieldsV1(set) }));
  return withOwners(next, out);
}
