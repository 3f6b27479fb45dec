/**
 * @module workspace/load
 *
 * One call from source texts to everything the later layers need: loaded
 * objects, the cluster model, validated policies, and all diagnostics
 * (sorted by file and position). The CLI, the server and the editor all
 * start here.
 */
import { sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { ManifestObject } from '../manifest/object.js';
import { loadManifests, type LoadOptions } from '../manifest/load.js';
import type { SourceFile } from '../manifest/source.js';
import { buildCluster, MODEL_KINDS, POLICY_KINDS, type ClusterOptions } from '../model/build.js';
import type { Cluster } from '../model/types.js';
import { validatePolicies } from '../policy/validate/index.js';
import type { LoadedPolicy } from '../policy/types.js';
import { policiesInForce } from '../policy/in-force.js';

export interface WorkspaceOptions extends LoadOptions, ClusterOptions {}

export interface Workspace {
  readonly sources: readonly SourceFile[];
  readonly objects: readonly ManifestObject[];
  readonly cluster: Cluster;
  /** One definition per policy name: the one in force (`policy/in-force.ts`); validation saw them all. */
  readonly policies: readonly LoadedPolicy[];
  readonly diagnostics: readonly Diagnostic[];
}

export function loadWorkspace(sources: readonly SourceFile[], options: WorkspaceOptions = {}): Workspace {
  const loaded = loadManifests(sources, options);
  const skipped: Diagnostic[] = [];
  for (const o of loaded.objects) {
    // polis' own kinds (ConnectivityTest) often sit next to the manifests: not worth a note.
    if (!MODEL_KINDS.has(o.kind) && !POLICY_KINDS.has(o.kind) && !o.apiVersion.startsWith('polis.dev/')) {
      skipped.push({
        code: 'skipped-kind', severity: 'info', location: o.location, object: o.displayName,
        message: `${o.kind} ${o.name ? `"${o.name}" ` : ''}is not used by polis and was skipped`,
      });
    }
  }
  const built = buildCluster(loaded.objects, options);
  const validated = validatePolicies(loaded.objects);
  return {
    sources,
    objects: loaded.objects,
    cluster: built.cluster,
    policies: policiesInForce(validated.policies).inForce,
    diagnostics: sortDiagnostics([...loaded.diagnostics, ...skipped, ...built.diagnostics, ...validated.diagnostics]),
  };
}
