/**
 * @module policy/validate
 *
 * Validates every policy object among the loaded objects.
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { ManifestObject } from '../../manifest/object.js';
import type { LoadedPolicy } from '../types.js';
import { validateCiliumPolicy } from './cilium-policy.js';
import { validateNetworkPolicy } from './network-policy.js';

export interface PolicyValidation {
  readonly policies: readonly LoadedPolicy[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Validates the NetworkPolicy, CNP and CCNP objects among `objects` (others are ignored). */
export function validatePolicies(objects: readonly ManifestObject[]): PolicyValidation {
  const policies: LoadedPolicy[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const obj of objects) {
    const result =
      obj.kind === 'NetworkPolicy' ? validateNetworkPolicy(obj)
      : obj.kind === 'CiliumNetworkPolicy' || obj.kind === 'CiliumClusterwideNetworkPolicy' ? validateCiliumPolicy(obj)
      : undefined;
    if (!result) continue;
    policies.push(result.policy);
    diagnostics.push(...result.diagnostics);
  }
  return { policies, diagnostics };
}
