/**
 * @module engine/reference
 * @internal
 *
 * A slow, obviously correct evaluator: the same engine front (ends,
 * Services translated to backends, peer identities, names learnt through
 * DNS), but each side decided by reading the normalised rules one by one
 * for every question, matching selectors against labels each time and
 * resolving named ports from the pods: no compilation, no indexes, no
 * caches, no shared ranking code. Property tests hold `verdict` and
 * `explain` to it, the semantic table runs on it too, and benchmarks report
 * the engine's speed as a ratio to it. Not part of the public API.
 */
import { isHostIdentity, Reserved } from '../identity/reserved.js';
import type { EndpointSelector } from '../identity/selector.js';
import type { NormalizedRule, PolicyEntry, PortEntry } from '../policy/rule.js';
import { makeOutcome, type CompiledEntry, type SideOutcome } from './compile.js';
import { PolicyEngine, type EngineInputs, type SideQuestion } from './engine.js';
import { matchingL7Rule } from './l7.js';
import type { L7Outcome, L7Request } from './side.js';
import type { EngineOptions, MatchType } from './types.js';

/** A covering (entry, port) pair. */
interface Hit {
  readonly e: PolicyEntry | 'default-allow' | 'allow-localhost';
  readonly port: PortEntry | undefined;
  readonly wildcard: boolean;
  /** 0 for all ports; 8 for every port of a protocol; 8 + prefix bits otherwise. */
  readonly spec: number;
  readonly redirect: boolean;
}

export class ReferenceEngine extends PolicyEngine {
  protected override readonly compiledSides = false;

  constructor(inputs: EngineInputs, options: EngineOptions = {}) {
    super(inputs, options);
  }

  protected override decideSideOf(a: SideQuestion): SideOutcome {
    const s = this.scan(a);
    const out = (verdict: 'allow' | 'deny', matchType: MatchType, extra: Partial<SideOutcome> = {}): SideOutcome =>
      makeOutcome({ direction: a.direction, enforced: true, verdict, matchType, redirect: false, ...extra });
    if (!s) return makeOutcome({ direction: a.direction, enforced: false, verdict: 'allow', matchType: 'all', redirect: false });
    const deny = s.hits.find((h) => h.e !== 'default-allow' && h.e !== 'allow-localhost' && h.e.deny);
    if (deny) return out('deny', matchTypeOf(deny), { dropReason: 'POLICY_DENY', entry: asEntry(deny) });
    const allows = s.hits.filter((h) => !(typeof h.e === 'object' && h.e.deny));
    if (allows.length === 0) return out('deny', 'none', { dropReason: 'POLICY_DENIED' });
    // The datapath looks up the best identity-specific and the best wildcard entry, then picks one.
    const better = (x: Hit, y: Hit) => (x.redirect !== y.redirect ? x.redirect : x.spec !== y.spec ? x.spec > y.spec : !x.wildcard && y.wildcard);
    const best = (list: Hit[]) => list.reduce<Hit | undefined>((b, h) => (!b || better(h, b) ? h : b), undefined);
    const l3 = best(allows.filter((h) => !h.wildcard));
    const l4 = best(allows.filter((h) => h.wildcard));
    const chosen = l3 && (!l4 || better(l3, l4)) ? l3 : l4!;
    const other = chosen === l3 ? l4 : l3;
    // Auth (bpf/lib/policy.h __policy_check): the chosen key's own type if explicit, else the higher of its derived type and the other key's.
    const keyAuth = (h: Hit | undefined) => {
      if (!h) return { explicit: false, type: 0 };
      const same = allows.filter((x) => x.wildcard === h.wildcard && typeof x.e === 'object' && x.e.authentication !== undefined);
      const exact = same.filter((x) => x.spec === h.spec);
      if (exact.length) return { explicit: true, type: Math.max(...exact.map(authTypeOf)) };
      const broader = same.filter((x) => x.spec < h.spec).sort((x, y) => y.spec - x.spec);
      return { explicit: false, type: broader.length ? authTypeOf(broader[0]!) : 0 };
    };
    const own = keyAuth(chosen);
    const auth = own.explicit ? own.type : Math.max(own.type, keyAuth(other).type);
    if (auth > 0) return out('deny', matchTypeOf(chosen), { dropReason: 'AUTH_REQUIRED', entry: asEntry(chosen) });
    return out('allow', matchTypeOf(chosen), { entry: asEntry(chosen), redirect: chosen.redirect });
  }

  protected override decideL7Of(a: SideQuestion, outcome: SideOutcome, request: L7Request, host: string): L7Outcome | undefined {
    if (!outcome.redirect || outcome.verdict !== 'allow') return undefined;
    const s = this.scan(a)!;
    const kinds = s.hits.flatMap((h) => (h.redirect && h.port?.l7 ? [h.port.l7.kind] : []));
    const protocol = kinds[0] === 'dns' ? 'dns' : kinds[0] === 'kafka' ? 'kafka' : kinds[0] ? 'http' : 'tls';
    const judged = protocol === 'http' ? !!request.http : protocol === 'dns' ? request.dns !== undefined : protocol === 'kafka' ? !!request.kafka : false;
    if (!judged && request.sni === undefined) return undefined;
    const base = { protocol, direction: a.direction } as const;
    let refused = false;
    let passed = false;
    for (const h of s.hits) {
      if (typeof h.e === 'object' && h.e.deny) continue;
      const names = h.port?.serverNames ?? [];
      // The handshake is checked first: a port rule with serverNames admits only the names it lists.
      if (names.length > 0 && request.sni !== undefined && !names.some((n) => sniAllows(n, request.sni!))) {
        refused = true;
        continue;
      }
      passed = true;
      if (!h.port?.l7) return { ...base, allowed: true, why: names.length ? 'sni' : 'no-l7-rules' };
      if (!s.defaultDeny) return { ...base, allowed: true, why: 'visibility-only' };
      if (a.direction === 'ingress' && isHostIdentity(a.peer)) return { ...base, allowed: true, why: 'host' };
      if (!judged) return { ...base, allowed: true, why: 'sni' };
      const m = matchingL7Rule(h.port.l7, request, host);
      if (m) return { ...base, allowed: true, why: 'rule', ruleText: m.text };
    }
    if (!judged && !refused) return undefined;
    return { ...base, protocol: refused && !passed ? 'tls' : protocol, allowed: false, why: 'no-match' };
  }

  /** Every (element, port) of the applicable rules that names the peer and covers the port; undefined when the side is not enforced. */
  private scan(a: SideQuestion): { hits: Hit[]; defaultDeny: boolean } | undefined {
    const enforcement = this.settings.policyEnforcement;
    const isHost = isHostIdentity(a.identity);
    if (enforcement === 'never' || (isHost && !this.settings.hostFirewall)) return undefined;
    const subject = this.table.labelsOf(a.identity)!;
    const peer = this.table.labelsOf(a.peer);
    const rules = this.normalized.rules.filter((r) => r.subject.kind === (isHost ? 'nodes' : 'endpoints') && r[a.direction] !== undefined && r.subject.selector.matches(subject));
    const forced = enforcement === 'always' || a.identity === Reserved.init;
    if (!forced && rules.length === 0) return undefined;
    const defaultDeny = forced || rules.some((r) => r[a.direction]!.defaultDeny);
    const entries = rules.flatMap((r: NormalizedRule) => r[a.direction]!.entries);
    const requires = (deny: boolean) => entries.filter((e) => e.deny === deny).flatMap((e) => e.requires);
    const hits: Hit[] = [];
    for (const e of entries) {
      const reqs = requires(e.deny);
      const sels = e.peers.kind === 'all' ? [] : e.peers.selectors;
      const wildcard = e.peers.kind === 'all' || sels.some((p) => p.selector.isWildcard && !(p.foldsRequires && reqs.length));
      const selected = wildcard || (peer !== undefined && sels.some((p) => p.selector.matches(peer) && (!p.foldsRequires || reqs.every((r: EndpointSelector) => r.matches(peer)))));
      if (!selected) continue;
      if (e.ports.kind === 'all') hits.push({ e, port: undefined, wildcard, spec: 0, redirect: false });
      else {
        for (const p of e.ports.ports) {
          const spec = this.portSpec(p, a);
          if (spec >= 0) hits.push({ e, port: p, wildcard, spec, redirect: p.l7 !== undefined || (p.serverNames?.length ?? 0) > 0 });
        }
      }
    }
    if (!defaultDeny) hits.push({ e: 'default-allow', port: undefined, wildcard: true, spec: 0, redirect: false });
    if (a.direction === 'ingress' && !isHost && isHostIdentity(a.peer)) hits.push({ e: 'allow-localhost', port: undefined, wildcard: false, spec: 0, redirect: false });
    // Denies first, so the first covering deny is found as the datapath finds it.
    hits.sort((x, y) => Number(typeof y.e === 'object' && y.e.deny) - Number(typeof x.e === 'object' && x.e.deny));
    return { hits, defaultDeny };
  }

  /** How specifically a port entry covers the asked port, or -1. */
  private portSpec(p: PortEntry, a: SideQuestion): number {
    if (p.protocol !== a.protocol) return -1;
    let from: number;
    let to: number;
    if (typeof p.port === 'string') {
      const n = this.resolveName(p.port, a);
      if (n === undefined) return -1;
      from = n;
      to = Math.max(n, p.endPort);
    } else {
      from = p.port;
      to = p.endPort;
    }
    if (from === 0 && to === 65535) return 8;
    if (a.port < from || a.port > to) return -1;
    // The largest aligned power-of-two block around the port that fits in the range is its map key.
    for (let bits = 0; bits <= 16; bits++) {
      const size = 2 ** (16 - bits);
      const start = Math.floor(a.port / size) * size;
      if (start >= from && start + size - 1 <= to) return 8 + bits;
    }
    return -1;
  }

  /** A named port: the destination pod's own on ingress; on egress, one every pod defining it agrees on. */
  private resolveName(name: string, a: SideQuestion): number | undefined {
    const wanted = (pod: { ports: readonly { name?: string; containerPort: number; protocol: string }[] }) =>
      pod.ports.filter((c) => c.name !== undefined && c.name.toLowerCase() === name.toLowerCase() && c.protocol === a.protocol).map((c) => c.containerPort);
    if (a.direction === 'ingress') return a.end.pod ? wanted(a.end.pod)[0] : undefined;
    const numbers = new Set(this.cluster.pods.flatMap(wanted));
    return numbers.size === 1 ? [...numbers][0] : undefined;
  }
}

/** A serverNames entry against an SNI, written as a regular expression: `*` one label, `**` one or more. */
function sniAllows(pattern: string, sni: string): boolean {
  const re = pattern.toLowerCase().replace(/\.$/, '').split('.').map((label) => (label === '**' ? '[^.]+(?:\\.[^.]+)*' : label === '*' ? '[^.]+' : label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('\\.');
  return new RegExp(`^${re}$`).test(sni.toLowerCase().replace(/\.$/, ''));
}

function authTypeOf(h: Hit): number {
  const mode = typeof h.e === 'object' ? h.e.authentication : undefined;
  return mode === 'required' ? 1 : mode === 'test-always-fail' ? 2 : 0;
}

function matchTypeOf(h: Hit): MatchType {
  const l3 = !h.wildcard;
  if (!h.port) return l3 ? 'L3-Only' : 'all';
  if (h.spec === 8) return l3 ? 'L3-Proto' : 'Proto-Only';
  return l3 ? 'L3-L4' : 'L4-Only';
}

/** Enough of an entry for a reason line. */
function asEntry(h: Hit): CompiledEntry | undefined {
  if (typeof h.e !== 'object') return { synthetic: h.e } as CompiledEntry;
  return { entry: h.e } as CompiledEntry;
}
