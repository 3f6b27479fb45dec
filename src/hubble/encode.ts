/**
 * @module hubble/encode
 *
 * `Flow` → the exact JSON text Hubble writes (reference §1): protojson with
 * `UseProtoNames`, keys in .proto declaration order, zero values omitted
 * (`is_reply:false` kept, as a set BoolValue), enums by name, 64-bit integers
 * as strings, timestamps as RFC 3339 with 0/3/6/9 fraction digits, then Go's
 * `json.Encoder` HTML escaping of `<`, `>`, `&`, U+2028 and U+2029. The text
 * is built directly, as one string, in a single pass.
 */
import {
  AUTH_TYPE, DEBUG_CAPTURE_POINT, DROP_REASON, FLOW_TYPE, IP_TRACE_OPTION_TYPE, IP_VERSION, L7_FLOW_TYPE,
  SOCKET_TRANSLATION_POINT, TRACE_OBSERVATION_POINT, TRACE_REASON, TRAFFIC_DIRECTION, TUNNEL_PROTOCOL, VERDICT,
  type EnumTable, type EnumValue,
} from './enums.js';
import type { Endpoint, Flow, FlowRecord, Ip, Layer4, Layer7, Policy, Service, Timestamp } from './flow.js';
import { formatProtoTimestamp } from './time.js';

const HTML_UNSAFE = /[<>&\u2028\u2029]/;
const HTML_UNSAFE_G = /[<>&\u2028\u2029]/g;
const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029',
};

/** A JSON string literal escaped as Go's `json.Encoder` (with HTML escaping) writes it. */
export function goJsonString(s: string): string {
  const q = JSON.stringify(s);
  return HTML_UNSAFE.test(q) ? q.replace(HTML_UNSAFE_G, (c) => HTML_ESCAPES[c] ?? c) : q;
}

/** Collects `"key":value` members of one object. */
class Obj {
  private parts: string[] = [];
  str(k: string, v: string | undefined): this {
    if (v) this.parts.push(`"${k}":${goJsonString(v)}`);
    return this;
  }
  num(k: string, v: number | undefined): this {
    if (v) this.parts.push(`"${k}":${v}`);
    return this;
  }
  u64(k: string, v: string | undefined): this {
    if (v && v !== '0') this.parts.push(`"${k}":"${v}"`);
    return this;
  }
  bool(k: string, v: boolean | undefined): this {
    if (v) this.parts.push(`"${k}":true`);
    return this;
  }
  en<N extends string>(k: string, t: EnumTable<N>, v: EnumValue<N> | undefined): this {
    if (v === undefined || v === 0 || v === t.zero) return this;
    this.parts.push(typeof v === 'number' ? `"${k}":${v}` : `"${k}":"${v}"`);
    return this;
  }
  raw(k: string, json: string | undefined): this {
    if (json !== undefined) this.parts.push(`"${k}":${json}`);
    return this;
  }
  strs(k: string, v: readonly string[] | undefined): this {
    if (v && v.length > 0) this.parts.push(`"${k}":[${v.map(goJsonString).join(',')}]`);
    return this;
  }
  objs<T>(k: string, v: readonly T[] | undefined, enc: (x: T) => string): this {
    if (v && v.length > 0) this.parts.push(`"${k}":[${v.map(enc).join(',')}]`);
    return this;
  }
  done(): string {
    return `{${this.parts.join(',')}}`;
  }
}

function ts(t: Timestamp | undefined): string | undefined {
  return t && `"${formatProtoTimestamp(t)}"`;
}

function ip(v: Ip | undefined): string | undefined {
  return v && new Obj().str('source', v.source).str('source_xlated', v.sourceXlated).str('destination', v.destination)
    .en('ipVersion', IP_VERSION, v.ipVersion).bool('encrypted', v.encrypted).done();
}

function l4(v: Layer4 | undefined): string | undefined {
  if (!v) return undefined;
  const o = new Obj();
  switch (v.protocol) {
    case 'TCP': {
      const t = new Obj().num('source_port', v.sourcePort).num('destination_port', v.destinationPort);
      if (v.flags) {
        const f = v.flags;
        t.raw('flags', new Obj().bool('FIN', f.FIN).bool('SYN', f.SYN).bool('RST', f.RST).bool('PSH', f.PSH).bool('ACK', f.ACK)
          .bool('URG', f.URG).bool('ECE', f.ECE).bool('CWR', f.CWR).bool('NS', f.NS).done());
      }
      return o.raw('TCP', t.done()).done();
    }
    case 'UDP':
    case 'SCTP':
      return o.raw(v.protocol, new Obj().num('source_port', v.sourcePort).num('destination_port', v.destinationPort).done()).done();
    case 'ICMPv4':
    case 'ICMPv6':
      return o.raw(v.protocol, new Obj().num('type', v.type).num('code', v.code).done()).done();
    case 'VRRP':
      return o.raw('VRRP', new Obj().num('type', v.type).num('vrid', v.vrid).num('priority', v.priority).done()).done();
    case 'IGMP':
      return o.raw('IGMP', new Obj().num('type', v.type).str('group_address', v.groupAddress).done()).done();
    case 'none':
      return o.done();
  }
}

function endpoint(e: Endpoint | undefined): string | undefined {
  return e && new Obj().num('ID', e.id).num('identity', e.identity).str('cluster_name', e.clusterName)
    .str('namespace', e.namespace).strs('labels', e.labels).str('pod_name', e.podName)
    .objs('workloads', e.workloads, (w) => new Obj().str('name', w.name).str('kind', w.kind).done()).done();
}

function service(s: Service | undefined): string | undefined {
  return s && new Obj().str('name', s.name).str('namespace', s.namespace).done();
}

function l7(v: Layer7 | undefined): string | undefined {
  if (!v) return undefined;
  const o = new Obj().en('type', L7_FLOW_TYPE, v.type).u64('latency_ns', v.latencyNs);
  const r = v.record;
  if (r?.kind === 'dns') {
    o.raw('dns', new Obj().str('query', r.query).strs('ips', r.ips).num('ttl', r.ttl).strs('cnames', r.cnames)
      .str('observation_source', r.observationSource).num('rcode', r.rcode).strs('qtypes', r.qtypes).strs('rrtypes', r.rrtypes).done());
  } else if (r?.kind === 'http') {
    o.raw('http', new Obj().num('code', r.code).str('method', r.method).str('url', r.url).str('protocol', r.protocol)
      .objs('headers', r.headers, (h) => new Obj().str('key', h.key).str('value', h.value).done()).done());
  } else if (r?.kind === 'kafka') {
    o.raw('kafka', new Obj().num('error_code', r.errorCode).num('api_version', r.apiVersion).str('api_key', r.apiKey)
      .num('correlation_id', r.correlationId).str('topic', r.topic).done());
  }
  return o.done();
}

function policy(p: Policy): string {
  return new Obj().str('name', p.name).str('namespace', p.namespace).strs('labels', p.labels).u64('revision', p.revision)
    .str('kind', p.kind).done();
}

/** Go's encoding of an arbitrary JSON value (for `extensions`): compact, HTML-escaped. */
function anyJson(v: unknown): string {
  const s = JSON.stringify(v);
  return HTML_UNSAFE.test(s) ? s.replace(HTML_UNSAFE_G, (c) => HTML_ESCAPES[c] ?? c) : s;
}

/** A flow as protojson text (`hubble observe -o json` with `HUBBLE_COMPAT=legacy-json-output`). */
export function encodeFlow(f: Flow): string {
  const o = new Obj()
    .raw('time', ts(f.time))
    .str('uuid', f.uuid)
    .raw('emitter', f.emitter && new Obj().str('name', f.emitter.name).str('version', f.emitter.version).done())
    .en('verdict', VERDICT, f.verdict)
    .num('drop_reason', f.dropReason)
    .en('auth_type', AUTH_TYPE, f.authType)
    .raw('ethernet', f.ethernet && new Obj().str('source', f.ethernet.source).str('destination', f.ethernet.destination).done())
    .raw('IP', ip(f.ip))
    .raw('l4', l4(f.l4))
    .raw('tunnel', f.tunnel && new Obj().en('protocol', TUNNEL_PROTOCOL, f.tunnel.protocol).raw('IP', ip(f.tunnel.ip))
      .raw('l4', l4(f.tunnel.l4)).num('vni', f.tunnel.vni).done())
    .raw('source', endpoint(f.source))
    .raw('destination', endpoint(f.destination))
    .en('Type', FLOW_TYPE, f.type)
    .str('node_name', f.nodeName)
    .strs('node_labels', f.nodeLabels)
    .strs('source_names', f.sourceNames)
    .strs('destination_names', f.destinationNames)
    .raw('l7', l7(f.l7))
    .bool('reply', f.reply)
    .raw('event_type', f.eventType && new Obj().num('type', f.eventType.type).num('sub_type', f.eventType.subType).done())
    .raw('source_service', service(f.sourceService))
    .raw('destination_service', service(f.destinationService))
    .en('traffic_direction', TRAFFIC_DIRECTION, f.trafficDirection)
    .num('policy_match_type', f.policyMatchType)
    .en('trace_observation_point', TRACE_OBSERVATION_POINT, f.traceObservationPoint)
    .en('trace_reason', TRACE_REASON, f.traceReason)
    .raw('file', f.file && new Obj().str('name', f.file.name).num('line', f.file.line).done())
    .raw('ip_trace_id', f.ipTraceId && new Obj().u64('trace_id', f.ipTraceId.traceId)
      .en('ip_option_type', IP_TRACE_OPTION_TYPE, f.ipTraceId.ipOptionType).done())
    .en('drop_reason_desc', DROP_REASON, f.dropReasonDesc)
    .raw('is_reply', f.isReply === undefined ? undefined : String(f.isReply))
    .en('debug_capture_point', DEBUG_CAPTURE_POINT, f.debugCapturePoint)
    .raw('interface', f.interface && new Obj().num('index', f.interface.index).str('name', f.interface.name).done())
    .num('proxy_port', f.proxyPort)
    .raw('trace_context', f.traceContext && new Obj().raw('parent', f.traceContext.parent &&
      new Obj().str('trace_id', f.traceContext.parent.traceId).done()).done())
    .en('sock_xlate_point', SOCKET_TRANSLATION_POINT, f.sockXlatePoint)
    .u64('socket_cookie', f.socketCookie)
    .u64('cgroup_id', f.cgroupId)
    .str('Summary', f.summary)
    .raw('extensions', f.extensions && anyJson(f.extensions))
    .objs('egress_allowed_by', f.egressAllowedBy, policy)
    .objs('ingress_allowed_by', f.ingressAllowedBy, policy)
    .objs('egress_denied_by', f.egressDeniedBy, policy)
    .objs('ingress_denied_by', f.ingressDeniedBy, policy)
    .strs('policy_log', f.policyLog)
    .raw('aggregate', f.aggregate && new Obj().num('ingress_flow_count', f.aggregate.ingressFlowCount)
      .num('egress_flow_count', f.aggregate.egressFlowCount)
      .num('unknown_direction_flow_count', f.aggregate.unknownDirectionFlowCount).done());
  return o.done();
}

/**
 * A flow record as a `GetFlowsResponse` line (`hubble observe -o jsonpb`, and
 * the exporter's format): `{"flow":…,"node_name":…,"time":…}`, the envelope
 * fields written only when the record has them. No trailing newline.
 */
export function encodeFlowResponse(r: FlowRecord): string {
  return new Obj().raw('flow', encodeFlow(r.flow)).str('node_name', r.nodeName).raw('time', ts(r.time)).done();
}
