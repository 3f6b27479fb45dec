/**
 * @module engine/types
 *
 * The engine's question and answer: a connection (from, to, protocol, port,
 * optional L7 request) and the verdict Cilium would give it, with the chain
 * of rules that decided each side. Everything that needs a verdict (explain,
 * connectivity tests, the simulator, analysis, the editor) asks the engine
 * with a {@link ConnectionQuery} and reads a {@link Verdict}.
 */
import type { SourceLine, SourceLocation } from '../diagnostics/diagnostic.js';
import type { Pod, Service } from '../model/types.js';
import type { EndpointSelector } from '../identity/selector.js';
import type { PortClass } from './classes.js';
import type { Direction, L4Protocol, NormalizedRule } from '../policy/rule.js';
import type { PolicyRef } from '../policy/types.js';

/** One end of a connection. */
export type Peer =
  | { readonly kind: 'pod'; readonly pod: Pod }
  /** Any address: an external host, a node, a pod IP (the engine finds out which). */
  | { readonly kind: 'ip'; readonly ip: string }
  /** An external name and one address it resolves to (the scenario's DNS answer). */
  | { readonly kind: 'fqdn'; readonly name: string; readonly ip: string };

/** A destination that is a Service: the engine translates it to a backend first, as Cilium does. */
export interface ServiceTarget {
  readonly kind: 'service';
  readonly service: Service;
}

export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  /** The Host / :authority header; defaults to the destination's name. */
  readonly host?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface KafkaRequest {
  readonly apiKey: string;
  readonly apiVersion?: number;
  readonly clientID?: string;
  readonly topics?: readonly string[];
}

/** What is sent, apart from the two ends: shared by queries and the test cases that make them. */
export interface TrafficSpec {
  /** Default TCP. */
  readonly protocol?: L4Protocol;
  /** Destination port for TCP/UDP/SCTP (for a service: the service port). */
  readonly port?: number;
  /** ICMP type for ICMP/ICMPv6 (echo request when omitted). */
  readonly icmpType?: number;
  readonly http?: HttpRequest;
  /** A DNS query for this name (to port 53 of a DNS server). */
  readonly dns?: string;
  readonly kafka?: KafkaRequest;
  /** A TLS handshake naming this server (SNI): judged where a port rule has `serverNames`. */
  readonly tls?: { readonly serverName: string };
}

export interface ConnectionQuery extends TrafficSpec {
  readonly from: Peer;
  readonly to: Peer | ServiceTarget;
}

/** Hubble's policy match types (`policy_match_type`). */
export type MatchType = 'none' | 'L3-Only' | 'L3-L4' | 'L4-Only' | 'all' | 'L3-Proto' | 'Proto-Only';

/** Why a packet was dropped, with Hubble's drop reason names. */
export type DropReason = 'POLICY_DENIED' | 'POLICY_DENY' | 'AUTH_REQUIRED';

/** A rule element that took part in a decision, located in the user's files. */
export interface RuleMatch<L extends SourceLine = SourceLocation> {
  /** Undefined for rules Cilium adds itself (see `synthetic`). */
  readonly policy?: PolicyRef;
  /** Field path of the rule element, e.g. `spec.ingress[1]`. */
  readonly path?: string;
  readonly location?: L;
  readonly deny: boolean;
  /** The peer part that matched, as written (`fromEndpoints: tier=backend`, `toEntities: world`, `any peer`). */
  readonly peer: string;
  /** The port part that matched (`80/TCP`, `all ports`). */
  readonly ports: string;
  /** Entries Cilium installs on its own. */
  readonly synthetic?: 'allow-localhost' | 'default-allow' | 'not-enforced';
}

/** How many rules an explanation lists in each of its lists before it only counts the rest. */
export const CITED = 10;

/** A rule that would have matched but for one field: the "why not" of a deny. */
export interface NearMiss<L extends SourceLine = SourceLocation> {
  readonly rule: RuleMatch<L>;
  readonly mismatch: 'peer' | 'port' | 'protocol';
  /** e.g. `peer 203.0.113.5 (world) is not selected by fromEndpoints: tier=frontend`. */
  readonly detail: string;
}

/** The decision of one side: egress at the source, or ingress at the destination. */
export interface SideResult<L extends SourceLine = SourceLocation> {
  readonly direction: Direction;
  /** The endpoint enforcing this side, e.g. `default/backend-7d4b9c8f6-x2kqz`. */
  readonly endpoint: string;
  readonly identity: number;
  readonly peerIdentity: number;
  /** False when no rule selects the endpoint in this direction (then everything is allowed). */
  readonly enforced: boolean;
  readonly verdict: 'allow' | 'deny';
  readonly matchType: MatchType;
  readonly dropReason?: DropReason;
  /** The deny entry, or the allow entries that matched (the winning one first). */
  readonly decidedBy: readonly RuleMatch<L>[];
  /** For a default deny: the rules that came closest. */
  readonly nearMisses: readonly NearMiss<L>[];
  /** The rules that select this endpoint for this direction (and so turn enforcement on), at most {@link CITED} of them. */
  readonly enforcedBy: readonly RuleMatch<L>[];
  /** How many more rules decided (allowed it too) or enforce, beyond those listed: a CCNP per team can make hundreds. */
  readonly omitted?: { readonly decidedBy: number; readonly enforcedBy: number };
  /** True when the winning entry sends the connection to the L7 proxy. */
  readonly redirect: boolean;
}

export interface L7Result<L extends SourceLine = SourceLocation> {
  /** `tls`: the TLS SNI filter (`serverNames`) decided. */
  readonly protocol: 'http' | 'dns' | 'kafka' | 'tls';
  readonly allowed: boolean;
  /** What the client sees when denied: `403 Access denied`, `REFUSED`. */
  readonly response?: string;
  readonly decidedBy: readonly RuleMatch<L>[];
  readonly detail: string;
  /** The side (and so the proxy) that judged the request. */
  readonly direction: Direction;
}

/** How a connection to a Service fared on each of its backends (Cilium picks one per connection). */
export interface BackendSummary {
  readonly total: number;
  readonly allowed: number;
  /** The backends that deny it (`ns/pod` or address). */
  readonly denied: readonly string[];
}

/**
 * The answer of `verdict`: allow or deny, where and why in one line. Built
 * from the compiled policy without source positions; equal questions get
 * the same (shared) object.
 */
export interface Verdict {
  readonly verdict: 'allow' | 'deny';
  /** The side that dropped the connection, or `l7` when the proxy refused the request. */
  readonly deniedAt?: Direction | 'l7';
  readonly dropReason?: DropReason;
  /** Hubble's match type of each side's policy verdict (absent where no endpoint enforces policy, or the side was not reached). */
  readonly egressMatch?: MatchType;
  readonly ingressMatch?: MatchType;
  /**
   * True when a side that allows sends the connection to a proxy (L7 rules,
   * or a TLS SNI filter: `pkg/policy/l4.go addPolicyForSelector`), which may
   * still refuse what is sent; absent otherwise.
   */
  readonly redirect?: true;
  /** True when a rule selects that side's endpoint in that direction (only then does its node emit policy-verdict events). */
  readonly egressEnforced?: true;
  readonly ingressEnforced?: true;
  /** True when that side's allow sends the connection to the L7 proxy (Hubble shows its policy verdict as REDIRECTED, then L7 events). */
  readonly egressRedirect?: true;
  readonly ingressRedirect?: true;
  /** One line naming the deciding rule by policy and field path, e.g. `denied at ingress: default deny, no rule of CiliumNetworkPolicy default/db allows it`. */
  readonly reason: string;
  /** For a Service: the verdict of every backend (the verdict is a deny if any backend denies). */
  readonly backends?: BackendSummary;
  /** Allowed at L4, but a proxy judges every request by these L7 rules (absent when no proxy filters). */
  readonly l7?: 'http' | 'dns' | 'kafka' | 'l7proto';
}

/** One backend of a Service in an explanation. */
export interface BackendVerdict {
  readonly endpoint: string;
  readonly ip: string;
  readonly port: number;
  readonly verdict: 'allow' | 'deny';
  readonly reason: string;
}

/** The answer of `explain`: the verdict with the chain of rules behind each side. */
/**
 * `L` is what a cited rule's position holds: a full {@link SourceLocation}
 * by default, only file and line when asked with `positions: 'lines'`.
 */
export interface Explanation<L extends SourceLine = SourceLocation> {
  readonly verdict: 'allow' | 'deny';
  /** The same line as {@link Verdict.reason}. */
  readonly reason: string;
  /** Where the connection really went after service translation. */
  readonly destination: { readonly endpoint: string; readonly ip: string; readonly port?: number };
  readonly source: { readonly endpoint: string; readonly ip: string };
  readonly protocol: L4Protocol;
  readonly egress?: SideResult<L>;
  readonly ingress?: SideResult<L>;
  readonly l7?: L7Result<L>;
  /** For a Service: every backend (the explanation above is of the first that denies, else the first). */
  readonly backends?: readonly BackendVerdict[];
}

/** Settings of the evaluated cluster, each with its Cilium default. */
export interface EngineOptions {
  /** `enable-policy`: default. */
  readonly policyEnforcement?: 'default' | 'always' | 'never';
  /** `enable-host-firewall`: false, so host policies are accepted but not enforced. */
  readonly hostFirewall?: boolean;
  /**
   * `policy-cidr-match-mode`: empty by default, so CIDR selectors never match
   * nodes; `nodes` makes them match node addresses too (the local host
   * included: `pkg/node/manager.go nodeIdentityLabels` gives it the CIDR
   * labels of its addresses).
   */
  readonly policyCidrMatchMode?: '' | 'nodes';
  /** DNS answers for names outside the cluster: name → addresses. */
  readonly dns?: ReadonlyMap<string, readonly string[]> | Readonly<Record<string, readonly string[]>>;
}

/** A question the engine cannot answer (an input error, never a silent deny). */
export interface QueryProblem {
  readonly problem: string;
  readonly hint?: string;
}

export function isProblem(x: object): x is QueryProblem {
  return 'problem' in x;
}

/** How `explain` cites rules. */
export interface ExplainOptions {
  readonly positions: 'lines';
}

export interface Engine {
  /** The verdict, from the compiled policy (no source positions, no explanation). */
  verdict(query: ConnectionQuery): Verdict | QueryProblem;
  /** The verdict with the rules that decided it, located in the files. */
  explain(query: ConnectionQuery): Explanation | QueryProblem;
  /** …cited by file and line only, which costs no parse of the files (`polis test`'s one-line reasons). */
  explain(query: ConnectionQuery, options: ExplainOptions): Explanation<SourceLine> | QueryProblem;
  /** Hubble's name for an identity (`world`, `ID:256`). */
  identityName(identity: number): string;
  /** Every security identity the engine allocated, ascending. */
  identities(): readonly IdentityInfo[];
}

/**
 * What whole-cluster analyses (lint, matrix, diff) ask beside verdicts: the
 * rules' shape and origins, and who a selector or a rule selects, so that
 * they never resolve selectors or enforcement on their own.
 */
export interface InspectableEngine extends Engine {
  /** The normalised rules in force (valid policies only), with their origins: what analyses read the shape of. */
  rules(): readonly NormalizedRule[];
  /** The Cilium-managed pods whose identity a selector selects. */
  podsSelectedBy(selector: EndpointSelector): readonly Pod[];
  /** The rules that turn policy enforcement on for a pod, per direction (empty: that direction is not enforced). */
  enforcementOf(pod: Pod): { readonly ingress: readonly NormalizedRule[]; readonly egress: readonly NormalizedRule[] };
  /** Ranges of ports no rule tells apart, per protocol (TCP, UDP, SCTP unless given). */
  portClasses(protocols?: readonly L4Protocol[]): readonly PortClass[];
  /** A class per pod: pods of one class get the same verdicts from and to everything. */
  endpointClasses(): ReadonlyMap<Pod, number>;
  /** Classes for connections with one end outside the cluster: by the pod's ingress (and named ports), or egress policy. */
  sideClasses(): { readonly ingress: ReadonlyMap<Pod, number>; readonly egress: ReadonlyMap<Pod, number> };
  /** `verdict` from one pod to another on each of these ports (for whole-cluster analyses: no query or cache per port). */
  podVerdicts(from: Pod, to: Pod, ports: readonly { readonly protocol: L4Protocol; readonly from: number }[]): Verdict[];
  /** `verdict` between a pod and an address or external name (`outgoing`: from the pod) on each of these ports. */
  addressVerdicts(pod: Pod, peer: Peer, outgoing: boolean, ports: readonly { readonly protocol: L4Protocol; readonly from: number }[]): (Verdict | QueryProblem)[];
  /** One address for the world and for each CIDR identity of the policies. */
  externalAddresses(): readonly { readonly name: string; readonly identity: number; readonly ip: string }[];
  /** toFQDNs selectors by their text. */
  fqdnSelectors(): ReadonlyMap<string, { readonly matchName?: string; readonly matchPattern?: string }>;
}

/** A security identity as users list it. */
export interface IdentityInfo {
  readonly id: number;
  /** Hubble's name: `world`, `host`, `ID:256`. */
  readonly name: string;
  /** `ns/pod` of the pods with this identity. */
  readonly pods: readonly string[];
  readonly labels: readonly string[];
}
