/**
 * @module cli/commands/diff
 *
 * `polis diff --old PATH... --new PATH... [-o text|json|md|junit|sarif]`:
 * every connection the change newly allows or denies (`analysis/diff`).
 * PATH is a file, a folder or `git:REV:PATH`. Exit 0 without change, 1 with
 * changes, 2 for usage and unreadable paths (`cli/exit-codes.ts`).
 */
import { Option } from 'commander';
import { formatDiagnostic } from '../../diagnostics/format.js';
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { diffToJson, formatDiffMarkdown, formatDiffText } from '../../analysis/diff/format.js';
import type { DiffResult } from '../../analysis/diff/diff.js';
import { toJunit, toSarif } from '../../analysis/report/report.js';
import type { SourceFile } from '../../manifest/source.js';
import { loadWorkspace } from '../../workspace/load.js';
// The use-case modules themselves, not the barrel: a command loads only what it runs.
import { diffSessions } from '../../usecases/diff.js';
import { Session } from '../../usecases/session.js';
import { exitCodeFor, type Situation } from '../exit-codes.js';
import { readSources } from '../files.js';
import { isGitSpec, readGitSources } from '../git-sources.js';
import { addEngineOptions, engineOptionsFrom, type EngineFlags, repeatableList } from '../input.js';
import type { CliIO } from '../io.js';
import type { RegisterCommand } from './index.js';

interface DiffOptions extends EngineFlags {
  old?: string[];
  new?: string[];
  recursive?: boolean;
  output: 'text' | 'json' | 'md' | 'junit' | 'sarif';
  podCidr: string;
  serviceCidr: string;
  clusterName: string;
}


export const registerDiff: RegisterCommand = (program, io, setExit) => {
  addEngineOptions(program.command('diff'))
    .description('what a change to the manifests newly allows or denies, with the rules on each side')
    .option('--old <path>', 'the manifests before: file, folder or git:REV:PATH (repeatable or comma-separated)', repeatableList)
    .option('--new <path>', 'the manifests after (same forms)', repeatableList)
    .option('-R, --recursive', 'read folders recursively')
    .addOption(new Option('-o, --output <format>', 'output format (md fits a pull-request comment)').choices(['text', 'json', 'md', 'junit', 'sarif']).default('text'))
    .addOption(new Option('--pod-cidr <cidr>', 'cluster pod CIDR').default('10.244.0.0/16'))
    .addOption(new Option('--service-cidr <cidr>', 'service CIDR').default('10.96.0.0/12'))
    .addOption(new Option('--cluster-name <name>', 'Cilium cluster name').default('default'))
    .action(async (opts: DiffOptions) => setExit(await runDiff(opts, io)));
};

async function readSide(paths: readonly string[], recursive: boolean, io: CliIO): Promise<{ sources: SourceFile[]; diagnostics: Diagnostic[] }> {
  const sources: SourceFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const plain = paths.filter((p) => !isGitSpec(p));
  if (plain.length) {
    const r = await readSources(plain, recursive, io);
    sources.push(...r.sources);
    diagnostics.push(...r.diagnostics);
  }
  for (const p of paths.filter(isGitSpec)) {
    const r = await readGitSources(p);
    sources.push(...r.sources);
    diagnostics.push(...r.diagnostics);
  }
  return { sources, diagnostics };
}

async function runDiff(opts: DiffOptions, io: CliIO): Promise<number> {
  const stop = (message: string, ...s: Situation[]) => {
    io.err(`polis diff: ${message}\n`);
    return exitCodeFor('diff', ...s);
  };
  if (!opts.old?.length || !opts.new?.length) return stop('name both versions: --old PATH --new PATH (a file, a folder or git:REV:PATH)', 'bad-flag');
  const [before, after] = [await readSide(opts.old, opts.recursive === true, io), await readSide(opts.new, opts.recursive === true, io)];
  const unreadable = [...before.diagnostics, ...after.diagnostics];
  if (unreadable.length) {
    for (const d of unreadable) io.err(formatDiagnostic(d) + '\n');
    return exitCodeFor('diff', 'unreadable');
  }
  const settings = { podCIDR: opts.podCidr, serviceCIDR: opts.serviceCidr, clusterName: opts.clusterName };
  const [wo, wn] = [loadWorkspace(before.sources, settings), loadWorkspace(after.sources, settings)];
  const errors = [...wo.diagnostics, ...wn.diagnostics].filter((d) => d.severity === 'error').length;
  if (errors) io.err(`polis diff: warning: the manifests have ${errors} error${errors === 1 ? '' : 's'}; invalid policies enforce nothing (polis validate shows them)\n`);
  const d = diffSessions(new Session(wo), new Session(wn), engineOptionsFrom(opts));
  switch (opts.output) {
    case 'json': io.out(JSON.stringify(diffToJson(d), null, 2) + '\n'); break;
    case 'md': io.out(formatDiffMarkdown(d)); break;
    case 'junit': io.out(toJunit(diffReport(d, [...wn.sources.map((s) => s.path)]))); break;
    case 'sarif': io.out(JSON.stringify(toSarif(diffReport(d, [])), null, 2) + '\n'); break;
    default: io.out(formatDiffText(d));
  }
  const changed = d.changes.length > 0 || d.added.length > 0 || d.removed.length > 0;
  return exitCodeFor('diff', ...(errors ? ['invalid-manifests' as const] : []), ...(changed ? ['changes' as const] : []));
}

const RULES = [
  { id: 'newly-allowed', title: 'a connection the change newly allows', explanation: 'Before the change the policies denied this connection on these ports; after it they allow it.', severity: 'warning' as const },
  { id: 'newly-denied', title: 'a connection the change newly denies', explanation: 'Before the change the policies allowed this connection on these ports; after it they deny it.', severity: 'warning' as const },
  { id: 'l7-changed', title: 'a connection whose L7 filtering the change alters', explanation: 'The connection is allowed before and after, but an L7 proxy now filters it differently (or no longer does).', severity: 'warning' as const },
];

function diffReport(d: DiffResult, files: readonly string[]) {
  const findings: Diagnostic[] = d.changes.map((c) => {
    const location = c.location();
    const r = c.reasons();
    return {
      code: c.kind === 'allowed' ? 'newly-allowed' : c.kind === 'denied' ? 'newly-denied' : 'l7-changed', severity: 'warning',
      message: `${c.from} → ${c.to} ${c.ports}: ${c.before} → ${c.after}`, hint: `before: ${r.before}; after: ${r.after}`,
      ...(location ? { location } : {}),
    };
  });
  return { command: 'polis diff', rules: RULES, findings, files };
}
