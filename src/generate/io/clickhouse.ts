/**
 * @module generate/io/clickhouse
 *
 * ClickHouse as a flow source (`--flows clickhouse://HOST:PORT/DB.TABLE`):
 * the reduction is pushed into the database as ONE `GROUP BY` over its HTTP
 * interface (no client library), so billions of rows are reduced where they
 * are and only the distinct groups travel. Each group is handed to the same
 * {@link Reduction.addFlow} the file reader uses, with its count and time
 * span, so the same flows give the same connections from either source.
 * The group key holds every field the reduction reads, except those it
 * ignores (source ports, pod addresses), so grouping never merges flows the
 * reduction would tell apart. The SQL keeps to what ClickHouse 18.16
 * (Debian bookworm's package) understands.
 *
 * Table layout: one row per flow, the jsonpb fields flattened
 * ({@link CLICKHOUSE_TABLE_SQL}); {@link flowToRow} writes a row.
 */
import type { Flow, FlowRecord } from '../../hubble/flow.js';
import { Reduction } from '../observed.js';

/** The documented table (`{table}` is replaced by the table name). */
export const CLICKHOUSE_TABLE_SQL = `CREATE TABLE IF NOT EXISTS {table} (
  time DateTime,                   -- flow.time (or the envelope's time), UTC seconds
  time_nanos UInt32,               -- its nanoseconds
  verdict String,                  -- FORWARDED, DROPPED, REDIRECTED, …
  type String,                     -- Type: L3_L4, L7, SOCK
  event_type UInt8,                -- event_type.type (0: absent)
  is_reply Nullable(UInt8),        -- is_reply; NULL when unknown
  ip_source String,
  ip_destination String,
  l4_protocol String,              -- TCP, UDP, SCTP, ICMPv4, ICMPv6; '' for none
  source_port UInt16,
  destination_port UInt16,
  tcp_flags Array(String),         -- the flags set: SYN, ACK, …
  icmp_type UInt8,
  source_identity UInt32,
  source_namespace String,
  source_labels Array(String),
  destination_identity UInt32,
  destination_namespace String,
  destination_labels Array(String),
  destination_names Array(String),
  l7_type String,                  -- REQUEST, RESPONSE; '' for none
  http_method String,
  http_url String,
  dns_query String,
  dns_ips Array(String)
) ENGINE = MergeTree() PARTITION BY toYYYYMM(time) ORDER BY time`;

/** One row of the table, as JSONEachRow takes it. */
export interface ClickHouseRow {
  time: number; time_nanos: number; verdict: string; type: string; event_type: number; is_reply: number | null;
  ip_source: string; ip_destination: string; l4_protocol: string; source_port: number; destination_port: number;
  tcp_flags: string[]; icmp_type: number; source_identity: number; source_namespace: string; source_labels: string[];
  destination_identity: number; destination_namespace: string; destination_labels: string[]; destination_names: string[];
  l7_type: string; http_method: string; http_url: string; dns_query: string; dns_ips: string[];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : String(v));

/** A flow as a row of the documented table. */
export function flowToRow(r: FlowRecord): ClickHouseRow {
  const f = r.flow;
  const t = f.time ?? r.time ?? { seconds: 0, nanos: 0 };
  const l4 = f.l4;
  const rec = f.l7?.record;
  const ports = l4 && 'destinationPort' in l4 ? l4 : undefined;
  const icmp = l4 && (l4.protocol === 'ICMPv4' || l4.protocol === 'ICMPv6') ? l4 : undefined;
  const flags = l4?.protocol === 'TCP' && l4.flags ? Object.entries(l4.flags).filter(([, v]) => v).map(([k]) => k).sort() : [];
  return {
    time: t.seconds, time_nanos: t.nanos, verdict: str(f.verdict), type: str(f.type), event_type: f.eventType?.type ?? 0,
    is_reply: f.isReply === undefined ? (f.reply ? 1 : null) : f.isReply ? 1 : 0,
    ip_source: f.ip?.source ?? '', ip_destination: f.ip?.destination ?? '',
    l4_protocol: l4 && l4.protocol !== 'none' ? l4.protocol : '', source_port: ports?.sourcePort ?? 0, destination_port: ports?.destinationPort ?? 0,
    tcp_flags: flags, icmp_type: icmp?.type ?? 0,
    source_identity: f.source?.identity ?? 0, source_namespace: f.source?.namespace ?? '', source_labels: f.source?.labels ?? [],
    destination_identity: f.destination?.identity ?? 0, destination_namespace: f.destination?.namespace ?? '', destination_labels: f.destination?.labels ?? [],
    destination_names: f.destinationNames ?? [], l7_type: f.l7?.type !== undefined ? str(f.l7.type) : '',
    http_method: rec?.kind === 'http' ? rec.method ?? '' : '', http_url: rec?.kind === 'http' ? rec.url ?? '' : '',
    dns_query: rec?.kind === 'dns' ? rec.query ?? '' : '', dns_ips: rec?.kind === 'dns' ? rec.ips ?? [] : [],
  };
}

export interface ClickHouseSource {
  /** `http://HOST:PORT/` of the HTTP interface. */
  readonly endpoint: string;
  readonly database: string;
  readonly table: string;
  readonly user?: string;
  readonly password?: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses `clickhouse://[USER[:PASSWORD]@]HOST[:PORT]/DB.TABLE`; the port defaults to 8123 (HTTP). */
export function parseClickHouseUrl(text: string): ClickHouseSource | string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return `invalid ClickHouse URL ${JSON.stringify(text)}: expected clickhouse://HOST:PORT/DB.TABLE`;
  }
  if (u.protocol !== 'clickhouse:') return `invalid ClickHouse URL ${JSON.stringify(text)}: expected clickhouse://HOST:PORT/DB.TABLE`;
  const path = decodeURIComponent(u.pathname.replace(/^\//, ''));
  const [database, table, ...rest] = path.split('.');
  if (!database || !table || rest.length > 0 || !NAME.test(database) || !NAME.test(table)) {
    return `invalid ClickHouse table ${JSON.stringify(path)} in ${JSON.stringify(text)}: expected DB.TABLE (letters, digits, _)`;
  }
  if (!u.hostname) return `invalid ClickHouse URL ${JSON.stringify(text)}: no host`;
  return {
    endpoint: `http://${u.hostname.includes(':') && !u.hostname.startsWith('[') ? `[${u.hostname}]` : u.hostname}:${u.port || '8123'}/`,
    database, table,
    ...(u.username ? { user: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
  };
}

// An endpoint is its address alone (the reduction ignores it) unless it may be world: pods are grouped by labels only.
const worldIp = (side: 'source' | 'destination', ip: string) =>
  `if(arrayExists(l -> l LIKE 'k8s:%', ${side}_labels) AND NOT arrayExists(l -> l LIKE 'reserved:%' OR l LIKE 'cidr:%' OR l LIKE 'fqdn:%', ${side}_labels), '', ${ip})`;

/** The one GROUP BY query that reduces the table. */
export function reductionQuery(src: ClickHouseSource, l7: boolean): string {
  const keys: [string, string][] = [
    ['verdict', 'verdict'], ['type', 'type'], ['event_type', 'event_type'], ['is_reply', 'is_reply'], ['l4_protocol', 'l4_protocol'],
    // Replies are counted, not told apart: their port is the client's.
    ['dport', 'if(ifNull(is_reply, 0) = 1, 0, destination_port)'],
    ['icmp_type', 'icmp_type'], ['syn', "has(tcp_flags, 'SYN')"], ['ack', "has(tcp_flags, 'ACK')"],
    ['source_identity', 'source_identity'], ['source_namespace', 'source_namespace'], ['source_labels', 'source_labels'],
    ['destination_identity', 'destination_identity'], ['destination_namespace', 'destination_namespace'], ['destination_labels', 'destination_labels'],
    ['src_ip', worldIp('source', 'ip_source')], ['dst_ip', `if(notEmpty(destination_names), ip_destination, ${worldIp('destination', 'ip_destination')})`],
    ['destination_names', 'destination_names'], ['l7_type', 'l7_type'],
    ['http_method', l7 ? 'http_method' : "''"], ['http_url', l7 ? 'http_url' : "''"],
    ['dns_query', l7 ? 'dns_query' : "if(notEmpty(dns_ips), dns_query, '')"], ['dns_ips', 'dns_ips'],
  ];
  const ms = 'toUInt64(time) * 1000 + intDiv(time_nanos, 1000000)';
  return `SELECT ${keys.map(([n, e]) => `${e} AS ${n}`).join(', ')}, count() AS n, min(${ms}) AS first, max(${ms}) AS last`
    + ` FROM ${src.database}.${src.table} GROUP BY ${keys.map(([n]) => n).join(', ')} FORMAT JSONEachRow`;
}

interface GroupRow {
  verdict: string; type: string; event_type: number; is_reply: number | null; l4_protocol: string; dport: number; icmp_type: number;
  syn: number; ack: number; source_identity: number; source_namespace: string; source_labels: string[];
  destination_identity: number; destination_namespace: string; destination_labels: string[]; src_ip: string; dst_ip: string;
  destination_names: string[]; l7_type: string; http_method: string; http_url: string; dns_query: string; dns_ips: string[];
  n: string | number; first: string | number; last: string | number;
}

/** A group row as the flow it stands for (the fields the reduction reads). */
function rowFlow(g: GroupRow): Flow {
  const f: { -readonly [K in keyof Flow]: Flow[K] } = {};
  if (g.verdict) f.verdict = g.verdict as Flow['verdict'];
  if (g.type) f.type = g.type as Flow['type'];
  if (g.event_type) f.eventType = { type: Number(g.event_type) };
  if (g.is_reply !== null) f.isReply = Number(g.is_reply) === 1;
  const p = g.l4_protocol;
  if (p === 'TCP') f.l4 = { protocol: 'TCP', sourcePort: 0, destinationPort: Number(g.dport), flags: { ...(Number(g.syn) ? { SYN: true } : {}), ...(Number(g.ack) ? { ACK: true } : {}) } };
  else if (p === 'UDP' || p === 'SCTP') f.l4 = { protocol: p, sourcePort: 0, destinationPort: Number(g.dport) };
  else if (p === 'ICMPv4' || p === 'ICMPv6') f.l4 = { protocol: p, type: Number(g.icmp_type), code: 0 };
  const end = (identity: number, namespace: string, labels: string[]) => ({
    ...(identity ? { identity: Number(identity) } : {}), ...(namespace ? { namespace } : {}), ...(labels.length ? { labels } : {}),
  });
  f.source = end(g.source_identity, g.source_namespace, g.source_labels);
  f.destination = end(g.destination_identity, g.destination_namespace, g.destination_labels);
  if (g.src_ip || g.dst_ip) f.ip = { ...(g.src_ip ? { source: g.src_ip } : {}), ...(g.dst_ip ? { destination: g.dst_ip } : {}) };
  if (g.destination_names.length) f.destinationNames = g.destination_names;
  if (g.l7_type) {
    const record = g.http_method ? { kind: 'http' as const, method: g.http_method, url: g.http_url }
      : g.dns_query ? { kind: 'dns' as const, query: g.dns_query, ...(g.dns_ips.length ? { ips: g.dns_ips } : {}) } : undefined;
    f.l7 = { type: g.l7_type as NonNullable<Flow['l7']>['type'], ...(record ? { record } : {}) };
  }
  return f;
}

export interface ClickHouseResult {
  readonly reduction: Reduction;
  /** Rows (groups) that came back. */
  readonly groups: number;
  readonly error?: string;
}

async function post(src: ClickHouseSource, sql: string, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'text/plain' };
  if (src.user !== undefined) headers['X-ClickHouse-User'] = src.user;
  if (src.password !== undefined) headers['X-ClickHouse-Key'] = src.password;
  return fetch(`${src.endpoint}?database=${encodeURIComponent(src.database)}`, { method: 'POST', body: sql, headers, ...(signal ? { signal } : {}) });
}

/** Runs a statement; resolves with the response text, or an error message. */
export async function clickhouseQuery(src: ClickHouseSource, sql: string): Promise<{ ok: true; text: string } | { ok: false; error: string }> {
  let res: Response;
  try {
    res = await post(src, sql);
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, error: `cannot reach ClickHouse at ${src.endpoint}: ${cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e))}` };
  }
  const text = await res.text();
  if (!res.ok) return { ok: false, error: `ClickHouse at ${src.endpoint} answered ${res.status}: ${text.trim().split('\n')[0]}` };
  return { ok: true, text };
}

/** Reduces a ClickHouse table of flows with one GROUP BY, streaming the groups in. */
export async function reduceClickHouse(src: ClickHouseSource, options: { readonly l7?: boolean } = {}): Promise<ClickHouseResult> {
  const reduction = new Reduction(options.l7 === true);
  let res: Response;
  try {
    res = await post(src, reductionQuery(src, options.l7 === true));
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return { reduction, groups: 0, error: `cannot reach ClickHouse at ${src.endpoint}: ${cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e))}` };
  }
  if (!res.ok || !res.body) {
    const text = await res.text();
    return { reduction, groups: 0, error: `ClickHouse at ${src.endpoint} answered ${res.status}: ${text.trim().split('\n')[0]}` };
  }
  let groups = 0;
  let carry = '';
  const decoder = new TextDecoder();
  const line = (l: string) => {
    if (l === '') return;
    const g = JSON.parse(l) as GroupRow;
    groups++;
    // Time 0 is a flow without a time (the row's default), as the file reader leaves it unknown.
    const t = (v: string | number) => (Number(v) === 0 ? NaN : Number(v));
    reduction.addFlow(rowFlow(g), Number(g.n), t(g.first), t(g.last));
  };
  try {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      carry += decoder.decode(chunk, { stream: true });
      let start = 0;
      let nl: number;
      while ((nl = carry.indexOf('\n', start)) >= 0) {
        line(carry.slice(start, nl));
        start = nl + 1;
      }
      carry = carry.slice(start);
    }
    line(carry + decoder.decode());
  } catch (e) {
    // ClickHouse reports an error that happens mid-stream as a text line after the rows.
    return { reduction, groups, error: `ClickHouse at ${src.endpoint}: the result was cut short (${e instanceof Error ? e.message : String(e)}): ${carry.slice(0, 200)}` };
  }
  return { reduction, groups };
}
