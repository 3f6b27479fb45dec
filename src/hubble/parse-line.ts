/**
 * @module hubble/parse-line
 *
 * One line of `hubble observe -o json|jsonpb` output or of a Hubble exporter
 * file → flow records, as a pure function. Accepted shapes (reference §3 and
 * §7): the `{"flow":…,"node_name":…,"time":…}` envelope (GetFlowsResponse /
 * ExportEvent), a bare Flow (legacy `-o json`), and a JSON array of either.
 * `lost_events`, `node_status`, `agent_event` and `debug_event` lines are
 * recognised and ignored. Nothing here throws on bad input.
 */
import { DecodeError, decodeFlow, decodeHelpers } from './decode.js';
import type { FlowRecord } from './flow.js';

const { isObj, get, field, str, timestamp } = decodeHelpers;

/** Kinds of non-flow events that are recognised and ignored. */
export type IgnoredKind = 'lost_events' | 'node_status' | 'agent_event' | 'debug_event';

/** Why a line was skipped. */
export type SkipReason = 'invalid-json' | 'text-output' | 'not-a-flow' | 'bad-field' | 'too-long';

/** What one line held. */
export type LineResult =
  | { readonly kind: 'blank' }
  | { readonly kind: 'records'; readonly records: readonly FlowRecord[]; readonly ignored: readonly IgnoredKind[] }
  | { readonly kind: 'skip'; readonly reason: SkipReason; readonly message: string };

const IGNORED: readonly (readonly [IgnoredKind, string])[] = [
  ['lost_events', 'lostEvents'], ['node_status', 'nodeStatus'], ['agent_event', 'agentEvent'], ['debug_event', 'debugEvent'],
];

// Keys that make an object recognisable as a bare (legacy) Flow.
const FLOW_KEYS = [
  'time', 'uuid', 'verdict', 'IP', 'l4', 'source', 'destination', 'Type', 'node_name', 'nodeName', 'l7', 'event_type', 'eventType',
  'Summary', 'ethernet', 'is_reply', 'isReply', 'drop_reason_desc', 'dropReasonDesc', 'traffic_direction', 'trafficDirection',
];

type One = { kind: 'record'; record: FlowRecord } | { kind: 'ignored'; what: IgnoredKind } | { kind: 'skip'; reason: SkipReason; message: string };

function decodeOne(v: unknown): One {
  if (!isObj(v)) return { kind: 'skip', reason: 'not-a-flow', message: 'expected a JSON object' };
  const inner = get(v, 'flow');
  if (inner !== undefined) {
    const record: { flow: ReturnType<typeof decodeFlow>; nodeName?: string; time?: ReturnType<typeof timestamp> } = {
      flow: decodeFlow(inner, 'flow'),
    };
    const nodeName = str(field(v, 'node_name'), 'node_name');
    const time = timestamp(field(v, 'time'), 'time');
    if (nodeName !== undefined) record.nodeName = nodeName;
    if (time !== undefined) record.time = time;
    return { kind: 'record', record };
  }
  for (const [proto, json] of IGNORED) {
    if (get(v, proto, json) !== undefined) return { kind: 'ignored', what: proto };
  }
  if (FLOW_KEYS.some((k) => v[k] !== undefined)) return { kind: 'record', record: { flow: decodeFlow(v, 'flow') } };
  return { kind: 'skip', reason: 'not-a-flow', message: 'JSON object is neither a flow nor a known Hubble event' };
}

function safeOne(v: unknown): One {
  try {
    return decodeOne(v);
  } catch (e) {
    if (e instanceof DecodeError) return { kind: 'skip', reason: 'bad-field', message: e.message };
    throw e;
  }
}

/** Decodes an already-parsed JSON value (object or array). */
export function decodeValue(v: unknown): LineResult {
  const items = Array.isArray(v) ? v : [v];
  const records: FlowRecord[] = [];
  const ignored: IgnoredKind[] = [];
  for (const item of items) {
    const r = safeOne(item);
    if (r.kind === 'skip') return r;
    if (r.kind === 'record') records.push(r.record);
    else ignored.push(r.what);
  }
  return { kind: 'records', records, ignored };
}

// A JSON text that does not start with `{`, `[` or `"` is a scalar: the whole line must be one.
const JSON_SCALAR = /^[ \t\r\n]*(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)[ \t\r\n]*$/;

// The first column of hubble's text formats: a timestamp in one of the --time-format layouts (StampMilli
// `Jan  2 15:04:05.000`, RFC1123Z `Mon, 02 Jan …`, RFC 3339 and YearMonthDay…) or `N/A`. Anchored, no nested
// quantifiers: linear on a long line.
const TEXT_TIME = /^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4}|\d{4}-\d\d-\d\d(?:T\d\d)?|N\/A)/;
const DICT_KEY = /^ *(?:TIMESTAMP|NODE|SOURCE|DESTINATION|TYPE|VERDICT|SUMMARY): /;
const TABLE_HEADER = /^TIMESTAMP +(?:NODE +)?SOURCE +DESTINATION +TYPE +VERDICT +SUMMARY/;

/**
 * True when a line is what `hubble observe` prints in its text formats
 * (compact, dict or table) rather than JSON: such a file has lost most fields
 * of the flows and cannot be read back, and the user needs telling so.
 */
export function looksLikeHubbleText(line: string): boolean {
  if (DICT_KEY.test(line) || TABLE_HEADER.test(line) || line === '------------') return true;
  if (!TEXT_TIME.test(line)) return false;
  // compact: `TIME [NODE]: SRC ID -> DST ID …`; table: columns three spaces apart.
  return line.includes(' -> ') || line.includes(' <- ') || line.includes(' <> ') || line.includes('   ');
}

const TEXT_OUTPUT = 'this is the text output of hubble observe (compact, dict or table), not JSON';

function invalid(line: string, why: string): LineResult {
  if (looksLikeHubbleText(line)) return { kind: 'skip', reason: 'text-output', message: TEXT_OUTPUT };
  return { kind: 'skip', reason: 'invalid-json', message: `invalid JSON: ${why}` };
}

function head(line: string): string {
  return JSON.stringify(line.length > 40 ? `${line.slice(0, 40)}…` : line);
}

/**
 * Parses one line of text. Blank lines are `blank`; anything unusable is
 * `skip` with a reason. `decode` turns the parsed JSON value into records
 * (default {@link decodeValue}; a caller that reads few fields may pass a
 * faster one that falls back to it).
 */
export function parseLine(line: string, decode: (v: unknown) => LineResult = decodeValue): LineResult {
  const c = line.charCodeAt(0);
  if (c !== 123 /* { */) {
    // Not the common case. Blank lines and lines that cannot be JSON are settled without JSON.parse, whose
    // exception costs microseconds: junk lines by the million must cost what reading them costs.
    let i = 0;
    while (i < line.length && (line[i] === ' ' || line[i] === '\t' || line[i] === '\r' || line[i] === '\n')) i++;
    if (i === line.length || line.trim() === '') return { kind: 'blank' };
    const first = line[i];
    if (first !== '{' && first !== '[' && first !== '"' && !JSON_SCALAR.test(line)) {
      return invalid(line, `expected a JSON object, found ${head(line)}`);
    }
  }
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    return invalid(line, e instanceof Error ? e.message : String(e));
  }
  return decode(v);
}
