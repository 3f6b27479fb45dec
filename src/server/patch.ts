/**
 * @module server/patch
 *
 * The three patch formats kubectl sends: JSON merge patch (RFC 7386, for
 * CRDs), JSON patch (RFC 6902, `kubectl patch --type=json`) and strategic
 * merge patch (built-in kinds, what client-side `kubectl apply` sends),
 * following apimachinery `pkg/util/strategicpatch/patch.go`: lists with a
 * merge key are merged element by element, the directives `$patch`
 * (replace, delete, merge), `$setElementOrder/F`, `$retainKeys` and
 * `$deleteFromPrimitiveList/F` are honoured, and `null` deletes a field.
 * Every function is pure and throws {@link PatchError} for a patch that
 * cannot apply; the server turns that into a Status.
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

export class PatchError extends Error {}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

/** RFC 7386. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k] ?? null, v);
  }
  return out;
}

/** RFC 6901 path → tokens. */
function pointer(path: unknown): string[] {
  if (typeof path !== 'string' || (path !== '' && !path.startsWith('/'))) throw new PatchError(`invalid JSON pointer "${String(path)}"`);
  return path === '' ? [] : path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, tokens: string[], op: string): { parent: JsonObject | Json[]; key: string } {
  let cur: Json = doc;
  for (const t of tokens.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(cur) ? cur[Number(t)] : isObject(cur) ? cur[t] : undefined;
    if (next === undefined) throw new PatchError(`${op}: path /${tokens.join('/')} does not exist`);
    cur = next;
  }
  if (!isObject(cur) && !Array.isArray(cur)) throw new PatchError(`${op}: path /${tokens.join('/')} does not exist`);
  return { parent: cur, key: tokens[tokens.length - 1] as string };
}

function getAt(doc: Json, tokens: string[], op: string): Json {
  if (!tokens.length) return doc;
  const { parent, key } = parentOf(doc, tokens, op);
  const v = Array.isArray(parent) ? parent[Number(key)] : parent[key];
  if (v === undefined) throw new PatchError(`${op}: path /${tokens.join('/')} does not exist`);
  return v;
}

function arrayIndex(arr: Json[], key: string, op: string, forAdd: boolean): number {
  if (forAdd && key === '-') return arr.length;
  const i = Number(key);
  if (!/^(0|[1-9]\d*)$/.test(key) || i > arr.length - (forAdd ? 0 : 1)) throw new PatchError(`${op}: index ${key} out of range`);
  return i;
}

function removeAt(doc: Json, tokens: string[], op: string): Json {
  const { parent, key } = parentOf(doc, tokens, op);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, key, op, false), 1)[0] as Json;
  if (!(key in parent)) throw new PatchError(`${op}: path /${tokens.join('/')} does not exist`);
  const v = parent[key] as Json;
  delete parent[key];
  return v;
}

function addAt(doc: Json, tokens: string[], value: Json, op: string): Json {
  if (!tokens.length) return value;
  const { parent, key } = parentOf(doc, tokens, op);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, op, true), 0, value);
  else parent[key] = value;
  return doc;
}

/** RFC 6902. */
export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be a list of operations');
  let doc = clone(target);
  for (const o of ops) {
    if (!isObject(o)) throw new PatchError('each JSON patch operation must be an object');
    const op = String(o.op);
    const path = pointer(o.path);
    switch (op) {
      case 'add':
        if (!('value' in o)) throw new PatchError('add: missing value');
        doc = addAt(doc, path, clone(o.value as Json), op);
        break;
      case 'remove':
        removeAt(doc, path, op);
        break;
      case 'replace':
        if (!('value' in o)) throw new PatchError('replace: missing value');
        if (!path.length) doc = clone(o.value as Json);
        else {
          removeAt(doc, path, op);
          doc = addAt(doc, path, clone(o.value as Json), op);
        }
        break;
      case 'move':
      case 'copy': {
        const from = pointer(o.from);
        const v = op === 'move' ? removeAt(doc, from, op) : clone(getAt(doc, from, op));
        doc = addAt(doc, path, v, op);
        break;
      }
      case 'test':
        if (JSON.stringify(getAt(doc, path, op)) !== JSON.stringify(o.value)) throw new PatchError(`test: value at /${path.join('/')} differs`);
        break;
      default:
        throw new PatchError(`unknown JSON patch operation "${op}"`);
    }
  }
  return doc;
}

/**
 * The merge key of a list field, from the `patchMergeKey` tags of k8s.io/api
 * (`core/v1/types.go`, `meta/v1/types.go`); `null` for a list that is
 * replaced whole, `''` for a primitive list merged as a set (finalizers).
 */
export function mergeKeyOf(kind: string, path: readonly string[], field: string): string | null {
  switch (field) {
    case 'containers': case 'initContainers': case 'ephemeralContainers': case 'env': case 'volumes':
    case 'imagePullSecrets': case 'resourceClaims':
      return 'name';
    case 'hostAliases': return 'ip';
    case 'volumeMounts': return 'mountPath';
    case 'volumeDevices': return 'devicePath';
    case 'ownerReferences': return 'uid';
    case 'conditions': return 'type';
    case 'finalizers': return '';
    case 'ports':
      if (path.includes('containers') || path.includes('initContainers') || path.includes('ephemeralContainers')) return 'containerPort';
      return kind === 'Service' && path.length === 1 && path[0] === 'spec' ? 'port' : null;
    case 'topologySpreadConstraints': return 'topologyKey';
    default: return null;
  }
}

const SET_ORDER = '$setElementOrder/';
const DELETE_FROM = '$deleteFromPrimitiveList/';

/** Strategic merge patch of a built-in kind's object. */
export function strategicMergePatch(kind: string, target: Json, patch: Json): Json {
  if (!isObject(patch)) throw new PatchError('a strategic merge patch must be an object');
  return smpMap(kind, [], isObject(target) ? target : {}, patch) ?? {};
}

function smpMap(kind: string, path: string[], original: JsonObject, patch: JsonObject): JsonObject | undefined {
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  let out: JsonObject = directive === 'replace' ? {} : { ...original };
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) {
    const keep = new Set(retain.map(String));
    out = Object.fromEntries(Object.entries(out).filter(([k]) => keep.has(k)));
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith(SET_ORDER)) continue;
    if (k.startsWith(DELETE_FROM)) {
      const field = k.slice(DELETE_FROM.length);
      const drop = new Set((Array.isArray(v) ? v : []).map((x) => JSON.stringify(x)));
      const cur = out[field];
      if (Array.isArray(cur)) out[field] = cur.filter((x) => !drop.has(JSON.stringify(x)));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const cur = out[k];
    if (isObject(v)) {
      const merged = smpMap(kind, [...path, k], isObject(cur) ? cur : {}, v);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else if (Array.isArray(v)) {
      out[k] = smpList(kind, [...path, k], k, Array.isArray(cur) ? cur : [], v);
    } else out[k] = v;
  }
  for (const [k, v] of Object.entries(patch)) {
    if (!k.startsWith(SET_ORDER) || !Array.isArray(v)) continue;
    const field = k.slice(SET_ORDER.length);
    const list = out[field];
    if (Array.isArray(list)) out[field] = orderList(list, v, mergeKeyOf(kind, path, field));
  }
  return out;
}

function smpList(kind: string, path: string[], field: string, original: Json[], patch: Json[]): Json[] {
  if (patch.some((e) => isObject(e) && e.$patch === 'replace')) return patch.filter((e) => !(isObject(e) && e.$patch === 'replace'));
  const key = mergeKeyOf(kind, path.slice(0, -1), field);
  if (key === null) return clone(patch);
  if (key === '') {
    const seen = new Set(original.map((x) => JSON.stringify(x)));
    return [...original, ...patch.filter((x) => !seen.has(JSON.stringify(x)))];
  }
  const out = [...original];
  const find = (e: JsonObject) => out.findIndex((o) => isObject(o) && JSON.stringify(o[key]) === JSON.stringify(e[key]));
  for (const e of patch) {
    if (!isObject(e)) throw new PatchError(`${path.join('.')}: element is not an object`);
    if (!(key in e)) throw new PatchError(`${path.join('.')}: element has no merge key "${key}"`);
    const i = find(e);
    if (e.$patch === 'delete') {
      if (i >= 0) out.splice(i, 1);
      continue;
    }
    if (i >= 0) {
      const merged = smpMap(kind, path, out[i] as JsonObject, e);
      if (merged === undefined) out.splice(i, 1);
      else out[i] = merged;
    } else out.push(smpMap(kind, path, {}, e) ?? {});
  }
  return out;
}

/** `$setElementOrder`: the listed elements in that order; others keep their place after them. */
function orderList(list: Json[], order: Json[], key: string | null): Json[] {
  const id = (x: Json): string => JSON.stringify(key && isObject(x) ? x[key] : x);
  const rank = new Map(order.map((o, i) => [id(o), i]));
  const listed = list.filter((x) => rank.has(id(x))).sort((a, b) => (rank.get(id(a)) ?? 0) - (rank.get(id(b)) ?? 0));
  return [...listed, ...list.filter((x) => !rank.has(id(x)))];
}
