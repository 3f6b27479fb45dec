/**
 * Shared by the conformance files: a workspace loaded with its rule-by-rule
 * reference evaluator, and one connection asked three ways — the compiled
 * `verdict` through the `checkConnection` use case (what `polis test` and
 * `explain` run), the `explainConnection` use case, and the reference
 * evaluator — which must all give one answer. A row that passes therefore
 * holds for every path a user's question can take.
 */
import assert from 'node:assert/strict';
import { Session, checkConnection, explainConnection, type ConnectionRequest } from '../../src/usecases/index.js';
import { ReferenceEngine } from '../../src/engine/reference.js';
import { isProblem, type ConnectionQuery, type EngineOptions, type Peer, type ServiceTarget, type TrafficSpec, type Verdict } from '../../src/engine/types.js';
import { normalizePolicies } from '../../src/policy/normalize/index.js';
import type { SourceFile } from '../../src/manifest/source.js';

export interface World {
  readonly session: Session;
  readonly reference: ReferenceEngine;
}

/** Loads `sources`; any error in them fails the test (`what` says why they must load). */
export function loadWorld(sources: readonly SourceFile[], what = 'the manifests load'): World {
  const session = Session.load(sources);
  const errors = session.workspace.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((e) => e.message), [], what);
  const { cluster, policies } = session.workspace;
  return { session, reference: new ReferenceEngine({ cluster, policies: normalizePolicies(policies, cluster) }) };
}

/**
 * The answer all three give for `req`: the use cases are asked `req`, the
 * reference evaluator `query` (the same connection with its peers resolved).
 * With `dns`, every evaluator is built with those DNS answers. Returned: the
 * compiled verdict of the first pair, and the reference evaluator's, for rows
 * that check more than allow/deny (drop reason, redirect).
 */
export function answerOfAll(
  w: World, req: ConnectionRequest, query: ConnectionQuery, what: string, dns?: EngineOptions['dns'],
): Verdict & { readonly reference: Verdict } {
  const options: EngineOptions = dns ? { dns } : {};
  const v = checkConnection(w.session, req, options);
  if (!v.ok) assert.fail(`${what}: ${v.diagnostics.map((d) => d.message).join('; ')}`);
  const answer = v.pairs[0]!.answer;
  const { verdict } = answer;
  assert.ok(v.pairs.every((p) => p.answer.verdict === verdict), `${what}: every pair gives one answer`);
  const x = explainConnection(w.session, req, options);
  assert.ok(x.ok && x.pairs.every((p) => p.answer.verdict === verdict), `${what}: explain agrees`);
  const { cluster, policies } = w.session.workspace;
  const reference = dns ? new ReferenceEngine({ cluster, policies: normalizePolicies(policies, cluster) }, { dns }) : w.reference;
  const r = reference.verdict(query);
  assert.ok(!isProblem(r), what);
  assert.equal(r.verdict, verdict, `${what}: the reference evaluator agrees (${r.reason})`);
  return { ...answer, reference: r };
}

/** A peer written as `ip:ADDR`, `svc:NS/NAME` or `NS/NAME` (a pod) of `w`'s cluster. */
export function peerOf(w: World, ref: string): Peer | ServiceTarget {
  const c = w.session.workspace.cluster;
  if (ref.startsWith('ip:')) return { kind: 'ip', ip: ref.slice(3) };
  if (ref.startsWith('svc:')) return { kind: 'service', service: c.services.find((s) => `svc:${s.namespace}/${s.name}` === ref)! };
  return { kind: 'pod', pod: c.pods.find((p) => `${p.namespace}/${p.name}` === ref)! };
}

/** Whether `from` may reach `to` with `traffic`, as checkConnection, explainConnection and the reference evaluator all answer. */
export function allowedAll(w: World, from: string, to: string, traffic: TrafficSpec): boolean {
  const query = { from: peerOf(w, from) as Peer, to: peerOf(w, to), ...traffic };
  return answerOfAll(w, { from, to, traffic }, query, `${from} -> ${to} ${JSON.stringify(traffic)}`).verdict === 'allow';
}
