/**
 * @module identity/entities
 *
 * Policy entities (`fromEntities`/`toEntities`) and the selectors they stand
 * for (semantics.md §1.7 and §3.5; `pkg/policy/api/entity.go:
 * EntitySelectorMapping`, `InitEntities`). An entity is a list of selectors,
 * ORed. Entities are not namespace-scoped, even in a CNP.
 */
import { EndpointSelector } from './selector.js';
import { K8sLabel } from './label-filter.js';
import type { Label } from './labels.js';

/** Entity names the CRD accepts (`+kubebuilder:validation:Enum` on `api.Entity`), in that order. */
export const ENTITY_NAMES = [
  'all',
  'world',
  'cluster',
  'host',
  'init',
  'ingress',
  'unmanaged',
  'remote-node',
  'health',
  'none',
  'kube-apiserver',
] as const;

/** A valid policy entity name. */
export type EntityName = (typeof ENTITY_NAMES)[number];

/** Entities that exist inside Cilium but are not in the CRD enum (used for `/0` in dual-stack). */
export type InternalEntityName = 'world-ipv4' | 'world-ipv6';

const ENTITY_SET: ReadonlySet<string> = new Set(ENTITY_NAMES);

/** True when `name` is a valid entity for a policy (the validator's check). */
export function isEntityName(name: string): name is EntityName {
  return ENTITY_SET.has(name);
}

const reserved = (key: string) => EndpointSelector.fromLabels({ source: 'reserved', key, value: '' } satisfies Label);

/**
 * The selectors an entity stands for; an identity is selected when any of
 * them matches. `cluster` needs the local cluster name: its last selector is
 * `k8s:io.cilium.k8s.policy.cluster=<clusterName>`, which selects the local
 * cluster's pods (not pods of other mesh clusters, not CIDR identities).
 */
export function entitySelectors(entity: EntityName | InternalEntityName, clusterName: string): readonly EndpointSelector[] {
  // Every `toEntities: [cluster]` of every policy stands for the same selectors: build them once per cluster name.
  const key = `${entity}\u0000${clusterName}`;
  let sels = known.get(key);
  if (!sels) {
    if (known.size >= 1024) known.clear();
    known.set(key, (sels = Object.freeze(buildEntitySelectors(entity, clusterName))));
  }
  return sels;
}

const known = new Map<string, readonly EndpointSelector[]>();

function buildEntitySelectors(entity: EntityName | InternalEntityName, clusterName: string): EndpointSelector[] {
  switch (entity) {
    case 'all':
      return [EndpointSelector.wildcard];
    case 'world':
      // entity.go: world covers both families so it works in single- and dual-stack.
      return [reserved('world'), reserved('world-ipv4'), reserved('world-ipv6')];
    case 'world-ipv4':
      return [reserved('world-ipv4')];
    case 'world-ipv6':
      return [reserved('world-ipv6')];
    case 'cluster':
      return [
        reserved('host'),
        reserved('remote-node'),
        reserved('init'),
        reserved('ingress'),
        reserved('health'),
        reserved('unmanaged'),
        reserved('kube-apiserver'),
        EndpointSelector.fromLabels({ source: 'k8s', key: K8sLabel.cluster, value: clusterName }),
      ];
    case 'host':
    case 'init':
    case 'ingress':
    case 'unmanaged':
    case 'remote-node':
    case 'health':
    case 'kube-apiserver':
    case 'none': // reserved:none is never assigned, so this selects nothing.
      return [reserved(entity)];
  }
}
