/**
 * @module analysis/connectivity/run
 *
 * Runs test cases through an {@link Engine}: resolve each case, ask the
 * engine's `verdict` about every (source, destination) pair, and compare
 * with what the author expected; only a failing case is explained (the
 * rules behind it, with file:line), because explaining costs far more than
 * deciding. The engine is a parameter, so the runner knows nothing of how
 * verdicts are made (semantics live in `engine/` alone) and tests can use a
 * fake. Problems of the input — an endpoint that names nothing, a query the
 * engine cannot answer ({@link QueryProblem}) — come back as diagnostics at
 * the case's line, never as a deny.
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Mutable } from '../../util/types.js';
import { isProblem, type Engine, type EngineOptions, type Verdict } from '../../engine/types.js';
import { explanationLine } from '../explain/format.js';
import type { Cluster } from '../../model/types.js';
import type { Workspace } from '../../workspace/load.js';
import type { TestHeader } from './parse.js';
import { caseResolver, type CaseResolver, type ResolvedCase } from './resolve.js';
import { trafficLabel, type CaseResult, type ConnectivityTest, type TestCase } from './types.js';


/** Builds an engine for a workspace; `compileEngine` from `engine/index.ts` in production. */
export type EngineFactory = (workspace: Workspace, options: EngineOptions) => Engine;

export interface RunOutcome {
  /** One per case that could run, in file order. */
  readonly results: readonly CaseResult[];
  /** Input errors; a case with an error has no result. */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Runs the cases of one test with one engine. `dns` is the test's `spec.dns`,
 * which must be the answers the engine was built with.
 */
export function runCases(
  cases: readonly TestCase[], cluster: Cluster, engine: Engine, dns: ReadonlyMap<string, readonly string[]> = new Map(),
): RunOutcome {
  const results: CaseResult[] = [];
  const diagnostics: Diagnostic[] = [];
  runResolving(cases, caseResolver(cluster, dns), engine, results, diagnostics);
  return { results, diagnostics };
}

/** {@link runCases} with a resolver kept from batch to batch, adding to `results` and `diagnostics`. */
function runResolving(cases: readonly TestCase[], resolveCase: CaseResolver, engine: Engine, results: CaseResult[], diagnostics: Diagnostic[]): void {
  for (const c of cases) {
    const resolved = resolveCase(c);
    if (!resolved.ok) {
      diagnostics.push(...resolved.diagnostics);
      continue;
    }
    const verdicts: Verdict[] = [];
    let problem: string | undefined;
    for (const p of resolved.value.probes) {
      const v = engine.verdict(p.query);
      if (isProblem(v)) {
        problem = v.problem + (v.hint ? ` (${v.hint})` : '');
        break;
      }
      verdicts.push(v);
    }
    if (problem !== undefined) {
      diagnostics.push({
        code: 'unanswerable-query', severity: 'error', location: c.location, object: `ConnectivityTest ${c.test}`,
        message: `${c.name ? `case "${c.name}": ` : ''}${problem}`,
      });
      continue;
    }
    const result = judge(resolved.value, verdicts);
    if (result.pass) {
      results.push(result);
      continue;
    }
    // A failure is worth the full explanation: the rules behind it, located in the files.
    const shown = resolved.value.probes[Math.max(0, verdicts.findIndex((v) => v.verdict !== c.expect))]!;
    const e = engine.explain(shown.query, { positions: 'lines' });
    if (!isProblem(e)) result.explanation = explanationLine(e);
    results.push(result);
  }
}

/**
 * Runs whole tests, batch by batch as a parse streams (or all at once:
 * {@link runConnectivityTests}): one engine per distinct `spec.dns` (the DNS
 * answers are part of what the engine compiles), results in file order.
 */
export class TestRunner {
  /** Per distinct `spec.dns`: its engine, and a resolver that remembers the endpoints it found. */
  private readonly byDns = new Map<string, { readonly engine: Engine; readonly resolve: CaseResolver }>();
  readonly results: CaseResult[] = [];
  readonly diagnostics: Diagnostic[] = [];
  /** Cases given so far. */
  cases = 0;

  constructor(private readonly workspace: Workspace, private readonly factory: EngineFactory, private readonly options: EngineOptions = {}) {}

  /** Runs cases of `test` (its header is enough: the cases come apart). */
  run(test: TestHeader, cases: readonly TestCase[]): void {
    const { engine, resolve } = this.forDns(test.dns);
    runResolving(cases, resolve, engine, this.results, this.diagnostics);
    this.cases += cases.length;
  }

  private forDns(dns: ReadonlyMap<string, readonly string[]>): { readonly engine: Engine; readonly resolve: CaseResolver } {
    const key = JSON.stringify([...dns].sort(([a], [b]) => (a < b ? -1 : 1)));
    let found = this.byDns.get(key);
    if (!found) {
      // Object.fromEntries defines every name as an own key (`__proto__` too); the engine reads its entries.
      const given = this.options.dns instanceof Map ? [...this.options.dns] : Object.entries(this.options.dns ?? {});
      const engine = this.factory(this.workspace, { ...this.options, dns: new Map([...given, ...dns]) });
      this.byDns.set(key, (found = { engine, resolve: caseResolver(this.workspace.cluster, dns) }));
    }
    return found;
  }
}

/** Runs whole tests (see {@link TestRunner}). */
export function runConnectivityTests(
  tests: readonly ConnectivityTest[], workspace: Workspace, factory: EngineFactory, options: EngineOptions = {},
): RunOutcome {
  const runner = new TestRunner(workspace, factory, options);
  for (const t of tests) runner.run(t, t.cases);
  return { results: runner.results, diagnostics: runner.diagnostics };
}

function judge(r: ResolvedCase, verdicts: readonly Verdict[]): Mutable<CaseResult> {
  const c = r.case;
  const denied = verdicts.findIndex((v) => v.verdict === 'deny');
  const verdict = denied < 0 ? 'allow' : 'deny';
  const shown = denied < 0 ? 0 : denied;
  const probe = r.probes[shown]!;
  const many = verdicts.length > 1;
  // With several pairs, say which pair the reason is about and how many failed.
  const deniedCount = many ? verdicts.filter((v) => v.verdict === 'deny').length : 0;
  const prefix = !many ? '' : denied < 0
    ? `all ${verdicts.length} pairs allowed; ${probe.fromLabel} -> ${probe.toLabel}: `
    : `${deniedCount} of ${verdicts.length} pairs denied; first ${probe.fromLabel} -> ${probe.toLabel}: `;
  // One literal with every field, absent ones undefined: objects that gain fields one by one
  // take a shape V8 reads far slower, and a suite makes one result per case.
  return {
    test: c.test,
    name: c.name ?? trafficLabel({ from: c.from.text, to: r.to.text, port: r.port, protocol: r.protocol, icmpType: c.icmpType, dns: c.dns }),
    from: c.from.text,
    to: r.to.text,
    port: r.port,
    protocol: r.protocol,
    icmpType: c.icmpType,
    dns: c.dns,
    expect: c.expect,
    verdict,
    pass: verdict === c.expect,
    reason: prefix + verdicts[shown]!.reason,
    pairs: verdicts.length,
    explanation: undefined,
    location: c.location,
  };
}
