/**
 * @module simulate/network
 *
 * What happens on the wire when a command in a pod looks a name up, opens a
 * TCP connection, sends UDP or pings: the resolver's queries to the cluster
 * DNS, the load balancer's choice of a backend, both sides' policy, the L7
 * proxy, and the events each Cilium node records. Every allow or deny comes
 * from the engine's `verdict` (never decided here); this module only turns
 * a verdict into packets, timings and flows:
 *
 * - a connection the engine allows: the TCP handshake, one request and its
 *   response, and the teardown, as `to-endpoint` (or `to-overlay` across
 *   nodes, `to-stack` to the world) trace events, after each enforcing
 *   side's policy-verdict event; through the proxy when a side redirects,
 *   with `http-request`/`http-response` events;
 * - a connection the engine denies: the SYN and its retransmissions (Linux
 *   sends them 1, 3, 7, 15, 31 and 63 s after the first, `tcp_syn_retries`
 *   6, then gives up at 127 s) until the client's own timeout, each a
 *   policy verdict DENIED and a `Policy denied` drop on the node that drops it;
 * - a DNS lookup: one query per name of the resolver's search list (and per
 *   address type), through the DNS proxy when a DNS rule redirects it.
 *
 * Pods answer deterministically (see {@link HttpResponder}): the same
 * commands always print the same bytes.
 */
import type { ConnectionQuery, Engine, HttpRequest, Peer, Verdict } from '../engine/types.js';
import { isProblem } from '../engine/types.js';
import { PolicyEngine, type PodPair } from '../engine/engine.js';
import type { Endpoint, Ip, Policy, TcpFlags } from '../hubble/flow.js';
import type { LabelSet } from '../identity/labels.js';
import type { IdentityId } from '../identity/reserved.js';
import { Reserved } from '../identity/reserved.js';
import { fnv32a } from '../model/names.js';
import { podIndex } from '../model/pods.js';
import { CLUSTER_DOMAIN, serviceIndex, type ServiceEntry } from '../model/services.js';
import type { Cluster, ClusterNode, Pod, Service } from '../model/types.js';
import { parseIp } from '../net/ip.js';
import type { VirtualClock } from './clock.js';
import { ipParts, tcp as segment, udp as datagram, type FlowFactory, type Host, type ReplayPlace, type Transport } from './flows.js';

/** Linux SYN retransmissions (`tcp_syn_retries` 6, initial RTO 1 s): offsets of each SYN, in ms, and when connect() gives up. */
export const SYN_TIMES_MS = [0, 1000, 3000, 7000, 15000, 31000, 63000] as const;
export const SYN_GIVE_UP_MS = 127000;
/** resolv.conf defaults (`timeout:5 attempts:2`): a query nobody answers is given up after 10 s. */
export const RESOLVER_TIMEOUT_MS = 5000;
export const RESOLVER_ATTEMPTS = 2;
/** The TTL CoreDNS gives cluster records in kind and kubeadm clusters (`kubernetes … { ttl 30 }` in their Corefile). */
export const CLUSTER_TTL = 30;
/** The TTL of the answers polis makes up for names outside the cluster. */
export const EXTERNAL_TTL = 300;
/** Hubble's TTL on an NXDOMAIN answer, as the real exports show it. */
const NXDOMAIN_TTL = 4294967295;
/** Per-hop and per-request delays of the virtual network (µs). */
const HOP_US = 15;
const SERVER_US = 600;
const DNS_US = 180;

/** What a pod answers to an HTTP request. */
export interface HttpResponse {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Decides what a server answers (the scenario's `responses`, or the default echo). */
export type HttpResponder = (server: { pod?: Pod; ip: string; port: number; host: string }, request: HttpRequest) => HttpResponse | undefined;

/** Where a command runs. */
export type Origin =
  | { readonly kind: 'pod'; readonly pod: Pod }
  | { readonly kind: 'world'; readonly ip: string }
  | { readonly kind: 'node'; readonly node: ClusterNode };

/** One step of a command, for `-o json` and for the scenario's expectations. */
export type Step =
  | {
      readonly kind: 'dns'; readonly name: string; readonly qtype: string; readonly server: string;
      readonly result: 'NOERROR' | 'NXDOMAIN' | 'REFUSED' | 'TIMEOUT'; readonly answers: readonly string[]; readonly verdict?: string;
    }
  | {
      readonly kind: 'connect'; readonly protocol: 'TCP' | 'UDP' | 'ICMP'; readonly from: string; readonly to: string; readonly port?: number;
      readonly service?: string; readonly result: 'established' | 'timeout' | 'refused' | 'sent' | 'no-reply';
      readonly verdict: 'allow' | 'deny'; readonly reason: string; readonly deniedAt?: string;
    }
  | { readonly kind: 'http'; readonly method: string; readonly url: string; readonly status: number; readonly deniedByProxy: boolean };

/** Where the network's state lives: the virtual cluster implements it. */
export interface NetworkState {
  readonly cluster: Cluster;
  readonly clock: VirtualClock;
  readonly flows: FlowFactory;
  /** The engine for the DNS answers known now (external names take part in toFQDNs policy). */
  engine(): Engine;
  /** What an external name resolves to (learnt once, then the same). */
  externalAnswer(name: string): readonly string[] | undefined;
  /** The next ephemeral port (Linux `ip_local_port_range` 32768–60999). */
  nextPort(): number;
  readonly respond: HttpResponder;
  /** Whether policy-verdict events name the policies (costs an `explain` per new connection). */
  readonly policyNames: boolean;
  /** The policy revision to print beside policy names. */
  readonly revision: number;
  /** Hosts as Hubble describes them, shared by every command of one engine (identities and labels do not change in between). */
  readonly hosts: Map<unknown, Host>;
  /** The hosts of pods by their address (pods with their own address: never a ClusterIP's or a node's), as {@link hosts}. */
  readonly podsByIp: Map<string, Host>;
}

export interface Resolved {
  readonly ok: boolean;
  /** The name that answered (search domain added), or the name asked. */
  readonly name: string;
  readonly addresses: readonly string[];
  readonly error?: 'NXDOMAIN' | 'REFUSED' | 'TIMEOUT';
  /** The answer came through the DNS proxy, so Cilium learnt the name (toFQDNs, destination_names). */
  readonly viaProxy: boolean;
  /** The address belongs to a name outside the cluster. */
  readonly external: boolean;
  readonly cnames?: readonly string[];
}

export interface ConnectOptions {
  /** The name the client used, for the proxy's URL and Host header and for `destination_names`. */
  readonly name?: string;
  /** The lookup that gave the address (external names count for toFQDNs only if the proxy saw it). */
  readonly resolved?: Resolved;
  /** Give up after this long (curl -m, wget -T); default: the kernel's 127 s. */
  readonly timeoutMs?: number;
  readonly http?: HttpRequest & { readonly url: string; readonly tls: boolean };
  readonly protocol?: 'TCP' | 'UDP';
  /** Where the command line keeps the Link of its connection (the commands' `LineMemo`): checked before use, set after. */
  readonly memo?: { link?: unknown; linkIp?: string };
}

export interface Connection {
  readonly result: 'established' | 'timeout' | 'refused' | 'sent';
  readonly ip: string;
  readonly port: number;
  readonly elapsedMs: number;
  readonly response?: HttpResponse & { readonly deniedByProxy: boolean };
}

/** The TCP flags of the packets polis sends, shared and frozen (flows only read them). */
const FLAGS = {
  SYN: Object.freeze({ SYN: true }), SYN_ACK: Object.freeze({ SYN: true, ACK: true }), ACK: Object.freeze({ ACK: true }),
  ACK_PSH: Object.freeze({ ACK: true, PSH: true }), ACK_FIN: Object.freeze({ ACK: true, FIN: true }), RST_ACK: Object.freeze({ RST: true, ACK: true }),
} as const satisfies Record<string, TcpFlags>;

/** See {@link Network.replayable}. */
export interface ReplayableConnection extends ReplayPlace {
  /** What the engine was asked about (`pairVerdict` on TCP to `dport`), and its answer. */
  readonly pair: PodPair;
  readonly verdict: Verdict;
  /** The source port the connection had. */
  readonly sport: number;
}

/** One TCP connection under way. */
interface Conn {
  readonly target: Target;
  readonly sport: number;
  /** The side whose proxy terminates the connection. */
  readonly proxyAt: 'egress' | 'ingress' | undefined;
  readonly link: Link | undefined;
}

type Target = { readonly host: Host; readonly port: number; readonly peer: Peer; readonly service?: Service; readonly listening: boolean };

/**
 * What a source knows about one pod address it connects to, kept on its {@link Host} (so, for one engine): where
 * the connection goes, the `ip` parts both ways, and the last answer to the last request. A pod's own address
 * goes to that pod whatever the source port (no load balancer), so all of this is the same on every connection:
 * one lookup instead of one per part, each a cache miss when a command talks to one of thousands of pods.
 */
interface Link extends Target {
  readonly protocol: 'TCP' | 'UDP' | 'ICMP';
  /** The `ip` parts from the source to the pod and back (in the link itself: one object to fetch, not three). */
  readonly forward: Ip;
  readonly backward: Ip;
  request?: HttpRequest & { readonly url: string };
  response?: HttpResponse & { readonly deniedByProxy: boolean };
  /** The `http` step of that request and answer. */
  httpStep?: Step;
  /** The last `connect` step, and the verdict and result it was for (steps are read only: shared, frozen). */
  step?: Step;
  stepVerdict?: Verdict;
  stepResult?: string;
  /** The engine's ends of the two pods (the engine of this link's source host: links live as long as it). */
  pair?: PodPair;
}

/** Links one source keeps (a bound: a source that talks to every pod starts over rather than grows). */
const MAX_LINKS = 256;

/** The network as seen from one command (one exec). */
export class Network {
  readonly steps: Step[] = [];
  private readonly src: Host;
  private readonly srcPeer: Peer;
  /** Connections opened, and the Link of the first when it was the command's first step and the engine's pair verdict decided it alone. */
  private connects = 0;
  private paired: Link | undefined;
  private pairedSport = 0;
  private pairedVerdict: Verdict | undefined;

  /** `source`: the host {@link source} gave for this origin before, with the same state (described once, not per command). */
  constructor(private readonly state: NetworkState, readonly origin: Origin, source?: Host) {
    this.src = source ?? this.originHost(origin);
    // A pod's own host carries its peer (only pods' do): then the origin need not be read.
    this.srcPeer = this.src.peer ?? (origin.kind === 'pod' ? { kind: 'pod', pod: origin.pod } : { kind: 'ip', ip: this.src.ip });
  }

  /** Where the command runs, as Hubble describes it. */
  get source(): Host {
    return this.src;
  }

  get sourceIp(): string {
    return this.src.ip;
  }

  /**
   * The command's one TCP connection between two pods, as a replay needs it (see `recording.ts`): undefined unless the
   * command did nothing on the network but open it (no lookup, no other connection, no step before it) and the
   * engine's verdict on the pair decided it (no proxy, no request asked about).
   */
  replayable(): ReplayableConnection | undefined {
    const link = this.paired;
    if (this.connects !== 1 || !link || !link.pair) return undefined;
    return { src: this.src, dst: link.host, forward: link.forward, backward: link.backward, dport: link.port, pair: link.pair, verdict: this.pairedVerdict!, sport: this.pairedSport };
  }

  private get policyEngine(): PolicyEngine | undefined {
    const e = this.state.engine();
    return e instanceof PolicyEngine ? e : undefined;
  }

  // ---- names ---------------------------------------------------------------------------------

  /** The kube-dns ClusterIP the pod's resolv.conf names. */
  nameserver(): string {
    return serviceIndex(this.state.cluster).byName('kube-system', 'kube-dns')?.service.clusterIP ?? '10.96.0.10';
  }

  /** The search list of the pod's resolv.conf (dnsPolicy ClusterFirst). */
  searchList(): string[] {
    const ns = this.origin.kind === 'pod' ? this.origin.pod.namespace : undefined;
    return [...(ns ? [`${ns}.svc.${CLUSTER_DOMAIN}`] : []), `svc.${CLUSTER_DOMAIN}`, CLUSTER_DOMAIN];
  }

  /**
   * Looks a name up as getaddrinfo does with the pod's resolv.conf: an
   * address is itself; a name with fewer than 5 dots (ndots:5) is tried with
   * each search domain first, then as written; a trailing dot turns the
   * search off. Each candidate is asked for `qtypes` (A and AAAA for
   * getaddrinfo). NXDOMAIN moves on to the next candidate; REFUSED or no
   * answer ends the lookup (glibc `res_nsearch`, musl `name_from_dns_search`).
   */
  resolve(name: string, o: { search?: boolean; qtypes?: readonly string[]; budgetMs?: number } = {}): Resolved & { elapsedMs: number } {
    const literal = addressLiteral(name);
    if (literal) return literal;
    const start = this.state.clock.micros;
    const elapsed = () => (this.state.clock.micros - start) / 1000;
    const lower = name.toLowerCase();
    if (lower === 'localhost') return { ok: true, name, addresses: ['127.0.0.1'], viaProxy: false, external: false, elapsedMs: 0 };
    const candidates = candidatesOf(lower, o.search === false ? [] : this.searchList());
    const qtypes = o.qtypes ?? ['A', 'AAAA'];
    let last: Resolved | undefined;
    for (const candidate of candidates) {
      let answers: string[] = [];
      let viaProxy = false;
      let external = false;
      let cnames: readonly string[] | undefined;
      let error: Resolved['error'];
      const sport = this.state.nextPort();
      for (let q = 0; q < qtypes.length; q++) {
        const qtype = qtypes[q]!;
        const a = this.dnsQuery(candidate, qtype, sport, q === 0, o.budgetMs === undefined ? undefined : o.budgetMs - elapsed());
        viaProxy ||= a.viaProxy;
        if (a.rcode === 'TIMEOUT' || a.rcode === 'REFUSED') {
          error = a.rcode;
          break;
        }
        if (a.rcode === 'NXDOMAIN') {
          error = 'NXDOMAIN';
          break;
        }
        if (qtype === 'A' || qtype === 'AAAA') answers = answers.concat(a.ips);
        external ||= a.external;
        cnames ??= a.cnames;
      }
      if (error === 'TIMEOUT' || error === 'REFUSED') return { ok: false, name: lower, addresses: [], error, viaProxy, external: false, elapsedMs: elapsed() };
      if (!error && answers.length > 0) return { ok: true, name: candidate, addresses: answers, viaProxy, external, ...(cnames ? { cnames } : {}), elapsedMs: elapsed() };
      last = { ok: false, name: lower, addresses: [], error: 'NXDOMAIN', viaProxy, external: false };
    }
    return { ...(last ?? { ok: false, name: lower, addresses: [], error: 'NXDOMAIN', viaProxy: false, external: false }), elapsedMs: elapsed() };
  }

  /** What the cluster DNS answers for an absolute name (no policy involved): CoreDNS's `kubernetes` plugin, then upstream. */
  answer(name: string, qtype: string): { rcode: 'NOERROR' | 'NXDOMAIN'; ips: string[]; external: boolean; cnames?: string[] } {
    const fqdn = name.endsWith('.') ? name.slice(0, -1) : name;
    const index = serviceIndex(this.state.cluster);
    const local = index.byDnsName(fqdn);
    const v4 = (ips: readonly string[]) => ips.filter((ip) => (qtype === 'AAAA' ? ip.includes(':') : !ip.includes(':')));
    if (local) {
      switch (local.kind) {
        case 'service':
          return { rcode: 'NOERROR', ips: v4(local.entry.service.clusterIPs ?? [local.entry.service.clusterIP]), external: false };
        case 'headless':
          return { rcode: 'NOERROR', ips: v4(local.entry.addresses.map((a) => a.ip)), external: false };
        case 'pod':
          return { rcode: 'NOERROR', ips: v4([local.pod.ip]), external: false };
        case 'external-name': {
          if (!local.target) return { rcode: 'NXDOMAIN', ips: [], external: false };
          const target = this.state.externalAnswer(local.target) ?? [];
          return { rcode: 'NOERROR', ips: v4(target), external: true, cnames: [`${local.target.replace(/\.$/, '')}.`] };
        }
      }
    }
    if (fqdn === CLUSTER_DOMAIN || fqdn.endsWith(`.${CLUSTER_DOMAIN}`)) {
      // `NAME.NS.pod.cluster.local` style names of pods (A-B-C-D.ns.pod) are answered by CoreDNS with the dashed address.
      const m = /^(\d+)-(\d+)-(\d+)-(\d+)\.[^.]+\.pod\.cluster\.local$/.exec(fqdn);
      if (m) return { rcode: 'NOERROR', ips: qtype === 'A' ? [`${m[1]}.${m[2]}.${m[3]}.${m[4]}`] : [], external: false };
      return { rcode: 'NXDOMAIN', ips: [], external: false };
    }
    const ext = this.state.externalAnswer(fqdn);
    if (!ext) return { rcode: 'NXDOMAIN', ips: [], external: true };
    return { rcode: 'NOERROR', ips: v4(ext), external: true };
  }

  /** One query to the cluster DNS from the source, with its flows. */
  private dnsQuery(name: string, qtype: string, sport: number, firstOfSocket: boolean, budgetMs: number | undefined):
    { rcode: 'NOERROR' | 'NXDOMAIN' | 'REFUSED' | 'TIMEOUT'; ips: string[]; viaProxy: boolean; external: boolean; cnames?: string[] } {
    const clock = this.state.clock;
    const server = this.nameserver();
    const dns = serviceIndex(this.state.cluster).byName('kube-system', 'kube-dns');
    const backends = dns?.ports.find((p) => p.port.port === 53 && p.port.protocol === 'UDP')?.backends ?? [];
    const backend = backends.length > 0 ? backends[sport % backends.length]! : undefined;
    const record = (result: Step & { kind: 'dns' }) => this.steps.push(result);
    if (this.origin.kind !== 'pod' || !backend) {
      // Outside a pod there is no cluster resolver to police: the answer is simply known.
      const a = this.answer(name, qtype);
      record({ kind: 'dns', name, qtype, server, result: a.rcode, answers: a.ips });
      return { ...a, viaProxy: false };
    }
    const dst = backend.pod ? this.podHost(backend.pod) : this.ipHost(backend.ip);
    const to: Peer = backend.pod ? { kind: 'pod', pod: backend.pod } : { kind: 'ip', ip: backend.ip };
    const v = this.verdict({ from: this.srcPeer, to, protocol: 'UDP', port: backend.port, dns: name });
    const udp = datagram(sport, backend.port);
    const reply = datagram(backend.port, sport);
    const f = this.state.flows;
    const srcNode = this.src.node;
    if (v.verdict === 'deny' && v.deniedAt !== 'l7') {
      // Nobody answers: the resolver asks again after its timeout, then gives up.
      const tries = budgetMs !== undefined && budgetMs < RESOLVER_TIMEOUT_MS ? 1 : RESOLVER_ATTEMPTS;
      for (let i = 0; i < tries; i++) {
        this.deniedPacket(dst, udp, v, i === 0 && firstOfSocket);
        clock.advanceMs(budgetMs !== undefined ? Math.min(RESOLVER_TIMEOUT_MS, Math.max(0, budgetMs - i * RESOLVER_TIMEOUT_MS)) : RESOLVER_TIMEOUT_MS);
      }
      record({ kind: 'dns', name, qtype, server, result: 'TIMEOUT', answers: [], verdict: v.reason });
      return { rcode: 'TIMEOUT', ips: [], viaProxy: false, external: false };
    }
    const proxied = v.egressRedirect === true;
    if (proxied) {
      if (firstOfSocket) f.policyVerdict(this.src, dst, udp, { node: srcNode, direction: 'EGRESS', match: v.egressMatch ?? 'L3-L4', verdict: 'REDIRECTED', policies: this.policies(to, 'UDP', backend.port, 'egress') });
      f.trace('TO_PROXY', this.src, dst, udp, srcNode, false, 'EGRESS', firstOfSocket ? 'NEW' : 'ESTABLISHED');
      clock.advanceMicros(HOP_US);
      if (v.verdict === 'deny') {
        // The DNS proxy refuses a name no DNS rule allows (semantics.md §5; Cilium answers REFUSED).
        f.dns(this.src, dst, udp, { node: srcNode, type: 'REQUEST', verdict: 'DROPPED', query: name, qtype });
        clock.advanceMicros(DNS_US);
        record({ kind: 'dns', name, qtype, server, result: 'REFUSED', answers: [], verdict: v.reason });
        return { rcode: 'REFUSED', ips: [], viaProxy: true, external: false };
      }
      f.dns(this.src, dst, udp, { node: srcNode, type: 'REQUEST', verdict: 'FORWARDED', query: name, qtype });
    } else {
      if (firstOfSocket) this.allowedVerdicts(dst, udp, v, to, 'UDP', backend.port);
      this.packet(this.src, dst, udp, false, firstOfSocket ? 'NEW' : 'ESTABLISHED');
    }
    clock.advanceMicros(DNS_US);
    const a = this.answer(name, qtype);
    if (proxied) {
      f.dns(dst, this.src, reply, {
        node: srcNode, type: 'RESPONSE', verdict: 'FORWARDED', query: name, qtype, ips: a.ips,
        ttl: a.rcode === 'NXDOMAIN' ? NXDOMAIN_TTL : a.external ? EXTERNAL_TTL : CLUSTER_TTL, ...(a.rcode === 'NXDOMAIN' ? { rcode: 3 } : {}),
        ...(a.cnames ? { cnames: a.cnames } : {}),
      });
    } else {
      this.packet(dst, this.src, reply, true, 'REPLY');
    }
    clock.advanceMicros(HOP_US);
    record({ kind: 'dns', name, qtype, server, result: a.rcode, answers: a.ips });
    return { ...a, viaProxy: proxied };
  }

  // ---- connections ---------------------------------------------------------------------------

  /** Opens a connection (TCP, or a UDP datagram) to ip:port, sends the HTTP request if any, and closes it. */
  connect(ip: string, port: number, o: ConnectOptions = {}): Connection {
    const clock = this.state.clock;
    const start = clock.micros;
    const protocol = o.protocol ?? 'TCP';
    const sport = this.state.nextPort();
    const memo = o.memo;
    const kept = memo?.link as Link | undefined;
    // A line's Link is its origin's (the memo lives as long as the origin's source host): valid while it goes to the same place.
    // (`linkIp`: the address as the line gave it, mostly the very string given now: compared without reading either.)
    let link = kept !== undefined && memo!.linkIp === ip && kept.port === port && kept.protocol === protocol ? kept : this.link(ip, port, protocol);
    let target: Target | undefined = link;
    if (!link) {
      target = this.target(ip, port, protocol, sport, o);
      // The first connection to a pod's address makes it known as one (podsByIp): from then on, this one included, it has a Link.
      if (target) link = this.link(ip, port, protocol);
      if (link) target = link;
    }
    if (link) {
      this.state.flows.between(this.src, link.host, link.forward, link.backward);
      if (memo && link !== kept) {
        memo.link = link;
        memo.linkIp = ip;
      }
    }
    if (!target) {
      // A ClusterIP port the Service does not have, or a Service without backends: Cilium's socket LB refuses the connect().
      this.steps.push({ kind: 'connect', protocol, from: this.src.label, to: `${ip}:${port}`, port, result: 'refused', verdict: 'deny', reason: 'no backend for this Service port' });
      return { result: 'refused', ip, port, elapsedMs: 0 };
    }
    const http = o.http && !o.http.tls ? o.http : undefined;
    // The request matters only where a side sends the connection to its proxy: ask without it first (the engine's
    // allocation-free pod-to-pod path), and again with it when the answer says a proxy is involved.
    const paired = link && this.linkVerdict(link);
    let v = paired ?? this.verdict({ from: this.srcPeer, to: target.peer, protocol, port: target.port });
    if (http && (v.egressRedirect || v.ingressRedirect)) {
      v = this.verdict({ from: this.srcPeer, to: target.peer, protocol, port: target.port, http: { method: http.method, path: http.path, ...(http.host !== undefined ? { host: http.host } : {}), ...(http.headers ? { headers: http.headers } : {}) } });
    }
    // What a replay of this command would need (see {@link replayable}): a TCP connection over a Link, decided by the pair's verdict alone.
    this.connects++;
    this.paired = paired !== undefined && v === paired && protocol === 'TCP' && this.steps.length === 0 ? link : undefined;
    this.pairedSport = sport;
    this.pairedVerdict = v;

    if (v.verdict === 'deny' && v.deniedAt !== 'l7') {
      if (protocol === 'UDP') {
        this.deniedPacket(target.host, datagram(sport, target.port), v, true);
        this.connectStep(protocol, target, v, 'sent', link);
        return { result: 'sent', ip, port, elapsedMs: 0 };
      }
      const limit = Math.min(o.timeoutMs ?? SYN_GIVE_UP_MS, SYN_GIVE_UP_MS);
      const syn = segment(sport, target.port, FLAGS.SYN);
      for (const at of SYN_TIMES_MS) {
        if (at >= limit) break;
        clock.advanceMicros(start + at * 1000 - clock.micros);
        this.deniedPacket(target.host, syn, v, at === 0);
      }
      clock.advanceMicros(start + limit * 1000 - clock.micros);
      this.connectStep(protocol, target, v, 'timeout', link);
      return { result: 'timeout', ip, port, elapsedMs: (clock.micros - start) / 1000 };
    }

    if (protocol === 'UDP') {
      const t = datagram(sport, target.port);
      this.allowedVerdicts(target.host, t, v, target.peer, 'UDP', target.port);
      this.packet(this.src, target.host, t, false, 'NEW');
      this.connectStep(protocol, target, v, 'sent', link);
      return { result: 'sent', ip, port, elapsedMs: 0 };
    }
    const c: Conn = { target, sport, proxyAt: v.egressRedirect ? 'egress' : v.ingressRedirect ? 'ingress' : undefined, link };
    // The SYN's policy verdicts and its trace events describe one packet: one `l4` for all of them.
    const syn = this.tcp(c, FLAGS.SYN, false);
    this.allowedVerdicts(target.host, syn, v, target.peer, 'TCP', target.port);
    if (!target.listening && !c.proxyAt) {
      this.clientLeg(c, FLAGS.SYN, 'NEW', syn);
      this.serverLeg(c, FLAGS.RST_ACK);
      this.connectStep(protocol, target, v, 'refused', link);
      return { result: 'refused', ip, port, elapsedMs: (clock.micros - start) / 1000 };
    }
    this.clientLeg(c, FLAGS.SYN, 'NEW', syn);
    this.serverLeg(c, FLAGS.SYN_ACK);
    this.clientLeg(c, FLAGS.ACK, 'ESTABLISHED');
    this.connectStep(protocol, target, v, 'established', link);
    let response: Connection['response'];
    if (o.http) {
      this.clientLeg(c, FLAGS.ACK_PSH, 'ESTABLISHED');
      response = c.proxyAt && http ? this.throughProxy(c, v, o.http) : this.direct(c, o.http);
    }
    this.clientLeg(c, FLAGS.ACK_FIN, 'ESTABLISHED');
    this.serverLeg(c, FLAGS.ACK_FIN);
    this.clientLeg(c, FLAGS.ACK, 'ESTABLISHED');
    const elapsedMs = (clock.micros - start) / 1000;
    return response ? { result: 'established', ip, port, elapsedMs, response } : { result: 'established', ip, port, elapsedMs };
  }

  /** The connection's step (for `-o json` and scenarios). */
  private connectStep(protocol: 'TCP' | 'UDP', target: Target, v: Verdict, result: 'established' | 'timeout' | 'refused' | 'sent', link?: Link): void {
    if (link) {
      if (link.stepVerdict !== v || link.stepResult !== result) {
        // Verdicts are the engine's shared objects: the same one gives the same step.
        const steps = this.steps;
        const n = steps.length;
        this.connectStep(protocol, target, v, result);
        link.step = Object.freeze(steps[n]!);
        link.stepVerdict = v;
        link.stepResult = result;
        return;
      }
      this.steps.push(link.step!);
      return;
    }
    const to = `${target.host.label}:${target.port}`;
    if (!target.service && !v.deniedAt) {
      this.steps.push({ kind: 'connect', protocol, from: this.src.label, to, port: target.port, result, verdict: v.verdict, reason: v.reason });
      return;
    }
    const service = target.service ? `${target.service.namespace}/${target.service.name}` : undefined;
    this.steps.push({ kind: 'connect', protocol, from: this.src.label, to, port: target.port, ...(service ? { service } : {}), result, verdict: v.verdict, reason: v.reason, ...(v.deniedAt ? { deniedAt: v.deniedAt } : {}) });
  }

  private tcp(c: Conn, flags: TcpFlags, reverse: boolean): Transport {
    return reverse ? segment(c.target.port, c.sport, flags) : segment(c.sport, c.target.port, flags);
  }

  /** A packet of the client (`t`: its `l4`, when other events of it have one already): to the proxy that terminates the connection on the redirecting side, else to the server. */
  private clientLeg(c: Conn, flags: TcpFlags, reason: 'NEW' | 'ESTABLISHED', t: Transport = this.tcp(c, flags, false)): void {
    const host = c.target.host;
    if (!c.proxyAt) return this.packet(this.src, host, t, false, reason);
    const f = this.state.flows;
    const node = c.proxyAt === 'egress' ? this.src.node : host.node;
    if (c.proxyAt === 'ingress' && this.src.node !== host.node && this.src.pod) f.trace('TO_OVERLAY', this.src, host, t, this.src.node, false, 'EGRESS', reason);
    f.trace('TO_PROXY', this.src, host, t, node, false, c.proxyAt === 'egress' ? 'EGRESS' : 'INGRESS', reason);
    this.state.clock.advanceMicros(HOP_US);
  }

  private serverLeg(c: Conn, flags: TcpFlags): void {
    this.packet(c.target.host, this.src, this.tcp(c, flags, true), true, 'REPLY');
  }

  /** The request straight to the server (no proxy on the way). */
  private direct(c: Conn, req: NonNullable<ConnectOptions['http']>): NonNullable<Connection['response']> {
    this.state.clock.advanceMicros(SERVER_US);
    const link = c.link;
    if (link && link.request === req) {
      this.serverLeg(c, FLAGS.ACK_PSH);
      this.steps.push(link.httpStep!);
      return link.response!;
    }
    const response = delivered(this.respond(c.target, req));
    this.serverLeg(c, FLAGS.ACK_PSH);
    const step: Step = { kind: 'http', method: req.method, url: req.url, status: response.status, deniedByProxy: false };
    this.steps.push(step);
    // The same request to the same pod gets the same answer (responders are functions of server and request).
    if (link) {
      link.request = req;
      link.response = response;
      link.httpStep = Object.freeze(step);
    }
    return response;
  }

  /** The request through the proxy: its access log (http-request, http-response), and its own connection to the server when allowed. */
  private throughProxy(c: Conn, v: Verdict, req: NonNullable<ConnectOptions['http']>): NonNullable<Connection['response']> {
    const clock = this.state.clock;
    const f = this.state.flows;
    const host = c.target.host;
    const node = c.proxyAt === 'egress' ? this.src.node : host.node;
    const direction = c.proxyAt === 'egress' ? 'EGRESS' : 'INGRESS';
    const allowed = v.verdict === 'allow';
    const reqStart = clock.micros;
    f.http(this.src, host, segment(c.sport, c.target.port, undefined), { node, direction, type: 'REQUEST', verdict: allowed ? 'FORWARDED' : 'DROPPED', method: req.method, url: req.url });
    let response: NonNullable<Connection['response']>;
    if (allowed) {
      // The proxy's own connection to the server carries the request on.
      this.packet(this.src, host, this.tcp(c, FLAGS.SYN, false), false, 'NEW');
      this.packet(host, this.src, this.tcp(c, FLAGS.SYN_ACK, true), true, 'REPLY');
      this.packet(this.src, host, this.tcp(c, FLAGS.ACK_PSH, false), false, 'ESTABLISHED');
      clock.advanceMicros(SERVER_US);
      response = delivered(this.respond(c.target, req));
      this.packet(host, this.src, this.tcp(c, FLAGS.ACK_PSH, true), true, 'REPLY');
    } else {
      clock.advanceMicros(HOP_US);
      response = { status: 403, body: 'Access denied\r\n', headers: { 'content-type': 'text/plain' }, deniedByProxy: true };
    }
    f.http(host, this.src, segment(c.target.port, c.sport, undefined), {
      node, direction, type: 'RESPONSE', verdict: 'FORWARDED', method: req.method, url: req.url, code: response.status, latencyNs: (clock.micros - reqStart) * 1000,
    });
    this.steps.push({ kind: 'http', method: req.method, url: req.url, status: response.status, deniedByProxy: !allowed });
    // The proxy's response goes back to the client: delivered to its endpoint, or out through the stack to the world.
    if (this.src.pod) f.trace('TO_ENDPOINT', host, this.src, this.tcp(c, FLAGS.ACK_PSH, true), this.src.node, true, 'EGRESS', 'REPLY');
    else f.trace('TO_STACK', host, this.src, this.tcp(c, FLAGS.ACK_PSH, true), host.node, true, 'INGRESS', 'REPLY');
    return response;
  }

  /** Echo requests to an address: how many of `count` are answered. */
  ping(ip: string, count: number, intervalMs = 1000): { received: number; verdict?: Verdict; noReply: boolean } {
    const clock = this.state.clock;
    const target = this.target(ip, 0, 'ICMP', 0, {});
    const label = this.src.label;
    if (!target || target.service) {
      // A ClusterIP is a load-balancer frontend for its ports only: nothing answers an echo request.
      this.steps.push({ kind: 'connect', protocol: 'ICMP', from: label, to: ip, result: 'no-reply', verdict: 'allow', reason: 'a ClusterIP answers no ICMP' });
      clock.advanceMs(count * intervalMs);
      return { received: 0, noReply: true };
    }
    const v = this.verdict({ from: this.srcPeer, to: target.peer, protocol: 'ICMP', icmpType: 8 });
    const req: Transport = { protocol: 'ICMPv4', type: 8, code: 0 };
    const rep: Transport = { protocol: 'ICMPv4', type: 0, code: 0 };
    let received = 0;
    for (let i = 0; i < count; i++) {
      const t0 = clock.micros;
      if (v.verdict === 'deny') this.deniedPacket(target.host, req, v, i === 0);
      else {
        if (i === 0) this.allowedVerdicts(target.host, req, v, target.peer, 'ICMP', 8);
        this.packet(this.src, target.host, req, false, i === 0 ? 'NEW' : 'ESTABLISHED');
        this.packet(target.host, this.src, rep, true, 'REPLY');
        received++;
      }
      if (i < count - 1) clock.advanceMicros(t0 + intervalMs * 1000 - clock.micros);
    }
    this.steps.push({ kind: 'connect', protocol: 'ICMP', from: label, to: ip, result: received > 0 ? 'established' : 'timeout', verdict: v.verdict, reason: v.reason, ...(v.deniedAt ? { deniedAt: v.deniedAt } : {}) });
    return { received, verdict: v, noReply: false };
  }

  /** Round-trip time the virtual network shows for a packet (ms). */
  rttMs(ip: string): number {
    const pod = podIndex(this.state.cluster).byIp.get(ip);
    return pod && this.src.node && pod.nodeName !== this.src.node ? 0.412 : 0.071;
  }

  // ---- internals -----------------------------------------------------------------------------

  /** The source's {@link Link} to a pod's own address, made on first use; undefined for any other address. */
  private link(ip: string, port: number, protocol: 'TCP' | 'UDP' | 'ICMP'): Link | undefined {
    const src = this.src;
    let links = src.links as Map<string, Link> | undefined;
    const known = links?.get(ip);
    if (known && known.port === port && known.protocol === protocol) return known;
    const host = this.state.podsByIp.get(ip);
    if (!host) return undefined;
    const [forward, backward] = ipParts(src, host);
    const link: Link = { host, port, peer: host.peer!, listening: listens(host.pod, port, protocol), protocol, forward, backward };
    if (!links || links.size >= MAX_LINKS) src.links = links = new Map();
    links.set(ip, link);
    return link;
  }

  /** The engine's verdict on a link's pod-to-pod question without request, from the pods' ends the link keeps; undefined for anything else. */
  private linkVerdict(link: Link): Verdict | undefined {
    const from = this.srcPeer;
    const to = link.peer;
    if (from.kind !== 'pod' || to.kind !== 'pod') return undefined;
    const e = this.state.engine();
    if (!(e instanceof PolicyEngine)) return undefined;
    return e.pairVerdict((link.pair ??= e.podPair(from.pod, to.pod)), link.protocol, link.port);
  }

  private verdict(q: ConnectionQuery): Verdict {
    const v = this.state.engine().verdict(q);
    if (isProblem(v)) return { verdict: 'deny', reason: v.problem };
    return v;
  }

  /** Where a connection to ip:port really goes: a Service's chosen backend, a NodePort's, a pod, a node or the world. */
  private target(ip: string, port: number, protocol: 'TCP' | 'UDP' | 'ICMP', sport: number, o: ConnectOptions): Target | undefined {
    // Most connections go to a pod's own address: one lookup, once the address is known to be a pod's.
    const known = this.state.podsByIp.get(ip);
    if (known) return { host: known, port, peer: known.peer!, listening: listens(known.pod, port, protocol) };
    const cluster = this.state.cluster;
    const index = serviceIndex(cluster);
    let entry: ServiceEntry | undefined = index.byClusterIP(ip);
    let servicePort = port;
    if (!entry && protocol !== 'ICMP') {
      const np = index.byNodePort(ip, port, protocol);
      if (np) {
        entry = np.entry;
        servicePort = np.port.port;
      }
    }
    if (entry) {
      if (protocol === 'ICMP') return { host: this.ipHost(ip), port: 0, peer: { kind: 'ip', ip }, service: entry.service, listening: false };
      const sp = entry.ports.find((p) => p.port.port === servicePort && p.port.protocol === protocol);
      if (!sp || sp.backends.length === 0) return undefined;
      // The socket load balancer picks a backend per connection; polis picks by the source port, so runs repeat.
      const b = sp.backends[(fnv32a(`${this.src.ip}:${sport}`) >>> 0) % sp.backends.length]!;
      const host = b.pod && !b.pod.hostNetwork ? this.podHost(b.pod) : this.ipHost(b.ip);
      return { host, port: b.port, peer: b.pod ? { kind: 'pod', pod: b.pod } : { kind: 'ip', ip: b.ip }, service: entry.service, listening: listens(b.pod, b.port, protocol) };
    }
    const pod = podIndex(cluster).byIp.get(ip);
    if (pod) {
      const host = this.podHost(pod);
      // Not a node's address (where a NodePort could answer on another port): then no other port of it can be a Service's.
      if (!pod.hostNetwork && !cluster.nodes.some((n) => n.ip === ip)) this.state.podsByIp.set(ip, host);
      return { host, port, peer: host.peer!, listening: listens(pod, port, protocol) };
    }
    const external = o.resolved?.external === true && o.name !== undefined;
    const names = external && o.resolved?.viaProxy ? [o.resolved!.name.replace(/\.$/, '')] : undefined;
    const host = this.ipHost(ip, names);
    const peer: Peer = external ? { kind: 'fqdn', name: o.resolved!.name.replace(/\.$/, ''), ip } : { kind: 'ip', ip };
    return { host, port, peer, listening: true };
  }

  /** The policy-verdict events of an allowed first packet, on each side that enforces policy. */
  private allowedVerdicts(dst: Host, t: Transport, v: Verdict, to: Peer, protocol: 'TCP' | 'UDP' | 'ICMP', port: number): void {
    const f = this.state.flows;
    if (v.egressEnforced && v.egressMatch !== undefined && this.src.pod) {
      f.policyVerdict(this.src, dst, t, {
        node: this.src.node, direction: 'EGRESS', match: v.egressMatch, verdict: v.egressRedirect ? 'REDIRECTED' : 'FORWARDED', policies: this.policies(to, protocol, port, 'egress'),
      });
    }
    if (v.ingressEnforced && v.ingressMatch !== undefined && dst.pod) {
      f.policyVerdict(this.src, dst, t, {
        node: dst.node, direction: 'INGRESS', match: v.ingressMatch, verdict: v.ingressRedirect ? 'REDIRECTED' : 'FORWARDED', policies: this.policies(to, protocol, port, 'ingress'),
      });
    }
  }

  /** A packet the policy drops: the denying side's verdict event and the drop, on its node (after the packet crossed over). */
  private deniedPacket(dst: Host, t: Transport, v: Verdict, first: boolean): void {
    const f = this.state.flows;
    const at = v.deniedAt === 'ingress' ? 'INGRESS' : 'EGRESS';
    const reason = v.dropReason ?? 'POLICY_DENIED';
    const node = at === 'EGRESS' ? this.src.node : dst.node;
    if (at === 'INGRESS') {
      // The source's egress allowed it: its verdict comes first, on its node, for the connection's first packet.
      if (first && v.egressEnforced && v.egressMatch !== undefined && this.src.pod) f.policyVerdict(this.src, dst, t, { node: this.src.node, direction: 'EGRESS', match: v.egressMatch, verdict: 'FORWARDED' });
      if (this.src.pod && this.src.node !== dst.node) f.trace('TO_OVERLAY', this.src, dst, t, this.src.node, false, 'EGRESS', 'NEW');
    }
    const peerTo: Peer | undefined = dst.pod ? { kind: 'pod', pod: dst.pod } : undefined;
    const policies = reason === 'POLICY_DENY' && peerTo ? this.policies(peerTo, t.protocol === 'TCP' ? 'TCP' : t.protocol === 'ICMPv4' ? 'ICMP' : 'UDP', 'destinationPort' in t ? t.destinationPort : 8, at === 'EGRESS' ? 'egress' : 'ingress') : undefined;
    f.policyVerdict(this.src, dst, t, { node, direction: at, match: at === 'EGRESS' ? (v.egressMatch ?? 'none') : (v.ingressMatch ?? 'none'), verdict: 'DROPPED', dropReason: reason, ...(policies ? { policies } : {}) });
    f.drop(this.src, dst, t, { node, direction: at, reason });
    this.state.clock.advanceMicros(HOP_US);
  }

  /** A forwarded packet from `a` to `b`: `to-overlay` on a's node when it crosses nodes, `to-stack` when it leaves the cluster, `to-endpoint` where it arrives. */
  private packet(a: Host, b: Host, t: Transport, reply: boolean, reason: 'NEW' | 'ESTABLISHED' | 'REPLY'): void {
    const f = this.state.flows;
    // Events are stated relative to the endpoint that records them: the client's side is egress, the server's ingress.
    const clientSide: 'INGRESS' | 'EGRESS' = reply ? 'EGRESS' : 'INGRESS';
    if (a.pod && (!b.pod || a.node !== b.node)) {
      f.trace(b.node && b.pod ? 'TO_OVERLAY' : 'TO_STACK', a, b, t, a.node, reply, reply ? 'INGRESS' : 'EGRESS', reason);
    }
    if (b.pod) f.trace('TO_ENDPOINT', a, b, t, b.node, reply, clientSide, reason);
    this.state.clock.advanceMicros(HOP_US);
  }

  private respond(target: Target, req: HttpRequest & { url: string }): HttpResponse {
    const h = target.host;
    const host = req.host ?? h.ip;
    const server = h.pod ? { pod: h.pod, ip: h.ip, port: target.port, host } : { ip: h.ip, port: target.port, host };
    return this.state.respond(server, req) ?? defaultResponse(h.pod, h.ip, target.port, req);
  }

  /** The policies that decided one side, for `*_allowed_by` / `*_denied_by` (an `explain`, only when asked for). */
  private policies(to: Peer, protocol: 'TCP' | 'UDP' | 'ICMP', port: number, side: 'egress' | 'ingress'): Policy[] | undefined {
    if (!this.state.policyNames) return undefined;
    const q: ConnectionQuery = protocol === 'ICMP' ? { from: this.srcPeer, to, protocol: 'ICMP', icmpType: port } : { from: this.srcPeer, to, protocol, port };
    const e = this.state.engine().explain(q);
    if (isProblem(e)) return undefined;
    const s = side === 'egress' ? e.egress : e.ingress;
    if (!s) return undefined;
    const seen = new Set<string>();
    const out: Policy[] = [];
    for (const m of s.decidedBy) {
      const p = m.policy;
      if (!p) continue;
      const key = `${p.kind}/${p.namespace ?? ''}/${p.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        name: p.name, ...(p.namespace ? { namespace: p.namespace } : {}),
        labels: [`k8s:io.cilium.k8s.policy.derived-from=${p.kind}`, `k8s:io.cilium.k8s.policy.name=${p.name}`, ...(p.namespace ? [`k8s:io.cilium.k8s.policy.namespace=${p.namespace}`] : [])],
        revision: String(this.state.revision), kind: p.kind,
      });
    }
    return out;
  }

  // ---- hosts ---------------------------------------------------------------------------------

  private originHost(o: Origin): Host {
    switch (o.kind) {
      case 'pod':
        return o.pod.hostNetwork ? { ...this.ipHost(o.pod.ip, undefined, o.pod.nodeName), node: o.pod.nodeName } : this.podHost(o.pod);
      case 'world':
        return this.ipHost(o.ip);
      case 'node':
        return { ...this.ipHost(o.node.ip, undefined, o.node.name), node: o.node.name };
    }
  }

  podHost(pod: Pod): Host {
    let h = this.state.hosts.get(pod);
    if (!h) {
      const key = `pod:${pod.namespace}/${pod.name}`;
      const e = this.policyEngine;
      const id = e?.table.identityOfPod(pod);
      const endpoint: Endpoint = {
        id: 1 + (fnv32a(key) % 4000),
        identity: id ?? 0,
        clusterName: this.state.cluster.name,
        namespace: pod.namespace,
        labels: id !== undefined ? labelStrings(e!.table.labelsOf(id)) : [],
        podName: pod.name,
        ...(pod.owner.kind !== 'Pod' ? { workloads: [{ name: pod.owner.name, kind: pod.owner.kind }] } : {}),
      };
      h = { ip: pod.ip, endpoint, node: pod.nodeName, pod, label: `${pod.namespace}/${pod.name}`, peer: { kind: 'pod', pod }, links: undefined };
      this.state.hosts.set(pod, h);
    }
    return h;
  }

  /** `from`: the node the address is seen from (the source's; the origin's own node while the source is being described). */
  private ipHost(ip: string, names?: readonly string[], from: string | undefined = this.src?.node): Host {
    // A node's address is `host` on its own node and `remote-node` elsewhere: the key says from where.
    const key = `ip:${ip}:${names?.join(',') ?? ''}:${from ?? ''}`;
    let h = this.state.hosts.get(key);
    if (!h) {
      const node = this.state.cluster.nodes.find((n) => n.ip === ip);
      let id: IdentityId | undefined;
      if (node) id = node.name === from ? Reserved.host : node.controlPlane ? Reserved.kubeApiserver : Reserved.remoteNode;
      else id = this.policyEngine?.table.identityOf(ip) ?? Reserved.world;
      const labels = this.policyEngine?.table.labelsOf(id)?.toStrings() ?? [];
      h = { ip, endpoint: { identity: id, labels: longestCidrOnly(labels) }, label: ip, ...(node ? { node: node.name } : {}), ...(names?.length ? { names } : {}) };
      this.state.hosts.set(key, h);
    }
    return h;
  }
}

/** What resolving an address gives (itself, at once), remembered per text: commands name the same addresses again and again. */
const LITERALS = new Map<string, (Resolved & { readonly elapsedMs: number }) | null>();
export function addressLiteral(name: string): (Resolved & { readonly elapsedMs: number }) | null {
  let r = LITERALS.get(name);
  if (r === undefined) {
    // Names never start with a digit and a colon-free dotted quad is the common address: ask the full parser only then.
    r = (/^\d/.test(name) || name.includes(':')) && parseIp(name) ? Object.freeze({ ok: true, name, addresses: Object.freeze([name]), viaProxy: false, external: false, elapsedMs: 0 }) : null;
    if (LITERALS.size >= 65_536) LITERALS.clear();
    LITERALS.set(name, r);
  }
  return r;
}

/** Search candidates of a name in resolver order (ndots:5). */
export function candidatesOf(name: string, search: readonly string[]): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const expanded = search.map((d) => `${name}.${d}`);
  const dots = name.split('.').length - 1;
  return dots >= 5 ? [name, ...expanded] : [...expanded, name];
}

/** Whether a pod accepts connections on a port: any port when it declares none (many manifests leave them out), else a declared one. */
function listens(pod: Pod | undefined, port: number, protocol: 'TCP' | 'UDP' | 'ICMP'): boolean {
  if (!pod || protocol === 'ICMP' || pod.ports.length === 0) return true;
  for (const p of pod.ports) if (p.protocol === protocol && p.containerPort === port) return true;
  return false;
}

/**
 * An identity's labels as Hubble prints them, one array for all the pods that have it (endpoints are read only):
 * ten thousand pods would otherwise keep ten thousand copies of a few thousand lists.
 */
const LABEL_STRINGS = new WeakMap<LabelSet, string[]>();
function labelStrings(set: LabelSet | undefined): string[] {
  if (!set) return [];
  let strings = LABEL_STRINGS.get(set);
  if (!strings) LABEL_STRINGS.set(set, (strings = set.toStrings()));
  return strings;
}

/** Hubble keeps only the longest `cidr:` label of a local identity (`threefour/parser.go` filterCIDRLabels). */
function longestCidrOnly(labels: string[]): string[] {
  const cidrs = labels.filter((l) => l.startsWith('cidr:'));
  if (cidrs.length <= 1) return labels;
  const bits = (l: string) => Number(l.slice(l.lastIndexOf('/') + 1)) || 0;
  const best = cidrs.reduce((a, b) => (bits(b) > bits(a) ? b : a));
  return labels.filter((l) => !l.startsWith('cidr:') || l === best);
}

/** A server's response as the client gets it (no proxy denied it): remembered per response, as default responses are shared. */
const DELIVERED = new WeakMap<HttpResponse, HttpResponse & { readonly deniedByProxy: boolean }>();
function delivered(r: HttpResponse): HttpResponse & { readonly deniedByProxy: boolean } {
  let d = DELIVERED.get(r);
  if (!d) DELIVERED.set(r, (d = r.headers ? { status: r.status, body: r.body, headers: r.headers, deniedByProxy: false } : { status: r.status, body: r.body, deniedByProxy: false }));
  return d;
}

/** Default answers by pod object (a changed pod is a new object, so a relabelled pod answers anew), then by request. */
const DEFAULT_RESPONSES = new WeakMap<object, Map<string, HttpResponse>>();
const EXTERNAL = {};

/**
 * What a pod answers when nothing else says: a small JSON document naming
 * the server and echoing the request, from its labels and port, so output
 * shows who answered and is the same on every run.
 */
export function defaultResponse(pod: Pod | undefined, ip: string, port: number, req: HttpRequest): HttpResponse {
  // A command line's request (one object per line, see curl's plan) mostly goes to the same server: its last answer first.
  const last = LAST_DEFAULT.get(req);
  if (last && last.pod === pod && last.ip === ip && last.port === port) return last.response;
  const response = defaultResponseByKey(pod, ip, port, req);
  LAST_DEFAULT.set(req, { pod, ip, port, response });
  return response;
}

const LAST_DEFAULT = new WeakMap<HttpRequest, { readonly pod: Pod | undefined; readonly ip: string; readonly port: number; readonly response: HttpResponse }>();

function defaultResponseByKey(pod: Pod | undefined, ip: string, port: number, req: HttpRequest): HttpResponse {
  // The same pod asked the same thing answers the same bytes: built once (bounded, so random paths cannot grow it).
  let byRequest = DEFAULT_RESPONSES.get(pod ?? EXTERNAL);
  if (!byRequest) DEFAULT_RESPONSES.set(pod ?? EXTERNAL, (byRequest = new Map()));
  const key = `${pod ? '' : req.host ?? ip}|${ip}|${port}|${req.method}|${req.path}`;
  let r = byRequest.get(key);
  if (!r) {
    if (byRequest.size > 10_000) byRequest.clear();
    byRequest.set(key, (r = buildDefaultResponse(pod, ip, port, req)));
  }
  return r;
}

/** The headers of every default answer: one frozen object (thousands of pods answer). */
const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'application/json' });

function buildDefaultResponse(pod: Pod | undefined, ip: string, port: number, req: HttpRequest): HttpResponse {
  const doc: Record<string, unknown> = pod
    ? { pod: `${pod.namespace}/${pod.name}`, labels: pod.labels, port, method: req.method, path: req.path }
    : { host: req.host ?? ip, ip, port, method: req.method, path: req.path };
  return { status: 200, body: `${JSON.stringify(doc)}\n`, headers: JSON_HEADERS };
}
