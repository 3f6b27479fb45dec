/**
 * @module engine/compile
 *
 * Resolves the policy of one endpoint identity in one direction, as Cilium
 * does in `pkg/policy/repository.go` and `resolve.go` (semantics.md §4.2–4.4):
 * which rules apply, whether the direction is enforced and default-deny,
 * `fromRequires` folded into endpoint selectors, and every rule element
 * turned into a {@link CompiledEntry} whose peers are a set of identities
 * (shared between entries and endpoints through a memo). A verdict scans
 * the few entries of one endpoint and direction, never all rules.
 */
import type { IdentityTable } from '../identity/table.js';
import { EndpointSelector } from '../identity/selector.js';
import { Reserved, type IdentityId } from '../identity/reserved.js';
import type { Direction, NormalizedRule, PolicyEntry, PortEntry } from '../policy/rule.js';

/** One allow or deny entry of an endpoint's policy. */
export interface CompiledEntry {
  /** The first rule element this entry stands for (undefined for synthetic entries). */
  readonly entry: PolicyEntry | undefined;
  /**
   * Every rule element with the same peers, ports and effect: merged into
   * one entry (as they land on the same policy-map keys in Cilium), so a
   * verdict scans distinct entries only, while explanations still cite all.
   */
  readonly merged: readonly PolicyEntry[];
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
  /** Every entry, denies first. */
  readonly all: readonly CompiledEntry[];
}

export interface CompileSettings {
  readonly policyEnforcement: 'default' | 'always' | 'never';
  readonly hostFirewall: boolean;
}

const EMPTY: readonly CompiledEntry[] = Object.freeze([]);
const NOBODY: ReadonlySet<IdentityId> = new Set();
const HOST_ONLY: ReadonlySet<IdentityId> = new Set([Reserved.host]);

/** Resolves the policy of `identity` (a pod identity, or host) in `direction`. */
/**
 * What compiling endpoints can share: peer sets by selector key (many rules
 * name the same peers), and each rule element resolved once.
 */
export interface CompileMemo {
  readonly peerSets: Map<string, ReadonlySet<IdentityId>>;
  readonly entries: WeakMap<PolicyEntry, PreparedEntry>;
}

export function newCompileMemo(): CompileMemo {
  return { peerSets: new Map(), entries: new WeakMap() };
}

interface PreparedEntry {
  readonly anyPeer: boolean;
  readonly peers: ReadonlySet<IdentityId>;
  readonly ports: readonly PortEntry[] | 'all';
  /** Merge key; undefined for entries with L7 rules, which keep their own identity. */
  readonly key: string | undefined;
}

/** Resolves an element's peers (with `requires` folded into endpoint selectors) and its merge key. */
function prepare(entry: PolicyEntry, requires: readonly EndpointSelector[], table: IdentityTable, memo: CompileMemo): PreparedEntry {
  let anyPeer = false;
  let peers: ReadonlySet<IdentityId> = NOBODY;
  let peerKey = '';
  if (entry.peers.kind === 'all') anyPeer = true;
  else {
    const sels = entry.peers.selectors.map((p) => (p.foldsRequires && requires.length ? requires.reduce(andSelector, p.selector) : p.selector));
    anyPeer = sels.some((s) => s.isWildcard);
    if (!anyPeer && sels.length > 0) {
      peerKey = sels.map((s) => s.canonical).join('\u0000');
      let set = memo.peerSets.get(peerKey);
      if (!set) {
        const ids = new Set<IdentityId>();
        for (const s of sels) for (const id of table.select(s)) ids.add(id);
        set = ids;
        memo.peerSets.set(peerKey, set);
      }
      peers = set;
    }
  }
  const ports = entry.ports.kind === 'all' ? 'all' : entry.ports.ports;
  const mergeable = ports === 'all' || ports.every((p) => !p.l7 && !p.serverNames);
  const key = mergeable
    ? `${entry.deny}|${entry.authentication ?? ''}|${anyPeer ? '*' : peerKey}|${ports === 'all' ? 'all' : ports.map((p) => `${p.protocol}:${p.port}-${p.endPort}`).join(',')}`
    : undefined;
  return { anyPeer, peers, ports, key };
}

export function compileDirection(
  identity: IdentityId, direction: Direction, applicable: readonly NormalizedRule[], table: IdentityTable, settings: CompileSettings,
  memo: CompileMemo = newCompileMemo(),
): CompiledDirection {
  const isHost = identity === Reserved.host;
  const rules = applicable.filter((r) => r[direction] !== undefined);
  if (settings.policyEnforcement === 'never' || (isHost && !settings.hostFirewall)) {
    return { direction, enforced: false, defaultDeny: false, rules, all: EMPTY };
  }
  const forced = settings.policyEnforcement === 'always' || identity === Reserved.init;
  const enforced = forced || rules.length > 0;
  if (!enforced) return { direction, enforced, defaultDeny: false, rules, all: EMPTY };
  const defaultDeny = forced || rules.some((r) => r[direction]!.defaultDeny);

  // fromRequires/toRequires of allow rules are ANDed onto every endpoint selector of allow rules; deny likewise (§4.12).
  const requiresOf = (deny: boolean) => rules.flatMap((r) => r[direction]!.entries.filter((e) => e.deny === deny).flatMap((e) => e.requires));
  const requires = { allow: requiresOf(false), deny: requiresOf(true) };

  const denies: CompiledEntry[] = [];
  const allows: CompiledEntry[] = [];
  const byKey = new Map<string, PolicyEntry[]>();
  const add = (c: CompiledEntry, key?: string) => {
    if (key !== undefined) {
      const same = byKey.get(key);
      if (same) {
        same.push(c.entry!);
        return;
      }
      byKey.set(key, c.merged as PolicyEntry[]);
    }
    (c.deny ? denies : allows).push(c);
  };
  for (const rule of rules) {
    for (const entry of rule[direction]!.entries) {
      const extra = entry.deny ? requires.deny : requires.allow;
      // Without requirements to fold in, an entry resolves the same for every endpoint: do it once.
      const p = extra.length ? prepare(entry, extra, table, memo) : (memo.entries.get(entry) ?? memo.entries.set(entry, prepare(entry, [], table, memo)).get(entry)!);
      add({ entry, merged: [entry], deny: entry.deny, anyPeer: p.anyPeer, peers: p.peers, ports: p.ports, l7VisibilityOnly: !defaultDeny }, p.key);
    }
  }
  if (!defaultDeny) {
    // Enforced but nobody asked for default deny: Cilium adds an allow-all rule (§4.3 rule 4).
    add({ entry: undefined, merged: [], synthetic: 'default-allow', deny: false, anyPeer: true, peers: NOBODY, ports: 'all', l7VisibilityOnly: true });
  }
  if (direction === 'ingress' && !isHost) {
    // allow-localhost=always in Kubernetes mode: the local host may always reach pods (§4.8).
    add({ entry: undefined, merged: [], synthetic: 'allow-localhost', deny: false, anyPeer: false, peers: HOST_ONLY, ports: 'all', l7VisibilityOnly: true });
  }
  return { direction, enforced, defaultDeny, rules, all: [...denies, ...allows] };
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

/** Entries that can apply to a peer: those naming it or any peer. */
export function entriesFor(d: CompiledDirection, peer: IdentityId): CompiledEntry[] {
  return d.all.filter((c) => c.anyPeer || c.peers.has(peer));
}
