/**
 * @module hubble/flow
 *
 * The Hubble `flow.Flow` message as one TypeScript type: the fields of
 * cilium's `api/v1/flow/flow.proto` that matter for policy work and display
 * (reference §2). Field names are the camelCase of the proto names; the JSON
 * codec (`decode.ts`, `encode.ts`) maps them to and from the proto names.
 *
 * Conventions, chosen so that decode → encode → decode is the identity:
 * - a top-level field that protojson would omit (zero, empty, enum 0) is
 *   `undefined`; a message that is present but empty is `{}`;
 * - inside small messages (ports, ICMP type/code) scalars default to 0;
 * - enums are their value names, or a number when the name is unknown;
 * - 64-bit integers are decimal strings (`Uint64`), so no precision is lost.
 */
import type {
  AuthType, DebugCapturePoint, EnumValue, FlowType, IpTraceOptionType, IpVersion, L7FlowType, SocketTranslationPoint,
  TraceObservationPoint, TraceReason, TrafficDirection, TunnelProtocol, Verdict,
} from './enums.js';

/** An unsigned 64-bit integer as decimal text, e.g. `"999958359"`. */
export type Uint64 = string;

/** A `google.protobuf.Timestamp`: seconds since the epoch (UTC) and nanoseconds. */
export interface Timestamp {
  readonly seconds: number;
  readonly nanos: number;
}

/** `flow.TCPFlags`: only the flags that are set are `true`. */
export interface TcpFlags {
  FIN?: boolean; SYN?: boolean; RST?: boolean; PSH?: boolean; ACK?: boolean; URG?: boolean; ECE?: boolean; CWR?: boolean; NS?: boolean;
}

/** The `l4` oneof: exactly one protocol, or `none` for a present but empty `l4`. */
export type Layer4 =
  | { readonly protocol: 'TCP'; readonly sourcePort: number; readonly destinationPort: number; readonly flags?: TcpFlags }
  | { readonly protocol: 'UDP' | 'SCTP'; readonly sourcePort: number; readonly destinationPort: number }
  | { readonly protocol: 'ICMPv4' | 'ICMPv6'; readonly type: number; readonly code: number }
  | { readonly protocol: 'VRRP'; readonly type: number; readonly vrid: number; readonly priority: number }
  | { readonly protocol: 'IGMP'; readonly type: number; readonly groupAddress: string }
  | { readonly protocol: 'none' };

/** `flow.IP`. */
export interface Ip {
  source?: string;
  sourceXlated?: string;
  destination?: string;
  ipVersion?: EnumValue<IpVersion>;
  encrypted?: boolean;
}

/** `flow.Workload`. */
export interface Workload { name?: string; kind?: string }

/** `flow.Endpoint` (`source`, `destination`). */
export interface Endpoint {
  /** Cilium endpoint id; only for endpoints local to the reporting node. */
  id?: number;
  /** Numeric security identity (reference §2.10). */
  identity?: number;
  clusterName?: string;
  namespace?: string;
  /** Identity labels, `source:key=value`, sorted. */
  labels?: string[];
  podName?: string;
  workloads?: Workload[];
}

/** `flow.Service`. */
export interface Service { name?: string; namespace?: string }

/** `flow.HTTPHeader`. */
export interface HttpHeader { key?: string; value?: string }

/** The `l7.record` oneof. */
export type L7Record =
  | {
      readonly kind: 'http'; code?: number; method?: string; url?: string; protocol?: string; headers?: HttpHeader[];
    }
  | {
      readonly kind: 'dns'; query?: string; ips?: string[]; ttl?: number; cnames?: string[]; observationSource?: string;
      rcode?: number; qtypes?: string[]; rrtypes?: string[];
    }
  | {
      readonly kind: 'kafka'; errorCode?: number; apiVersion?: number; apiKey?: string; correlationId?: number; topic?: string;
    };

/** `flow.Layer7`. */
export interface Layer7 {
  type?: EnumValue<L7FlowType>;
  latencyNs?: Uint64;
  record?: L7Record;
}

/** `flow.CiliumEventType`: `type` 1 drop, 4 trace, 5 policy-verdict, 129 l7, … */
export interface CiliumEventType { type?: number; subType?: number }

/** `flow.Policy`: a policy that allowed or denied the flow. */
export interface Policy {
  name?: string; namespace?: string; labels?: string[]; revision?: Uint64; kind?: string;
}

/** `flow.Emitter`. */
export interface Emitter { name?: string; version?: string }

/** `flow.NetworkInterface`. */
export interface NetworkInterface { index?: number; name?: string }

/** `flow.FileInfo`: datapath source location of a drop. */
export interface FileInfo { name?: string; line?: number }

/** `flow.IPTraceID`. */
export interface IpTraceId { traceId?: Uint64; ipOptionType?: EnumValue<IpTraceOptionType> }

/** `flow.Tunnel`. */
export interface Tunnel { protocol?: EnumValue<TunnelProtocol>; ip?: Ip; l4?: Layer4; vni?: number }

/** `flow.Aggregate`. */
export interface Aggregate { ingressFlowCount?: number; egressFlowCount?: number; unknownDirectionFlowCount?: number }

/** `flow.Ethernet`. */
export interface Ethernet { source?: string; destination?: string }

/** A Hubble flow (`flow.Flow`). Every field is optional, as exports are often field-masked. */
export interface Flow {
  time?: Timestamp;
  uuid?: string;
  emitter?: Emitter;
  verdict?: EnumValue<Verdict>;
  /** Deprecated numeric drop code; still emitted beside `dropReasonDesc`. */
  dropReason?: number;
  authType?: EnumValue<AuthType>;
  ethernet?: Ethernet;
  ip?: Ip;
  l4?: Layer4;
  tunnel?: Tunnel;
  source?: Endpoint;
  destination?: Endpoint;
  type?: EnumValue<FlowType>;
  nodeName?: string;
  nodeLabels?: string[];
  sourceNames?: string[];
  destinationNames?: string[];
  l7?: Layer7;
  /** Deprecated; use `isReply`. */
  reply?: boolean;
  eventType?: CiliumEventType;
  sourceService?: Service;
  destinationService?: Service;
  trafficDirection?: EnumValue<TrafficDirection>;
  policyMatchType?: number;
  traceObservationPoint?: EnumValue<TraceObservationPoint>;
  traceReason?: EnumValue<TraceReason>;
  file?: FileInfo;
  ipTraceId?: IpTraceId;
  /** A `flow.DropReason` name such as `POLICY_DENIED`, or a number. */
  dropReasonDesc?: EnumValue<string>;
  /** `google.protobuf.BoolValue`: `undefined` means the direction is unknown. */
  isReply?: boolean;
  debugCapturePoint?: EnumValue<DebugCapturePoint>;
  interface?: NetworkInterface;
  proxyPort?: number;
  traceContext?: { parent?: { traceId?: string } };
  sockXlatePoint?: EnumValue<SocketTranslationPoint>;
  socketCookie?: Uint64;
  cgroupId?: Uint64;
  /** Human-readable summary (deprecated in the proto, still filled); see `summary.ts`. */
  summary?: string;
  /** `google.protobuf.Any`, kept as its JSON object. */
  extensions?: Readonly<Record<string, unknown>>;
  egressAllowedBy?: Policy[];
  ingressAllowedBy?: Policy[];
  egressDeniedBy?: Policy[];
  ingressDeniedBy?: Policy[];
  policyLog?: string[];
  aggregate?: Aggregate;
}

/** One flow as read from a line, with the envelope's `node_name` and `time` when present. */
export interface FlowRecord {
  readonly flow: Flow;
  readonly nodeName?: string;
  readonly time?: Timestamp;
}

/** Message types of `event_type.type` (cilium `pkg/monitor/api/types.go`). */
export const EventTypeNumber = {
  drop: 1,
  debug: 2,
  capture: 3,
  trace: 4,
  policyVerdict: 5,
  traceSock: 7,
  l7: 129,
  agent: 130,
} as const;
