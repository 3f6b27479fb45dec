/**
 * @module analysis/lint/lint
 *
 * Runs the lint rules over a workspace and its engine: which rules run
 * (defaults, opt-in rules, `--enable/--disable`, a config file), what
 * severity they report with, and suppression by annotation on the object
 * (`polis.dev/lint-disable: "rule-a, rule-b"`, or `all`), so a reviewed
 * exception lives next to the policy it excuses. Findings are
 * {@link Diagnostic}s (code = rule id, hint = the fix), so every printer and
 * report that knows diagnostics knows lint findings.
 */
import { parse } from 'yaml';
import { sortDiagnostics, type Diagnostic, type Severity } from '../../diagnostics/diagnostic.js';
import type { InspectableEngine as Engine } from '../../engine/types.js';
import { formatPath } from '../../manifest/object.js';
import { suggest } from '../../util/suggest.js';
import type { Workspace } from '../../workspace/load.js';
import { CHECKS, valueAt, type Check, type Finding } from './checks.js';
import { LINT_RULES, LINT_RULE_IDS, type LintRule } from './rules.js';

/** The annotation that switches rules off for one object. */
export const SUPPRESS_ANNOTATION = 'polis.dev/lint-disable';

export interface LintConfig {
  /** Rules to run beside the defaults (opt-in rules, or ones the config disabled). */
  readonly enable?: readonly string[];
  readonly disable?: readonly string[];
  /** Severity overrides by rule id. */
  readonly severity?: Readonly<Record<string, Severity>>;
}

export interface LintResult {
  readonly findings: readonly Diagnostic[];
  /** The rules that ran, for reports (SARIF lists them as rule metadata). */
  readonly rules: readonly LintRule[];
  /** How many findings annotations suppressed. */
  readonly suppressed: number;
}

/** Problems with a configuration (unknown rule ids), with a "did you mean". */
export function checkLintConfig(config: LintConfig): string[] {
  const problems: string[] = [];
  const ids = [...(config.enable ?? []), ...(config.disable ?? []), ...Object.keys(config.severity ?? {})];
  for (const id of ids) {
    if (LINT_RULE_IDS.has(id)) continue;
    const near = suggest(id, LINT_RULE_IDS);
    problems.push(`unknown lint rule ${JSON.stringify(id)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}; the rules are listed by polis lint --list-rules`);
  }
  for (const [id, s] of Object.entries(config.severity ?? {})) {
    if (s !== 'error' && s !== 'warning' && s !== 'info') problems.push(`severity of ${id} must be error, warning or info, not ${JSON.stringify(s)}`);
  }
  return problems;
}

/** Reads a config file's text (YAML or JSON): `enable`, `disable`, `severity`. */
export function parseLintConfig(text: string): { config: LintConfig } | { problem: string } {
  let v: unknown;
  try {
    v = parse(text);
  } catch (e) {
    return { problem: `invalid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
  if (v === null || v === undefined) return { config: {} };
  if (typeof v !== 'object' || Array.isArray(v)) return { problem: 'a lint config is a mapping with enable, disable and severity' };
  const o = v as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => k !== 'enable' && k !== 'disable' && k !== 'severity');
  if (unknown.length) return { problem: `unknown field ${JSON.stringify(unknown[0])} (the fields are enable, disable, severity)` };
  const list = (k: string): string[] | string => {
    const x = o[k];
    if (x === undefined) return [];
    if (!Array.isArray(x) || !x.every((s) => typeof s === 'string')) return `${k} must be a list of rule ids`;
    return x as string[];
  };
  const enable = list('enable');
  const disable = list('disable');
  if (typeof enable === 'string') return { problem: enable };
  if (typeof disable === 'string') return { problem: disable };
  const severity = o.severity ?? {};
  if (typeof severity !== 'object' || Array.isArray(severity) || severity === null) return { problem: 'severity must map rule ids to error, warning or info' };
  const config: LintConfig = { enable, disable, severity: severity as Record<string, Severity> };
  const problems = checkLintConfig(config);
  return problems.length ? { problem: problems[0]! } : { config };
}

/** The rules a configuration runs: defaults and enabled ones, less disabled ones (the later list wins for a rule in both). */
export function activeRules(...configs: readonly LintConfig[]): LintRule[] {
  const on = new Set(LINT_RULES.filter((r) => !r.optIn).map((r) => r.id));
  for (const c of configs) {
    for (const id of c.enable ?? []) on.add(id);
    for (const id of c.disable ?? []) on.delete(id);
  }
  return LINT_RULES.filter((r) => on.has(r.id)).map((r) => {
    const s = configs.reduce<Severity | undefined>((acc, c) => c.severity?.[r.id] ?? acc, undefined);
    return s ? { ...r, severity: s } : r;
  });
}

/** The rule ids an object's annotation suppresses (`all` or `*` for every rule). */
function suppressedBy(f: Finding): ReadonlySet<string> | 'all' {
  const a = valueAt(f.object.value, ['metadata', 'annotations', SUPPRESS_ANNOTATION]);
  if (typeof a !== 'string') return new Set();
  const ids = a.split(/[\s,]+/).filter(Boolean);
  return ids.includes('all') || ids.includes('*') ? 'all' : new Set(ids);
}

/** Runs the configured rules (later configs override earlier ones: file, then command line). */
export function lintWorkspace(workspace: Workspace, engine: Engine, ...configs: readonly LintConfig[]): LintResult {
  const rules = activeRules(...configs);
  const ran = new Map<Check, Finding[]>();
  const findings: Diagnostic[] = [];
  let suppressed = 0;
  for (const rule of rules) {
    const check = CHECKS[rule.id]!;
    // Some checks report two rules: run each once.
    let fs = ran.get(check);
    if (!fs) ran.set(check, (fs = check({ workspace, engine })));
    for (const f of fs) {
      if (f.rule !== rule.id) continue;
      const s = suppressedBy(f);
      if (s === 'all' || s.has(f.rule)) {
        suppressed++;
        continue;
      }
      findings.push({ code: f.rule, severity: rule.severity, message: f.message, hint: f.fix, location: f.location, path: formatPath(f.path), object: f.object.displayName });
    }
  }
  return { findings: sortDiagnostics(findings), rules, suppressed };
}
