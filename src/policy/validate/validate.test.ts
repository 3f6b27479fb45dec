/**
 * Validation rules, one row each with a positive (valid) and a negative case.
 * Each row cites where the rule comes from: a section of the team's semantics
 * reference (shared/reference/semantics.md, written from Cilium 1.16–1.18
 * sources) or the Cilium / Kubernetes source file that makes the check.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cnp, diagnose, knp } from './testing.js';

interface Expected {
  code: string;
  severity?: 'error' | 'warning';
  message?: string;
  line?: number;
  col?: number;
  path?: string;
}
interface Case {
  name: string;
  source: string;
  doc: string;
  expect: Expected[];
}

const cases: Case[] = [
  // --- shape (CRD schema, what the API server checks) ---
  { name: 'minimal default-deny policy is valid', source: 'semantics.md §4.3 rule 7', doc: cnp('endpointSelector: {}\ningress:\n  - {}'), expect: [] },
  {
    name: 'unknown field with a suggestion', source: 'kubectl strict field validation; pkg/policy/api/ingress.go field names',
    doc: cnp('endpointSelector: {}\ningress:\n  - toPort:\n      - ports:\n          - port: "80"'),
    expect: [{ code: 'unknown-field', message: 'unknown field "toPort" (did you mean "toPorts"?)', line: 9, col: 7, path: 'spec.ingress[0].toPort' }],
  },
  {
    name: 'numeric port where the CRD wants a string', source: 'CRD cilium.io/v2 PortProtocol.port type string',
    doc: cnp('endpointSelector: {}\ningress:\n  - toPorts:\n      - ports:\n          - port: 443'),
    expect: [{ code: 'wrong-type', message: 'port must be a string such as "443", not number 443', line: 11, col: 21 }],
  },
  { name: 'string port is valid', source: 'CRD PortProtocol.port', doc: cnp('endpointSelector: {}\ningress:\n  - toPorts:\n      - ports:\n          - port: "443"'), expect: [] },
  {
    name: 'protocol is case-sensitive', source: 'CRD enum TCP;UDP;SCTP;ANY (semantics.md §1.10)',
    doc: cnp('endpointSelector: {}\ningress:\n  - toPorts:\n      - ports:\n          - port: "53"\n            protocol: udp'),
    expect: [{ code: 'invalid-value', message: 'protocol must be one of TCP, UDP, SCTP, ANY, not "udp"' }],
  },
  {
    name: 'unknown entity', source: 'CRD Entity enum (pkg/policy/api/entity.go)',
    doc: cnp('endpointSelector: {}\ningress:\n  - fromEntities: [internet]'),
    expect: [{ code: 'invalid-value', message: 'fromEntities[0] must be one of all, world, cluster, host, init, ingress, unmanaged, remote-node, health, none, kube-apiserver, not "internet"' }],
  },
  { name: 'known entities are valid', source: 'semantics.md §1.7', doc: cnp('endpointSelector: {}\ningress:\n  - fromEntities: [world, cluster, kube-apiserver]'), expect: [] },
  {
    name: 'a mapping where a list is expected', source: 'CRD: ingress is an array',
    doc: cnp('endpointSelector: {}\ningress:\n  fromEntities: [world]'),
    expect: [{ code: 'wrong-type', message: 'ingress must be a list, not a mapping' }],
  },
  // --- CIDRs (pkg/policy/api/cidr.go, rule_validation.go) ---
  {
    name: 'invalid CIDR in fromCIDRSet (tutorial story 5)', source: 'semantics.md §1.6; seed tutorial story 5',
    doc: cnp('endpointSelector: {}\ningress:\n  - fromCIDRSet:\n      - cidr: 172.224.3/32'),
    expect: [{ code: 'invalid-cidr', message: '172.224.3/32 is not a valid CIDR', line: 10, col: 17, path: 'spec.ingress[0].fromCIDRSet[0].cidr' }],
  },
  // Was "fromCIDR accepts a bare IP" (semantics.md §1.6 reads the agent's CIDR.sanitize); the API server refuses it first:
  // the CRD declares CIDR `format: cidr` (pkg/policy/api/cidr.go +kubebuilder:validation:Format=cidr, cilium/cilium#32814).
  { name: 'fromCIDR takes prefixes, not a bare IP', source: 'CRD format: cidr (net.ParseCIDR at the API server)', doc: cnp('endpointSelector: {}\ningress:\n  - fromCIDR: [10.0.0.1, 10.0.0.0/8, "2001:db8::/32"]'), expect: [{ code: 'invalid-cidr', message: '10.0.0.1 is not a valid CIDR', path: 'spec.ingress[0].fromCIDR[0]' }] },
  {
    name: 'fromCIDRSet needs a prefix, not a bare IP', source: 'semantics.md §1.6 (CIDRRule.cidr must be prefix notation)',
    doc: cnp('endpointSelector: {}\ningress:\n  - fromCIDRSet:\n      - cidr: 10.0.0.1'),
    expect: [{ code: 'invalid-cidr', message: '10.0.0.1 is not a valid CIDR' }],
  },
  {
    name: 'invalid CIDR in toCIDR', source: 'semantics.md §1.6', doc: cnp('endpointSelector: {}\negress:\n  - toCIDR: [10.0.0.300/8]'),
    expect: [{ code: 'invalid-cidr', message: '10.0.0.300/8 is not a valid CIDR' }],
  },
  {
    name: 'except must be inside the CIDR', source: 'semantics.md §1.6 ("allow CIDR prefix … does not contain exclude CIDR prefix")',
    doc: cnp('endpointSelector: {}\negress:\n  - toCIDRSet:\n      - cidr: 10.0.0.0/8\n        except: [192.168.0.0/16]'),
    expect: [{ code: 'except-outside-cidr', message: 'except 192.168.0.0/16 is not inside 10.0.0.0/8' }],
  },
  { name: 'except inside the CIDR is valid', source: 'semantics.md §1.6', doc: cnp('endpointSelector: {}\negress:\n  - toCIDRSet:\n      - cidr: 10.0.0.0/8\n        except: [10.96.0.0/12]'), expect: [] },
  {
    name: 'CIDR set entry needs one source', source: 'semantics.md §1.6 ("one of cidr, cidrGroupRef, or cidrGroupSelector is required")',
    doc: cnp('endpointSelector: {}\negress:\n  - toCIDRSet:\n      - except: [10.0.0.0/8]'),
    expect: [{ code: 'cidr-rule-empty' }],
  },
  {
    name: 'CIDR set entry with two sources', source: 'semantics.md §1.6 (1.17+)',
    doc: cnp('endpointSelector: {}\negress:\n  - toCIDRSet:\n      - cidr: 10.0.0.0/8\n        cidrGroupRef: office'),
    expect: [{ code: 'cidr-rule-ambiguous' }],
  },
  // --- peer combinations (rule_validation.go: (*IngressCommonRule).sanitize) ---
  {
    name: 'fromEndpoints and fromEntities in one rule', source: 'semantics.md §1.5',
    doc: cnp('endpointSelector: {}\ningress:\n  - fromEndpoints: [{}]\n    fromEntities: [world]'),
    expect: [{ code: 'peer-combination', message: 'fromEndpoints and fromEntities cannot be combined in one rule', line: 10, col: 7 }],
  },
  {
    name: 'toFQDNs and toEndpoints in one rule', source: 'semantics.md §1.5 (toFQDNs counts for allow rules)',
    doc: cnp('endpointSelector: {}\negress:\n  - toEndpoints: [{}]\n    toFQDNs: [{matchName: example.com}]'),
    expect: [{ code: 'peer-combination', message: 'toEndpoints and toFQDNs cannot be combined in one rule' }],
  },
  { name: 'peers in separate rules are valid', source: 'semantics.md §1.5', doc: cnp('endpointSelector: {}\ningress:\n  - fromEndpoints: [{}]\n  - fromEntities: [world]'), expect: [] },
  { name: 'fromRequires may join fromEndpoints', source: 'semantics.md §1.5 (fromRequires not in the set)', doc: cnp('endpointSelector: {}\ningress:\n  - fromEndpoints: [{}]\n    fromRequires: [{matchLabels: {env: prod}}]'), expect: [] },
  { name: 'toServices with toPorts is valid in 1.18', source: 'semantics.md §0.2 (1.17+)', doc: cnp('endpointSelector: {}\negress:\n  - toServices:\n      - k8sService: {serviceName: db, namespace: default}\n    toPorts:\n      - ports: [{port: "5432", protocol: TCP}]'), expect: [] },
  {
    name: 'fromNodes needs an agent flag that is off by default', source: 'semantics.md §2.4',
    doc: cnp('endpointSelector: {}\ningress:\n  - fromNodes: [{matchLabels: {role: infra}}]'),
    expect: [{ code: 'nodes-need-flag' }],
  },
  {
    name: 'icmps and toPorts in one rule', source: 'semantics.md §1.5 ("the ICMPs block may only be present without ToPorts")',
    doc: cnp('endpointSelector: {}\ningress:\n  - toPorts: [{ports: [{port: "80"}]}]\n    icmps: [{fields: [{type: 8}]}]'),
    expect: [{ code: 'icmps-with-toports' }],
  },
  // --- ICMP (pkg/policy/api/icmp.go) ---
  { name: 'ICMP type by number and name', source: 'semantics.md §1.11', doc: cnp('endpointSelector: {}\ningress:\n  - icmps:\n      - fields:\n          - type: 8\n          - type: EchoReply\n          - {family: IPv6, type: EchoRequest}'), expect: [] },
  {
    name: 'ICMP name of the wrong family', source: 'semantics.md §1.11 ("ICMP type <name> not found in <family>")',
    doc: cnp('endpointSelector: {}\ningress:\n  - icmps:\n      - fields:\n          - {family: IPv6, type: Redirect}'),
    expect: [{ code: 'invalid-icmp-type', message: 'ICMP type "Redirect" is not an IPv6 type name' }],
  },
  {
    name: 'ICMP type out of range', source: 'semantics.md §1.11 (type 0-255)',
    doc: cnp('endpointSelector: {}\ningress:\n  - icmps:\n      - fields:\n          - type: 300'),
    expect: [{ code: 'invalid-icmp-type', message: 'ICMP type 300 must be a number from 0 to 255' }],
  },
  // --- ports (l4.go, svcname.go) ---
  { name: 'named port', source: 'semantics.md §1.10 (IANA service name)', doc: cnp('endpointSelector: {}\ningress:\n  - toPorts: [{ports: [{port: http}]}]'), expect: [] },
  {
    name: 'port out of range', source: 'semantics.md §1.10 ("unable to parse port")',
    doc: cnp('endpointSelector: {}\ningress:\n  - toPorts: [{ports: [{port: "99999"}]}]'),
    expect: [{ code: 'invalid-port', message: 'port "99999" is neither a number from 0 to 65535 nor a port name' }],
  },
  {
    name: 'octal port is read as Go reads it', source: 'semantics.md §1.10 (ParseUint base 0: "010" is 8)',
    doc: cnp('endpointSelector: {}\ningress:\n  - toPorts: [{ports: [{port: "010"}]}]'),
    expect: [{ code: 'port-odd-notation', severity: 'warning', message: 'port "010" is read by Cilium as 8 (Go number syntax)' }],
  },
  {
    name: 'empty port', source: 'semantics.md §1.10 ("port must be specified")',
    doc: cnp('endpointSelector: {}\ningress:\n  - toPorts: [{ports: [{protocol: TCP}]}]'),
    expect: [{ code: 'port-required' }],
  },
  { name: 'port range', source: 'semantics.md §1.10 (endPort)', doc: cnp('endpointSelector: {}\ningress:\n  - toPorts: [{ports: [{port: "8000", endPort: 8080}]}]'), expect: [] },
  {
    name: 'endPort below port', source: 'pkg/policy/portrange.go (endPort <= port is the single port)',
    doc: cnp('endpointSelector: {}\ningress:\n  - toPorts: [{ports: [{port: "8080", endPort: 8000}]}]'),
    expect: [{ code: 'endport-below-port', severity: 'warning' }],
  },
  {
    name: 'too many ports', source: 'semantics.md §1.10 ("too many ports, the max is 40")',
    doc: cnp(`endpointSelector: {}\ningress:\n  - toPorts:\n      - ports: [${Array.from({ length: 41 }, (_, i) => `{port: "${i + 1}"}`).join(', ')}]`),
    expect: [{ code: 'too-many-ports' }],
  },
  // --- L7 (rule_validation.go: (*PortRule).sanitize, (*L7Rules).sanitize) ---
  { name: 'HTTP rule on TCP port', source: 'semantics.md §5.2', doc: cnp('endpointSelector: {}\ningress:\n  - toPorts:\n      - ports: [{port: "80", protocol: TCP}]\n        rules:\n          http: [{method: GET, path: "/docs"}]'), expect: [] },
  {
    name: 'HTTP rule without protocol TCP', source: 'semantics.md §1.10 ("L7 rules can only apply to TCP (not ANY)")',
    doc: cnp('endpointSelector: {}\ningress:\n  - toPorts:\n      - ports: [{port: "80"}]\n        rules:\n          http: [{method: GET}]'),
    expect: [{ code: 'l7-needs-tcp', message: 'HTTP rules apply only to TCP, but this port\'s protocol is ANY' }],
  },
  {
    name: 'L7 rules on port 0', source: 'semantics.md §1.10 ("L7 rules can not be used when a port is 0")',
    doc: cnp('endpointSelector: {}\ningress:\n  - toPorts:\n      - ports: [{port: "0", protocol: TCP}]\n        rules:\n          http: [{}]'),
    expect: [{ code: 'l7-on-port-zero' }],
  },
  {
    name: 'invalid RE2 in HTTP path', source: 'pkg/policy/api/http.go Sanitize (regexp.Compile)',
    doc: cnp('endpointSelector: {}\ningress:\n  - toPorts:\n      - ports: [{port: "80", protocol: TCP}]\n        rules:\n          http: [{path: "/api/(v1"}]'),
    expect: [{ code: 'invalid-regex', message: 'path "/api/(v1" is not a valid RE2 regular expression: missing closing ): `/api/(v1`' }],
  },
  {
    name: 'lookahead is not RE2', source: 'RE2 syntax (github.com/google/re2/wiki/Syntax): no lookaround',
    doc: cnp('endpointSelector: {}\ningress:\n  - toPorts:\n      - ports: [{port: "80", protocol: TCP}]\n        rules:\n          http: [{path: "/(?!admin).*"}]'),
    expect: [{ code: 'invalid-regex' }],
  },
  {
    name: 'lower-case method never matches', source: 'semantics.md §5.2 (matching is case-sensitive)',
    doc: cnp('endpointSelector: {}\ningress:\n  - toPorts:\n      - ports: [{port: "80", protocol: TCP}]\n        rules:\n          http: [{method: get}]'),
    expect: [{ code: 'lowercase-method', severity: 'warning' }],
  },
  {
    name: 'DNS rules on ingress', source: 'semantics.md §1.10 ("L7 protocol DNS is not supported on ingress yet")',
    doc: cnp('endpointSelector: {}\ningress:\n  - toPorts:\n      - ports: [{port: "53", protocol: UDP}]\n        rules:\n          dns: [{matchPattern: "*"}]'),
    expect: [{ code: 'dns-on-ingress' }],
  },
  {
    name: 'DNS rules need a port', source: 'semantics.md §1.10 ("port 53 must be specified for DNS rules")',
    doc: cnp('endpointSelector: {}\negress:\n  - toPorts:\n      - rules:\n          dns: [{matchPattern: "*"}]'),
    expect: [{ code: 'dns-needs-port' }],
  },
  {
    name: 'DNS rules reject port ranges', source: 'semantics.md §0.2 (1.17+ "DNS rules do not support port ranges")',
    doc: cnp('endpointSelector: {}\negress:\n  - toPorts:\n      - ports: [{port: "53", endPort: 54, protocol: UDP}]\n        rules:\n          dns: [{matchPattern: "*"}]'),
    expect: [{ code: 'dns-port-range' }],
  },
  {
    name: 'two L7 kinds in one port rule', source: 'semantics.md §1.10 ("multiple L7 protocol rule types specified in single rule")',
    doc: cnp('endpointSelector: {}\negress:\n  - toPorts:\n      - ports: [{port: "53", protocol: TCP}]\n        rules:\n          dns: [{matchPattern: "*"}]\n          http: [{}]'),
    expect: [{ code: 'mixed-l7' }],
  },
  {
    name: 'l7 without l7proto', source: 'semantics.md §1.10',
    doc: cnp('endpointSelector: {}\ningress:\n  - toPorts:\n      - ports: [{port: "80", protocol: TCP}]\n        rules:\n          l7: [{cmd: READ}]'),
    expect: [{ code: 'l7-without-l7proto' }],
  },
  {
    name: 'Kafka role and apiKey together', source: 'semantics.md §5.6',
    doc: cnp('endpointSelector: {}\ningress:\n  - toPorts:\n      - ports: [{port: "9092", protocol: TCP}]\n        rules:\n          kafka: [{role: produce, apiKey: fetch}]'),
    expect: [{ code: 'kafka-role-and-apikey' }],
  },
  {
    name: 'Kafka invalid role', source: 'semantics.md §5.6 ("invalid Kafka Role")',
    doc: cnp('endpointSelector: {}\ningress:\n  - toPorts:\n      - ports: [{port: "9092", protocol: TCP}]\n        rules:\n          kafka: [{role: write, topic: "orders"}]'),
    expect: [{ code: 'invalid-kafka-role' }],
  },
  { name: 'Kafka rule', source: 'semantics.md §5.6', doc: cnp('endpointSelector: {}\ningress:\n  - toPorts:\n      - ports: [{port: "9092", protocol: TCP}]\n        rules:\n          kafka: [{role: Produce, topic: orders}]'), expect: [] },
  {
    name: 'serverNames with L7 but no TLS termination', source: 'semantics.md §1.10',
    doc: cnp('endpointSelector: {}\negress:\n  - toPorts:\n      - ports: [{port: "443", protocol: TCP}]\n        serverNames: [example.com]\n        rules:\n          http: [{}]'),
    expect: [{ code: 'server-names-with-l7' }],
  },
  {
    name: 'listener on ingress', source: 'semantics.md §1.10 ("Listener is not allowed on ingress")',
    doc: cnp('endpointSelector: {}\ningress:\n  - toPorts:\n      - ports: [{port: "80", protocol: TCP}]\n        listener: {envoyConfig: {name: cfg}, name: l1}'),
    expect: [{ code: 'listener-on-ingress' }],
  },
  {
    name: 'invalid headerMatches action', source: 'semantics.md §5.2 ("Invalid header action")',
    doc: cnp('endpointSelector: {}\ningress:\n  - toPorts:\n      - ports: [{port: "80", protocol: TCP}]\n        rules:\n          http: [{headerMatches: [{name: X-Token, value: "1", mismatch: DROP}]}]'),
    expect: [{ code: 'invalid-header-action' }],
  },
  // --- FQDN selectors (fqdn.go, matchpattern) ---
  { name: 'FQDN name and pattern', source: 'semantics.md §1.9', doc: cnp('endpointSelector: {}\negress:\n  - toFQDNs: [{matchName: api.example.com}, {matchPattern: "*.example.com"}]'), expect: [] },
  {
    name: 'wildcard in matchName', source: 'semantics.md §1.9 ("Invalid characters in MatchName")',
    doc: cnp('endpointSelector: {}\negress:\n  - toFQDNs: [{matchName: "*.example.com"}]'),
    expect: [{ code: 'invalid-fqdn', message: 'matchName "*.example.com" may contain only letters, digits, "-", "_" and "."' }],
  },
  {
    name: 'both matchName and matchPattern', source: 'semantics.md §1.9 ("only one of MatchName or MatchPattern")',
    doc: cnp('endpointSelector: {}\negress:\n  - toFQDNs: [{matchName: a.com, matchPattern: "*.a.com"}]'),
    expect: [{ code: 'fqdn-name-and-pattern' }],
  },
  {
    name: 'regex characters in matchPattern', source: 'semantics.md §1.9 (prevalidate)',
    doc: cnp('endpointSelector: {}\negress:\n  - toFQDNs: [{matchPattern: "(.*)\\\\.example\\\\.com"}]'),
    expect: [{ code: 'invalid-fqdn' }],
  },
  // --- rule level (rule_validation.go: (*Rule).Sanitize, cnp_types.go Parse) ---
  {
    name: 'rule without a subject selector', source: 'semantics.md §1.2 ("rule must have one of EndpointSelector or NodeSelector")',
    doc: cnp('ingress:\n  - {}'), expect: [{ code: 'no-subject' }],
  },
  {
    name: 'nodeSelector in a CiliumNetworkPolicy', source: 'semantics.md §1.1 ("rule cannot have NodeSelector")',
    doc: cnp('nodeSelector: {}\ningress:\n  - {}'), expect: [{ code: 'node-selector-in-cnp' }],
  },
  { name: 'host policy in a CCNP', source: 'semantics.md §7', doc: cnp('nodeSelector: {}\ningress:\n  - fromEntities: [cluster]', 'CiliumClusterwideNetworkPolicy').replace('  namespace: default\n', ''), expect: [] },
  {
    name: 'both endpointSelector and nodeSelector', source: 'semantics.md §1.2',
    doc: cnp('endpointSelector: {}\nnodeSelector: {}\ningress:\n  - {}', 'CiliumClusterwideNetworkPolicy').replace('  namespace: default\n', ''),
    expect: [{ code: 'both-subjects' }],
  },
  {
    name: 'HTTP rules in a host policy', source: 'semantics.md §7 (host L7: DNS egress only)',
    doc: cnp('nodeSelector: {}\ningress:\n  - toPorts:\n      - ports: [{port: "80", protocol: TCP}]\n        rules:\n          http: [{}]', 'CiliumClusterwideNetworkPolicy').replace('  namespace: default\n', ''),
    expect: [{ code: 'host-l7' }],
  },
  {
    name: 'rule with no ingress or egress', source: 'semantics.md §1.2 (1.18: "rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny")',
    doc: cnp('endpointSelector: {}'), expect: [{ code: 'rule-without-sections' }],
  },
  {
    name: 'an empty ingress list is no section', source: 'semantics.md §1.2 (ingress: [] counts as empty)',
    doc: cnp('endpointSelector: {}\ningress: []'), expect: [{ code: 'rule-without-sections', message: 'ingress is an empty list, so the rule has no ingress or egress rules' }],
  },
  {
    name: 'enableDefaultDeny for a direction without rules', source: 'semantics.md §4.3 rule 1',
    doc: cnp('endpointSelector: {}\ningress:\n  - {}\nenableDefaultDeny:\n  egress: false'),
    expect: [{ code: 'default-deny-without-rules', severity: 'warning' }],
  },
  { name: 'specs list of rules', source: 'semantics.md §1.1 (spec and specs)', doc: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p}\nspecs:\n  - endpointSelector: {}\n    ingress: [{}]\n  - endpointSelector: {}\n    egress: [{}]\n', expect: [] },
  {
    name: 'policy without spec or specs', source: 'semantics.md §1.1 ("empty policy")',
    doc: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p}\n', expect: [{ code: 'empty-policy' }],
  },
  {
    name: 'policy name must be a DNS subdomain', source: 'Kubernetes object names (apimachinery ValidateObjectMeta)',
    doc: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: My_Policy}\nspec:\n  endpointSelector: {}\n  ingress: [{}]\n',
    expect: [{ code: 'invalid-name' }],
  },
  // --- selectors (selector.go Sanitize → k8s label selector validation) ---
  {
    name: 'In needs values', source: 'semantics.md §1.2 (invalid label selector: In with empty values)',
    doc: cnp('endpointSelector:\n  matchExpressions:\n    - {key: app, operator: In, values: []}\ningress: [{}]'),
    expect: [{ code: 'selector-values-required' }],
  },
  {
    name: 'Exists takes no values', source: 'semantics.md §1.2 (Exists with values)',
    doc: cnp('endpointSelector:\n  matchExpressions:\n    - {key: app, operator: Exists, values: [x]}\ningress: [{}]'),
    expect: [{ code: 'selector-values-forbidden' }],
  },
  {
    name: 'invalid label value', source: 'k8s validation.IsValidLabelValue',
    doc: cnp('endpointSelector:\n  matchLabels:\n    app: "web server"\ningress: [{}]'),
    expect: [{ code: 'invalid-label-value' }],
  },
  { name: 'source-prefixed selector keys', source: 'semantics.md §2.1', doc: cnp('endpointSelector:\n  matchLabels:\n    k8s:io.kubernetes.pod.namespace: kube-system\n    "reserved:host": ""\ningress: [{}]'), expect: [] },
  {
    name: 'operator is case-sensitive', source: 'CRD LabelSelectorRequirement.operator enum',
    doc: cnp('endpointSelector:\n  matchExpressions:\n    - {key: app, operator: in, values: [a]}\ningress: [{}]'),
    expect: [{ code: 'invalid-value', message: 'operator must be one of In, NotIn, Exists, DoesNotExist, not "in"' }],
  },
  // --- pitfalls Cilium accepts ---
  {
    name: 'stray "-" before toPorts (tutorial "Combining Policies")', source: 'seed tutorial part 2, "Combining Policies"; semantics.md §2.5 (toPorts without peers selects all)',
    doc: cnp('endpointSelector: {}\negress:\n  - toCIDRSet:\n      - cidr: 192.168.1.22/32\n  - toPorts:\n      - ports: [{port: "443"}]'),
    expect: [{ code: 'ports-from-anyone', severity: 'warning', line: 11, col: 7 }],
  },
  {
    name: 'empty peer list selects nothing', source: 'semantics.md §2.5 (explicit empty list selects none)',
    doc: cnp('endpointSelector: {}\ningress:\n  - fromEndpoints: []\n    toPorts: [{ports: [{port: "80"}]}]'),
    expect: [{ code: 'empty-peer-list', severity: 'warning' }],
  },
  // --- YAML ---
  {
    name: 'duplicate key', source: 'YAML 1.2 §3.2.1.1 (mapping keys are unique); kubectl rejects duplicates',
    doc: cnp('endpointSelector: {}\ningress: [{}]\ningress: [{}]'), expect: [{ code: 'yaml-syntax', message: 'invalid YAML: Map keys must be unique' }],
  },
  // --- Kubernetes NetworkPolicy (k8s.io/kubernetes pkg/apis/networking/validation) ---
  {
    name: 'NetworkPolicy: "to:" with no value is accepted as left out, with a warning', source: 'encoding/json null → zero value, so the API server accepts it; cilium-cli connectivity/builder/manifests/client-egress-to-echo-knp.yaml',
    doc: knp('podSelector: {}\negress:\n  - to:\n    ports: [{port: 53, protocol: UDP}]'), expect: [{ code: 'null-field', severity: 'warning', path: 'spec.egress[0].to' }],
  },
  { name: 'NetworkPolicy baseline', source: 'Kubernetes NetworkPolicy API', doc: knp('podSelector: {}\npolicyTypes: [Ingress]\ningress:\n  - from:\n      - podSelector: {matchLabels: {app: web}}\n        namespaceSelector: {}\n    ports:\n      - {port: 80, endPort: 90}\n      - {port: http, protocol: TCP}'), expect: [] },
  {
    name: 'NetworkPolicy peer with ipBlock and podSelector', source: 'networking validation: ipBlock exclusive',
    doc: knp('podSelector: {}\ningress:\n  - from:\n      - podSelector: {}\n        ipBlock: {cidr: 10.0.0.0/8}'), expect: [{ code: 'peer-combination' }],
  },
  {
    name: 'NetworkPolicy empty peer', source: 'networking validation: "must specify a peer"',
    doc: knp('podSelector: {}\ningress:\n  - from:\n      - {}'), expect: [{ code: 'empty-peer' }],
  },
  {
    name: 'NetworkPolicy quoted numeric port', source: 'networking validation: IntOrString string is a port name (IsValidPortName)',
    doc: knp('podSelector: {}\ningress:\n  - ports:\n      - port: "80"'),
    expect: [{ code: 'invalid-port', message: 'port "80" is a string, so Kubernetes reads it as a port name, and a name needs a letter' }],
  },
  {
    name: 'NetworkPolicy endPort below port', source: 'networking validation: endPort >= port',
    doc: knp('podSelector: {}\ningress:\n  - ports:\n      - {port: 90, endPort: 80}'), expect: [{ code: 'endport-below-port' }],
  },
  {
    name: 'NetworkPolicy endPort with named port', source: 'networking validation: endPort needs a numeric port',
    doc: knp('podSelector: {}\ningress:\n  - ports:\n      - {port: http, endPort: 80}'), expect: [{ code: 'endport-with-named-port' }],
  },
  {
    name: 'NetworkPolicy ipBlock except must be a strict subset', source: 'networking validation ValidateIPBlock',
    doc: knp('podSelector: {}\negress:\n  - to:\n      - ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/8]}'), expect: [{ code: 'except-outside-cidr' }],
  },
  {
    name: 'NetworkPolicy policyTypes is case-sensitive', source: 'networking/v1 PolicyType enum',
    doc: knp('podSelector: {}\npolicyTypes: [ingress]'), expect: [{ code: 'invalid-value', message: 'policyTypes[0] must be one of Ingress, Egress, not "ingress"' }],
  },
  {
    // Once an error (the OpenAPI schema said "required"); the API server has always accepted it as the empty selector.
    name: 'NetworkPolicy without podSelector selects every pod of its namespace, with a warning',
    source: 'kubernetes/kubernetes#130896 / #131354 (podSelector is optional); cilium pkg/k8s/network_policy_test.go TestNetworkPolicyExamples example 3',
    doc: knp('policyTypes: [Ingress]'), expect: [{ code: 'missing-pod-selector', severity: 'warning', message: 'podSelector is left out, so this policy applies to every pod of its namespace' }],
  },
  // --- every problem at once: the API server aggregates a field.ErrorList (ValidateNetworkPolicySpec), it does not stop at the first ---
  ...((): Case[] => {
    const bad = '  - from:\n      - ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/24]}\n    ports:\n      - port: 0';
    const semantic: Expected[] = [
      { code: 'except-outside-cidr', path: 'spec.ingress[0].from[0].ipBlock.except[0]' },
      { code: 'invalid-port', message: 'port 0 must be from 1 to 65535', path: 'spec.ingress[0].ports[0].port' },
    ];
    const src = 'k8s pkg/apis/networking/validation ValidateNetworkPolicySpec returns every error (field.ErrorList)';
    return [
      { name: 'NetworkPolicy: semantic errors beside an unknown field', source: src, doc: knp(`podSelector: {}\nfoo: 1\ningress:\n${bad}`), expect: [{ code: 'unknown-field', path: 'spec.foo' }, ...semantic] },
      { name: 'NetworkPolicy: semantic errors beside a bad protocol', source: src, doc: knp(`podSelector: {}\ningress:\n${bad}\n        protocol: tcp`), expect: [{ code: 'invalid-value', path: 'spec.ingress[0].ports[0].protocol' }, ...semantic] },
      { name: 'NetworkPolicy: semantic errors beside a left-out podSelector', source: src, doc: knp(`policyTypes: [Ingress]\ningress:\n${bad}`), expect: [{ code: 'missing-pod-selector', severity: 'warning', path: 'spec' }, ...semantic] },
      { name: 'NetworkPolicy: semantic errors beside a missing name', source: src, doc: knp(`podSelector: {}\ningress:\n${bad}`).replace('  name: p\n', ''), expect: [{ code: 'missing-field', path: 'metadata.name' }, ...semantic] },
      { name: 'NetworkPolicy: semantic errors beside a wrong apiVersion', source: src, doc: knp(`podSelector: {}\ningress:\n${bad}`).replace('networking.k8s.io/v1', 'networking.k8s.io/v1beta1'), expect: [{ code: 'invalid-value', path: 'apiVersion' }, ...semantic] },
      {
        name: 'NetworkPolicy: an ipBlock without cidr hides neither the next rule nor its own invalid except', source: src,
        doc: knp('podSelector: {}\ningress:\n  - from:\n      - ipBlock: {except: [1.2.3]}\n  - from:\n      - ipBlock: {cidr: 10.0.0.0/33}\n    ports:\n      - {port: 80, endPort: 70000}'),
        expect: [
          { code: 'missing-field', path: 'spec.ingress[0].from[0].ipBlock.cidr' }, { code: 'invalid-cidr', path: 'spec.ingress[0].from[0].ipBlock.except[0]' },
          { code: 'invalid-cidr', message: '10.0.0.0/33 is not a valid CIDR', path: 'spec.ingress[1].from[0].ipBlock.cidr', line: 12 }, { code: 'invalid-port', message: 'endPort 70000 must be at most 65535' },
        ],
      },
      {
        name: 'NetworkPolicy: a list item of the wrong shape hides not the items after it', source: src,
        doc: knp('podSelector: {}\negress:\n  - hello\n  - to:\n      - ipBlock: {cidr: 1.2.3/24}\n      - {}'),
        expect: [{ code: 'wrong-type', path: 'spec.egress[0]' }, { code: 'invalid-cidr', path: 'spec.egress[1].to[0].ipBlock.cidr' }, { code: 'empty-peer', path: 'spec.egress[1].to[1]' }],
      },
      {
        name: 'CiliumNetworkPolicy: a list item of the wrong shape hides not the rules after it', source: 'pkg/policy/api/rule_validation.go Sanitize checks every rule',
        doc: cnp('endpointSelector: {}\ningress:\n  - 42\n  - fromCIDR: [1.2.3]'),
        expect: [{ code: 'wrong-type', path: 'spec.ingress[0]' }, { code: 'invalid-cidr', path: 'spec.ingress[1].fromCIDR[0]' }],
      },
    ];
  })(),
];

describe('policy validation', () => {
  for (const c of cases) {
    test(`${c.name} [${c.source}]`, () => {
      const diags = diagnose(c.doc);
      const got = diags.map((d) => d.code).sort();
      const want = c.expect.map((e) => e.code).sort();
      assert.deepEqual(got, want, `diagnostics: ${JSON.stringify(diags.map((d) => `${d.code}: ${d.message}`))}`);
      for (const e of c.expect) {
        const d = diags.find((x) => x.code === e.code && (e.message === undefined || x.message === e.message));
        assert.ok(d, `no ${e.code} with message ${JSON.stringify(e.message)}; got ${JSON.stringify(diags.map((x) => x.message))}`);
        assert.equal(d.severity, e.severity ?? 'error');
        assert.ok(d.hint === undefined || d.hint.length > 0);
        if (e.line !== undefined) assert.equal(d.location?.line, e.line, 'line');
        if (e.col !== undefined) assert.equal(d.location?.col, e.col, 'col');
        if (e.path !== undefined) assert.equal(d.path, e.path, 'path');
      }
    });
  }
});
