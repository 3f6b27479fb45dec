/**
 * @module model/schemas
 *
 * The parts of Kubernetes objects the cluster model reads, as zod schemas.
 * Loose on purpose: fields polis does not model are accepted as they are
 * (the API server validates those); fields it reads must have the right type,
 * and a wrong one becomes a diagnostic at its line.
 */
import { z } from 'zod';
import { parseIp } from '../net/ip.js';
import { recordOf } from '../manifest/record-schema.js';

/** Labels and annotations: every key kept as written, `__proto__` included (see manifest/record-schema). */
const labels = recordOf(z.string());

export const metadataSchema = z.looseObject({
  name: z.string().min(1, 'metadata.name must not be empty'),
  namespace: z.string().optional(),
  labels: labels.optional(),
  annotations: labels.optional(),
});

const containerPort = z.looseObject({
  name: z.string().optional(),
  containerPort: z.number().int().min(1).max(65535),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
});

const container = z.looseObject({
  name: z.string().optional(),
  ports: z.array(containerPort).optional(),
});

const toleration = z.looseObject({ key: z.string().optional(), operator: z.string().optional(), effect: z.string().optional() });

export const podSpecSchema = z.looseObject({
  containers: z.array(container).optional(),
  initContainers: z.array(container).optional(),
  serviceAccountName: z.string().optional(),
  serviceAccount: z.string().optional(),
  nodeName: z.string().optional(),
  hostNetwork: z.boolean().optional(),
  hostname: z.string().optional(),
  subdomain: z.string().optional(),
  nodeSelector: labels.optional(),
  tolerations: z.array(toleration).optional(),
});

const podTemplate = z.looseObject({
  metadata: z.looseObject({ labels: labels.optional() }).optional(),
  spec: podSpecSchema.optional(),
});

export const podSchema = z.looseObject({
  metadata: metadataSchema,
  spec: podSpecSchema.optional(),
  status: z.looseObject({ podIP: z.string().optional(), hostIP: z.string().optional() }).optional(),
});

const labelSelector = z.looseObject({ matchLabels: labels.optional() });

/** Deployment, ReplicaSet, StatefulSet, DaemonSet. */
export const workloadSchema = z.looseObject({
  metadata: metadataSchema,
  spec: z.looseObject({
    replicas: z.number().int().min(0).optional(),
    /** StatefulSet: the headless Service that names its pods in DNS. */
    serviceName: z.string().optional(),
    selector: labelSelector.optional(),
    template: podTemplate,
  }),
});

export const jobSchema = z.looseObject({
  metadata: metadataSchema,
  spec: z.looseObject({ parallelism: z.number().int().min(0).optional(), template: podTemplate }),
});

export const cronJobSchema = z.looseObject({
  metadata: metadataSchema,
  spec: z.looseObject({ jobTemplate: z.looseObject({ spec: z.looseObject({ parallelism: z.number().int().min(0).optional(), template: podTemplate }) }) }),
});

const servicePort = z.looseObject({
  name: z.string().optional(),
  port: z.number().int().min(1).max(65535),
  targetPort: z.union([z.number().int().min(1).max(65535), z.string().min(1)]).optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
  nodePort: z.number().int().min(1).max(65535).optional(),
});

export const serviceSchema = z.looseObject({
  metadata: metadataSchema,
  spec: z.looseObject({
    type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']).optional(),
    selector: labels.optional(),
    clusterIP: z.string().optional(),
    clusterIPs: z.array(z.string()).optional(),
    externalName: z.string().optional(),
    ports: z.array(servicePort).optional(),
  }).optional(),
});

// EndpointSlice may leave the port out ("all ports"); polis then keeps the service's targetPort.
const endpointPort = z.looseObject({
  name: z.string().optional(),
  port: z.number().int().min(1).max(65535).optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
});

/** An IP address, as the API server's `validation.IsValidIP` requires of endpoint and node IPs. */
const ipAddress = z.string().refine((v) => parseIp(v) !== undefined, { error: (iss) => `${JSON.stringify(iss.input)} is not an IP address`, params: { code: 'invalid-ip' } });

export const endpointsSchema = z.looseObject({
  metadata: metadataSchema,
  // k8s pkg/apis/core/validation validateEndpointAddress: ip must be a valid IP.
  subsets: z.array(z.looseObject({
    addresses: z.array(z.looseObject({ ip: ipAddress })).optional(),
    ports: z.array(endpointPort).optional(),
  })).optional(),
});

export const endpointSliceSchema = z.looseObject({
  metadata: metadataSchema,
  addressType: z.string().optional(),
  endpoints: z.array(z.looseObject({ addresses: z.array(z.string()) })).optional(),
  ports: z.array(endpointPort).optional(),
}).superRefine((v, ctx) => {
  // k8s pkg/apis/discovery/validation: addresses must be IPs of the slice's family; FQDN slices hold names.
  const family = v.addressType === 'IPv4' ? 4 : v.addressType === 'IPv6' ? 6 : undefined;
  if (family === undefined) return;
  v.endpoints?.forEach((e, i) => e.addresses.forEach((a, j) => {
    if (parseIp(a)?.family !== family) ctx.addIssue({ code: 'custom', path: ['endpoints', i, 'addresses', j], message: `${JSON.stringify(a)} is not an ${v.addressType} address`, params: { code: 'invalid-ip' } });
  }));
});

export const nodeSchema = z.looseObject({
  metadata: metadataSchema,
  spec: z.looseObject({ podCIDR: z.string().optional() }).optional(),
  // InternalIP/ExternalIP must be IPs; build.ts checks them so a bad one costs the address, not the node.
  status: z.looseObject({ addresses: z.array(z.looseObject({ type: z.string(), address: z.string() })).optional() }).optional(),
});

export const namespaceSchema = z.looseObject({ metadata: metadataSchema });
export const serviceAccountSchema = z.looseObject({ metadata: metadataSchema });

/** CiliumCIDRGroup (cilium.io/v2alpha1, v2): named, labelled lists of CIDRs policies refer to. */
export const cidrGroupSchema = z.looseObject({
  metadata: metadataSchema,
  spec: z.looseObject({ externalCIDRs: z.array(z.string()).optional() }),
});

export type PodSpec = z.infer<typeof podSpecSchema>;
