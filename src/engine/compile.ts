/**
 * @module engine/compile
 *
 * Resolves the policy of one endpoint identity in one direction, as Cilium
 * does in `pkg/policy/repository.go` and `resolve.go` (semantics.md §4.2–4.4):
 * which rules apply, whether the direction is enforced and default-deny,
 * `fromRequires` folded into endpoint selectors, and every rule element
 * turned into a {@link CompiledEntry} whose peers are a set of identities.
 * Entries are indexed by peer identity, with wildcard entries apart, so a
 * verdict looks at a handful of entries, never at all rules.
 */
import type { IdentityTable } from '../identity/table.js';
import { EndpointSelector } from '../identity/selector.js';
import { Reserved, type IdentityId } from '../identity/reserved.js';
import type { Direction, NormalizedRule, PolicyEntry, PortEntry } from '../policy/rule.js';

/** One allow or deny entry of an endpoint's policy. */
export interface CompiledEntry {
  readonly entry: PolicyEntry | undefined;
  /** Entries Cilium installs itself. */
  readonly synthetic?: 'allow-localhost' | 'default-allow';
  readonly deny: boolean;
  /** True for wildcard entries (Cilium's identity 0). */
  readonly anyPeer: boolean;
  /** Selected peer identities (empty for wildcard entries). */
  readonly peers: ReadonlySet<IdentityId>;
  /** `all`: every protocol and port (L3-only). */
  readonly ports: readonly PortEntry[] | 'all';
  /** L7 rules do not restrict here: the direction is not default-deny (1.18 `ensureWildcard`). */
  readonly l7VisibilityOnly: boolean;
}

export interface CompiledDirection {
  readonly direction: Direction;
  readonly enforced: boolean;
  readonly defaultDeny: boolean;
  /** Rules that apply to the endpoint and have this direction. */
  readonly rules: readonly NormalizedRule[];
  readonly byPeer: ReadonlyMap<IdentityId, readonly CompiledEntry[]>;
  readonly wildcard: readonly CompiledEntry[];
  /** Every entry, including those that select no identity (for explanations). */
  readonly all: readonly CompiledEntry[];
}

export interface CompileSettings {
  readonly policyEnforcement: 'default' | 'always' | 'never';
  readonly hostFirewall: boolean;
}

const EMPTY: readonly CompiledEntry[] = Object.freeze([]);

/** Resolves the policy of `identity` (a pod identity, or host) in `direction`. */
export function compileDirection(
  identity: IdentityId, direction: Direction, applicable: readonly NormalizedRule[], table: IdentityTable, settings: CompileSettings,
): CompiledDirection {
  const isHost = identity === Reserved.host;
  const rules = applicable.filter((r) => r[direction] !== undefined);
  if (settings.policyEnforcement === 'never' || (isHost && !settings.hostFirewall)) {
    return { direction, enforced: false, defaultDeny: false, rules, byPeer: new Map(), wildcard: EMPTY, all: EMPTY };
  }
  const forced = settings.policyEnforcement === 'always' || identity === Reserved.init;
  const enforced = forced || rules.length > 0;
  if (!enforced) return { direction, enforced, defaultDeny: false, rules, byPeer: new Map(), wildcard: EMPTY, all: EMPTY };
  const defaultDeny = forced || rules.some((r) => r[direction]!.defaultDeny);

  // fromRequires/toRequires of allow rules are ANDed onto every endpoint selector of allow rules; deny likewise (§4.12).
  const requiresOf = (deny: boolean) => rules.flatMap((r) => r[direction]!.entries.filter((e) => e.deny === deny).flatMap((e) => e.requires));
  const requires = { allow: requiresOf(false), deny: requiresOf(true) };

  const byPeer = new Map<IdentityId, CompiledEntry[]>();
  const wildcard: CompiledEntry[] = [];
  const all: CompiledEntry[] = [];
  const add = (c: CompiledEntry) => {
    all.push(c);
    if (c.anyPeer) wildcard.push(c);
    else for (const id of c.peers) (byPeer.get(id) ?? byPeer.set(id, []).get(id)!).push(c);
  };
  for (const rule of rules) {
    for (const entry of rule[direction]!.entries) {
      const extra = entry.deny ? requires.deny : requires.allow;
      let anyPeer = false;
      const peers = new Set<IdentityId>();
      if (entry.peers.kind === 'all') anyPeer = true;
      else {
        for (const p of entry.peers.selectors) {
          const sel = p.foldsRequires && extra.length ? extra.reduce(andSelector, p.selector) : p.selector;
          if (sel.isWildcard) anyPeer = true;
          else for (const id of table.select(sel)) peers.add(id);
        }
      }
      add({
        entry, deny: entry.deny, anyPeer, peers: anyPeer ? new Set() : peers,
        ports: entry.ports.kind === 'all' ? 'all' : entry.ports.ports,
        l7VisibilityOnly: !defaultDeny,
      });
    }
  }
  if (!defaultDeny) {
    // Enforced but nobody asked for default deny: Cilium adds an allow-all rule (§4.3 rule 4).
    add({ entry: undefined, synthetic: 'default-allow', deny: false, anyPeer: true, peers: new Set(), ports: 'all', l7VisibilityOnly: true });
  }
  if (direction === 'ingress' && !isHost) {
    // allow-localhost=always in Kubernetes mode: the local host may always reach pods (§4.8).
    add({ entry: undefined, synthetic: 'allow-localhost', deny: false, anyPeer: false, peers: new Set([Reserved.host]), ports: 'all', l7VisibilityOnly: true });
  }
  return { direction, enforced, defaultDeny, rules, byPeer, wildcard, all };
}

/** ANDs every term of `req` onto `sel` (Cilium converts requirements to In/NotIn/Exists terms). */
function andSelector(sel: EndpointSelector, req: EndpointSelector): EndpointSelector {
  let out = sel;
  for (const t of req.matchLabels) out = out.withTerm({ kind: 'expression', key: `${t.source}:${t.key}`, operator: 'In', values: [t.value] });
  for (const t of req.matchExpressions) {
    out = out.withTerm({ kind: 'expression', key: `${t.source}:${t.key}`, operator: t.operator, ...(t.values ? { values: [...t.values] } : {}) });
  }
  return out;
}

/** Entries that can apply to a peer: those naming it, then the wildcard ones. */
export function entriesFor(d: CompiledDirection, peer: IdentityId): readonly CompiledEntry[] {
  const specific = d.byPeer.get(peer);
  if (!specific) return d.wildcard;
  if (d.wildcard.length === 0) return specific;
  return [...specific, ...d.wildcard];
}
