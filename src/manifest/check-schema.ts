/**
 * @module manifest/check-schema
 *
 * Runs a zod schema over a loaded object and turns every issue into a
 * diagnostic that points at the key or value in the user's file and says, in
 * the words of a Kubernetes user, what to write instead:
 * `port must be a string such as "443"`, `unknown field "toPort" (did you mean "toPorts"?)`.
 */
import type { z } from 'zod';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { FieldPath, ManifestObject } from './object.js';
import { formatPath } from './object.js';
import { suggest } from '../util/suggest.js';

export interface SchemaResult<T> {
  /** The typed value, when the object passed the schema. */
  readonly value?: T;
  readonly diagnostics: Diagnostic[];
}

/** Checks `obj.value` (or `value`, a stand-in for it with the same paths) against `schema`. */
export function checkSchema<S extends z.ZodType>(obj: ManifestObject, schema: S, value: unknown = obj.value): SchemaResult<z.infer<S>> {
  const result = schema.safeParse(value);
  if (result.success) return { value: result.data, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  for (const issue of result.error.issues) {
    diagnostics.push(...issueToDiagnostics(obj, schema, issue as Issue));
  }
  return { diagnostics };
}

export interface RepairedResult<T> extends SchemaResult<T> {
  /** A typed copy with the offending fields taken out, so later checks can still run on the rest. */
  readonly repaired?: T;
  /** Field paths (formatted) that were taken out of `repaired`. */
  readonly removed: readonly string[];
}

/**
 * Like {@link checkSchema}, but when the object fails, also returns a copy
 * with each offending field removed (or a number quoted where a string was
 * wanted), so that every other problem of the object can still be reported
 * in the same run instead of only the first kind. A required field that is
 * missing, and a list item of the wrong shape, are filled with a neutral
 * value instead ({@link placeholder}): removing them would take their
 * object or their whole list, and every other problem in it, out of sight.
 * Filled paths are listed in `removed` too: nothing is to be reported there.
 */
export function checkSchemaRepairing<S extends z.ZodType>(obj: ManifestObject, schema: S): RepairedResult<z.infer<S>> {
  const first = checkSchema(obj, schema);
  if (first.value !== undefined) return { ...first, removed: [] };
  let value: unknown = structuredClone(obj.value);
  const removed: string[] = [];
  const filled = new Set<string>();
  for (let round = 0; round < 20; round++) {
    const r = schema.safeParse(value);
    if (r.success) return { diagnostics: first.diagnostics, repaired: r.data, removed };
    for (const issue of r.error.issues) value = repair(value, schema as unknown as ZodLike, issue as Issue, removed, filled);
  }
  return { diagnostics: first.diagnostics, removed };
}

function repair(root: unknown, schema: ZodLike, issue: Issue, removed: string[], filled: Set<string>): unknown {
  const path = issue.path as (string | number)[];
  if (issue.code === 'unrecognized_keys') {
    const holder = valueAt(root, path);
    if (holder && typeof holder === 'object') for (const k of issue.keys) delete (holder as Record<string, unknown>)[k];
    return root;
  }
  const actual = valueAt(root, path);
  if (issue.code === 'invalid_type' && String(issue.expected) === 'string' && (typeof actual === 'number' || typeof actual === 'boolean')) {
    return setAt(root, path, String(actual));
  }
  const key = formatPath(path);
  const holder = path.length > 0 ? valueAt(root, path.slice(0, -1)) : undefined;
  const missing = actual === undefined;
  // Fill once; a placeholder the schema still refuses is removed like any bad value.
  if ((missing || typeof path[path.length - 1] === 'number') && holder !== null && typeof holder === 'object' && !filled.has(key)) {
    const sub = schemaAt(schema, path);
    const fill = sub && placeholder(sub);
    if (fill) {
      filled.add(key);
      removed.push(key);
      return setAt(root, path, fill.value);
    }
  }
  // A field that is missing and cannot be filled takes the object that lacks it.
  return removeAt(root, missing ? path.slice(0, -1) : path, removed);
}

/** Removes the field at `path`; an array element takes its whole array with it (indices must not shift). */
function removeAt(root: unknown, path: readonly (string | number)[], removed: string[]): unknown {
  let cut = path.length;
  while (cut > 0 && typeof path[cut - 1] === 'number') cut--;
  if (cut === 0) return root;
  removed.push(formatPath(path.slice(0, cut)));
  const holder = valueAt(root, path.slice(0, cut - 1));
  if (holder && typeof holder === 'object') delete (holder as Record<string, unknown>)[String(path[cut - 1])];
  return root;
}

/** The schema of the value at `path`, through wrappers, lists, maps and the first union branch that has it. */
function schemaAt(schema: ZodLike, path: readonly (string | number)[]): ZodLike | undefined {
  let s: ZodLike | undefined = schema;
  for (let i = 0; s && i <= path.length; ) {
    const def: ZodLike['_zod']['def'] = s._zod.def;
    switch (def.type) {
      case 'optional': case 'nullable': case 'default': case 'readonly': case 'nonoptional': case 'catch':
        s = def.innerType; continue;
      case 'pipe': s = def.in; continue;
      case 'lazy': s = def.getter?.(); continue;
      case 'union': {
        const rest = path.slice(i);
        for (const o of def.options ?? []) {
          const found = schemaAt(o, rest);
          if (found) return found;
        }
        return undefined;
      }
    }
    if (i === path.length) return s;
    const seg = path[i++]!;
    if (def.type === 'array' && typeof seg === 'number') s = def.element;
    else if (def.type === 'record') s = def.valueType;
    else if (def.type === 'object' && typeof seg === 'string') s = def.shape?.[seg];
    else return undefined;
  }
  return s;
}

/**
 * The emptiest value a schema takes: `{}` for an object (its own required
 * fields are filled in the next round), `[]`, `""`, 0, false, the literal or
 * the first enum value. Undefined when there is none to offer.
 */
function placeholder(s: ZodLike): { value: unknown } | undefined {
  const def = s._zod.def;
  switch (def.type) {
    case 'optional': case 'nullable': case 'default': case 'readonly': case 'nonoptional': case 'catch':
      return def.innerType && placeholder(def.innerType);
    case 'pipe': return def.in && placeholder(def.in);
    case 'lazy': return def.getter && placeholder(def.getter());
    case 'union':
      for (const o of def.options ?? []) {
        const p = placeholder(o);
        if (p) return p;
      }
      return undefined;
    case 'object': case 'record': return { value: {} };
    case 'array': return { value: [] };
    case 'string': return { value: '' };
    case 'number': return { value: 0 };
    case 'boolean': return { value: false };
    case 'literal': return def.values?.length ? { value: def.values[0] } : undefined;
    case 'enum': {
      const first = Object.values(def.entries ?? {})[0];
      return first === undefined ? undefined : { value: first };
    }
    default: return undefined;
  }
}

function setAt(root: unknown, path: readonly (string | number)[], v: unknown): unknown {
  if (path.length === 0) return v;
  const holder = valueAt(root, path.slice(0, -1));
  if (holder && typeof holder === 'object') (holder as Record<string | number, unknown>)[path[path.length - 1]!] = v;
  return root;
}

type Issue = z.core.$ZodIssue;

function issueToDiagnostics(obj: ManifestObject, root: z.ZodType, issue: Issue): Diagnostic[] {
  const path = issue.path as (string | number)[];
  const at = (p: FieldPath, where: 'key' | 'value' = 'value') => ({
    location: obj.locate(p, where),
    path: formatPath(p),
    object: obj.displayName,
  });
  const field = fieldName(path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = objectKeysAt(root, path);
      return issue.keys.map((key) => {
        const guess = known ? suggest(key, known) : undefined;
        return {
          code: 'unknown-field', severity: 'error' as const, ...at([...path, key], 'key'),
          message: `unknown field "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}`,
          hint: guess
            ? `rename it to "${guess}"`
            : known ? `fields allowed here: ${[...known].join(', ')}` : 'remove it',
        };
      });
    }
    case 'invalid_type': {
      const actual = valueAt(obj.value, path);
      if (actual === undefined) {
        return [{ code: 'missing-field', severity: 'error', ...at(path, 'key'), message: `${field} is required` }];
      }
      const expected = String(issue.expected);
      if (expected === 'string' && (typeof actual === 'number' || typeof actual === 'boolean')) {
        const example = field === 'port' ? `"${actual}"` : `"${String(actual)}"`;
        return [{
          code: 'wrong-type', severity: 'error', ...at(path),
          message: `${field} must be a string such as ${field === 'port' && typeof actual !== 'number' ? '"443"' : example}, not ${describeValue(actual)}`,
          hint: `quote the value: ${field}: ${example}`,
        }];
      }
      return [{
        code: 'wrong-type', severity: 'error', ...at(path),
        message: `${field} must be ${article(expected)}, not ${describeValue(actual)}`,
        ...(expected === 'array' && actual !== null && typeof actual === 'object'
          ? { hint: `start each item with "- " on its own line under ${field}` }
          : {}),
      }];
    }
    case 'invalid_value': {
      const actual = valueAt(obj.value, path);
      // zod reports a missing enum or literal field as a wrong value; to a user it is a missing one.
      if (actual === undefined) {
        return [{ code: 'missing-field', severity: 'error', ...at(path, 'key'), message: `${field} is required (one of ${issue.values.map(String).join(', ')})` }];
      }
      const allowed = issue.values.map(String);
      const guess = typeof actual === 'string' ? suggest(actual, allowed) : undefined;
      return [{
        code: 'invalid-value', severity: 'error', ...at(path),
        message: `${field} must be one of ${allowed.join(', ')}, not ${describeValue(actual)}`,
        ...(guess ? { hint: `did you mean "${guess}"? (values are case-sensitive)` } : {}),
      }];
    }
    case 'too_small':
    case 'too_big': {
      const actual = valueAt(obj.value, path);
      if (issue.origin === 'array' || issue.origin === 'string') {
        return [{ code: 'invalid-value', severity: 'error', ...at(path), message: `${field}: ${issue.message}` }];
      }
      const bound = issue.code === 'too_small' ? `at least ${String(issue.minimum)}` : `at most ${String(issue.maximum)}`;
      return [{ code: 'out-of-range', severity: 'error', ...at(path), message: `${field} must be ${bound}, not ${describeValue(actual)}` }];
    }
    case 'invalid_union': {
      // Report the branch that got furthest (its issues have the longest paths).
      const branches = issue.errors.filter((b) => b.length > 0);
      if (branches.length > 0) {
        const best = branches.reduce((a, b) => (depth(b) > depth(a) ? b : a));
        if (depth(best) > path.length) return best.flatMap((i) => issueToDiagnostics(obj, root, i as Issue));
      }
      return [{ code: 'wrong-type', severity: 'error', ...at(path), message: `${field} has the wrong shape: ${issue.message}` }];
    }
    default: {
      // A schema's own check may name its diagnostic code: `params: { code: 'invalid-ip' }`.
      const own = issue.code === 'custom' ? (issue.params as { code?: unknown } | undefined)?.code : undefined;
      return [{ code: typeof own === 'string' ? own : 'invalid-value', severity: 'error', ...at(path), message: `${field}: ${issue.message}` }];
    }
  }
}

function depth(issues: readonly { path: readonly PropertyKey[] }[]): number {
  return Math.max(...issues.map((i) => i.path.length));
}

function fieldName(path: readonly (string | number)[]): string {
  for (let i = path.length - 1; i >= 0; i--) {
    const seg = path[i];
    if (typeof seg === 'string') return i === path.length - 1 ? seg : formatPath(path.slice(i));
  }
  return path.length ? formatPath(path) : 'the object';
}

function article(expected: string): string {
  switch (expected) {
    case 'array': return 'a list';
    case 'object': case 'record': return 'a mapping (key: value)';
    case 'boolean': return 'true or false';
    case 'number': return 'a number';
    case 'int': return 'a whole number';
    case 'string': return 'a string';
    default: return expected;
  }
}

/** How a value reads in a message: `number 443`, `a list`, `"tcp"`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null (an empty value)';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v);
  return `${typeof v} ${String(v)}`;
}

/** The plain value at a path, or undefined. */
export function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let v: unknown = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** The field names an object schema allows at `path`, found by walking the schema. */
function objectKeysAt(schema: z.ZodType, path: readonly (string | number)[]): string[] | undefined {
  const found: string[] = [];
  walk(schema as unknown as ZodLike, 0);
  return found.length ? [...new Set(found)] : undefined;

  function walk(s: ZodLike, i: number): void {
    const def = s._zod.def;
    switch (def.type) {
      case 'optional': case 'nullable': case 'default': case 'readonly': case 'nonoptional': case 'catch':
        return walk(def.innerType!, i);
      case 'pipe': return walk(def.in!, i);
      case 'lazy': return walk(def.getter!(), i);
      case 'union': for (const o of def.options ?? []) walk(o, i); return;
      case 'intersection': walk(def.left!, i); walk(def.right!, i); return;
      case 'array':
        if (i < path.length && typeof path[i] === 'number') walk(def.element!, i + 1);
        return;
      case 'record':
        if (i < path.length) walk(def.valueType!, i + 1);
        return;
      case 'object': {
        if (i === path.length) {
          found.push(...Object.keys(def.shape ?? {}));
          return;
        }
        const next = def.shape?.[String(path[i])];
        if (next) walk(next, i + 1);
        return;
      }
      default:
        return;
    }
  }
}

interface ZodLike {
  _zod: {
    def: {
      type: string;
      innerType?: ZodLike;
      in?: ZodLike;
      getter?: () => ZodLike;
      options?: ZodLike[];
      left?: ZodLike;
      right?: ZodLike;
      element?: ZodLike;
      valueType?: ZodLike;
      shape?: Record<string, ZodLike>;
      values?: unknown[];
      entries?: Record<string, unknown>;
    };
  };
}
