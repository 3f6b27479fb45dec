/**
 * @module model/names
 *
 * Deterministic stand-ins for the names Kubernetes controllers generate, so
 * that polis output looks like `kubectl get pods` (`backend-7d4b9c8f6-x2kqz`)
 * and the same input always gives the same names.
 */

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
 * JSON with sorted keys, so equal objects hash equally. Every Deployment's
 * template is hashed, so the common case goes through the native
 * `JSON.stringify` with a replacer that sorts each object's keys (about half
 * the time of the walk below). A fresh object lists integer-like keys first
 * whatever order they were added in, so an object with such a key is left to
 * the walk, which sorts all keys as strings; so is anything the two would
 * write differently (an undefined field, a Date or other non-plain object).
 */
export function stableJson(v: unknown): string {
  let walk = false;
  const sorted = function (this: Record<string, unknown>, key: string, x: unknown): unknown {
    // A value with toJSON (a Date) arrives already converted: the walk writes it as an object.
    if (this[key] !== x) walk = true;
    if (x === null || typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean' || Array.isArray(x)) return x;
    const proto = typeof x === 'object' ? Object.getPrototypeOf(x) : undefined;
    if (proto !== Object.prototype && proto !== null) {
      walk = true;
      return null;
    }
    const o = x as Record<string, unknown>;
    const keys = Object.keys(o);
    let inOrder = true;
    for (let i = 0; i < keys.length; i++) {
      if (INTEGER_KEY.test(keys[i]!)) walk = true;
      if (i > 0 && keys[i - 1]! > keys[i]!) inOrder = false;
    }
    if (inOrder || walk) return o;
    const out: Record<string, unknown> = {};
    // defineProperty: a `__proto__` key stays a key.
    for (const k of keys.sort()) Object.defineProperty(out, k, { value: o[k], enumerable: true, writable: true, configurable: true });
    return out;
  };
  const fast = JSON.stringify(v, sorted) ?? 'null';
  return walk ? stableWalk(v) : fast;
}

/** Keys a JavaScript object orders numerically, before all others. */
const INTEGER_KEY = /^(?:0|[1-9][0-9]*)$/;

function stableWalk(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableWalk).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${stableWalk(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
