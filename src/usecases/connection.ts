/**
 * @module usecases/connection
 *
 * One connection, as a person asks about it: endpoints written the way
 * ConnectivityTest files write them (`default/frontend`, `database`,
 * `svc:NS/NAME`, `ip:…`, `fqdn:…`), traffic, and the DNS answers of names
 * outside the cluster. {@link checkConnection} gives the verdict of every
 * (source, destination) pair; {@link explainConnection} adds the rules
 * behind each. Input problems come back as diagnostics, never as throws.
 */
import { parseEndpointRef, resolveCase, type DnsAnswerSource, type TestCase } from '../analysis/connectivity/index.js';
import type { Diagnostic, SourceLocation } from '../diagnostics/diagnostic.js';
import { isProblem, type ConnectionQuery, type Engine, type EngineOptions, type Explanation, type QueryProblem, type TrafficSpec, type Verdict } from '../engine/types.js';
import type { Session } from './session.js';

export interface ConnectionRequest {
  readonly from: string;
  readonly to: string;
  readonly traffic: TrafficSpec;
  /** Addresses of names outside the cluster (lower-case names, no trailing dot). */
  readonly dnsAnswers?: ReadonlyMap<string, readonly string[]>;
  /** How the caller lets users give DNS answers, for hints (default `spec.dns`). */
  readonly dnsSource?: DnsAnswerSource;
}

/** One (source, destination) pair: pods of a workload, addresses of a name. */
export interface PairAnswer<T> {
  readonly from: string;
  readonly to: string;
  readonly answer: T;
}

export type ConnectionAnswer<T> =
  | { readonly ok: true; readonly pairs: readonly PairAnswer<T>[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

const REQUEST: SourceLocation = { file: '<request>', line: 1, col: 1, offset: 0, endOffset: 0 };

/** The verdict of each pair. */
export function checkConnection(session: Session, req: ConnectionRequest, options: EngineOptions = {}): ConnectionAnswer<Verdict> {
  return ask(session, req, options, (engine, q) => engine.verdict(q));
}

/** The explanation of each pair. */
export function explainConnection(session: Session, req: ConnectionRequest, options: EngineOptions = {}): ConnectionAnswer<Explanation> {
  return ask(session, req, options, (engine, q) => engine.explain(q));
}

function ask<T extends object>(
  session: Session, req: ConnectionRequest, options: EngineOptions, question: (engine: Engine, q: ConnectionQuery) => T | QueryProblem,
): ConnectionAnswer<T> {
  const problem = (field: string, message: string, hint?: string): ConnectionAnswer<T> => ({
    ok: false, diagnostics: [{ code: 'bad-request', severity: 'error', message: `${field}${message}`, ...(hint ? { hint } : {}) }],
  });
  const from = parseEndpointRef(req.from);
  if (!from.ok) return problem('from: ', from.message, from.hint);
  const to = parseEndpointRef(req.to);
  if (!to.ok) return problem('to: ', to.message, to.hint);
  const c: TestCase = { test: 'request', index: 0, from: from.ref, to: to.ref, expect: 'allow', location: REQUEST, locate: () => REQUEST, ...req.traffic };
  const dns = req.dnsAnswers ?? new Map<string, readonly string[]>();
  const resolved = resolveCase(c, session.workspace.cluster, dns, req.dnsSource ?? 'spec.dns');
  if (!resolved.ok) return { ok: false, diagnostics: resolved.diagnostics.map(({ location: _l, ...d }) => d) };
  const engine = session.engine({ ...options, dns });
  const pairs: PairAnswer<T>[] = [];
  for (const p of resolved.value.probes) {
    const a = question(engine, p.query);
    if (isProblem(a)) return problem('', a.problem, a.hint);
    pairs.push({ from: p.fromLabel, to: p.toLabel, answer: a });
  }
  return { ok: true, pairs };
}
