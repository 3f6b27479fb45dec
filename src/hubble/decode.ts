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

function camel(proto: string): string {
  return proto.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function field(o: Obj, proto: string): unknown {
  const j = camel(proto);
  return get(o, proto, j === proto ? undefined : j);
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
  const out: T[] = [];
  for (let i = 0; i < v.length; i++) {
    const x = item(v[i], `${path}[${i}]`);
    // protojson keeps zero elements of repeated scalars; keep them as their zero value.
    out.push(x as T);
  }
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
  put(e, 'id', u32(get(o, 'ID', 'ID'), `${path}.ID`));
  put(e, 'identity', u32(field(o, 'identity'), `${path}.identity`));
  put(e, 'clusterName', str(field(o, 'cluster_name'), `${path}.cluster_name`));
  put(e, 'namespace', str(field(o, 'namespace'), `${path}.namespace`));
  put(e, 'labels', list(field(o, 'labels'), `${path}.labels`, strItem));
  put(e, 'podName', str(field(o, 'pod_name'), `${path}.pod_name`));
  put(e, 'workloads', list(field(o, 'workloads'), `${path}.workloads`, (x, p): Workload => {
    const w = obj(x, p) ?? {};
    const r: Workload = {};
    put(r, 'name', str(field(w, 'name'), `${p}.name`));
    put(r, 'kind', str(field(w, 'kind'), `${p}.kind`));
    return r;
  }));
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
    put(r, 'headers', list(field(x, 'headers'), `${p}.headers`, (h, hp): HttpHeader => {
      const ho = obj(h, hp) ?? {};
      const hh: HttpHeader = {};
      put(hh, 'key', str(field(ho, 'key'), `${hp}.key`));
      put(hh, 'value', str(field(ho, 'value'), `${hp}.value`));
      return hh;
    }));
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
  return list(v, path, (x, p): Policy => {
    const o = obj(x, p) ?? {};
    const r: Policy = {};
    put(r, 'name', str(field(o, 'name'), `${p}.name`));
    put(r, 'namespace', str(field(o, 'namespace'), `${p}.namespace`));
    put(r, 'labels', list(field(o, 'labels'), `${p}.labels`, strItem));
    put(r, 'revision', u64(field(o, 'revision'), `${p}.revision`));
    put(r, 'kind', str(field(o, 'kind'), `${p}.kind`));
    return r;
  });
}

function small<T extends object>(v: unknown, path: string, fill: (o: Obj, r: T) => void): T | undefined {
  const o = obj(v, path);
  if (!o) return undefined;
  const r = {} as T;
  fill(o, r);
  return r;
}

/** Decodes a `flow.Flow` JSON object. Throws `DecodeError` on a field of the wrong type. */
export function decodeFlow(v: unknown, path = 'flow'): Flow {
  const o = obj(v, path);
  if (!o) throw new DecodeError(path, 'expected an object');
  const f: Flow = {};
  put(f, 'time', timestamp(field(o, 'time'), `${path}.time`));
  put(f, 'uuid', str(field(o, 'uuid'), `${path}.uuid`));
  put(f, 'emitter', small<Emitter>(field(o, 'emitter'), `${path}.emitter`, (x, r) => {
    put(r, 'name', str(field(x, 'name'), `${path}.emitter.name`));
    put(r, 'version', str(field(x, 'version'), `${path}.emitter.version`));
  }));
  put(f, 'verdict', en(VERDICT, field(o, 'verdict'), `${path}.verdict`));
  put(f, 'dropReason', u32(field(o, 'drop_reason'), `${path}.drop_reason`));
  put(f, 'authType', en(AUTH_TYPE, field(o, 'auth_type'), `${path}.auth_type`));
  put(f, 'ethernet', small<Ethernet>(field(o, 'ethernet'), `${path}.ethernet`, (x, r) => {
    put(r, 'source', str(field(x, 'source'), `${path}.ethernet.source`));
    put(r, 'destination', str(field(x, 'destination'), `${path}.ethernet.destination`));
  }));
  put(f, 'ip', ip(get(o, 'IP'), `${path}.IP`));
  put(f, 'l4', layer4(field(o, 'l4'), `${path}.l4`));
  put(f, 'tunnel', small<Tunnel>(field(o, 'tunnel'), `${path}.tunnel`, (x, r) => {
    put(r, 'protocol', en(TUNNEL_PROTOCOL, field(x, 'protocol'), `${path}.tunnel.protocol`));
    put(r, 'ip', ip(get(x, 'IP'), `${path}.tunnel.IP`));
    put(r, 'l4', layer4(field(x, 'l4'), `${path}.tunnel.l4`));
    put(r, 'vni', u32(field(x, 'vni'), `${path}.tunnel.vni`));
  }));
  put(f, 'source', endpoint(field(o, 'source'), `${path}.source`));
  put(f, 'destination', endpoint(field(o, 'destination'), `${path}.destination`));
  put(f, 'type', en(FLOW_TYPE, get(o, 'Type'), `${path}.Type`));
  put(f, 'nodeName', str(field(o, 'node_name'), `${path}.node_name`));
  put(f, 'nodeLabels', list(field(o, 'node_labels'), `${path}.node_labels`, strItem));
  put(f, 'sourceNames', list(field(o, 'source_names'), `${path}.source_names`, strItem));
  put(f, 'destinationNames', list(field(o, 'destination_names'), `${path}.destination_names`, strItem));
  put(f, 'l7', layer7(field(o, 'l7'), `${path}.l7`));
  put(f, 'reply', bool(field(o, 'reply'), `${path}.reply`));
  put(f, 'eventType', small<CiliumEventType>(field(o, 'event_type'), `${path}.event_type`, (x, r) => {
    put(r, 'type', i32(field(x, 'type'), `${path}.event_type.type`));
    put(r, 'subType', i32(field(x, 'sub_type'), `${path}.event_type.sub_type`));
  }));
  put(f, 'sourceService', service(field(o, 'source_service'), `${path}.source_service`));
  put(f, 'destinationService', service(field(o, 'destination_service'), `${path}.destination_service`));
  put(f, 'trafficDirection', en(TRAFFIC_DIRECTION, field(o, 'traffic_direction'), `${path}.traffic_direction`));
  put(f, 'policyMatchType', u32(field(o, 'policy_match_type'), `${path}.policy_match_type`));
  put(f, 'traceObservationPoint', en(TRACE_OBSERVATION_POINT, field(o, 'trace_observation_point'), `${path}.trace_observation_point`));
  put(f, 'traceReason', en(TRACE_REASON, field(o, 'trace_reason'), `${path}.trace_reason`));
  put(f, 'file', small<FileInfo>(field(o, 'file'), `${path}.file`, (x, r) => {
    put(r, 'name', str(field(x, 'name'), `${path}.file.name`));
    put(r, 'line', u32(field(x, 'line'), `${path}.file.line`));
  }));
  put(f, 'ipTraceId', small<IpTraceId>(field(o, 'ip_trace_id'), `${path}.ip_trace_id`, (x, r) => {
    put(r, 'traceId', u64(field(x, 'trace_id'), `${path}.ip_trace_id.trace_id`));
    put(r, 'ipOptionType', en(IP_TRACE_OPTION_TYPE, field(x, 'ip_option_type'), `${path}.ip_trace_id.ip_option_type`));
  }));
  put(f, 'dropReasonDesc', en(DROP_REASON, field(o, 'drop_reason_desc'), `${path}.drop_reason_desc`));
  const isReply = field(o, 'is_reply');
  if (isReply !== undefined) {
    // BoolValue: protojson writes the bare value; a {"value":…} object is accepted too.
    const b = isObj(isReply) ? (get(isReply, 'value') ?? false) : isReply;
    if (typeof b !== 'boolean') throw new DecodeError(`${path}.is_reply`, 'expected true or false');
    f.isReply = b;
  }
  put(f, 'debugCapturePoint', en(DEBUG_CAPTURE_POINT, field(o, 'debug_capture_point'), `${path}.debug_capture_point`));
  put(f, 'interface', small<NetworkInterface>(field(o, 'interface'), `${path}.interface`, (x, r) => {
    put(r, 'index', u32(field(x, 'index'), `${path}.interface.index`));
    put(r, 'name', str(field(x, 'name'), `${path}.interface.name`));
  }));
  put(f, 'proxyPort', u32(field(o, 'proxy_port'), `${path}.proxy_port`));
  put(f, 'traceContext', small<{ parent?: { traceId?: string } }>(field(o, 'trace_context'), `${path}.trace_context`, (x, r) => {
    put(r, 'parent', small<{ traceId?: string }>(field(x, 'parent'), `${path}.trace_context.parent`, (y, q) => {
      put(q, 'traceId', str(field(y, 'trace_id'), `${path}.trace_context.parent.trace_id`));
    }));
  }));
  put(f, 'sockXlatePoint', en(SOCKET_TRANSLATION_POINT, field(o, 'sock_xlate_point'), `${path}.sock_xlate_point`));
  put(f, 'socketCookie', u64(field(o, 'socket_cookie'), `${path}.socket_cookie`));
  put(f, 'cgroupId', u64(field(o, 'cgroup_id'), `${path}.cgroup_id`));
  put(f, 'summary', str(get(o, 'Summary', 'summary'), `${path}.Summary`));
  put(f, 'extensions', obj(field(o, 'extensions'), `${path}.extensions`));
  put(f, 'egressAllowedBy', policies(field(o, 'egress_allowed_by'), `${path}.egress_allowed_by`));
  put(f, 'ingressAllowedBy', policies(field(o, 'ingress_allowed_by'), `${path}.ingress_allowed_by`));
  put(f, 'egressDeniedBy', policies(field(o, 'egress_denied_by'), `${path}.egress_denied_by`));
  put(f, 'ingressDeniedBy', policies(field(o, 'ingress_denied_by'), `${path}.ingress_denied_by`));
  put(f, 'policyLog', list(field(o, 'policy_log'), `${path}.policy_log`, strItem));
  put(f, 'aggregate', small<Aggregate>(field(o, 'aggregate'), `${path}.aggregate`, (x, r) => {
    put(r, 'ingressFlowCount', u32(field(x, 'ingress_flow_count'), `${path}.aggregate.ingress_flow_count`));
    put(r, 'egressFlowCount', u32(field(x, 'egress_flow_count'), `${path}.aggregate.egress_flow_count`));
    put(r, 'unknownDirectionFlowCount', u32(field(x, 'unknown_direction_flow_count'), `${path}.aggregate.unknown_direction_flow_count`));
  }));
  return f;
}

/** Exposed for the envelope decoder. @internal */
export const decodeHelpers = { isObj, get, field, str, timestamp };
