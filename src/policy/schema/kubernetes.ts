/**
 * @module policy/schema/kubernetes
 *
 * The shape of a Kubernetes NetworkPolicy (networking.k8s.io/v1), strict as
 * the API server is. Semantic checks (ipBlock CIDRs, endPort) are in
 * `policy/validate/`.
 */
import { z } from 'zod';
import { labelSelectorSchema } from './selector.js';

export const networkPolicyPortSchema = z.strictObject({
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
  port: z.union([z.number().int(), z.string()]).optional(),
  endPort: z.number().int().optional(),
});

export const networkPolicyPeerSchema = z.strictObject({
  podSelector: labelSelectorSchema.optional(),
  namespaceSelector: labelSelectorSchema.optional(),
  ipBlock: z.strictObject({ cidr: z.string(), except: z.array(z.string()).optional() }).optional(),
});

export const networkPolicySchema = z.strictObject({
  apiVersion: z.literal('networking.k8s.io/v1'),
  kind: z.literal('NetworkPolicy'),
  metadata: z.looseObject({ name: z.string(), namespace: z.string().optional() }),
  spec: z.strictObject({
    // Optional: the API server has always stored a policy without it, as the empty selector
    // (kubernetes/kubernetes#130896, fixed in the schema by #131354; cilium pkg/k8s/network_policy_test.go
    // TestNetworkPolicyExamples example 3 applies `podSelector: null` to every pod of the namespace).
    podSelector: labelSelectorSchema.optional(),
    policyTypes: z.array(z.enum(['Ingress', 'Egress'])).optional(),
    ingress: z.array(z.strictObject({
      from: z.array(networkPolicyPeerSchema).optional(),
      ports: z.array(networkPolicyPortSchema).optional(),
    })).optional(),
    egress: z.array(z.strictObject({
      to: z.array(networkPolicyPeerSchema).optional(),
      ports: z.array(networkPolicyPortSchema).optional(),
    })).optional(),
  }),
  status: z.unknown().optional(),
});

export type NetworkPolicySpec = z.infer<typeof networkPolicySchema>;
export type NetworkPolicyPeerSpec = z.infer<typeof networkPolicyPeerSchema>;
export type NetworkPolicyPortSpec = z.infer<typeof networkPolicyPortSchema>;
