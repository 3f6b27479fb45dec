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
    const covered = removedPaths(removed);
    return new Reporter(this.obj, this.diagnostics, (d) => !covered(d.path ?? '', MISSING.has(d.code)));
  }

  get hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }
}

/**
 * Whether a path is at or under a removed one, or (for a "missing" problem)
 * holds one: `path === r`, `path` starts with `r.` or `r[`, or `r` starts
 * with `path`. Indexed, because a policy can have thousands of each: a set
 * of the removed paths for the prefixes of `path`, and the sorted list,
 * where the paths starting with `path` begin at its insertion point.
 * (Checking every pair took 3 s for 5,000 null peers, found by the fuzzer.)
 */
function removedPaths(removed: readonly string[]): (path: string, missing: boolean) => boolean {
  const set = new Set(removed);
  const sorted = [...set].sort();
  return (path, missing) => {
    if (set.has(path)) return true;
    for (let i = 0; i < path.length; i++) {
      const c = path[i];
      if ((c === '.' || c === '[') && set.has(path.slice(0, i))) return true;
    }
    if (!missing) return false;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < path) lo = mid + 1;
      else hi = mid;
    }
    return lo < sorted.length && sorted[lo]!.startsWith(path);
  };
}

/** Codes that report something missing, which a removed field would also cause. */
const MISSING = new Set(['port-required', 'no-subject', 'cidr-rule-empty', 'fqdn-empty', 'rule-without-sections', 'empty-policy', 'empty-peer', 'service-empty']);

/**
 * Cilium accepts a policy the API server let through, then refuses it when
 * it parses it (`Rule.Sanitize`), and then enforces *nothing* of it. Hints for
 * such problems quote Cilium's own message so users can match agent logs.
 */
/**
 * The hint for what the CRD's schema refuses: `kubectl apply` fails, so the
 * object never reaches Cilium (and an earlier definition stays in force).
 */
export function crdRejects(why: string, fix: string): string {
  return `${fix}. The CiliumNetworkPolicy CRD refuses it (${why}), so kubectl apply fails and the policy is never created`;
}

export function ciliumRejects(ciliumMessage: string, fix: string): string {
  return `${fix}. Cilium refuses the whole policy ("${ciliumMessage}") and enforces none of its rules`;
}
