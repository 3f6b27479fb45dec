/**
 * @module cli/commands/lint
 *
 * `polis lint -f PATH... [--enable RULE] [--disable RULE] [--config FILE]
 * [-o text|json|junit|sarif]`: the lint rules (`analysis/lint`) over the
 * manifests. Exit 1 when a finding of severity error or warning remains
 * (infos are notes), 2 for usage, as `cli/exit-codes.ts` says. A config
 * file `.polis-lint.yaml` in the current folder is read when no `--config`
 * is given; the command line is applied after it.
 */
import { readFile } from 'node:fs/promises';
import { Option } from 'commander';
import { formatDiagnostic } from '../../diagnostics/format.js';
import { diagnosticsToJson } from '../../diagnostics/format.js';
import { checkLintConfig, parseLintConfig, SUPPRESS_ANNOTATION, type LintConfig } from '../../analysis/lint/lint.js';
import { LINT_RULES } from '../../analysis/lint/rules.js';
import { toJunit, toSarif } from '../../analysis/report/report.js';
// The use-case modules themselves, not the barrel: a command loads only what it runs.
import { lintSession } from '../../usecases/lint.js';
import { Session } from '../../usecases/session.js';
import { formatTable } from '../../util/table.js';
import { exitCodeFor, type Situation } from '../exit-codes.js';
import { addEngineOptions, addInputOptions, engineOptionsFrom, loadInput, type EngineFlags, type InputOptions, repeatableList } from '../input.js';
import type { RegisterCommand } from './index.js';

interface LintOptions extends InputOptions, EngineFlags {
  output: 'text' | 'json' | 'junit' | 'sarif';
  enable?: string[];
  disable?: string[];
  config?: string;
  listRules?: boolean;
}

export const DEFAULT_LINT_CONFIG = '.polis-lint.yaml';

export const registerLint: RegisterCommand = (program, io, setExit) => {
  addEngineOptions(addInputOptions(program.command('lint')))
    .description('find policies that do not do what they seem to (each finding with its rule, file:line:col and a fix)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'junit', 'sarif']).default('text'))
    .option('--enable <rule>', 'run a rule that is off (opt-in or disabled by the config); repeatable or comma-separated', repeatableList)
    .option('--disable <rule>', 'do not run a rule; repeatable or comma-separated', repeatableList)
    .option('--config <file>', `lint config (YAML: enable, disable, severity); default ${DEFAULT_LINT_CONFIG} when present`)
    .option('--list-rules', 'list the rules, their severity and whether they run by default')
    .addHelpText('after', `\nSuppress rules for one object with the annotation ${SUPPRESS_ANNOTATION}: "rule-a, rule-b" (or "all").`)
    .action(async (opts: LintOptions) => setExit(await runLint(opts, io)));
};

async function runLint(opts: LintOptions, io: Parameters<RegisterCommand>[1]): Promise<number> {
  const stop = (message: string, ...situations: Situation[]) => {
    io.err(`polis lint: ${message}\n`);
    return exitCodeFor('lint', ...situations);
  };
  if (opts.listRules) {
    io.out(formatTable(['RULE', 'SEVERITY', 'DEFAULT', 'WHAT'], LINT_RULES.map((r) => [r.id, r.severity, r.optIn ? 'off' : 'on', r.title])));
    return exitCodeFor('lint');
  }
  const configs: LintConfig[] = [];
  const file = opts.config ?? DEFAULT_LINT_CONFIG;
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (opts.config) return stop(`cannot read the lint config ${opts.config}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (e as Error).message}`, 'unreadable');
  }
  if (text !== undefined) {
    const parsed = parseLintConfig(text);
    if ('problem' in parsed) return stop(`${file}: ${parsed.problem}`, 'bad-flag');
    configs.push(parsed.config);
  }
  const cli: LintConfig = { enable: opts.enable ?? [], disable: opts.disable ?? [] };
  const problems = checkLintConfig(cli);
  if (problems.length) return stop(problems.join('\n'), 'bad-flag');
  configs.push(cli);

  const loaded = await loadInput(opts, io);
  if (!loaded.ok) return stop(loaded.message, loaded.situation);
  const { workspace: ws, readProblems } = loaded;
  const texts = new Map(ws.sources.map((s) => [s.path, s.text]));
  for (const d of readProblems) io.err(formatDiagnostic(d, texts) + '\n');
  const errors = ws.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) io.err(`polis lint: warning: the manifests have ${errors.length} error${errors.length === 1 ? '' : 's'} (polis validate shows them); invalid policies enforce nothing and are linted as written only\n`);

  const result = lintSession(new Session(ws), configs, engineOptionsFrom(opts));
  const report = { command: 'polis lint', rules: result.rules.map((r) => ({ id: r.id, title: r.title, explanation: r.explanation, severity: r.severity })), findings: result.findings, files: ws.sources.map((s) => s.path) };
  switch (opts.output) {
    case 'json':
      io.out(JSON.stringify({
        findings: diagnosticsToJson(result.findings),
        summary: count(result.findings),
        suppressed: result.suppressed,
        rules: result.rules.map((r) => r.id),
      }, null, 2) + '\n');
      break;
    case 'sarif':
      io.out(JSON.stringify(toSarif(report), null, 2) + '\n');
      break;
    case 'junit':
      io.out(toJunit(report));
      break;
    default: {
      for (const d of result.findings) io.out(formatDiagnostic(d, texts) + '\n');
      const c = count(result.findings);
      io.out(`${result.findings.length ? '\n' : ''}${c.error} error${c.error === 1 ? '' : 's'}, ${c.warning} warning${c.warning === 1 ? '' : 's'}, ${c.info} note${c.info === 1 ? '' : 's'}${result.suppressed ? ` (${result.suppressed} suppressed by ${SUPPRESS_ANNOTATION})` : ''}\n`);
    }
  }
  const situations: Situation[] = [];
  if (readProblems.length) situations.push('unreadable');
  if (errors.length) situations.push('invalid-manifests');
  if (result.findings.some((d) => d.severity !== 'info')) situations.push('lint-findings');
  return exitCodeFor('lint', ...situations);
}

function count(ds: readonly { severity: string }[]) {
  return { error: ds.filter((d) => d.severity === 'error').length, warning: ds.filter((d) => d.severity === 'warning').length, info: ds.filter((d) => d.severity === 'info').length };
}
