/**
 * @module policy/rule
 *
 * The one normalised rule form every policy kind becomes (Cilium's
 * `types.PolicyEntry` idea): CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy
 * and Kubernetes NetworkPolicy all translate into {@link NormalizedRule}s, so
 * the engine has one evaluator. Every part keeps a link to the policy, the
 * field path and so the file:line that produced it, for `explain`.
 *
 * Selectors here are final: namespace terms, entity and CIDR translations are
 * already applied (`policy/normalize/`), exactly as Cilium's agent does before
 * it resolves policy.
 */
import type { EndpointSelector } from '../identity/selector.js';
import type { FieldPath, ManifestObject } from '../manifest/object.js';
import type { Re2 } from '../util/re2.js';
import type { PolicyRef } from './types.js';

export type Direction = 'ingress' | 'egress';

/** Where a piece of a rule came from. */
export interface RuleOrigin {
  readonly policy: PolicyRef;
  readonly object: ManifestObject;
  /** Field path inside the object, e.g. `['spec','ingress',1]`. */
  readonly path: FieldPath;
}

/** A transport protocol as the policy map keys it. ICMP "ports" are ICMP types. */
export type L4Protocol = 'TCP' | 'UDP' | 'SCTP' | 'ICMP' | 'ICMPv6';

/** How a peer selector was written, for explanations. */
export type PeerKind = 'endpoints' | 'entities' | 'cidr' | 'cidrSet' | 'fqdn' | 'services' | 'nodes' | 'groups' | 'k8s-peer';

export interface PeerSelector {
  readonly selector: EndpointSelector;
  readonly kind: PeerKind;
  /** What the user wrote, e.g. `tier=backend`, `world`, `10.0.0.0/8 except 10.1.0.0/16`, `*.cloud.google.com`. */
  readonly text: string;
  readonly path: FieldPath;
  /** `fromRequires`/`toRequires` of the subject's rules are ANDed onto this selector (fromEndpoints only). */
  readonly foldsRequires: boolean;
}

/**
 * The peers of one rule element. `all`: the element names no peer, so it
 * applies to every identity (Cilium's wildcard key, identity 0); `why` says
 * so when the element looks as if it named one (an unresolved toServices).
 * `selectors`: the union of the listed selectors; an empty list selects nobody.
 */
export type PeerSet = { readonly kind: 'all'; readonly why?: string } | { readonly kind: 'selectors'; readonly selectors: readonly PeerSelector[] };

export interface HttpRule {
  readonly method?: Re2;
  readonly path?: Re2;
  readonly host?: Re2;
  /** Header name → required value (`undefined`: must be present). */
  readonly headers: readonly { readonly name: string; readonly value?: string }[];
  readonly text: string;
}

export interface DnsRule {
  /** Anchored matcher over a lower-case FQDN with trailing dot. */
  readonly matches: (fqdn: string) => boolean;
  /**
   * The rule is `matchPattern: "*"`, which the DNS proxy turns into a pattern
   * that every query name passes, not the anchored `*` regexp `toFQDNs` uses.
   */
  readonly matchAll?: true;
  readonly text: string;
}

export interface KafkaRule {
  readonly apiKeys: ReadonlySet<string> | undefined;
  readonly apiVersion?: number;
  readonly clientID?: string;
  readonly topic?: string;
  readonly text: string;
}

export type L7Rules =
  | { readonly kind: 'http'; readonly rules: readonly HttpRule[] }
  | { readonly kind: 'dns'; readonly rules: readonly DnsRule[] }
  | { readonly kind: 'kafka'; readonly rules: readonly KafkaRule[] }
  | { readonly kind: 'l7proto'; readonly proto: string };

/** One (protocol, port range) a rule element covers, with the L7 rules of its port rule. */
export interface PortEntry {
  readonly protocol: L4Protocol;
  /** A port number (0 = every port), or a named port resolved against pods at verdict time. */
  readonly port: number | string;
  /** Last port of the range (equal to `port` for a single port). */
  readonly endPort: number;
  readonly l7?: L7Rules;
  /** TLS SNI restriction (`serverNames`), lower-cased. */
  readonly serverNames?: readonly string[];
  readonly path: FieldPath;
  /** As written, e.g. `80/TCP`, `8000-8080/ANY`, `ICMP type 8`. */
  readonly text: string;
}

/** `all`: no toPorts and no icmps, so every protocol and port, ICMP included (L3-only). */
export type PortSet = { readonly kind: 'all' } | { readonly kind: 'ports'; readonly ports: readonly PortEntry[] };

/** One element of ingress/egress/ingressDeny/egressDeny (or one translated KNP peer). */
export interface PolicyEntry {
  readonly origin: RuleOrigin;
  readonly deny: boolean;
  readonly peers: PeerSet;
  /** `fromRequires`/`toRequires` selectors of this element. */
  readonly requires: readonly EndpointSelector[];
  readonly ports: PortSet;
  /** `authentication.mode` as written; `disabled` is explicit and so overrides an inherited requirement (semantics.md §1.12). */
  readonly authentication?: AuthMode;
}

/** Mutual authentication modes (`pkg/policy/api/rule.go: Authentication`). */
export type AuthMode = 'disabled' | 'required' | 'test-always-fail';

export interface DirectionRules {
  /** `enableDefaultDeny.<dir>` (default true when the section exists). */
  readonly defaultDeny: boolean;
  readonly entries: readonly PolicyEntry[];
}

export interface NormalizedRule {
  readonly origin: RuleOrigin;
  /** Pods (`endpointSelector`) or nodes (`nodeSelector`, host policy). */
  readonly subject: { readonly kind: 'endpoints' | 'nodes'; readonly selector: EndpointSelector };
  /** Namespace of a CNP or KNP (its rules apply only there); undefined for CCNP. */
  readonly namespace: string | undefined;
  /** Undefined when the rule has no section for that direction. */
  readonly ingress: DirectionRules | undefined;
  readonly egress: DirectionRules | undefined;
}
