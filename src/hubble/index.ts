/**
 * @module hubble
 *
 * The Hubble flow layer: the `Flow` type, the JSON line decoder and the pure
 * streaming reader core, the byte-exact protojson encoder, the compact, dict,
 * table and json/jsonpb printers, the Summary generator, and filters with
 * `hubble observe` semantics (FlowFilter data, flag parsing, compilation,
 * first/last/since/until selection). Node file/stdin/gzip reading lives in
 * `hubble/io/read-flows.ts`, outside this pure surface.
 */
export type {
  Aggregate, CiliumEventType, Emitter, Endpoint, Ethernet, FileInfo, Flow, FlowRecord, HttpHeader, Ip, IpTraceId, L7Record,
  Layer4, Layer7, NetworkInterface, Policy, Service, TcpFlags, Timestamp, Tunnel, Uint64, Workload,
} from './flow.js';
export { EventTypeNumber } from './flow.js';
export {
  AUTH_TYPE, DEBUG_CAPTURE_POINT, DROP_REASON, FLOW_TYPE, IP_VERSION, L7_FLOW_TYPE, SOCKET_TRANSLATION_POINT,
  TRACE_OBSERVATION_POINT, TRACE_REASON, TRAFFIC_DIRECTION, VERDICT, enumName, enumNumber,
  type AuthType, type DebugCapturePoint, type EnumTable, type EnumValue, type FlowType, type IpVersion, type L7FlowType,
  type SocketTranslationPoint, type TraceObservationPoint, type TraceReason, type TrafficDirection, type Verdict,
} from './enums.js';
export { DecodeError, decodeFlow } from './decode.js';
export { decodeValue, parseLine, type IgnoredKind, type LineResult, type SkipReason } from './parse-line.js';
export {
  DEFAULT_MAX_LINE_LENGTH, FlowStreamParser, emptyStats, formatReadSummary, skippedCount,
  type FlowStreamParserOptions, type LineIssue, type ReaderSink, type ReadStats,
} from './reader.js';
export { encodeFlow, encodeFlowResponse, goJsonString } from './encode.js';
export { generateSummary, icmpTypeCodeName, l4Summary, tcpFlagsSummary } from './summary.js';
export {
  compareTimestamps, formatProtoTimestamp, formatTimestamp, looksLikeGoDuration, parseGoDuration, parseTimeArg, parseTimeFormat, parseTimestamp,
  TIME_FORMATS, type TimeFormat,
} from './time.js';
export { flowTypeText, identityText, verdictText, type TextPrintOptions } from './print-fields.js';
export { formatCompact } from './printer-compact.js';
export { formatDict } from './printer-dict.js';
export { alignColumns, ColumnAligner, TablePrinter } from './printer-table.js';
export { createPrinter, OUTPUT_FORMATS, type FlowPrinter, type OutputFormat } from './printer.js';
export type { EventTypeFilter, FlowFilter, FlowFilterSet } from './filter/flow-filter.js';
export { compileFlowFilter, compileFlowFilters, type CompileResult, type FlowPredicate } from './filter/compile.js';
export { BOOLEAN_FILTER_FLAGS, VALUE_FILTER_FLAGS, buildFlowFilters, type FilterFlag, type FilterFlagsResult } from './filter/flags.js';
export { parseLabelSelector, selectorMatches, parseLabels, type LabelSelector } from './filter/label-selector.js';
export { FlowSelection, type SelectOptions } from './select.js';
