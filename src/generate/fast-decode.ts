/**
 * @module generate/fast-decode
 *
 * A line decoder for the reduction: it reads only the fields the reduction
 * looks at (verdict, type, event type, reply, l4, the two endpoints, IPs,
 * L7 request/DNS answer, destination names, time), straight from the parsed
 * JSON, instead of decoding the whole flow. The full decoder costs about
 * twice `JSON.parse` on real exports; this one a fraction of it. Anything
 * that is not the common shape (not an envelope, a field of an unexpected
 * type, an enum given as a number, a `lost_events` line) goes to the full
 * `decodeValue`, so skips and their messages are exactly the reader's.
 */
import type { Endpoint, Flow, FlowRecord, L7Record, Layer4, TcpFlags } from '../hubble/flow.js';
import { FLOW_TYPE, L7_FLOW_TYPE, VERDICT, type EnumTable } from '../hubble/enums.js';
import { decodeValue, type LineResult } from '../hubble/parse-line.js';
import { parseTimestamp } from '../hubble/time.js';

type Obj = Record<string, unknown>;

/** Thrown (and caught below) when a field is not the common shape: the full decoder takes over. */
const FALLBACK = Symbol('fallback');

function obj(v: unknown): Obj | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw FALLBACK;
  return v as Obj;
}

function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw FALLBACK;
  return v === '' ? undefined : v;
}

function num(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw FALLBACK;
  return v;
}

function bool(v: unknown): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw FALLBACK;
  return v;
}

function strings(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw FALLBACK;
  for (const x of v) if (typeof x !== 'string') throw FALLBACK;
  return v.length > 0 ? (v as string[]) : undefined;
}

/** An enum given by name, as the full decoder reads it (the zero name is unset); numbers and unknown names fall back. */
function enumName(t: EnumTable<string>, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw FALLBACK;
  const n = t.values.get(v);
  if (n === undefined) throw FALLBACK;
  return n === 0 ? undefined : v;
}

/** A field by proto or json name; both present → the careful decoder (which keeps the later one in key order). */
function pick(o: Obj, proto: string, json: string): unknown {
  const a = o[proto];
  const b = o[json];
  if (a !== undefined && b !== undefined) throw FALLBACK;
  return a !== undefined ? a : b;
}

function endpoint(v: unknown): Endpoint | undefined {
  const o = obj(v);
  if (!o) return undefined;
  const e: { -readonly [K in keyof Endpoint]: Endpoint[K] } = {};
  const identity = num(o['identity']);
  if (identity) e.identity = identity;
  const ns = str(o['namespace']);
  if (ns !== undefined) e.namespace = ns;
  const labels = strings(o['labels']);
  if (labels) e.labels = labels;
  return e;
}

function layer4(v: unknown): Layer4 | undefined {
  const o = obj(v);
  if (!o) return undefined;
  for (const p of ['TCP', 'UDP', 'SCTP'] as const) {
    const t = obj(o[p]);
    if (!t) continue;
    const sourcePort = num(pick(t, 'source_port', 'sourcePort')) ?? 0;
    const destinationPort = num(pick(t, 'destination_port', 'destinationPort')) ?? 0;
    if (p !== 'TCP') return { protocol: p, sourcePort, destinationPort };
    const fl = obj(t['flags']);
    let flags: TcpFlags | undefined;
    if (fl) {
      flags = {};
      if (bool(fl['SYN'])) flags.SYN = true;
      if (bool(fl['ACK'])) flags.ACK = true;
    }
    return { protocol: 'TCP', sourcePort, destinationPort, ...(flags ? { flags } : {}) };
  }
  for (const p of ['ICMPv4', 'ICMPv6'] as const) {
    const t = obj(o[p]);
    if (t) return { protocol: p, type: num(t['type']) ?? 0, code: num(t['code']) ?? 0 };
  }
  // VRRP, IGMP, an empty l4: rare, and the full decoder knows them.
  throw FALLBACK;
}

function layer7(v: unknown): Flow['l7'] {
  const o = obj(v);
  if (!o) return undefined;
  const type = enumName(L7_FLOW_TYPE, o['type']);
  let record: L7Record | undefined;
  const http = obj(o['http']);
  const dns = obj(o['dns']);
  if (http) {
    const method = str(http['method']);
    const url = str(http['url']);
    record = { kind: 'http', ...(method !== undefined ? { method } : {}), ...(url !== undefined ? { url } : {}) };
  } else if (dns) {
    const query = str(dns['query']);
    const ips = strings(dns['ips']);
    record = { kind: 'dns', ...(query !== undefined ? { query } : {}), ...(ips ? { ips } : {}) };
  }
  return { ...(type !== undefined ? { type: type as NonNullable<Flow['l7']>['type'] } : {}), ...(record ? { record } : {}) };
}

function time(v: unknown): FlowRecord['time'] {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw FALLBACK;
  const t = parseTimestamp(v);
  if (!t) throw FALLBACK;
  return t;
}

function record(v: Obj): FlowRecord {
  const f = obj(v['flow'])!;
  const flow: { -readonly [K in keyof Flow]: Flow[K] } = {};
  const verdict = enumName(VERDICT, f['verdict']);
  if (verdict) flow.verdict = verdict as Flow['verdict'];
  // Only `Type`: the full decoder does not read a lowercase `type` either.
  const type = enumName(FLOW_TYPE, f['Type']);
  if (type) flow.type = type as Flow['type'];
  const et = obj(pick(f, 'event_type', 'eventType'));
  if (et) {
    // Type 0 is unset (a field-masked export), not "type 0": the reduction gives it the benefit, as for a missing event type.
    const t = num(et['type']);
    flow.eventType = t ? { type: t } : {};
  }
  const isReply = bool(pick(f, 'is_reply', 'isReply'));
  if (isReply !== undefined) flow.isReply = isReply;
  if (bool(f['reply'])) flow.reply = true;
  const l4 = layer4(f['l4']);
  if (l4) flow.l4 = l4;
  const src = endpoint(f['source']);
  if (src) flow.source = src;
  const dst = endpoint(f['destination']);
  if (dst) flow.destination = dst;
  const ip = obj(f['IP']);
  if (ip) {
    const s = str(ip['source']);
    const d = str(ip['destination']);
    flow.ip = { ...(s !== undefined ? { source: s } : {}), ...(d !== undefined ? { destination: d } : {}) };
  }
  const l7 = layer7(f['l7']);
  if (l7) flow.l7 = l7;
  const names = strings(pick(f, 'destination_names', 'destinationNames'));
  if (names) flow.destinationNames = names;
  const ft = time(f['time']);
  if (ft) flow.time = ft;
  const et2 = time(v['time']);
  return et2 ? { flow, time: et2 } : { flow };
}

/** `decodeValue`, reading only what the reduction needs when the line has the common shape. */
export function decodeForReduction(v: unknown): LineResult {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Obj;
    const f = o['flow'];
    if (typeof f === 'object' && f !== null && !Array.isArray(f)) {
      try {
        return { kind: 'records', records: [record(o)], ignored: [] };
      } catch (e) {
        if (e !== FALLBACK) throw e;
      }
    }
  }
  return decodeValue(v);
}
