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
export type SkipReason = 'invalid-json' | 'not-a-flow' | 'bad-field' | 'too-long';

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

/** Parses one line of text. Blank lines are `blank`; anything unusable is `skip` with a reason. */
export function parseLine(line: string): LineResult {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    if (line.trim() === '') return { kind: 'blank' };
    const why = e instanceof Error ? e.message : String(e);
    return { kind: 'skip', reason: 'invalid-json', message: `invalid JSON: ${why}` };
  }
  return decodeValue(v);
}
