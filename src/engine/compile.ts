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
 *
 * Everything a verdict returns about a side is built here, once: each entry
 * carries the {@link SideOutcome} it produces when it wins with each of its
 * ports, so deciding a side allocates nothing.
 */
import type { IdentityTable } from '../identity/table.js';
import { EndpointSelector } from '../identity/selector.js';
import { isHostIdentity, Reserved, type IdentityId } from '../identity/reserved.js';
import type { AuthMode, Direction, L4Protocol, L7Rules, NormalizedRule, PolicyEntry, PortEntry } from '../policy/rule.js';
import type { DropReason, MatchType } from './types.js';
import type { DecidedTable } from './decided.js';

/** A port entry ready for matching: a named port keeps the key it is looked up by. */
export interface CompiledPort {
  readonly source: PortEntry;
  readonly protocol: L4Protocol;
  /** First port; for a named port the number is found at verdict time. */
  readonly port: number;
  readonly endPort: number;
  /** `name/PROTOCOL` for a named port (lower-case name), else undefined. */
  readonly namedKey: string | undefined;
  readonly l7: L7Rules | undefined;
  /** TLS SNI filter (`serverNames`, lower-case), undefined when none. */
  readonly serverNames: readonly string[] | undefined;
  /**
   * The port sends matching connections to the proxy: it has L7 rules or a
   * TLS SNI filter (`pkg/policy/l4.go addPolicyForSelector`: isRedirect when
   * rules, TLS contexts or `len(sni) > 0`).
   */
  readonly redirect: boolean;
}

/** What one side decides: shared, immutable objects (one per entry and port, plus two per direction). */
export interface SideOutcome {
  /** Unique per outcome object: verdicts are cached by the pair of side ids. */
  readonly id: number;
  readonly direction: Direction;
  /** False when no rule selects the endpoint in this direction (then everything is allowed). */
  readonly enforced: boolean;
  readonly verdict: 'allow' | 'deny';
  readonly matchType: MatchType;
  readonly dropReason?: DropReason;
  /** The deny entry or the winning allow; undefined for a default deny and an unenforced side. */
  readonly entry?: CompiledEntry;
  /** The port of `entry` that covered, undefined for L3-only entries. */
  readonly port?: CompiledPort;
  /** True when the winning entry sends the connection to the L7 proxy. */
  readonly redirect: boolean;
}

let nextOutcomeId = 1;

/** A new outcome with its id (0 is kept for "no side"). */
export function makeOutcome(o: Omit<SideOutcome, 'id'>): SideOutcome {
  return Object.freeze({ id: nextOutcomeId++, ...o });
}

/** One allow or deny entry of an endpoint's policy. */
export class CompiledEntry {
  /** Outcomes built on first use (most entries of most endpoints never decide anything). */
  private cache: SideOutcome[] | undefined;
  private authCache: SideOutcome[] | undefined;

  constructor(
    readonly direction: Direction,
    /** The first rule element this entry stands for (undefined for synthetic entries). */
    readonly entry: PolicyEntry | undefined,
    /**
     * Every rule element with the same peers, ports and effect: merged into
     * one entry (as they land on the same policy-map keys in Cilium), so a
     * verdict scans distinct entries only, while explanations still cite all.
     */
    readonly merged: PolicyEntry[],
    readonly deny: boolean,
    /** Explicit `authentication.mode` of the element (undefined: none written). */
    readonly authentication: AuthMode | undefined,
    /** True for wildcard entries (Cilium's identity 0). */
    readonly anyPeer: boolean,
    /** Selected peer identities (empty for wildcard entries). */
    readonly peers: ReadonlySet<IdentityId>,
    /** `all`: every protocol and port (L3-only). */
    readonly ports: readonly CompiledPort[] | 'all',
    /** L7 rules do not restrict here: the direction is not default-deny (1.18 `ensureWildcard`). */
    readonly l7VisibilityOnly: boolean,
    /** Entries Cilium installs itself. */
    readonly synthetic?: 'allow-localhost' | 'default-allow',
  ) {}

  /** The outcome when this entry decides: index 0 for an L3-only entry, else 1 + the index of the covering port. Shared: built once. */
  outcome(index: number): SideOutcome {
    const cache = (this.cache ??= []);
    return cache[index] ??= this.make(index, false);
  }

  /** The same, when mutual authentication holds the connection (dropped with reason 189 until authenticated). */
  authOutcome(index: number): SideOutcome {
    const cache = (this.authCache ??= []);
    return cache[index] ??= this.make(index, true);
  }

  private make(index: number, auth: boolean): SideOutcome {
    const port = index === 0 || this.ports === 'all' ? undefined : this.ports[index - 1];
    const common = { direction: this.direction, enforced: true, matchType: matchTypeOf(this.anyPeer, port), entry: this, ...(port ? { port } : {}) } as const;
    if (this.deny) return makeOutcome({ ...common, verdict: 'deny', dropReason: 'POLICY_DENY', redirect: false });
    if (auth) return makeOutcome({ ...common, verdict: 'deny', dropReason: 'AUTH_REQUIRED', redirect: false });
    return makeOutcome({ ...common, verdict: 'allow', redirect: port?.redirect === true });
  }
}

export interface CompiledDirection {
  readonly direction: Direction;
  readonly enforced: boolean;
  readonly defaultDeny: boolean;
  /** Rules that apply to the endpoint and have this direction. */
  readonly rules: readonly NormalizedRule[];
  /** Every entry, denies first. */
  readonly all: readonly CompiledEntry[];
  /** The outcome when no rule selects the endpoint in this direction. */
  readonly open: SideOutcome;
  /** The outcome when nothing covers the connection under default deny. */
  readonly defaultDenied: SideOutcome;
  /** Some allow entry states an authentication mode: deciding must then work out who requires it. */
  readonly hasAuth: boolean;
  /**
   * Decisions already taken, by the named-port table they used and then by
   * (peer, protocol, port): the lookup table a datapath would hold, filled
   * as questions come. Shared by every endpoint with this policy.
   */
  readonly decided: Map<unknown, DecidedTable>;
  /** Some entry names a port by name. */
  readonly hasNamedPorts: boolean;
}

export interface CompileSettings {
  readonly policyEnforcement: 'default' | 'always' | 'never';
  readonly hostFirewall: boolean;
}

const EMPTY: readonly CompiledEntry[] = Object.freeze([]);
const NOBODY: ReadonlySet<IdentityId> = new Set();
/** The host as each node sees itself, by table: allow-localhost admits the endpoint's own host, so any node's view. */
const hostSets = new WeakMap<IdentityTable, ReadonlySet<IdentityId>>();
function hostOnly(table: IdentityTable): ReadonlySet<IdentityId> {
  let set = hostSets.get(table);
  if (!set) hostSets.set(table, (set = new Set([Reserved.host, ...table.hostViews()])));
  return set;
}

/**
 * What compiling endpoints can share: peer sets by selector key (many rules
 * name the same peers), and each rule element resolved once.
 */
export interface CompileMemo {
  readonly peerSets: Map<string, ReadonlySet<IdentityId>>;
  readonly entries: WeakMap<PolicyEntry, PreparedEntry>;
  /** Numbers for rules, to key {@link directions}. */
  readonly ruleIds: Map<NormalizedRule, number>;
  /**
   * Compiled directions by the rules they come from: endpoints whose labels
   * select the same rules share one policy, as their map state would be equal.
   */
  readonly directions: Map<string, CompiledDirection>;
  /**
   * Shared directions of ordinary endpoints (not host, not forced) by the
   * very array of rules they were compiled from: with {@link rulesByIdentity}
   * equal rule lists are one array, so most endpoints find theirs here.
   */
  readonly byList: WeakMap<readonly NormalizedRule[], { ingress?: CompiledDirection; egress?: CompiledDirection }>;
}

export function newCompileMemo(): CompileMemo {
  return { peerSets: new Map(), entries: new WeakMap(), ruleIds: new Map(), directions: new Map(), byList: new WeakMap() };
}

/** A node of the trie {@link rulesByIdentity} walks: the rules selecting an identity so far, as a path. */
interface RulePath {
  readonly parent: RulePath | undefined;
  readonly rule: NormalizedRule | undefined;
  next: Map<number, RulePath> | undefined;
  list: readonly NormalizedRule[] | undefined;
}

/**
 * The rules that select each endpoint identity, in rule order, and the host
 * rules (node selectors). Identities selected by the same rules get the SAME
 * array (each identity walks a trie of rule numbers; equal walks end on one
 * node), so {@link compileDirection} recognises them by the array alone
 * instead of by a key spelled out per identity.
 */
export function rulesByIdentity(
  rules: readonly NormalizedRule[], table: IdentityTable, isEndpoint: (id: IdentityId) => boolean,
): { readonly byIdentity: ReadonlyMap<IdentityId, readonly NormalizedRule[]>; readonly host: readonly NormalizedRule[] } {
  const host: NormalizedRule[] = [];
  const root: RulePath = { parent: undefined, rule: undefined, next: undefined, list: undefined };
  const at = new Map<IdentityId, RulePath>();
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    if (rule.subject.kind === 'nodes') {
      host.push(rule);
      continue;
    }
    const ids = table.select(rule.subject.selector);
    for (let j = 0; j < ids.length; j++) {
      const id = ids[j]!;
      if (!isEndpoint(id)) continue;
      const from = at.get(id) ?? root;
      const next = (from.next ??= new Map());
      let to = next.get(i);
      if (!to) next.set(i, (to = { parent: from, rule, next: undefined, list: undefined }));
      at.set(id, to);
    }
  }
  const byIdentity = new Map<IdentityId, readonly NormalizedRule[]>();
  for (const [id, node] of at) {
    if (!node.list) {
      const list: NormalizedRule[] = [];
      for (let n: RulePath = node; n.rule; n = n.parent!) list.push(n.rule);
      node.list = list.reverse();
    }
    byIdentity.set(id, node.list);
  }
  return { byIdentity, host };
}

interface PreparedEntry {
  readonly anyPeer: boolean;
  readonly peers: ReadonlySet<IdentityId>;
  readonly ports: readonly CompiledPort[] | 'all';
  /** Merge key; undefined for entries with L7 rules, which keep their own identity. */
  readonly key: string | undefined;
}

function compilePort(p: PortEntry): CompiledPort {
  const named = typeof p.port === 'string';
  return {
    source: p, protocol: p.protocol, port: named ? 0 : (p.port as number), endPort: p.endPort,
    namedKey: named ? namedPortKey(p.port as string, p.protocol) : undefined, l7: p.l7,
    serverNames: p.serverNames?.length ? p.serverNames : undefined, redirect: p.l7 !== undefined || (p.serverNames?.length ?? 0) > 0,
  };
}

/** The key a named port is looked up by in a {@link NamedPorts} table. */
export function namedPortKey(name: string, protocol: L4Protocol): string {
  return `${name.toLowerCase()}/${protocol}`;
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
        for (const s of sels) for (const id of table.selectWithViews(s)) ids.add(id);
        set = ids;
        memo.peerSets.set(peerKey, set);
      }
      peers = set;
    }
  }
  const ports = entry.ports.kind === 'all' ? 'all' : entry.ports.ports.map(compilePort);
  const mergeable = ports === 'all' || ports.every((p) => !p.l7 && !p.source.serverNames);
  const key = mergeable
    ? `${entry.deny}|${entry.authentication ?? ''}|${anyPeer ? '*' : peerKey}|${ports === 'all' ? 'all' : ports.map((p) => `${p.protocol}:${p.namedKey ?? p.port}-${p.endPort}`).join(',')}`
    : undefined;
  return { anyPeer, peers, ports, key };
}

/** The match type Hubble reports for an entry deciding with a port (§4.5). */
function matchTypeOf(anyPeer: boolean, port: CompiledPort | undefined): MatchType {
  const l3 = !anyPeer;
  if (!port) return l3 ? 'L3-Only' : 'all';
  if (!port.namedKey && port.port === 0 && port.endPort === 65535) return l3 ? 'L3-Proto' : 'Proto-Only';
  return l3 ? 'L3-L4' : 'L4-Only';
}

export function compileDirection(
  identity: IdentityId, direction: Direction, applicable: readonly NormalizedRule[], table: IdentityTable, settings: CompileSettings,
  memo: CompileMemo = newCompileMemo(),
): CompiledDirection {
  const isHost = isHostIdentity(identity);
  const forced = settings.policyEnforcement === 'always' || identity === Reserved.init;
  const plain = !isHost && !forced;
  if (plain) {
    const hit = memo.byList.get(applicable)?.[direction];
    if (hit) return hit;
  }
  const rules = applicable.filter((r) => r[direction] !== undefined);
  const unenforced = settings.policyEnforcement === 'never' || (isHost && !settings.hostFirewall);
  const enforced = !unenforced && (forced || rules.length > 0);
  // No rule selects it: every such endpoint decides alike, so one object (and one outcome id) serves them all.
  // (With enforcement "never", or a host without the host firewall, each keeps its own: it lists its rules.)
  const openKey = !enforced && !unenforced ? `${direction}|open` : undefined;
  const sharedOpen = openKey && memo.directions.get(openKey);
  if (sharedOpen) {
    if (plain) rememberList(memo, applicable, direction, sharedOpen);
    return sharedOpen;
  }
  const open = makeOutcome({ direction, enforced: false, verdict: 'allow', matchType: 'all', redirect: false });
  const defaultDenied = makeOutcome({ direction, enforced: true, verdict: 'deny', matchType: 'none', dropReason: 'POLICY_DENIED', redirect: false });
  const base = { direction, rules, open, defaultDenied };
  if (!enforced) {
    const d: CompiledDirection = { ...base, enforced: false, defaultDeny: false, all: EMPTY, hasAuth: false, decided: new Map(), hasNamedPorts: false };
    if (openKey) {
      memo.directions.set(openKey, d);
      if (plain) rememberList(memo, applicable, direction, d);
    }
    return d;
  }
  const defaultDeny = forced || rules.some((r) => r[direction]!.defaultDeny);
  // Nothing below depends on the identity but for `isHost` and `forced`: share the result.
  let key = `${direction}|${isHost}|${forced}`;
  for (const r of rules) {
    let id = memo.ruleIds.get(r);
    if (id === undefined) memo.ruleIds.set(r, (id = memo.ruleIds.size));
    key += `,${id}`;
  }
  const shared = memo.directions.get(key);
  if (shared) {
    if (plain) rememberList(memo, applicable, direction, shared);
    return shared;
  }

  // fromRequires/toRequires of allow rules are ANDed onto every endpoint selector of allow rules; deny likewise (§4.12).
  const requiresOf = (deny: boolean) => rules.flatMap((r) => r[direction]!.entries.filter((e) => e.deny === deny).flatMap((e) => e.requires));
  const requires = { allow: requiresOf(false), deny: requiresOf(true) };

  const denies: CompiledEntry[] = [];
  const allows: CompiledEntry[] = [];
  const byKey = new Map<string, PolicyEntry[]>();
  for (const rule of rules) {
    for (const entry of rule[direction]!.entries) {
      const extra = entry.deny ? requires.deny : requires.allow;
      // Without requirements to fold in, an entry resolves the same for every endpoint: do it once.
      const p = extra.length ? prepare(entry, extra, table, memo) : (memo.entries.get(entry) ?? memo.entries.set(entry, prepare(entry, [], table, memo)).get(entry)!);
      if (p.key !== undefined) {
        const same = byKey.get(p.key);
        if (same) {
          same.push(entry);
          continue;
        }
      }
      const merged = [entry];
      if (p.key !== undefined) byKey.set(p.key, merged);
      const c = new CompiledEntry(direction, entry, merged, entry.deny, entry.deny ? undefined : entry.authentication, p.anyPeer, p.peers, p.ports, !defaultDeny);
      (entry.deny ? denies : allows).push(c);
    }
  }
  if (!defaultDeny) {
    // Enforced but nobody asked for default deny: Cilium adds an allow-all rule (§4.3 rule 4).
    allows.push(new CompiledEntry(direction, undefined, [], false, undefined, true, NOBODY, 'all', true, 'default-allow'));
  }
  if (direction === 'ingress' && !isHost) {
    // allow-localhost=always in Kubernetes mode: the local host may always reach pods (§4.8).
    allows.push(new CompiledEntry(direction, undefined, [], false, undefined, false, hostOnly(table), 'all', true, 'allow-localhost'));
  }
  const all = denies.length ? [...denies, ...allows] : allows;
  const compiled = {
    ...base, enforced, defaultDeny, all, hasAuth: all.some((c) => c.authentication !== undefined), decided: new Map(),
    hasNamedPorts: all.some((c) => c.ports !== 'all' && c.ports.some((p) => p.namedKey !== undefined)),
  };
  memo.directions.set(key, compiled);
  if (plain) rememberList(memo, applicable, direction, compiled);
  return compiled;
}

function rememberList(memo: CompileMemo, applicable: readonly NormalizedRule[], direction: Direction, d: CompiledDirection): void {
  const slot = memo.byList.get(applicable);
  if (slot) slot[direction] = d;
  else memo.byList.set(applicable, direction === 'ingress' ? { ingress: d } : { egress: d });
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
