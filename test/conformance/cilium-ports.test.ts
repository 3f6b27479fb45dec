/**
 * Conformance: what Cilium accepts and refuses in `toPorts`, `icmps`, CIDR
 * and DNS-rule fields, and what the accepted edge cases allow, read from the
 * cilium/cilium source (Apache-2.0; rows re-typed as CiliumNetworkPolicy YAML,
 * no code vendored):
 * - pkg/policy/api/rule_validation.go, blob id 45615333693 of the search index
 *   (the `Validate` of main after 1.18; its port, L7, ICMP and CIDR checks are
 *   the 1.18 `Sanitize` ones less VRRP/IGMP): `PortRule.Validate` runs the
 *   TCP-only, port-0, listener and SNI checks only where `!pr.Rules.IsEmpty()`;
 *   `PortProtocol.Validate`: `iana.IsSvcName` first, then
 *   `strconv.ParseUint(port, 0, 16)`; `countL7Rules` (DNS, HTTP, Kafka);
 * - pkg/policy/api/l4.go, blob id 42002502: `L7Rules.IsEmpty` counts the http,
 *   kafka, dns and l7 lists, never `l7proto`; the CRD markers of `port`
 *   (one-side-anchored pattern), `endPort` (0..65535) and `protocol`
 *   (`Enum=TCP;UDP;SCTP;ANY`, case-sensitive at the API server);
 * - pkg/policy/api/http.go, blob id 6261429782: `PortRuleHTTP.Sanitize` checks
 *   headerMatches (name, mismatch action, secret name), and "Headers are not
 *   sanitized"; an empty header name is refused one step later, by Envoy (the
 *   rows say where);
 * - pkg/policy/api/fqdn.go, blob id 124660976 (1.18 line): `PortRuleDNS.Sanitize`
 *   checks each field alone and, unlike `FQDNSelector.sanitize`, does not refuse
 *   matchName and matchPattern together;
 * - pkg/fqdn/dnsproxy/proxy.go `GeneratePattern` (blob ids 8018585339, 267939939):
 *   the proxy ORs one alternative per non-empty matchName / matchPattern;
 * - pkg/policy/rule.go `mergeIngress`/`mergeEgress` (blob id 409385045):
 *   L3-only when `toPorts.Len() == 0 && icmp.Len() == 0`, and one L4 filter per
 *   entry of a port rule's `ports` (`for _, p := range r.GetPortProtocols()`);
 * - a named port with endPort (semantics.md §10 item 10), read at v1.17 (cilium
 *   6db21de, vendored by cilium/cilium-cli 7a84943d4) and v1.18.0-pre.3 (cilium-cli
 *   6e65fa094, pkg/policy/l4.go git blob dd648b4b): `createL4Filter` keeps
 *   `EndPort: uint16(port.EndPort)` beside `PortName`, and `toMapState` resolves
 *   the name (`GetNamedPort`; an unknown name adds nothing) and then keys
 *   `PortRangeToMaskedPorts(port, l4.EndPort)` (portrange.go: `end <= start` is
 *   the single port). `PortProtocol.sanitize` checks nothing for a name. The docs'
 *   copy of the struct (language.rst, "EndPort is ignored if Port is a named port",
 *   search-index blobs 22028395622, 128344805) is not what the code does;
 * - HTTP `path` and the query string (semantics.md §10 item 3):
 *   pkg/envoy/policy/envoy_l7_rules_translator.go `getHTTPRule` (1.18.0-pre.3 git
 *   blob 38d3abd3) makes `path` a HeaderMatcher on `:path` with a safe_regex
 *   StringMatcher; cilium/proxy cilium/network_policy.cc `HttpNetworkPolicyRule::allowed`
 *   (at fb67566c, envoy 1.31.3, and b8019939, envoy 1.33.3: the proxy commits Cilium
 *   1.17 and 1.18 pin) is `Http::HeaderUtility::matchHeaders(headers, headers_)`
 *   over the request headers, which reads `:path` as sent — path and query (envoy
 *   source/common/http/header_utility.cc, blob 1691264911; Envoy's PathMatcher docs:
 *   only PathMatcher strips "the query and fragment string" from the `:path` header).
 *
 * Verdict rows go through the use cases the CLI calls (checkConnection,
 * explainConnection) and the rule-by-rule reference evaluator, which must agree.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadWorkspace } from '../../src/workspace/load.js';
import { explainConnection } from '../../src/usecases/index.js';
import { allowedAll, loadWorld, type World } from './three-ways.js';

// --- what the API server and the agent accept ---

interface Row { row: string; body: string; accepted: boolean; why: string }

const ports = (list: string, rules = '') => `ingress:\n  - toPorts: [{ports: [${list}]${rules ? `, rules: ${rules}` : ''}}]`;
const dns = (list: string, sel = '{matchName: a.com}') => `egress:\n  - toPorts: [{ports: [${list}], rules: {dns: [${sel}]}}]`;
const header = (m: string) => ports('{port: "80", protocol: TCP}', `{http: [{headerMatches: [${m}]}]}`);
const headers = (list: string) => ports('{port: "80", protocol: TCP}', `{http: [{headers: [${list}]}]}`);

const ROWS: readonly Row[] = [
  // PortProtocol.Validate: names first (IsSvcName), then ParseUint base 0.
  { row: 'port "010" (base 0: octal 8)', body: ports('{port: "010", protocol: TCP}'), accepted: true, why: 'ParseUint(port, 0, 16)' },
  { row: 'port "8_0" (Go digit separator: 80)', body: ports('{port: "8_0", protocol: TCP}'), accepted: true, why: 'ParseUint(port, 0, 16)' },
  { row: 'port "0x50" is a port name, not 80', body: ports('{port: "0x50", protocol: TCP}'), accepted: true, why: 'IsSvcName: has a letter' },
  { row: 'port name of 15 characters', body: ports('{port: "abcdefghijklmno", protocol: TCP}'), accepted: true, why: 'IsSvcName: 1..15 characters' },
  { row: 'port name in upper case', body: ports('{port: "HTTP", protocol: TCP}'), accepted: true, why: 'IsSvcName, then lower-cased' },
  { row: 'port name of 16 characters', body: ports('{port: "abcdefghijklmnop", protocol: TCP}'), accepted: false, why: 'not a name, and ParseUint fails' },
  { row: 'port name with a double dash', body: ports('{port: "my--port", protocol: TCP}'), accepted: false, why: 'not a name, and ParseUint fails' },
  { row: 'port name ending in a dash', body: ports('{port: "http-", protocol: TCP}'), accepted: false, why: 'not a name, and ParseUint fails' },
  { row: 'port "99999"', body: ports('{port: "99999", protocol: TCP}'), accepted: false, why: 'ParseUint: out of 16 bits' },
  { row: 'port "-1"', body: ports('{port: "-1", protocol: TCP}'), accepted: false, why: 'ParseUint: invalid syntax' },
  { row: 'no port', body: ports('{protocol: TCP}'), accepted: false, why: '"port must be specified"' },
  { row: 'endPort below port (the single port)', body: ports('{port: "80", endPort: 70, protocol: TCP}'), accepted: true, why: 'no check; PortRangeToMaskedPorts' },
  { row: 'endPort -1', body: ports('{port: "80", endPort: -1, protocol: TCP}'), accepted: false, why: 'CRD Minimum=0' },
  { row: 'endPort 70000', body: ports('{port: "80", endPort: 70000, protocol: TCP}'), accepted: false, why: 'CRD Maximum=65535' },
  { row: 'protocol "tcp" (lower case)', body: ports('{port: "80", protocol: tcp}'), accepted: false, why: 'CRD Enum=TCP;UDP;SCTP;ANY (the agent would upper-case it, the API server refuses first)' },
  { row: 'protocol ICMP in toPorts', body: ports('{port: "8", protocol: ICMP}'), accepted: false, why: 'CRD Enum=TCP;UDP;SCTP;ANY: ICMP goes in icmps' },
  // DNS rules: ranges refused only on a numeric port above which endPort reaches.
  { row: 'DNS rule, endPort equal to port', body: dns('{port: "53", endPort: 53, protocol: UDP}'), accepted: true, why: '`hasDNSRules && EndPort > p` is false' },
  { row: 'DNS rule, endPort below port', body: dns('{port: "53", endPort: 50, protocol: UDP}'), accepted: true, why: '`hasDNSRules && EndPort > p` is false' },
  { row: 'DNS rule on a named port with endPort', body: dns('{port: "dns", endPort: 60, protocol: UDP}'), accepted: true, why: 'the range check is on the numeric branch only' },
  { row: 'named port with endPort', body: ports('{port: "http", endPort: 8090, protocol: TCP}'), accepted: true, why: 'PortProtocol.sanitize checks no range on a name' },
  { row: 'DNS rule, endPort above port', body: dns('{port: "53", endPort: 54, protocol: UDP}'), accepted: false, why: '"DNS rules do not support port ranges"' },
  { row: 'DNS rule on port 0', body: dns('{port: "0", protocol: UDP}'), accepted: false, why: '"L7 rules can not be used when a port is 0"' },
  // The agent's PortRuleDNS.Sanitize checks each field alone, but the API server refuses first: FQDNSelector's two
  // fields carry +kubebuilder:validation:OneOf in 1.17 and 1.18.0-pre.3 (pkg/policy/api/fqdn.go as vendored by
  // cilium-cli 7a84943d4 / 6e65fa094), rendered on rules.dns items too (PortRuleDNS is `type PortRuleDNS FQDNSelector`)
  // as `oneOf: [{required: [matchName]}, {required: [matchPattern]}]` (ciliumnetworkpolicies.yaml, index id 59368307855).
  { row: 'DNS rule with matchName and matchPattern', body: dns('{port: "53", protocol: UDP}', '{matchName: a.com, matchPattern: "*.b.com"}'), accepted: false, why: 'CRD oneOf: exactly one field' },
  { row: 'DNS rule with neither field', body: dns('{port: "53", protocol: UDP}', '{}'), accepted: false, why: 'CRD oneOf: exactly one field' },
  // L7Rules' http, kafka, dns and l7proto carry the same marker (l4.go at both commits): exactly one is written.
  { row: 'rules: {} (none of http, kafka, dns, l7proto)', body: ports('{port: "80", protocol: TCP}', '{}'), accepted: false, why: 'CRD oneOf over the L7 union' },
  { row: 'rules with http: [] and dns', body: ports('{port: "53", protocol: UDP}', '{http: [], dns: [{matchName: a.com}]}'), accepted: false, why: 'CRD oneOf: an empty list is written too' },
  { row: 'rules: {http: []} alone', body: ports('{port: "80", protocol: TCP}', '{http: []}'), accepted: true, why: 'CRD oneOf: exactly one written' },
  { row: 'DNS rule with an invalid matchName beside a matchPattern', body: dns('{port: "53", protocol: UDP}', '{matchName: "a{1}.com", matchPattern: "*.b.com"}'), accepted: false, why: '"Invalid characters in MatchName"' },
  // L7 checks happen only where !Rules.IsEmpty(); l7proto alone is empty.
  { row: 'l7proto alone on a UDP port', body: ports('{port: "80", protocol: UDP}', '{l7proto: tester}'), accepted: true, why: 'IsEmpty ignores l7proto, so no TCP-only check' },
  { row: 'l7proto alone on port 0', body: ports('{port: "0", protocol: TCP}', '{l7proto: tester}'), accepted: true, why: 'IsEmpty ignores l7proto, so no port-0 check' },
  { row: 'l7proto with l7 rules on a UDP port', body: ports('{port: "80", protocol: UDP}', '{l7proto: tester, l7: [{method: GET}]}'), accepted: false, why: '"L7 rules can only apply to TCP (not UDP)"' },
  { row: 'Kafka on a UDP port', body: ports('{port: "9092", protocol: UDP}', '{kafka: [{topic: a}]}'), accepted: false, why: '"L7 rules can only apply to TCP (not UDP)"' },
  { row: 'HTTP on a port without protocol (ANY)', body: ports('{port: "80"}', '{http: [{}]}'), accepted: false, why: '"L7 rules can only apply to TCP (not ANY)"' },
  // Port rules without ports are accepted (and allow nothing; see the verdicts below).
  { row: 'toPorts: [{}]', body: 'ingress:\n  - toPorts: [{}]', accepted: true, why: 'no check needs a port' },
  { row: 'HTTP rules without ports', body: 'ingress:\n  - toPorts: [{rules: {http: [{method: GET}]}}]', accepted: true, why: 'only DNS needs ports' },
  // PortRuleHTTP.Sanitize: headerMatches.
  { row: 'headerMatches without a name', body: header('{name: "", value: x}'), accepted: false, why: '"Header name missing"' },
  { row: 'headerMatches with mismatch FOO', body: header('{name: a, mismatch: FOO}'), accepted: false, why: '"Invalid header action: FOO"' },
  { row: 'headerMatches with an unnamed secret', body: header('{name: a, secret: {name: ""}}'), accepted: false, why: '"Secret name missing"' },
  { row: 'headerMatches with mismatch LOG', body: header('{name: a, value: b, mismatch: LOG}'), accepted: true, why: 'a known action' },
  // headers: not sanitized by the agent; getHTTPRule splits each on its first space (name, exact value) and Envoy's
  // HeaderMatcher.name has min_len 1 (envoy route_components.proto, blob id 398738218), so an empty name makes the
  // NPDS update fail in cilium-envoy (NetworkPolicyMap onConfigUpdate: MessageUtil::validate).
  { row: 'headers [""]', body: headers('""'), accepted: false, why: 'empty Envoy header name' },
  { row: 'headers ["  "]', body: headers('"  "'), accepted: false, why: 'empty Envoy header name' },
  { row: 'headers [" X-Key"] (leading space)', body: headers('" X-Key"'), accepted: false, why: 'SplitN gives an empty name' },
  { row: 'headers [": x"]', body: headers('": x"'), accepted: false, why: 'TrimRight(":") leaves an empty name' },
  { row: 'headers ["X-Key"]', body: headers('"X-Key"'), accepted: true, why: 'presence match' },
  { row: 'headers ["X-Key: true"]', body: headers('"X-Key: true"'), accepted: true, why: 'name X-Key, exact value true' },
  // Host policies: countL7Rules counts DNS, HTTP and Kafka of non-empty rules.
  { row: 'host policy, l7proto alone on ingress', body: 'ingress:\n  - toPorts: [{ports: [{port: "80", protocol: TCP}], rules: {l7proto: tester}}]', accepted: true, why: 'IsEmpty: countL7Rules counts nothing' },
  { row: 'host policy, Kafka on egress', body: 'egress:\n  - toPorts: [{ports: [{port: "9092", protocol: TCP}], rules: {kafka: [{topic: a}]}}]', accepted: false, why: '"L7 protocol Kafka is not supported on host egress yet"' },
  // ICMP fields.
  { row: 'ICMP type Echo (IPv4 name)', body: 'ingress:\n  - icmps: [{fields: [{type: Echo}]}]', accepted: true, why: 'icmp.go IPv4 names' },
  { row: 'ICMP type 256', body: 'ingress:\n  - icmps: [{fields: [{type: 256}]}]', accepted: false, why: 'CRD pattern 0..255' },
  { row: 'ICMP family ipv4 (lower case)', body: 'ingress:\n  - icmps: [{fields: [{family: ipv4, type: 8}]}]', accepted: false, why: 'CRD Enum=IPv4;IPv6' },
  // CIDRRule.Validate: prefix notation only, excepts inside.
  { row: 'toCIDRSet cidr without a prefix length', body: 'egress:\n  - toCIDRSet: [{cidr: 10.0.0.1}]', accepted: false, why: '"unable to parse CIDRRule": ParsePrefix only' },
  { row: 'toCIDRSet cidr with host bits', body: 'egress:\n  - toCIDRSet: [{cidr: 10.0.0.1/8}]', accepted: true, why: 'ParsePrefix keeps host bits' },
  { row: 'except outside the cidr', body: 'egress:\n  - toCIDRSet: [{cidr: 10.0.0.0/8, except: [11.0.0.0/16]}]', accepted: false, why: '"does not contain exclude CIDR prefix"' },
  { row: 'except of the other family', body: 'egress:\n  - toCIDRSet: [{cidr: 10.0.0.0/8, except: ["::/64"]}]', accepted: false, why: '"does not contain exclude CIDR prefix"' },
  { row: 'toCIDR /33', body: 'egress:\n  - toCIDR: [10.0.0.0/33]', accepted: false, why: '"unable to parse CIDR"' },
  { row: 'toCIDR with a leading zero', body: 'egress:\n  - toCIDR: [010.0.0.0/8]', accepted: false, why: 'netip refuses leading zeros' },
  // The CRD: every CIDR is `format: cidr` (cidr.go +kubebuilder:validation:Format=cidr, blob id 68463512052;
  // cilium/cilium#32814), which the API server checks with net.ParseCIDR: the agent's bare-IP reading never runs.
  { row: 'toCIDR bare IPv4', body: 'egress:\n  - toCIDR: [1.1.1.1]', accepted: false, why: 'CRD format: cidr' },
  { row: 'fromCIDR bare IPv6', body: 'ingress:\n  - fromCIDR: ["2001:db8::1"]', accepted: false, why: 'CRD format: cidr' },
  { row: 'except bare IP', body: 'egress:\n  - toCIDRSet: [{cidr: 10.0.0.0/8, except: [10.0.0.1]}]', accepted: false, why: 'CRD format: cidr' },
  { row: 'toCIDR /32 host prefix', body: 'egress:\n  - toCIDR: [1.1.1.1/32]', accepted: true, why: 'CRD format: cidr' },
];

function errorsOf(body: string, host = false): string[] {
  const text = host
    ? `apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: p}\nspec:\n  nodeSelector: {}\n${body.replace(/^/gm, '  ')}\n`
    : `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p, namespace: default}\nspec:\n  endpointSelector: {}\n${body.replace(/^/gm, '  ')}\n`;
  return loadWorkspace([{ path: 'p.yaml', text }]).diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
}

describe('cilium pkg/policy/api rule_validation.go / l4.go / http.go / fqdn.go: what is accepted', () => {
  for (const r of ROWS) {
    test(`${r.row} is ${r.accepted ? 'accepted' : 'refused'} (${r.why})`, () => {
      const errors = errorsOf(r.body, r.row.startsWith('host policy'));
      assert.equal(errors.length === 0, r.accepted, errors.join('; ') || 'no error');
    });
  }
});

// --- what the accepted edge cases allow ---

const PODS = ['client', 'server']
  .map((n) => `---\napiVersion: v1\nkind: Pod\nmetadata: {name: ${n}, namespace: default, labels: {app: ${n}}}\n`).join('')
  + '---\napiVersion: v1\nkind: Pod\nmetadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}\n'
  + '---\napiVersion: v1\nkind: Service\nmetadata: {name: kube-dns, namespace: kube-system}\nspec:\n  selector: {k8s-app: kube-dns}\n  ports: [{name: dns, port: 53, protocol: UDP}]\n';

function world(spec: string): World {
  const policy = `---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p, namespace: default}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;
  return loadWorld([{ path: 'pods.yaml', text: PODS }, { path: 'policy.yaml', text: policy }]);
}

/** Allowed or not, by checkConnection, explainConnection and the reference evaluator alike. */
const allowed = allowedAll;

const CLIENT = 'default/client', SERVER = 'default/server';
const fromClient = (rest: string) => `endpointSelector: {matchLabels: {app: server}}\ningress:\n  - fromEndpoints: [{matchLabels: {app: client}}]${rest}`;

describe('cilium pkg/policy/rule.go mergeIngress: port rules and empty lists as verdicts', () => {
  test('toPorts: [] is no toPorts: L3-only, every port and ICMP (toPorts.Len() == 0)', () => {
    const w = world(fromClient('\n    toPorts: []'));
    assert.equal(allowed(w, CLIENT, SERVER, { port: 8080 }), true);
    assert.equal(allowed(w, CLIENT, SERVER, { port: 53, protocol: 'UDP' }), true);
    assert.equal(allowed(w, CLIENT, SERVER, { protocol: 'ICMP', icmpType: 8 }), true);
  });
  test('toPorts: [{}] adds no filter: nothing is allowed, and ingress is enforced', () => {
    const w = world(fromClient('\n    toPorts: [{}]'));
    assert.equal(allowed(w, CLIENT, SERVER, { port: 80 }), false);
    assert.equal(allowed(w, CLIENT, SERVER, { port: 53, protocol: 'UDP' }), false);
  });
  test('HTTP rules without ports apply to no port: nothing is allowed', () => {
    const w = world(fromClient('\n    toPorts: [{rules: {http: [{method: GET}]}}]'));
    assert.equal(allowed(w, CLIENT, SERVER, { port: 80, http: { method: 'GET', path: '/' } }), false);
  });
  test('a port rule without ports beside one with ports: only the named port', () => {
    const w = world(fromClient('\n    toPorts: [{}, {ports: [{port: "80", protocol: TCP}]}]'));
    assert.equal(allowed(w, CLIENT, SERVER, { port: 80 }), true);
    assert.equal(allowed(w, CLIENT, SERVER, { port: 81 }), false);
  });
  test('icmps: [] and toPorts: [] together are L3-only too', () => {
    const w = world(fromClient('\n    toPorts: []\n    icmps: []'));
    assert.equal(allowed(w, CLIENT, SERVER, { port: 443 }), true);
  });
});

describe('cilium pkg/envoy/policy envoy_l7_rules_translator.go getHTTPRule: how a headers entry matches', () => {
  // SplitN(hdr, " ", 2): with a space, name = TrimRight(strs[0], ":") and an exact match on strs[1] as written;
  // without one, a presence match on the whole text. Requests carry header values without surrounding
  // whitespace (RFC 9110 §5.5: OWS is not part of the field value).
  const get = (headers: Record<string, string>) => ({ port: 80, http: { method: 'GET', path: '/', headers } });
  const rule = (entry: string) => world(fromClient(`\n    toPorts: [{ports: [{port: "80", protocol: TCP}], rules: {http: [{headers: [${JSON.stringify(entry)}]}]}}]`));
  const rows: readonly { entry: string; request: Record<string, string>; allowed: boolean; why: string }[] = [
    { entry: 'X-Key: true', request: { 'x-key': 'true' }, allowed: true, why: 'name X-Key, value true' },
    { entry: 'X-Key: true', request: { 'x-key': 'false' }, allowed: false, why: 'exact value' },
    { entry: 'X-Key:: true', request: { 'x-key': 'true' }, allowed: true, why: 'every trailing colon is trimmed' },
    { entry: 'X-Key:  true', request: { 'x-key': 'true' }, allowed: false, why: 'the value keeps its leading space (" true")' },
    { entry: 'X-Key', request: { 'x-key': 'anything' }, allowed: true, why: 'presence' },
    { entry: 'X-Key', request: {}, allowed: false, why: 'the header is missing' },
    { entry: 'X-Key:', request: { 'x-key': 'anything' }, allowed: false, why: 'no space: the name keeps its colon, which no header name has' },
  ];
  for (const r of rows) {
    test(`headers [${JSON.stringify(r.entry)}], request ${JSON.stringify(r.request)}: ${r.allowed ? 'allowed' : 'denied'} (${r.why})`, () => {
      assert.equal(allowed(rule(r.entry), CLIENT, SERVER, get(r.request)), r.allowed);
    });
  }
});

describe('cilium pkg/policy/l4.go toMapState: a named port with endPort is a range from the number the name resolves to', () => {
  // server names 8080 "http"; the range is resolved per destination pod (ingress: the server's own ports).
  const SERVER_PORTS = '---\napiVersion: v1\nkind: Pod\nmetadata: {name: server, namespace: default, labels: {app: server}}\nspec:\n  containers: [{name: c, image: i, ports: [{name: http, containerPort: 8080, protocol: TCP}]}]\n';
  const named = (port: string, endPort: number) => loadWorld([
    { path: 'pods.yaml', text: PODS.replace(/---\napiVersion: v1\nkind: Pod\nmetadata: \{name: server[^]*?(?=---)/, SERVER_PORTS) },
    { path: 'policy.yaml', text: `---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p, namespace: default}\nspec:\n${fromClient(`\n    toPorts: [{ports: [{port: "${port}", endPort: ${endPort}, protocol: TCP}]}]`).replace(/^/gm, '  ')}\n` },
  ]);
  const rows: readonly (readonly [string, string, number, readonly number[], readonly number[]])[] = [
    ['endPort above the number: 8080-8082 (PortRangeToMaskedPorts(8080, 8082))', 'http', 8082, [8080, 8081, 8082], [8079, 8083, 80]],
    ['endPort below the number: the single port 8080 (end <= start)', 'http', 8000, [8080], [8000, 8001, 8079, 8081]],
    ['a name the pod does not define allows nothing, endPort or not (GetNamedPort returns 0)', 'nosuch', 8082, [], [8080, 8082, 0]],
  ];
  for (const [row, port, endPort, yes, no] of rows) {
    test(row, () => {
      const w = named(port, endPort);
      for (const p of yes) assert.equal(allowed(w, CLIENT, SERVER, { port: p }), true, String(p));
      for (const p of no.filter((p) => p > 0)) assert.equal(allowed(w, CLIENT, SERVER, { port: p }), false, String(p));
    });
  }
});

describe('cilium-envoy: an HTTP path rule matches :path, query string included', () => {
  const rule = (path: string) => world(fromClient(`\n    toPorts: [{ports: [{port: "80", protocol: TCP}], rules: {http: [{method: GET, path: ${JSON.stringify(path)}}]}}]`));
  const rows: readonly (readonly [string, string, boolean, string])[] = [
    ['/docs', '/docs', true, 'the whole :path'],
    ['/docs', '/docs?x=1', false, ':path is "/docs?x=1", and a safe_regex matches the whole value'],
    ['/docs.*', '/docs?x=1', true, 'a trailing .* takes the query too'],
    ['/docs(\\?.*)?', '/docs?x=1', true, 'an optional query group'],
    ['/docs(\\?.*)?', '/docs/x', false, 'not a prefix match'],
  ];
  for (const [path, request, want, why] of rows) {
    test(`path ${JSON.stringify(path)}, request GET ${request}: ${want ? 'allowed' : 'denied'} (${why})`, () => {
      assert.equal(allowed(rule(path), CLIENT, SERVER, { port: 80, http: { method: 'GET', path: request } }), want);
    });
  }
  test('explain says when the query string is what kept a path rule from matching', () => {
    const x = explainConnection(rule('/docs').session, { from: CLIENT, to: SERVER, traffic: { port: 80, http: { method: 'GET', path: '/docs?x=1' } } });
    assert.ok(x.ok);
    assert.match(x.pairs[0]!.answer.l7?.detail ?? '', /without the query string, \/docs, would match .*whole :path, query included.*path: '\/docs\(\[\?\]\.\*\)\?'/);
  });
});
