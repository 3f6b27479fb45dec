/**
 * @module engine/side
 *
 * The decision of one side of a connection (egress at the source or ingress
 * at the destination), as the datapath takes it (`bpf/lib/policy.h`;
 * semantics.md §4.5): a covering deny wins; else the best covering allow,
 * ranked by L7 redirect, then port specificity, then identity-specific over
 * wildcard; none at all is the default deny. Then, for a redirect, what the
 * proxy decides about the request (§5.4).
 */
import { Reserved, type IdentityId } from '../identity/reserved.js';
import { formatPath } from '../manifest/object.js';
import type { L4Protocol, PortEntry } from '../policy/rule.js';
import { entriesFor, type CompiledDirection, type CompiledEntry } from './compile.js';
import { matchingL7Rule } from './l7.js';
import { coveringPrefixLength, portEntryCovers, type NamedPortResolver } from './ports.js';
import type { HttpRequest, KafkaRequest, L7Result, MatchType, NearMiss, RuleMatch, SideResult } from './types.js';

export interface SideQuery {
  readonly endpoint: string;
  readonly identity: IdentityId;
  readonly peer: IdentityId;
  readonly peerText: string;
  readonly protocol: L4Protocol;
  /** Port, or ICMP type. */
  readonly port: number;
  readonly resolveName: NamedPortResolver;
  readonly request: { readonly http?: HttpRequest; readonly dns?: string; readonly kafka?: KafkaRequest };
  readonly defaultHost: string;
}

interface Hit {
  readonly c: CompiledEntry;
  /** The port entry that covered, undefined for L3-only entries. */
  readonly port: PortEntry | undefined;
  /** 0 for L3-only, 8 + port prefix bits otherwise. */
  readonly specificity: number;
}

/** Whether an entry covers the protocol and port, and how specifically. */
function covers(c: CompiledEntry, q: SideQuery): Hit | undefined {
  if (c.ports === 'all') return { c, port: undefined, specificity: 0 };
  let best: Hit | undefined;
  for (const p of c.ports) {
    const s = portEntryCovers(p, q.protocol, q.port, q.resolveName);
    if (s !== undefined && (!best || s > best.specificity || (s === best.specificity && p.l7 && !best.port?.l7))) best = { c, port: p, specificity: s };
  }
  return best;
}

const redirects = (h: Hit) => h.port?.l7 !== undefined;

/**
 * Decides one side. With `detail` false (bulk verdicts: matrices,
 * benchmarks) the explanation parts (`decidedBy`, `nearMisses`) stay empty,
 * so no source positions are computed.
 */
export function decideSide(d: CompiledDirection, q: SideQuery, detail = true): { side: SideResult; l7?: L7Result } {
  const enforcedBy: RuleMatch[] = detail
    ? d.rules.map((r) => ({ policy: r.origin.policy, path: formatPath([...r.origin.path, d.direction]), location: r.origin.object.locate([...r.origin.path, d.direction], 'key'), deny: false, peer: '', ports: '' }))
    : [];
  const base = { direction: d.direction, endpoint: q.endpoint, identity: q.identity, peerIdentity: q.peer, enforcedBy };
  if (!d.enforced) {
    return {
      side: {
        ...base, enforced: false, verdict: 'allow', matchType: 'all', redirect: false, nearMisses: [],
        decidedBy: [{ deny: false, peer: 'any peer', ports: 'all ports', synthetic: 'not-enforced' }],
      },
    };
  }
  const hits: Hit[] = [];
  for (const c of entriesFor(d, q.peer)) {
    const h = covers(c, q);
    if (h) hits.push(h);
  }
  const deny = hits.find((h) => h.c.deny);
  if (deny) {
    return { side: { ...base, enforced: true, verdict: 'deny', matchType: matchType(deny), dropReason: 'POLICY_DENY', decidedBy: detail ? [ruleMatch(deny.c, deny.port, q)] : [], nearMisses: [], redirect: false } };
  }
  const allows = hits.filter((h) => !h.c.deny);
  if (allows.length === 0) {
    return { side: { ...base, enforced: true, verdict: 'deny', matchType: 'none', dropReason: 'POLICY_DENIED', decidedBy: [], nearMisses: detail ? nearMisses(d, q) : [], redirect: false } };
  }
  allows.sort((a, b) => rank(b) - rank(a));
  const best = allows[0]!;
  const auth = best.c.entry?.authentication;
  const decidedBy = detail ? allows.flatMap((h) => (h.c.merged.length > 1 ? h.c.merged.map((e) => ruleMatch({ ...h.c, entry: e }, h.port, q)) : [ruleMatch(h.c, h.port, q)])) : [];
  if (auth) {
    return { side: { ...base, enforced: true, verdict: 'deny', matchType: matchType(best), dropReason: 'AUTH_REQUIRED', decidedBy, nearMisses: [], redirect: false } };
  }
  const side: SideResult = { ...base, enforced: true, verdict: 'allow', matchType: matchType(best), decidedBy, nearMisses: [], redirect: redirects(best) };
  if (!redirects(best)) return { side };
  return { side, ...l7Decision(d, allows, q) };
}

/** Precedence: an L7 redirect, then the more specific port, then identity-specific (§4.5 rules 2–4). */
function rank(h: Hit): number {
  return (redirects(h) ? 1000 : 0) + h.specificity * 2 + (h.c.anyPeer ? 0 : 1);
}

function matchType(h: Hit): MatchType {
  const l3 = !h.c.anyPeer;
  if (h.specificity === 0) return l3 ? 'L3-Only' : 'all';
  if (h.specificity === 8) return l3 ? 'L3-Proto' : 'Proto-Only';
  return l3 ? 'L3-L4' : 'L4-Only';
}

function l7Decision(d: CompiledDirection, allows: readonly Hit[], q: SideQuery): { l7?: L7Result } {
  const kind = allows.find(redirects)!.port!.l7!.kind;
  const protocol = kind === 'dns' ? 'dns' : kind === 'kafka' ? 'kafka' : 'http';
  const req = q.request;
  const asked = protocol === 'http' ? req.http !== undefined : protocol === 'dns' ? req.dns !== undefined : req.kafka !== undefined;
  if (!asked) return {};
  const base = { protocol, direction: d.direction } as const;
  // Every covering allow entry contributes: one without L7 rules allows every request (§5.4).
  for (const h of allows) {
    const rm = ruleMatch(h.c, h.port, q);
    if (!h.port?.l7 || h.c.l7VisibilityOnly) return { l7: { ...base, allowed: true, decidedBy: [rm], detail: h.port?.l7 ? 'L7 rules only give visibility: the direction is not default-deny' : 'a rule for this peer and port has no L7 rules, so every request is allowed' } };
    if (d.direction === 'ingress' && q.peer === Reserved.host) return { l7: { ...base, allowed: true, decidedBy: [rm], detail: 'requests from the local host are always allowed at L7 (allow-localhost)' } };
    const m = matchingL7Rule(h.port.l7, req, q.defaultHost);
    if (m) return { l7: { ...base, allowed: true, decidedBy: [rm], detail: `matches ${m.text}` } };
  }
  const rules = allows.filter(redirects).map((h) => ruleMatch(h.c, h.port, q));
  const what = protocol === 'http' ? `${req.http!.method} ${req.http!.path}` : protocol === 'dns' ? `query ${req.dns}` : `Kafka ${req.kafka!.apiKey}`;
  return {
    l7: {
      ...base, allowed: false, decidedBy: rules,
      response: protocol === 'http' ? '403 Access denied' : protocol === 'dns' ? 'REFUSED' : 'Kafka error (topic authorization failed)',
      detail: `${what} matches none of the ${protocol.toUpperCase()} rules`,
    },
  };
}

/** A compiled entry as the user wrote it. */
function ruleMatch(c: CompiledEntry, port: PortEntry | undefined, q: SideQuery): RuleMatch {
  if (c.synthetic === 'allow-localhost') return { deny: false, peer: 'host (kubelet and node-local traffic)', ports: 'all ports', synthetic: 'allow-localhost' };
  if (c.synthetic === 'default-allow') return { deny: false, peer: 'any peer', ports: 'all ports', synthetic: 'default-allow' };
  const e = c.entry!;
  const peer = e.peers.kind === 'all'
    ? 'any peer'
    : e.peers.selectors.filter((s) => c.anyPeer || c.peers.has(q.peer)).map((s) => s.text).join(' | ') || e.peers.selectors.map((s) => s.text).join(' | ');
  return {
    policy: e.origin.policy, path: formatPath(e.origin.path), location: e.origin.object.locate(e.origin.path), deny: e.deny, peer,
    ports: port ? `${port.text}${port.l7 ? ` with ${port.l7.kind.toUpperCase()} rules` : ''}` : 'all ports',
  };
}

/**
 * Rules whose peer matched but not the port, or the other way round (at
 * most 5); when there are none, the rules of the direction as they stand,
 * so a default deny is never explained by nothing.
 */
function nearMisses(d: CompiledDirection, q: SideQuery): NearMiss[] {
  const near: NearMiss[] = [];
  const far: NearMiss[] = [];
  const what = q.protocol === 'ICMP' || q.protocol === 'ICMPv6' ? `${q.protocol} type ${q.port}` : `port ${q.port}/${q.protocol}`;
  for (const c of d.all) {
    if (c.deny || !c.entry) continue;
    const peerOk = c.anyPeer || c.peers.has(q.peer);
    const portOk = covers(c, q) !== undefined;
    const rm = ruleMatch(c, undefined, q);
    const wanted = c.ports === 'all' ? 'all ports' : [...new Set(c.ports.map((p) => p.text))].join(', ');
    if (peerOk && !portOk) {
      const sameProto = c.ports !== 'all' && c.ports.some((p) => p.protocol === q.protocol);
      near.push({ rule: { ...rm, ports: wanted }, mismatch: sameProto ? 'port' : 'protocol', detail: `${what} is not among its ports (${wanted})` });
    } else if (!peerOk && portOk) {
      near.push({ rule: rm, mismatch: 'peer', detail: `peer ${q.peerText} is not selected by ${rm.peer}` });
    } else if (!peerOk) {
      far.push({ rule: { ...rm, ports: wanted }, mismatch: 'peer', detail: `neither peer nor port match: it allows ${rm.peer} on ${wanted}` });
    }
  }
  return (near.length ? near : far).slice(0, 5);
}

/**
 * The L3/L4 decision only, with no allocation: true when allowed. Same rules
 * as {@link decideSide} (deny first, then the best allow, whose
 * authentication requirement drops); named ports are not resolved (they need
 * a pod), so entries with names are skipped. Used for bulk verdicts.
 */
export function allowsFast(d: CompiledDirection, peer: IdentityId, protocol: L4Protocol, port: number): boolean {
  if (!d.enforced) return true;
  let bestRank = -1;
  let bestAuth = false;
  const list = d.all;
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!;
    if (!c.anyPeer && !c.peers.has(peer)) continue;
    const r = rankFast(c, protocol, port);
    if (r < 0) continue;
    if (c.deny) return false;
    if (r > bestRank) {
      bestRank = r;
      bestAuth = c.entry?.authentication !== undefined;
    }
  }
  return bestRank >= 0 && !bestAuth;
}

/** Like {@link rank} for a covering entry, or -1 when it does not cover. */
function rankFast(c: CompiledEntry, protocol: L4Protocol, port: number): number {
  const peerBit = c.anyPeer ? 0 : 1;
  if (c.ports === 'all') return peerBit;
  let best = -1;
  const ports = c.ports;
  for (let i = 0; i < ports.length; i++) {
    const p = ports[i]!;
    if (p.protocol !== protocol || typeof p.port !== 'number' || port < p.port || port > p.endPort) continue;
    const spec = p.port === 0 && p.endPort === 65535 ? 8 : 8 + coveringPrefixLength(p.port, p.endPort, port);
    const r = (p.l7 ? 1000 : 0) + spec * 2 + peerBit;
    if (r > best) best = r;
  }
  return best;
}
