/**
 * @module policy/types
 *
 * A policy object as the policy layer hands it on: which object it is, its
 * typed spec (the "API form", mirroring the YAML), where each of its rules is
 * in the user's file, and whether Cilium would accept it. A policy that
 * Cilium refuses enforces nothing ("fail-open"), so it is kept but marked.
 */
import type { ManifestObject, FieldPath } from '../manifest/object.js';
import type { CiliumPolicySpec, CiliumRuleSpec } from './schema/cilium.js';
import type { NetworkPolicySpec } from './schema/kubernetes.js';

export type PolicyKind = 'NetworkPolicy' | 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';

/** Names one policy object. `namespace` is undefined for cluster-wide policies. */
export interface PolicyRef {
  readonly kind: PolicyKind;
  readonly namespace: string | undefined;
  readonly name: string;
}

/** `CiliumNetworkPolicy default/backend-policy`. */
export function formatPolicyRef(ref: PolicyRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** One Cilium rule with the path of `spec` or `specs[i]` inside its object. */
export interface LocatedRule {
  readonly rule: CiliumRuleSpec;
  readonly path: FieldPath;
}

interface PolicyBase {
  readonly ref: PolicyRef;
  readonly object: ManifestObject;
  /** False when the API server or Cilium would refuse it; then it enforces nothing. */
  readonly valid: boolean;
}

export interface LoadedCiliumPolicy extends PolicyBase {
  readonly kind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
  /** Undefined when the object did not even have the right shape. */
  readonly spec: CiliumPolicySpec | undefined;
  /** `spec` followed by each of `specs`, as Cilium orders them. */
  readonly rules: readonly LocatedRule[];
  /**
   * True when the CRD's OpenAPI schema already refuses it, so `kubectl apply`
   * fails and nothing is stored: the wrong shape, or a CIDR that is not one
   * (the CRD types every CIDR field `format: cidr`). Every other error is the
   * agent's: stored, shown VALID False, enforcing nothing.
   */
  readonly refusedByApiServer: boolean;
}

export interface LoadedNetworkPolicy extends PolicyBase {
  readonly kind: 'NetworkPolicy';
  readonly spec: NetworkPolicySpec | undefined;
}

export type LoadedPolicy = LoadedCiliumPolicy | LoadedNetworkPolicy;
