/**
 * @module policy/in-force
 *
 * Which definition of a policy is in force when the input defines one name
 * (kind, namespace, name) more than once. The rule lives here, once, because
 * `validate` (its duplicate warning) and the workspace (what the engine, and
 * so `explain` and `test`, evaluate) must never disagree about it.
 *
 * `kubectl apply` of a multi-document set applies the documents in order, and
 * each one replaces the stored object of its name: the LAST definition wins.
 * A definition the API server refuses (schema errors; for a NetworkPolicy
 * any validation error, as its validation runs in the API server) is never
 * stored, so it replaces nothing and the definition before it stays. One that
 * the API server stores but Cilium refuses (`Rule.Sanitize`) does replace it,
 * and then enforces nothing, like any policy Cilium refuses. (A running agent
 * that had already imported the earlier definition keeps its rules after a
 * refused update — `pkg/policy/k8s/cilium_network_policy.go` returns before
 * `ReplaceByResource` on a parse error — but that depends on timing; polis
 * models the stored objects, as an agent sees them on start.)
 */
import type { LoadedPolicy, PolicyRef } from './types.js';

/** A definition that is not in force, and the one that is. */
export interface SupersededPolicy {
  readonly policy: LoadedPolicy;
  readonly inForce: LoadedPolicy;
  /** `later`: a later definition replaced it; `refused`: it is later, but the API server refuses it. */
  readonly why: 'later' | 'refused';
}

export interface PoliciesInForce {
  /** One definition per name, in input order. */
  readonly inForce: readonly LoadedPolicy[];
  /** Every other definition, in input order. */
  readonly superseded: readonly SupersededPolicy[];
}

/** The identity of a policy object in the API server. Cluster-wide policies have no namespace. */
export function policyKey(ref: PolicyRef): string {
  return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

/** Whether `kubectl apply` gets the object stored: it passed the API server's validation. */
export function storedByApiServer(p: LoadedPolicy): boolean {
  // A CNP/CCNP that passed the CRD schema is stored; Cilium's own checks come later, in the agent.
  return p.kind === 'NetworkPolicy' ? p.valid : !p.refusedByApiServer;
}

/**
 * Splits `policies` (in input order) into the definition in force for each
 * name — the last one the API server stores, or the last one when it stores
 * none — and the definitions it supersedes. Unnamed objects are never merged.
 */
export function policiesInForce(policies: readonly LoadedPolicy[]): PoliciesInForce {
  const byKey = new Map<string, number[]>();
  policies.forEach((p, i) => {
    if (!p.ref.name) return;
    const key = policyKey(p.ref);
    const group = byKey.get(key);
    if (group) group.push(i);
    else byKey.set(key, [i]);
  });
  // Index of each definition → index of the definition in force for its name.
  const winner = new Map<number, number>();
  for (const group of byKey.values()) {
    if (group.length < 2) continue;
    const chosen = group.findLast((i) => storedByApiServer(policies[i]!)) ?? group[group.length - 1]!;
    for (const i of group) winner.set(i, chosen);
  }
  if (winner.size === 0) return { inForce: policies, superseded: [] };
  const inForce: LoadedPolicy[] = [];
  const superseded: SupersededPolicy[] = [];
  policies.forEach((p, i) => {
    const chosen = winner.get(i) ?? i;
    if (chosen === i) inForce.push(p);
    else superseded.push({ policy: p, inForce: policies[chosen]!, why: i > chosen ? 'refused' : 'later' });
  });
  return { inForce, superseded };
}
