/**
 * @module hubble/filter/flow-filter
 *
 * `flow.FlowFilter` as data, mirroring the proto (reference §5): inside one
 * filter every set field must match (AND), inside one field any value may
 * match (OR). A request has a whitelist (any filter may match; empty matches
 * everything) and a blacklist (a flow matching any filter is excluded).
 * Values stay as the user typed them; `compile.ts` validates them.
 */
import type { TcpFlags, Workload } from '../flow.js';
import type { IpVersion, TrafficDirection, Verdict } from '../enums.js';

/** `flow.EventTypeFilter`: `type` 0 matches any type; `subType` is checked only when `matchSubType`. */
export interface EventTypeFilter {
  readonly type: number;
  readonly matchSubType?: boolean;
  readonly subType?: number;
}

/** `flow.FlowFilter` (the fields polis supports). */
export interface FlowFilter {
  uuid?: string[];
  sourceIp?: string[];
  sourceIpXlated?: string[];
  sourcePod?: string[];
  sourceFqdn?: string[];
  sourceLabel?: string[];
  sourceService?: string[];
  sourceWorkload?: Workload[];
  sourceClusterName?: string[];
  sourceIdentity?: number[];
  destinationIp?: string[];
  destinationPod?: string[];
  destinationFqdn?: string[];
  destinationLabel?: string[];
  destinationService?: string[];
  destinationWorkload?: Workload[];
  destinationClusterName?: string[];
  destinationIdentity?: number[];
  trafficDirection?: TrafficDirection[];
  verdict?: Verdict[];
  dropReasonDesc?: string[];
  eventType?: EventTypeFilter[];
  httpStatusCode?: string[];
  protocol?: string[];
  sourcePort?: string[];
  destinationPort?: string[];
  reply?: boolean[];
  dnsQuery?: string[];
  httpMethod?: string[];
  httpPath?: string[];
  httpUrl?: string[];
  httpHeader?: { key: string; value: string }[];
  tcpFlags?: TcpFlags[];
  nodeName?: string[];
  nodeLabels?: string[];
  ipVersion?: IpVersion[];
  ipTraceId?: string[];
  interface?: { name?: string; index?: number }[];
  encrypted?: boolean[];
}

/** Whitelist and blacklist, as in `GetFlowsRequest`. */
export interface FlowFilterSet {
  readonly whitelist: readonly FlowFilter[];
  readonly blacklist: readonly FlowFilter[];
}
