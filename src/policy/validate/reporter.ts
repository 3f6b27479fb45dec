/**
 * @module policy/validate/reporter
 *
 * Collects the problems found in one policy object, each tied to the field
 * it is about, so every message can cite `file:line:col` and the field path.
 */
import type { Diagnostic, Severity } from '../../diagnostics/diagnostic.js';
import { formatPath, type FieldPath, type ManifestObject } from '../../manifest/object.js';

export class Reporter {
  readonly diagnostics: Diagnostic[] = [];

  constructor(readonly obj: ManifestObject) {}

  report(severity: Severity, path: FieldPath, code: string, message: string, hint?: string, at: 'key' | 'value' = 'value'): void {
    this.diagnostics.push({
      code, severity, message, ...(hint ? { hint } : {}),
      location: this.obj.locate(path, at), path: formatPath(path), object: this.obj.displayName,
    });
  }

  error(path: FieldPath, code: string, message: string, hint?: string, at: 'key' | 'value' = 'value'): void {
    this.report('error', path, code, message, hint, at);
  }

  warn(path: FieldPath, code: string, message: string, hint?: string, at: 'key' | 'value' = 'value'): void {
    this.report('warning', path, code, message, hint, at);
  }

  get hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }
}

/**
 * Cilium accepts a policy the API server let through, then refuses it when
 * it parses it (`Rule.Sanitize`), and then enforces *nothing* of it. Hints for
 * such problems quote Cilium's own message so users can match agent logs.
 */
export function ciliumRejects(ciliumMessage: string, fix: string): string {
  return `${fix}. Cilium refuses the whole policy ("${ciliumMessage}") and enforces none of its rules`;
}
