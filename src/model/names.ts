/**
 * @module model/names
 *
 * Deterministic stand-ins for the names Kubernetes controllers generate, so
 * that polis output looks like `kubectl get pods` (`backend-7d4b9c8f6-x2kqz`)
 * and the same input always gives the same names.
 */
import { sortStrings } from '../util/sort.js';

/** Kubernetes' alphabet for generated names (no vowels, no look-alike characters). */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** FNV-1a, 32 bits: what Kubernetes uses for pod-template-hash. */
export function fnv32a(text: string): number {
  return fnvMore(0x811c9dc5, text);
}

/** FNV-1a carried on over `text` from the hash `h` of what came before (the hash of the concatenation). */
function fnvMore(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** `rand.SafeEncodeString` of the decimal hash, as the Deployment controller names ReplicaSets. */
export function podTemplateHash(template: unknown): string {
  const digits = String(fnv32a(stableJson(template)));
  let out = '';
  for (const d of digits) out += ALPHANUMS[d.charCodeAt(0) % ALPHANUMS.length];
  return out;
}

/** A 5-character suffix like the one `generateName` adds, derived from `seed`. */
export function nameSuffix(seed: string): string {
  const seeded = fnv32a(seed);
  // fnv32a(`${seed}/${i}`), carried on from the seed's hash: one pass over the seed instead of six.
  const slash = fnvMore(seeded, '/');
  let h = seeded;
  let out = '';
  for (let i = 0; i < 5; i++) {
    out += ALPHANUMS[h % ALPHANUMS.length];
    h = Math.floor(h / ALPHANUMS.length) ^ fnvMore(slash, DIGITS[i]!);
    h >>>= 0;
  }
  return out;
}

const DIGITS = ['0', '1', '2', '3', '4'];

/**
 * JSON with sorted keys, so equal objects hash equally: the text of
 * {@link stableWalk}. Every Deployment's template is hashed, so the common
 * case (plain objects, lists without holes, strings, numbers, booleans,
 * null) is written by {@link writeStable}, which appends to one string;
 * anything else (an undefined field, a Date or other non-plain object) is
 * left to the walk, which has always decided how such values are written.
 */
export function stableJson(v: unknown): string {
  try {
    return writeStable(v);
  } catch (e) {
    if (e !== NOT_PLAIN) throw e;
    return stableWalk(v);
  }
}

/** Thrown by {@link writeStable} at a value it leaves to {@link stableWalk}. */
const NOT_PLAIN = new Error('not plain data');

function writeStable(v: unknown): string {
  switch (typeof v) {
    case 'string':
    case 'number':
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (v === null) return 'null';
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) {
          if (!(i in v)) throw NOT_PLAIN;
          if (i > 0) out += ',';
          out += writeStable(v[i]);
        }
        return out + ']';
      }
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
      const o = v as Record<string, unknown>;
      const keys = sortStrings(Object.keys(o));
      let out = '{';
      for (let i = 0; i < keys.length; i++) {
        if (i > 0) out += ',';
        out += `${JSON.stringify(keys[i])}:${writeStable(o[keys[i]!])}`;
      }
      return out + '}';
    }
    default:
      throw NOT_PLAIN;
  }
}

function stableWalk(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableWalk).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${stableWalk(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
