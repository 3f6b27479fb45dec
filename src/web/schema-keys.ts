/**
 * @module web/schema-keys
 *
 * The fields (and enum values) each policy kind allows, as a tree walked
 * from the zod schemas validation uses (src/policy/schema/), so the
 * editor's completion offers exactly what validation accepts. Lists are
 * transparent (a list item has its element's fields); free-form maps
 * (labels, matchLabels) have none to offer.
 */
import { ciliumPolicySchema } from '../policy/schema/cilium.js';
import { networkPolicySchema } from '../policy/schema/kubernetes.js';

export interface FieldTree {
  fields?: Record<string, FieldTree>;
  values?: string[];
}

interface ZodLike {
  _zod: { def: { type: string; innerType?: ZodLike; in?: ZodLike; getter?: () => ZodLike; options?: ZodLike[]; left?: ZodLike; right?: ZodLike; element?: ZodLike; shape?: Record<string, ZodLike>; entries?: Record<string, unknown>; values?: unknown[] } };
}

/** Deep enough for every policy field; a bound all the same, so a recursive schema cannot loop. */
const MAX_DEPTH = 16;

function walk(s: ZodLike, depth: number, into: FieldTree): void {
  if (depth > MAX_DEPTH) return;
  const def = s._zod.def;
  switch (def.type) {
    case 'optional': case 'nullable': case 'default': case 'readonly': case 'nonoptional': case 'catch':
      return walk(def.innerType!, depth, into);
    case 'pipe': return walk(def.in!, depth, into);
    case 'lazy': return walk(def.getter!(), depth, into);
    case 'union': for (const o of def.options ?? []) walk(o, depth, into); return;
    case 'intersection': walk(def.left!, depth, into); walk(def.right!, depth, into); return;
    case 'array': return walk(def.element!, depth, into);
    case 'enum': into.values = [...new Set([...(into.values ?? []), ...Object.values(def.entries ?? {}).map(String)])]; return;
    case 'literal': into.values = [...new Set([...(into.values ?? []), ...(def.values ?? []).map(String)])]; return;
    case 'object': {
      into.fields ??= {};
      for (const [k, v] of Object.entries(def.shape ?? {})) walk(v, depth + 1, (into.fields[k] ??= {}));
      return;
    }
    default: return;
  }
}

function tree(schema: unknown): FieldTree {
  const t: FieldTree = {};
  walk(schema as ZodLike, 0, t);
  return t;
}

let cached: Record<string, FieldTree> | undefined;

/** Field trees by kind. */
export function policyFieldTrees(): Record<string, FieldTree> {
  if (!cached) {
    const cilium = tree(ciliumPolicySchema);
    cached = { CiliumNetworkPolicy: cilium, CiliumClusterwideNetworkPolicy: cilium, NetworkPolicy: tree(networkPolicySchema) };
  }
  return cached;
}
