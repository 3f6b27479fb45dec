/**
 * @module generate/scan-decode
 *
 * The reduction's line reader: it walks the text of an exporter line once,
 * checking it is JSON and that every field Hubble's decoder knows has the
 * type that decoder wants, and builds only the few values the reduction
 * reads (verdict, types, reply, l4, endpoints, IPs, L7 request or DNS
 * answer, destination names, times). `JSON.parse` builds the whole tree
 * first and costs most of the time of ingest; this costs a fraction of it.
 * An endpoint's label list is the longest part of a line and repeats across
 * flows, so it is decoded once per distinct text (a bounded memo).
 *
 * It answers only when it is sure to give what `JSON.parse` and the full
 * `decodeValue` would: anything else (a bare flow, a field given by both
 * its names or twice, an enum as a number, an integer as a string, an
 * escaped key, a rare message such as `tunnel`, a line that is not valid
 * JSON) returns `undefined` and the careful path reads the line, so skips
 * and their messages are exactly the reader's. The strings it hands out are
 * copies, never slices of the line: the reduction keeps some of them, and a
 * slice would keep the whole read chunk alive.
 */
import type { Endpoint, Flow, FlowRecord, L7Record, Layer4, TcpFlags, Timestamp } from '../hubble/flow.js';
import {
  AUTH_TYPE, DEBUG_CAPTURE_POINT, DROP_REASON, FLOW_TYPE, IP_VERSION, L7_FLOW_TYPE, SOCKET_TRANSLATION_POINT,
  TRACE_OBSERVATION_POINT, TRACE_REASON, TRAFFIC_DIRECTION, VERDICT, type EnumTable,
} from '../hubble/enums.js';
import type { LineResult } from '../hubble/parse-line.js';
import type { FlowStreamParserOptions } from '../hubble/reader.js';
import { parseTimestamp } from '../hubble/time.js';
import { matchFlowLine } from './flow-pattern.js';

/** Thrown inside the scan when the careful path must decide. */
const FALLBACK = new Error('fallback to the careful decoder');

// The scan's state: one line at a time, in module variables (no object per line).
let s = '';
let p = 0;
let n = 0;
/** Set by `str()`: the string just passed had an escape. */
let escaped = false;

function fail(): never {
  throw FALLBACK;
}

function peek(): number {
  return p < n ? s.charCodeAt(p) : -1;
}

function ws(): void {
  while (p < n) {
    const c = s.charCodeAt(p);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return;
    p++;
  }
}

function lit(word: string): void {
  if (!s.startsWith(word, p)) fail();
  p += word.length;
}

/** Whether the value here is `null` (consumed); protojson reads it as unset. */
function isNull(): boolean {
  if (p < n && s.charCodeAt(p) === 110) {
    lit('null');
    return true;
  }
  return false;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** At an opening quote: moves past the string, checking its escapes, and returns the index of the closing quote. */
function str(): number {
  // Locals, not the module's variables, in the loop that sees most characters of a line.
  const t = s;
  const len = n;
  let i = p;
  if (i >= len || t.charCodeAt(i) !== 34) fail();
  i++;
  escaped = false;
  for (;;) {
    if (i >= len) fail();
    const c = t.charCodeAt(i);
    if (c === 34) break;
    if (c === 92) {
      escaped = true;
      i = escape(t, i, len);
    } else if (c < 32) fail();
    else i++;
  }
  p = i + 1;
  return i;
}

/** At a backslash: the index after its escape, which must be one JSON knows. */
function escape(t: string, i: number, len: number): number {
  const e = i + 1 < len ? t.charCodeAt(i + 1) : -1;
  if (e === 117) {
    if (i + 5 >= len) fail();
    for (let k = i + 2; k < i + 6; k++) if (!isHex(t.charCodeAt(k))) fail();
    return i + 6;
  }
  if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) return i + 2;
  fail();
}

/** A string value, copied out of the line. */
function strValue(): string {
  const a = p;
  const b = str();
  if (escaped) return JSON.parse(s.slice(a, b + 1)) as string;
  return copy(a + 1, b);
}

/**
 * A string of the line as a string of its own: `slice` shares the line's
 * storage from 13 characters on; joining forces a flat copy.
 */
function copy(a: number, b: number): string {
  return copyString(s.slice(a, b));
}

/** A string that shares no storage with a larger one (see `copy`). @internal */
export function copyString(x: string): string {
  return x.length < 13 ? x : (' ' + x).slice(1);
}

function digit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function skipNumber(): void {
  let c = peek();
  if (c === 45) c = s.charCodeAt(++p);
  if (c === 48) c = ++p < n ? s.charCodeAt(p) : -1;
  else if (c >= 49 && c <= 57) {
    do c = ++p < n ? s.charCodeAt(p) : -1;
    while (digit(c));
  } else fail();
  if (c === 46) {
    if (!digit(++p < n ? s.charCodeAt(p) : -1)) fail();
    do c = ++p < n ? s.charCodeAt(p) : -1;
    while (digit(c));
  }
  if (c === 101 || c === 69) {
    c = ++p < n ? s.charCodeAt(p) : -1;
    if (c === 43 || c === 45) c = ++p < n ? s.charCodeAt(p) : -1;
    if (!digit(c)) fail();
    do c = ++p < n ? s.charCodeAt(p) : -1;
    while (digit(c));
  }
}

/** An unsigned integer written as plain digits, at most `max`; `undefined` for null. Anything else (a fraction, a string) falls back. */
function uint(max: number): number | undefined {
  if (isNull()) return undefined;
  let c = peek();
  if (!digit(c)) fail();
  let v = c - 48;
  c = ++p < n ? s.charCodeAt(p) : -1;
  if (v === 0) {
    if (digit(c)) fail();
  } else {
    while (digit(c)) {
      v = v * 10 + (c - 48);
      if (v > max) fail();
      c = ++p < n ? s.charCodeAt(p) : -1;
    }
  }
  if (c === 46 || c === 101 || c === 69) fail();
  return v;
}

/** A uint64 (protojson writes a string of digits; a number is accepted too), checked, not kept. */
function u64(): void {
  if (isNull()) return;
  if (peek() === 34) {
    const a = p + 1;
    const b = str();
    if (escaped || b === a || b - a > 19) fail();
    for (let i = a; i < b; i++) if (!digit(s.charCodeAt(i))) fail();
    return;
  }
  const a = p;
  if (uint(Number.MAX_SAFE_INTEGER) === undefined || p - a > 15) fail();
}

function bool(): boolean | undefined {
  const c = peek();
  if (c === 116) {
    lit('true');
    return true;
  }
  if (c === 102) {
    lit('false');
    return false;
  }
  if (c === 110) {
    lit('null');
    return undefined;
  }
  fail();
}

/** An enum by name; the zero name is unset, as protojson reads it. Numbers and unknown names fall back. */
function enumValue<N extends string>(t: EnumTable<N>): N | undefined {
  if (isNull()) return undefined;
  const a = p + 1;
  const b = str();
  if (escaped) fail();
  const v = t.values.get(s.slice(a, b));
  if (v === undefined) fail();
  return v === 0 ? undefined : t.names.get(v);
}

/** Moves past any JSON value, checking it. */
function skip(depth: number): void {
  const c = peek();
  if (c === 34) str();
  else if (c === 123) {
    if (depth > 64) fail();
    if (open()) {
      do {
        key();
        skip(depth + 1);
      } while (more());
    }
  } else if (c === 91) {
    if (depth > 64) fail();
    if (openList()) {
      do skip(depth + 1);
      while (moreItems());
    }
  } else if (c === 116) lit('true');
  else if (c === 102) lit('false');
  else if (c === 110) lit('null');
  else skipNumber();
  ws();
}

/** At `{`: true when a key follows, false when the object is empty (and passed). */
function open(): boolean {
  if (peek() !== 123) fail();
  p++;
  ws();
  if (peek() === 125) {
    p++;
    return false;
  }
  return true;
}

/** A key and its colon; keys with escapes fall back (`\u0076erdict` is `verdict`). */
function key(): string {
  const a = p + 1;
  const b = str();
  if (escaped) fail();
  ws();
  if (peek() !== 58) fail();
  p++;
  ws();
  return s.slice(a, b);
}

/** After a member: true when another follows, false at the end of the object. */
function more(): boolean {
  ws();
  const c = peek();
  p++;
  if (c === 44) {
    ws();
    return true;
  }
  if (c !== 125) fail();
  return false;
}

function openList(): boolean {
  if (peek() !== 91) fail();
  p++;
  ws();
  if (peek() === 93) {
    p++;
    return false;
  }
  return true;
}

function moreItems(): boolean {
  ws();
  const c = peek();
  p++;
  if (c === 44) {
    ws();
    return true;
  }
  if (c !== 93) fail();
  return false;
}

/** A list of strings, checked; returns where it started (`[`) or -1 for null. */
function strings(): number {
  if (isNull()) return -1;
  const a = p;
  if (openList()) {
    do {
      str();
      ws();
    } while (moreItems());
  }
  return a;
}

/** A list of strings, copied; `undefined` for null or empty, as the decoder has it. */
function stringList(): string[] | undefined {
  const a = strings();
  if (a < 0) return undefined;
  const v = JSON.parse(s.slice(a, p)) as string[];
  return v.length > 0 ? v : undefined;
}

// Label lists by their text: a few hundred distinct lists stand for millions of endpoints.
const LABELS = new Map<string, string[] | undefined>();
const LABELS_MAX = 4096;
const LABELS_MAX_TEXT = 2048;

function labels(): string[] | undefined {
  const a = strings();
  return a < 0 ? undefined : labelsOf(s.slice(a, p));
}

/** A label list by its (valid) JSON text, from the memo; `undefined` when empty. @internal */
export function labelsOf(text: string): string[] | undefined {
  let v = LABELS.get(text);
  if (v === undefined && !LABELS.has(text)) {
    const list = JSON.parse(text) as string[];
    v = list.length > 0 ? list : undefined;
    if (text.length <= LABELS_MAX_TEXT) {
      if (LABELS.size >= LABELS_MAX) LABELS.clear();
      LABELS.set(copyString(text), v);
    }
  }
  return v;
}

const UTC = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/;
const SCALE = [1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 100, 10, 1];

/**
 * A UTC timestamp given as its whole-second text (`2024-05-01T10:00:00`,
 * digits where digits go) and fraction digits, as `parseTimestamp` reads it
 * (proleptic Gregorian, no leap seconds); `undefined` when the date does not
 * exist. Arithmetic, not `Date`: this runs twice per line. @internal
 */
export function secondsOf(prefix: string, fraction: string | undefined): Timestamp | undefined {
  const d = (i: number) => prefix.charCodeAt(i) - 48;
  let y = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
  const mo = d(5) * 10 + d(6);
  const day = d(8) * 10 + d(9);
  const h = d(11) * 10 + d(12);
  const mi = d(14) * 10 + d(15);
  const sec = d(17) * 10 + d(18);
  if (mo < 1 || mo > 12 || day < 1 || h > 23 || mi > 59 || sec > 59) return undefined;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (day > (mo === 2 ? (leap ? 29 : 28) : mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31)) return undefined;
  // Days from 1970-01-01 (H. Hinnant's days_from_civil).
  if (mo <= 2) y--;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5) + day - 1;
  const days = era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
  const nanos = fraction === undefined ? 0 : Number(fraction) * SCALE[fraction.length]!;
  return { seconds: days * 86400 + h * 3600 + mi * 60 + sec, nanos };
}

function time(): Timestamp | undefined {
  if (isNull()) return undefined;
  const a = p + 1;
  const b = str();
  if (escaped) fail();
  const text = s.slice(a, b);
  const m = UTC.exec(text);
  const t = m ? secondsOf(m[1]!, m[2]) : parseTimestamp(text);
  if (!t) fail();
  return t;
}

/**
 * A field the reduction does not read, checked as the full decoder checks it
 * (`decode.ts`): the check moves past the value or falls back.
 */
type Check = () => void;

const STR: Check = () => {
  if (!isNull()) str();
};
const U32: Check = () => void uint(0xffffffff);
const U64: Check = u64;
const STRS: Check = () => void strings();
const OBJECT: Check = () => {
  if (!isNull()) {
    if (peek() !== 123) fail();
    skip(8);
  }
};
/** Rare messages (`tunnel`, `aggregate`, …): the careful path reads them. */
const RARE: Check = () => {
  if (!isNull()) fail();
};
const enumCheck = (t: EnumTable<string>): Check => () => void enumValue(t);

/** A message's fields by name (both names of a field share an index) and the check of each. */
interface Shape {
  readonly keys: ReadonlyMap<string, number>;
  readonly checks: readonly Check[];
}

function shape(fields: readonly (readonly [readonly string[], Check])[]): Shape {
  const keys = new Map<string, number>();
  fields.forEach(([names], i) => names.forEach((k) => keys.set(k, i)));
  return { keys, checks: fields.map(([, c]) => c) };
}

/** Checks a message (fewer than 31 fields); unknown fields are skipped, as the decoder ignores them; a field seen twice falls back. */
function message(sh: Shape): void {
  let mask = 0;
  if (open()) {
    do {
      const i = sh.keys.get(key());
      if (i === undefined) skip(8);
      else {
        if (mask & (1 << i)) fail();
        mask |= 1 << i;
        sh.checks[i]!();
      }
    } while (more());
  }
}

const messageCheck = (sh: Shape): Check => () => {
  if (!isNull()) message(sh);
};

/** A list of messages; a null item is an error to the decoder, so it falls back. */
const listCheck = (sh: Shape): Check => () => {
  if (!isNull() && openList()) {
    do message(sh);
    while (moreItems());
  }
};

const SERVICE = messageCheck(shape([[['name'], STR], [['namespace'], STR]]));
const POLICIES = listCheck(shape([[['name'], STR], [['namespace'], STR], [['labels'], STRS], [['revision'], U64], [['kind'], STR]]));
const HEADERS = listCheck(shape([[['key'], STR], [['value'], STR]]));
const WORKLOADS = listCheck(shape([[['name'], STR], [['kind'], STR]]));
const READ: Check = fail;

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
  let mask = 0;
  if (open()) {
    do {
      const i = IP_KEYS.get(key());
      if (i === undefined) {
        skip(3);
        continue;
      }
      if (mask & (1 << i)) fail();
      mask |= 1 << i;
      if (i === 0 || i === 1) {
        if (isNull()) continue;
        const v = strValue();
        if (v !== '') {
          if (i === 0) r.source = v;
          else r.destination = v;
        }
      } else if (i === 2) enumValue(IP_VERSION);
      else if (i === 3) STR();
      else bool();
    } while (more());
  }
  return r;
}

const L4_KEYS = new Map([['TCP', 0], ['UDP', 1], ['SCTP', 2], ['ICMPv4', 3], ['ICMPv6', 4], ['VRRP', 5], ['IGMP', 5]]);
const PORT_KEYS = new Map([['source_port', 0], ['sourcePort', 0], ['destination_port', 1], ['destinationPort', 1], ['flags', 2]]);
const ICMP_KEYS = new Map([['type', 0], ['code', 1]]);
const TCP_FLAG_NAMES = new Map(['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'NS'].map((k, i) => [k, i]));
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
  let mask = 0;
  if (open()) {
    do {
      const i = PORT_KEYS.get(key());
      if (i === undefined || (i === 2 && protocol !== 'TCP')) {
        skip(4);
        continue;
      }
      if (mask & (1 << i)) fail();
      mask |= 1 << i;
      if (i === 0) sourcePort = uint(0xffffffff) ?? 0;
      else if (i === 1) destinationPort = uint(0xffffffff) ?? 0;
      else if (!isNull()) flags = tcpFlags();
    } while (more());
  }
  if (protocol !== 'TCP') return { protocol, sourcePort, destinationPort };
  return flags ? { protocol, sourcePort, destinationPort, flags } : { protocol, sourcePort, destinationPort };
}

function tcpFlags(): TcpFlags {
  const flags: TcpFlags = {};
  let mask = 0;
  if (open()) {
    do {
      const name = key();
      const i = TCP_FLAG_NAMES.get(name);
      if (i === undefined) {
        skip(5);
        continue;
      }
      if (mask & (1 << i)) fail();
      mask |= 1 << i;
      if (bool() === true && (i === 1 || i === 4)) flags[name as 'SYN' | 'ACK'] = true;
    } while (more());
  }
  return flags;
}

function icmp(protocol: 'ICMPv4' | 'ICMPv6'): Layer4 {
  let type = 0;
  let code = 0;
  let mask = 0;
  if (open()) {
    do {
      const i = ICMP_KEYS.get(key());
      if (i === undefined) {
        skip(4);
        continue;
      }
      if (mask & (1 << i)) fail();
      mask |= 1 << i;
      const v = uint(0xffffffff) ?? 0;
      if (i === 0) type = v;
      else code = v;
    } while (more());
  }
  return { protocol, type, code };
}

const ENDPOINT_KEYS = new Map([
  ['ID', 0], ['identity', 1], ['namespace', 2], ['labels', 3], ['pod_name', 4], ['podName', 4], ['cluster_name', 5], ['clusterName', 5],
  ['workloads', 6],
]);

// Namespaces by their text, so each is one string however many flows name it.
const NAMES = new Map<string, string>();

function namespace(): string | undefined {
  if (isNull()) return undefined;
  const a = p + 1;
  const b = str();
  if (escaped) return JSON.parse(s.slice(a - 1, b + 1)) as string;
  return internName(s.slice(a, b));
}

/** One string per distinct namespace text (bounded). @internal */
export function internName(text: string): string {
  let v = NAMES.get(text);
  if (v === undefined) {
    if (NAMES.size >= 4096) NAMES.clear();
    v = copyString(text);
    NAMES.set(v, v);
  }
  return v;
}

function endpoint(): Endpoint {
  const e: Endpoint = {};
  let mask = 0;
  if (open()) {
    do {
      const i = ENDPOINT_KEYS.get(key());
      if (i === undefined) {
        skip(3);
        continue;
      }
      if (mask & (1 << i)) fail();
      mask |= 1 << i;
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
    } while (more());
  }
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
  let mask = 0;
  if (open()) {
    do {
      const i = L7_KEYS.get(key());
      if (i === undefined) {
        skip(3);
        continue;
      }
      if (mask & (1 << i)) fail();
      mask |= 1 << i;
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
    } while (more());
  }
  return l7;
}

function http(): L7Record {
  const r: { kind: 'http'; method?: string; url?: string } = { kind: 'http' };
  let mask = 0;
  if (open()) {
    do {
      const i = HTTP.keys.get(key());
      if (i === undefined) {
        skip(4);
        continue;
      }
      if (mask & (1 << i)) fail();
      mask |= 1 << i;
      if (i > 1) HTTP.checks[i]!();
      else if (!isNull()) {
        const v = strValue();
        if (v !== '') {
          if (i === 0) r.method = v;
          else r.url = v;
        }
      }
    } while (more());
  }
  return r;
}

function dns(): L7Record {
  const r: { kind: 'dns'; query?: string; ips?: string[] } = { kind: 'dns' };
  let mask = 0;
  if (open()) {
    do {
      const i = DNS.keys.get(key());
      if (i === undefined) {
        skip(4);
        continue;
      }
      if (mask & (1 << i)) fail();
      mask |= 1 << i;
      if (i > 1) DNS.checks[i]!();
      else if (i === 1) {
        const v = stringList();
        if (v) r.ips = v;
      } else if (!isNull()) {
        const v = strValue();
        if (v !== '') r.query = v;
      }
    } while (more());
  }
  return r;
}

function eventType(): NonNullable<Flow['eventType']> {
  let type = 0;
  let mask = 0;
  if (open()) {
    do {
      const k = key();
      const i = k === 'type' ? 0 : k === 'sub_type' || k === 'subType' ? 1 : -1;
      if (i < 0) {
        skip(3);
        continue;
      }
      if (mask & (1 << i)) fail();
      mask |= 1 << i;
      const v = uint(0x7fffffff) ?? 0;
      if (i === 0) type = v;
    } while (more());
  }
  // Type 0 is unset (a field-masked export), not "type 0".
  return type ? { type } : {};
}

/** An `l7` object's text read alone (for the pattern reader); `undefined` when the careful path must read it. @internal */
export function scanLayer7(text: string): NonNullable<Flow['l7']> | undefined {
  s = text;
  p = 0;
  n = text.length;
  try {
    const l7 = layer7();
    return p === n ? l7 : undefined;
  } catch (e) {
    if (e === FALLBACK) return undefined;
    throw e;
  } finally {
    s = '';
  }
}

const NO_IGNORED: readonly [] = [];

/**
 * The records of one exporter line, or `undefined` when the careful path
 * (`JSON.parse` + `decodeValue`) must read it: Hubble's own layout by the
 * pattern, any other by the scanner.
 */
export function scanForReduction(line: string): LineResult | undefined {
  const hit = matchFlowLine(line);
  return hit ? { kind: 'records', records: [hit], ignored: NO_IGNORED } : scanLine(line);
}

/** The scanner alone. @internal */
export function scanLine(line: string): LineResult | undefined {
  s = line;
  p = 0;
  n = line.length;
  try {
    ws();
    let f: Flow | undefined;
    let at: Timestamp | undefined;
    let mask = 0;
    if (open()) {
      do {
        const k = key();
        const i = k === 'flow' ? 0 : k === 'time' ? 1 : k === 'node_name' || k === 'nodeName' ? 2 : -1;
        if (i < 0) {
          skip(1);
          continue;
        }
        if (mask & (1 << i)) fail();
        mask |= 1 << i;
        if (i === 0) {
          // A null flow is no flow: the careful path looks for other events.
          if (isNull()) fail();
          f = flow();
        } else if (i === 1) at = time();
        else STR();
      } while (more());
    }
    ws();
    if (p !== n || !f) return undefined;
    const record: FlowRecord = at ? { flow: f, time: at } : { flow: f };
    return { kind: 'records', records: [record], ignored: NO_IGNORED };
  } catch (e) {
    if (e === FALLBACK) return undefined;
    throw e;
  } finally {
    s = '';
  }
}

/** How the reduction reads lines: the scan, and the full decoder for what it leaves. */
export const REDUCTION_READ: FlowStreamParserOptions = { scan: scanForReduction };
