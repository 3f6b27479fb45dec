/**
 * @module simulate/scenario
 *
 * A `Scenario` file (`polis.dev/v1alpha1`) is a tutorial or a runbook as
 * steps against one evolving virtual cluster: apply or delete manifests,
 * run a command in a pod, observe the flows of the commands since the last
 * observation with `hubble observe`'s filter flags, and expect an exit code, output or
 * flow lines. Applying a policy between two commands changes the next
 * verdict, as it does in a real cluster. Steps run in order and stop at
 * the first failed expectation, which is reported at its file:line. The
 * transcript looks like the terminal session the steps stand for.
 *
 * Files are read through a callback (the core does no I/O); paths are
 * relative to the scenario file.
 */
import { z } from 'zod';
import type { Diagnostic, SourceLocation } from '../diagnostics/diagnostic.js';
import { checkSchema } from '../manifest/check-schema.js';
import { loadManifests } from '../manifest/load.js';
import { formatPath, type FieldPath } from '../manifest/object.js';
import { recordOf } from '../manifest/record-schema.js';
import type { SourceFile } from '../manifest/source.js';
import type { Flow } from '../hubble/flow.js';
import { buildFlowFilters, BOOLEAN_FILTER_FLAGS, VALUE_FILTER_FLAGS, type FilterFlag } from '../hubble/filter/flags.js';
import { compileFlowFilters } from '../hubble/filter/compile.js';
import { formatCompact } from '../hubble/printer-compact.js';
import { shellWords } from './commands/index.js';
import { VirtualCluster, type CommandResult, type ResponseRule } from './virtual-cluster.js';

const expectSchema = z.strictObject({
  exitCode: z.number().int().min(0).max(255).optional(),
  /** The whole of stdout, exactly. */
  stdout: z.string().optional(),
  stderr: z.string().optional(),
  /** Substrings that must appear in stdout (or stderr for `stderrContains`). */
  stdoutContains: z.union([z.string(), z.array(z.string())]).optional(),
  stderrContains: z.union([z.string(), z.array(z.string())]).optional(),
  /** observe: these lines, in this order, each matching one flow line (`*` matches anything; without a timestamp the line's own is ignored). */
  lines: z.array(z.string()).optional(),
  /** observe: exactly this many flows. */
  count: z.number().int().min(0).optional(),
});

const responseSchema = z.strictObject({
  pod: z.string().min(1).optional(),
  labels: recordOf(z.string()).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  method: z.string().min(1).optional(),
  path: z.string().min(1).optional(),
  host: z.string().min(1).optional(),
  status: z.number().int().min(100).max(599).optional(),
  body: z.string(),
  headers: recordOf(z.string()).optional(),
});

const pathsSchema = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

const stepSchema = z.strictObject({
  name: z.string().optional(),
  /** Manifests to `kubectl apply -f` (files or folders, relative to the scenario). */
  apply: pathsSchema.optional(),
  delete: pathsSchema.optional(),
  /** A command line: `kubectl exec POD -- CMD…`, or `POD CMD…`; `from:` names the pod otherwise. */
  run: z.union([z.string().min(1), z.array(z.string()).min(1)]).optional(),
  from: z.string().min(1).optional(),
  /** `hubble observe` filter flags, e.g. `--from-label tier=backend --verdict DROPPED` (empty: every flow). */
  observe: z.string().optional(),
  expect: expectSchema.optional(),
  /** Words printed as a comment in the transcript. */
  note: z.string().optional(),
});

export const scenarioSchema = z.strictObject({
  apiVersion: z.literal('polis.dev/v1alpha1'),
  kind: z.literal('Scenario'),
  metadata: z.looseObject({ name: z.string().min(1) }),
  spec: z.strictObject({
    /** Where the virtual clock starts (RFC 3339). */
    now: z.string().optional(),
    dns: recordOf(z.array(z.string())).optional(),
    responses: z.array(responseSchema).optional(),
    steps: z.array(stepSchema).min(1, 'list at least one step'),
  }),
});

export type StepSpec = z.infer<typeof stepSchema>;

export interface ScenarioStep {
  readonly spec: StepSpec;
  readonly location: SourceLocation;
  readonly locate: (path: FieldPath) => SourceLocation;
}

export interface Scenario {
  readonly name: string;
  readonly file: string;
  readonly now?: Date;
  readonly dns: Readonly<Record<string, readonly string[]>>;
  readonly responses: readonly ResponseRule[];
  readonly steps: readonly ScenarioStep[];
}

/** Reads the scenarios of a file; every problem is a diagnostic at its place. */
export function parseScenarios(source: SourceFile): { scenarios: Scenario[]; diagnostics: Diagnostic[] } {
  const loaded = loadManifests([source]);
  const diagnostics: Diagnostic[] = [...loaded.diagnostics];
  const scenarios: Scenario[] = [];
  for (const obj of loaded.objects) {
    if (obj.kind !== 'Scenario') {
      diagnostics.push({ code: 'not-a-scenario', severity: 'error', location: obj.locate(['kind']), object: obj.displayName, message: `${obj.kind} is not a Scenario`, hint: 'a scenario file holds `kind: Scenario` objects (apiVersion polis.dev/v1alpha1)' });
      continue;
    }
    const checked = checkSchema(obj, scenarioSchema);
    diagnostics.push(...checked.diagnostics);
    const v = checked.value;
    if (!v) continue;
    let now: Date | undefined;
    if (v.spec.now !== undefined) {
      now = new Date(v.spec.now);
      if (Number.isNaN(now.getTime())) {
        diagnostics.push({ code: 'invalid-time', severity: 'error', location: obj.locate(['spec', 'now']), path: 'spec.now', object: obj.displayName, message: `${JSON.stringify(v.spec.now)} is not a time`, hint: 'write RFC 3339, e.g. 2024-03-14T13:55:24Z' });
        continue;
      }
    }
    const steps: ScenarioStep[] = [];
    v.spec.steps.forEach((spec, i) => {
      const base: FieldPath = ['spec', 'steps', i];
      const actions = (['apply', 'delete', 'run', 'observe'] as const).filter((k) => spec[k] !== undefined);
      if (actions.length > 1) {
        diagnostics.push({ code: 'step-actions', severity: 'error', location: obj.locate([...base, actions[1]!], 'key'), path: formatPath(base), object: obj.displayName, message: `a step does one thing; this one has ${actions.join(' and ')}`, hint: 'split it into one step per action' });
      }
      if (actions.length === 0 && spec.note === undefined) {
        diagnostics.push({ code: 'step-actions', severity: 'error', location: obj.locate(base), path: formatPath(base), object: obj.displayName, message: 'a step needs one of apply, delete, run, observe (or a note)' });
      }
      if (spec.expect && actions[0] === undefined) {
        diagnostics.push({ code: 'step-expect', severity: 'error', location: obj.locate([...base, 'expect'], 'key'), path: formatPath([...base, 'expect']), object: obj.displayName, message: 'a note has nothing to expect' });
      }
      if (spec.observe !== undefined) {
        const f = observeFlags(spec.observe);
        if ('error' in f) diagnostics.push({ code: 'observe-flags', severity: 'error', location: obj.locate([...base, 'observe']), path: formatPath([...base, 'observe']), object: obj.displayName, message: f.error });
      }
      steps.push({ spec, location: obj.locate(base), locate: (p) => obj.locate([...base, ...p]) });
    });
    scenarios.push({
      name: obj.name, file: source.path, ...(now ? { now } : {}), dns: v.spec.dns ?? {},
      responses: (v.spec.responses ?? []).map((r) => ({ ...r, body: r.body })), steps,
    });
  }
  if (scenarios.length === 0 && diagnostics.length === 0) diagnostics.push({ code: 'no-scenario', severity: 'error', message: `${source.path} holds no Scenario` });
  return { scenarios, diagnostics };
}

/** Hubble filter flags from the words of an `observe:` step (`--type l7`, `--verdict=DROPPED`, `-t drop`). */
export function observeFlags(text: string): FilterFlag[] | { error: string } {
  const words = (shellWords(text) ?? []).filter((w) => !w.op).map((w) => w.text);
  const short: Readonly<Record<string, string>> = { '-n': 'namespace', '-l': 'label', '-t': 'type', '-A': 'all-namespaces', '-4': 'ipv4', '-6': 'ipv6' };
  const flags: FilterFlag[] = [];
  for (let i = 0; i < words.length; i++) {
    let w = words[i]!;
    if (w === 'hubble' && i === 0) continue;
    if (w === 'observe' && i <= 1) continue;
    let value: string | undefined;
    const eq = w.indexOf('=');
    if (w.startsWith('--') && eq > 0) {
      value = w.slice(eq + 1);
      w = w.slice(0, eq);
    }
    const name = short[w] ?? (w.startsWith('--') ? w.slice(2) : undefined);
    if (name === undefined) return { error: `observe: ${JSON.stringify(w)} is not a hubble observe filter flag` };
    if ((BOOLEAN_FILTER_FLAGS as readonly string[]).includes(name)) flags.push({ name, value: '' } as FilterFlag);
    else if ((VALUE_FILTER_FLAGS as readonly string[]).includes(name)) {
      value ??= words[++i];
      if (value === undefined) return { error: `observe: --${name} needs a value` };
      flags.push({ name, value } as FilterFlag);
    } else return { error: `observe: --${name} is not a hubble observe filter flag` };
  }
  const built = buildFlowFilters(flags);
  if (!built.ok) return { error: `observe: ${built.error}` };
  return flags;
}

/** Splits a `run:` line into the pod and the command (`kubectl exec [-n NS] [-it] POD -- CMD`, or `POD CMD`). */
export function execLine(words: readonly string[], from?: string): { pod: string; argv: string[] } | { error: string } {
  let w = [...words];
  let ns: string | undefined;
  if (w[0] === 'kubectl' && w[1] === 'exec') {
    w = w.slice(2);
    const rest: string[] = [];
    let i = 0;
    for (; i < w.length && w[i] !== '--'; i++) {
      const a = w[i]!;
      if (a === '-n' || a === '--namespace') ns = w[++i];
      else if (a.startsWith('--namespace=')) ns = a.slice(12);
      else if (a === '-c' || a === '--container') i++;
      else if (/^-[it]+$/.test(a) || a === '--stdin' || a === '--tty') continue;
      else rest.push(a);
    }
    const pod = rest[0] ?? from;
    const argv = [...rest.slice(1), ...w.slice(i + 1)];
    if (pod === undefined) return { error: 'kubectl exec needs a pod: kubectl exec POD -- COMMAND' };
    return { pod: ns && !pod.includes('/') ? `${ns}/${pod}` : ns && /^(deploy|deployment|sts|statefulset|ds|daemonset|pod|po)\//.test(pod) ? `${ns}/${pod}` : pod, argv };
  }
  if (from !== undefined) return { pod: from, argv: w };
  if (w.length < 2) return { error: 'name the pod: `POD COMMAND…`, `kubectl exec POD -- COMMAND…`, or from:' };
  return { pod: w[0]!, argv: w.slice(1) };
}

/** How one step went. */
export interface StepResult {
  readonly step: ScenarioStep;
  /** What a terminal shows for it (the prompt line, then the output). */
  readonly transcript: string;
  readonly command?: CommandResult;
  readonly flows?: readonly Flow[];
  /** Unmet expectations (empty when it passed). */
  readonly failures: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

export interface ScenarioRun {
  readonly scenario: Scenario;
  readonly steps: readonly StepResult[];
  readonly passed: boolean;
  /** The virtual cluster at the end (to look at, or go on with). */
  readonly cluster: VirtualCluster;
}

/** Reads manifests for apply/delete: a path relative to the scenario file → its sources, or why not. */
export type ReadManifests = (path: string) => { sources: readonly SourceFile[] } | { error: string };

/** Runs a scenario's steps in order, stopping at the first unmet expectation or unreadable file. */
export function runScenario(s: Scenario, read: ReadManifests, options: { policyNames?: boolean } = {}): ScenarioRun {
  const vc = new VirtualCluster([], { ...(s.now ? { now: s.now } : {}), dns: s.dns, responses: s.responses, ...options });
  // An observe step shows the flows of the commands run since the previous observe; observe steps in a row share them.
  let since = 0;
  let observed = false;
  const results: StepResult[] = [];
  for (const step of s.steps) {
    if (step.spec.run !== undefined && observed) {
      since = vc.flows.seenFlows;
      observed = false;
    }
    const r = runStep(vc, step, read, since);
    if (step.spec.observe !== undefined) observed = true;
    results.push(r);
    if (r.failures.length > 0) return { scenario: s, steps: results, passed: false, cluster: vc };
  }
  return { scenario: s, steps: results, passed: true, cluster: vc };
}

function runStep(vc: VirtualCluster, step: ScenarioStep, read: ReadManifests, since: number): StepResult {
  const spec = step.spec;
  const note = spec.note !== undefined ? spec.note.split('\n').map((l) => `# ${l}\n`).join('') : '';
  const done = (transcript: string, extra: Partial<StepResult> = {}): StepResult => ({ step, transcript: note + transcript, failures: [], diagnostics: [], ...extra });
  if (spec.apply !== undefined || spec.delete !== undefined) {
    const deleting = spec.apply === undefined;
    const paths = [spec.apply ?? spec.delete!].flat();
    const sources: SourceFile[] = [];
    for (const p of paths) {
      const r = read(p);
      if ('error' in r) return done(`$ kubectl ${deleting ? 'delete' : 'apply'} -f ${p}\n`, { failures: [r.error] });
      sources.push(...r.sources);
    }
    const before = vc.objectKeys();
    const diagnostics = deleting ? vc.delete(sources) : vc.apply(sources);
    let stdout = '';
    let stderr = '';
    for (const c of vc.lastChanges) stdout += `${c.resource}/${c.name} ${deleting ? 'deleted' : before.has(c.key) ? (c.changed ? 'configured' : 'unchanged') : 'created'}\n`;
    // kubectl fails (exit 1) only for what the API server refuses; what Cilium will refuse is stored, and polis says so.
    const refused = diagnostics.filter((d) => VirtualCluster.refusedByApiServer(d) || d.code === 'not-found');
    for (const d of diagnostics) {
      if (d.severity !== 'error' && d.code !== 'not-found') continue;
      const where = d.location ? `${d.location.file}:${d.location.line}:${d.location.col}: ` : '';
      stderr += refused.includes(d) ? `error: ${where}${d.message}\n` : `polis: ${where}${d.message}${d.hint ? ` (${d.hint})` : ''}\n`;
    }
    if (diagnostics.some((d) => d.severity === 'error' && !refused.includes(d))) stderr += 'polis: Cilium refuses a policy with these errors, and a refused policy enforces nothing (run polis validate)\n';
    const result: CommandResult = { stdout, stderr, exitCode: refused.length > 0 ? 1 : 0, flows: [], steps: [], origin: 'kubectl', startedAt: vc.clock.now().toISOString(), durationMs: 0 };
    return done(`$ kubectl ${deleting ? 'delete' : 'apply'} ${paths.map((p) => `-f ${p}`).join(' ')}\n${stdout}${stderr}`, {
      diagnostics, command: result, failures: expectCommand(spec.expect ?? { exitCode: 0 }, result),
    });
  }
  if (spec.run !== undefined) {
    const words = typeof spec.run === 'string' ? (shellWords(spec.run) ?? []).map((t) => t.text) : spec.run;
    const line = typeof spec.run === 'string' ? spec.run : spec.run.map(quoteWord).join(' ');
    const target = execLine(words, spec.from);
    if ('error' in target) return done(`$ ${line}\n`, { failures: [target.error] });
    const r = vc.exec(target.pod, target.argv);
    const transcript = `$ ${line}\n${r.stdout}${r.stdout && !r.stdout.endsWith('\n') ? '\n' : ''}${r.stderr}`;
    return done(transcript, { command: r, failures: expectCommand(spec.expect, r) });
  }
  if (spec.observe !== undefined) {
    const flags = observeFlags(spec.observe);
    if ('error' in flags) return done(`$ hubble observe ${spec.observe}\n`, { failures: [flags.error] });
    const built = buildFlowFilters(flags);
    const compiled = built.ok ? compileFlowFilters(built.filters) : undefined;
    const match = compiled?.ok ? compiled.match : () => true;
    // The flows since the previous observe step (all the buffer still holds, if more came than it keeps).
    const fresh = vc.flows.seenFlows - since > vc.flows.size ? vc.flows.all() : vc.flows.all().slice(vc.flows.size - (vc.flows.seenFlows - since));
    const flows = fresh.filter((f) => match(f));
    const lines = flows.map((f) => formatCompact({ flow: f }, {}).replace(/\n$/, ''));
    const transcript = `$ hubble observe${spec.observe.trim() ? ` ${spec.observe.trim().replace(/^hubble observe\s*/, '')}` : ''}\n${lines.map((l) => `${l}\n`).join('')}`;
    return done(transcript, { flows, failures: expectLines(spec.expect, lines) });
  }
  return done('');
}

function quoteWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

function list(v: string | readonly string[] | undefined): readonly string[] {
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
}

function expectCommand(e: StepSpec['expect'], r: CommandResult): string[] {
  if (!e) return [];
  const failures: string[] = [];
  if (e.exitCode !== undefined && r.exitCode !== e.exitCode) failures.push(`expected exit code ${e.exitCode}, got ${r.exitCode}`);
  if (e.stdout !== undefined && r.stdout !== e.stdout) failures.push(`expected stdout ${JSON.stringify(e.stdout)}, got ${JSON.stringify(r.stdout)}`);
  if (e.stderr !== undefined && r.stderr !== e.stderr) failures.push(`expected stderr ${JSON.stringify(e.stderr)}, got ${JSON.stringify(r.stderr)}`);
  for (const s of list(e.stdoutContains)) if (!r.stdout.includes(s)) failures.push(`expected stdout to contain ${JSON.stringify(s)}, got ${JSON.stringify(r.stdout)}`);
  for (const s of list(e.stderrContains)) if (!r.stderr.includes(s)) failures.push(`expected stderr to contain ${JSON.stringify(s)}, got ${JSON.stringify(r.stderr)}`);
  if (e.lines !== undefined || e.count !== undefined) failures.push('lines and count are expectations of observe steps');
  return failures;
}

const TIMESTAMP = /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d\.\d{3}: /;

/** Each expected line must match a flow line, in order (other lines may come between). */
function expectLines(e: StepSpec['expect'], lines: readonly string[]): string[] {
  if (!e) return [];
  const failures: string[] = [];
  if (e.count !== undefined && lines.length !== e.count) failures.push(`expected ${e.count} flows, got ${lines.length}`);
  let at = 0;
  for (const want of e.lines ?? []) {
    const re = globLine(want);
    const withTime = /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d/.test(want);
    let found = -1;
    for (let i = at; i < lines.length; i++) {
      const l = withTime ? lines[i]! : lines[i]!.replace(TIMESTAMP, '');
      if (re.test(l)) {
        found = i;
        break;
      }
    }
    if (found < 0) {
      failures.push(`no flow line ${at > 0 ? 'after the previous match ' : ''}matches ${JSON.stringify(want)}; the flows were:\n${lines.map((l) => `  ${l}`).join('\n') || '  (none)'}`);
      break;
    }
    at = found + 1;
  }
  if (e.exitCode !== undefined || e.stdout !== undefined || e.stderr !== undefined || e.stdoutContains !== undefined || e.stderrContains !== undefined) {
    failures.push('exitCode, stdout and stderr are expectations of run steps');
  }
  return failures;
}

function globLine(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}
