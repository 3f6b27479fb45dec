/**
 * @module analysis/connectivity/schema
 *
 * The shape of a `ConnectivityTest` file (`polis.dev/v1alpha1`), as zod
 * schemas. Objects are strict, like the rest of polis: a misspelt field is
 * an error with a "did you mean", never silently ignored — a test that
 * quietly drops `expect` or `port` would pass for the wrong reason.
 * Semantic checks (endpoint syntax, ICMP type names, which fields go with
 * which protocol) follow in `parse.ts`, where they can cite positions.
 */
import { z } from 'zod';
import { recordOf } from '../../manifest/record-schema.js';

/** The protocols a case may probe; ICMPv6 is accepted too (type names from the IPv6 table). */
export const CASE_PROTOCOLS = ['TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6'] as const;

const httpSchema = z.strictObject({
  /** Default GET. */
  method: z.string().min(1).optional(),
  /** Default `/`. */
  path: z.string().min(1).optional(),
  host: z.string().min(1).optional(),
  headers: recordOf(z.string()).optional(),
});

const kafkaSchema = z.strictObject({
  apiKey: z.string().min(1),
  apiVersion: z.number().int().min(0).optional(),
  clientID: z.string().optional(),
  topics: z.array(z.string()).optional(),
});

/** One probe: `from` → `to` on a port, and the verdict the author expects. */
export const caseSchema = z.strictObject({
  name: z.string().min(1).optional(),
  from: z.string().min(1),
  /** Optional only for DNS cases (default: the kube-dns Service). */
  to: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  protocol: z.enum(CASE_PROTOCOLS).optional(),
  /** ICMP type by number or by Cilium's name (`EchoRequest`). */
  icmp: z.strictObject({ type: z.union([z.number().int().min(0).max(255), z.string().min(1)]) }).optional(),
  http: httpSchema.optional(),
  /** The name a DNS lookup asks for (the case is then a DNS query, 53/UDP to kube-dns by default). */
  dns: z.string().min(1).optional(),
  kafka: kafkaSchema.optional(),
  expect: z.enum(['allow', 'deny']),
});

/** A whole `ConnectivityTest` object. */
export const connectivityTestSchema = z.strictObject({
  apiVersion: z.literal('polis.dev/v1alpha1'),
  kind: z.literal('ConnectivityTest'),
  // Loose: labels and annotations are welcome and mean nothing to polis.
  metadata: z.looseObject({ name: z.string().min(1) }),
  spec: z.strictObject({
    /** Answers for names outside the cluster: name → addresses. */
    dns: recordOf(z.array(z.string())).optional(),
    cases: z.array(caseSchema).min(1, 'list at least one case'),
  }),
});

/** A case as written (after the schema). */
export type CaseSpec = z.infer<typeof caseSchema>;
/** A test object as written (after the schema). */
export type ConnectivityTestSpec = z.infer<typeof connectivityTestSchema>;

const PLAIN_STRING_FIELDS = new Set(['name', 'from', 'to', 'dns']);

/**
 * Whether a case is made only of the fields most cases use (`name`, `from`,
 * `to`, `port`, `protocol`, `dns`, `expect`), each well-formed: such a case
 * is exactly what {@link caseSchema} would return for it, so a suite of
 * plain cases skips running the schema a hundred thousand times. Anything
 * else, valid or not, goes through the schema and its messages.
 */
export function isPlainCase(c: unknown): c is CaseSpec {
  if (typeof c !== 'object' || c === null || Object.getPrototypeOf(c) !== Object.prototype) return false;
  const o = c as Record<string, unknown>;
  let hasFrom = false;
  let hasExpect = false;
  for (const key in o) {
    const v = o[key];
    if (PLAIN_STRING_FIELDS.has(key)) {
      if (typeof v !== 'string' || v.length === 0) return false;
      if (key === 'from') hasFrom = true;
    } else if (key === 'port') {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) return false;
    } else if (key === 'protocol') {
      if (!(CASE_PROTOCOLS as readonly unknown[]).includes(v)) return false;
    } else if (key === 'expect') {
      if (v !== 'allow' && v !== 'deny') return false;
      hasExpect = true;
    } else return false;
  }
  return hasFrom && hasExpect;
}
