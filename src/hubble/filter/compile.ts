/**
 * @module hubble/filter/compile
 *
 * FlowFilter data → a predicate, with Hubble's server-side semantics
 * (`pkg/hubble/filters/*.go`). Every value is validated once here; a bad
 * value (CIDR, port, regular expression, selector, pattern, protocol, status)
 * is an error result, never an exception. Regular expressions on user input
 * (`http_path`, `http_url`, `dns_query`) are RE2 via re2js, unanchored, as Go's
 * `regexp.MatchString`.
 */
import { RE2JS } from 're2js';
import type { Flow, Endpoint, Service, Workload } from '../flow.js';
import { cidrContains, parseCidr, parseIp, type CidrPrefix, type IpAddress } from '../../net/ip.js';
import type { FlowFilter, FlowFilterSet } from './flow-filter.js';
import { compileFqdnPatterns, compileNodeNamePatterns } from './patterns.js';
import { parseLabelSelector, parseLabels, selectorMatches, type LabelSelector } from './label-selector.js';

/** A flow predicate. */
export type FlowPredicate = (f: Flow) => boolean;

/** A compiled filter, or the reason it could not be compiled. */
export type CompileResult = { readonly ok: true; readonly match: FlowPredicate } | { readonly ok: false; readonly error: string };

class FilterError extends Error {}

function fail(msg: string): never {
  throw new FilterError(msg);
}

function re2(pattern: string, what: string): RE2JS {
  try {
    return RE2JS.compile(pattern);
  } catch (e) {
    return fail(`invalid ${what} filter: ${pattern}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function ipFilter(values: readonly string[], get: (f: Flow) => string | undefined): FlowPredicate {
  const exact = new Set<string>();
  const cidrs: CidrPrefix[] = [];
  for (const v of values) {
    if (v.includes('/')) {
      const c = parseCidr(v);
      if (!c) fail(`invalid CIDR in filter: ${JSON.stringify(v)}`);
      cidrs.push(c);
    } else {
      if (!parseIp(v)) fail(`invalid IP address in filter: ${JSON.stringify(v)}`);
      exact.add(v);
    }
  }
  return (f) => {
    const ip = get(f);
    if (!ip) return false;
    if (exact.has(ip)) return true;
    if (cidrs.length === 0) return false;
    const a: IpAddress | undefined = parseIp(ip);
    return a !== undefined && cidrs.some((c) => cidrContains(c, a));
  };
}

/** `k8s.ParseNamespaceName`: no slash means namespace `default`; the name part is a prefix. */
function namespacedNameFilter(values: readonly string[], get: (f: Flow) => [string, string], what: string): FlowPredicate {
  const fs = values.map((v) => {
    const parts = v.split('/');
    const first = parts[0] ?? '';
    const [ns, prefix] = parts.length > 1 ? [first, parts[1] ?? ''] : first === '' ? ['', ''] : ['default', first];
    if (ns === '' && prefix === '') fail(`invalid ${what} filter, must be [namespace/][<name>], got ${JSON.stringify(v)}`);
    return { ns, prefix };
  });
  return (f) => {
    const [ns, name] = get(f);
    if (ns === '' && name === '') return false;
    return fs.some((x) => x.ns === ns && (x.prefix === '' || name.startsWith(x.prefix)));
  };
}

const pod = (e: Endpoint | undefined): [string, string] => [e?.namespace ?? '', e?.podName ?? ''];
const svc = (s: Service | undefined): [string, string] => [s?.namespace ?? '', s?.name ?? ''];

function labelFilter(values: readonly string[], get: (f: Flow) => readonly string[] | undefined, what: string): FlowPredicate {
  const sels: LabelSelector[] = values.map((v) => {
    const s = parseLabelSelector(v);
    if ('error' in s) fail(`invalid ${what} label filter: ${s.error}`);
    return s;
  });
  return (f) => {
    const labels = parseLabels(get(f));
    return sels.some((s) => selectorMatches(s, labels));
  };
}

function portFilter(values: readonly string[], which: 'sourcePort' | 'destinationPort'): FlowPredicate {
  const ports = new Set<number>();
  for (const v of values) {
    if (!/^\d+$/.test(v) || Number(v) > 65535) fail(`invalid port ${JSON.stringify(v)}: expected a number from 0 to 65535`);
    ports.add(Number(v));
  }
  return (f) => {
    const l4 = f.l4;
    if (!l4 || (l4.protocol !== 'TCP' && l4.protocol !== 'UDP' && l4.protocol !== 'SCTP')) return false;
    return ports.has(l4[which]);
  };
}

function workloadFilter(ws: readonly Workload[], get: (f: Flow) => Endpoint | undefined): FlowPredicate {
  return (f) => (get(f)?.workloads ?? []).some((w) => ws.some((x) => (!x.name || x.name === w.name) && (!x.kind || x.kind === w.kind)));
}

const L4_PROTOCOLS = new Set(['icmp', 'icmpv4', 'icmpv6', 'tcp', 'udp', 'sctp', 'vrrp', 'igmp']);
const L7_PROTOCOLS = new Set(['dns', 'http', 'kafka']);

function protocolFilter(values: readonly string[]): FlowPredicate {
  const ps = values.map((v) => {
    const p = v.toLowerCase();
    if (!L4_PROTOCOLS.has(p) && !L7_PROTOCOLS.has(p)) fail(`invalid protocol filter: unknown protocol: ${JSON.stringify(v)}`);
    return p;
  });
  return (f) => {
    const l4 = f.l4?.protocol;
    const l7 = f.l7?.record?.kind;
    return ps.some((p) => {
      switch (p) {
        case 'icmp': return l4 === 'ICMPv4' || l4 === 'ICMPv6';
        case 'icmpv4': return l4 === 'ICMPv4';
        case 'icmpv6': return l4 === 'ICMPv6';
        case 'tcp': return l4 === 'TCP';
        case 'udp': return l4 === 'UDP';
        case 'sctp': return l4 === 'SCTP';
        case 'vrrp': return l4 === 'VRRP';
        case 'igmp': return l4 === 'IGMP';
        default: return l7 === p;
      }
    });
  };
}

/** Go's `url.ParseRequestURI(u).Path`: the unescaped path, or `undefined` when the URL is not a request URI. */
export function requestUriPath(url: string): string | undefined {
  let rest: string;
  if (url.startsWith('/')) {
    rest = url;
  } else {
    const m = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(url);
    if (!m) return undefined;
    rest = url.slice(m[0].length);
    if (rest.startsWith('//')) {
      const end = rest.slice(2).search(/[/?]/);
      rest = end < 0 ? '' : rest.slice(2 + end);
    }
  }
  const q = rest.indexOf('?');
  const raw = q < 0 ? rest : rest.slice(0, q);
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

function httpFilters(ff: FlowFilter, add: (p: FlowPredicate) => void): void {
  const l7Compatible = !ff.eventType || ff.eventType.length === 0 || ff.eventType.some((t) => t.type === 129);
  const need = (what: string) => {
    if (!l7Compatible) fail(`filtering by ${what} requires the event type filter to only match 'l7' events`);
  };
  if (ff.httpStatusCode?.length) {
    need('http status code');
    const full: string[] = [];
    const prefix: string[] = [];
    for (const s of ff.httpStatusCode) {
      if (/^[1-5][0-9]{2}$/.test(s)) full.push(s);
      else if (/^[1-5][0-9]?\+$/.test(s)) prefix.push(s.slice(0, -1));
      else fail(`invalid http status code filter: invalid status code prefix: ${JSON.stringify(s)}`);
    }
    add((f) => {
      const r = f.l7?.record;
      if (r?.kind !== 'http' || !r.code) return false;
      const code = String(r.code).padStart(3, '0');
      return full.includes(code) || prefix.some((p) => code.startsWith(p));
    });
  }
  if (ff.httpMethod?.length) {
    need('http method');
    const ms = ff.httpMethod.map((m) => m.toLowerCase());
    add((f) => {
      const r = f.l7?.record;
      return r?.kind === 'http' && !!r.method && ms.includes(r.method.toLowerCase());
    });
  }
  if (ff.httpPath?.length) {
    need('http path');
    const res = ff.httpPath.map((p) => re2(p, 'http path'));
    add((f) => {
      const r = f.l7?.record;
      if (r?.kind !== 'http' || !r.url) return false;
      const path = requestUriPath(r.url);
      return path !== undefined && res.some((re) => re.test(path));
    });
  }
  if (ff.httpUrl?.length) {
    need('http url');
    const res = ff.httpUrl.map((p) => re2(p, 'http url'));
    add((f) => {
      const r = f.l7?.record;
      return r?.kind === 'http' && !!r.url && res.some((re) => re.test(r.url as string));
    });
  }
  if (ff.httpHeader?.length) {
    need('http header');
    const hs = ff.httpHeader;
    add((f) => {
      const r = f.l7?.record;
      return r?.kind === 'http' && (r.headers ?? []).some((h) => hs.some((x) => x.key === h.key && x.value === h.value));
    });
  }
}

function build(ff: FlowFilter): FlowPredicate {
  const ps: FlowPredicate[] = [];
  const add = (p: FlowPredicate) => ps.push(p);
  if (ff.uuid?.length) { const s = new Set(ff.uuid); add((f) => f.uuid !== undefined && s.has(f.uuid)); }
  if (ff.sourceIp?.length) add(ipFilter(ff.sourceIp, (f) => f.ip?.source));
  if (ff.sourceIpXlated?.length) add(ipFilter(ff.sourceIpXlated, (f) => f.ip?.sourceXlated));
  if (ff.destinationIp?.length) add(ipFilter(ff.destinationIp, (f) => f.ip?.destination));
  if (ff.sourcePod?.length) add(namespacedNameFilter(ff.sourcePod, (f) => pod(f.source), 'pod'));
  if (ff.destinationPod?.length) add(namespacedNameFilter(ff.destinationPod, (f) => pod(f.destination), 'pod'));
  if (ff.sourceService?.length) add(namespacedNameFilter(ff.sourceService, (f) => svc(f.sourceService), 'source service'));
  if (ff.destinationService?.length) add(namespacedNameFilter(ff.destinationService, (f) => svc(f.destinationService), 'destination service'));
  for (const [vals, get] of [[ff.sourceFqdn, (f: Flow) => f.sourceNames], [ff.destinationFqdn, (f: Flow) => f.destinationNames]] as const) {
    if (!vals?.length) continue;
    const re = compileFqdnPatterns(vals);
    if ('error' in re) fail(`invalid FQDN filter: ${re.error}`);
    add((f) => (get(f) ?? []).some((n) => re.test(n)));
  }
  if (ff.sourceLabel?.length) add(labelFilter(ff.sourceLabel, (f) => f.source?.labels, 'source'));
  if (ff.destinationLabel?.length) add(labelFilter(ff.destinationLabel, (f) => f.destination?.labels, 'destination'));
  if (ff.nodeLabels?.length) add(labelFilter(ff.nodeLabels, (f) => f.nodeLabels, 'node'));
  if (ff.sourceIdentity?.length) { const s = new Set(ff.sourceIdentity); add((f) => s.has(f.source?.identity ?? 0)); }
  if (ff.destinationIdentity?.length) { const s = new Set(ff.destinationIdentity); add((f) => s.has(f.destination?.identity ?? 0)); }
  if (ff.sourceWorkload?.length) add(workloadFilter(ff.sourceWorkload, (f) => f.source));
  if (ff.destinationWorkload?.length) add(workloadFilter(ff.destinationWorkload, (f) => f.destination));
  if (ff.sourceClusterName?.length) { const s = new Set(ff.sourceClusterName); add((f) => s.has(f.source?.clusterName ?? '')); }
  if (ff.destinationClusterName?.length) { const s = new Set(ff.destinationClusterName); add((f) => s.has(f.destination?.clusterName ?? '')); }
  if (ff.trafficDirection?.length) { const s = new Set<string>(ff.trafficDirection); add((f) => s.has(String(f.trafficDirection ?? 'TRAFFIC_DIRECTION_UNKNOWN'))); }
  if (ff.verdict?.length) { const s = new Set<string>(ff.verdict); add((f) => s.has(String(f.verdict ?? 'VERDICT_UNKNOWN'))); }
  if (ff.dropReasonDesc?.length) { const s = new Set<string>(ff.dropReasonDesc); add((f) => s.has(String(f.dropReasonDesc ?? 'DROP_REASON_UNKNOWN'))); }
  if (ff.eventType?.length) {
    const ts = ff.eventType;
    add((f) => {
      const e = f.eventType;
      if (!e) return false;
      return ts.some((t) => (t.type === 0 || (e.type ?? 0) === t.type) && (!t.matchSubType || (e.subType ?? 0) === (t.subType ?? 0)));
    });
  }
  if (ff.protocol?.length) add(protocolFilter(ff.protocol));
  if (ff.sourcePort?.length) add(portFilter(ff.sourcePort, 'sourcePort'));
  if (ff.destinationPort?.length) add(portFilter(ff.destinationPort, 'destinationPort'));
  if (ff.reply?.length) {
    // reply.go: a DROPPED flow with unknown is_reply counts as reply=false; other unknowns never match.
    const rs = ff.reply;
    add((f) => {
      const r = f.isReply ?? (f.verdict === 'DROPPED' ? false : undefined);
      return r !== undefined && rs.includes(r);
    });
  }
  if (ff.dnsQuery?.length) {
    const res = ff.dnsQuery.map((p) => re2(p, 'DNS query'));
    add((f) => {
      const r = f.l7?.record;
      return r?.kind === 'dns' && res.some((re) => re.test(r.query ?? ''));
    });
  }
  httpFilters(ff, add);
  if (ff.tcpFlags?.length) {
    const sets = ff.tcpFlags.map((t) => Object.entries(t).filter(([, v]) => v).map(([k]) => k));
    add((f) => {
      const l4 = f.l4;
      if (l4?.protocol !== 'TCP' || !l4.flags) return false;
      const fl = l4.flags as Record<string, boolean | undefined>;
      return sets.some((s) => s.every((k) => fl[k]));
    });
  }
  if (ff.nodeName?.length) {
    const re = compileNodeNamePatterns(ff.nodeName);
    if ('error' in re) fail(`invalid node name filter: ${re.error}`);
    add((f) => {
      const n = f.nodeName;
      if (!n) return false;
      // nodename.go: a node name without a cluster part belongs to cluster "default".
      return re.test(n.includes('/') ? n : `default/${n}`);
    });
  }
  if (ff.ipVersion?.length) { const s = new Set<string>(ff.ipVersion); add((f) => s.has(String(f.ip?.ipVersion ?? 'IP_NOT_USED'))); }
  if (ff.ipTraceId?.length) { const s = new Set(ff.ipTraceId); add((f) => s.has(f.ipTraceId?.traceId ?? '0')); }
  if (ff.interface?.length) {
    const is = ff.interface;
    add((f) => is.some((i) => (!i.name || i.name === f.interface?.name) && (!i.index || i.index === f.interface?.index)));
  }
  if (ff.encrypted?.length) { const s = ff.encrypted; add((f) => s.includes(f.ip?.encrypted ?? false)); }
  if (ps.length === 0) return () => true;
  if (ps.length === 1) return ps[0] as FlowPredicate;
  return (f) => {
    for (const p of ps) if (!p(f)) return false;
    return true;
  };
}

/** Compiles one FlowFilter (AND of its fields). */
export function compileFlowFilter(ff: FlowFilter): CompileResult {
  try {
    return { ok: true, match: build(ff) };
  } catch (e) {
    if (e instanceof FilterError) return { ok: false, error: e.message };
    throw e;
  }
}

/** Compiles a whitelist/blacklist pair: (any whitelist filter, or all when empty) and no blacklist filter. */
export function compileFlowFilters(set: FlowFilterSet): CompileResult {
  const wl: FlowPredicate[] = [];
  const bl: FlowPredicate[] = [];
  for (const [src, dst] of [[set.whitelist, wl], [set.blacklist, bl]] as const) {
    for (const ff of src) {
      const r = compileFlowFilter(ff);
      if (!r.ok) return r;
      dst.push(r.match);
    }
  }
  return {
    ok: true,
    match: (f) => {
      if (wl.length > 0 && !wl.some((p) => p(f))) return false;
      for (const p of bl) if (p(f)) return false;
      return true;
    },
  };
}
