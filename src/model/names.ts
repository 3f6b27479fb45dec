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
  let h = 0x811c9dc5;
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
  let h = fnv32a(seed);
  let out = '';
  for (let i = 0; i < 5; i++) {
    out += ALPHANUMS[h % ALPHANUMS.length];
    h = Math.floor(h / ALPHANUMS.length) ^ fnv32a(`${seed}/${i}`);
    h >>>= 0;
  }
  return out;
}

/** JSON with sorted keys, so equal objects hash equally. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
