/**
 * @module generate/scan-decode
 *
 * The reduction's reader for exporter lines that are not in Hubble's own
 * layout (other key order, camelCase names, whitespace, unknown fields): it
 * walks the line once with the checking cursor (`json-cursor.ts`), checks
 * every field Hubble's decoder knows as that decoder would, and builds only
 * the values the reduction reads (verdict, types, reply, l4, endpoints, IPs,
 * L7 request or DNS answer, destination names, times).
 *
 * It answers only when it is sure to give what `JSON.parse` and the full
 * `decodeValue` would: a bare flow, a field given by both its names or
 * twice, an enum as a number, an integer as a string, an escaped key, a
 * rare message such as `tunnel`, a line that is not valid JSON all return
 * `undefined`, and the careful path reads the line, so skips and their
 * messages are exactly the reader's.
 */
import type { Endpoint, Flow, FlowRecord, L7Record, Layer4, TcpFlags, Timestamp } from '../hubble/flow.js';
import {
  AUTH_TYPE, DEBUG_CAPTURE_POINT, DROP_REASON, FLOW_TYPE, IP_VERSION, L7_FLOW_TYPE, SOCKET_TRANSLATION_POINT,
  TRACE_OBSERVATION_POINT, TRACE_REASON, TRAFFIC_DIRECTION, VERDICT,
} from '../hubble/enums.js';
import type { LineResult } from '../hubble/parse-line.js';
import { parseTimestamp } from '../hubble/time.js';
import {
  bool, enumCheck, enumValue, fail, fields, u64, hadEscape, isNull, key, listCheck, messageCheck, more, OBJECT, open, RARE, READ, scan, shape,
  skip, STR, strings, stringList, strText, strValue, STRS, textFrom, uint, U32, U64, ws, type Check,
} from './json-cursor.js';
import { internName, labelsOf, secondsAt } from './line-values.js';

function labels(): string[] | undefined {
  const a = strings();
  return a < 0 ? undefined : labelsOf(textFrom(a));
}

const UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z$/;

function time(): Timestamp | undefined {
  if (isNull()) return undefined;
  const text = strText();
  if (hadEscape()) fail();
  // The common form by arithmetic: 19 characters of whole seconds, then `.digits` or nothing, then `Z`.
  const t = UTC.test(text) ? secondsAt(text, 0, 20, text.length > 20 ? text.length - 1 : 20) : parseTimestamp(text);
  if (!t) fail();
  return t;
}

const SERVICE = messageCheck(shape([[['name'], STR], [['namespace'], STR]]));
const POLICIES = listCheck(shape([[['name'], STR], [['namespace'], STR], [['labels'], STRS], [['revision'], U64], [['kind'], STR]]));
const HEADERS = listCheck(shape([[['key'], STR], [['value'], STR]]));
const WORKLOADS = listCheck(shape([[['name'], STR], [['kind'], STR]]));

// Flow fields, in `decodeFlow`'s names. The first twelve are read (`flowField`); the others checked.
const FLOW_FIELDS: readonly (readonly [readonly string[], Check])[] = [
  [['time'], READ], [['verdict'], READ], [['IP'], READ], [['l4'], READ], [['source'], READ], [['destination'], READ],
  [['Type'], READ], [['destination_names', 'destinationNames'], READ], [['l7'], READ], [['reply'], READ],
  [['event_type', 'eventType'], READ], [['is_reply', 'isReply'], READ],
  [['uuid'], STR], [['node_name', 'nodeName'], STR], [['Summary', 'summary'], STR],
  [['emitter'], messageCheck(shape([[['name'], STR], [['version'], STR]]))],
  [['drop_reason', 'dropReason'], U32], [['policy_match_type', 'policyMatchType'], U32], [['proxy_port', 'proxyPort'], U32],
  [['auth_type', 'authType'], enumCheck(AUTH_TYPE)], [['traffic_direction', 'trafficDirection'], enumCheck(TRAFFIC_DIRECTION)],
  [['trace_observation_point', 'traceObservationPoint'], enumCheck(TRACE_OBSERVATION_POINT)],
  [['trace_reason', 'traceReason'], enumCheck(TRACE_REASON)], [['drop_reason_desc', 'dropReasonDesc'], enumCheck(DROP_REASON)],
  [['debug_capture_point', 'debugCapturePoint'], enumCheck(DEBUG_CAPTURE_POINT)],
  [['sock_xlate_point', 'sockXlatePoint'], enumCheck(SOCKET_TRANSLATION_POINT)],
  [['ethernet'], messageCheck(shape([[['source'], STR], [['destination'], STR]]))],
  [['node_labels', 'nodeLabels'], STRS], [['source_names', 'sourceNames'], STRS], [['policy_log', 'policyLog'], STRS],
  [['source_service', 'sourceService'], SERVICE], [['destination_service', 'destinationService'], SERVICE],
  [['file'], messageCheck(shape([[['name'], STR], [['line'], U32]]))],
  [['interface'], messageCheck(shape([[['index'], U32], [['name'], STR]]))],
  [['socket_cookie', 'socketCookie'], U64], [['cgroup_id', 'cgroupId'], U64], [['extensions'], OBJECT],
  [['egress_allowed_by', 'egressAllowedBy'], POLICIES], [['ingress_allowed_by', 'ingressAllowedBy'], POLICIES],
  [['egress_denied_by', 'egressDeniedBy'], POLICIES], [['ingress_denied_by', 'ingressDeniedBy'], POLICIES],
  [['tunnel'], RARE], [['ip_trace_id', 'ipTraceId'], RARE], [['trace_context', 'traceContext'], RARE], [['aggregate'], RARE],
];
const FLOW = new Map<string, number>();
FLOW_FIELDS.forEach(([names], i) => names.forEach((k) => FLOW.set(k, i)));

const enum F { Time, Verdict, Ip, L4, Source, Destination, Type, DestinationNames, L7, Reply, EventType, IsReply }

type MutableFlow = { -readonly [K in keyof Flow]: Flow[K] };

function flowField(f: MutableFlow, i: number): void {
  switch (i) {
    case F.Time: {
      const t = time();
      if (t) f.time = t;
      return;
    }
    case F.Verdict: {
      const v = enumValue(VERDICT);
      if (v) f.verdict = v;
      return;
    }
    case F.Type: {
      const v = enumValue(FLOW_TYPE);
      if (v) f.type = v;
      return;
    }
    case F.Ip:
      if (!isNull()) f.ip = ip();
      return;
    case F.L4:
      if (!isNull()) f.l4 = layer4();
      return;
    case F.Source:
      if (!isNull()) f.source = endpoint();
      return;
    case F.Destination:
      if (!isNull()) f.destination = endpoint();
      return;
    case F.DestinationNames: {
      const v = stringList();
      if (v) f.destinationNames = v;
      return;
    }
    case F.L7:
      if (!isNull()) f.l7 = layer7();
      return;
    case F.Reply:
      if (bool()) f.reply = true;
      return;
    case F.EventType:
      if (!isNull()) f.eventType = eventType();
      return;
    case F.IsReply: {
      // A BoolValue given as {"value": …} is rare: the careful path reads it.
      const v = bool();
      if (v !== undefined) f.isReply = v;
      return;
    }
    default:
      FLOW_FIELDS[i]![1]();
  }
}

function flow(): Flow {
  const f: MutableFlow = {};
  // Fields seen: more than 31, so two masks.
  let lo = 0;
  let hi = 0;
  if (open()) {
    do {
      const i = FLOW.get(key());
      if (i === undefined) skip(2);
      else {
        if (i < 31) {
          if (lo & (1 << i)) fail();
          lo |= 1 << i;
        } else {
          if (hi & (1 << (i - 31))) fail();
          hi |= 1 << (i - 31);
        }
        flowField(f, i);
      }
    } while (more());
  }
  return f;
}

const IP_KEYS = new Map([['source', 0], ['destination', 1], ['ipVersion', 2], ['source_xlated', 3], ['sourceXlated', 3], ['encrypted', 4]]);

function ip(): NonNullable<Flow['ip']> {
  const r: { source?: string; destination?: string } = {};
  fields(IP_KEYS, 3, (i) => {
    if (i === 0 || i === 1) {
      if (isNull()) return;
      const v = strValue();
      if (v !== '') {
        if (i === 0) r.source = v;
        else r.destination = v;
      }
    } else if (i === 2) enumValue(IP_VERSION);
    else if (i === 3) STR();
    else bool();
  });
  return r;
}

const L4_KEYS = new Map([['TCP', 0], ['UDP', 1], ['SCTP', 2], ['ICMPv4', 3], ['ICMPv6', 4], ['VRRP', 5], ['IGMP', 5]]);
const UDP_PORT_KEYS = new Map([['source_port', 0], ['sourcePort', 0], ['destination_port', 1], ['destinationPort', 1]]);
/** TCP has flags too; UDP and SCTP have none, and the decoder ignores a `flags` there. */
const TCP_PORT_KEYS = new Map([...UDP_PORT_KEYS, ['flags', 2]]);
const ICMP_KEYS = new Map([['type', 0], ['code', 1]]);
const TCP_FLAG_LIST = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'NS'] as const;
const TCP_FLAG_NAMES = new Map(TCP_FLAG_LIST.map((k, i) => [k, i]));
const PROTOCOLS = ['TCP', 'UDP', 'SCTP', 'ICMPv4', 'ICMPv6'] as const;

function layer4(): Layer4 {
  let out: Layer4 | undefined;
  if (open()) {
    do {
      const i = L4_KEYS.get(key());
      if (i === undefined) skip(3);
      else if (i === 5) fail();
      else if (!isNull()) {
        // Two protocols: the careful path knows which one wins.
        if (out) fail();
        out = i <= 2 ? ports(PROTOCOLS[i] as 'TCP' | 'UDP' | 'SCTP') : icmp(PROTOCOLS[i] as 'ICMPv4' | 'ICMPv6');
      }
    } while (more());
  }
  // An empty l4 (protocol none) is rare.
  if (!out) fail();
  return out;
}

function ports(protocol: 'TCP' | 'UDP' | 'SCTP'): Layer4 {
  let sourcePort = 0;
  let destinationPort = 0;
  let flags: TcpFlags | undefined;
  fields(protocol === 'TCP' ? TCP_PORT_KEYS : UDP_PORT_KEYS, 4, (i) => {
    if (i === 0) sourcePort = uint(0xffffffff) ?? 0;
    else if (i === 1) destinationPort = uint(0xffffffff) ?? 0;
    else if (!isNull()) flags = tcpFlags();
  });
  if (protocol !== 'TCP') return { protocol, sourcePort, destinationPort };
  return flags ? { protocol, sourcePort, destinationPort, flags } : { protocol, sourcePort, destinationPort };
}

function tcpFlags(): TcpFlags {
  const flags: TcpFlags = {};
  fields(TCP_FLAG_NAMES, 5, (i) => {
    if (bool() === true && (i === 1 || i === 4)) flags[TCP_FLAG_LIST[i] as 'SYN' | 'ACK'] = true;
  });
  return flags;
}

function icmp(protocol: 'ICMPv4' | 'ICMPv6'): Layer4 {
  let type = 0;
  let code = 0;
  fields(ICMP_KEYS, 4, (i) => {
    const v = uint(0xffffffff) ?? 0;
    if (i === 0) type = v;
    else code = v;
  });
  return { protocol, type, code };
}

const ENDPOINT_KEYS = new Map([
  ['ID', 0], ['identity', 1], ['namespace', 2], ['labels', 3], ['pod_name', 4], ['podName', 4], ['cluster_name', 5], ['clusterName', 5],
  ['workloads', 6],
]);

function namespace(): string | undefined {
  if (isNull()) return undefined;
  const text = strText();
  return hadEscape() ? (JSON.parse(`"${text}"`) as string) : internName(text);
}

function endpoint(): Endpoint {
  const e: Endpoint = {};
  fields(ENDPOINT_KEYS, 3, (i) => {
    switch (i) {
      case 0:
        uint(0xffffffff);
        break;
      case 1: {
        const v = uint(0xffffffff);
        if (v) e.identity = v;
        break;
      }
      case 2: {
        const v = namespace();
        if (v) e.namespace = v;
        break;
      }
      case 3: {
        const v = labels();
        if (v) e.labels = v;
        break;
      }
      case 4:
      case 5:
        STR();
        break;
      default:
        WORKLOADS();
    }
  });
  return e;
}

const L7_KEYS = new Map([['type', 0], ['latency_ns', 1], ['latencyNs', 1], ['http', 2], ['dns', 3], ['kafka', 4]]);
// The first fields of each are read; the others checked.
const HTTP = shape([[['method'], READ], [['url'], READ], [['code'], U32], [['protocol'], STR], [['headers'], HEADERS]]);
const DNS = shape([
  [['query'], READ], [['ips'], READ], [['ttl'], U32], [['rcode'], U32], [['cnames'], STRS], [['qtypes'], STRS], [['rrtypes'], STRS],
  [['observation_source', 'observationSource'], STR],
]);

function layer7(): NonNullable<Flow['l7']> {
  const l7: { -readonly [K in keyof NonNullable<Flow['l7']>]: NonNullable<Flow['l7']>[K] } = {};
  fields(L7_KEYS, 3, (i) => {
    if (i === 0) {
      const t = enumValue(L7_FLOW_TYPE);
      if (t) l7.type = t;
    } else if (i === 1) u64();
    else if (i === 4) fail();
    else if (!isNull()) {
      // Both records: the careful path reads http and ignores dns; leave it to it.
      if (l7.record) fail();
      l7.record = i === 2 ? http() : dns();
    }
  });
  return l7;
}

function http(): L7Record {
  const r: { kind: 'http'; method?: string; url?: string } = { kind: 'http' };
  fields(HTTP.keys, 4, (i) => {
    if (i > 1) HTTP.checks[i]!();
    else if (!isNull()) {
      const v = strValue();
      if (v !== '') {
        if (i === 0) r.method = v;
        else r.url = v;
      }
    }
  });
  return r;
}

function dns(): L7Record {
  const r: { kind: 'dns'; query?: string; ips?: string[] } = { kind: 'dns' };
  fields(DNS.keys, 4, (i) => {
    if (i > 1) DNS.checks[i]!();
    else if (i === 1) {
      const v = stringList();
      if (v) r.ips = v;
    } else if (!isNull()) {
      const v = strValue();
      if (v !== '') r.query = v;
    }
  });
  return r;
}

const EVENT_KEYS = new Map([['type', 0], ['sub_type', 1], ['subType', 1]]);

function eventType(): NonNullable<Flow['eventType']> {
  let type = 0;
  fields(EVENT_KEYS, 3, (i) => {
    const v = uint(0x7fffffff) ?? 0;
    if (i === 0) type = v;
  });
  // Type 0 is unset (a field-masked export), not "type 0".
  return type ? { type } : {};
}

/** An `l7` object's text read alone (for the pattern reader); `undefined` when the careful path must read it. */
export function scanLayer7(text: string): NonNullable<Flow['l7']> | undefined {
  return scan(text, layer7);
}

const NO_IGNORED: readonly [] = [];

/** A line in any key order and spacing, or `undefined` when the careful path must read it. */
export function scanLine(line: string): LineResult | undefined {
  const record = scan(line, envelope);
  return record ? { kind: 'records', records: [record], ignored: NO_IGNORED } : undefined;
}

const ENVELOPE_KEYS = new Map([['flow', 0], ['time', 1], ['node_name', 2], ['nodeName', 2]]);

/** The `{"flow": …, "node_name": …, "time": …}` envelope; anything else falls back. */
function envelope(): FlowRecord {
  ws();
  let f: Flow | undefined;
  let at: Timestamp | undefined;
  fields(ENVELOPE_KEYS, 1, (i) => {
    if (i === 0) {
      // A null flow is no flow: the careful path looks for other events.
      if (isNull()) fail();
      f = flow();
    } else if (i === 1) at = time();
    else STR();
  });
  if (!f) fail();
  return at ? { flow: f, time: at } : { flow: f };
}
