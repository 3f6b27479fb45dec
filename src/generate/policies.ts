/**
 * @module generate/policies
 *
 * Observed connections → one least-privilege policy per workload, as YAML
 * text a person can review: a CiliumNetworkPolicy (default) or a Kubernetes
 * NetworkPolicy with a comment for what it cannot say. Every connection gives
 * an egress rule at its source and an ingress rule at its destination when
 * those are workloads, so the two sides match. Peers are workloads (by their
 * selector labels), entities where the identity is reserved, `toFQDNs` where
 * DNS answered for the address (with the DNS rule that lets Cilium learn it),
 * and CIDRs otherwise. A side with nothing observed is denied (`- {}`,
 * semantics.md §4.3 item 7). Output is sorted and stable: the same flows give
 * the same bytes, whatever their order.
 */
import { formatIp, parseIp } from '../net/ip.js';
import { cmp, type ObservedConnection, type ObservedEndpoint } from './observed.js';
import { dnsName, type Workload } from './workloads.js';

export type PolicyKind = 'CiliumNetworkPolicy' | 'NetworkPolicy';

export interface PolicyOptions {
  readonly kind?: PolicyKind;
  /** Widen world addresses to this prefix length (IPv4; IPv6 uses it + 96 capped at 128). Default: host routes. */
  readonly cidrPrefix?: number;
  /** Merge consecutive ports into ranges (`endPort`). */
  readonly portRanges?: boolean;
}

/** A rule's peer, as the policy names it. */
export type RulePeer =
  | { readonly kind: 'workload'; readonly workload: Workload }
  | { readonly kind: 'entity'; readonly entity: string }
  | { readonly kind: 'cidr'; readonly cidr: string }
  | { readonly kind: 'fqdn'; readonly names: readonly string[] };

interface Span { flows: number; first: number; last: number }

interface PortEntry extends Span {
  readonly protocol: string;
  readonly port: number;
  endPort?: number;
  readonly http: Map<string, { method: string; path: string }>;
  readonly dns: Set<string>;
}

interface RuleGroup extends Span {
  readonly peer: RulePeer;
  readonly ports: Map<string, PortEntry>;
}

/** The policy of one workload before rendering. */
export interface GeneratedPolicy {
  readonly workload: Workload;
  readonly ingress: readonly RuleGroup[];
  readonly egress: readonly RuleGroup[];
}

/** A rendered policy file. */
export interface PolicyFile {
  /** `NAMESPACE/NAME` of the workload. */
  readonly workload: string;
  /** Suggested file name, e.g. `bookinfo.productpage.yaml`. */
  readonly fileName: string;
  readonly text: string;
  /** What a NetworkPolicy could not express. */
  readonly notes: readonly string[];
}

const KUBE_DNS: Readonly<Record<string, string>> = { 'k8s-app': 'kube-dns' };

function peerKey(p: RulePeer): string {
  switch (p.kind) {
    case 'workload':
      return `0\t${p.workload.id}`;
    case 'entity':
      return `1\t${p.entity}`;
    case 'fqdn':
      return `2\t${p.names.join(',')}`;
    case 'cidr':
      return `3\t${p.cidr}`;
  }
}

/** The CIDR of a world address at the requested prefix (the network address, so equal prefixes merge). */
export function widen(ip: string, prefix: number | undefined): string {
  const a = parseIp(ip);
  if (!a) return ip;
  const bits = a.family === 4 ? 32 : 128;
  const len = prefix === undefined ? bits : Math.min(bits, a.family === 4 ? prefix : prefix + 96);
  const host = bits - len;
  const value = (a.value >> BigInt(host)) << BigInt(host);
  return `${formatIp({ ...a, value })}/${len}`;
}

function span(s: Span, c: Span): void {
  s.flows += c.flows;
  if (c.first < s.first) s.first = c.first;
  if (c.last > s.last) s.last = c.last;
}

/**
 * Builds the policy of every workload that is an end of some connection.
 * `workloadOf` maps pod endpoint keys to workloads; `dns` maps world
 * addresses to the names DNS answered with them.
 */
export function buildPolicies(
  connections: readonly ObservedConnection[],
  workloadOf: (e: ObservedEndpoint) => Workload | undefined,
  dns: ReadonlyMap<string, ReadonlySet<string>>,
  options: PolicyOptions = {},
): GeneratedPolicy[] {
  const sides = new Map<string, { workload: Workload; ingress: Map<string, RuleGroup>; egress: Map<string, RuleGroup> }>();
  const sideOf = (w: Workload) => {
    let s = sides.get(w.id);
    if (!s) sides.set(w.id, (s = { workload: w, ingress: new Map(), egress: new Map() }));
    return s;
  };
  const peerOf = (e: ObservedEndpoint, egress: boolean): RulePeer | undefined => {
    if (e.kind === 'pod') {
      const w = workloadOf(e);
      return w && { kind: 'workload', workload: w };
    }
    if (e.kind === 'entity') return { kind: 'entity', entity: e.entity };
    const names = dns.get(e.ip);
    if (egress && names && names.size > 0) return { kind: 'fqdn', names: [...names].sort(cmp) };
    return { kind: 'cidr', cidr: widen(e.ip, options.cidrPrefix) };
  };
  const add = (groups: Map<string, RuleGroup>, peer: RulePeer, c: ObservedConnection) => {
    const k = peerKey(peer);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { peer, ports: new Map(), flows: 0, first: Infinity, last: -Infinity }));
    span(g, c);
    const pk = `${c.protocol}/${c.port}`;
    let p = g.ports.get(pk);
    if (!p) g.ports.set(pk, (p = { protocol: c.protocol, port: c.port, http: new Map(), dns: new Set(), flows: 0, first: Infinity, last: -Infinity }));
    span(p, c);
    if (c.http) p.http.set(`${c.http.method} ${c.http.path}`, c.http);
    if (c.dns) p.dns.add(c.dns);
  };
  for (const c of connections) {
    const src = c.from.kind === 'pod' ? workloadOf(c.from) : undefined;
    const dst = c.to.kind === 'pod' ? workloadOf(c.to) : undefined;
    if (src) {
      const peer = peerOf(c.to, true);
      // HTTP rules are enforced once, at the server's ingress, when the server is ours to police.
      if (peer) add(sideOf(src).egress, peer, dst ? { ...c, http: undefined } as ObservedConnection : c);
    }
    if (dst) {
      const peer = peerOf(c.from, false);
      if (peer) add(sideOf(dst).ingress, peer, { ...c, dns: undefined } as ObservedConnection);
    }
  }
  const out: GeneratedPolicy[] = [];
  for (const id of [...sides.keys()].sort(cmp)) {
    const s = sides.get(id)!;
    // toFQDNs only work when the DNS proxy sees the lookups: add (or extend) the kube-dns egress rule with a DNS rule.
    if ((options.kind ?? 'CiliumNetworkPolicy') === 'CiliumNetworkPolicy') addDnsRule(s.egress);
    const sorted = (m: Map<string, RuleGroup>) => [...m.keys()].sort(cmp).map((k) => m.get(k)!);
    out.push({ workload: s.workload, ingress: sorted(s.ingress), egress: sorted(s.egress) });
  }
  return out;
}

function isKubeDns(p: RulePeer): boolean {
  return p.kind === 'workload' && p.workload.namespace === 'kube-system' && p.workload.selector['k8s-app'] === 'kube-dns';
}

function addDnsRule(egress: Map<string, RuleGroup>): void {
  const fqdns = [...egress.values()].filter((g) => g.peer.kind === 'fqdn');
  const observedQueries = [...egress.values()].some((g) => isKubeDns(g.peer) && [...g.ports.values()].some((p) => p.dns.size > 0));
  if (fqdns.length === 0 && !observedQueries) return;
  let g = [...egress.values()].find((x) => isKubeDns(x.peer));
  if (!g) {
    const kubeDns: Workload = { id: 'kube-system/kube-dns', namespace: 'kube-system', name: 'kube-dns', selector: KUBE_DNS, members: [] };
    g = { peer: { kind: 'workload', workload: kubeDns }, ports: new Map(), flows: 0, first: Infinity, last: -Infinity };
    egress.set(peerKey(g.peer), g);
  }
  for (const proto of ['UDP', 'TCP']) {
    const k = `${proto}/53`;
    if (!g.ports.has(k)) g.ports.set(k, { protocol: proto, port: 53, http: new Map(), dns: new Set(), flows: 0, first: Infinity, last: -Infinity });
  }
  // The names the workload resolves: those it was seen asking, plus the toFQDNs names. `*` when none was seen asking (no --l7).
  const names = new Set<string>();
  for (const p of g.ports.values()) for (const n of p.dns) names.add(n);
  if (names.size > 0) for (const f of fqdns) if (f.peer.kind === 'fqdn') for (const n of f.peer.names) names.add(n);
  for (const p of g.ports.values()) {
    if (p.port !== 53) continue;
    p.dns.clear();
    if (names.size === 0) p.dns.add('*');
    else for (const n of names) p.dns.add(n);
  }
}

// --- rendering --------------------------------------------------------------------------------

const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./-]*$/;
const YAML_WORDS = /^(?:true|false|yes|no|on|off|null|y|n|~)$/i;

/** A YAML scalar: plain when unambiguous, else double-quoted (a JSON string is a valid YAML one). */
export function q(s: string): string {
  return PLAIN.test(s) && !YAML_WORDS.test(s) ? s : JSON.stringify(s);
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace('.000Z', 'Z') : 'unknown';
}

function spanText(s: Span): string {
  if (s.flows === 0) return 'not observed; added so that toFQDNs names can be learnt';
  const seen = Number.isFinite(s.first) ? `, first seen ${iso(s.first)}, last seen ${iso(s.last)}` : '';
  return `${s.flows} flow${s.flows === 1 ? '' : 's'}${seen}`;
}

function peerText(p: RulePeer): string {
  switch (p.kind) {
    case 'workload':
      return p.workload.id;
    case 'entity':
      return `entity ${p.entity}`;
    case 'cidr':
      return p.cidr;
    case 'fqdn':
      return p.names.join(', ');
  }
}

/** Ports of a group, in order, merged into ranges when asked (never across L7 rules or protocols). */
function portList(g: RuleGroup, ranges: boolean): PortEntry[] {
  const ports = [...g.ports.values()].sort((a, b) => cmp(a.protocol, b.protocol) || a.port - b.port);
  if (!ranges) return ports;
  const out: PortEntry[] = [];
  for (const p of ports) {
    const last = out[out.length - 1];
    const plain = p.http.size === 0 && p.dns.size === 0 && !p.protocol.startsWith('ICMP');
    if (last && plain && last.http.size === 0 && last.dns.size === 0 && last.protocol === p.protocol && (last.endPort ?? last.port) + 1 === p.port) {
      last.endPort = p.port;
      span(last, p);
    } else out.push({ ...p, http: new Map(p.http), dns: new Set(p.dns) });
  }
  return out;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

class Lines {
  readonly lines: string[] = [];
  push(indent: number, text: string): void {
    this.lines.push(' '.repeat(indent) + text);
  }
}

function selectorLines(out: Lines, indent: number, labels: Readonly<Record<string, string>>): void {
  for (const k of Object.keys(labels).sort(cmp)) out.push(indent, `${q(k)}: ${q(labels[k]!)}`);
}

function cnpPeerLines(out: Lines, p: RulePeer, dir: 'ingress' | 'egress', policyNs: string): void {
  const from = dir === 'ingress' ? 'from' : 'to';
  switch (p.kind) {
    case 'workload': {
      out.push(4, `- ${from}Endpoints:`);
      out.push(8, '- matchLabels:');
      const labels: Record<string, string> = { ...p.workload.selector };
      if (p.workload.namespace !== policyNs) labels['k8s:io.kubernetes.pod.namespace'] = p.workload.namespace;
      selectorLines(out, 12, labels);
      return;
    }
    case 'entity':
      out.push(4, `- ${from}Entities:`);
      out.push(8, `- ${p.entity}`);
      return;
    case 'cidr':
      out.push(4, `- ${from}CIDR:`);
      out.push(8, `- ${q(p.cidr)}`);
      return;
    case 'fqdn':
      out.push(4, '- toFQDNs:');
      for (const n of p.names) out.push(8, `- matchName: ${q(n)}`);
  }
}

function cnpPortLines(out: Lines, l4: readonly PortEntry[]): void {
  out.push(6, 'toPorts:');
  // Ports with the same L7 rules share one entry; each distinct set of rules is its own entry.
  const entries = new Map<string, PortEntry[]>();
  for (const p of l4) {
    const k = `${[...p.http.keys()].sort(cmp).join('\n')}\u0000${[...p.dns].sort(cmp).join('\n')}`;
    const list = entries.get(k);
    if (list) list.push(p);
    else entries.set(k, [p]);
  }
  for (const list of entries.values()) {
    out.push(8, '- ports:');
    for (const p of list) {
      out.push(12, `- port: "${p.port}"  # ${spanText(p)}`);
      if (p.endPort !== undefined) out.push(14, `endPort: ${p.endPort}`);
      out.push(14, `protocol: ${p.protocol}`);
    }
    const first = list[0]!;
    if (first.http.size > 0 || first.dns.size > 0) {
      out.push(10, 'rules:');
      if (first.http.size > 0) {
        out.push(12, 'http:');
        for (const k of [...first.http.keys()].sort(cmp)) {
          const h = first.http.get(k)!;
          out.push(14, `- method: ${q(h.method)}`);
          out.push(16, `path: ${q(`^${escapeRegex(h.path)}$`)}`);
        }
      } else {
        out.push(12, 'dns:');
        for (const n of [...first.dns].sort(cmp)) out.push(14, n === '*' ? '- matchPattern: "*"' : `- matchName: ${q(n)}`);
      }
    }
  }
}

/** ICMP types: a rule of their own, since Cilium refuses `icmps` beside `toPorts` in one rule. */
function cnpIcmpLines(out: Lines, icmp: readonly PortEntry[]): void {
  out.push(6, 'icmps:');
  out.push(8, '- fields:');
  for (const p of icmp) {
    out.push(12, `- type: ${p.port}  # ${spanText(p)}`);
    out.push(14, `family: ${p.protocol === 'ICMP' ? 'IPv4' : 'IPv6'}`);
  }
}

function header(p: GeneratedPolicy): string[] {
  const flows = (gs: readonly RuleGroup[]) => gs.reduce((n, g) => n + g.flows, 0);
  return [
    `# Generated by polis generate for ${p.workload.id} from observed Hubble flows:`,
    `# ${p.ingress.length} ingress peer${p.ingress.length === 1 ? '' : 's'} (${flows(p.ingress)} flows), ${p.egress.length} egress peer${p.egress.length === 1 ? '' : 's'} (${flows(p.egress)} flows).`,
  ];
}

/** The comment header, metadata and the workload's selector: the same for both kinds. */
function policyHead(p: GeneratedPolicy, apiVersion: string, kind: string, selectorField: string): Lines {
  const out = new Lines();
  for (const h of header(p)) out.push(0, h);
  out.push(0, `apiVersion: ${apiVersion}`);
  out.push(0, `kind: ${kind}`);
  out.push(0, 'metadata:');
  out.push(2, `name: ${q(p.workload.name)}`);
  out.push(2, `namespace: ${q(p.workload.namespace)}`);
  out.push(0, 'spec:');
  out.push(2, `${selectorField}:`);
  out.push(4, 'matchLabels:');
  selectorLines(out, 6, p.workload.selector);
  return out;
}

function renderCnp(p: GeneratedPolicy, options: PolicyOptions): PolicyFile {
  const out = policyHead(p, 'cilium.io/v2', 'CiliumNetworkPolicy', 'endpointSelector');
  for (const dir of ['ingress', 'egress'] as const) {
    out.push(2, `${dir}:`);
    const groups = p[dir];
    if (groups.length === 0) {
      out.push(4, `- {}  # no ${dir} observed: deny all`);
      continue;
    }
    for (const g of groups) {
      out.push(4, `# ${dir === 'ingress' ? 'from' : 'to'} ${peerText(g.peer)}: ${spanText(g)}`);
      const ports = portList(g, options.portRanges === true);
      const l4 = ports.filter((x) => !x.protocol.startsWith('ICMP'));
      const icmp = ports.filter((x) => x.protocol.startsWith('ICMP'));
      if (l4.length > 0 || icmp.length === 0) {
        cnpPeerLines(out, g.peer, dir, p.workload.namespace);
        if (l4.length > 0) cnpPortLines(out, l4);
      }
      if (icmp.length > 0) {
        cnpPeerLines(out, g.peer, dir, p.workload.namespace);
        cnpIcmpLines(out, icmp);
      }
    }
  }
  return { workload: p.workload.id, fileName: `${p.workload.namespace}.${p.workload.name}.yaml`, text: out.lines.join('\n') + '\n', notes: [] };
}

const NP_PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP']);

function renderNp(p: GeneratedPolicy, options: PolicyOptions): PolicyFile {
  const out = policyHead(p, 'networking.k8s.io/v1', 'NetworkPolicy', 'podSelector');
  const notes: string[] = [];
  out.push(2, 'policyTypes: [Ingress, Egress]');
  for (const dir of ['ingress', 'egress'] as const) {
    const peerField = dir === 'ingress' ? 'from' : 'to';
    const rules: Lines[] = [];
    for (const g of p[dir]) {
      const what = `${dir === 'ingress' ? 'from' : 'to'} ${peerText(g.peer)}`;
      let peer: string[] | undefined;
      switch (g.peer.kind) {
        case 'workload': {
          const ns = g.peer.workload.namespace;
          peer = ['- podSelector:', '    matchLabels:'];
          for (const k of Object.keys(g.peer.workload.selector).sort(cmp)) peer.push(`      ${q(k)}: ${q(g.peer.workload.selector[k]!)}`);
          peer.push('  namespaceSelector:', '    matchLabels:', `      kubernetes.io/metadata.name: ${q(ns)}`);
          break;
        }
        case 'cidr':
          peer = ['- ipBlock:', `    cidr: ${q(g.peer.cidr)}`];
          break;
        case 'entity':
          if (g.peer.entity === 'world') peer = ['- ipBlock:', '    cidr: 0.0.0.0/0'];
          break;
        case 'fqdn':
          break;
      }
      if (!peer) {
        notes.push(`${p.workload.id}: ${what} cannot be said in a NetworkPolicy (${g.peer.kind === 'fqdn' ? 'no DNS names' : `no entity ${g.peer.kind === 'entity' ? g.peer.entity : ''}`}); use --kind CiliumNetworkPolicy`);
        continue;
      }
      const ports = portList(g, options.portRanges === true);
      const l4 = ports.filter((x) => NP_PROTOCOLS.has(x.protocol));
      for (const x of ports) {
        if (!NP_PROTOCOLS.has(x.protocol)) notes.push(`${p.workload.id}: ${what}: ${x.protocol} type ${x.port} cannot be said in a NetworkPolicy (no ICMP)`);
        else if (x.http.size > 0 || (x.dns.size > 0 && !x.dns.has('*'))) notes.push(`${p.workload.id}: ${what}: L7 rules on ${x.port}/${x.protocol} cannot be said in a NetworkPolicy; the port is allowed whole`);
      }
      if (l4.length === 0) continue;
      const r = new Lines();
      r.push(4, `# ${what}: ${spanText(g)}`);
      r.push(4, `- ${peerField}:`);
      for (const line of peer) r.push(8, line);
      r.push(6, 'ports:');
      for (const x of l4) {
        r.push(8, `- port: ${x.port}  # ${spanText(x)}`);
        if (x.endPort !== undefined) r.push(10, `endPort: ${x.endPort}`);
        r.push(10, `protocol: ${x.protocol}`);
      }
      rules.push(r);
    }
    if (rules.length === 0) {
      out.push(2, `${dir}: []  # nothing observed that a NetworkPolicy can allow: deny all`);
      continue;
    }
    out.push(2, `${dir}:`);
    for (const r of rules) out.lines.push(...r.lines);
  }
  for (const n of notes) out.lines.splice(2, 0, `# NOTE: ${n.slice(p.workload.id.length + 2)}`);
  return { workload: p.workload.id, fileName: `${p.workload.namespace}.${p.workload.name}.yaml`, text: out.lines.join('\n') + '\n', notes };
}

/** Renders each policy as its own YAML document. */
export function renderPolicies(policies: readonly GeneratedPolicy[], options: PolicyOptions = {}): PolicyFile[] {
  return policies.map((p) => ((options.kind ?? 'CiliumNetworkPolicy') === 'NetworkPolicy' ? renderNp(p, options) : renderCnp(p, options)));
}

/** All files as one multi-document stream. */
export function joinDocuments(files: readonly PolicyFile[]): string {
  return files.map((f) => f.text).join('---\n');
}

export { dnsName };
