/**
 * @module usecases/session
 *
 * A loaded workspace and the engines built for it. Every use case takes a
 * {@link Session}, so the CLI (one question per process) and the server
 * (many questions over one workspace) share the same functions, and an
 * engine is compiled once per distinct set of agent settings and DNS
 * answers, not once per question.
 */
import type { EngineFactory } from '../analysis/connectivity/index.js';
import { compileEngine } from '../engine/engine.js';
import type { Engine, EngineOptions, InspectableEngine } from '../engine/types.js';
import type { SourceFile } from '../manifest/source.js';
import { loadWorkspace, type Workspace, type WorkspaceOptions } from '../workspace/load.js';

export class Session {
  private readonly engines = new Map<string, Engine>();

  constructor(readonly workspace: Workspace, private readonly factory: EngineFactory = compileEngine) {}

  /** Loads source texts into a new session. */
  static load(sources: readonly SourceFile[], options: WorkspaceOptions = {}): Session {
    return new Session(loadWorkspace(sources, options));
  }

  /**
   * The engine for these settings with the inspection functions whole-cluster
   * analyses need: the session's own when it has them (it always does but
   * for test fakes, which then get a real one beside them).
   */
  inspectable(options: EngineOptions = {}): InspectableEngine {
    const e = this.engine(options);
    if ('rules' in e && 'endpointClasses' in e) return e as InspectableEngine;
    const key = `inspectable|${optionsKey(options)}`;
    let i = this.engines.get(key) as InspectableEngine | undefined;
    if (!i) this.engines.set(key, (i = compileEngine(this.workspace, options)));
    return i;
  }

  /** The engine for these settings (built on first use). */
  engine(options: EngineOptions = {}): Engine {
    const key = optionsKey(options);
    let e = this.engines.get(key);
    if (!e) {
      e = this.factory(this.workspace, options);
      this.engines.set(key, e);
    }
    return e;
  }
}

/** A stable key for engine options: settings plus the DNS answers, sorted. */
function optionsKey(o: EngineOptions): string {
  const dns = o.dns instanceof Map ? [...o.dns] : Object.entries(o.dns ?? {});
  return JSON.stringify([o.policyEnforcement ?? 'default', o.hostFirewall === true, o.policyCidrMatchMode ?? '', dns.map(([k, v]) => [k, [...v].sort()]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
}
