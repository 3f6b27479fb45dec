/**
 * @module policy/validate/reporter
 *
 * Collects the problems found in one policy object, each tied to the field
 * it is about, so every message can cite `file:line:col` and the field path.
 */
import type { Diagnostic, Severity } from '../../diagnostics/diagnostic.js';
import { formatPath, type FieldPath, type ManifestObject } from '../../manifest/object.js';

export class Reporter {
  constructor(
    readonly obj: ManifestObject,
    readonly diagnostics: Diagnostic[] = [],
    private readonly keep: (d: Diagnostic) => boolean = () => true,
  ) {}

  report(severity: Severity, path: FieldPath, code: string, message: string, hint?: string, at: 'key' | 'value' = 'value'): void {
    const d: Diagnostic = { code, severity, message, ...(hint ? { hint } : {}), path: formatPath(path), object: this.obj.displayName };
    if (this.keep(d)) this.diagnostics.push({ ...d, location: this.obj.locate(path, at) });
  }

  error(path: FieldPath, code: string, message: string, hint?: string, at: 'key' | 'value' = 'value'): void {
    this.report('error', path, code, message, hint, at);
  }

  warn(path: FieldPath, code: string, message: string, hint?: string, at: 'key' | 'value' = 'value'): void {
    this.report('warning', path, code, message, hint, at);
  }

  /**
   * A reporter that drops problems at or under `removed` paths (fields a
   * schema error already covered) and the "missing field" problems their
   * removal causes in the object that held them. Kept problems go to this one.
   */
  scoped(removed: readonly string[]): Reporter {
    const covered = (path: string, code: string) =>
      removed.some((r) => path === r || path.startsWith(`${r}.`) || path.startsWith(`${r}[`) || (MISSING.has(code) && r.startsWith(path)));
    return new Reporter(this.obj, this.diagnostics, (d) => !covered(d.path ?? '', d.code));
  }

  get hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }
}

/** Codes that report something missing, which a removed field would also cause. */
const MISSING = new Set(['port-required', 'no-subject', 'cidr-rule-empty', 'fqdn-empty', 'rule-without-sections', 'empty-policy', 'empty-peer', 'service-empty']);

/**
 * Cilium accepts a policy the API server let through, then refuses it when
 * it parses it (`Rule.Sanitize`), and then enforces *nothing* of it. Hints for
 * such problems quote Cilium's own message so users can match agent logs.
 */
export function ciliumRejects(ciliumMessage: string, fix: string): string {
  return `${fix}. Cilium refuses the whole policy ("${ciliumMessage}") and enforces none of its rules`;
}
