/**
 * @module usecases/run
 *
 * Traffic through a virtual cluster: run one command in a pod (`polis run`,
 * and the server's exec), or a whole scenario. The CLI and the server call
 * these and only format what they return.
 */
import type { SourceFile } from '../manifest/source.js';
import { execLine, parseScenarios, runScenario, type ReadManifests, type ScenarioRun } from '../simulate/scenario.js';
import { VirtualCluster, type CommandResult, type VirtualClusterOptions } from '../simulate/virtual-cluster.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';

export { VirtualCluster, type CommandResult, type VirtualClusterOptions };

/**
 * Runs `words` (`POD CMD…`, `kubectl exec POD -- CMD…`, or `CMD…` with
 * `from`) in the cluster; a pod that is not there is answered as kubectl
 * answers it (exit 1).
 */
export function runCommandIn(cluster: VirtualCluster, words: readonly string[], from?: string): CommandResult | { readonly problem: string } {
  if (words.length === 0) return { problem: 'no command given: polis run … -- [POD] COMMAND [ARGS…]' };
  const first = words[0]!;
  // `-- default/backend curl …`: the first word names the pod when --from does not and it is no program.
  const target = from === undefined && words[0] !== 'kubectl' && (first.includes('/') || first.includes(':')) ? { pod: first, argv: [...words.slice(1)] } : execLine(words, from);
  if ('error' in target) return { problem: target.error };
  if (target.argv.length === 0) return { problem: 'no command given after the pod' };
  return cluster.exec(target.pod, target.argv);
}

/** Reads and runs every scenario of a file. */
export function runScenarioFile(source: SourceFile, read: ReadManifests, options: { policyNames?: boolean } = {}): { runs: ScenarioRun[]; diagnostics: readonly Diagnostic[] } {
  const parsed = parseScenarios(source);
  if (parsed.diagnostics.some((d) => d.severity === 'error')) return { runs: [], diagnostics: parsed.diagnostics };
  const runs: ScenarioRun[] = [];
  for (const s of parsed.scenarios) {
    const r = runScenario(s, read, options);
    runs.push(r);
    if (!r.passed) break;
  }
  return { runs, diagnostics: parsed.diagnostics };
}
