/**
 * @module policy/schema/cilium
 *
 * The shape of CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy
 * (cilium.io/v2), field for field as Cilium's CRD defines it
 * (`pkg/policy/api/{rule,ingress,egress,l4,cidr,fqdn,service,icmp,http,kafka}.go`).
 * Objects are strict, as `kubectl apply` (strict field validation) is:
 * an unknown field is an error. The inferred types are the "API form" of a
 * rule that normalisation reads; semantic checks that Cilium's agent makes
 * (`rule_validation.go`) live in `policy/validate/`.
 */
import { z } from 'zod';
import { recordOf } from '../../manifest/record-schema.js';
import { labelSelectorSchema } from './selector.js';
import { ENTITY_NAMES } from '../../identity/entities.js';

const strings = z.array(z.string());


export const cidrRuleSchema = z.strictObject({
  cidr: z.string().optional(),
  cidrGroupRef: z.string().optional(),
  cidrGroupSelector: labelSelectorSchema.optional(),
  except: strings.optional(),
});

export const PORT_PROTOCOLS = ['TCP', 'UDP', 'SCTP', 'ANY'] as const;

export const portProtocolSchema = z.strictObject({
  port: z.string().optional(),
  endPort: z.number().int().min(0).max(65535).optional(),
  protocol: z.enum(PORT_PROTOCOLS).optional(),
});

const headerMatchSchema = z.strictObject({
  name: z.string(),
  value: z.string().optional(),
  mismatch: z.string().optional(),
  secret: z.strictObject({ name: z.string(), namespace: z.string().optional() }).optional(),
});

export const httpRuleSchema = z.strictObject({
  method: z.string().optional(),
  path: z.string().optional(),
  host: z.string().optional(),
  headers: strings.optional(),
  headerMatches: z.array(headerMatchSchema).optional(),
});

export const kafkaRuleSchema = z.strictObject({
  role: z.string().optional(),
  apiKey: z.string().optional(),
  apiVersion: z.string().optional(),
  clientID: z.string().optional(),
  topic: z.string().optional(),
});

export const fqdnSelectorSchema = z.strictObject({
  matchName: z.string().max(255).optional(),
  matchPattern: z.string().max(255).optional(),
});

export const l7RulesSchema = z.strictObject({
  http: z.array(httpRuleSchema).optional(),
  kafka: z.array(kafkaRuleSchema).optional(),
  dns: z.array(fqdnSelectorSchema).optional(),
  l7proto: z.string().optional(),
  l7: z.array(recordOf(z.string())).optional(),
});

const secretRefSchema = z.strictObject({ name: z.string(), namespace: z.string().optional() });
const tlsContextSchema = z.strictObject({
  secret: secretRefSchema,
  trustedCA: z.string().optional(),
  certificate: z.string().optional(),
  privateKey: z.string().optional(),
});

export const portRuleSchema = z.strictObject({
  ports: z.array(portProtocolSchema).optional(),
  rules: l7RulesSchema.optional(),
  serverNames: strings.optional(),
  terminatingTLS: tlsContextSchema.optional(),
  originatingTLS: tlsContextSchema.optional(),
  listener: z.strictObject({
    envoyConfig: z.strictObject({ kind: z.string().optional(), name: z.string() }),
    name: z.string(),
    priority: z.number().int().min(1).max(100).optional(),
  }).optional(),
});

export const portDenyRuleSchema = z.strictObject({ ports: z.array(portProtocolSchema).optional() });

export const icmpFieldSchema = z.strictObject({
  family: z.enum(['IPv4', 'IPv6']).optional(),
  type: z.union([z.number().int(), z.string()]),
});
export const icmpRuleSchema = z.strictObject({ fields: z.array(icmpFieldSchema).optional() });

export const authenticationSchema = z.strictObject({ mode: z.enum(['disabled', 'required', 'test-always-fail']) });

const awsGroupSchema = z.strictObject({
  aws: z.strictObject({
    labels: recordOf(z.string()).optional(),
    securityGroupsIds: strings.optional(),
    securityGroupsNames: strings.optional(),
    region: z.string().optional(),
  }).optional(),
});

export const serviceSelectorSchema = z.strictObject({
  k8sService: z.strictObject({ serviceName: z.string().optional(), namespace: z.string().optional() }).optional(),
  k8sServiceSelector: z.strictObject({ selector: labelSelectorSchema, namespace: z.string().optional() }).optional(),
});

/** Field names of one side of a rule element (`fromEndpoints` / `toEndpoints`, …), written out once rather than per element. */
const peerFieldNames = (p: 'from' | 'to') => ({
  Endpoints: `${p}Endpoints`, Entities: `${p}Entities`, CIDR: `${p}CIDR`, CIDRSet: `${p}CIDRSet`, Nodes: `${p}Nodes`, Groups: `${p}Groups`, Requires: `${p}Requires`,
});
export const PEER_FIELD_NAMES = { from: peerFieldNames('from'), to: peerFieldNames('to') } as const;

const entities = z.array(z.enum(ENTITY_NAMES));
const selectors = z.array(labelSelectorSchema);

const ingressCommon = {
  fromEndpoints: selectors.optional(),
  fromRequires: selectors.optional(),
  fromCIDR: strings.optional(),
  fromCIDRSet: z.array(cidrRuleSchema).optional(),
  fromEntities: entities.optional(),
  fromGroups: z.array(awsGroupSchema).optional(),
  fromNodes: selectors.optional(),
  icmps: z.array(icmpRuleSchema).optional(),
};

const egressCommon = {
  toEndpoints: selectors.optional(),
  toRequires: selectors.optional(),
  toCIDR: strings.optional(),
  toCIDRSet: z.array(cidrRuleSchema).optional(),
  toEntities: entities.optional(),
  toServices: z.array(serviceSelectorSchema).optional(),
  toGroups: z.array(awsGroupSchema).optional(),
  toNodes: selectors.optional(),
  icmps: z.array(icmpRuleSchema).optional(),
};

export const ingressRuleSchema = z.strictObject({
  ...ingressCommon,
  toPorts: z.array(portRuleSchema).optional(),
  authentication: authenticationSchema.optional(),
});
export const ingressDenyRuleSchema = z.strictObject({ ...ingressCommon, toPorts: z.array(portDenyRuleSchema).optional() });
export const egressRuleSchema = z.strictObject({
  ...egressCommon,
  toPorts: z.array(portRuleSchema).optional(),
  toFQDNs: z.array(fqdnSelectorSchema).optional(),
  authentication: authenticationSchema.optional(),
});
export const egressDenyRuleSchema = z.strictObject({ ...egressCommon, toPorts: z.array(portDenyRuleSchema).optional() });

const ruleLabelSchema = z.union([
  z.string(),
  z.strictObject({ key: z.string(), value: z.string().optional(), source: z.string().optional() }),
]);

export const ciliumRuleSchema = z.strictObject({
  endpointSelector: labelSelectorSchema.optional(),
  nodeSelector: labelSelectorSchema.optional(),
  ingress: z.array(ingressRuleSchema).optional(),
  ingressDeny: z.array(ingressDenyRuleSchema).optional(),
  egress: z.array(egressRuleSchema).optional(),
  egressDeny: z.array(egressDenyRuleSchema).optional(),
  labels: z.array(ruleLabelSchema).optional(),
  description: z.string().optional(),
  enableDefaultDeny: z.strictObject({ ingress: z.boolean().optional(), egress: z.boolean().optional() }).optional(),
  log: z.strictObject({ value: z.string().max(32) }).optional(),
});

const objectMeta = z.looseObject({
  name: z.string(),
  namespace: z.string().optional(),
  labels: recordOf(z.string()).optional(),
  annotations: recordOf(z.string()).optional(),
});

export const ciliumPolicySchema = z.strictObject({
  apiVersion: z.literal('cilium.io/v2'),
  kind: z.enum(['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy']),
  metadata: objectMeta,
  spec: ciliumRuleSchema.optional(),
  specs: z.array(ciliumRuleSchema).optional(),
  status: z.unknown().optional(),
});

export type CiliumRuleSpec = z.infer<typeof ciliumRuleSchema>;
export type CiliumPolicySpec = z.infer<typeof ciliumPolicySchema>;
export type IngressRuleSpec = z.infer<typeof ingressRuleSchema>;
export type IngressDenyRuleSpec = z.infer<typeof ingressDenyRuleSchema>;
export type EgressRuleSpec = z.infer<typeof egressRuleSchema>;
export type EgressDenyRuleSpec = z.infer<typeof egressDenyRuleSchema>;
export type PortRuleSpec = z.infer<typeof portRuleSchema>;
export type PortProtocolSpec = z.infer<typeof portProtocolSchema>;
export type CidrRuleSpec = z.infer<typeof cidrRuleSchema>;
export type FqdnSelectorSpec = z.infer<typeof fqdnSelectorSchema>;
export type HttpRuleSpec = z.infer<typeof httpRuleSchema>;
export type KafkaRuleSpec = z.infer<typeof kafkaRuleSchema>;
export type IcmpRuleSpec = z.infer<typeof icmpRuleSchema>;
export type ServiceSelectorSpec = z.infer<typeof serviceSelectorSchema>;
export type L7RulesSpec = z.infer<typeof l7RulesSchema>;
