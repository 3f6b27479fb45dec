/**
 * @module hubble/enums
 *
 * The protobuf enums of `flow.proto` as name tables. protojson writes an enum
 * as its value name and reads either the name or the number, and an unknown
 * number is written as a bare number; these tables serve both directions.
 * Source: cilium/cilium `api/v1/flow/flow.proto` (the reference, §2).
 */

/** An enum table: value name by number, number by name. */
export interface EnumTable<N extends string> {
  readonly names: ReadonlyMap<number, N>;
  readonly values: ReadonlyMap<string, number>;
  /** The zero value's name (omitted in JSON). */
  readonly zero: N;
}

function table<N extends string>(entries: readonly (readonly [N, number])[]): EnumTable<N> {
  const names = new Map<number, N>();
  const values = new Map<string, number>();
  for (const [n, v] of entries) {
    names.set(v, n);
    values.set(n, v);
  }
  const zero = names.get(0);
  if (zero === undefined) throw new TypeError('enum table without a zero value');
  return { names, values, zero };
}

export type Verdict = 'VERDICT_UNKNOWN' | 'FORWARDED' | 'DROPPED' | 'ERROR' | 'AUDIT' | 'REDIRECTED' | 'TRACED' | 'TRANSLATED';
/** `flow.Verdict`. */
export const VERDICT = table<Verdict>([
  ['VERDICT_UNKNOWN', 0], ['FORWARDED', 1], ['DROPPED', 2], ['ERROR', 3], ['AUDIT', 4], ['REDIRECTED', 5], ['TRACED', 6], ['TRANSLATED', 7],
]);

export type FlowType = 'UNKNOWN_TYPE' | 'L3_L4' | 'L7' | 'SOCK';
/** `flow.FlowType`. */
export const FLOW_TYPE = table<FlowType>([['UNKNOWN_TYPE', 0], ['L3_L4', 1], ['L7', 2], ['SOCK', 3]]);

export type AuthType = 'DISABLED' | 'SPIRE' | 'TEST_ALWAYS_FAIL';
/** `flow.AuthType`. */
export const AUTH_TYPE = table<AuthType>([['DISABLED', 0], ['SPIRE', 1], ['TEST_ALWAYS_FAIL', 2]]);

export type TrafficDirection = 'TRAFFIC_DIRECTION_UNKNOWN' | 'INGRESS' | 'EGRESS';
/** `flow.TrafficDirection`. */
export const TRAFFIC_DIRECTION = table<TrafficDirection>([['TRAFFIC_DIRECTION_UNKNOWN', 0], ['INGRESS', 1], ['EGRESS', 2]]);

export type IpVersion = 'IP_NOT_USED' | 'IPv4' | 'IPv6';
/** `flow.IPVersion`. */
export const IP_VERSION = table<IpVersion>([['IP_NOT_USED', 0], ['IPv4', 1], ['IPv6', 2]]);

export type L7FlowType = 'UNKNOWN_L7_TYPE' | 'REQUEST' | 'RESPONSE' | 'SAMPLE';
/** `flow.L7FlowType`. */
export const L7_FLOW_TYPE = table<L7FlowType>([['UNKNOWN_L7_TYPE', 0], ['REQUEST', 1], ['RESPONSE', 2], ['SAMPLE', 3]]);

export type TraceObservationPoint =
  | 'UNKNOWN_POINT' | 'TO_PROXY' | 'TO_HOST' | 'TO_STACK' | 'TO_OVERLAY' | 'TO_ENDPOINT' | 'FROM_ENDPOINT' | 'FROM_PROXY'
  | 'FROM_HOST' | 'FROM_STACK' | 'FROM_OVERLAY' | 'FROM_NETWORK' | 'TO_NETWORK' | 'FROM_CRYPTO' | 'TO_CRYPTO';
/** `flow.TraceObservationPoint`; TO_ENDPOINT is 101 on purpose (reference §2.7). */
export const TRACE_OBSERVATION_POINT = table<TraceObservationPoint>([
  ['UNKNOWN_POINT', 0], ['TO_PROXY', 1], ['TO_HOST', 2], ['TO_STACK', 3], ['TO_OVERLAY', 4], ['TO_ENDPOINT', 101],
  ['FROM_ENDPOINT', 5], ['FROM_PROXY', 6], ['FROM_HOST', 7], ['FROM_STACK', 8], ['FROM_OVERLAY', 9],
  ['FROM_NETWORK', 10], ['TO_NETWORK', 11], ['FROM_CRYPTO', 12], ['TO_CRYPTO', 13],
]);

export type TraceReason =
  | 'TRACE_REASON_UNKNOWN' | 'NEW' | 'ESTABLISHED' | 'REPLY' | 'RELATED' | 'REOPENED' | 'SRV6_ENCAP' | 'SRV6_DECAP' | 'ENCRYPT_OVERLAY';
/** `flow.TraceReason`. */
export const TRACE_REASON = table<TraceReason>([
  ['TRACE_REASON_UNKNOWN', 0], ['NEW', 1], ['ESTABLISHED', 2], ['REPLY', 3], ['RELATED', 4], ['REOPENED', 5],
  ['SRV6_ENCAP', 6], ['SRV6_DECAP', 7], ['ENCRYPT_OVERLAY', 8],
]);

export type DebugCapturePoint =
  | 'DBG_CAPTURE_POINT_UNKNOWN' | 'DBG_CAPTURE_DELIVERY' | 'DBG_CAPTURE_FROM_LB' | 'DBG_CAPTURE_AFTER_V46' | 'DBG_CAPTURE_AFTER_V64'
  | 'DBG_CAPTURE_PROXY_PRE' | 'DBG_CAPTURE_PROXY_POST' | 'DBG_CAPTURE_SNAT_PRE' | 'DBG_CAPTURE_SNAT_POST';
/** `flow.DebugCapturePoint`. */
export const DEBUG_CAPTURE_POINT = table<DebugCapturePoint>([
  ['DBG_CAPTURE_POINT_UNKNOWN', 0], ['DBG_CAPTURE_DELIVERY', 4], ['DBG_CAPTURE_FROM_LB', 5], ['DBG_CAPTURE_AFTER_V46', 6],
  ['DBG_CAPTURE_AFTER_V64', 7], ['DBG_CAPTURE_PROXY_PRE', 8], ['DBG_CAPTURE_PROXY_POST', 9], ['DBG_CAPTURE_SNAT_PRE', 10],
  ['DBG_CAPTURE_SNAT_POST', 11],
]);

export type SocketTranslationPoint =
  | 'SOCK_XLATE_POINT_UNKNOWN' | 'SOCK_XLATE_POINT_PRE_DIRECTION_FWD' | 'SOCK_XLATE_POINT_POST_DIRECTION_FWD'
  | 'SOCK_XLATE_POINT_PRE_DIRECTION_REV' | 'SOCK_XLATE_POINT_POST_DIRECTION_REV';
/** `flow.SocketTranslationPoint`. */
export const SOCKET_TRANSLATION_POINT = table<SocketTranslationPoint>([
  ['SOCK_XLATE_POINT_UNKNOWN', 0], ['SOCK_XLATE_POINT_PRE_DIRECTION_FWD', 1], ['SOCK_XLATE_POINT_POST_DIRECTION_FWD', 2],
  ['SOCK_XLATE_POINT_PRE_DIRECTION_REV', 3], ['SOCK_XLATE_POINT_POST_DIRECTION_REV', 4],
]);

export type TunnelProtocol = 'UNKNOWN' | 'VXLAN' | 'GENEVE';
/** `flow.Tunnel.Protocol`. */
export const TUNNEL_PROTOCOL = table<TunnelProtocol>([['UNKNOWN', 0], ['VXLAN', 1], ['GENEVE', 2]]);

export type IpTraceOptionType = 'IP_TRACE_OPTION_TYPE_UNKNOWN';
/** `flow.IPTraceID` option type; only the zero value is named here, other values stay numeric. */
export const IP_TRACE_OPTION_TYPE = table<IpTraceOptionType>([['IP_TRACE_OPTION_TYPE_UNKNOWN', 0]]);

/**
 * `flow.DropReason`. Values up to 197 and 202/203 are in cilium's flow.proto
 * (read at commit 04bbfcb5); 195 and 198–205 follow the reference §2.9 and
 * newer protos. A number not listed here is kept as a number.
 */
export const DROP_REASON = table<string>([
  ['DROP_REASON_UNKNOWN', 0], ['INVALID_SOURCE_MAC', 130], ['INVALID_DESTINATION_MAC', 131], ['INVALID_SOURCE_IP', 132],
  ['POLICY_DENIED', 133], ['INVALID_PACKET_DROPPED', 134], ['CT_TRUNCATED_OR_INVALID_HEADER', 135],
  ['CT_MISSING_TCP_ACK_FLAG', 136], ['CT_UNKNOWN_L4_PROTOCOL', 137], ['CT_CANNOT_CREATE_ENTRY_FROM_PACKET', 138],
  ['UNSUPPORTED_L3_PROTOCOL', 139], ['MISSED_TAIL_CALL', 140], ['ERROR_WRITING_TO_PACKET', 141], ['UNKNOWN_L4_PROTOCOL', 142],
  ['UNKNOWN_ICMPV4_CODE', 143], ['UNKNOWN_ICMPV4_TYPE', 144], ['UNKNOWN_ICMPV6_CODE', 145], ['UNKNOWN_ICMPV6_TYPE', 146],
  ['ERROR_RETRIEVING_TUNNEL_KEY', 147], ['ERROR_RETRIEVING_TUNNEL_OPTIONS', 148], ['INVALID_GENEVE_OPTION', 149],
  ['UNKNOWN_L3_TARGET_ADDRESS', 150], ['STALE_OR_UNROUTABLE_IP', 151], ['NO_MATCHING_LOCAL_CONTAINER_FOUND', 152],
  ['ERROR_WHILE_CORRECTING_L3_CHECKSUM', 153], ['ERROR_WHILE_CORRECTING_L4_CHECKSUM', 154], ['CT_MAP_INSERTION_FAILED', 155],
  ['INVALID_IPV6_EXTENSION_HEADER', 156], ['IP_FRAGMENTATION_NOT_SUPPORTED', 157], ['SERVICE_BACKEND_NOT_FOUND', 158],
  ['NO_TUNNEL_OR_ENCAPSULATION_ENDPOINT', 160], ['FAILED_TO_INSERT_INTO_PROXYMAP', 161],
  ['REACHED_EDT_RATE_LIMITING_DROP_HORIZON', 162], ['UNKNOWN_CONNECTION_TRACKING_STATE', 163], ['LOCAL_HOST_IS_UNREACHABLE', 164],
  ['NO_CONFIGURATION_AVAILABLE_TO_PERFORM_POLICY_DECISION', 165], ['UNSUPPORTED_L2_PROTOCOL', 166],
  ['NO_MAPPING_FOR_NAT_MASQUERADE', 167], ['UNSUPPORTED_PROTOCOL_FOR_NAT_MASQUERADE', 168], ['FIB_LOOKUP_FAILED', 169],
  ['ENCAPSULATION_TRAFFIC_IS_PROHIBITED', 170], ['INVALID_IDENTITY', 171], ['UNKNOWN_SENDER', 172], ['NAT_NOT_NEEDED', 173],
  ['IS_A_CLUSTERIP', 174], ['FIRST_LOGICAL_DATAGRAM_FRAGMENT_NOT_FOUND', 175], ['FORBIDDEN_ICMPV6_MESSAGE', 176],
  ['DENIED_BY_LB_SRC_RANGE_CHECK', 177], ['SOCKET_LOOKUP_FAILED', 178], ['SOCKET_ASSIGN_FAILED', 179],
  ['PROXY_REDIRECTION_NOT_SUPPORTED_FOR_PROTOCOL', 180], ['POLICY_DENY', 181], ['VLAN_FILTERED', 182], ['INVALID_VNI', 183],
  ['INVALID_TC_BUFFER', 184], ['NO_SID', 185], ['MISSING_SRV6_STATE', 186], ['NAT46', 187], ['NAT64', 188],
  ['AUTH_REQUIRED', 189], ['CT_NO_MAP_FOUND', 190], ['SNAT_NO_MAP_FOUND', 191], ['INVALID_CLUSTER_ID', 192],
  ['UNSUPPORTED_PROTOCOL_FOR_DSR_ENCAP', 193], ['NO_EGRESS_GATEWAY', 194], ['UNENCRYPTED_TRAFFIC', 195], ['TTL_EXCEEDED', 196],
  ['NO_NODE_ID', 197], ['DROP_RATE_LIMITED', 198], ['IGMP_HANDLED', 199], ['IGMP_SUBSCRIBED', 200], ['MULTICAST_HANDLED', 201],
  ['DROP_HOST_NOT_READY', 202], ['DROP_EP_NOT_READY', 203], ['DROP_NO_EGRESS_IP', 204], ['DROP_PUNT_PROXY', 205],
]);

/** An enum value as read: a known name, or the number when the name is not known. */
export type EnumValue<N extends string> = N | number;

/** Reads an enum from JSON (name or number); `undefined` when invalid or zero. */
export function enumFromJson<N extends string>(t: EnumTable<N>, v: unknown): EnumValue<N> | undefined | null {
  if (typeof v === 'string') {
    const n = t.values.get(v);
    if (n === undefined) return null;
    return n === 0 ? undefined : (v as N);
  }
  if (typeof v === 'number' && Number.isInteger(v)) {
    if (v === 0) return undefined;
    return t.names.get(v) ?? v;
  }
  return null;
}

/** The number of an enum value. */
export function enumNumber<N extends string>(t: EnumTable<N>, v: EnumValue<N> | undefined): number {
  if (v === undefined) return 0;
  return typeof v === 'number' ? v : (t.values.get(v) ?? 0);
}

/** The name protojson writes, or the number for an unknown value, as Go's `String()` prints it. */
export function enumName<N extends string>(t: EnumTable<N>, v: EnumValue<N> | undefined): string {
  if (v === undefined) return t.zero;
  return typeof v === 'number' ? String(v) : v;
}
