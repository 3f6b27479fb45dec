/**
 * Filter tests: each case gives `hubble observe` flags and the ids of the
 * flows (below) it must keep. Semantics cite cilium/cilium
 * pkg/hubble/filters/*.go and hubble/cmd/observe/flows_filter.go (reference §5).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Flow } from '../flow.js';
import { buildFlowFilters, type FilterFlag } from './flags.js';
import { compileFlowFilters } from './compile.js';
import { compileFqdnPatterns } from './patterns.js';

const flows: Record<string, Flow> = {
  // default/xwing -> default/deathstar:80, TCP SYN, policy drop (no is_reply)
  drop: {
    verdict: 'DROPPED', dropReasonDesc: 'POLICY_DENIED', eventType: { type: 1, subType: 133 }, trafficDirection: 'INGRESS',
    ip: { source: '10.0.1.5', destination: '10.0.2.7', ipVersion: 'IPv4' },
    l4: { protocol: 'TCP', sourcePort: 44916, destinationPort: 80, flags: { SYN: true } },
    source: { identity: 22654, namespace: 'default', podName: 'xwing', labels: ['k8s:class=xwing', 'k8s:org=alliance'], workloads: [{ name: 'xwing', kind: 'Deployment' }] },
    destination: { identity: 16530, namespace: 'default', podName: 'deathstar-abc', labels: ['k8s:class=deathstar', 'k8s:org=empire'] },
    nodeName: 'kind-kind/kind-worker',
  },
  // kube-system/coredns reply to bookinfo/ratings, UDP 53, trace to-endpoint
  dnsReply: {
    verdict: 'FORWARDED', eventType: { type: 4, subType: 0 }, trafficDirection: 'EGRESS', isReply: true,
    ip: { source: '10.0.9.9', destination: '10.0.1.6', ipVersion: 'IPv4' },
    l4: { protocol: 'UDP', sourcePort: 53, destinationPort: 40000 },
    source: { identity: 48342, namespace: 'kube-system', podName: 'coredns-558bd', labels: ['k8s:k8s-app=kube-dns', 'k8s:io.kubernetes.pod.namespace=kube-system'] },
    destination: { identity: 16370, namespace: 'bookinfo', podName: 'ratings-v1', labels: ['k8s:app=ratings', 'k8s:version=v1'] },
    nodeName: 'kind-control-plane',
  },
  // HTTP GET response 503 from world
  http: {
    verdict: 'FORWARDED', eventType: { type: 129 }, type: 'L7', isReply: false, trafficDirection: 'EGRESS',
    ip: { source: 'fd00::5', destination: '2001:db8::1', ipVersion: 'IPv6' },
    l4: { protocol: 'TCP', sourcePort: 51000, destinationPort: 443 },
    source: { identity: 16781, namespace: 'istio-system', podName: 'prometheus-1', labels: ['k8s:app=prometheus'] },
    destination: { identity: 2, labels: ['reserved:world'] },
    destinationNames: ['api.github.com'],
    l7: { type: 'RESPONSE', record: { kind: 'http', code: 503, method: 'GET', url: 'https://api.github.com/repos/cilium/cilium?page=2', headers: [{ key: 'X-Id', value: '7' }] } },
    nodeName: 'gke-node-1',
  },
  // ICMP echo, host -> remote-node, policy verdict allowed
  icmp: {
    verdict: 'FORWARDED', eventType: { type: 5 }, trafficDirection: 'INGRESS', isReply: false, policyMatchType: 1,
    ip: { source: '10.244.0.148', destination: '10.244.1.204', ipVersion: 'IPv4' },
    l4: { protocol: 'ICMPv4', type: 8, code: 0 },
    source: { identity: 1, labels: ['reserved:host'] },
    destination: { identity: 6, labels: ['reserved:remote-node'] },
    sourceService: { name: 'kubernetes', namespace: 'default' },
  },
};

const ids = Object.keys(flows);
const f = (...pairs: [string, string][]): FilterFlag[] => pairs.map(([name, value]) => ({ name, value }));

function kept(flags: FilterFlag[]): string[] | string {
  const b = buildFlowFilters(flags);
  if (!b.ok) return b.error;
  const c = compileFlowFilters(b.filters);
  if (!c.ok) return c.error;
  return ids.filter((id) => c.match(flows[id] as Flow));
}

const cases: { name: string; flags: FilterFlag[]; keep: string[]; source: string }[] = [
  { name: 'no flags keep everything', flags: [], keep: ids, source: 'filters.go: empty whitelist matches all' },
  { name: '--pod is either direction (left/right)', flags: f(['pod', 'xwing']), keep: ['drop'], source: 'flows_filter.go "pod"; no slash = namespace default (k8s.ParseNamespaceName)' },
  { name: '--pod matches destination too', flags: f(['pod', 'default/death']), keep: ['drop'], source: 'k8s.go prefix match' },
  { name: '--from-pod does not match destination', flags: f(['from-pod', 'default/death']), keep: [], source: 'flows_filter.go "from-pod"' },
  { name: '--to-pod ns/ means the whole namespace', flags: f(['to-pod', 'bookinfo/']), keep: ['dnsReply'], source: 'observer.proto source_pod comment' },
  { name: 'values within one flag are ORed', flags: f(['from-pod', 'xwing'], ['from-pod', 'kube-system/']), keep: ['drop', 'dnsReply'], source: 'reference §5.1' },
  { name: 'different flags are ANDed', flags: f(['from-pod', 'kube-system/'], ['verdict', 'DROPPED']), keep: [], source: 'filters.go' },
  { name: '-n folds into pod filters, either side', flags: f(['namespace', 'bookinfo']), keep: ['dnsReply'], source: 'flows_filter.go namespaceModifier' },
  { name: '--pod with -n: the pod is looked up in that namespace', flags: f(['pod', 'xwing'], ['namespace', 'kube-system']), keep: [], source: 'flows_filter.go addNamespacesToFilter (pod and namespace do not conflict)' },
  { name: '--from-namespace with --from-pod gives ns/pod', flags: f(['from-namespace', 'bookinfo'], ['to-pod', 'ratings']), keep: [], source: 'flows_filter.go applySrc/applyDest' },
  { name: '--to-namespace with --to-pod gives ns/pod', flags: f(['to-namespace', 'bookinfo'], ['to-pod', 'ratings']), keep: ['dnsReply'], source: 'flows_filter.go applyDest' },
  { name: '--from-namespace with --from-label', flags: f(['from-namespace', 'kube-system'], ['from-label', 'k8s-app=kube-dns']), keep: ['dnsReply'], source: 'flows_filter.go' },
  { name: '--not negates the next flag only', flags: f(['not', ''], ['namespace', 'kube-system'], ['verdict', 'FORWARDED']), keep: ['http', 'icmp'], source: 'flows_filter.go Set("not")' },
  { name: '--label without source prefix matches any source', flags: f(['label', 'org=empire']), keep: ['drop'], source: 'labelparser.go any: prefix' },
  { name: '--label with k8s: prefix', flags: f(['from-label', 'k8s:app in (ratings, prometheus)']), keep: ['http'], source: 'labels.go, k8s selector in (...)' },
  { name: '--label reserved:world', flags: f(['to-label', 'reserved:world']), keep: ['http'], source: 'labels.go source prefixes' },
  { name: '--label !key', flags: f(['from-label', '!k8s:class']), keep: ['dnsReply', 'http', 'icmp'], source: 'k8s selector DoesNotExist' },
  { name: '--label key!=value (absent key matches)', flags: f(['from-label', 'class!=xwing']), keep: ['dnsReply', 'http', 'icmp'], source: 'k8s selector NotEquals' },
  { name: '--label with dotted key, no prefix', flags: f(['from-label', 'io.kubernetes.pod.namespace=kube-system']), keep: ['dnsReply'], source: 'labelparser.go' },
  { name: '--label reserved:host wrong source', flags: f(['from-label', 'k8s:host']), keep: [], source: 'LabelArray.Has source match' },
  { name: '--ip exact, either side', flags: f(['ip', '10.0.1.6']), keep: ['dnsReply'], source: 'ip.go' },
  { name: '--from-ip CIDR', flags: f(['from-ip', '10.0.0.0/16']), keep: ['drop', 'dnsReply'], source: 'ip.go CIDR' },
  { name: '--to-ip IPv6 CIDR', flags: f(['to-ip', '2001:db8::/32']), keep: ['http'], source: 'ip.go CIDR' },
  { name: '--identity reserved name', flags: f(['identity', 'remote-node']), keep: ['icmp'], source: 'identity.go parseIdentity' },
  { name: '--from-identity number', flags: f(['from-identity', '48342']), keep: ['dnsReply'], source: 'identity.go' },
  { name: '--to-fqdn glob', flags: f(['to-fqdn', '*.github.com']), keep: ['http'], source: 'patterns.go: * = [-.0-9a-z]*, anchored' },
  { name: '--fqdn glob is anchored', flags: f(['fqdn', 'github.com']), keep: [], source: 'patterns.go' },
  { name: '--fqdn trailing dot and case are ignored', flags: f(['fqdn', 'API.GitHub.com.']), keep: ['http'], source: 'patterns.go canonicalizeFQDNPattern' },
  { name: '--from-service', flags: f(['from-service', 'default/kubernetes']), keep: ['icmp'], source: 'k8s.go ServiceFilter' },
  { name: '--workload Kind/name', flags: f(['from-workload', 'Deployment/xwing']), keep: ['drop'], source: 'workload.go' },
  { name: '--workload wrong kind', flags: f(['workload', 'StatefulSet/xwing']), keep: [], source: 'workload.go' },
  { name: '--port either side', flags: f(['port', '53']), keep: ['dnsReply'], source: 'port.go' },
  { name: '--to-port', flags: f(['to-port', '80'], ['to-port', '443']), keep: ['drop', 'http'], source: 'port.go' },
  { name: '--port ignores ICMP', flags: f(['port', '0']), keep: [], source: 'port.go (TCP/UDP/SCTP only)' },
  { name: '--verdict', flags: f(['verdict', 'DROPPED']), keep: ['drop'], source: 'verdict.go' },
  { name: '--type trace:to-endpoint', flags: f(['type', 'trace:to-endpoint']), keep: ['dnsReply'], source: 'flows_filter.go "type" subtype names' },
  { name: '--type several are ORed', flags: f(['type', 'drop'], ['type', 'policy-verdict']), keep: ['drop', 'icmp'], source: 'event_type.go' },
  { name: '--type l7 by number', flags: f(['type', '129']), keep: ['http'], source: 'flows_filter.go numeric type' },
  { name: '--protocol is case-insensitive', flags: f(['protocol', 'UDP'], ['protocol', 'icmp']), keep: ['dnsReply', 'icmp'], source: 'protocol.go' },
  { name: '--protocol http tests l7', flags: f(['protocol', 'http']), keep: ['http'], source: 'protocol.go' },
  { name: '--traffic-direction', flags: f(['traffic-direction', 'ingress']), keep: ['drop', 'icmp'], source: 'traffic_direction.go' },
  { name: '--http-method case-insensitive', flags: f(['http-method', 'get']), keep: ['http'], source: 'http.go strings.EqualFold' },
  { name: '--http-path RE2 unanchored on the path only', flags: f(['http-path', 'cilium/c']), keep: ['http'], source: 'http.go url.ParseRequestURI(...).Path' },
  { name: '--http-path does not see the query', flags: f(['http-path', 'page=2']), keep: [], source: 'http.go' },
  { name: '--http-url sees the query', flags: f(['http-url', 'page=\\d']), keep: ['http'], source: 'http.go' },
  { name: '--http-status prefix', flags: f(['http-status', '5+']), keep: ['http'], source: 'http.go httpStatusCodePrefix' },
  { name: '--http-status exact miss', flags: f(['http-status', '404']), keep: [], source: 'http.go' },
  { name: '--http-header', flags: f(['http-header', 'X-Id:7']), keep: ['http'], source: 'httpheader.go' },
  { name: '--drop-reason-desc', flags: f(['drop-reason-desc', 'POLICY_DENIED']), keep: ['drop'], source: 'drop_reason_desc.go' },
  { name: '--node-name glob without cluster matches any cluster', flags: f(['node-name', 'kind-*']), keep: ['drop', 'dnsReply'], source: 'patterns.go appendNodeNamePatternRegexp' },
  { name: '--node-name cluster/node', flags: f(['node-name', 'kind-kind/']), keep: ['drop'], source: 'patterns.go, nodename.go default cluster' },
  { name: '--node-name default cluster', flags: f(['node-name', 'default/gke-*']), keep: ['http'], source: 'nodename.go default/ prefix' },
  { name: '--tcp-flags all flags of one entry', flags: f(['tcp-flags', 'syn']), keep: ['drop'], source: 'tcp.go' },
  { name: '--ipv6', flags: f(['ipv6', '']), keep: ['http'], source: 'flows_filter.go ipv6' },
];

describe('filters: flags -> kept flows', () => {
  for (const c of cases) {
    it(`${c.name} (${c.source})`, () => assert.deepEqual(kept(c.flags), c.keep));
  }
});

describe('filters: invalid values are clear errors', () => {
  const bad: [FilterFlag[], RegExp][] = [
    [f(['verdict', 'dropped']), /invalid --verdict value: dropped/],
    [f(['from-ip', '10.0.0.0/33']), /invalid CIDR in filter/],
    [f(['ip', '1.2.3']), /invalid IP address in filter/],
    [f(['http-path', '(']), /invalid http path filter: \(: error parsing regexp/],
    [f(['http-path', '(?=x)']), /invalid http path filter/],
    [f(['label', 'a in (']), /invalid source label filter/],
    [f(['port', '70000']), /invalid port/],
    [f(['protocol', 'quic']), /unknown protocol/],
    [f(['http-status', '600']), /invalid status code prefix/],
    [f(['type', 'drop'], ['http-status', '500']), /requires the event type filter to only match 'l7' events/],
    [f(['type', 'nope']), /unable to parse type 'nope'/],
    [f(['identity', 'cluster']), /invalid security identity/],
    [f(['traffic-direction', 'sideways']), /invalid traffic direction/],
    [f(['fqdn', 'a/b']), /invalid rune in pattern/],
    [f(['label', 'x'], ['from-label', 'y']), /filters --label and --from-label cannot be combined/],
    [f(['from-pod', 'x'], ['namespace', 'y']), /filters --from-pod and --namespace cannot be combined/],
    [f(['not', ''], ['not', '']), /consecutive --not/],
    [f(['pod', '']), /invalid pod filter/],
  ];
  for (const [flags, re] of bad) {
    it(flags.map((x) => `--${x.name} ${x.value}`).join(' '), () => {
      const r = kept(flags);
      assert.equal(typeof r, 'string');
      assert.match(r as string, re);
    });
  }
});

describe('filters: FlowFilter data as hubble builds it', () => {
  it('--pod a --verdict DROPPED gives a left/right pair (reference §5.1)', () => {
    const r = buildFlowFilters(f(['pod', 'a'], ['verdict', 'DROPPED']));
    assert.ok(r.ok);
    if (r.ok) assert.deepEqual(r.filters.whitelist, [{ sourcePod: ['a'], verdict: ['DROPPED'] }, { destinationPod: ['a'], verdict: ['DROPPED'] }]);
  });
  it('--verdict DROPPED --verdict ERROR collapses to one filter (export.rst)', () => {
    const r = buildFlowFilters(f(['verdict', 'DROPPED'], ['verdict', 'ERROR']));
    assert.ok(r.ok);
    if (r.ok) assert.deepEqual(r.filters.whitelist, [{ verdict: ['DROPPED', 'ERROR'] }]);
  });
  it('--not --namespace kube-system (export.rst)', () => {
    const r = buildFlowFilters(f(['not', ''], ['namespace', 'kube-system']));
    assert.ok(r.ok);
    if (r.ok) {
      assert.deepEqual(r.filters.whitelist, []);
      assert.deepEqual(r.filters.blacklist, [{ sourcePod: ['kube-system/'] }, { destinationPod: ['kube-system/'] }]);
    }
  });
  it('fqdn pattern compiles as patterns.go', () => {
    const re = compileFqdnPatterns(['*.cilium.io']);
    assert.ok(!('error' in re));
    if (!('error' in re)) {
      assert.equal(re.source, '(?:[-.0-9a-z]*\\.cilium\\.io)');
      assert.ok(re.test('docs.cilium.io'));
      assert.ok(!re.test('cilium.io.evil.com'));
      assert.ok(!re.test('Docs.cilium.io'), 'the name is not lower-cased, only the pattern (patterns.go)');
    }
  });
});

describe('filters: name patterns run in linear time (RE2, as Go does)', () => {
  // A backtracking RegExp took over a second at 26 characters and minutes at 40 (issue 8).
  const evil = '*a*a*a*a*a*a*a*a*a*a*a*a*b';
  it(`--fqdn ${evil} against a 40-character name answers in milliseconds`, () => {
    const re = compileFqdnPatterns([evil]);
    assert.ok(!('error' in re));
    if ('error' in re) return;
    const t0 = performance.now();
    assert.equal(re.test('a'.repeat(40)), false);
    assert.equal(re.test(`${'a'.repeat(39)}b`), true);
    assert.equal(re.test('a'.repeat(100_000)), false);
    const ms = performance.now() - t0;
    assert.ok(ms < 500, `took ${ms.toFixed(0)} ms`);
  });
  for (const [name, flag, flow] of [
    ['to-fqdn', 'to-fqdn', { destinationNames: ['a'.repeat(40)] }],
    ['from-fqdn', 'from-fqdn', { sourceNames: ['a'.repeat(40)] }],
    ['fqdn', 'fqdn', { destinationNames: ['a'.repeat(40)] }],
    ['node-name', 'node-name', { nodeName: `${'a'.repeat(40)}/${'a'.repeat(40)}` }],
  ] as const) {
    it(`--${name} ${evil} filters a flow with a 40-character name in milliseconds`, () => {
      const b = buildFlowFilters(f([flag, flag === 'node-name' ? `${evil}/${evil}` : evil]));
      assert.ok(b.ok);
      if (!b.ok) return;
      const c = compileFlowFilters(b.filters);
      assert.ok(c.ok);
      if (!c.ok) return;
      const t0 = performance.now();
      assert.equal(c.match(flow as Flow), false);
      const ms = performance.now() - t0;
      assert.ok(ms < 500, `took ${ms.toFixed(0)} ms`);
    });
  }
});
