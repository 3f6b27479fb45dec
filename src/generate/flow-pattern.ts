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
import { copyString, internName, labelsOf, secondsAt, validTime } from './line-values.js';
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
/** One group: whole seconds (19 characters), then `.digits` or nothing (`secondsAt` reads them by position). */
const TIME = String.raw`"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?)Z"`;

const names = (t: EnumTable<string>) => `(?:${[...t.values.keys()].join('|')})`;
const en = (t: EnumTable<string>) => `"${names(t)}"`;

/**
 * An object whose fields may each be absent but come in this order: a comma
 * must be followed by another field, and the object closes after the last.
 */
function obj(fields: readonly (readonly [string, string])[]): string {
  return String.raw`\{${members(fields)}\}`;
}

/** The fields of `obj` without its braces. */
function members(fields: readonly (readonly [string, string])[]): string {
  return fields.map(([k, v]) => String.raw`(?:"${k}":${v}(?:,(?=")|(?=\})))?`).join('');
}

// Groups are numbered in the order their text appears, so the pattern is built left to right.
// Each group that takes part in a match is a string made for every line (but an empty one, which is
// free): so a yes/no is an empty group (a mark), and what is compared as a whole is one group.
let groups = 0;
function group(p: string): [string, number] {
  return [`(${p})`, ++groups];
}

const [timeGroup, TIME_S] = [TIME, ++groups];
/**
 * An enum's names with marks on those the reduction tells apart (`skipCause`): a record carries
 * only these (a verdict of DROPPED or ERROR, a type of SOCK), as it carries no source port.
 */
function marked(t: EnumTable<string>, read: readonly string[]): [string, number[]] {
  const at: number[] = [];
  const alternatives = [...t.values.keys()].map((k) => {
    if (!read.includes(k)) return k;
    const [mark, n] = group('');
    at[read.indexOf(k)] = n;
    return `${k}${mark}`;
  });
  return [`(?:${alternatives.join('|')})`, at];
}
const VERDICT_READ = ['DROPPED', 'ERROR'] as const;
const [verdict, VERDICT_MARKS] = marked(VERDICT, VERDICT_READ);
const [ipSource, IP_SOURCE] = group(BODY);
const [ipDestination, IP_DESTINATION] = group(BODY);
const IP = obj([['source', `"${ipSource}"`], ['source_xlated', STR], ['destination', `"${ipDestination}"`], ['ipVersion', en(IP_VERSION)], ['encrypted', BOOL]]);
const [tcp, TCP] = group('');
const [tcpDestination, TCP_DESTINATION] = group(U32);
const [flagsMark, TCP_FLAGS] = group('');
const [synMark, SYN] = group('');
const [ackMark, ACK] = group('');
/** A flag's value, with a mark when it is true. */
const flag = (f: string) => (f === 'SYN' ? `(?:true${synMark}|false)` : f === 'ACK' ? `(?:true${ackMark}|false)` : BOOL);
const tcpFlags = flagsMark + obj(['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'NS'].map((f) => [f, flag(f)]));
const [udp, UDP] = group('UDP|SCTP');
const [udpDestination, UDP_DESTINATION] = group(U32);
const [icmp, ICMP] = group('ICMPv4|ICMPv6');
const [icmpType, ICMP_TYPE] = group(U32);
const L4 = String.raw`\{"(?:TCP${tcp}":${obj([['source_port', U32], ['destination_port', tcpDestination], ['flags', tcpFlags]])}`
  + `|${udp}":${obj([['source_port', U32], ['destination_port', udpDestination]])}`
  + `|${icmp}":${obj([['type', icmpType], ['code', U32]])})\}`;

const WORKLOADS = String.raw`\[(?:${obj([['name', STR], ['kind', STR]])}(?:,${obj([['name', STR], ['kind', STR]])})*)?\]`;
/** An endpoint, with one group around the fields that decide it (identity to labels: see `endpointOf`). */
function endpoint(): [string, number] {
  const [span, at] = group(members([['identity', U32], ['cluster_name', STR], ['namespace', STR], ['labels', STRS]]));
  return [String.raw`\{${members([['ID', U32]])}${span}${members([['pod_name', STR], ['workloads', WORKLOADS]])}\}`, at];
}
const [source, SOURCE] = endpoint();
const [destination, DESTINATION] = endpoint();
const [type, TYPE_MARKS] = marked(FLOW_TYPE, ['SOCK']);
const SOCK = TYPE_MARKS[0]!;
const [destinationNames, DESTINATION_NAMES] = group(STRS);
const HEADER = obj([['key', STR], ['value', STR]]);
const HTTP = obj([['code', U32], ['method', STR], ['url', STR], ['protocol', STR], ['headers', String.raw`\[(?:${HEADER}(?:,${HEADER})*)?\]`]]);
const DNS = obj([
  ['query', STR], ['ips', STRS], ['ttl', U32], ['cnames', STRS], ['observation_source', STR], ['rcode', U32], ['qtypes', STRS], ['rrtypes', STRS],
]);
// The record is a oneof: at most one of dns and http (kafka is left to the scanner).
const L7_BODY = String.raw`\{(?:"type":"(?:UNKNOWN_L7_TYPE|REQUEST|RESPONSE|SAMPLE)"(?:,(?=")|(?=\})))?(?:"latency_ns":${U64}(?:,(?=")|(?=\})))?(?:(?:"dns":${DNS}|"http":${HTTP})(?=\}))?\}`;
const [l7, L7] = group(L7_BODY);
const [replyMark, REPLY] = group('');
// int32: nine digits at most keeps it in range (negative types go to the scanner, then the careful path).
const [eventType, EVENT_TYPE] = group(String.raw`0|[1-9]\d{0,8}`);
const EVENT = obj([['type', eventType], ['sub_type', String.raw`(?:0|[1-9]\d{0,8})`]]);
const SERVICE = obj([['name', STR], ['namespace', STR]]);
const [isReplyTrue, IS_REPLY_TRUE] = group('');
const [isReplyFalse, IS_REPLY_FALSE] = group('');
const POLICY = obj([['name', STR], ['namespace', STR], ['labels', STRS], ['revision', U64], ['kind', STR]]);
const POLICIES = String.raw`\[(?:${POLICY}(?:,${POLICY})*)?\]`;

const FLOW = obj([
  ['time', timeGroup], ['uuid', STR], ['emitter', obj([['name', STR], ['version', STR]])], ['verdict', `"${verdict}"`], ['drop_reason', U32],
  ['auth_type', en(AUTH_TYPE)], ['ethernet', obj([['source', STR], ['destination', STR]])], ['IP', IP], ['l4', L4],
  ['source', source], ['destination', destination], ['Type', `"${type}"`], ['node_name', STR], ['node_labels', STRS], ['source_names', STRS],
  ['destination_names', destinationNames], ['l7', l7], ['reply', `(?:true${replyMark}|false)`], ['event_type', EVENT], ['source_service', SERVICE],
  ['destination_service', SERVICE], ['traffic_direction', en(TRAFFIC_DIRECTION)], ['policy_match_type', U32],
  ['trace_observation_point', en(TRACE_OBSERVATION_POINT)], ['trace_reason', en(TRACE_REASON)], ['file', obj([['name', STR], ['line', U32]])],
  ['drop_reason_desc', en(DROP_REASON)], ['is_reply', `(?:true${isReplyTrue}|false${isReplyFalse})`], ['debug_capture_point', en(DEBUG_CAPTURE_POINT)],
  ['interface', obj([['index', U32], ['name', STR]])], ['proxy_port', U32], ['sock_xlate_point', en(SOCKET_TRANSLATION_POINT)],
  ['socket_cookie', U64], ['cgroup_id', U64], ['Summary', STR], ['egress_allowed_by', POLICIES], ['ingress_allowed_by', POLICIES],
  ['egress_denied_by', POLICIES], ['ingress_denied_by', POLICIES], ['policy_log', STRS],
]);
const ENVELOPE_TIME = ++groups;
const LINE = new RegExp(String.raw`^\{"flow":${FLOW}(?:,"node_name":${STR})?(?:,"time":${TIME})?\}$`);

/** Thrown when a value the expression let through is still not one the decoder takes (an invalid date). */
const NOT_HERE = new Error('not for the pattern');

function time(m: RegExpExecArray, at: number): Timestamp | undefined {
  const whole = m[at];
  if (whole === undefined) return undefined;
  // Whole seconds are 19 characters, then `.` and the fraction.
  const t = secondsAt(whole, 0, 20, whole.length);
  if (!t) throw NOT_HERE;
  return t;
}

/** The string inside quotes, as a string of its own. */
function text(body: string): string {
  return body.includes('\\') ? (JSON.parse(`"${body}"`) as string) : copyString(body);
}

/** The verdict of a match, when it is one the reduction tells apart. */
function verdictOf(m: RegExpExecArray): (typeof VERDICT_READ)[number] | undefined {
  for (let i = 0; i < VERDICT_READ.length; i++) if (m[VERDICT_MARKS[i]!] !== undefined) return VERDICT_READ[i];
  return undefined;
}

/** The unsigned integer at `i` of `t` (the expression bounds it). */
function uintAt(t: string, i: number): number {
  let v = 0;
  for (let j = i; j < t.length; j++) {
    const d = t.charCodeAt(j) - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  return v;
}

// Endpoints by identity, checked against the text of their deciding fields: one object per identity.
const BY_IDENTITY = new Map<number, { span: string; endpoint: Endpoint | undefined }>();

/**
 * An endpoint by its group: the fields identity, cluster_name, namespace
 * and labels as written (a trailing comma when more follow), which decide
 * it (ID and pod_name differ from pod to pod of one identity). No endpoint
 * when it has none of identity, namespace and labels.
 */
function endpointOf(span: string): Endpoint | undefined {
  // The identity is the first of these fields: `"identity":N`.
  const hasId = span.charCodeAt(1) === 105;
  const id = hasId ? uintAt(span, 11) : 0;
  const known = BY_IDENTITY.get(id);
  if (known && known.span === span) return known.endpoint;
  const n = span.indexOf('"namespace":"');
  const l = span.indexOf('"labels":[');
  let e: Endpoint | undefined;
  if (hasId || n >= 0 || l >= 0) {
    e = {};
    if (id) e.identity = id;
    if (n >= 0) {
      const ns = span.slice(n + 13, l >= 0 ? l - 2 : span.lastIndexOf('"'));
      if (ns) e.namespace = ns.includes('\\') ? text(ns) : internName(ns);
    }
    // The labels are the last of these fields.
    const list = l < 0 ? undefined : labelsOf(span.slice(l + 9, span.charCodeAt(span.length - 1) === 44 ? span.length - 1 : span.length));
    if (list) e.labels = list;
  }
  if (BY_IDENTITY.size >= 4096) BY_IDENTITY.clear();
  BY_IDENTITY.set(id, { span: copyString(span), endpoint: e });
  return e;
}

type MutableFlow = { -readonly [K in keyof Flow]: Flow[K] };

function flowOf(m: RegExpExecArray): Flow {
  const f: MutableFlow = {};
  const t = time(m, TIME_S);
  if (t) f.time = t;
  const v = verdictOf(m);
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
    if (m[TCP_FLAGS] === undefined) f.l4 = { protocol: 'TCP', sourcePort, destinationPort };
    else {
      const flags: { SYN?: boolean; ACK?: boolean } = {};
      if (m[SYN] !== undefined) flags.SYN = true;
      if (m[ACK] !== undefined) flags.ACK = true;
      f.l4 = { protocol: 'TCP', sourcePort, destinationPort, flags };
    }
  } else if (m[UDP] !== undefined) {
    f.l4 = { protocol: m[UDP] === 'UDP' ? 'UDP' : 'SCTP', sourcePort: 0, destinationPort: Number(m[UDP_DESTINATION] ?? 0) };
  } else if (m[ICMP] !== undefined) {
    f.l4 = { protocol: m[ICMP] === 'ICMPv4' ? 'ICMPv4' : 'ICMPv6', type: Number(m[ICMP_TYPE] ?? 0), code: 0 };
  }
  const from = m[SOURCE] === undefined ? undefined : endpointOf(m[SOURCE]);
  if (from) f.source = from;
  const to = m[DESTINATION] === undefined ? undefined : endpointOf(m[DESTINATION]);
  if (to) f.destination = to;
  if (m[SOCK] !== undefined) f.type = 'SOCK';
  const dn = m[DESTINATION_NAMES];
  if (dn !== undefined && dn !== '[]') f.destinationNames = JSON.parse(dn) as string[];
  const l7Text = m[L7];
  if (l7Text !== undefined) {
    const l7 = scanLayer7(l7Text);
    if (!l7) throw NOT_HERE;
    f.l7 = l7;
  }
  if (m[REPLY] !== undefined) f.reply = true;
  const et = m[EVENT_TYPE];
  if (et !== undefined) f.eventType = et === '0' ? {} : { type: Number(et) };
  if (m[IS_REPLY_TRUE] !== undefined) f.isReply = true;
  else if (m[IS_REPLY_FALSE] !== undefined) f.isReply = false;
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
    syn = m[SYN] !== undefined;
    ack = m[ACK] !== undefined;
  } else if (m[UDP] !== undefined) {
    protocol = m[UDP];
    port = Number(m[UDP_DESTINATION] ?? 0);
  } else if (m[ICMP] !== undefined) {
    protocol = m[ICMP];
    port = Number(m[ICMP_TYPE] ?? 0);
  }
  const et = m[EVENT_TYPE];
  const isReply = m[IS_REPLY_TRUE] !== undefined ? true : m[IS_REPLY_FALSE] !== undefined ? false : undefined;
  return skipCause(
    verdictOf(m), m[SOCK] !== undefined ? 'SOCK' : undefined, et === undefined || et === '0' ? undefined : Number(et), isReply,
    m[REPLY] !== undefined, false, protocol, port, syn, ack,
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
    // The reduction reads the envelope's time only when the flow has none (`flowMillis`): otherwise it is only checked.
    if (flow.time) {
      const at = m[ENVELOPE_TIME];
      return at === undefined || validTime(at) ? { flow } : undefined;
    }
    const at = time(m, ENVELOPE_TIME);
    return at ? { flow, time: at } : { flow };
  } catch (e) {
    if (e === NOT_HERE) return undefined;
    throw e;
  }
}
