/**
 * @module engine/engine
 *
 * The verdict engine: the only place policy semantics live. Built once from
 * a workspace (normalised rules, identity table), it answers
 * {@link ConnectionQuery}s: a connection to a Service is first translated to
 * a backend and its target port (semantics.md §4.10); then the source's
 * egress and the destination's ingress must both allow it (§4.6), each side
 * decided by `engine/side.ts` from the per-identity policy compiled lazily
 * by `engine/compile.ts`; toFQDNs peers match only names learnt through an
 * allowed, proxied DNS lookup (§4.11).
 */
import { buildIdentityTable, type IdentityTable } from '../identity/table.js';
import { IpCache } from '../identity/ipcache.js';
import { Reserved, type IdentityId } from '../identity/reserved.js';
import { LOCAL_IDENTITY_FLAG, MIN_CLUSTER_IDENTITY } from '../identity/reserved.js';
import { formatCidr, parseIp } from '../net/ip.js';
import type { ClusterNode, Pod, Service } from '../model/types.js';
import { normalizePolicies, fqdnMatcher, toFqdn, type NormalizedPolicies } from '../policy/normalize/index.js';
import type { Direction, L4Protocol, NormalizedRule } from '../policy/rule.js';
import { formatPolicyRef } from '../policy/types.js';
import type { Workspace } from '../workspace/load.js';
import { compileDirection, type CompiledDirection, type CompileSettings, newCompileMemo } from './compile.js';
import { allowsFast, decideSide } from './side.js';
import { QueryError, type ConnectionQuery, type Engine, type EngineOptions, type L7Result, type Peer, type SideResult, type Verdict } from './types.js';

/** A resolved end of a connection. */
interface Resolved {
  readonly ip: string;
  readonly text: string;
  /** A Cilium-managed pod (not hostNetwork): it has an endpoint that enforces policy. */
  readonly pod?: Pod;
  /** The node whose address this is (a node IP or a hostNetwork pod). */
  readonly node?: ClusterNode;
  readonly fqdn?: string;
}

export class PolicyEngine implements Engine {
  readonly normalized: NormalizedPolicies;
  readonly table: IdentityTable;
  private readonly settings: CompileSettings;
  private readonly rulesById = new Map<IdentityId, NormalizedRule[]>();
  private readonly hostRules: NormalizedRule[] = [];
  private readonly compiled = new Map<number, CompiledDirection>();
  private readonly dense: (CompiledDirection | undefined)[] = [];
  private readonly memo = newCompileMemo();
  private readonly podByIp = new Map<string, Pod>();
  private readonly nodeByIp = new Map<string, ClusterNode>();
  private readonly nodeByName = new Map<string, ClusterNode>();
  private readonly egressNamedPorts = new Map<string, number | null>();
  /** IP → identity ignoring names learnt by DNS (for lookups the DNS proxy did not see). */
  private readonly unlearnt: IpCache;
  private readonly fqdnIps = new Set<string>();

  constructor(readonly workspace: Workspace, private readonly options: EngineOptions = {}) {
    const cluster = workspace.cluster;
    this.settings = { policyEnforcement: options.policyEnforcement ?? 'default', hostFirewall: options.hostFirewall ?? false };
    this.normalized = normalizePolicies(workspace.policies, cluster);
    const prefixLabels = [];
    for (const [name, ips] of Object.entries(options.dns ?? {})) {
      const matching = [...this.normalized.fqdnSelectors].filter(([, sel]) => fqdnMatcher(sel)?.(toFqdn(name)));
      for (const ip of ips) {
        const addr = parseIp(ip);
        if (!addr || matching.length === 0) continue;
        const prefix = { family: addr.family, network: addr.value, bits: addr.family === 4 ? 32 : 128 };
        this.fqdnIps.add(formatCidr(prefix));
        prefixLabels.push({ prefix, extra: matching.map(([text]) => ({ source: 'fqdn', key: text, value: '' })) });
      }
    }
    const localNode = cluster.nodes.find((n) => !n.controlPlane) ?? cluster.nodes[0];
    this.table = buildIdentityTable(cluster, { localNode: localNode?.name ?? '', referencedCidrs: this.normalized.referencedCidrs, prefixLabels }).table;
    this.unlearnt = new IpCache(this.table.ipcache.entries.filter((e) => !this.fqdnIps.has(formatCidr(e.prefix))), { v4: Reserved.world, v6: Reserved.world });

    for (const n of cluster.nodes) {
      this.nodeByIp.set(n.ip, n);
      this.nodeByName.set(n.name, n);
    }
    for (const p of cluster.pods) {
      if (!p.hostNetwork) this.podByIp.set(p.ip, p);
      for (const cp of p.ports) {
        if (!cp.name) continue;
        // Egress resolves a name only if every pod defining it agrees on the number (§4.4).
        const key = `${cp.name.toLowerCase()}/${cp.protocol}`;
        const prev = this.egressNamedPorts.get(key);
        this.egressNamedPorts.set(key, prev === undefined || prev === cp.containerPort ? cp.containerPort : null);
      }
    }
    for (const rule of this.normalized.rules) {
      if (rule.subject.kind === 'nodes') {
        this.hostRules.push(rule);
        continue;
      }
      for (const id of this.table.select(rule.subject.selector)) {
        if (!isEndpointIdentity(id)) continue;
        (this.rulesById.get(id) ?? this.rulesById.set(id, []).get(id)!).push(rule);
      }
    }
  }

  /** The compiled policy of an identity in a direction (compiled on first use, then cached). */
  policyOf(identity: IdentityId, direction: Direction): CompiledDirection {
    const key = identity * 2 + (direction === 'ingress' ? 0 : 1);
    // Cluster identities are small integers: an array is the fastest cache; local identities use the map.
    let d = key < DENSE_LIMIT ? this.dense[key] : this.compiled.get(key);
    if (!d) {
      const rules = identity === Reserved.host ? this.hostRules.filter((r) => this.table.selects(r.subject.selector, identity)) : (this.rulesById.get(identity) ?? []);
      d = compileDirection(identity, direction, rules, this.table, this.settings, this.memo);
      if (key < DENSE_LIMIT) this.dense[key] = d;
      else this.compiled.set(key, d);
    }
    return d;
  }

  /** Compiles every endpoint identity in both directions (what a cluster of agents does up front). */
  compileAll(): number {
    let n = 0;
    for (const id of this.table.allIdentities()) {
      if (!isEndpointIdentity(id)) continue;
      this.policyOf(id, 'ingress');
      this.policyOf(id, 'egress');
      n++;
    }
    return n;
  }

  evaluate(query: ConnectionQuery): Verdict {
    return this.decide(query, true);
  }

  identityName(identity: number): string {
    return this.table.nameOf(identity as IdentityId);
  }

  /** Allow or deny only, without explanations (bulk use: matrices). */
  allows(query: ConnectionQuery): boolean {
    return this.decide(query, false).verdict === 'allow';
  }

  /**
   * The L3/L4 verdict between two endpoint identities, as the datapath looks
   * it up: egress of `from` towards `to`, then ingress of `to` from `from`.
   * No allocation; for identities of pods (not nodes or external peers).
   */
  allowsBetween(from: IdentityId, to: IdentityId, protocol: L4Protocol, port: number): boolean {
    return allowsFast(this.policyOf(from, 'egress'), to, protocol, port) && allowsFast(this.policyOf(to, 'ingress'), from, protocol, port);
  }

  private decide(query: ConnectionQuery, detail: boolean): Verdict {
    const protocol: L4Protocol = query.protocol ?? 'TCP';
    const icmp = protocol === 'ICMP' || protocol === 'ICMPv6';
    if (!icmp && query.port === undefined) throw new QueryError(`a ${protocol} connection needs a port`);
    const src = this.resolvePeer(query.from);
    let dst: Resolved;
    let port = icmp ? (query.icmpType ?? (protocol === 'ICMP' ? 8 : 128)) : query.port!;
    if (query.to.kind === 'service') {
      const t = this.translateService(query.to.service, port, protocol);
      if (t.backends.length === 0) throw new QueryError(`service ${query.to.service.namespace}/${query.to.service.name} has no backends for port ${port}/${protocol}`);
      // Cilium load-balances: judge every backend, and report a deny if any would deny.
      const verdicts = t.backends.map((b) => this.decideResolved(src, b.dst, protocol, b.port, query, detail));
      return verdicts.find((v) => v.verdict === 'deny') ?? verdicts[0]!;
    }
    dst = this.resolvePeer(query.to);
    return this.decideResolved(src, dst, protocol, port, query, detail);
  }

  private decideResolved(src: Resolved, dst: Resolved, protocol: L4Protocol, port: number, query: ConnectionQuery, detail: boolean): Verdict {
    const request = { ...(query.http ? { http: query.http } : {}), ...(query.dns !== undefined ? { dns: toFqdn(query.dns) } : {}), ...(query.kafka ? { kafka: query.kafka } : {}) };
    let egress: SideResult | undefined;
    let ingress: SideResult | undefined;
    let l7: L7Result | undefined;
    const srcEndpoint = this.endpointOf(src);
    if (srcEndpoint) {
      const peer = this.peerIdentity(dst, srcEndpoint.node, src);
      const r = decideSide(this.policyOf(srcEndpoint.identity, 'egress'), {
        endpoint: src.text, identity: srcEndpoint.identity, peer, peerText: `${dst.text} (${this.table.nameOf(peer)})`, protocol, port,
        resolveName: (name, proto) => this.egressNamedPorts.get(`${name}/${proto}`) ?? undefined,
        request, defaultHost: dst.fqdn ?? dst.text,
      }, detail);
      egress = r.side;
      l7 = r.l7;
    }
    const dstEndpoint = this.endpointOf(dst);
    if (dstEndpoint && egress?.verdict !== 'deny' && l7?.allowed !== false) {
      const peer = this.peerIdentity(src, dstEndpoint.node, undefined);
      const dstPod = dst.pod;
      const r = decideSide(this.policyOf(dstEndpoint.identity, 'ingress'), {
        endpoint: dst.text, identity: dstEndpoint.identity, peer, peerText: `${src.text} (${this.table.nameOf(peer)})`, protocol, port,
        resolveName: (name, proto) => dstPod?.ports.find((p) => p.name?.toLowerCase() === name && p.protocol === proto)?.containerPort,
        request, defaultHost: dst.text,
      }, detail);
      ingress = r.side;
      l7 ??= r.l7;
    }
    const denied = egress?.verdict === 'deny' ? egress : ingress?.verdict === 'deny' ? ingress : undefined;
    const verdict = denied || l7?.allowed === false ? 'deny' : 'allow';
    return {
      verdict,
      reason: detail ? reasonOf(verdict, egress, ingress, l7) : '',
      source: { endpoint: src.text, ip: src.ip },
      destination: { endpoint: dst.text, ip: dst.ip, ...(protocol === 'ICMP' || protocol === 'ICMPv6' ? {} : { port }) },
      protocol,
      ...(egress ? { egress } : {}),
      ...(ingress ? { ingress } : {}),
      ...(l7 ? { l7 } : {}),
    };
  }

  /** The enforcing endpoint of a connection end: a pod, or the host when the host firewall is on. */
  private endpointOf(r: Resolved): { identity: IdentityId; node: string } | undefined {
    if (r.pod) {
      const id = this.table.identityOfPod(r.pod);
      return id === undefined ? undefined : { identity: id, node: r.pod.nodeName };
    }
    if (r.node && this.settings.hostFirewall) return { identity: Reserved.host, node: r.node.name };
    return undefined;
  }

  /**
   * The identity the enforcing node sees for a peer (§3.4): pods keep theirs;
   * node addresses are `host` on their own node and `remote-node` (or
   * `kube-apiserver` for control-plane nodes) elsewhere; other addresses go
   * through the ipcache, where a toFQDNs name counts only if the source's
   * lookup of it went through the DNS proxy and was allowed.
   */
  private peerIdentity(peer: Resolved, enforcingNode: string, source: Resolved | undefined): IdentityId {
    if (peer.pod) return this.table.identityOfPod(peer.pod) ?? Reserved.world;
    if (peer.node) return peer.node.name === enforcingNode ? Reserved.host : peer.node.controlPlane ? Reserved.kubeApiserver : Reserved.remoteNode;
    const addr = parseIp(peer.ip)!;
    if (peer.fqdn !== undefined && source?.pod && this.learnt(source, peer.fqdn)) return this.table.identityOfAddress(addr);
    return this.unlearnt.lookup(addr);
  }

  /** Whether the source's DNS lookup of `name` reaches kube-dns through the DNS proxy and is allowed. */
  private learnt(source: Resolved, name: string): boolean {
    const dns = this.workspace.cluster.services.find((s) => s.namespace === 'kube-system' && s.name === 'kube-dns');
    if (!dns) return false;
    for (const b of this.translateService(dns, 53, 'UDP').backends) {
      const v = this.decideResolved(source, b.dst, 'UDP', b.port, { from: { kind: 'ip', ip: source.ip }, to: { kind: 'ip', ip: b.dst.ip }, dns: name }, false);
      if (v.verdict === 'allow' && v.egress?.redirect && v.l7?.allowed) return true;
    }
    return false;
  }

  private resolvePeer(p: Peer): Resolved {
    if (p.kind === 'pod') return this.resolvePod(p.pod);
    const addr = parseIp(p.ip);
    if (!addr) throw new QueryError(`${p.ip} is not an IP address`);
    if (p.kind === 'fqdn') return { ip: p.ip, text: p.name, fqdn: p.name };
    const pod = this.podByIp.get(p.ip);
    if (pod) return this.resolvePod(pod);
    const node = this.nodeByIp.get(p.ip);
    if (node) return { ip: p.ip, text: node.name, node };
    return { ip: p.ip, text: p.ip };
  }

  private resolvePod(pod: Pod): Resolved {
    const text = `${pod.namespace}/${pod.name}`;
    if (pod.hostNetwork) return { ip: pod.ip, text, node: this.nodeByName.get(pod.nodeName) };
    return { ip: pod.ip, text, pod };
  }

  /** Backends of a service port and their target ports (§4.10). */
  translateService(svc: Service, port: number, protocol: L4Protocol): { backends: { dst: Resolved; port: number }[] } {
    const sp = svc.ports.find((p) => p.port === port && p.protocol === protocol);
    if (!sp) throw new QueryError(`service ${svc.namespace}/${svc.name} has no port ${port}/${protocol} (it has ${svc.ports.map((p) => `${p.port}/${p.protocol}`).join(', ') || 'none'})`);
    const backends: { dst: Resolved; port: number }[] = [];
    if (svc.selector) {
      const sel = Object.entries(svc.selector);
      for (const pod of this.workspace.cluster.pods) {
        if (pod.namespace !== svc.namespace || !sel.every(([k, v]) => pod.labels[k] === v)) continue;
        const target = typeof sp.targetPort === 'number' ? sp.targetPort : pod.ports.find((c) => c.name === sp.targetPort && c.protocol === protocol)?.containerPort;
        if (target !== undefined) backends.push({ dst: this.resolvePod(pod), port: target });
      }
    } else {
      const target = typeof sp.targetPort === 'number' ? sp.targetPort : sp.port;
      for (const ip of svc.endpointIPs) backends.push({ dst: this.resolvePeer({ kind: 'ip', ip }), port: target });
    }
    return { backends };
  }
}

/** Compiled policies of identities below this (× 2 directions) live in an array. */
const DENSE_LIMIT = 2 * 65536;

/** Identities that are endpoints with a policy of their own: pods, health, init, ingress. */
function isEndpointIdentity(id: IdentityId): boolean {
  return (id >= MIN_CLUSTER_IDENTITY && id < LOCAL_IDENTITY_FLAG) || id === Reserved.health || id === Reserved.init || id === Reserved.ingress;
}

/** One line: which side decided, and by which policy. */
function reasonOf(verdict: 'allow' | 'deny', egress: SideResult | undefined, ingress: SideResult | undefined, l7: L7Result | undefined): string {
  const who = (s: SideResult) => s.decidedBy[0];
  const name = (s: SideResult) => {
    const m = who(s);
    if (!m) return '';
    if (m.synthetic === 'not-enforced') return 'no policy selects it';
    if (m.synthetic === 'allow-localhost') return 'allow-localhost (the node may always reach its pods)';
    if (m.synthetic === 'default-allow') return 'no rule asks for default deny';
    return `${formatPolicyRef(m.policy!)} ${m.path}`;
  };
  if (verdict === 'deny') {
    if (l7 && !l7.allowed) return `denied at L7 (${l7.direction}) by ${l7.decidedBy[0] ? `${formatPolicyRef(l7.decidedBy[0].policy!)} ${l7.decidedBy[0].path}` : 'policy'}: ${l7.detail} → ${l7.response}`;
    const s = egress?.verdict === 'deny' ? egress : ingress!;
    if (s.dropReason === 'POLICY_DENY') return `denied at ${s.direction} of ${s.endpoint} by deny rule ${name(s)}`;
    if (s.dropReason === 'AUTH_REQUIRED') return `dropped at ${s.direction} of ${s.endpoint}: ${name(s)} requires mutual authentication`;
    return `denied at ${s.direction} of ${s.endpoint}: default deny, no rule allows it`;
  }
  const parts: string[] = [];
  if (egress) parts.push(`egress: ${name(egress)}`);
  if (ingress) parts.push(`ingress: ${name(ingress)}`);
  if (l7) parts.push(`L7: ${l7.detail}`);
  return `allowed (${parts.join('; ') || 'no Cilium endpoint on either side'})`;
}

/** Builds the engine for a workspace. */
export function compileEngine(workspace: Workspace, options: EngineOptions = {}): PolicyEngine {
  return new PolicyEngine(workspace, options);
}
