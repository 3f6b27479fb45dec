/**
 * @module util/record
 *
 * Records keyed by user-supplied strings (labels, annotations, selector
 * terms, DNS names, HTTP header names). On a plain `{}` the names
 * `__proto__`, `constructor`, `toString` or `hasOwnProperty` hit
 * `Object.prototype`: `r.constructor` exists on an empty record, assigning
 * `r.__proto__` replaces the prototype instead of adding a key (issue 8).
 * These records have no prototype, so every name is an ordinary key; where
 * a record may come from elsewhere, read it with {@link own}.
 */

/** A new record with no prototype, filled from `entries` (later entries win). */
export function nullRecord<V>(entries: Iterable<readonly [string, V]> = []): Record<string, V> {
  const out = Object.create(null) as Record<string, V>;
  for (const [k, v] of entries) out[k] = v;
  return out;
}

/** The value of an own key, never an inherited member such as `constructor`. */
export function own<V>(record: Readonly<Record<string, V>> | undefined, key: string): V | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** True when `key` is an own key of the record. */
export function hasOwnKey(record: Readonly<Record<string, unknown>> | undefined, key: string): boolean {
  return record !== undefined && Object.hasOwn(record, key);
}
