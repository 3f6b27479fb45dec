/**
 * @module diagnostics/diagnostic
 *
 * A diagnostic is a value, never an exception: every problem a user's input
 * can cause (bad YAML, a wrong type, an invalid CIDR, an unknown endpoint in a
 * test file) becomes one of these, with a stable code, the place it points at
 * and a hint on how to fix it. Layers collect them; only the CLI turns them
 * into exit codes.
 */

/** Where in a user's file something is. Lines and columns are 1-based. */
/** A file and a line (1-based): all a one-line citation needs. */
export interface SourceLine {
  readonly file: string;
  readonly line: number;
}

export interface SourceLocation extends SourceLine {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Character offsets into the file, for editors (end exclusive). */
  readonly offset: number;
  readonly endOffset: number;
}

/**
 * Severity decides what continues: an `error` makes the object it is about
 * invalid (Cilium would reject or ignore it); a `warning` is accepted by
 * Cilium but probably not what the author meant; `info` is a note (e.g. a
 * skipped kind).
 */
export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  /** Stable machine-readable code, e.g. `yaml-syntax`, `invalid-cidr`. */
  readonly code: string;
  readonly severity: Severity;
  /** What is wrong, one sentence. */
  readonly message: string;
  /** How to fix it, when we know. */
  readonly hint?: string;
  /** Where; absent only for problems that belong to no file (e.g. usage). */
  readonly location?: SourceLocation;
  /** Field path inside the object, e.g. `spec.ingress[1].fromCIDRSet[0].cidr`. */
  readonly path?: string;
  /** The object the problem belongs to, e.g. `CiliumNetworkPolicy default/backend-policy`. */
  readonly object?: string;
}

/** True when any diagnostic is an error. */
export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

/** Orders diagnostics by file, then position, so output is stable. */
export function sortDiagnostics(diags: readonly Diagnostic[]): Diagnostic[] {
  return [...diags].sort((a, b) => {
    const fa = a.location?.file ?? '';
    const fb = b.location?.file ?? '';
    if (fa !== fb) return fa < fb ? -1 : 1;
    return (a.location?.offset ?? 0) - (b.location?.offset ?? 0);
  });
}
