/**
 * @module usecases/diff
 *
 * The semantic diff of two sessions (two versions of the manifests): both
 * engines are built with DNS answers for the toFQDNs names of either
 * version, so a name added or dropped is asked of both. The CLI and the
 * server call this.
 */
import { semanticDiff, type DiffResult } from '../analysis/diff/diff.js';
import { sampleDns } from '../analysis/matrix/matrix.js';
import type { EngineOptions } from '../engine/types.js';
import type { Session } from './session.js';

export function diffSessions(before: Session, after: Session, engineOptions: EngineOptions = {}): DiffResult {
  const dns = sampleDns(before.inspectable(engineOptions), after.inspectable(engineOptions));
  const withDns = { ...engineOptions, dns };
  return semanticDiff({ workspace: before.workspace, engine: before.inspectable(withDns) }, { workspace: after.workspace, engine: after.inspectable(withDns) }, dns);
}
