/**
 * @module identity/reserved
 *
 * Numeric security identities: the branded {@link IdentityId}, Cilium's
 * reserved identities with their numbers, names and label sets, and the
 * numeric ranges (semantics.md §3.1–3.2; `pkg/identity/numericidentity.go`).
 */
import { LabelSet, type Label } from './labels.js';

/** A Cilium numeric security identity. Make one with {@link identityId}. */
export type IdentityId = number & { readonly __brand: 'IdentityId' };

/**
 * Brands a number as an identity. Throws `RangeError` for a non-integer or
 * negative number — a programmer error, never caused by user input.
 */
export function identityId(n: number): IdentityId {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`not a numeric identity: ${n}`);
  return n as IdentityId;
}

/** Reserved identity numbers (`pkg/identity/numericidentity.go`). */
export const Reserved = {
  unknown: identityId(0),
  host: identityId(1),
  world: identityId(2),
  unmanaged: identityId(3),
  health: identityId(4),
  init: identityId(5),
  remoteNode: identityId(6),
  kubeApiserver: identityId(7),
  ingress: identityId(8),
  worldIpv4: identityId(9),
  worldIpv6: identityId(10),
  encryptedOverlay: identityId(11),
} as const;

/** First cluster-scoped identity for label sets (cluster ID 0): 256 (`MinimalAllocationIdentity`). */
export const MIN_CLUSTER_IDENTITY = 256;
/** Last cluster-scoped identity with cluster ID 0 and the default 255 max clusters: 65535. */
export const MAX_CLUSTER_IDENTITY = 65535;
/** Flag of node-local identities (CIDR, FQDN, CIDR group): `1 << 24` (`IdentityScopeLocal`). */
export const LOCAL_IDENTITY_FLAG = 1 << 24;
/**
 * Flag of per-node remote-node identities: `2 << 24` (`IdentityScopeRemoteNode`),
 * allocated with `policy-cidr-match-mode=nodes`, when each node's labels carry
 * its CIDR (`pkg/identity/reserved.go LookupReservedIdentityByLabels` then
 * returns no reserved identity for remote nodes).
 */
export const REMOTE_NODE_IDENTITY_FLAG = 2 << 24;
/**
 * Flag of polis's per-node views of the host identity. Cilium numbers the
 * host 1 on every node, but each agent gives it its own node's labels
 * (`pkg/node/manager.go nodeIdentityLabels`): one number cannot carry them
 * all, so polis gives each node's host its own internal number and shows
 * it as 1 (`host`). Never on the wire; see {@link publicIdentity}.
 */
export const HOST_VIEW_FLAG = 0x7e << 24;

/** True for the host identity: 1, or one node's view of it. */
export function isHostIdentity(id: IdentityId): boolean {
  return id === Reserved.host || (id & 0xff000000) === HOST_VIEW_FLAG;
}

/** The number Cilium and Hubble show for an identity: 1 for every view of the host. */
export function publicIdentity(id: IdentityId): IdentityId {
  return isHostIdentity(id) ? Reserved.host : id;
}

/** Reserved identity names, as `cilium identity list` and Hubble print them. */
const NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'unknown'],
  [1, 'host'],
  [2, 'world'],
  [3, 'unmanaged'],
  [4, 'health'],
  [5, 'init'],
  [6, 'remote-node'],
  [7, 'kube-apiserver'],
  [8, 'ingress'],
  [9, 'world-ipv4'],
  [10, 'world-ipv6'],
  [11, 'overlay-to-encrypt'],
]);

/** The reserved name of an identity, or `undefined` when it is not reserved. */
export function reservedName(id: IdentityId): string | undefined {
  return NAMES.get(publicIdentity(id));
}

/** Which numeric range an identity lies in (semantics.md §3.2). */
export type IdentityScope = 'reserved' | 'cluster' | 'local';

/** Reserved (< 256), local (CIDR/FQDN: has the `1<<24` flag) or cluster (label sets). */
export function identityScope(id: IdentityId): IdentityScope {
  if (id < MIN_CLUSTER_IDENTITY || isHostIdentity(id)) return 'reserved';
  return (id & 0xff000000) === LOCAL_IDENTITY_FLAG ? 'local' : 'cluster';
}

/** Cilium's `IsWorld`: 2, and 9/10 (dual-stack world identities). */
export function isWorldId(id: IdentityId): boolean {
  return id === Reserved.world || id === Reserved.worldIpv4 || id === Reserved.worldIpv6;
}

const r = (key: string): Label => ({ source: 'reserved', key, value: '' });

/** Options that shape the reserved label sets. */
export interface ReservedLabelOptions {
  /** The local node runs a kube-apiserver: the host identity also gets `reserved:kube-apiserver`. */
  readonly hostIsKubeApiserver: boolean;
  /**
   * Labels of the local node, added to the host identity with source `k8s`
   * (the host endpoint carries its node's labels; `nodeSelector` is matched
   * against them, semantics.md §2.2). The default node-label filter is empty,
   * so all are kept (`pkg/labelsfilter/filter.go: validNodeLabelPrefixes`).
   */
  readonly hostNodeLabels?: Readonly<Record<string, string>>;
}

/**
 * Label set of a reserved identity (semantics.md §3.1). `reserved:host` is
 * mutable in Cilium (it gathers labels of local-node IPs), hence the options.
 * `unknown` (0) has no labels.
 */
export function reservedLabels(id: IdentityId, options: ReservedLabelOptions = { hostIsKubeApiserver: false }): LabelSet {
  switch (id) {
    case Reserved.host: {
      const node = Object.entries(options.hostNodeLabels ?? {}).map(([key, value]) => ({ source: 'k8s', key, value }));
      return LabelSet.of([...node, r('host'), ...(options.hostIsKubeApiserver ? [r('kube-apiserver')] : [])]);
    }
    case Reserved.kubeApiserver:
      // numericidentity.go: identity 7 = kube-apiserver running on a remote node.
      return LabelSet.of([r('kube-apiserver'), r('remote-node')]);
    case Reserved.unknown:
      return LabelSet.empty;
    default: {
      const name = NAMES.get(id);
      if (name === undefined) throw new RangeError(`not a reserved identity: ${id}`);
      return LabelSet.of([r(name)]);
    }
  }
}
