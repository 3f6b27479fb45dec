/**
 * @module hubble/summary
 *
 * Generates the `Summary` text Cilium's Hubble parser puts on each flow
 * (reference §4.3), for emitters such as the simulator:
 * - L3/L4 (`pkg/hubble/parser/threefour/parser.go`): `TCP Flags: SYN, ACK`,
 *   `UDP`, `SCTP`, `ICMPv4 EchoRequest`, or the IP layer name;
 * - HTTP (`seven/http.go`), DNS (`seven/dns.go`), Kafka.
 * ICMP and DNS rcode names follow gopacket's `String()` tables.
 */
import type { Flow, Layer4, TcpFlags } from './flow.js';

// Order of the flag names in the summary (threefour/parser.go), not the proto order.
const TCP_FLAG_ORDER: readonly (keyof TcpFlags)[] = ['SYN', 'ACK', 'RST', 'FIN', 'PSH', 'URG', 'ECE', 'CWR', 'NS'];

/** `TCP Flags: SYN, ACK` from a flag set. */
export function tcpFlagsSummary(flags: TcpFlags | undefined): string {
  const set = flags ? TCP_FLAG_ORDER.filter((f) => flags[f]) : [];
  return `TCP Flags: ${set.join(', ')}`;
}

const ICMP4_TYPES: Readonly<Record<number, readonly [string, Readonly<Record<number, string>>?]>> = {
  0: ['EchoReply'],
  3: ['DestinationUnreachable', {
    0: 'Net', 1: 'Host', 2: 'Protocol', 3: 'Port', 4: 'FragmentationNeeded', 5: 'SourceRoutingFailed', 6: 'NetUnknown',
    7: 'HostUnknown', 8: 'SourceIsolated', 9: 'NetAdminProhibited', 10: 'HostAdminProhibited', 11: 'NetTOS', 12: 'HostTOS',
    13: 'CommAdminProhibited', 14: 'HostPrecedence', 15: 'PrecedenceCutoff',
  }],
  4: ['SourceQuench'],
  5: ['Redirect', { 0: 'Network', 1: 'Host', 2: 'TOS+Network', 3: 'TOS+Host' }],
  8: ['EchoRequest'],
  9: ['RouterAdvertisement'],
  10: ['RouterSolicitation'],
  11: ['TimeExceeded', { 0: 'TTLExceeded', 1: 'FragmentReassemblyTimeExceeded' }],
  12: ['ParameterProblem', { 0: 'PointerIndicatesError', 1: 'MissingOption', 2: 'BadLength' }],
  13: ['TimestampRequest'],
  14: ['TimestampReply'],
  15: ['InfoRequest'],
  16: ['InfoReply'],
  17: ['AddressMaskRequest'],
  18: ['AddressMaskReply'],
};

const ICMP6_TYPES: Readonly<Record<number, readonly [string, Readonly<Record<number, string>>?]>> = {
  1: ['DestinationUnreachable', {
    0: 'NoRouteToDst', 1: 'AdminProhibited', 2: 'BeyondScopeOfSrc', 3: 'AddressUnreachable', 4: 'PortUnreachable',
    5: 'SrcAddressFailedPolicy', 6: 'RejectRouteToDst',
  }],
  2: ['PacketTooBig'],
  3: ['TimeExceeded', { 0: 'HopLimitExceeded', 1: 'FragmentReassemblyTimeExceeded' }],
  4: ['ParameterProblem', { 0: 'ErroneousHeaderField', 1: 'UnrecognizedNextHeader', 2: 'UnrecognizedIPv6Option' }],
  128: ['EchoRequest'],
  129: ['EchoReply'],
  133: ['RouterSolicitation'],
  134: ['RouterAdvertisement'],
  135: ['NeighborSolicitation'],
  136: ['NeighborAdvertisement'],
  137: ['Redirect'],
};

/** gopacket's `ICMPv4TypeCode.String()` / `ICMPv6TypeCode.String()`. */
export function icmpTypeCodeName(v6: boolean, type: number, code: number): string {
  const info = (v6 ? ICMP6_TYPES : ICMP4_TYPES)[type];
  if (!info) return `${type}(${code})`;
  const [name, codes] = info;
  if (!codes) return code === 0 ? name : `${name}(Code: ${code})`;
  const c = codes[code];
  return c === undefined ? `${name}(Code: ${code})` : `${name}(${c})`;
}

/** The L3/L4 summary for a layer-4 header; `ipLayer` is used when there is none (e.g. `IPv4`). */
export function l4Summary(l4: Layer4 | undefined, ipLayer = 'IPv4'): string {
  switch (l4?.protocol) {
    case 'TCP':
      return tcpFlagsSummary(l4.flags);
    case 'UDP':
      return 'UDP';
    case 'SCTP':
      return 'SCTP';
    case 'ICMPv4':
      return `ICMPv4 ${icmpTypeCodeName(false, l4.type, l4.code)}`;
    case 'ICMPv6':
      return `ICMPv6 ${icmpTypeCodeName(true, l4.type, l4.code)}`;
    case 'VRRP':
      return 'VRRP';
    case 'IGMP':
      return 'IGMP';
    default:
      return ipLayer;
  }
}

const DNS_RCODES: Readonly<Record<number, string>> = {
  0: 'No Error', 1: 'Format Error', 2: 'Server Failure', 3: 'Non-Existent Domain', 4: 'Not Implemented', 5: 'Query Refused',
  6: 'Name Exists when it should not', 7: 'RR Set Exists when it should not', 8: 'RR Set that should exist does not',
  9: 'Server Not Authoritative for zone', 10: 'Name not contained in zone', 16: 'Bad OPT Version/TSIG Signature Failure',
  17: 'Key not recognized', 18: 'Signature out of time window', 19: 'Bad TKEY Mode', 20: 'Duplicate key name',
  21: 'Algorithm not supported', 22: 'Bad Truncation',
};

/** Go's `strconv.Quote` for the text we quote (IP lists, CNAMEs): escapes `"`, `\` and control characters. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Whole milliseconds of a nanosecond count given as decimal text (truncated, as Go's integer division). */
function latencyMs(ns: string | undefined): string {
  if (!ns) return '0';
  return (BigInt(ns) / 1_000_000n).toString();
}

/**
 * The Summary Cilium would attach to this flow, derived from its fields:
 * L7 records first (HTTP, DNS, Kafka by `l7.type`), otherwise the L3/L4
 * layers. Pass the result as `flow.summary` when emitting flows.
 */
export function generateSummary(f: Flow): string {
  const l7 = f.l7;
  const rec = l7?.record;
  const isResponse = l7?.type === 'RESPONSE';
  if (rec?.kind === 'http') {
    if (isResponse) {
      return `${rec.protocol ?? ''} ${rec.code ?? 0} ${latencyMs(l7?.latencyNs)}ms (${rec.method ?? ''} ${rec.url ?? ''})`;
    }
    return `${rec.protocol ?? ''} ${rec.method ?? ''} ${rec.url ?? ''}`;
  }
  if (rec?.kind === 'dns') {
    const qtypes = (rec.qtypes ?? []).join(',');
    const query = rec.query ?? '';
    if (!isResponse) return `DNS Query ${query} ${qtypes}`;
    let answer: string;
    if (rec.rcode) {
      answer = `RCode: ${DNS_RCODES[rec.rcode] ?? `Unknown(${rec.rcode})`}`;
    } else {
      answer = rec.ips && rec.ips.length > 0 ? goQuote(rec.ips.join(',')) : '';
      if (rec.cnames && rec.cnames.length > 0) answer += ` CNAMEs: ${goQuote(rec.cnames.join(','))}`;
    }
    const source = rec.observationSource === 'proxy' ? 'Proxy' : 'Query';
    return `DNS Answer ${answer} TTL: ${rec.ttl ?? 0} (${source} ${query} ${qtypes})`;
  }
  if (rec?.kind === 'kafka') {
    const base = `Kafka request ${rec.apiKey ?? ''} correlation id ${rec.correlationId ?? 0} topic '${rec.topic ?? ''}'`;
    return isResponse ? `${base} return code ${rec.errorCode ?? 0}` : base;
  }
  return l4Summary(f.l4, f.ip?.ipVersion === 'IPv6' ? 'IPv6' : 'IPv4');
}
