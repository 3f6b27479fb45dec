/**
 * @module hubble/print-fields
 *
 * The column texts shared by the compact, dict and table printers, as
 * `hubble/pkg/printer/printer.go` computes them: host names (`GetHostNames`,
 * `Hostname`), identities (`fmtIdentity`), the event column (`GetFlowType`),
 * the verdict (`getVerdict`), the summary (`getSummary`), plus terminal
 * escaping (`terminal.go`) and colours (`color.go`, fatih/color codes).
 */
import { DEBUG_CAPTURE_POINT, TRAFFIC_DIRECTION, enumName } from './enums.js';
import { EventTypeNumber, type Flow, type Policy } from './flow.js';
import { escapeControls } from '../util/terminal.js';
import { formatTimestamp, isValidTimestamp, type TimeFormat } from './time.js';

/** Options shared by the text printers. Defaults are hubble's. */
export interface TextPrintOptions {
  /** `--time-format`; default `StampMilli`. */
  readonly timeFormat?: TimeFormat;
  /** `--print-node-name`; default false. */
  readonly nodeName?: boolean;
  /** `--print-policy-names`; default false. */
  readonly policyNames?: boolean;
  /** `--numeric`: print IPs instead of pod, service and DNS names; default false. */
  readonly numeric?: boolean;
  /** Emit ANSI colours (already resolved from `--color`); default false. Never used by `table`. */
  readonly color?: boolean;
}

/** ANSI SGR codes used by hubble's colorer (fatih/color). */
const C = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36 } as const;

/** Wraps text in a colour, as fatih/color's `Sprint` does. */
export function paint(on: boolean | undefined, code: number, s: string): string {
  return on ? `\x1b[${code}m${s}\x1b[0m` : s;
}

/**
 * Neutralises terminal control characters in untrusted text. hubble's
 * `terminalEscaperWriter` turns ESC into `^[` and CR into `\r`; we do the
 * same and also escape the controls it lets through (newline, tab, other C0
 * and C1 controls, bidi overrides), so a hostile export cannot forge or hide
 * lines (`util/terminal.ts`).
 */
export function escapeTerminal(s: string): string {
  return escapeControls(s);
}

// pkg/identity/numericidentity.go: reserved identities that have a name.
// 11 (overlay-to-encrypt) is not in the printer's map, so it prints as (ID:11) (reference §2.10).
const RESERVED_IDENTITIES: readonly string[] = [
  'unknown', 'host', 'world', 'unmanaged', 'health', 'init', 'remote-node', 'kube-apiserver', 'ingress', 'world-ipv4', 'world-ipv6',
];

/** Reserved identity name by number, or `undefined`. */
export function reservedIdentityName(id: number): string | undefined {
  return RESERVED_IDENTITIES[id];
}

/** Identity number by reserved name (`world`, `host`, …), or `undefined`. */
export function reservedIdentityNumber(name: string): number | undefined {
  const i = RESERVED_IDENTITIES.indexOf(name);
  return i < 0 ? undefined : i;
}

/** `(ID:12345)`, or `(health)` for a reserved identity; missing counts as 0 `(unknown)`. */
export function identityText(id: number | undefined): string {
  const n = id ?? 0;
  const name = reservedIdentityName(n);
  return name === undefined ? `(ID:${n})` : `(${name})`;
}

/** Trace observation points by trace sub_type (pkg/monitor/api/types.go `TraceObservationPoints`). */
const TRACE_POINTS: readonly string[] = [
  'to-endpoint', 'to-proxy', 'to-host', 'to-stack', 'to-overlay', 'from-endpoint', 'from-proxy', 'from-host', 'from-stack',
  'from-overlay', 'from-network', 'to-network', 'from-crypto', 'to-crypto',
];

/** Trace point text for a trace sub_type, or the number when unknown. */
export function tracePointText(subType: number): string {
  return TRACE_POINTS[subType] ?? String(subType);
}

/** Trace sub_type by its text (`to-endpoint` → 0), or `undefined`. */
export function tracePointNumber(text: string): number | undefined {
  const i = TRACE_POINTS.indexOf(text);
  return i < 0 ? undefined : i;
}

/**
 * Drop reason texts by code (pkg/monitor/api/drop.go). Codes up to 181 were
 * read from cilium at commit ed49278a; 182–205 are the texts of newer releases.
 */
const DROP_TEXTS: Readonly<Partial<Record<number, string>>> = {
  0: 'Success', 2: 'Invalid packet', 3: 'Interface', 4: 'Interface Decrypted',
  5: 'LB, sock cgroup: No backend slot entry found', 6: 'LB, sock cgroup: No backend entry found',
  7: 'LB, sock cgroup: Reverse entry update failed', 8: 'LB, sock cgroup: Reverse entry stale', 9: 'Fragmented packet',
  10: 'Fragmented packet entry update failed', 130: 'Invalid source mac', 131: 'Invalid destination mac', 132: 'Invalid source ip',
  133: 'Policy denied', 134: 'Invalid packet', 135: 'CT: Truncated or invalid header', 136: 'CT: Missing TCP ACK flag',
  137: 'CT: Unknown L4 protocol', 138: "CT: Can't create entry from packet", 139: 'Unsupported L3 protocol', 140: 'Missed tail call',
  141: 'Error writing to packet', 142: 'Unknown L4 protocol', 143: 'Unknown ICMPv4 code', 144: 'Unknown ICMPv4 type',
  145: 'Unknown ICMPv6 code', 146: 'Unknown ICMPv6 type', 147: 'Error retrieving tunnel key', 148: 'Error retrieving tunnel options',
  149: 'Invalid Geneve option', 150: 'Unknown L3 target address', 151: 'Stale or unroutable IP',
  152: 'No matching local container found', 153: 'Error while correcting L3 checksum', 154: 'Error while correcting L4 checksum',
  155: 'CT: Map insertion failed', 156: 'Invalid IPv6 extension header', 157: 'IP fragmentation not supported',
  158: 'Service backend not found', 160: 'No tunnel/encapsulation endpoint (datapath BUG!)', 161: 'Failed to insert into proxymap',
  162: 'Reached EDT rate-limiting drop horizon', 163: 'Unknown connection tracking state', 164: 'Local host is unreachable',
  165: 'No configuration available to perform policy decision', 166: 'Unsupported L2 protocol', 167: 'No mapping for NAT masquerade',
  168: 'Unsupported protocol for NAT masquerade', 169: 'FIB lookup failed', 170: 'Encapsulation traffic is prohibited',
  171: 'Invalid identity', 172: 'Unknown sender', 173: 'NAT not needed', 174: 'Is a ClusterIP',
  175: 'First logical datagram fragment not found', 176: 'Forbidden ICMPv6 message', 177: 'Denied by LB src range check',
  178: 'Socket lookup failed', 179: 'Socket assign failed', 180: 'Proxy redirection not supported for protocol',
  181: 'Policy denied by denylist', 182: 'VLAN traffic disallowed by VLAN filter', 183: 'Incorrect VNI from VTEP',
  184: 'Failed to update or lookup TC buffer', 185: 'No SID was found for the IP address', 186: 'SRv6 state was removed during tail call',
  187: 'L3 translation from IPv4 to IPv6 failed (NAT46)', 188: 'L3 translation from IPv6 to IPv4 failed (NAT64)',
  189: 'Authentication required', 190: 'No conntrack map found', 191: 'No nat map found', 192: 'Invalid ClusterID',
  193: 'Unsupported packet protocol for DSR encapsulation', 194: 'No egress gateway found', 195: 'Traffic is unencrypted',
  196: 'TTL exceeded', 197: 'No node ID found', 198: 'Rate limited', 199: 'IGMP handled', 200: 'IGMP subscribed',
  201: 'Multicast handled', 202: 'Host datapath not ready', 203: 'Endpoint policy program not available',
  204: 'No Egress IP configured', 205: 'Punt to proxy',
};

/** Drop reason text (`api.DropReason(uint8(code))`), or the number when unknown. */
export function dropReasonText(code: number): string {
  const c = code & 0xff; // the printer truncates to uint8, as Go's conversion does
  return DROP_TEXTS[c] ?? String(c);
}

const POLICY_MATCH: readonly string[] = ['none', 'L3-Only', 'L3-L4', 'L4-Only', 'all', 'L3-Proto', 'Proto-Only'];

/** `api.PolicyMatchType(n).String()`. */
export function policyMatchText(n: number | undefined): string {
  return POLICY_MATCH[n ?? 0] ?? 'unknown';
}

const XLATE_TEXT: ReadonlyMap<string, string> = new Map([
  ['SOCK_XLATE_POINT_POST_DIRECTION_FWD', 'post-xlate-fwd'],
  ['SOCK_XLATE_POINT_POST_DIRECTION_REV', 'post-xlate-rev'],
  ['SOCK_XLATE_POINT_PRE_DIRECTION_FWD', 'pre-xlate-fwd'],
  ['SOCK_XLATE_POINT_PRE_DIRECTION_REV', 'pre-xlate-rev'],
]);

/** The event column (`GetFlowType`): `to-endpoint`, `Policy denied`, `policy-verdict:L3-L4 INGRESS`, `http-request`, … */
export function flowTypeText(f: Flow): string {
  const l7 = f.l7;
  if (l7) {
    let proto = 'l7';
    let type = (typeof l7.type === 'string' ? l7.type : l7.type === undefined ? 'UNKNOWN_L7_TYPE' : String(l7.type)).toLowerCase();
    switch (l7.record?.kind) {
      case 'http':
        proto = 'http';
        break;
      case 'dns':
        proto = 'dns';
        type += ` ${l7.record.observationSource ?? ''}`;
        break;
      case 'kafka':
        proto = 'kafka';
        break;
    }
    return `${proto}-${type}`;
  }
  const sub = f.eventType?.subType ?? 0;
  switch (f.eventType?.type) {
    case EventTypeNumber.trace:
      return tracePointText(sub & 0xff);
    case EventTypeNumber.drop:
      return dropReasonText(sub);
    case EventTypeNumber.policyVerdict:
      return `policy-verdict:${policyMatchText(f.policyMatchType)} ${enumName(TRAFFIC_DIRECTION, f.trafficDirection)}`;
    case EventTypeNumber.capture:
      return enumName(DEBUG_CAPTURE_POINT, f.debugCapturePoint);
    case EventTypeNumber.traceSock: {
      const p = f.sockXlatePoint;
      const text = typeof p === 'string' ? XLATE_TEXT.get(p) : undefined;
      if (text !== undefined) return text;
      return p === undefined ? 'SOCK_XLATE_POINT_UNKNOWN' : String(p);
    }
    default:
      return 'UNKNOWN';
  }
}

function policyList(ps: readonly Policy[] | undefined): string[] {
  return (ps ?? []).filter((p) => p.kind && p.name).map((p) => `${p.name} (${p.kind})`);
}

/**
 * The policies behind a policy verdict, for `--print-policy-names`: the
 * `*_allowed_by` or `*_denied_by` list of the flow's traffic direction.
 * AUDIT verdicts use the denied list (the policy that would have denied), and
 * fall back to the allowed list when that is empty.
 */
function verdictPolicies(f: Flow, kind: 'allowed' | 'denied' | 'audit'): string[] {
  const egress = f.trafficDirection === 'EGRESS';
  const allowed = policyList(egress ? f.egressAllowedBy : f.ingressAllowedBy);
  const denied = policyList(egress ? f.egressDeniedBy : f.ingressDeniedBy);
  if (kind === 'allowed') return allowed;
  if (kind === 'denied') return denied;
  return denied.length > 0 ? denied : allowed;
}

/**
 * The verdict column (`getVerdict`): the enum name, except on policy-verdict
 * events where FORWARDED/REDIRECTED read ALLOWED, DROPPED/ERROR read DENIED
 * and AUDIT reads AUDITED, optionally followed by ` BY name (Kind), …`.
 */
export function verdictText(f: Flow, opts: TextPrintOptions): string {
  const v = f.verdict;
  const pv = f.eventType?.type === EventTypeNumber.policyVerdict;
  const name = v === undefined ? 'VERDICT_UNKNOWN' : String(v);
  let msg = name;
  let code: number | undefined;
  let kind: 'allowed' | 'denied' | 'audit' | undefined;
  switch (v) {
    case 'FORWARDED':
    case 'REDIRECTED':
      code = C.green;
      if (pv) { msg = 'ALLOWED'; kind = 'allowed'; }
      break;
    case 'DROPPED':
    case 'ERROR':
      code = C.red;
      if (pv) { msg = 'DENIED'; kind = 'denied'; }
      break;
    case 'AUDIT':
      code = C.yellow;
      if (pv) { msg = 'AUDITED'; kind = 'audit'; }
      break;
    case 'TRACED':
    case 'TRANSLATED':
      code = C.yellow;
      break;
  }
  let out = code === undefined ? msg : paint(opts.color, code, msg);
  if (opts.policyNames && kind) {
    const names = verdictPolicies(f, kind);
    if (names.length > 0) out += ` BY ${escapeTerminal(names.join(', '))}`;
  }
  return out;
}

/** The summary column (`getSummary`): `IP Trace ID: n; ` + Summary + `; Auth: SPIRE`. */
export function summaryText(f: Flow, opts: TextPrintOptions): string {
  let s = '';
  const trace = f.ipTraceId?.traceId;
  if (trace && trace !== '0') s += `IP Trace ID: ${trace}; `;
  s += escapeTerminal(f.summary ?? '');
  const auth = f.authType;
  if (auth !== undefined && auth !== 'DISABLED') {
    s += `; Auth: ${paint(opts.color, auth === 'TEST_ALWAYS_FAIL' ? C.red : C.green, String(auth))}`;
  }
  return s;
}

/** The timestamp column: the layout's text, or `N/A` when missing or invalid. */
export function timeText(f: Flow, opts: TextPrintOptions): string {
  const t = f.time;
  return t && isValidTimestamp(t) ? formatTimestamp(t, opts.timeFormat ?? 'StampMilli') : 'N/A';
}

function ports(f: Flow): [string, string] {
  const l4 = f.l4;
  if (l4 && (l4.protocol === 'TCP' || l4.protocol === 'UDP' || l4.protocol === 'SCTP')) {
    return [String(l4.sourcePort), String(l4.destinationPort)];
  }
  return ['', ''];
}

/** Go's `net.JoinHostPort`: brackets a host that contains a colon. */
function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Go's `path.Join(ns, name)` for the two-element case hubble uses. */
function pathJoin(ns: string, name: string): string {
  if (ns === '') return name;
  if (name === '') return ns;
  return `${ns}/${name}`;
}

function hostname(
  ip: string, port: string, ns: string, pod: string, svc: string, names: readonly string[] | undefined, opts: TextPrintOptions,
): string {
  let host = ip;
  if (!opts.numeric) {
    if (pod !== '') host = pathJoin(ns, pod);
    else if (svc !== '') host = pathJoin(ns, svc);
    else if (names && names.length > 0) host = names.join(',');
  }
  host = escapeTerminal(host);
  if (port !== '' && port !== '0') return joinHostPort(host, paint(opts.color, C.yellow, port));
  return host;
}

/** Source and destination texts (`GetHostNames`): `ns/pod:port`, `ns/service:port`, DNS names or the IP. */
export function hostTexts(f: Flow, opts: TextPrintOptions): [string, string] {
  if (!f.ip) {
    if (f.ethernet) {
      return [paint(opts.color, C.cyan, escapeTerminal(f.ethernet.source ?? '')), paint(opts.color, C.cyan, escapeTerminal(f.ethernet.destination ?? ''))];
    }
    return ['', ''];
  }
  let srcNs = f.source?.namespace ?? '';
  let dstNs = f.destination?.namespace ?? '';
  const srcPod = f.source?.podName ?? '';
  const dstPod = f.destination?.podName ?? '';
  let srcSvc = '';
  let dstSvc = '';
  if (f.sourceService) {
    srcNs = f.sourceService.namespace ?? '';
    srcSvc = f.sourceService.name ?? '';
  }
  if (f.destinationService) {
    dstNs = f.destinationService.namespace ?? '';
    dstSvc = f.destinationService.name ?? '';
  }
  const [sp, dp] = ports(f);
  const src = hostname(f.ip.source ?? '', sp, srcNs, srcPod, srcSvc, f.sourceNames, opts);
  const dst = hostname(f.ip.destination ?? '', dp, dstNs, dstPod, dstSvc, f.destinationNames, opts);
  return [paint(opts.color, C.cyan, src), paint(opts.color, C.cyan, dst)];
}

/** Source and destination identity texts, coloured magenta when colour is on. */
export function identityTexts(f: Flow, opts: TextPrintOptions): [string, string] {
  return [
    paint(opts.color, C.magenta, identityText(f.source?.identity)),
    paint(opts.color, C.magenta, identityText(f.destination?.identity)),
  ];
}

/** The node name column, escaped. */
export function nodeText(f: Flow): string {
  return escapeTerminal(f.nodeName ?? '');
}

/** The event column, escaped. */
export function typeText(f: Flow): string {
  return escapeTerminal(flowTypeText(f));
}
