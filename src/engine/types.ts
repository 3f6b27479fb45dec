/**
 * @module engine/types
 *
 * The engine's question and answer: a connection (from, to, protocol, port,
 * optional L7 request) and the verdict Cilium would give it, with the chain
 * of rules that decided each side. Everything that needs a verdict (explain,
 * connectivity tests, the simulator, analysis, the editor) asks the engine
 * with a {@link ConnectionQuery} and reads a {@link Verdict}.
 */
import type { SourceLocation } from '../diagnostics/diagnostic.js';
import type { Pod, Service } from '../model/types.js';
import type { Direction, L4Protocol } from '../policy/rule.js';
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
export interface RuleMatch {
  /** Undefined for rules Cilium adds itself (see `synthetic`). */
  readonly policy?: PolicyRef;
  /** Field path of the rule element, e.g. `spec.ingress[1]`. */
  readonly path?: string;
  readonly location?: SourceLocation;
  readonly deny: boolean;
  /** The peer part that matched, as written (`fromEndpoints: tier=backend`, `toEntities: world`, `any peer`). */
  readonly peer: string;
  /** The port part that matched (`80/TCP`, `all ports`). */
  readonly ports: string;
  /** Entries Cilium installs on its own. */
  readonly synthetic?: 'allow-localhost' | 'default-allow' | 'not-enforced';
}

/** A rule that would have matched but for one field: the "why not" of a deny. */
export interface NearMiss {
  readonly rule: RuleMatch;
  readonly mismatch: 'peer' | 'port' | 'protocol';
  /** e.g. `peer 203.0.113.5 (world) is not selected by fromEndpoints: tier=frontend`. */
  readonly detail: string;
}

/** The decision of one side: egress at the source, or ingress at the destination. */
export interface SideResult {
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
  readonly decidedBy: readonly RuleMatch[];
  /** For a default deny: the rules that came closest. */
  readonly nearMisses: readonly NearMiss[];
  /** The rules that select this endpoint for this direction (and so turn enforcement on). */
  readonly enforcedBy: readonly RuleMatch[];
  /** True when the winning entry sends the connection to the L7 proxy. */
  readonly redirect: boolean;
}

export interface L7Result {
  readonly protocol: 'http' | 'dns' | 'kafka';
  readonly allowed: boolean;
  /** What the client sees when denied: `403 Access denied`, `REFUSED`. */
  readonly response?: string;
  readonly decidedBy: readonly RuleMatch[];
  readonly detail: string;
  /** The side (and so the proxy) that judged the request. */
  readonly direction: Direction;
}

export interface Verdict {
  readonly verdict: 'allow' | 'deny';
  /** One line: the deciding policy, or the default deny, e.g. `denied by default at ingress of default/db-… (no rule of CiliumNetworkPolicy default/database-policy allows it)`. */
  readonly reason: string;
  /** Where the connection really went after service translation. */
  readonly destination: { readonly endpoint: string; readonly ip: string; readonly port?: number };
  readonly source: { readonly endpoint: string; readonly ip: string };
  readonly protocol: L4Protocol;
  readonly egress?: SideResult;
  readonly ingress?: SideResult;
  readonly l7?: L7Result;
}

/** Settings of the evaluated cluster, each with its Cilium default. */
export interface EngineOptions {
  /** `enable-policy`: default. */
  readonly policyEnforcement?: 'default' | 'always' | 'never';
  /** `enable-host-firewall`: false, so host policies are accepted but not enforced. */
  readonly hostFirewall?: boolean;
  /** DNS answers for names outside the cluster: name → addresses. */
  readonly dns?: Readonly<Record<string, readonly string[]>>;
}

/** What a connection query could not resolve (an input error, never a silent deny). */
export class QueryError extends Error {}

export interface Engine {
  evaluate(query: ConnectionQuery): Verdict;
  /** Hubble's name for an identity (`world`, `ID:256`); engines that know none may leave it out. */
  identityName?(identity: number): string;
}
