/**
 * @module generate/replay
 *
 * Every observed connection asked again of the engine: the proof that a
 * generated set allows what the application did, and the dry run of any set
 * against real flows. The verdict comes from the engine's compiled
 * `verdict`; `explain` runs only for denied connections, to name the policy
 * and rule (file:line) that decided. Nothing here decides policy.
 */
import type { SourceLine } from '../diagnostics/diagnostic.js';
import type { Engine, Peer, ConnectionQuery, RuleMatch, SideResult } from '../engine/types.js';
import { isProblem } from '../engine/types.js';
import type { Cluster, Pod } from '../model/types.js';
import { formatPolicyRef } from '../policy/types.js';
import { whereIs, type ObservedCluster, type Where } from './cluster.js';
import { endpointKey, type ObservedConnection, type ObservedEndpoint } from './observed.js';

/** One deciding rule, located. */
export interface DecidingRule {
  readonly policy: string;
  readonly path?: string;
  readonly file?: string;
  readonly line?: number;
  /** `deny` for a deny rule; `enforces` for a policy that selects the endpoint without allowing the connection. */
  readonly role: 'deny' | 'enforces';
}

export interface ReplayedConnection {
  readonly connection: ObservedConnection;
  readonly verdict: 'allow' | 'deny' | 'not-replayed';
  readonly reason: string;
  /** For a denied connection: where it was denied and the rules behind it. */
  readonly deniedAt?: string;
  readonly rules?: readonly DecidingRule[];
  /** With `sides`, for an allowed connection: whether a policy enforced each side (else it was allowed by default). */
  readonly enforced?: { readonly egress: boolean; readonly ingress: boolean };
}

export interface ReplayReport {
  readonly observed: number;
  readonly allowed: number;
  readonly denied: number;
  readonly notReplayed: number;
  readonly connections: readonly ReplayedConnection[];
}

export function describeEndpoint(e: ObservedEndpoint): string {
  switch (e.kind) {
    case 'pod':
      return `${e.namespace}/${Object.keys(e.labels).sort().map((k) => `${k}=${e.labels[k]}`).join(',')}`;
    case 'entity':
      return e.entity;
    case 'ip':
      return e.ip;
  }
}

export function describeConnection(c: ObservedConnection): string {
  const what = c.protocol.startsWith('ICMP') ? `${c.protocol} type ${c.port}` : `${c.port}/${c.protocol}`;
  const l7 = c.http ? ` ${c.http.method} ${c.http.path}` : c.dns ? ` DNS ${c.dns}` : '';
  return `${describeEndpoint(c.from)} → ${describeEndpoint(c.to)} ${what}${l7}`;
}

function rulesOf(side: SideResult<SourceLine> | undefined): DecidingRule[] {
  if (!side) return [];
  const pick = (m: RuleMatch<SourceLine>, role: DecidingRule['role']): DecidingRule => ({
    policy: m.policy ? formatPolicyRef(m.policy) : m.synthetic ?? 'cilium',
    ...(m.path ? { path: m.path } : {}),
    ...(m.location ? { file: m.location.file, line: m.location.line } : {}),
    role,
  });
  const deny = side.decidedBy.filter((m) => m.deny).map((m) => pick(m, 'deny'));
  return deny.length > 0 ? deny : side.enforcedBy.map((m) => pick(m, 'enforces'));
}

/**
 * Replays connections through `engine` over `cluster` (the loaded observed
 * cluster plus policies). `dns` maps world addresses to names, so egress to
 * a resolved address is asked as the name (and toFQDNs can match it).
 */
export function replayConnections(
  engine: Engine,
  cluster: Cluster,
  observed: ObservedCluster,
  connections: readonly ObservedConnection[],
  dns: ReadonlyMap<string, ReadonlySet<string>>,
  options: { readonly sides?: boolean } = {},
): ReplayReport {
  const pods = new Map<string, Pod>(cluster.pods.map((p) => [`${p.namespace}/${p.name}`, p]));
  const peers = (w: Where, fqdnOk: boolean): Peer[] | string => {
    if (w.kind === 'none') return w.why;
    if (w.kind === 'ip') {
      const names = fqdnOk ? dns.get(w.ip) : undefined;
      const name = names && [...names].sort()[0];
      return [name ? { kind: 'fqdn', name, ip: w.ip } : { kind: 'ip', ip: w.ip }];
    }
    const out: Peer[] = [];
    for (const p of w.pods) {
      const pod = pods.get(p);
      if (!pod) return `pod ${p} is not in the observed cluster`;
      out.push({ kind: 'pod', pod });
    }
    return out;
  };
  const results: ReplayedConnection[] = [];
  let allowed = 0;
  let denied = 0;
  let notReplayed = 0;
  for (const c of connections) {
    const from = peers(whereIs(observed, c.from, endpointKey(c.from)), false);
    const to = peers(whereIs(observed, c.to, endpointKey(c.to)), true);
    if (typeof from === 'string' || typeof to === 'string') {
      notReplayed++;
      results.push({ connection: c, verdict: 'not-replayed', reason: typeof from === 'string' ? from : (to as string) });
      continue;
    }
    let result: ReplayedConnection | undefined;
    for (const f of from) {
      for (const t of to) {
        const q: ConnectionQuery = {
          from: f, to: t, protocol: c.protocol,
          ...(c.protocol.startsWith('ICMP') ? { icmpType: c.port } : { port: c.port }),
          ...(c.http ? { http: { method: c.http.method, path: c.http.path } } : {}),
          ...(c.dns ? { dns: c.dns } : {}),
        };
        const v = engine.verdict(q);
        if (isProblem(v)) {
          result = { connection: c, verdict: 'not-replayed', reason: v.problem };
          break;
        }
        if (v.verdict === 'deny') {
          // Replay cites rules by file:line only: no parse of the policy files for positions.
          const x = engine.explain(q, { positions: 'lines' });
          const side = isProblem(x) ? undefined : v.deniedAt === 'egress' ? x.egress : v.deniedAt === 'ingress' ? x.ingress : undefined;
          const l7 = !isProblem(x) && v.deniedAt === 'l7' && x.l7 ? x.l7.decidedBy.map((m) => ({
            policy: m.policy ? formatPolicyRef(m.policy) : 'cilium', ...(m.path ? { path: m.path } : {}),
            ...(m.location ? { file: m.location.file, line: m.location.line } : {}), role: 'enforces' as const,
          })) : [];
          result = { connection: c, verdict: 'deny', reason: v.reason, ...(v.deniedAt ? { deniedAt: v.deniedAt } : {}), rules: side ? rulesOf(side) : l7 };
          break;
        }
        let enforced: { egress: boolean; ingress: boolean } | undefined;
        if (options.sides) {
          // Whether a side is enforced is the explanation's to say; only asked for when the caller needs it.
          const x = engine.explain(q, { positions: 'lines' });
          enforced = isProblem(x) ? { egress: false, ingress: false } : { egress: x.egress?.enforced === true, ingress: x.ingress?.enforced === true };
          if (result?.enforced) {
            enforced.egress &&= result.enforced.egress;
            enforced.ingress &&= result.enforced.ingress;
          }
        }
        result = { connection: c, verdict: 'allow', reason: result?.reason ?? v.reason, ...(enforced ? { enforced } : {}) };
      }
      if (result && result.verdict !== 'allow') break;
    }
    result ??= { connection: c, verdict: 'not-replayed', reason: 'no endpoint to replay' };
    if (result.verdict === 'allow') allowed++;
    else if (result.verdict === 'deny') denied++;
    else notReplayed++;
    results.push(result);
  }
  return { observed: connections.length, allowed, denied, notReplayed, connections: results };
}
