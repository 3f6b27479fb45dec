/**
 * @module cli/commands/run
 *
 * `polis run -f PATH... [--from POD] -- [POD] COMMAND ARGS...`: runs one
 * command as the pod would in a virtual cluster built from the manifests,
 * prints what the real command prints, and exits with its exit code, as
 * `kubectl exec` does. `--observe [hubble filter flags]` prints the flows
 * it caused after its output, `--hubble FILE` appends them as Hubble jsonpb
 * lines (readable by `polis observe --input-file` and by hubble's own),
 * `-o json` prints every step (DNS lookups, connections, verdicts, HTTP).
 *
 * `polis run --scenario FILE` plays a Scenario file step by step as a
 * terminal would show it, and exits 1 at the first failed expectation (its
 * file:line on stderr); `-o json` and `-o junit` report it for scripts and CI.
 */
import { appendFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Option } from 'commander';
import { formatDiagnostic } from '../../diagnostics/format.js';
import { encodeFlow, encodeFlowResponse } from '../../hubble/encode.js';
import { compileFlowFilters } from '../../hubble/filter/compile.js';
import { BOOLEAN_FILTER_FLAGS, VALUE_FILTER_FLAGS, buildFlowFilters, type FilterFlag } from '../../hubble/filter/flags.js';
import { createPrinter } from '../../hubble/printer.js';
import type { SourceFile } from '../../manifest/source.js';
import { formatScenarioJson, formatScenarioJunit, scenarioFailure } from '../../simulate/scenario-format.js';
import { runCommandIn, runScenarioFile, VirtualCluster } from '../../usecases/run.js';
import { escapeControls } from '../../util/terminal.js';
import { exitCodeFor, type Situation } from '../exit-codes.js';
import { readSources } from '../files.js';
import { addInputOptions, type InputOptions, repeatable } from '../input.js';
import type { RegisterCommand } from './index.js';

interface RunOptions extends InputOptions {
  from?: string;
  now?: string;
  dns?: string[];
  output: 'text' | 'json' | 'junit';
  hubble?: string;
  observe?: boolean;
  printPolicyNames?: boolean;
  scenario?: string;
  policyEnforcement?: 'default' | 'always' | 'never';
}

const SHORT: Readonly<Record<string, string>> = { namespace: 'n', label: 'l', type: 't' };
const MANIFEST_EXT = /\.(ya?ml|json)$/i;

export const registerRun: RegisterCommand = (program, io, setExit) => {
  const flags: FilterFlag[] = [];
  const cmd = addInputOptions(program.command('run'))
    .description('run a command (curl, wget, nc, nslookup, dig, host, ping) as a pod would, with the flows Hubble would record; or play a scenario')
    .argument('[command...]', '[POD] COMMAND ARGS… after --, as with kubectl exec')
    .option('--from <pod>', 'the pod to run in: NS/NAME, NAME (in default), deploy/NAME, NS/WORKLOAD, world:IP or node:NAME')
    .option('--now <time>', 'where the virtual clock starts (RFC 3339; default 2026-01-01T12:00:00Z)')
    .option('--dns <name=ip>', 'the address of a name outside the cluster (repeatable; others get a made-up stable address)', repeatable)
    .addOption(new Option('-o, --output <format>', 'output: text, json (every step), junit (scenarios)').choices(['text', 'json', 'junit']).default('text'))
    .option('--hubble <file>', 'append the flows as Hubble jsonpb lines to FILE')
    .option('--observe', 'print the flows after the output, as `hubble observe` does (filter with its flags)')
    .option('--print-policy-names', 'with --observe: the policies behind policy verdicts')
    .option('--scenario <file>', 'play a Scenario file (its steps apply manifests, run commands and expect outputs and flows)')
    .addOption(new Option('--policy-enforcement <mode>', 'Cilium enable-policy').choices(['default', 'always', 'never']));
  for (const name of VALUE_FILTER_FLAGS) {
    const short = SHORT[name];
    cmd.option(`${short ? `-${short}, ` : ''}--${name} <value>`, `with --observe: filter ${name} (repeatable)`);
    cmd.on(`option:${name}`, (value: string) => flags.push({ name, value }));
  }
  for (const name of BOOLEAN_FILTER_FLAGS) {
    if (name === 'all-namespaces' || name === 'ipv4' || name === 'ipv6') {
      cmd.option(`--${name}`, `with --observe: filter ${name}`);
    } else cmd.option(`--${name}`, name === 'not' ? 'with --observe: negate the next filter flag' : `with --observe: filter ${name}`);
    cmd.on(`option:${name}`, () => flags.push({ name, value: '' }));
  }
  cmd.action(async (words: string[], opts: RunOptions) => {
    const usage = (m: string, situation: Situation = 'bad-flag') => {
      io.err(`polis run: ${escapeControls(m)}\n`);
      setExit(exitCodeFor('run', situation));
    };
    let now: Date | undefined;
    if (opts.now !== undefined) {
      now = new Date(opts.now);
      if (Number.isNaN(now.getTime())) return usage(`--now ${JSON.stringify(opts.now)} is not a time: write RFC 3339, e.g. 2024-03-14T13:55:24Z`);
    }
    const dns: Record<string, string[]> = {};
    for (const a of opts.dns ?? []) {
      const eq = a.indexOf('=');
      if (eq <= 0) return usage(`--dns ${JSON.stringify(a)} must look like NAME=IP`);
      (dns[a.slice(0, eq).toLowerCase()] ??= []).push(a.slice(eq + 1));
    }
    const built = buildFlowFilters(flags);
    if (!built.ok) return usage(built.error);
    const compiled = compileFlowFilters(built.filters);
    if (!compiled.ok) return usage(compiled.error);
    if (opts.output === 'junit' && !opts.scenario) return usage('-o junit reports scenarios: use it with --scenario');

    if (opts.scenario !== undefined) {
      if (words.length > 0) return usage('--scenario runs the commands of its file: give no command after --');
      let text: string;
      try {
        text = readFileSync(opts.scenario, 'utf8');
      } catch {
        return usage(`the path "${opts.scenario}" does not exist or cannot be read`, 'unreadable');
      }
      const base = dirname(opts.scenario);
      const result = runScenarioFile({ path: opts.scenario, text }, (p) => readManifestsSync(resolve(base, p), join(base, p)));
      if (result.diagnostics.some((d) => d.severity === 'error')) {
        for (const d of result.diagnostics) io.err(`${formatDiagnostic(d)}\n`);
        return setExit(exitCodeFor('run', 'invalid-tests'));
      }
      if (opts.output === 'json') io.out(formatScenarioJson(result.runs));
      else if (opts.output === 'junit') io.out(formatScenarioJunit(result.runs));
      else for (const r of result.runs) for (const s of r.steps) io.out(s.transcript);
      if (opts.hubble) for (const r of result.runs) appendFlows(opts.hubble, r.cluster.flows.all());
      const failed = result.runs.flatMap((r) => r.steps).find((s) => s.failures.length > 0);
      if (failed) io.err(`${scenarioFailure(failed)}\n`);
      return setExit(exitCodeFor('run', ...(failed ? ['case-failed' as const] : [])));
    }

    if (!opts.filename || opts.filename.length === 0) return usage('no input: name manifests with -f FILE (or -f - for standard input)');
    if (words.length === 0) return usage('no command given: polis run -f PATH -- [POD] COMMAND [ARGS…]');
    const read = await readSources(opts.filename, opts.recursive === true, io);
    if (read.sources.length === 0 && read.diagnostics.length > 0) return usage(read.diagnostics.map((d) => d.message).join('\n'), 'unreadable');
    for (const d of read.diagnostics) io.err(`${formatDiagnostic(d)}\n`);
    const vc = new VirtualCluster(read.sources, {
      ...(now ? { now } : {}), dns,
      ...(opts.podCidr ? { podCIDR: opts.podCidr } : {}), ...(opts.serviceCidr ? { serviceCIDR: opts.serviceCidr } : {}),
      ...(opts.clusterName ? { clusterName: opts.clusterName } : {}),
      ...(opts.policyEnforcement ? { policyEnforcement: opts.policyEnforcement } : {}),
    });
    const errors = vc.session.workspace.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) io.err(`warning: the manifests have ${errors.length} error(s); policies Cilium would refuse enforce nothing (run polis validate)\n`);
    const r = runCommandIn(vc, words, opts.from);
    if ('problem' in r) return usage(r.problem);
    if (opts.output === 'json') {
      io.out(`${JSON.stringify({
        pod: r.origin, command: words, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, startedAt: r.startedAt, durationMs: r.durationMs,
        steps: r.steps, flows: r.flows.map((f) => JSON.parse(encodeFlow(f)) as unknown),
      }, null, 2)}\n`);
    } else {
      io.out(r.stdout);
      io.err(r.stderr);
      if (opts.observe) {
        const printer = createPrinter('compact', { policyNames: opts.printPolicyNames === true });
        let text = '';
        for (const f of r.flows) if (compiled.match(f)) text += printer.write({ flow: f });
        io.out(text + printer.end());
      }
    }
    if (opts.hubble) appendFlows(opts.hubble, r.flows);
    setExit(r.exitCode);
  });
};

function appendFlows(file: string, flows: readonly import('../../hubble/flow.js').Flow[]): void {
  let text = '';
  for (const f of flows) text += `${encodeFlowResponse({ flow: f, ...(f.nodeName ? { nodeName: f.nodeName } : {}), ...(f.time ? { time: f.time } : {}) })}\n`;
  appendFileSync(file, text);
}

/** A scenario's `apply: PATH`: a file or a folder's manifests, read now (the core does no I/O). */
function readManifestsSync(absolute: string, shown: string): { sources: SourceFile[] } | { error: string } {
  try {
    const st = statSync(absolute);
    if (!st.isDirectory()) return { sources: [{ path: shown, text: readFileSync(absolute, 'utf8') }] };
    const sources = readdirSync(absolute).sort().filter((n) => MANIFEST_EXT.test(n)).map((n) => ({ path: join(shown, n), text: readFileSync(join(absolute, n), 'utf8') }));
    return { sources };
  } catch {
    return { error: `the path "${shown}" does not exist or cannot be read` };
  }
}
