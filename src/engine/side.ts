/**
 * @module engine/side
 *
 * The decision of one side of a connection (egress at the source or ingress
 * at the destination), as the datapath takes it (`bpf/lib/policy.h`;
 * semantics.md §4.5): a covering deny wins; else the best covering allow,
 * ranked by {@link rank} (L7 redirect, then port specificity, then
 * identity-specific over wildcard); none at all is the default deny. Then,
 * for a redirect, what the proxy decides about the request (§5.4).
 *
 * This is the one decider: `verdict` and `explain` both call
 * {@link decideSide}; explanations only add the details around its answer.
 * It allocates nothing once warm: outcomes are shared objects, built by an
 * entry the first time it decides.
 */
import { isHostIdentity, type IdentityId } from '../identity/reserved.js';
import type { L4Protocol } from '../policy/rule.js';
import type { CompiledDirection, CompiledEntry, CompiledPort, SideOutcome } from './compile.js';
import { matchingL7Rule, serverNameMatches } from './l7.js';
import { coveringPrefixLength } from './ports.js';
import { DecidedTable } from './decided.js';
import type { HttpRequest, KafkaRequest } from './types.js';

/** Named ports of the pods a side resolves names against: `name/PROTOCOL` → port number. */
export type NamedPorts = ReadonlyMap<string, number>;

/** What is asked of one side. */
export interface SideAsk {
  readonly peer: IdentityId;
  readonly protocol: L4Protocol;
  /** Port, or ICMP type. */
  readonly port: number;
  readonly names: NamedPorts | undefined;
}

/**
 * How specifically a port entry covers (protocol, port): 8 (protocol) + the
 * bits of the port prefix, 8 for every port of the protocol; -1 when it
 * does not cover. A named port covers only once resolved (semantics.md §4.4).
 */
export function portSpecificity(p: CompiledPort, protocol: L4Protocol, port: number, names: NamedPorts | undefined): number {
  if (p.protocol !== protocol) return -1;
  let from = p.port;
  let to = p.endPort;
  if (p.namedKey !== undefined) {
    const n = names?.get(p.namedKey);
    if (n === undefined) return -1; // an unresolvable name allows nothing
    from = n;
    to = Math.max(n, p.endPort);
  }
  if (from === 0 && to === 65535) return 8;
  if (port < from || port > to) return -1;
  return 8 + coveringPrefixLength(from, to, port);
}

/** A protocol as a small number, for cache keys (protocol * 65536 + port). */
export const PROTOCOL_INDEX: Readonly<Record<L4Protocol, number>> = { TCP: 0, UDP: 1, SCTP: 2, ICMP: 3, ICMPv6: 4 };
/**
 * {@link decideSide}, remembered: the same (peer, protocol, port) against
 * the same named ports is one table lookup the second time.
 */
export function decideSideMemo(d: CompiledDirection, peer: IdentityId, protocol: L4Protocol, port: number, names: NamedPorts | undefined): SideOutcome {
  if (!d.enforced) return d.open;
  // Only named ports make the answer depend on the table of names.
  const table = d.hasNamedPorts ? names : undefined;
  let decided = d.decided.get(table);
  if (!decided) d.decided.set(table, (decided = new DecidedTable()));
  const key = PROTOCOL_INDEX[protocol] * 65536 + port;
  let o = decided.get(peer, key);
  if (o === undefined) {
    o = decideSide(d, peer, protocol, port, names);
    decided.set(peer, key, o);
  }
  return o;
}

/** Precedence among covering allows (§4.5 rules 2–4); higher wins. */
export function rank(specificity: number, redirect: boolean, anyPeer: boolean): number {
  return (redirect ? 1000 : 0) + specificity * 2 + (anyPeer ? 0 : 1);
}

/** Index (for `c.outcome`) of the best covering port of `c` and its rank, packed as rank * 1024 + index; -1 when `c` does not cover. */
export function coverage(c: CompiledEntry, protocol: L4Protocol, port: number, names: NamedPorts | undefined): number {
  if (c.ports === 'all') return rank(0, false, c.anyPeer) * 1024;
  let best = -1;
  const ports = c.ports;
  for (let i = 0; i < ports.length; i++) {
    const p = ports[i]!;
    const s = portSpecificity(p, protocol, port, names);
    if (s < 0) continue;
    const r = rank(s, p.redirect, c.anyPeer) * 1024 + i + 1;
    if (r > best) best = r;
  }
  return best;
}

/** Whether the entry names the peer (or any peer). */
export function selectsPeer(c: CompiledEntry, peer: IdentityId): boolean {
  return c.anyPeer || c.peers.has(peer);
}

/**
 * The side's decision (positional arguments: the verdict path calls this
 * millions of times a second). Like the datapath (`bpf/lib/policy.h:
 * __policy_can_access`), it finds the best entry naming the peer (the "L3"
 * lookup) and the best wildcard entry (the "L4" lookup); a covering deny
 * wins outright, else the higher {@link rank} decides, and then
 * {@link authRequired} says whether mutual authentication holds it back.
 */
export function decideSide(d: CompiledDirection, peer: IdentityId, protocol: L4Protocol, port: number, names: NamedPorts | undefined): SideOutcome {
  if (!d.enforced) return d.open;
  let l3: CompiledEntry | undefined;
  let l3Cov = -1;
  let l4: CompiledEntry | undefined;
  let l4Cov = -1;
  const list = d.all;
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!;
    if (!c.anyPeer && !c.peers.has(peer)) continue;
    const cov = coverage(c, protocol, port, names);
    if (cov < 0) continue;
    // Denies come first in `all`: the first covering one decides.
    if (c.deny) return c.outcome(cov % 1024);
    if (c.anyPeer) {
      if (cov > l4Cov) {
        l4Cov = cov;
        l4 = c;
      }
    } else if (cov > l3Cov) {
      l3Cov = cov;
      l3 = c;
    }
  }
  // Ranks never tie across the two lookups: identity-specific adds one.
  const chosenIsL3 = l3Cov > l4Cov;
  const chosen = chosenIsL3 ? l3 : l4;
  if (!chosen) return d.defaultDenied;
  const idx = (chosenIsL3 ? l3Cov : l4Cov) % 1024;
  if (d.hasAuth && authRequired(d, peer, protocol, port, names, chosenIsL3 ? l3Cov : l4Cov, chosenIsL3 ? l4Cov : l3Cov, chosenIsL3)) return chosen.authOutcome(idx);
  return chosen.outcome(idx);
}

/** The numeric auth type of a mode (`pkg/policy/types/auth.go`): disabled 0, spire 1, always-fail 2. */
function authType(mode: CompiledEntry['authentication']): number {
  return mode === 'required' ? 1 : mode === 'test-always-fail' ? 2 : 0;
}

/** Port specificity of a coverage value (rank without redirect and peer bits). */
const specOf = (cov: number) => ((Math.floor(cov / 1024) % 1000) >> 1);

/**
 * The auth type the map entry of one lookup holds (`pkg/policy/mapstate.go:
 * authPreferredInsert`, `types/entry.go: Merge`): elements landing on the
 * same key merge, an explicit mode beating none and the higher type winning;
 * an entry with no explicit mode inherits ("derived") the type of the most
 * specific broader key of the same identity that has one.
 */
function lookupAuth(d: CompiledDirection, peer: IdentityId, protocol: L4Protocol, port: number, names: NamedPorts | undefined, l3: boolean, spec: number): { explicit: boolean; type: number } {
  let explicit = false;
  let type = 0;
  let derivedSpec = -1;
  let derived = 0;
  for (const c of d.all) {
    if (c.deny || c.authentication === undefined || c.anyPeer === l3 || (l3 && !c.peers.has(peer))) continue;
    const cov = coverage(c, protocol, port, names);
    if (cov < 0) continue;
    const s = specOf(cov);
    const t = authType(c.authentication);
    if (s === spec) {
      explicit = true;
      type = Math.max(type, t);
    } else if (s < spec && s > derivedSpec) {
      derivedSpec = s;
      derived = t;
    }
  }
  return explicit ? { explicit, type } : { explicit: false, type: derived };
}

/**
 * Whether the chosen entry requires mutual authentication
 * (`bpf/lib/policy.h: __policy_check`): its own type if explicit, else the
 * higher of its own (derived) type and that of the other lookup's entry.
 */
function authRequired(
  d: CompiledDirection, peer: IdentityId, protocol: L4Protocol, port: number, names: NamedPorts | undefined,
  chosenCov: number, otherCov: number, chosenIsL3: boolean,
): boolean {
  const own = lookupAuth(d, peer, protocol, port, names, chosenIsL3, specOf(chosenCov));
  if (own.explicit) return own.type > 0;
  const other = otherCov < 0 ? 0 : lookupAuth(d, peer, protocol, port, names, !chosenIsL3, specOf(otherCov)).type;
  return Math.max(own.type, other) > 0;
}

/** An L7 request, as the proxies see it. */
export interface L7Request {
  readonly http?: HttpRequest;
  /** Lower-case, with the trailing dot. */
  readonly dns?: string;
  readonly kafka?: KafkaRequest;
  /** The TLS server name (SNI) of the handshake, lower-case. */
  readonly sni?: string;
}

/** What the proxy decided; `entry` is the allow that let the request through, or undefined when it was refused. */
export interface L7Outcome {
  /** `tls` when the TLS SNI filter alone decided (no rule of the proxy's kind was judged). */
  readonly protocol: 'http' | 'dns' | 'kafka' | 'tls';
  readonly allowed: boolean;
  readonly direction: SideOutcome['direction'];
  readonly entry?: CompiledEntry;
  readonly port?: CompiledPort;
  /** Why: the matching rule's text, or the reason every request passes. */
  readonly why: 'no-l7-rules' | 'visibility-only' | 'host' | 'rule' | 'no-match' | 'sni';
  readonly ruleText?: string;
}

/** The proxy kind a port's L7 rules call for; `tls` for a port with a TLS SNI filter only. */
export function proxyKind(port: { readonly l7: CompiledPort['l7'] }): L7Outcome['protocol'] {
  const kind = port.l7?.kind;
  return kind === 'dns' ? 'dns' : kind === 'kafka' ? 'kafka' : kind ? 'http' : 'tls';
}

/** The request carries something the proxy of `protocol` judges. */
export function carries(request: L7Request, protocol: L7Outcome['protocol']): boolean {
  return protocol === 'http' ? request.http !== undefined : protocol === 'dns' ? request.dns !== undefined : protocol === 'kafka' ? request.kafka !== undefined : false;
}

/** Whether a port's SNI filter lets the handshake through: true without a filter or without a known SNI. */
export function sniPasses(serverNames: readonly string[] | undefined, sni: string | undefined): boolean {
  return !serverNames || sni === undefined || serverNames.some((n) => serverNameMatches(n, sni));
}

/**
 * The proxy's decision for a redirected side (§5.4, §5.9): allowed when any
 * covering allow entry whose TLS SNI filter (if any) admits the handshake
 * has no L7 rules of its own (an implicit allow-all), gives visibility
 * only, or has a matching rule. Undefined when the side does not redirect
 * or the query carries nothing the proxy judges (no request of its kind,
 * no SNI).
 */
export function decideL7(d: CompiledDirection, side: SideOutcome, ask: SideAsk, request: L7Request, defaultHost: string): L7Outcome | undefined {
  if (!side.redirect || side.verdict !== 'allow') return undefined;
  const protocol = proxyKind(side.port!);
  const judged = carries(request, protocol);
  if (!judged && request.sni === undefined) return undefined;
  const base = { protocol, direction: d.direction } as const;
  let sniRefused = false;
  let sniPassed = false;
  // Every covering port of every covering allow counts, not only the winning one (§5.4 items 1 and 3).
  for (const c of d.all) {
    if (c.deny || !selectsPeer(c, ask.peer)) continue;
    if (c.ports === 'all') return { ...base, entry: c, allowed: true, why: 'no-l7-rules' };
    for (const port of c.ports) {
      if (portSpecificity(port, ask.protocol, ask.port, ask.names) < 0) continue;
      const at = { entry: c, port };
      // Envoy's TLS inspector reads the SNI before any L7 rule is looked at (PortRule.ServerNames).
      if (!sniPasses(port.serverNames, request.sni)) {
        sniRefused = true;
        continue;
      }
      sniPassed = true;
      if (!port.l7) return { ...base, ...at, allowed: true, why: port.serverNames ? 'sni' : 'no-l7-rules', ...(port.serverNames ? { ruleText: serverNamesText(port.serverNames) } : {}) };
      if (c.l7VisibilityOnly) return { ...base, ...at, allowed: true, why: 'visibility-only' };
      if (d.direction === 'ingress' && isHostIdentity(ask.peer)) return { ...base, ...at, allowed: true, why: 'host' };
      // Only the SNI is known: it passed, and the request itself is not asked about.
      if (!judged) return { ...base, ...at, allowed: true, why: 'sni', ruleText: serverNamesText(port.serverNames ?? []) };
      const m = matchingL7Rule(port.l7, request, defaultHost);
      if (m) return { ...base, ...at, allowed: true, why: 'rule', ruleText: m.text };
    }
  }
  if (!judged && !sniRefused) return undefined;
  return { ...base, ...(sniRefused && !sniPassed ? { protocol: 'tls' } : {}), allowed: false, why: 'no-match' };
}

/** `serverNames: [a, b]`, as an explanation cites the filter. */
export function serverNamesText(names: readonly string[]): string {
  return `serverNames: [${names.join(', ')}]`;
}
