/**
 * Conformance: a sample of the cases the cyclonus generator produces
 * (mattfenwick/cyclonus pkg/generator, the generator the Kubernetes
 * network-policy-api "policy-assistant" grew from; SIG Network runs it against
 * CNIs, Cilium among them). Each row is one generated case, named by its
 * generator function and tags, applied to the same 3x3 cluster as
 * netpol-e2e.test.ts (pods `pod: a|b|c`, ports 80 and 81 on TCP, UDP and SCTP,
 * namespaces labelled `ns: x|y|z` as cyclonus labels them) and probed on every
 * (port, protocol) the model serves, as cyclonus's `ProbeAllAvailable` does.
 *
 * Sources read (blob commits of mattfenwick/cyclonus):
 * - netpol.go @2858a9aa `baseTestPolicy`: in x, target `pod: a`; ingress TCP/80
 *   from pods In(b, c) in namespaces In(x, y); egress TCP/80 to pods In(a, b)
 *   in namespaces In(y, z), plus AllowDNSRule (UDP/53 to anywhere);
 * - fragments.go @0291ce08 (the selectors), constants.go @03af6fd3;
 * - targetcases.go @03af6fd3 `TargetTestCases`, peerscases.go @06e50d9a
 *   `PeersTestCases`, portprotocolcases.go @03af6fd3 `PortProtocolTestCases`.
 *
 * Cyclonus computes its expected tables with its own matcher; these rows
 * write them out from the NetworkPolicy API definition (networking/v1
 * types.go: an empty or missing `from`/`to`/`ports` matches all; a missing
 * protocol is TCP; a named port is looked up by name and protocol on the
 * destination pod), one (peer set, port predicate) per direction. The
 * ipBlock cases of PeersTestCases are left out: their CIDR holds pod IPs,
 * which Cilium never selects (cilium/cilium#9209), the difference
 * netpol-e2e.test.ts already asserts on the three upstream CIDR tests.
 */
import { describe, test } from 'node:test';
import { ALL_PODS, NS_BASES, type NsBase, type PodKey, type Protocol, type Reachability } from './netpol-model.js';
import { runCase, type Case, type NetpolPeer, type NetpolPort, type NetworkPolicy, type Selector } from './netpol-harness.js';

// --- the generator's fragments (fragments.go) ---

const nilSelector = undefined;
const emptySelector: Selector = {};
const podIs = (p: string): Selector => ({ matchLabels: { pod: p } });
const podIn = (...p: string[]): Selector => ({ matchExpressions: [{ key: 'pod', operator: 'In', values: p }] });
const nsXMatchLabels: Selector = { matchLabels: { ns: 'x' } };
const nsIn = (...n: NsBase[]): Selector => ({ matchExpressions: [{ key: 'ns', operator: 'In', values: n }] });

const BASE_INGRESS_PEERS: NetpolPeer[] = [{ podSelector: podIn('b', 'c'), namespaceSelector: nsIn('x', 'y') }];
const BASE_EGRESS_PEERS: NetpolPeer[] = [{ podSelector: podIn('a', 'b'), namespaceSelector: nsIn('y', 'z') }];
const BASE_PORTS: NetpolPort[] = [{ port: 80, protocol: 'TCP' }];
const ALLOW_DNS_RULE = { ports: [{ protocol: 'UDP' as const, port: 53 }] };

interface Variation {
  ns?: NsBase;
  podSelector?: Selector;
  ingressPeers?: NetpolPeer[];
  ingressPorts?: NetpolPort[];
  egressPeers?: NetpolPeer[];
  egressPorts?: NetpolPort[];
}

/** BuildPolicy(setters...) on baseTestPolicy (netpol.go): both directions, the DNS rule second on egress. */
function buildPolicy(v: Variation): NetworkPolicy {
  return {
    name: 'base',
    spec: {
      podSelector: v.podSelector ?? podIs('a'),
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ ports: v.ingressPorts ?? BASE_PORTS, from: v.ingressPeers ?? BASE_INGRESS_PEERS }],
      egress: [{ ports: v.egressPorts ?? BASE_PORTS, to: v.egressPeers ?? BASE_EGRESS_PEERS }, ALLOW_DNS_RULE],
    },
  };
}

// --- the expected table, written from the API definition ---

interface Probe { port: number; protocol: Protocol }
const PROBES: Probe[] = [80, 81].flatMap((port) => (['TCP', 'UDP', 'SCTP'] as const).map((protocol) => ({ port, protocol })));

const pods = (spec: string): PodKey[] => spec.split(' ') as PodKey[];
const inNs = (...n: NsBase[]): PodKey[] => ALL_PODS.filter((k) => n.includes(k.split('/')[0] as NsBase));
const podNamed = (...p: string[]): PodKey[] => ALL_PODS.filter((k) => p.includes(k.split('/')[1]!));

/**
 * Whether one NetworkPolicyPort list admits a probe (types.go NetworkPolicyPort): an empty
 * list admits all; protocol defaults to TCP; no port means every port of the protocol; a
 * named port is the destination's container port of that name AND protocol (the model
 * names them `serve-PORT-PROTO`, so `serve-81-tcp` with protocol UDP names no port).
 */
function portsAdmit(ports: NetpolPort[], p: Probe): boolean {
  if (ports.length === 0) return true;
  return ports.some((np) => {
    const protocol = np.protocol ?? 'TCP';
    if (protocol !== p.protocol) return false;
    if (np.port === undefined) return true;
    if (typeof np.port === 'number') return np.port === p.port;
    return np.port === `serve-${p.port}-${p.protocol.toLowerCase()}`;
  });
}

interface Row {
  /** The generator function and the tags it gives the case (tags.go). */
  name: string;
  variation: Variation;
  /** The pods the policy selects. */
  targets: PodKey[];
  /** The peers each direction's first rule selects (the base sets unless the row changes them). */
  ingressPeers?: PodKey[];
  egressPeers?: PodKey[];
}

const BASE_IN = pods('x/b x/c y/b y/c');
const BASE_OUT = pods('y/a y/b z/a z/b');

function expectRow(row: Row, p: Probe, r: Reachability): void {
  const inPorts = row.variation.ingressPorts ?? BASE_PORTS;
  const outPorts = row.variation.egressPorts ?? BASE_PORTS;
  const ingressPeers = row.ingressPeers ?? BASE_IN;
  const egressPeers = row.egressPeers ?? BASE_OUT;
  for (const from of ALL_PODS) {
    for (const to of ALL_PODS) {
      let ok = true;
      // The DNS rule (UDP/53) never admits a probe of the model, which serves 80 and 81 only.
      if (row.targets.includes(from)) ok &&= egressPeers.includes(to) && portsAdmit(outPorts, p);
      if (row.targets.includes(to)) ok &&= ingressPeers.includes(from) && portsAdmit(inPorts, p);
      r.expect(from, to, ok);
    }
  }
}

// --- the sampled cases ---

const rows: Row[] = [];

// TargetTestCases: the policy's namespace, then its pod selector.
for (const ns of NS_BASES) rows.push({ name: `TargetTestCases: set namespace to ${ns} [target-namespace]`, variation: { ns }, targets: [`${ns}/a`] });
rows.push(
  { name: 'TargetTestCases: set pod selector to {} [target-pod-selector]', variation: { podSelector: emptySelector }, targets: inNs('x') },
  { name: 'TargetTestCases: set pod selector to pod=a [target-pod-selector]', variation: { podSelector: podIs('a') }, targets: pods('x/a') },
  { name: 'TargetTestCases: set pod selector to pod in (a, b) [target-pod-selector]', variation: { podSelector: podIn('a', 'b') }, targets: pods('x/a x/b') },
);

// PeersTestCases (the ipBlock pair left out, see the module comment).
const PEERS: { tags: string; peers: NetpolPeer[]; selects: PodKey[] }[] = [
  { tags: 'empty-peer-slice', peers: [], selects: [...ALL_PODS] },
  { tags: 'all-pods, policy-namespace', peers: [{ podSelector: emptySelector, namespaceSelector: nilSelector }], selects: inNs('x') },
  { tags: 'all-pods, namespaces-by-label', peers: [{ podSelector: emptySelector, namespaceSelector: nsXMatchLabels }], selects: inNs('x') },
  { tags: 'all-pods, all-namespaces', peers: [{ podSelector: emptySelector, namespaceSelector: emptySelector }], selects: [...ALL_PODS] },
  { tags: 'pods-by-label, policy-namespace', peers: [{ podSelector: podIs('c'), namespaceSelector: nilSelector }], selects: pods('x/c') },
  { tags: 'pods-by-label, namespaces-by-label', peers: [{ podSelector: podIs('c'), namespaceSelector: nsXMatchLabels }], selects: pods('x/c') },
  { tags: 'pods-by-label, all-namespaces', peers: [{ podSelector: podIs('c'), namespaceSelector: emptySelector }], selects: podNamed('c') },
];
for (const isIngress of [true, false]) {
  const dir = isIngress ? 'ingress' : 'egress';
  for (const { tags, peers, selects } of PEERS) {
    rows.push(isIngress
      ? { name: `PeersTestCases [${dir}, ${tags}]`, variation: { ingressPeers: peers }, targets: pods('x/a'), ingressPeers: selects }
      : { name: `PeersTestCases [${dir}, ${tags}]`, variation: { egressPeers: peers }, targets: pods('x/a'), egressPeers: selects });
  }
}

// PortProtocolTestCases: zero ports, every single port, and a sample of the pairs.
/** networkPolicyPorts(): protocol {nil, TCP, UDP, SCTP} x port {nil, 81, serve-81-tcp}. */
const NPPS: NetpolPort[] = [undefined, 'TCP', 'UDP', 'SCTP'].flatMap((protocol) => [undefined, 81, 'serve-81-tcp'].map((port) => ({
  ...(protocol ? { protocol: protocol as Protocol } : {}), ...(port !== undefined ? { port } : {}),
})));
const describePort = (np: NetpolPort): string => `${np.port === undefined ? 'nil-port' : typeof np.port === 'number' ? 'numbered-port' : 'named-port'}, ${np.protocol ? `${np.protocol.toLowerCase()}-protocol` : 'nil-protocol'} (${JSON.stringify(np)})`;
const withPorts = (isIngress: boolean, ports: NetpolPort[]): Variation => (isIngress ? { ingressPorts: ports } : { egressPorts: ports });
for (const isIngress of [false, true]) {
  const dir = isIngress ? 'ingress' : 'egress';
  rows.push({ name: `ZeroPortProtocolTestCases [${dir}, empty-port-slice]`, variation: withPorts(isIngress, []), targets: pods('x/a') });
  for (const np of NPPS) rows.push({ name: `SinglePortProtocolTestCases [${dir}, single-port-slice, ${describePort(np)}]`, variation: withPorts(isIngress, [np]), targets: pods('x/a') });
  // TwoPortProtocolTestCases has 66 pairs a direction; every 11th (i < j as the generator orders them).
  let k = 0;
  for (let i = 0; i < NPPS.length; i++) {
    for (let j = i + 1; j < NPPS.length; j++, k++) {
      if (k % 11 !== 0) continue;
      rows.push({ name: `TwoPortProtocolTestCases #${k} [${dir}, two-plus-port-slice, ${describePort(NPPS[i]!)} + ${describePort(NPPS[j]!)}]`, variation: withPorts(isIngress, [NPPS[i]!, NPPS[j]!]), targets: pods('x/a') });
    }
  }
}

function toCase(row: Row): Case {
  return {
    context: 'cyclonus', it: row.name, protocols: ['TCP', 'UDP', 'SCTP'], ports: [80, 81],
    namespaceLabels: { x: { ns: 'x' }, y: { ns: 'y' }, z: { ns: 'z' } },
    steps: [{
      create: [{ ns: row.variation.ns ?? 'x', policy: buildPolicy(row.variation) }],
      validate: PROBES.map((p) => ({ ...p, expect: (r: Reachability) => expectRow(row, p, r) })),
    }],
  };
}

describe('conformance: cyclonus generated cases (mattfenwick/cyclonus pkg/generator)', () => {
  for (const row of rows) test(row.name, () => runCase(toCase(row)));
});
