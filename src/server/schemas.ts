/**
 * @module server/schemas
 *
 * OpenAPI schemas served for `kubectl explain`: Cilium's policy kinds get
 * the schema polis validates them with (`policy/schema/cilium.ts`, turned
 * into JSON Schema by zod), so what `explain cnp.spec` documents is exactly
 * what the server accepts; other kinds get an object outline.
 */
import { z } from 'zod';
import { ciliumRuleSchema } from '../policy/schema/cilium.js';

let ruleSchema: Record<string, unknown> | undefined;

function ciliumRule(): Record<string, unknown> {
  ruleSchema ??= z.toJSONSchema(ciliumRuleSchema, { target: 'openapi-3.0', unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
  return ruleSchema;
}

const DESCRIPTIONS: Record<string, string> = {
  CiliumNetworkPolicy: 'CiliumNetworkPolicy is a Kubernetes third-party resource with an extended version of NetworkPolicy.',
  CiliumClusterwideNetworkPolicy: 'CiliumClusterwideNetworkPolicy is a Kubernetes third-party resource with an modified version of CiliumNetworkPolicy which is cluster scoped rather than namespace scoped.',
};

export function crdSchema(kind: string, apiVersion: string): Record<string, unknown> {
  const cilium = kind === 'CiliumNetworkPolicy' || kind === 'CiliumClusterwideNetworkPolicy';
  const { $schema: _s, ...rule } = cilium ? ciliumRule() : {};
  return {
    type: 'object',
    description: DESCRIPTIONS[kind] ?? `${kind} (${apiVersion}) as the polis virtual cluster serves it.`,
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      metadata: { type: 'object', description: "Standard object's metadata." },
      spec: cilium ? { ...rule, description: 'Spec is the desired Cilium specific rule specification.' } : { type: 'object', description: 'Spec of the object.' },
      ...(cilium ? { specs: { type: 'array', description: 'Specs is a list of desired Cilium specific rule specification.', items: rule } } : {}),
      status: { type: 'object', description: 'Status of the object.' },
    },
  };
}
