/**
 * @module policy/normalize/kubernetes
 *
 * A Kubernetes NetworkPolicy as Cilium translates it
 * (`pkg/k8s/network_policy.go: ParseNetworkPolicy`; semantics.md §6):
 * one rule; each peer of `from`/`to` becomes its own element with the
 * rule's ports; `namespaceSelector` terms become
 * `io.cilium.k8s.namespace.labels.*` terms; `ipBlock` becomes a CIDR set
 * (which never selects pods); absent or empty `from`/`to` selects every
 * peer; a missing section listed in policyTypes becomes deny-all.
 */
import { EndpointSelector } from '../../identity/selector.js';
import { cidrLabel } from '../../identity/cidr-labels.js';
import type { FieldPath } from '../../manifest/object.js';
import { formatCidr, parseCidr, type CidrPrefix } from '../../net/ip.js';
import type { DirectionRules, NormalizedRule, PeerSelector, PeerSet, PolicyEntry, PortEntry, PortSet, RuleOrigin } from '../rule.js';
import type { NetworkPolicyPeerSpec, NetworkPolicyPortSpec } from '../schema/kubernetes.js';
import type { LabelSelectorSpec } from '../schema/selector.js';
import type { LoadedNetworkPolicy } from '../types.js';
import type { NormalizeContext } from './cilium.js';
import { NS_KEY, selectorText } from './selectors.js';

export function normalizeNetworkPolicy(policy: LoadedNetworkPolicy, ctx: NormalizeContext): NormalizedRule[] {
  const spec = policy.spec?.spec;
  if (!spec) return [];
  const namespace = policy.ref.namespace ?? 'default';
  const origin: RuleOrigin = { policy: policy.ref, object: policy.object, path: ['spec'] };
  const subject = EndpointSelector.fromK8s(withSource(spec.podSelector ?? {}, 'k8s', { [`k8s:${NS_KEY}`]: namespace }));
  const types = spec.policyTypes;

  const build = (key: 'ingress' | 'egress'): DirectionRules | undefined => {
    const rules = spec[key];
    const peersKey = key === 'ingress' ? 'from' : 'to';
    const entries: PolicyEntry[] = [];
    (rules ?? []).forEach((r, i) => {
      const rulePath: FieldPath = ['spec', key, i];
      const ports = portSetOf((r as { ports?: NetworkPolicyPortSpec[] }).ports, rulePath);
      const peers = (r as Record<string, NetworkPolicyPeerSpec[] | undefined>)[peersKey];
      if (!peers || peers.length === 0) {
        entries.push({ origin: { ...origin, path: rulePath }, deny: false, peers: { kind: 'all' }, requires: [], ports });
        return;
      }
      peers.forEach((peer, j) => {
        const path: FieldPath = [...rulePath, peersKey, j];
        entries.push({ origin: { ...origin, path }, deny: false, peers: peerOf(peer, namespace, path, ctx), requires: [], ports });
      });
    });
    // policyTypes decides default deny for a direction with no rules (semantics.md §6).
    const listed = types?.includes(key === 'ingress' ? 'Ingress' : 'Egress');
    const impliedIngress = key === 'ingress' && (listed || !types?.includes('Egress'));
    if (entries.length === 0 && !(listed || impliedIngress)) return undefined;
    if (entries.length === 0) return { defaultDeny: true, entries: [] };
    return { defaultDeny: true, entries };
  };
  return [{ origin, subject: { kind: 'endpoints', selector: subject }, namespace, ingress: build('ingress'), egress: build('egress') }];
}

/** Gives every key of a Kubernetes selector an explicit source (KNP keys are never Cilium-prefixed). */
function withSource(sel: LabelSelectorSpec, source: string, extra: Record<string, string> = {}, prefix = ''): LabelSelectorSpec {
  const matchLabels: Record<string, string> = {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) matchLabels[`${source}:${prefix}${k}`] = v;
  Object.assign(matchLabels, extra);
  return {
    matchLabels,
    ...(sel.matchExpressions ? { matchExpressions: sel.matchExpressions.map((e) => ({ ...e, key: `${source}:${prefix}${e.key}` })) } : {}),
  };
}

function peerOf(peer: NetworkPolicyPeerSpec, namespace: string, path: FieldPath, ctx: NormalizeContext): PeerSet {
  if (peer.ipBlock) {
    const prefix = parseCidr(peer.ipBlock.cidr);
    if (!prefix) return { kind: 'selectors', selectors: [] };
    const except = (peer.ipBlock.except ?? []).map((x) => parseCidr(x)).filter((x): x is CidrPrefix => x !== undefined);
    for (const c of [prefix, ...except]) if (c.bits > 0) ctx.referencedCidrs.set(formatCidr(c), c);
    let selector = prefix.bits === 0
      ? EndpointSelector.fromLabels({ source: 'reserved', key: 'world', value: '' })
      : EndpointSelector.fromLabels(cidrLabel(prefix));
    for (const x of except) selector = selector.withTerm({ kind: 'expression', key: `cidr:${cidrLabel(x).key}`, operator: 'DoesNotExist' });
    const text = `ipBlock: ${peer.ipBlock.cidr}${except.length ? ` except ${peer.ipBlock.except!.join(', ')}` : ''}`;
    return { kind: 'selectors', selectors: [{ selector, kind: 'k8s-peer', text, path: [...path, 'ipBlock'], foldsRequires: false }] };
  }
  let spec: LabelSelectorSpec;
  let text: string;
  if (peer.namespaceSelector) {
    const ns = withSource(peer.namespaceSelector, 'k8s', {}, 'io.cilium.k8s.namespace.labels.');
    const pod = withSource(peer.podSelector ?? {}, 'k8s');
    // An empty namespaceSelector selects every namespace: "a namespace label exists" (pkg/k8s/network_policy.go).
    const nsEmpty = Object.keys(ns.matchLabels ?? {}).length === 0 && (ns.matchExpressions ?? []).length === 0;
    spec = {
      matchLabels: { ...ns.matchLabels, ...pod.matchLabels },
      matchExpressions: [
        ...(nsEmpty ? [{ key: `k8s:${NS_KEY}`, operator: 'Exists' as const }] : (ns.matchExpressions ?? [])),
        ...(pod.matchExpressions ?? []),
      ],
    };
    text = `namespaceSelector: ${selectorText(peer.namespaceSelector)}${peer.podSelector ? `, podSelector: ${selectorText(peer.podSelector)}` : ''}`;
  } else {
    spec = withSource(peer.podSelector ?? {}, 'k8s', { [`k8s:${NS_KEY}`]: namespace });
    text = `podSelector: ${selectorText(peer.podSelector ?? {})}`;
  }
  const selectors: PeerSelector[] = [{ selector: EndpointSelector.fromK8s(spec), kind: 'k8s-peer', text, path, foldsRequires: false }];
  return { kind: 'selectors', selectors };
}

function portSetOf(ports: readonly NetworkPolicyPortSpec[] | undefined, rulePath: FieldPath): PortSet {
  if (!ports || ports.length === 0) return { kind: 'all' };
  const out: PortEntry[] = ports.map((p, i) => {
    const protocol = p.protocol ?? 'TCP';
    const port = p.port === undefined ? 0 : typeof p.port === 'number' ? p.port : p.port.toLowerCase();
    const endPort = typeof port === 'number' ? (port === 0 ? 65535 : Math.max(port, p.endPort ?? 0)) : 0;
    const text = `${port === 0 ? 'all ports' : typeof port === 'number' && endPort > port ? `${port}-${endPort}` : String(port)}/${protocol}`;
    return { protocol, port, endPort, path: [...rulePath, 'ports', i], text };
  });
  return { kind: 'ports', ports: out };
}
