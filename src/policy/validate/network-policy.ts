/**
 * @module policy/validate/network-policy
 *
 * Validates a Kubernetes NetworkPolicy as the API server does
 * (`pkg/apis/networking/validation`): peers, ports, endPort, ipBlock.
 */
import type { FieldPath, ManifestObject } from '../../manifest/object.js';
import { checkSchemaRepairing } from '../../manifest/check-schema.js';
import { cidrContainsCidr, parseCidr } from '../../net/ip.js';
import { networkPolicySchema, type NetworkPolicyPeerSpec, type NetworkPolicyPortSpec, type NetworkPolicySpec } from '../schema/kubernetes.js';
import type { LoadedNetworkPolicy } from '../types.js';
import { checkSelector } from './labels.js';
import { cidrHint } from './peers.js';
import { Reporter } from './reporter.js';
import { checkObjectName } from './names.js';

/** Kubernetes' IsValidPortName: ≤ 15 lower-case alphanumerics and "-", a letter, no leading/trailing/double "-". */
function isValidPortName(s: string): boolean {
  return s.length >= 1 && s.length <= 15 && /^[a-z0-9-]+$/.test(s) && /[a-z]/.test(s) && !s.startsWith('-') && !s.endsWith('-') && !s.includes('--');
}

export function validateNetworkPolicy(obj: ManifestObject): { policy: LoadedNetworkPolicy; diagnostics: Reporter['diagnostics'] } {
  const r = new Reporter(obj);
  const { value: spec, repaired, removed, diagnostics } = checkSchemaRepairing(withoutNullFields(obj, r), networkPolicySchema);
  r.diagnostics.push(...diagnostics);
  checkObjectName(r, obj);
  const checked = spec ?? repaired;
  if (checked) {
    const r2 = spec ? r : r.scoped(removed);
    checkSpec(r2, checked);
  }
  const policy: LoadedNetworkPolicy = {
    kind: 'NetworkPolicy', ref: { kind: 'NetworkPolicy', namespace: obj.namespace ?? 'default', name: obj.name },
    object: obj, spec, valid: spec !== undefined && !r.hasErrors,
  };
  return { policy, diagnostics: r.diagnostics };
}

/**
 * The API server decodes a field written with no value (`to:` followed by
 * nothing, YAML null) as a field left out: encoding/json leaves the Go
 * field at its zero value, so `kubectl apply` accepts it (cilium-cli's
 * client-egress-to-echo-knp.yaml has such a `to:`). It is read the same way
 * here, with a warning, because a `to:` or `from:` left out opens the rule
 * to every peer. List items are kept: a null item is not a missing field.
 */
function withoutNullFields(obj: ManifestObject, r: Reporter): ManifestObject {
  const nulls: FieldPath[] = [];
  const strip = (v: unknown, path: FieldPath): unknown => {
    if (Array.isArray(v)) return v.map((x, i) => strip(x, [...path, i]));
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === null) nulls.push([...path, k]);
      else out[k] = strip(x, [...path, k]);
    }
    return out;
  };
  const spec = obj.value.spec;
  if (spec === null || typeof spec !== 'object' || !hasNullField(spec)) return obj;
  const stripped = strip(spec, ['spec']);
  if (nulls.length === 0) return obj;
  for (const path of nulls) {
    const field = String(path[path.length - 1]);
    r.warn(path, 'null-field', `${field} has no value, so Kubernetes reads it as left out${field === 'to' || field === 'from' ? `: this rule applies to every ${field === 'to' ? 'destination' : 'source'}` : ''}`,
      `remove "${field}:" or give it a value`, 'key');
  }
  const value = { ...obj.value, spec: stripped };
  return Object.assign(Object.create(Object.getPrototypeOf(obj) as object) as ManifestObject, obj, { value });
}

/** True when some mapping inside `v` has a field whose value is null (what `strip` takes out); nothing is copied to find out. */
function hasNullField(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasNullField);
  if (v === null || typeof v !== 'object') return false;
  for (const x of Object.values(v)) if (x === null || hasNullField(x)) return true;
  return false;
}

function checkSpec(r: Reporter, spec: NetworkPolicySpec): void {
  {
    if (spec.spec.podSelector === undefined) {
      // Kept as a warning: what it selects is easy to miss, and kubectl's old client-side schema
      // check (OpenAPI marked the field required until kubernetes/kubernetes#131354) refused it.
      r.warn(['spec'], 'missing-pod-selector', 'podSelector is left out, so this policy applies to every pod of its namespace',
        'write podSelector: {} to say so, or give the labels of the pods it is for', 'key');
    }
    checkSelector(r, spec.spec.podSelector, ['spec', 'podSelector'], false);
    // ValidateNetworkPolicySpec: "may not specify more than two policyTypes" (a repeated type counts).
    if ((spec.spec.policyTypes?.length ?? 0) > 2) {
      r.error(['spec', 'policyTypes'], 'invalid-value', 'may not specify more than two policyTypes', 'list each of Ingress and Egress at most once');
    }
    (spec.spec.ingress ?? []).forEach((rule, i) => {
      (rule.from ?? []).forEach((peer, j) => checkPeer(r, peer, ['spec', 'ingress', i, 'from', j]));
      (rule.ports ?? []).forEach((port, j) => checkPort(r, port, ['spec', 'ingress', i, 'ports', j]));
    });
    (spec.spec.egress ?? []).forEach((rule, i) => {
      (rule.to ?? []).forEach((peer, j) => checkPeer(r, peer, ['spec', 'egress', i, 'to', j]));
      (rule.ports ?? []).forEach((port, j) => checkPort(r, port, ['spec', 'egress', i, 'ports', j]));
    });
  }
}

function checkPeer(r: Reporter, peer: NetworkPolicyPeerSpec, path: FieldPath): void {
  const selectors = peer.podSelector !== undefined || peer.namespaceSelector !== undefined;
  if (!selectors && peer.ipBlock === undefined) {
    r.error(path, 'empty-peer', 'a peer must have podSelector, namespaceSelector or ipBlock', 'to allow every source, leave out "from" (or "to") altogether');
  }
  if (selectors && peer.ipBlock !== undefined) {
    r.error([...path, 'ipBlock'], 'peer-combination', 'ipBlock cannot be combined with podSelector or namespaceSelector in one peer', 'make them two peers, each with its own "- "', 'key');
  }
  checkSelector(r, peer.podSelector, [...path, 'podSelector'], false);
  checkSelector(r, peer.namespaceSelector, [...path, 'namespaceSelector'], false);
  if (peer.ipBlock) {
    const cidr = parseCidr(peer.ipBlock.cidr);
    if (!cidr) r.error([...path, 'ipBlock', 'cidr'], 'invalid-cidr', `${peer.ipBlock.cidr} is not a valid CIDR`, cidrHint(peer.ipBlock.cidr, true));
    (peer.ipBlock.except ?? []).forEach((e, i) => {
      const ex = parseCidr(e);
      if (!ex) r.error([...path, 'ipBlock', 'except', i], 'invalid-cidr', `${e} is not a valid CIDR`, cidrHint(e, true));
      else if (cidr && (!cidrContainsCidr(cidr, ex) || ex.bits === cidr.bits)) {
        r.error([...path, 'ipBlock', 'except', i], 'except-outside-cidr', `except ${e} must be a strict subset of ${peer.ipBlock!.cidr}`, `use a longer prefix inside ${peer.ipBlock!.cidr}`);
      }
    });
  }
}

function checkPort(r: Reporter, port: NetworkPolicyPortSpec, path: FieldPath): void {
  const p = port.port;
  if (typeof p === 'number' && (p < 1 || p > 65535)) {
    r.error([...path, 'port'], 'invalid-port', `port ${p} must be from 1 to 65535`);
  }
  if (typeof p === 'string' && !isValidPortName(p)) {
    r.error([...path, 'port'], 'invalid-port',
      /^\d+$/.test(p) ? `port "${p}" is a string, so Kubernetes reads it as a port name, and a name needs a letter` : `port "${p}" is not a valid port name`,
      /^\d+$/.test(p) ? `write the number without quotes: port: ${p}` : 'names are up to 15 lower-case letters, digits and "-", e.g. http');
  }
  if (port.endPort !== undefined) {
    if (p === undefined) r.error([...path, 'endPort'], 'endport-without-port', 'endPort needs port', 'add port: <first port of the range>', 'key');
    else if (typeof p === 'string') r.error([...path, 'endPort'], 'endport-with-named-port', 'endPort cannot be used with a named port', 'use a numeric port');
    else if (port.endPort < p) r.error([...path, 'endPort'], 'endport-below-port', `endPort ${port.endPort} must be at least port ${p}`);
    else if (port.endPort > 65535) r.error([...path, 'endPort'], 'invalid-port', `endPort ${port.endPort} must be at most 65535`);
  }
}
