/**
 * @module hubble/filter/flags
 *
 * Turns `hubble observe` filter flags, in command-line order, into FlowFilter
 * data exactly as `hubble/cmd/observe/flows_filter.go` does (reference §5.1):
 * flags that apply to either direction (`--pod`, `--ip`, `--label`, …) put the
 * source condition in a `left` filter and the destination condition in a
 * `right` one; all other flags apply to both; namespaces are folded into the
 * pod/service entries at the end; identical left/right collapse into one;
 * `--not` sends the next single flag to the blacklist. Values that
 * flows_filter.go parses itself (verdict, type, identity, …) are checked here;
 * the rest are checked when the filters compile.
 */
import type { TcpFlags, Workload } from '../flow.js';
import { DROP_REASON, VERDICT, type IpVersion, type Verdict } from '../enums.js';
import { reservedIdentityNumber, tracePointNumber } from '../print-fields.js';
import type { EventTypeFilter, FlowFilter, FlowFilterSet } from './flow-filter.js';

/** One filter flag as given, without the leading dashes, e.g. `{ name: 'from-pod', value: 'default/x' }`. */
export interface FilterFlag {
  readonly name: string;
  readonly value: string;
}

/** Filter flag names that take a value. */
export const VALUE_FILTER_FLAGS = [
  'uuid', 'fqdn', 'from-fqdn', 'to-fqdn', 'pod', 'from-pod', 'to-pod', 'ip', 'from-ip', 'to-ip', 'snat-ip', 'ip-version',
  'label', 'from-label', 'to-label', 'namespace', 'from-namespace', 'to-namespace', 'service', 'from-service', 'to-service',
  'port', 'from-port', 'to-port', 'ip-trace-id', 'verdict', 'drop-reason-desc', 'http-status', 'http-method', 'http-path',
  'http-url', 'http-header', 'type', 'protocol', 'workload', 'from-workload', 'to-workload', 'identity', 'from-identity',
  'to-identity', 'node-name', 'node-label', 'cluster', 'from-cluster', 'to-cluster', 'tcp-flags', 'traffic-direction',
  'interface',
] as const;

/** Filter flags without a value (`--not` is handled by the caller's ordering). */
export const BOOLEAN_FILTER_FLAGS = ['not', 'ipv4', 'ipv6', 'all-namespaces', 'from-all-namespaces', 'to-all-namespaces', 'encrypted', 'unencrypted'] as const;

// flows_filter.go newFlowFilter(): flags in one group cannot be combined.
const CONFLICTS: readonly (readonly string[])[] = [
  ['from-fqdn', 'from-ip', 'ip', 'fqdn', 'from-namespace', 'namespace', 'from-all-namespaces', 'all-namespaces'],
  ['from-fqdn', 'from-ip', 'ip', 'fqdn', 'from-pod', 'pod'],
  ['to-fqdn', 'to-ip', 'ip', 'fqdn', 'to-namespace', 'namespace', 'to-all-namespaces', 'all-namespaces'],
  ['to-fqdn', 'to-ip', 'ip', 'fqdn', 'to-pod', 'pod'],
  ['to-pod', 'namespace', 'all-namespaces'],
  ['from-pod', 'namespace', 'all-namespaces'],
  ['to-service', 'namespace', 'all-namespaces'],
  ['from-service', 'namespace', 'all-namespaces'],
  ['label', 'from-label'], ['label', 'to-label'],
  ['service', 'from-service'], ['service', 'to-service'],
  ['port', 'to-port'], ['port', 'from-port'],
  ['identity', 'to-identity'], ['identity', 'from-identity'],
  ['workload', 'to-workload'], ['workload', 'from-workload'],
  ['encrypted', 'unencrypted'],
];

/** Message type names for `--type` (pkg/monitor/api/types.go `MessageTypeNames`). */
const TYPE_NAMES: ReadonlyMap<string, number> = new Map([
  ['drop', 1], ['debug', 2], ['capture', 3], ['trace', 4], ['policy-verdict', 5], ['recorder', 6], ['trace-sock', 7], ['l7', 129], ['agent', 130],
]);

class Tracker {
  left?: FlowFilter;
  right?: FlowFilter;
  ns: string[] = [];
  srcNs: string[] = [];
  dstNs: string[] = [];
  changed: string[] = [];

  both(update: (f: FlowFilter) => void): void {
    this.l(update);
    this.r(update);
  }
  l(update: (f: FlowFilter) => void): void {
    update((this.left ??= {}));
  }
  r(update: (f: FlowFilter) => void): void {
    update((this.right ??= {}));
  }

  materialise(): FlowFilter[] {
    if (!this.left && !this.right && this.ns.length === 0 && this.srcNs.length === 0 && this.dstNs.length === 0) return [];
    const left = (this.left ??= {});
    const right = (this.right ??= {});
    if (this.dstNs.length > 0) { applyDest(left, this.dstNs); applyDest(right, this.dstNs); }
    if (this.srcNs.length > 0) { applySrc(left, this.srcNs); applySrc(right, this.srcNs); }
    if (this.ns.length > 0) { applySrc(left, this.ns); applyDest(right, this.ns); }
    return JSON.stringify(left) === JSON.stringify(right) ? [left] : [left, right];
  }
}

function addNamespaces(filter: string[] | undefined, ns: readonly string[]): string[] | undefined {
  if (!filter || filter.length === 0 || ns.length === 0) return filter;
  const out: string[] = [];
  for (const f of filter) {
    if (f.includes('/')) out.push(f);
    else for (const n of ns) out.push(`${n}/${f}`);
  }
  return out;
}

function applySrc(ff: FlowFilter, ns: readonly string[]): void {
  if (!ff.sourcePod?.length && !ff.sourceService?.length) ff.sourcePod = [''];
  ff.sourcePod = addNamespaces(ff.sourcePod, ns);
  const s = addNamespaces(ff.sourceService, ns);
  if (s) ff.sourceService = s;
}

function applyDest(ff: FlowFilter, ns: readonly string[]): void {
  if (!ff.destinationPod?.length && !ff.destinationService?.length) ff.destinationPod = [''];
  ff.destinationPod = addNamespaces(ff.destinationPod, ns);
  const s = addNamespaces(ff.destinationService, ns);
  if (s) ff.destinationService = s;
}

function push<K extends keyof FlowFilter>(f: FlowFilter, k: K, v: NonNullable<FlowFilter[K]> extends (infer T)[] ? T : never): void {
  const arr = (f[k] ?? []) as unknown[];
  arr.push(v);
  (f as Record<string, unknown>)[k] = arr;
}

function parseWorkload(v: string): Workload {
  const i = v.indexOf('/');
  if (i < 0) return { name: v };
  const w: Workload = {};
  if (v.slice(0, i)) w.kind = v.slice(0, i);
  if (v.slice(i + 1)) w.name = v.slice(i + 1);
  return w;
}

function parseIdentity(v: string): number {
  const r = reservedIdentityNumber(v);
  if (r !== undefined && v !== 'unknown') return r;
  if (/^\d+$/.test(v) && Number(v) <= 0xffffffff) return Number(v);
  throw new Error(
    'invalid security identity, expected one of [host world unmanaged health init remote-node kube-apiserver ingress world-ipv4 world-ipv6] or a numeric value',
  );
}

function parseType(v: string): EventTypeFilter {
  const i = v.indexOf(':');
  const [name, sub] = i < 0 ? [v, undefined] : [v.slice(0, i), v.slice(i + 1)];
  let type = TYPE_NAMES.get(name);
  if (type === undefined) {
    if (!/^\d+$/.test(name)) throw new Error(`unable to parse type '${name}', not a known type name and unable to parse as numeric value`);
    type = Number(name);
  }
  if (sub === undefined) return { type };
  const point = type === 4 ? tracePointNumber(sub) : undefined;
  if (point !== undefined) return { type, matchSubType: true, subType: point };
  if (!/^\d+$/.test(sub)) throw new Error(`unable to parse event sub-type '${sub}', not a known sub-type name and unable to parse as numeric value`);
  return { type, matchSubType: true, subType: Number(sub) };
}

function parseTcpFlags(v: string): TcpFlags {
  const out: TcpFlags = {};
  for (const f of v.split(',')) {
    const u = f.toUpperCase();
    if (!['SYN', 'FIN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'NS'].includes(u)) throw new Error(`unknown tcp flag: ${f}`);
    out[u as keyof TcpFlags] = true;
  }
  return out;
}

function ipVersion(v: string): IpVersion {
  switch (v.toLowerCase()) {
    case '4': case 'v4': case 'ipv4': case 'ip4': return 'IPv4';
    case '6': case 'v6': case 'ipv6': case 'ip6': return 'IPv6';
    default: return 'IP_NOT_USED';
  }
}

function set(t: Tracker, name: string, value: string): void {
  if (!t.changed.includes(name)) t.changed.push(name);
  for (const group of CONFLICTS) {
    for (const flag of group) {
      if (!t.changed.includes(flag)) continue;
      for (const other of group) {
        if (other !== flag && t.changed.includes(other)) throw new Error(`filters --${flag} and --${other} cannot be combined`);
      }
    }
  }
  const either = (src: keyof FlowFilter, dst: keyof FlowFilter, v: unknown) => {
    t.l((f) => push(f, src, v as never));
    t.r((f) => push(f, dst, v as never));
  };
  const both = (k: keyof FlowFilter, v: unknown) => t.both((f) => push(f, k, v as never));
  switch (name) {
    case 'uuid': return both('uuid', value);
    case 'fqdn': return either('sourceFqdn', 'destinationFqdn', value);
    case 'from-fqdn': return both('sourceFqdn', value);
    case 'to-fqdn': return both('destinationFqdn', value);
    case 'pod': return either('sourcePod', 'destinationPod', value);
    case 'from-pod': return both('sourcePod', value);
    case 'to-pod': return both('destinationPod', value);
    case 'ip': return either('sourceIp', 'destinationIp', value);
    case 'from-ip': return both('sourceIp', value);
    case 'to-ip': return both('destinationIp', value);
    case 'snat-ip': return both('sourceIpXlated', value);
    case 'ipv4': return both('ipVersion', 'IPv4');
    case 'ipv6': return both('ipVersion', 'IPv6');
    case 'ip-version': return both('ipVersion', ipVersion(value));
    case 'label': return either('sourceLabel', 'destinationLabel', value);
    case 'from-label': return both('sourceLabel', value);
    case 'to-label': return both('destinationLabel', value);
    case 'namespace': t.ns.push(value); return;
    case 'from-namespace': t.srcNs.push(value); return;
    case 'to-namespace': t.dstNs.push(value); return;
    case 'all-namespaces': t.ns.push(''); return;
    case 'from-all-namespaces': t.srcNs.push(''); return;
    case 'to-all-namespaces': t.dstNs.push(''); return;
    case 'service': return either('sourceService', 'destinationService', value);
    case 'from-service': return both('sourceService', value);
    case 'to-service': return both('destinationService', value);
    case 'port': return either('sourcePort', 'destinationPort', value);
    case 'from-port': return both('sourcePort', value);
    case 'to-port': return both('destinationPort', value);
    case 'ip-trace-id':
      if (!/^\d+$/.test(value) || BigInt(value) === 0n || BigInt(value) >= 1n << 64n) {
        throw new Error(`invalid --ip-trace-id value ${JSON.stringify(value)}; must be an integer greater than 0`);
      }
      return both('ipTraceId', BigInt(value).toString());
    case 'verdict':
      if (!VERDICT.values.has(value)) throw new Error(`invalid --verdict value: ${value}`);
      return both('verdict', value as Verdict);
    case 'drop-reason-desc':
      if (value === '') throw new Error('empty --drop-reason-desc value');
      if (!DROP_REASON.values.has(value)) throw new Error(`invalid --drop-reason-desc value: ${value}`);
      return both('dropReasonDesc', value);
    case 'http-status': return both('httpStatusCode', value);
    case 'http-method': return both('httpMethod', value);
    case 'http-path': return both('httpPath', value);
    case 'http-url': return both('httpUrl', value);
    case 'http-header': {
      const i = value.indexOf(':');
      if (i < 0) throw new Error(`invalid http-header value ${JSON.stringify(value)}, expected name:value`);
      return both('httpHeader', { key: value.slice(0, i), value: value.slice(i + 1) });
    }
    case 'type': return both('eventType', parseType(value));
    case 'protocol': return both('protocol', value);
    case 'workload': return either('sourceWorkload', 'destinationWorkload', parseWorkload(value));
    case 'from-workload': return both('sourceWorkload', parseWorkload(value));
    case 'to-workload': return both('destinationWorkload', parseWorkload(value));
    case 'identity': return either('sourceIdentity', 'destinationIdentity', parseIdentity(value));
    case 'from-identity': return both('sourceIdentity', parseIdentity(value));
    case 'to-identity': return both('destinationIdentity', parseIdentity(value));
    case 'node-name': return both('nodeName', value);
    case 'node-label': return both('nodeLabels', value);
    case 'cluster': return either('sourceClusterName', 'destinationClusterName', value);
    case 'from-cluster': return both('sourceClusterName', value);
    case 'to-cluster': return both('destinationClusterName', value);
    case 'tcp-flags': return both('tcpFlags', parseTcpFlags(value));
    case 'traffic-direction': {
      const d = value.toLowerCase();
      if (d !== 'ingress' && d !== 'egress') throw new Error(`${d}: invalid traffic direction, expected ingress or egress`);
      return both('trafficDirection', d === 'ingress' ? 'INGRESS' : 'EGRESS');
    }
    case 'interface': return both('interface', { name: value });
    case 'encrypted': return both('encrypted', true);
    case 'unencrypted': return both('encrypted', false);
    default:
      throw new Error(`unknown filter flag --${name}`);
  }
}

/** The result of building filters from flags. */
export type FilterFlagsResult = { readonly ok: true; readonly filters: FlowFilterSet } | { readonly ok: false; readonly error: string };

/**
 * Builds the whitelist and blacklist from filter flags in command-line order.
 * A `{ name: 'not' }` entry sends the next flag to the blacklist.
 */
export function buildFlowFilters(flags: readonly FilterFlag[]): FilterFlagsResult {
  const white = new Tracker();
  const black = new Tracker();
  let negate = false;
  try {
    for (const { name, value } of flags) {
      if (name === 'not') {
        if (negate) throw new Error('consecutive --not statements');
        negate = true;
        continue;
      }
      set(negate ? black : white, name, value);
      negate = false;
    }
    if (negate) throw new Error('--not must be followed by a filter flag');
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  return { ok: true, filters: { whitelist: white.materialise(), blacklist: black.materialise() } };
}
