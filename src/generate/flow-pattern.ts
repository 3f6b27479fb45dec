/**
 * @module generate/flow-pattern
 *
 * The first reader of an exporter line: one regular expression for the
 * layout Hubble itself writes (protojson with proto names, fields in the
 * order of `flow.proto`, no whitespace; reference §1), with groups around
 * the few values the reduction reads. The regular expression engine walks a
 * line several times faster than `JSON.parse` or a loop in JavaScript can,
 * and it builds nothing but the groups.
 *
 * The expression only matches text that is valid JSON in which every field
 * has the type the full decoder wants (strings with valid escapes and no
 * control characters, unsigned integers in range, enum names the tables
 * know, each field at most once), so a match reads as the careful path
 * would. Anything else — another field order, camelCase names, a field it
 * does not list, a null, whitespace — does not match, and the line goes to
 * the scanner (`scan-decode.ts`), then to the careful path.
 *
 * Its records are for a `Reduction` alone: they carry what the reduction
 * reads (no source ports, no ICMP codes), and a line the reduction will skip
 * before its endpoints gets a record standing for the cause (`skippedRecord`).
 */
import type { Endpoint, Flow, FlowRecord, Timestamp } from '../hubble/flow.js';
import {
  AUTH_TYPE, DEBUG_CAPTURE_POINT, DROP_REASON, FLOW_TYPE, IP_VERSION, SOCKET_TRANSLATION_POINT, TRACE_OBSERVATION_POINT,
  TRACE_REASON, TRAFFIC_DIRECTION, VERDICT, type EnumTable,
} from '../hubble/enums.js';
import { copyString, internName, labelsOf, secondsOf, validTime } from './line-values.js';
import { scanLayer7 } from './scan-decode.js';
import { skipCause, skippedRecord } from './observed.js';

// JSON pieces, as regular expression source.
const CH = String.raw`[^"\\\x00-\x1f]`;
/** The inside of a JSON string: no raw control character, only the escapes JSON has. */
const BODY = String.raw`${CH}*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})${CH}*)*`;
const STR = `"${BODY}"`;
const STRS = String.raw`\[(?:${STR}(?:,${STR})*)?\]`;
/** A uint32 the decoder accepts (at most 4294967295; other ten-digit numbers go to the scanner). */
const U32 = String.raw`(?:0|[1-9]\d{0,8}|[1-3]\d{9}|4294967295)`;
/** A uint64: protojson's string of digits, or a number small enough to be exact. */
const U64 = String.raw`(?:"(?:0|[1-9]\d{0,18})"|0|[1-9]\d{0,14})`;
const BOOL = '(?:true|false)';
const TIME = String.raw`"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z"`;

const names = (t: EnumTable<string>) => `(?:${[...t.values.keys()].join('|')})`;
const en = (t: EnumTable<string>) => `"${names(t)}"`;

/**
 * An object whose fields may each be absent but come in this order: a comma
 * must be followed by another field, and the object closes after the last.
 */
function obj(fields: readonly (readonly [string, string])[]): string {
  return String.raw`\{` + fields.map(([k, v]) => String.raw`(?:"${k}":${v}(?:,(?=")|(?=\})))?`).join('') + String.raw`\}`;
}

// Groups are numbered in the order their text appears, so the pattern is built left to right.
let groups = 0;
function group(p: string): [string, number] {
  return [`(${p})`, ++groups];
}

const [timeGroup, TIME_S] = [TIME, (groups += 2) - 1];
const [verdict, VERDICT_G] = group(names(VERDICT));
const [ipSource, IP_SOURCE] = group(BODY);
const [ipDestination, IP_DESTINATION] = group(BODY);
const IP = obj([['source', `"${ipSource}"`], ['source_xlated', STR], ['destination', `"${ipDestination}"`], ['ipVersion', en(IP_VERSION)], ['encrypted', BOOL]]);
const [tcp, TCP] = group('TCP');
const [tcpDestination, TCP_DESTINATION] = group(U32);
const [tcpFlags, TCP_FLAGS] = group(obj(['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'NS'].map((f) => [f, BOOL])));
const [udp, UDP] = group('UDP|SCTP');
const [udpDestination, UDP_DESTINATION] = group(U32);
const [icmp, ICMP] = group('ICMPv4|ICMPv6');
const [icmpType, ICMP_TYPE] = group(U32);
const L4 = String.raw`\{"(?:${tcp}":${obj([['source_port', U32], ['destination_port', tcpDestination], ['flags', tcpFlags]])}`
  + `|${udp}":${obj([['source_port', U32], ['destination_port', udpDestination]])}`
  + `|${icmp}":${obj([['type', icmpType], ['code', U32]])})\}`;

const WORKLOADS = String.raw`\[(?:${obj([['name', STR], ['kind', STR]])}(?:,${obj([['name', STR], ['kind', STR]])})*)?\]`;
function endpoint(): [string, number] {
  const [identity, at] = group(U32);
  const [namespace] = group(BODY);
  const [labels] = group(STRS);
  return [obj([['ID', U32], ['identity', identity], ['cluster_name', STR], ['namespace', `"${namespace}"`], ['labels', labels], ['pod_name', STR], ['workloads', WORKLOADS]]), at];
}
const [source, SOURCE] = endpoint();
const [destination, DESTINATION] = endpoint();
const [type, TYPE] = group(names(FLOW_TYPE));
const [destinationNames, DESTINATION_NAMES] = group(STRS);
const HEADER = obj([['key', STR], ['value', STR]]);
const HTTP = obj([['code', U32], ['method', STR], ['url', STR], ['protocol', STR], ['headers', String.raw`\[(?:${HEADER}(?:,${HEADER})*)?\]`]]);
const DNS = obj([
  ['query', STR], ['ips', STRS], ['ttl', U32], ['cnames', STRS], ['observation_source', STR], ['rcode', U32], ['qtypes', STRS], ['rrtypes', STRS],
]);
// The record is a oneof: at most one of dns and http (kafka is left to the scanner).
const L7_BODY = String.raw`\{(?:"type":"(?:UNKNOWN_L7_TYPE|REQUEST|RESPONSE|SAMPLE)"(?:,(?=")|(?=\})))?(?:"latency_ns":${U64}(?:,(?=")|(?=\})))?(?:(?:"dns":${DNS}|"http":${HTTP})(?=\}))?\}`;
const [l7, L7] = group(L7_BODY);
const [reply, REPLY] = group(BOOL);
// int32: nine digits at most keeps it in range (negative types go to the scanner, then the careful path).
const [eventType, EVENT_TYPE] = group(String.raw`0|[1-9]\d{0,8}`);
const EVENT = obj([['type', eventType], ['sub_type', String.raw`(?:0|[1-9]\d{0,8})`]]);
const SERVICE = obj([['name', STR], ['namespace', STR]]);
const [isReply, IS_REPLY] = group(BOOL);
const POLICY = obj([['name', STR], ['namespace', STR], ['labels', STRS], ['revision', U64], ['kind', STR]]);
const POLICIES = String.raw`\[(?:${POLICY}(?:,${POLICY})*)?\]`;

const FLOW = obj([
  ['time', timeGroup], ['uuid', STR], ['emitter', obj([['name', STR], ['version', STR]])], ['verdict', `"${verdict}"`], ['drop_reason', U32],
  ['auth_type', en(AUTH_TYPE)], ['ethernet', obj([['source', STR], ['destination', STR]])], ['IP', IP], ['l4', L4],
  ['source', source], ['destination', destination], ['Type', `"${type}"`], ['node_name', STR], ['node_labels', STRS], ['source_names', STRS],
  ['destination_names', destinationNames], ['l7', l7], ['reply', reply], ['event_type', EVENT], ['source_service', SERVICE],
  ['destination_service', SERVICE], ['traffic_direction', en(TRAFFIC_DIRECTION)], ['policy_match_type', U32],
  ['trace_observation_point', en(TRACE_OBSERVATION_POINT)], ['trace_reason', en(TRACE_REASON)], ['file', obj([['name', STR], ['line', U32]])],
  ['drop_reason_desc', en(DROP_REASON)], ['is_reply', isReply], ['debug_capture_point', en(DEBUG_CAPTURE_POINT)],
  ['interface', obj([['index', U32], ['name', STR]])], ['proxy_port', U32], ['sock_xlate_point', en(SOCKET_TRANSLATION_POINT)],
  ['socket_cookie', U64], ['cgroup_id', U64], ['Summary', STR], ['egress_allowed_by', POLICIES], ['ingress_allowed_by', POLICIES],
  ['egress_denied_by', POLICIES], ['ingress_denied_by', POLICIES], ['policy_log', STRS],
]);
const ENVELOPE_TIME = (groups += 2) - 1;
const LINE = new RegExp(String.raw`^\{"flow":${FLOW}(?:,"node_name":${STR})?(?:,"time":${TIME})?\}$`);

/** Thrown when a value the expression let through is still not one the decoder takes (an invalid date). */
const NOT_HERE = new Error('not for the pattern');

function time(m: RegExpExecArray, at: number): Timestamp | undefined {
  const whole = m[at];
  if (whole === undefined) return undefined;
  const t = secondsOf(whole, m[at + 1]);
  if (!t) throw NOT_HERE;
  return t;
}

/** The string inside quotes, as a string of its own. */
function text(body: string): string {
  return body.includes('\\') ? (JSON.parse(`"${body}"`) as string) : copyString(body);
}

function enumName<N extends string>(t: EnumTable<N>, name: string | undefined): N | undefined {
  if (name === undefined) return undefined;
  const v = t.values.get(name);
  return v ? t.names.get(v) : undefined;
}

// Endpoints by identity, checked against their namespace and labels text: one object per identity.
const BY_IDENTITY = new Map<number, { namespace: string | undefined; labels: string | undefined; endpoint: Endpoint }>();

function endpointOf(m: RegExpExecArray, at: number): Endpoint {
  const id = m[at] === undefined ? 0 : Number(m[at]);
  const ns = m[at + 1];
  const labels = m[at + 2];
  const known = BY_IDENTITY.get(id);
  if (known && known.namespace === ns && known.labels === labels) return known.endpoint;
  const e: Endpoint = {};
  if (id) e.identity = id;
  if (ns) e.namespace = ns.includes('\\') ? text(ns) : internName(ns);
  const list = labels === undefined ? undefined : labelsOf(labels);
  if (list) e.labels = list;
  if (BY_IDENTITY.size >= 4096) BY_IDENTITY.clear();
  BY_IDENTITY.set(id, { namespace: ns === undefined ? undefined : copyString(ns), labels: labels === undefined ? undefined : copyString(labels), endpoint: e });
  return e;
}

type MutableFlow = { -readonly [K in keyof Flow]: Flow[K] };

function flowOf(m: RegExpExecArray): Flow {
  const f: MutableFlow = {};
  const t = time(m, TIME_S);
  if (t) f.time = t;
  const v = enumName(VERDICT, m[VERDICT_G]);
  if (v) f.verdict = v;
  const src = m[IP_SOURCE];
  const dst = m[IP_DESTINATION];
  if (src !== undefined || dst !== undefined) {
    // An IP object is present when either group is; an empty one is rare and `{}` either way.
    const ip: { source?: string; destination?: string } = {};
    if (src) ip.source = text(src);
    if (dst) ip.destination = text(dst);
    f.ip = ip;
  }
  if (m[TCP] !== undefined) {
    // Source ports and ICMP codes are not captured: the reduction never reads them, and each group costs every line.
    const sourcePort = 0;
    const destinationPort = Number(m[TCP_DESTINATION] ?? 0);
    const fl = m[TCP_FLAGS];
    if (fl === undefined) f.l4 = { protocol: 'TCP', sourcePort, destinationPort };
    else {
      const flags: { SYN?: boolean; ACK?: boolean } = {};
      if (fl.includes('"SYN":true')) flags.SYN = true;
      if (fl.includes('"ACK":true')) flags.ACK = true;
      f.l4 = { protocol: 'TCP', sourcePort, destinationPort, flags };
    }
  } else if (m[UDP] !== undefined) {
    f.l4 = { protocol: m[UDP] === 'UDP' ? 'UDP' : 'SCTP', sourcePort: 0, destinationPort: Number(m[UDP_DESTINATION] ?? 0) };
  } else if (m[ICMP] !== undefined) {
    f.l4 = { protocol: m[ICMP] === 'ICMPv4' ? 'ICMPv4' : 'ICMPv6', type: Number(m[ICMP_TYPE] ?? 0), code: 0 };
  }
  if (m[SOURCE] !== undefined || m[SOURCE + 1] !== undefined || m[SOURCE + 2] !== undefined) f.source = endpointOf(m, SOURCE);
  if (m[DESTINATION] !== undefined || m[DESTINATION + 1] !== undefined || m[DESTINATION + 2] !== undefined) f.destination = endpointOf(m, DESTINATION);
  const ty = enumName(FLOW_TYPE, m[TYPE]);
  if (ty) f.type = ty;
  const dn = m[DESTINATION_NAMES];
  if (dn !== undefined && dn !== '[]') f.destinationNames = JSON.parse(dn) as string[];
  const l7Text = m[L7];
  if (l7Text !== undefined) {
    const l7 = scanLayer7(l7Text);
    if (!l7) throw NOT_HERE;
    f.l7 = l7;
  }
  if (m[REPLY] === 'true') f.reply = true;
  const et = m[EVENT_TYPE];
  if (et !== undefined) f.eventType = et === '0' ? {} : { type: Number(et) };
  const r = m[IS_REPLY];
  if (r !== undefined) f.isReply = r === 'true';
  return f;
}

// The groups above must be numbered as the expression numbers them.
if (new RegExp(`${LINE.source}|`).exec('')!.length !== groups + 1) throw new Error('flow-pattern: group numbering is off');

/**
 * The cause the reduction will skip the matched line for, decided from the
 * groups alone (`undefined`: the line needs its flow). A line with an L7 part
 * or destination names teaches DNS names, so it always gets its flow.
 */
function skipOf(m: RegExpExecArray) {
  if (m[L7] !== undefined) return undefined;
  const dn = m[DESTINATION_NAMES];
  if (dn !== undefined && dn !== '[]') return undefined;
  let protocol: string | undefined;
  let port = 0;
  let syn = false;
  let ack = false;
  if (m[TCP] !== undefined) {
    protocol = 'TCP';
    port = Number(m[TCP_DESTINATION] ?? 0);
    const fl = m[TCP_FLAGS];
    if (fl !== undefined) {
      syn = fl.includes('"SYN":true');
      ack = fl.includes('"ACK":true');
    }
  } else if (m[UDP] !== undefined) {
    protocol = m[UDP];
    port = Number(m[UDP_DESTINATION] ?? 0);
  } else if (m[ICMP] !== undefined) {
    protocol = m[ICMP];
    port = Number(m[ICMP_TYPE] ?? 0);
  }
  const et = m[EVENT_TYPE];
  const r = m[IS_REPLY];
  return skipCause(
    m[VERDICT_G], m[TYPE], et === undefined || et === '0' ? undefined : Number(et), r === undefined ? undefined : r === 'true',
    m[REPLY] === 'true', false, protocol, port, syn, ack,
  );
}

/**
 * The record of a line in Hubble's own layout, or `undefined` when it is not
 * one (the scanner reads it then). For the reduction alone: a line it will
 * skip gets a record standing for its cause (`skippedRecord`), not its flow.
 */
export function matchFlowLine(line: string): FlowRecord | undefined {
  const m = LINE.exec(line);
  if (m === null) return undefined;
  try {
    const cause = skipOf(m);
    if (cause !== undefined) {
      // The times are still checked: a line with an invalid date is the careful path's to report.
      const t = m[TIME_S];
      const at = m[ENVELOPE_TIME];
      if ((t !== undefined && !validTime(t)) || (at !== undefined && !validTime(at))) return undefined;
      return skippedRecord(cause);
    }
    const flow = flowOf(m);
    const at = time(m, ENVELOPE_TIME);
    return at ? { flow, time: at } : { flow };
  } catch (e) {
    if (e === NOT_HERE) return undefined;
    throw e;
  }
}
