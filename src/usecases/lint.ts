/**
 * @module usecases/lint
 *
 * Lint over a session: the configured rules, asked of the session's
 * engine, with the rule metadata that reports carry. The CLI and the server
 * call this and only format what it returns.
 */
import { lintWorkspace, type LintConfig, type LintResult } from '../analysis/lint/lint.js';
import type { EngineOptions } from '../engine/types.js';
import type { Session } from './session.js';

export function lintSession(session: Session, configs: readonly LintConfig[], options: EngineOptions = {}): LintResult {
  return lintWorkspace(session.workspace, session.inspectable(options), ...configs);
}
