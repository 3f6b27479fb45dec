/**
 * @module hubble/decode
 *
 * Decodes one parsed JSON value into a `Flow`, as leniently as protojson's
 * `UnmarshalOptions{}` with the CLI's DiscardUnknown retry
 * (`hubble/cmd/observe/io_reader_observer.go`, reference §1.10): proto names
 * or lowerCamelCase json names, enums as names or numbers, 64-bit integers as
 * strings or numbers, `null` as unset, unknown fields ignored. Zero values are
 * normalised away so that decode ∘ encode ∘ decode = decode.
 *
 * A value of the wrong type is a `DecodeError` carrying the field path; the
 * line reader turns it into a skipped-line report.
 */
import {
  AUTH_TYPE, DEBUG_CAPTURE_POINT, DROP_REASON, FLOW_TYPE, IP_TRACE_OPTION_TYPE, IP_VERSION, L7_FLOW_TYPE,
  SOCKET_TRANSLATION_POINT, TRACE_OBSERVATION_POINT, TRACE_REASON, TRAFFIC_DIRECTION, TUNNEL_PROTOCOL, VERDICT,
  enumFromJson, type EnumTable, type EnumValue,
} from './enums.js';
import type {
  Aggregate, CiliumEventType, Emitter, Endpoint, Ethernet, FileInfo, Flow, HttpHeader, Ip, IpTraceId, L7Record, Layer4,
  Layer7, NetworkInterface, Policy, Service, TcpFlags, Timestamp, Tunnel, Uint64, Workload,
} from './flow.js';
import { parseTimestamp } from './time.js';

/** A JSON value that does not fit the Flow schema; `path` names the field. */
export class DecodeError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'DecodeError';
  }
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Field value by proto name or json (camelCase) name; `null` counts as absent. */
function get(o: Obj, proto: string, json?: string): unknown {
  let v = o[proto];
  if (v === undefined && json !== undefined) v = o[json];
  return v === null ? undefined : v;
}

// json names by proto name, computed once: this lookup runs for every field of every flow.
const CAMEL = new Map<string, string | undefined>();

function camel(proto: string): string | undefined {
  let j = CAMEL.get(proto);
  if (j === undefined && !CAMEL.has(proto)) {
    const c = proto.replace(/_([a-z0-9])/g, (_, x: string) => x.toUpperCase());
    j = c === proto ? undefined : c;
    CAMEL.set(proto, j);
  }
  return j;
}

function field(o: Obj, proto: string): unknown {
  let v = o[proto];
  if (v === undefined) {
    const j = camel(proto);
    if (j !== undefined) v = o[j];
  }
  return v === null ? undefined : v;
}

function str(v: unknown, path: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new DecodeError(path, 'expected a string');
  return v === '' ? undefined : v;
}

function bool(v: unknown, path: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new DecodeError(path, 'expected true or false');
  return v || undefined;
}

const INT_TEXT = /^-?\d+$/;

function int(v: unknown, path: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && INT_TEXT.test(v)) n = Number(v);
  else throw new DecodeError(path, 'expected an integer');
  if (!Number.isInteger(n) || n < min || n > max) throw new DecodeError(path, `integer out of range: ${String(v)}`);
  return n === 0 ? undefined : n;
}

const u32 = (v: unknown, path: string) => int(v, path, 0, 0xffffffff);
const i32 = (v: unknown, path: string) => int(v, path, -0x80000000, 0x7fffffff);

const U64_MAX = (1n << 64n) - 1n;

function u64(v: unknown, path: string): Uint64 | undefined {
  if (v === undefined) return undefined;
  let b: bigint;
  if (typeof v === 'number' && Number.isInteger(v)) b = BigInt(v);
  else if (typeof v === 'string' && /^\d+$/.test(v)) b = BigInt(v);
  else throw new DecodeError(path, 'expected an unsigned 64-bit integer');
  if (b < 0n || b > U64_MAX) throw new DecodeError(path, 'integer out of range');
  return b === 0n ? undefined : b.toString();
}

function en<N extends string>(t: EnumTable<N>, v: unknown, path: string): EnumValue<N> | undefined {
  if (v === undefined) return undefined;
  const r = enumFromJson(t, v);
  if (r === null) throw new DecodeError(path, `invalid enum value ${JSON.stringify(v)}`);
  return r;
}

function obj(v: unknown, path: string): Obj | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v)) throw new DecodeError(path, 'expected an object');
  return v;
}

function list<T>(v: unknown, path: string, item: (x: unknown, p: string) => T | undefined): T[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw new DecodeError(path, 'expected a list');
  if (v.length === 0) return undefined;
  if (item === strItem) {
    // The common case (labels, names, qtypes): check the elements without building paths.
    for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') throw new DecodeError(`${path}[${i}]`, 'expected a string');
    return v.slice() as T[];
  }
  const out: T[] = [];
  for (let i = 0; i < v.length; i++) out.push(item(v[i], `${path}[${i}]`) as T);
  return out;
}

const strItem = (x: unknown, p: string): string => {
  if (typeof x !== 'string') throw new DecodeError(p, 'expected a string');
  return x;
};

/** Assigns only defined values, so absent fields stay absent (not `undefined`-valued keys). */
function put<T extends object, K extends keyof T>(o: T, k: K, v: T[K] | undefined): void {
  if (v !== undefined) o[k] = v;
}

function timestamp(v: unknown, path: string): Timestamp | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new DecodeError(path, 'expected an RFC 3339 timestamp');
  const t = parseTimestamp(v);
  if (!t) throw new DecodeError(path, `invalid timestamp ${JSON.stringify(v)}`);
  return t;
}

function endpoint(v: unknown, path: string): Endpoint | undefined {
  const o = obj(v, path);
  if (!o) return undefined;
  const e: Endpoint = {};
  for (const key in o) {
    const x = o[key];
    if (x === null || x === undefined) continue;
    switch (key) {
      case 'ID': put(e, 'id', u32(x, `${path}.ID`)); break;
      case 'identity': put(e, 'identity', u32(x, `${path}.identity`)); break;
      case 'cluster_name': case 'clusterName': put(e, 'clusterName', str(x, `${path}.cluster_name`)); break;
      case 'namespace': put(e, 'namespace', str(x, `${path}.namespace`)); break;
      case 'labels': put(e, 'labels', list(x, `${path}.labels`, strItem)); break;
      case 'pod_name': case 'podName': put(e, 'podName', str(x, `${path}.pod_name`)); break;
      case 'workloads':
        put(e, 'workloads', list(x, `${path}.workloads`, workloadItem));
        break;
    }
  }
  return e;
}

function ip(v: unknown, path: string): Ip | undefined {
  const o = obj(v, path);
  if (!o) return undefined;
  const r: Ip = {};
  put(r, 'source', str(field(o, 'source'), `${path}.source`));
  put(r, 'sourceXlated', str(field(o, 'source_xlated'), `${path}.source_xlated`));
  put(r, 'destination', str(field(o, 'destination'), `${path}.destination`));
  put(r, 'ipVersion', en(IP_VERSION, get(o, 'ipVersion'), `${path}.ipVersion`));
  put(r, 'encrypted', bool(field(o, 'encrypted'), `${path}.encrypted`));
  return r;
}

const TCP_FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'NS'] as const;

function ports(o: Obj, path: string): { sourcePort: number; destinationPort: number } {
  return {
    sourcePort: u32(field(o, 'source_port'), `${path}.source_port`) ?? 0,
    destinationPort: u32(field(o, 'destination_port'), `${path}.destination_port`) ?? 0,
  };
}

function layer4(v: unknown, path: string): Layer4 | undefined {
  const o = obj(v, path);
  if (!o) return undefined;
  let x: Obj | undefined;
  if ((x = obj(get(o, 'TCP'), `${path}.TCP`))) {
    const f = obj(get(x, 'flags'), `${path}.TCP.flags`);
    let flags: TcpFlags | undefined;
    if (f) {
      flags = {};
      for (const n of TCP_FLAG_NAMES) put(flags, n, bool(get(f, n), `${path}.TCP.flags.${n}`));
    }
    return flags ? { protocol: 'TCP', ...ports(x, `${path}.TCP`), flags } : { protocol: 'TCP', ...ports(x, `${path}.TCP`) };
  }
  if ((x = obj(get(o, 'UDP'), `${path}.UDP`))) return { protocol: 'UDP', ...ports(x, `${path}.UDP`) };
  if ((x = obj(get(o, 'SCTP'), `${path}.SCTP`))) return { protocol: 'SCTP', ...ports(x, `${path}.SCTP`) };
  for (const p of ['ICMPv4', 'ICMPv6'] as const) {
    if ((x = obj(get(o, p), `${path}.${p}`))) {
      return { protocol: p, type: u32(field(x, 'type'), `${path}.${p}.type`) ?? 0, code: u32(field(x, 'code'), `${path}.${p}.code`) ?? 0 };
    }
  }
  if ((x = obj(get(o, 'VRRP'), `${path}.VRRP`))) {
    return {
      protocol: 'VRRP', type: u32(field(x, 'type'), `${path}.VRRP.type`) ?? 0, vrid: u32(field(x, 'vrid'), `${path}.VRRP.vrid`) ?? 0,
      priority: u32(field(x, 'priority'), `${path}.VRRP.priority`) ?? 0,
    };
  }
  if ((x = obj(get(o, 'IGMP'), `${path}.IGMP`))) {
    return {
      protocol: 'IGMP', type: u32(field(x, 'type'), `${path}.IGMP.type`) ?? 0,
      groupAddress: str(field(x, 'group_address'), `${path}.IGMP.group_address`) ?? '',
    };
  }
  return { protocol: 'none' };
}

function headerItem(h: unknown, hp: string): HttpHeader {
  const ho = obj(h, hp) ?? {};
  const hh: HttpHeader = {};
  put(hh, 'key', str(field(ho, 'key'), `${hp}.key`));
  put(hh, 'value', str(field(ho, 'value'), `${hp}.value`));
  return hh;
}

function layer7(v: unknown, path: string): Layer7 | undefined {
  const o = obj(v, path);
  if (!o) return undefined;
  const l7: Layer7 = {};
  put(l7, 'type', en(L7_FLOW_TYPE, field(o, 'type'), `${path}.type`));
  put(l7, 'latencyNs', u64(field(o, 'latency_ns'), `${path}.latency_ns`));
  let x: Obj | undefined;
  let rec: L7Record | undefined;
  if ((x = obj(field(o, 'http'), `${path}.http`))) {
    const p = `${path}.http`;
    const r: L7Record = { kind: 'http' };
    put(r, 'code', u32(field(x, 'code'), `${p}.code`));
    put(r, 'method', str(field(x, 'method'), `${p}.method`));
    put(r, 'url', str(field(x, 'url'), `${p}.url`));
    put(r, 'protocol', str(field(x, 'protocol'), `${p}.protocol`));
    put(r, 'headers', list(field(x, 'headers'), `${p}.headers`, headerItem));
    rec = r;
  } else if ((x = obj(field(o, 'dns'), `${path}.dns`))) {
    const p = `${path}.dns`;
    const r: L7Record = { kind: 'dns' };
    put(r, 'query', str(field(x, 'query'), `${p}.query`));
    put(r, 'ips', list(field(x, 'ips'), `${p}.ips`, strItem));
    put(r, 'ttl', u32(field(x, 'ttl'), `${p}.ttl`));
    put(r, 'cnames', list(field(x, 'cnames'), `${p}.cnames`, strItem));
    put(r, 'observationSource', str(field(x, 'observation_source'), `${p}.observation_source`));
    put(r, 'rcode', u32(field(x, 'rcode'), `${p}.rcode`));
    put(r, 'qtypes', list(field(x, 'qtypes'), `${p}.qtypes`, strItem));
    put(r, 'rrtypes', list(field(x, 'rrtypes'), `${p}.rrtypes`, strItem));
    rec = r;
  } else if ((x = obj(field(o, 'kafka'), `${path}.kafka`))) {
    const p = `${path}.kafka`;
    const r: L7Record = { kind: 'kafka' };
    put(r, 'errorCode', i32(field(x, 'error_code'), `${p}.error_code`));
    put(r, 'apiVersion', i32(field(x, 'api_version'), `${p}.api_version`));
    put(r, 'apiKey', str(field(x, 'api_key'), `${p}.api_key`));
    put(r, 'correlationId', i32(field(x, 'correlation_id'), `${p}.correlation_id`));
    put(r, 'topic', str(field(x, 'topic'), `${p}.topic`));
    rec = r;
  }
  put(l7, 'record', rec);
  return l7;
}

function service(v: unknown, path: string): Service | undefined {
  const o = obj(v, path);
  if (!o) return undefined;
  const s: Service = {};
  put(s, 'name', str(field(o, 'name'), `${path}.name`));
  put(s, 'namespace', str(field(o, 'namespace'), `${path}.namespace`));
  return s;
}

function policies(v: unknown, path: string): Policy[] | undefined {
  return list(v, path, policyItem);
}

function policyItem(x: unknown, p: string): Policy {
    const o = obj(x, p) ?? {};
    const r: Policy = {};
    put(r, 'name', str(field(o, 'name'), `${p}.name`));
    put(r, 'namespace', str(field(o, 'namespace'), `${p}.namespace`));
    put(r, 'labels', list(field(o, 'labels'), `${p}.labels`, strItem));
    put(r, 'revision', u64(field(o, 'revision'), `${p}.revision`));
    put(r, 'kind', str(field(o, 'kind'), `${p}.kind`));
    return r;
}

function small<T extends object>(v: unknown, path: string, fill: (o: Obj, r: T, path: string) => void): T | undefined {
  const o = obj(v, path);
  if (!o) return undefined;
  const r = {} as T;
  fill(o, r, path);
  return r;
}


function fillEmitter(y: Obj, r: Emitter, path: string): void {
  put(r, 'name', str(field(y, 'name'), `${path}.name`));
  put(r, 'version', str(field(y, 'version'), `${path}.version`));
}
function fillEthernet(y: Obj, r: Ethernet, path: string): void {
  put(r, 'source', str(field(y, 'source'), `${path}.source`));
  put(r, 'destination', str(field(y, 'destination'), `${path}.destination`));
}
function fillTunnel(y: Obj, r: Tunnel, path: string): void {
  put(r, 'protocol', en(TUNNEL_PROTOCOL, field(y, 'protocol'), `${path}.protocol`));
  put(r, 'ip', ip(get(y, 'IP'), `${path}.IP`));
  put(r, 'l4', layer4(field(y, 'l4'), `${path}.l4`));
  put(r, 'vni', u32(field(y, 'vni'), `${path}.vni`));
}
function fillEventType(y: Obj, r: CiliumEventType, path: string): void {
  put(r, 'type', i32(field(y, 'type'), `${path}.type`));
  put(r, 'subType', i32(field(y, 'sub_type'), `${path}.sub_type`));
}
function fillFile(y: Obj, r: FileInfo, path: string): void {
  put(r, 'name', str(field(y, 'name'), `${path}.name`));
  put(r, 'line', u32(field(y, 'line'), `${path}.line`));
}
function fillIpTraceId(y: Obj, r: IpTraceId, path: string): void {
  put(r, 'traceId', u64(field(y, 'trace_id'), `${path}.trace_id`));
  put(r, 'ipOptionType', en(IP_TRACE_OPTION_TYPE, field(y, 'ip_option_type'), `${path}.ip_option_type`));
}
function fillInterface(y: Obj, r: NetworkInterface, path: string): void {
  put(r, 'index', u32(field(y, 'index'), `${path}.index`));
  put(r, 'name', str(field(y, 'name'), `${path}.name`));
}
function fillTraceParent(z: Obj, q: { traceId?: string }, path: string): void {
  put(q, 'traceId', str(field(z, 'trace_id'), `${path}.trace_id`));
}
function fillTraceContext(y: Obj, r: { parent?: { traceId?: string } }, path: string): void {
  put(r, 'parent', small(field(y, 'parent'), `${path}.parent`, fillTraceParent));
}
function fillAggregate(y: Obj, r: Aggregate, path: string): void {
  put(r, 'ingressFlowCount', u32(field(y, 'ingress_flow_count'), `${path}.ingress_flow_count`));
  put(r, 'egressFlowCount', u32(field(y, 'egress_flow_count'), `${path}.egress_flow_count`));
  put(r, 'unknownDirectionFlowCount', u32(field(y, 'unknown_direction_flow_count'), `${path}.unknown_direction_flow_count`));
}
function fillWorkload(w: Obj, r: Workload, path: string): void {
  put(r, 'name', str(field(w, 'name'), `${path}.name`));
  put(r, 'kind', str(field(w, 'kind'), `${path}.kind`));
}
function workloadItem(x: unknown, path: string): Workload {
  return small(x, path, fillWorkload) ?? {};
}

/**
 * Decodes a `flow.Flow` JSON object. Throws `DecodeError` on a field of the
 * wrong type. It walks the keys present in the object rather than the ~50
 * fields of the schema, because exports are sparse and this is the hot loop.
 */
export function decodeFlow(v: unknown, path = 'flow'): Flow {
  const o = obj(v, path);
  if (!o) throw new DecodeError(path, 'expected an object');
  const f: Flow = {};
  for (const key in o) {
    const x = o[key];
    if (x === null || x === undefined) continue;
    switch (key) {
      case 'time': put(f, 'time', timestamp(x, `${path}.time`)); break;
      case 'uuid': put(f, 'uuid', str(x, `${path}.${key}`)); break;
      case 'emitter':
        put(f, 'emitter', small(x, `${path}.${key}`, fillEmitter));
        break;
      case 'verdict': put(f, 'verdict', en(VERDICT, x, `${path}.${key}`)); break;
      case 'drop_reason': case 'dropReason': put(f, 'dropReason', u32(x, `${path}.${key}`)); break;
      case 'auth_type': case 'authType': put(f, 'authType', en(AUTH_TYPE, x, `${path}.${key}`)); break;
      case 'ethernet':
        put(f, 'ethernet', small(x, `${path}.${key}`, fillEthernet));
        break;
      case 'IP': put(f, 'ip', ip(x, `${path}.${key}`)); break;
      case 'l4': put(f, 'l4', layer4(x, `${path}.${key}`)); break;
      case 'tunnel':
        put(f, 'tunnel', small(x, `${path}.${key}`, fillTunnel));
        break;
      case 'source': put(f, 'source', endpoint(x, `${path}.${key}`)); break;
      case 'destination': put(f, 'destination', endpoint(x, `${path}.${key}`)); break;
      case 'Type': put(f, 'type', en(FLOW_TYPE, x, `${path}.${key}`)); break;
      case 'node_name': case 'nodeName': put(f, 'nodeName', str(x, `${path}.${key}`)); break;
      case 'node_labels': case 'nodeLabels': put(f, 'nodeLabels', list(x, `${path}.${key}`, strItem)); break;
      case 'source_names': case 'sourceNames': put(f, 'sourceNames', list(x, `${path}.${key}`, strItem)); break;
      case 'destination_names': case 'destinationNames': put(f, 'destinationNames', list(x, `${path}.${key}`, strItem)); break;
      case 'l7': put(f, 'l7', layer7(x, `${path}.${key}`)); break;
      case 'reply': put(f, 'reply', bool(x, `${path}.${key}`)); break;
      case 'event_type': case 'eventType':
        put(f, 'eventType', small(x, `${path}.${key}`, fillEventType));
        break;
      case 'source_service': case 'sourceService': put(f, 'sourceService', service(x, `${path}.${key}`)); break;
      case 'destination_service': case 'destinationService': put(f, 'destinationService', service(x, `${path}.${key}`)); break;
      case 'traffic_direction': case 'trafficDirection': put(f, 'trafficDirection', en(TRAFFIC_DIRECTION, x, `${path}.${key}`)); break;
      case 'policy_match_type': case 'policyMatchType': put(f, 'policyMatchType', u32(x, `${path}.${key}`)); break;
      case 'trace_observation_point': case 'traceObservationPoint':
        put(f, 'traceObservationPoint', en(TRACE_OBSERVATION_POINT, x, `${path}.${key}`));
        break;
      case 'trace_reason': case 'traceReason': put(f, 'traceReason', en(TRACE_REASON, x, `${path}.${key}`)); break;
      case 'file':
        put(f, 'file', small(x, `${path}.${key}`, fillFile));
        break;
      case 'ip_trace_id': case 'ipTraceId':
        put(f, 'ipTraceId', small(x, `${path}.${key}`, fillIpTraceId));
        break;
      case 'drop_reason_desc': case 'dropReasonDesc': put(f, 'dropReasonDesc', en(DROP_REASON, x, `${path}.${key}`)); break;
      case 'is_reply': case 'isReply': {
        // BoolValue: protojson writes the bare value; a {"value":…} object is accepted too.
        const b = isObj(x) ? (get(x, 'value') ?? false) : x;
        if (typeof b !== 'boolean') throw new DecodeError(`${path}.${key}`, 'expected true or false');
        f.isReply = b;
        break;
      }
      case 'debug_capture_point': case 'debugCapturePoint': put(f, 'debugCapturePoint', en(DEBUG_CAPTURE_POINT, x, `${path}.${key}`)); break;
      case 'interface':
        put(f, 'interface', small(x, `${path}.${key}`, fillInterface));
        break;
      case 'proxy_port': case 'proxyPort': put(f, 'proxyPort', u32(x, `${path}.${key}`)); break;
      case 'trace_context': case 'traceContext':
        put(f, 'traceContext', small(x, `${path}.${key}`, fillTraceContext));
        break;
      case 'sock_xlate_point': case 'sockXlatePoint': put(f, 'sockXlatePoint', en(SOCKET_TRANSLATION_POINT, x, `${path}.${key}`)); break;
      case 'socket_cookie': case 'socketCookie': put(f, 'socketCookie', u64(x, `${path}.${key}`)); break;
      case 'cgroup_id': case 'cgroupId': put(f, 'cgroupId', u64(x, `${path}.${key}`)); break;
      case 'Summary': case 'summary': put(f, 'summary', str(x, `${path}.${key}`)); break;
      case 'extensions': put(f, 'extensions', obj(x, `${path}.${key}`)); break;
      case 'egress_allowed_by': case 'egressAllowedBy': put(f, 'egressAllowedBy', policies(x, `${path}.${key}`)); break;
      case 'ingress_allowed_by': case 'ingressAllowedBy': put(f, 'ingressAllowedBy', policies(x, `${path}.${key}`)); break;
      case 'egress_denied_by': case 'egressDeniedBy': put(f, 'egressDeniedBy', policies(x, `${path}.${key}`)); break;
      case 'ingress_denied_by': case 'ingressDeniedBy': put(f, 'ingressDeniedBy', policies(x, `${path}.${key}`)); break;
      case 'policy_log': case 'policyLog': put(f, 'policyLog', list(x, `${path}.${key}`, strItem)); break;
      case 'aggregate':
        put(f, 'aggregate', small(x, `${path}.${key}`, fillAggregate));
        break;
      default:
        // Unknown fields are discarded, as the CLI's DiscardUnknown retry does.
        break;
    }
  }
  return f;
}

/** Exposed for the envelope decoder. @internal */
export const decodeHelpers = { isObj, get, field, str, timestamp };
