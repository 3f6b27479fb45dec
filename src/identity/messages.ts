/**
 * @module identity/messages
 *
 * Every diagnostic the identity layer can produce, by code, in one place.
 * Problems with the input cluster never throw: the table is still built
 * (best effort) and these explain what was skipped.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceLocation } from '../diagnostics/diagnostic.js';

/** Codes of identity-layer diagnostics. */
export type IdentityDiagnosticCode =
  | 'identity-unknown-local-node'
  | 'identity-invalid-ip'
  | 'identity-duplicate-ip'
  | 'identity-invalid-cidr'
  | 'identity-range-exhausted';

const at = (origin: SourceLocation | undefined) => (origin ? { location: origin } : {});

export const messages = {
  unknownLocalNode: (name: string, known: readonly string[]): Diagnostic => ({
    code: 'identity-unknown-local-node',
    severity: 'error',
    message: `local node ${JSON.stringify(name)} is not a node of the cluster`,
    hint: known.length ? `choose one of: ${known.join(', ')}` : 'declare a Node object',
  }),
  invalidIp: (what: string, ip: string, origin?: SourceLocation): Diagnostic => ({
    code: 'identity-invalid-ip',
    severity: 'error',
    message: `${what} has IP ${JSON.stringify(ip)}, which is not an IP address; it gets no identity in the ipcache`,
    ...at(origin),
  }),
  duplicateIp: (ip: string, first: string, second: string, origin?: SourceLocation): Diagnostic => ({
    code: 'identity-duplicate-ip',
    severity: 'warning',
    message: `${second} has IP ${ip}, already used by ${first}; the IP keeps the identity of ${first}`,
    hint: 'give every non-hostNetwork pod its own IP',
    ...at(origin),
  }),
  invalidCidr: (text: string): Diagnostic => ({
    code: 'identity-invalid-cidr',
    severity: 'error',
    message: `referenced CIDR ${JSON.stringify(text)} is not a prefix or address; no CIDR identity is made for it`,
  }),
  rangeExhausted: (count: number): Diagnostic => ({
    code: 'identity-range-exhausted',
    severity: 'warning',
    message: `${count} distinct pod label sets exceed Cilium's cluster identity range 256–65535; numbers above 65535 are not ones Cilium could allocate`,
    hint: 'limit identity-relevant labels (Cilium docs: "Limiting Identity-Relevant Labels")',
  }),
} as const;
