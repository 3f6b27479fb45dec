/**
 * @module manifest/record-schema
 *
 * A zod schema for maps whose keys users choose (labels, annotations,
 * matchLabels, `spec.dns`, HTTP headers). zod's own `z.record` drops a
 * `__proto__` key without a word (it cannot write one to a `{}`), so a label
 * or DNS name `__proto__` silently vanished (issue 8). This schema checks
 * each value with the given schema, reports problems at `key` exactly as
 * `z.record` does (so check-schema words them the same), and returns a
 * record with no prototype holding every key as written.
 */
import { z } from 'zod';
import { nullRecord } from '../util/record.js';

export function recordOf<V extends z.ZodType>(value: V) {
  // A plain z.string() passes every string as it is: such values (nearly every label) skip its safeParse.
  const anyString = isPlainString(value);
  return z.unknown().transform((input, ctx): Readonly<Record<string, z.output<V>>> => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      ctx.addIssue({ code: 'invalid_type', expected: 'record', input, message: 'expected a mapping' });
      return z.NEVER;
    }
    const entries: [string, z.output<V>][] = [];
    let ok = true;
    for (const key of Object.keys(input)) {
      const v = (input as Record<string, unknown>)[key];
      if (anyString && typeof v === 'string') {
        entries.push([key, v as z.output<V>]);
        continue;
      }
      const r = value.safeParse(v);
      if (r.success) entries.push([key, r.data as z.output<V>]);
      else {
        ok = false;
        for (const issue of r.error.issues) ctx.addIssue({ ...issue, path: [key, ...issue.path] } as Parameters<typeof ctx.addIssue>[0]);
      }
    }
    return ok ? nullRecord(entries) : z.NEVER;
  });
}

/** True for a z.string() with no checks, refinements or transforms: it accepts any string unchanged. */
function isPlainString(schema: z.ZodType): boolean {
  const def = (schema as unknown as { _zod: { def: { type?: string; checks?: readonly unknown[] } } })._zod.def;
  return schema instanceof z.ZodString && def.type === 'string' && (def.checks?.length ?? 0) === 0;
}
