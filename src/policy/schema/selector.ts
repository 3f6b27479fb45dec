/**
 * @module policy/schema/selector
 *
 * The Kubernetes LabelSelector shape (`matchLabels`, `matchExpressions`), as
 * Cilium's EndpointSelector and Kubernetes' podSelector/namespaceSelector
 * accept it. Only the shape: key and value syntax is checked in
 * `policy/validate/selector.ts`.
 */
import { z } from 'zod';
import { recordOf } from '../../manifest/record-schema.js';

export const selectorOperators = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

export const labelSelectorRequirementSchema = z.strictObject({
  key: z.string(),
  operator: z.enum(selectorOperators),
  values: z.array(z.string()).optional(),
});

export const labelSelectorSchema = z.strictObject({
  matchLabels: recordOf(z.string()).optional(),
  matchExpressions: z.array(labelSelectorRequirementSchema).optional(),
});

export type LabelSelectorSpec = z.infer<typeof labelSelectorSchema>;
export type LabelSelectorRequirementSpec = z.infer<typeof labelSelectorRequirementSchema>;
