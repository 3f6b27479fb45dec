/**
 * @module cli/input
 *
 * The input options every command shares (`-f/--filename`, `-R`, cluster
 * settings) and loading a workspace from them.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseCidr } from '../net/ip.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { loadWorkspace, type Workspace } from '../workspace/load.js';
import { readSources } from './files.js';
import type { CliIO } from './io.js';
import type { EngineOptions } from '../engine/types.js';

export interface InputOptions {
  filename?: string[];
  recursive?: boolean;
  podCidr?: string;
  serviceCidr?: string;
  clusterName?: string;
}

// kubectl takes `-f a,b` as two paths; `-` (standard input) stays itself.
/** A repeatable flag's parser: every value given, in order. */
export const repeatable = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];
/** The same for flags that also take comma-separated lists (`--port 80,443`, `-f a,b`). */
export const repeatableList = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), ...v.split(',').map((s) => s.trim()).filter(Boolean)];
/** `-f`: a comma-separated list as kubectl takes it, `-` (standard input) kept whole. */
const collect = (v: string, prev: string[] | undefined) => (v === '-' ? repeatable(v, prev) : repeatableList(v, prev));

/**
 * Checks a CIDR option while the command line is parsed, so a bad value is a
 * usage error (exit 2) before any file is read, for every command; a bad
 * pod CIDR used to surface later as a misleading "no pod … in the cluster".
 */
function cidrOption(value: string): string {
  if (!parseCidr(value)) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a CIDR: write address/length, e.g. 10.244.0.0/16 or fd00:10:244::/56.`);
  return value;
}

/** Adds `-f`, `-R` and the cluster settings to a command. */
export function addInputOptions(cmd: Command): Command {
  return cmd
    .option('-f, --filename <path>', 'file or folder of manifests, or - for stdin (repeatable)', collect)
    .option('-R, --recursive', 'read folders given with -f recursively')
    .addOption(new Option('--pod-cidr <cidr>', 'cluster pod CIDR').default('10.244.0.0/16').argParser(cidrOption))
    .addOption(new Option('--service-cidr <cidr>', 'service CIDR').default('10.96.0.0/12').argParser(cidrOption))
    .addOption(new Option('--cluster-name <name>', 'Cilium cluster name').default('default'));
}

export interface EngineFlags {
  policyEnforcement: 'default' | 'always' | 'never';
  hostFirewall?: boolean;
  policyCidrMatchMode?: '' | 'nodes';
}

/** Adds the Cilium agent settings that change verdicts (`--policy-enforcement`, `--host-firewall`, `--policy-cidr-match-mode`). */
export function addEngineOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--policy-enforcement <mode>', 'Cilium enable-policy mode').choices(['default', 'always', 'never']).default('default'))
    .option('--host-firewall', 'enforce host policies (nodeSelector), as with enable-host-firewall=true')
    .addOption(new Option('--policy-cidr-match-mode <mode>', 'Cilium policy-cidr-match-mode: "nodes" lets CIDR selectors match node addresses').choices(['', 'nodes']).default(''));
}

/** Engine options from those flags. */
export function engineOptionsFrom(opts: EngineFlags): EngineOptions {
  return { policyEnforcement: opts.policyEnforcement, hostFirewall: opts.hostFirewall === true, ...(opts.policyCidrMatchMode === 'nodes' ? { policyCidrMatchMode: 'nodes' } : {}) };
}

export type LoadOutcome =
  | { readonly ok: true; readonly workspace: Workspace; readonly readProblems: readonly Diagnostic[] }
  | { readonly ok: false; readonly message: string; readonly situation: 'bad-flag' | 'unreadable' };

/**
 * Reads the files and loads the workspace. `ok: false` when there is nothing
 * to load: no `-f` (a usage error) or no path could be read. Paths that could
 * not be read beside ones that could are `readProblems`.
 */
export async function loadInput(opts: InputOptions, io: CliIO): Promise<LoadOutcome> {
  if (!opts.filename || opts.filename.length === 0) {
    return { ok: false, situation: 'bad-flag', message: 'no input: name manifests with -f FILE (or -f - for standard input)' };
  }
  const read = await readSources(opts.filename, opts.recursive === true, io);
  if (read.sources.length === 0 && read.diagnostics.length > 0) {
    return { ok: false, situation: 'unreadable', message: read.diagnostics.map((d) => d.message).join('\n') };
  }
  const workspace = loadWorkspace(read.sources, {
    ...(opts.podCidr ? { podCIDR: opts.podCidr } : {}),
    ...(opts.serviceCidr ? { serviceCIDR: opts.serviceCidr } : {}),
    ...(opts.clusterName ? { clusterName: opts.clusterName } : {}),
  });
  return { ok: true, workspace, readProblems: read.diagnostics };
}
