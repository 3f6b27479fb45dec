/**
 * @module engine/explain
 *
 * Explanations: the decision `verdict` takes, with the rules behind it. For
 * each side, the entry that decided (and the other allows that also
 * matched, winner first), the policies that turn enforcement on, and for a
 * default deny the rules that came closest ("why not"); for the proxy, the
 * L7 rule that matched or the rules nothing matched. The decision itself is
 * never re-taken here: it comes in as {@link LegDecision}s from the engine,
 * and this module only describes them, locating rules in the files.
 */
import { identityScope, publicIdentity, type IdentityId } from '../identity/reserved.js';
import { formatPath, type FieldPath, type ManifestObject } from '../manifest/object.js';
import type { SourceLine } from '../diagnostics/diagnostic.js';
import type { Direction, HttpRule, L4Protocol, PolicyEntry } from '../policy/rule.js';
import { defaultHost, httpRuleMatches } from './l7.js';
import type { CompiledDirection, CompiledEntry, CompiledPort } from './compile.js';
import type { LegDecision, SideDecision } from './engine.js';
import { l7Response, serviceVerdict } from './reason.js';
import { coverage, portSpecificity, selectsPeer, serverNamesText, type L7Outcome, type L7Request, type NamedPorts } from './side.js';
import { CITED, type BackendVerdict, type Explanation, type HttpRequest, type L7Result, type NearMiss, type RuleMatch, type SideResult, type Verdict } from './types.js';

/** What explaining needs of the engine. */
export interface ExplainContext<L extends SourceLine> {
  policyOf(identity: IdentityId, direction: Direction): CompiledDirection;
  identityName(identity: number): string;
  verdictOf(d: LegDecision): Verdict;
  /** Where a field of a policy is, as precisely as the caller asked. */
  cite(object: ManifestObject, path: FieldPath, at?: 'key' | 'value'): L;
}

/** The explanation of a query's legs (one, or one per backend of a Service). */
export function explainLegs<L extends SourceLine>(decisions: readonly LegDecision[], request: L7Request, service: boolean, ctx: ExplainContext<L>): Explanation<L> {
  const verdicts = decisions.map((d) => ctx.verdictOf(d));
  const shownIndex = Math.max(0, verdicts.findIndex((v) => v.verdict === 'deny'));
  const base = explainLeg(decisions[shownIndex]!, verdicts[shownIndex]!, request, ctx);
  if (!service) return base;
  const backends: BackendVerdict[] = decisions.map((d, i) => ({
    endpoint: d.leg.dst.text, ip: d.leg.dst.ip, port: d.leg.port, verdict: verdicts[i]!.verdict, reason: verdicts[i]!.reason,
  }));
  return { ...base, reason: serviceVerdict(verdicts, backends.map((b) => b.endpoint)).reason, backends };
}

/** What one side was asked, in the terms explanations need. */
interface Asked {
  readonly peer: IdentityId;
  readonly peerText: string;
  readonly protocol: L4Protocol;
  readonly port: number;
  readonly names: NamedPorts | undefined;
}

function explainLeg<L extends SourceLine>(d: LegDecision, v: Verdict, request: L7Request, ctx: ExplainContext<L>): Explanation<L> {
  const { src, dst, protocol, port } = d.leg;
  const icmp = protocol === 'ICMP' || protocol === 'ICMPv6';
  const out = {
    verdict: v.verdict, reason: v.reason, protocol,
    source: { endpoint: src.text, ip: src.ip },
    destination: { endpoint: dst.text, ip: dst.ip, ...(icmp ? {} : { port }) },
  };
  if (d.self) return out;
  const asked = (s: SideDecision, other: string): Asked => ({ peer: s.peer, peerText: `${other} (${ctx.identityName(s.peer)})`, protocol, port, names: s.names });
  const egress = d.egress && describeSide(d.egress, src.text, asked(d.egress, dst.text), ctx);
  const ingress = d.ingress && describeSide(d.ingress, dst.text, asked(d.ingress, src.text), ctx);
  const l7 = d.l7 && describeL7(d, d.l7, request, ctx);
  return { ...out, ...(egress ? { egress } : {}), ...(ingress ? { ingress } : {}), ...(l7 ? { l7 } : {}) };
}

function describeSide<L extends SourceLine>(s: SideDecision, endpoint: string, q: Asked, ctx: ExplainContext<L>): SideResult<L> {
  const o = s.outcome;
  const d = ctx.policyOf(s.identity, o.direction);
  // Locating a rule parses its document with positions: cite the first few, count the rest.
  const enforcedBy: RuleMatch<L>[] = d.rules.slice(0, CITED).map((r) => ({
    policy: r.origin.policy, path: formatPath([...r.origin.path, d.direction]), location: ctx.cite(r.origin.object, [...r.origin.path, d.direction], 'key'), deny: false, peer: '', ports: '',
  }));
  const base = {
    direction: d.direction, endpoint, identity: publicIdentity(s.identity), peerIdentity: publicIdentity(s.peer), enforcedBy, enforced: o.enforced, verdict: o.verdict,
    matchType: o.matchType, redirect: o.redirect, ...(o.dropReason ? { dropReason: o.dropReason } : {}),
  };
  const omitted = (decided: number) => (decided > 0 || d.rules.length > CITED ? { omitted: { decidedBy: decided, enforcedBy: Math.max(0, d.rules.length - CITED) } } : {});
  if (!o.enforced) return { ...base, decidedBy: [{ deny: false, peer: 'any peer', ports: 'all ports', synthetic: 'not-enforced' }], nearMisses: [] };
  if (o.dropReason === 'POLICY_DENY') return { ...base, ...omitted(0), decidedBy: [ruleMatch(ctx, o.entry!, o.port)], nearMisses: [] };
  if (o.dropReason === 'POLICY_DENIED') return { ...base, ...omitted(0), decidedBy: [], nearMisses: nearMisses(ctx, d, q) };
  // The winner first, then every other allow that covers the connection, by rank; merged entries stand for several elements.
  const others = d.all
    .filter((c) => !c.deny && c !== o.entry && selectsPeer(c, q.peer))
    .map((c) => ({ c, cov: coverage(c, q.protocol, q.port, q.names) }))
    .filter((h) => h.cov >= 0)
    .sort((a, b) => b.cov - a.cov)
    .map((h) => ({ c: h.c, port: h.c.ports === 'all' ? undefined : h.c.ports[(h.cov % 1024) - 1] }));
  const elements = [{ c: o.entry!, port: o.port }, ...others].flatMap((h) => (h.c.merged.length > 1 ? h.c.merged : [h.c.entry]).map((e) => ({ ...h, e })));
  const decidedBy = elements.slice(0, CITED).map((h) => ruleMatch(ctx, h.c, h.port, h.e));
  return { ...base, ...omitted(elements.length - decidedBy.length), decidedBy, nearMisses: [] };
}

const L7_DETAIL: Record<Exclude<L7Outcome['why'], 'rule' | 'no-match'>, string> = {
  'visibility-only': 'L7 rules only give visibility: the direction is not default-deny',
  host: 'requests from the local host are always allowed at L7 (allow-localhost)',
  'no-l7-rules': 'a rule for this peer and port has no L7 rules, so every request is allowed',
  sni: 'an SNI filter applies: the TLS server name is one its serverNames allow',
};

function describeL7<L extends SourceLine>(d: LegDecision, l7: L7Outcome, request: L7Request, ctx: ExplainContext<L>): L7Result<L> {
  const s = (l7.direction === 'egress' ? d.egress : d.ingress)!;
  const base = { protocol: l7.protocol, direction: l7.direction } as const;
  if (l7.allowed) {
    const detail = l7.why === 'rule' ? `matches ${l7.ruleText}` : `${L7_DETAIL[l7.why as keyof typeof L7_DETAIL]}${l7.ruleText ? ` (${l7.ruleText})` : ''}`;
    return { ...base, allowed: true, decidedBy: l7.entry ? [ruleMatch(ctx, l7.entry, l7.port)] : [], detail };
  }
  const { protocol, port } = d.leg;
  const covering = ctx.policyOf(s.identity, l7.direction).all
    .filter((c) => !c.deny && selectsPeer(c, s.peer) && c.ports !== 'all')
    .flatMap((c) => (c.ports as readonly CompiledPort[]).filter((p) => (l7.protocol === 'tls' ? p.serverNames : p.l7) && portSpecificity(p, protocol, port, s.names) >= 0).map((p) => ({ c, p })));
  const rules = covering.map(({ c, p }) => ruleMatch(ctx, c, p));
  if (l7.protocol === 'tls') {
    const names = [...new Set(rules.flatMap((r) => /SNI filter: (.*)\)$/.exec(r.ports)?.[1] ?? []))];
    return { ...base, allowed: false, decidedBy: rules, response: l7Response('tls'), detail: `an SNI filter applies: the TLS server name ${request.sni} is not among the allowed ones (${names.join('; ')})` };
  }
  const what = l7.protocol === 'http' ? `${request.http!.method} ${request.http!.path}` : l7.protocol === 'dns' ? `query ${request.dns}` : `Kafka ${request.kafka!.apiKey}`;
  const hint = l7.protocol === 'http' ? queryHint(request.http!, covering.flatMap(({ p }) => (p.l7?.kind === 'http' ? p.l7.rules : [])), defaultHost(l7.direction, d.leg.dst)) : '';
  return { ...base, allowed: false, decidedBy: rules, response: l7Response(l7.protocol), detail: `${what} matches none of the ${l7.protocol.toUpperCase()} rules${hint}` };
}

/**
 * Why a request with a query string missed a path rule its path alone would
 * match: Envoy matches `path` against all of `:path`, query included
 * (cilium/proxy HttpNetworkPolicyRule::allowed, Envoy HeaderUtility::matchHeaders).
 */
function queryHint(req: HttpRequest, rules: readonly HttpRule[], host: string): string {
  const q = req.path.indexOf('?');
  if (q < 0) return '';
  const bare = req.path.slice(0, q);
  const withoutQuery = { ...req, path: bare };
  const near = rules.find((r) => r.path && httpRuleMatches(r, withoutQuery, host));
  return near ? ` (its path without the query string, ${bare}, would match ${near.text}: Envoy matches path rules against the whole :path, query included, so allow it with e.g. path: '${bare}([?].*)?')` : '';
}

/** The peer part of an element as written, each text once; `- {}` says it selects nothing. */
function peerText(e: PolicyEntry): string {
  if (e.peers.kind === 'all') return e.peers.why ? `any peer (${e.peers.why})` : 'any peer';
  if (e.peers.selectors.length === 0) return 'no peer (an empty element such as `- {}` selects nobody)';
  return [...new Set(e.peers.selectors.map((s) => s.text))].join(' | ');
}

/** A compiled entry (or one of the elements merged into it) as the user wrote it. */
function ruleMatch<L extends SourceLine>(ctx: ExplainContext<L>, c: CompiledEntry, port: CompiledPort | undefined, element: PolicyEntry | undefined = c.entry): RuleMatch<L> {
  if (c.synthetic === 'allow-localhost') return { deny: false, peer: 'host (kubelet and node-local traffic)', ports: 'all ports', synthetic: 'allow-localhost' };
  if (c.synthetic === 'default-allow') return { deny: false, peer: 'any peer', ports: 'all ports', synthetic: 'default-allow' };
  const e = element!;
  return {
    policy: e.origin.policy, path: formatPath(e.origin.path), location: ctx.cite(e.origin.object, e.origin.path), deny: e.deny, peer: peerText(e),
    ports: port ? `${port.source.text}${port.l7 ? ` with ${port.l7.kind.toUpperCase()} rules` : ''}${port.serverNames ? ` (SNI filter: ${serverNamesText(port.serverNames)})` : ''}` : 'all ports',
  };
}

/**
 * Why a pod is not selected by a CIDR its IP lies in: the rule that surprises
 * people porting Kubernetes policies (the upstream e2e ipBlock tests Cilium skips).
 */
const CIDR_NEVER_SELECTS_PODS = '; Cilium never selects a pod by a CIDR or ipBlock, even one holding its IP: select pods by labels (cilium/cilium#9209)';

function byCidr(e: PolicyEntry): boolean {
  return e.peers.kind === 'selectors' && e.peers.selectors.some((s) => s.kind === 'cidr' || s.kind === 'cidrSet' || s.path[s.path.length - 1] === 'ipBlock');
}

/**
 * Rules whose peer matched but not the port, or the other way round (at
 * most 5); when there are none, the rules of the direction as they stand,
 * so a default deny is never explained by nothing.
 */
function nearMisses<L extends SourceLine>(ctx: ExplainContext<L>, d: CompiledDirection, q: Asked): NearMiss<L>[] {
  const what = q.protocol === 'ICMP' || q.protocol === 'ICMPv6' ? `${q.protocol} type ${q.port}` : `port ${q.port}/${q.protocol}`;
  // Classify first, describe only the five shown: a direction can hold hundreds of entries.
  const near: { c: CompiledEntry; peerOk: boolean }[] = [];
  const far: CompiledEntry[] = [];
  for (const c of d.all) {
    if (c.deny || !c.entry) continue;
    const peerOk = selectsPeer(c, q.peer);
    const portOk = coverage(c, q.protocol, q.port, q.names) >= 0;
    if (peerOk !== portOk) near.push({ c, peerOk });
    else if (!peerOk && far.length < 5) far.push(c);
  }
  const wanted = (c: CompiledEntry) => (c.ports === 'all' ? 'all ports' : [...new Set(c.ports.map((p) => p.source.text))].join(', '));
  if (near.length === 0) {
    return far.map((c) => {
      const rm = ruleMatch(ctx, c, undefined);
      return { rule: { ...rm, ports: wanted(c) }, mismatch: 'peer', detail: `neither peer nor port match: it allows ${rm.peer} on ${wanted(c)}` };
    });
  }
  return near.slice(0, 5).map(({ c, peerOk }) => {
    const rm = ruleMatch(ctx, c, undefined);
    if (!peerOk) return { rule: rm, mismatch: 'peer', detail: `peer ${q.peerText} is not selected by ${rm.peer}${identityScope(q.peer) === 'cluster' && byCidr(c.entry!) ? CIDR_NEVER_SELECTS_PODS : ''}` };
    const sameProto = c.ports !== 'all' && c.ports.some((p) => p.protocol === q.protocol);
    const unresolved = c.ports !== 'all' && c.ports.some((p) => p.namedKey !== undefined && p.protocol === q.protocol && !q.names?.has(p.namedKey));
    return { rule: { ...rm, ports: wanted(c) }, mismatch: sameProto ? 'port' : 'protocol', detail: `${what} is not among its ports (${wanted(c)})${unresolved ? '; a named port there matches no port of the pod' : ''}` };
  });
}
