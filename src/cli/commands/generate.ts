/**
 * @module cli/commands/generate
 *
 * `polis generate --flows FILE... [--kind K] [--existing PATH] [-o DIR]`:
 * least-privilege policies from observed Hubble flows, printed as YAML (or
 * one file per policy under DIR, never over an existing file without
 * `--force`), then proven: every observed connection is replayed through
 * the engine against the generated set, and what the set now denies that
 * was never observed is counted per workload. Thin shell over
 * `usecases/generate.ts`; a connection the proof finds denied, or a
 * generated file polis itself rejects, is a bug in polis (exit 3).
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Option } from 'commander';
import { formatDiagnostic } from '../../diagnostics/format.js';
import { describeConnection } from '../../generate/replay.js';
import { generateFromReduction } from '../../usecases/generate.js';
import { exitCodeFor, type Situation } from '../exit-codes.js';
import { readSources } from '../files.js';
import { readFlowsInput, type FlowsFlags } from '../flows-input.js';
import type { CliIO } from '../io.js';
import type { RegisterCommand } from './index.js';
import { formatRules } from './replay.js';
import { repeatable } from '../input.js';

interface GenerateFlags extends FlowsFlags {
  kind: 'CiliumNetworkPolicy' | 'NetworkPolicy';
  existing?: string[];
  outputDir?: string;
  force?: boolean;
  cidrPrefix?: string;
  portRanges?: boolean;
}


export const registerGenerate: RegisterCommand = (program, io, setExit) => {
  program.command('generate')
    .description('generate least-privilege policies from Hubble flows, and prove them by replaying the flows')
    .option('--flows <source...>', 'Hubble exports: files (json/jsonpb, exporter, gzip), - for stdin, clickhouse://HOST:PORT/DB.TABLE')
    .addOption(new Option('--kind <kind>', 'kind of policy to write').choices(['CiliumNetworkPolicy', 'NetworkPolicy']).default('CiliumNetworkPolicy'))
    .option('--l7', 'add HTTP (method, path) and DNS (names) rules from L7 flows')
    .option('--existing <path>', 'current policies (file or folder, repeatable): kept, and only what they do not allow is generated', repeatable)
    .option('-o, --output-dir <dir>', 'write one file per policy into DIR (default: YAML on standard output)')
    .option('--force', 'overwrite files in the output folder')
    .option('--cidr-prefix <bits>', 'widen world addresses to this IPv4 prefix length (IPv6: + 96)')
    .option('--port-ranges', 'merge consecutive ports into ranges (endPort)')
    .option('--workers <n>', 'threads that read flow files (default: the cores available)')
    .option('-q, --quiet', 'no progress and no read report')
    .action(async (opts: GenerateFlags) => setExit(await run(opts, io)));
};

async function run(o: GenerateFlags, io: CliIO): Promise<number> {
  const stop = (message: string, ...situations: Situation[]) => {
    io.err(`polis generate: ${message}\n`);
    return exitCodeFor('generate', ...situations);
  };
  let cidrPrefix: number | undefined;
  if (o.cidrPrefix !== undefined) {
    if (!/^\d+$/.test(o.cidrPrefix) || Number(o.cidrPrefix) > 32) return stop(`invalid --cidr-prefix ${JSON.stringify(o.cidrPrefix)}: expected 0 to 32`, 'bad-flag');
    cidrPrefix = Number(o.cidrPrefix);
  }
  const existing = o.existing?.length ? await readSources(o.existing, true, io) : { sources: [], diagnostics: [] };
  if (existing.diagnostics.length > 0) return stop(existing.diagnostics.map((d) => d.message).join('\n'), 'unreadable');
  const read = await readFlowsInput('generate', o, io);
  if (!read.ok) return stop(read.message, read.situation);
  const situations: Situation[] = read.damaged ? ['no-flows'] : [];
  if (read.noFlows) return stop('no flow in the input: nothing to generate from', 'no-flows');
  const result = generateFromReduction(read.reduction, {
    kind: o.kind, ...(cidrPrefix !== undefined ? { cidrPrefix } : {}), portRanges: o.portRanges === true, existing: existing.sources,
  });
  const texts = new Map([...existing.sources, ...result.files.map((f) => ({ path: f.fileName, text: f.text }))].map((s) => [s.path, s.text]));
  const existingErrors = result.diagnostics.filter((d) => existing.sources.some((s) => s.path === d.location?.file));
  const ownErrors = result.diagnostics.filter((d) => !existingErrors.includes(d));
  if (existingErrors.length > 0) {
    for (const d of existingErrors) io.err(formatDiagnostic(d, texts) + '\n');
    io.err(`polis generate: warning: the --existing policies have ${existingErrors.length} error${existingErrors.length === 1 ? '' : 's'} (a policy Cilium refuses enforces nothing)\n`);
    situations.push('invalid-manifests');
  }

  if (result.files.length === 0) io.err('polis generate: no policy to generate: no observed connection has a workload at either end that is not already allowed\n');
  else if (o.outputDir !== undefined) {
    const dir = o.outputDir;
    const st = await stat(dir).catch(() => undefined);
    if (st && !st.isDirectory()) return stop(`-o ${JSON.stringify(dir)} is not a folder`, 'bad-flag');
    const taken: string[] = [];
    for (const f of result.files) if (await stat(join(dir, f.fileName)).catch(() => undefined)) taken.push(join(dir, f.fileName));
    if (taken.length > 0 && !o.force) {
      return stop(`${taken.length} file${taken.length === 1 ? '' : 's'} would be overwritten (${taken.slice(0, 5).join(', ')}${taken.length > 5 ? ', …' : ''}); nothing was written. Pass --force to overwrite, or choose another folder`, 'bad-flag');
    }
    try {
      await mkdir(dir, { recursive: true });
      for (const f of result.files) await writeFile(join(dir, f.fileName), f.text);
    } catch (e) {
      return stop(`cannot write into ${dir}: ${e instanceof Error ? e.message : String(e)}`, 'unreadable');
    }
    if (!o.quiet) io.err(`polis generate: wrote ${result.files.length} file${result.files.length === 1 ? '' : 's'} into ${dir}\n`);
  } else {
    io.out(result.files.map((f) => f.text).join('---\n'));
  }
  for (const f of result.files) for (const n of f.notes) io.err(`polis generate: note: ${n}\n`);

  const p = result.proof;
  if (!o.quiet) {
    if (result.alreadyAllowed > 0) io.err(`polis generate: ${result.alreadyAllowed} observed connection${result.alreadyAllowed === 1 ? ' is' : 's are'} already allowed by --existing; nothing generated for ${result.alreadyAllowed === 1 ? 'it' : 'them'}\n`);
    io.err(`polis generate: proof: ${p.allowed} of ${p.observed} observed connections allowed by the ${o.existing?.length ? 'generated and existing' : 'generated'} policies`
      + `${p.notReplayed ? ` (${p.notReplayed} not replayable: ${[...new Set(p.connections.filter((c) => c.verdict === 'not-replayed').map((c) => c.reason))].join('; ')})` : ''}\n`);
    const surface = result.surface.filter((s) => s.checked > 0);
    if (surface.length > 0) {
      io.err('polis generate: attack surface removed (unobserved connections to each workload on the ports it serves, allowed before, denied now):\n');
      for (const s of surface) io.err(`  ${s.workload}: ${s.nowDenied} of ${s.checked}\n`);
    }
  }
  // With --kind NetworkPolicy, what NP cannot say is denied by design and noted above; anything else is a bug.
  const denied = p.connections.filter((c) => c.verdict === 'deny');
  const explained = o.kind === 'NetworkPolicy' ? [] : denied;
  if (denied.length > 0 && o.kind === 'NetworkPolicy') io.err(`polis generate: ${denied.length} observed connection${denied.length === 1 ? '' : 's'} cannot be allowed by a NetworkPolicy (see the notes)\n`);
  if (explained.length > 0 || ownErrors.length > 0) {
    for (const d of ownErrors) io.err(formatDiagnostic(d, texts) + '\n');
    for (const c of explained) io.err(`polis generate: DENIED ${describeConnection(c.connection)}: ${c.reason}\n${formatRules(c.rules)}`);
    io.err('polis generate: internal error: the generated policies do not pass their own proof. This is a bug in polis; please report it with the input that caused it.\n');
    return exitCodeFor('generate', 'internal-error');
  }
  return exitCodeFor('generate', ...situations);
}
