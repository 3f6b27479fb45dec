/**
 * @module policy/validate
 *
 * Validates every policy object among the loaded objects, and says of a name
 * defined more than once which definition is in force ({@link policiesInForce}).
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { ManifestObject } from '../../manifest/object.js';
import type { LoadedPolicy } from '../types.js';
import { policiesInForce, type SupersededPolicy } from '../in-force.js';
import { validateCiliumPolicy } from './cilium-policy.js';
import { validateNetworkPolicy } from './network-policy.js';

export interface PolicyValidation {
  /** Every definition, in input order, superseded ones included (see {@link policiesInForce}). */
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
  for (const s of policiesInForce(policies).superseded) diagnostics.push(supersededDiagnostic(s));
  return { policies, diagnostics };
}

function supersededDiagnostic({ policy, inForce, why }: SupersededPolicy): Diagnostic {
  const at = `${inForce.object.location.file}:${inForce.object.location.line}`;
  const name = policy.object.displayName;
  return {
    code: 'duplicate-object', severity: 'warning', location: policy.object.locate(['metadata', 'name']), path: 'metadata.name', object: name,
    ...(why === 'later'
      ? {
        message: `${name} is defined more than once: the definition at ${at} is in force, not this one (kubectl apply keeps the last definition it can store)${inForce.valid ? '' : '; Cilium refuses that one, so the policy enforces nothing'}`,
        hint: 'remove this definition, or give one of them another name',
      }
      : {
        message: `${name} is defined more than once: the API server refuses this later definition (see its errors), so the one at ${at} stays in force`,
        hint: 'fix the errors of this definition, or remove it',
      }),
  };
}
