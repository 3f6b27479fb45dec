/**
 * Cilium's verdict semantics, one row per rule, each citing where it comes
 * from: a section of the team's reference (shared/reference/semantics.md,
 * written from Cilium 1.16–1.18 source), a Cilium documentation page, or
 * the Kubernetes NetworkPolicy behaviour as Cilium enforces it.
 * Fixture: pods default/a (app=a), default/b (app=b, env=prod, port http=8080),
 * other/c (app=c); service default/svc-b (80 → 8080); kind nodes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ccnp, cnp, explainAsk, knp, verdicts, type Ask } from './testing.js';
import type { DropReason, EngineOptions, MatchType } from './types.js';

interface Case {
  name: string;
  source: string;
  policies: string;
  ask: Ask;
  expect: 'allow' | 'deny';
  side?: 'egress' | 'ingress';
  dropReason?: DropReason;
  matchType?: MatchType;
  l7?: 'allowed' | 'denied';
  options?: EngineOptions;
}

const toB = (port = 8080, extra: Partial<Ask> = {}): Ask => ({ from: 'a', to: 'b', port, ...extra });
const bIngress = (rules: string) => cnp('p', `endpointSelector: {matchLabels: {app: b}}\ningress:\n${rules}`);
const aEgress = (rules: string) => cnp('p', `endpointSelector: {matchLabels: {app: a}}\negress:\n${rules}`);

/** Pod default/cp (app=cp) on the control-plane node, as cilium-cli's client-cp (--k8s-localhost-test). */
const CP_POD = '---\napiVersion: v1\nkind: Pod\nmetadata: {name: cp, namespace: default, labels: {app: cp}}\nspec:\n  nodeName: kind-control-plane\n  containers: [{name: c}]\n';

/** Pod a may reach 198.51.100.0/24 on 443 only in TLS to one.one.one.one (cilium-cli client-egress-tls-sni.yaml, with a CIDR peer). */
const SNI_POLICY = cnp('p', 'endpointSelector: {matchLabels: {app: a}}\negress:\n  - toCIDR: [198.51.100.0/24]\n    toPorts: [{ports: [{port: "443", protocol: TCP}], serverNames: [one.one.one.one]}]');

/** A CiliumCIDRGroup `partners` (team=x): 198.51.100.0/24 and 203.0.113.0/24. */
const CIDR_GROUP = '---\napiVersion: cilium.io/v2alpha1\nkind: CiliumCIDRGroup\nmetadata: {name: partners, labels: {team: x}}\nspec:\n  externalCIDRs: [198.51.100.0/24, 203.0.113.0/24]\n';

const cases: Case[] = [
  // --- enforcement (§4.1, §4.3) ---
  { name: 'no policy: everything allowed', source: 'semantics.md §4.1 default mode; docs policy/intro.rst', policies: '', ask: toB(), expect: 'allow' },
  { name: 'ingress [{}] turns on default deny and allows nothing', source: 'semantics.md §4.3 rule 7, §2.5', policies: bIngress('  - {}'), ask: toB(), expect: 'deny', side: 'ingress', dropReason: 'POLICY_DENIED', matchType: 'none' },
  { name: 'a rule for ingress leaves egress unrestricted', source: 'semantics.md §4.3 rule 3 (enforcement per direction)', policies: bIngress('  - {}'), ask: { from: 'b', to: 'a', port: 80 }, expect: 'allow' },
  { name: 'policyEnforcement=always: no policy still denies', source: 'semantics.md §4.1 (always)', policies: '', ask: toB(), expect: 'deny', options: { policyEnforcement: 'always' } },
  { name: 'policyEnforcement=never: a deny-all policy allows', source: 'semantics.md §4.1 (never)', policies: bIngress('  - {}'), ask: toB(), expect: 'allow', options: { policyEnforcement: 'never' } },
  { name: 'enableDefaultDeny false: unlisted traffic allowed', source: 'semantics.md §4.3 rule 4; docs policy/language.rst enableDefaultDeny', policies: cnp('p', 'endpointSelector: {matchLabels: {app: b}}\nenableDefaultDeny: {ingress: false}\ningress:\n  - fromEntities: [world]'), ask: toB(), expect: 'allow', matchType: 'all' },
  { name: 'enableDefaultDeny false: a deny rule still denies', source: 'semantics.md §4.3 rule 4', policies: cnp('p', 'endpointSelector: {matchLabels: {app: b}}\nenableDefaultDeny: {ingress: false}\ningressDeny:\n  - fromEndpoints: [{matchLabels: {app: a}}]'), ask: toB(), expect: 'deny', dropReason: 'POLICY_DENY' },
  { name: 'one policy asking default deny wins over one that does not', source: 'semantics.md §4.3 rule 3 (any rule requests it)', policies: cnp('p1', 'endpointSelector: {matchLabels: {app: b}}\nenableDefaultDeny: {ingress: false}\ningress:\n  - fromEntities: [world]') + cnp('p2', 'endpointSelector: {matchLabels: {app: b}}\ningress:\n  - fromEntities: [world]'), ask: toB(), expect: 'deny' },
  { name: 'a deny-only policy puts the endpoint in default deny', source: 'semantics.md §4.3 rule 6; docs policy/deny.rst', policies: cnp('p', 'endpointSelector: {matchLabels: {app: b}}\ningressDeny:\n  - toPorts: [{ports: [{port: "80", protocol: TCP}]}]'), ask: toB(), expect: 'deny', dropReason: 'POLICY_DENIED' },
  { name: 'an invalid policy enforces nothing (fail-open)', source: 'semantics.md §1.1 (rejected policies enforce nothing)', policies: bIngress('  - fromEndpoints: [{}]\n    fromEntities: [world]'), ask: toB(), expect: 'allow' },
  // --- union and deny (§4.5) ---
  { name: 'allows from two policies are a union', source: 'semantics.md §4.5 (allows are a union)', policies: bIngress('  - fromEntities: [world]') + cnp('q', 'endpointSelector: {matchLabels: {app: b}}\ningress:\n  - fromEndpoints: [{matchLabels: {app: a}}]'), ask: toB(), expect: 'allow', matchType: 'L3-Only' },
  { name: 'deny beats allow', source: 'semantics.md §4.5 rule 1; docs policy/deny.rst', policies: bIngress('  - fromEndpoints: [{matchLabels: {app: a}}]') + cnp('d', 'endpointSelector: {matchLabels: {app: b}}\ningressDeny:\n  - fromEndpoints: [{matchLabels: {app: a}}]'), ask: toB(), expect: 'deny', dropReason: 'POLICY_DENY', matchType: 'L3-Only' },
  { name: 'a CCNP deny beats a Kubernetes NetworkPolicy allow', source: 'semantics.md §6 (KNP mixes with CNP; deny wins)', policies: knp('allow', 'podSelector: {matchLabels: {app: b}}\ningress:\n  - {}') + ccnp('d', 'endpointSelector: {matchLabels: {app: b}}\ningressDeny:\n  - fromEndpoints: [{matchLabels: {app: a}}]'), ask: toB(), expect: 'deny', dropReason: 'POLICY_DENY' },
  { name: 'a port deny with no peer beats an L3 allow', source: 'semantics.md §4.5 (deny checked first, wildcard too)', policies: bIngress('  - fromEndpoints: [{matchLabels: {app: a}}]') + cnp('d', 'endpointSelector: {matchLabels: {app: b}}\ningressDeny:\n  - toPorts: [{ports: [{port: "8080", protocol: TCP}]}]'), ask: toB(), expect: 'deny', matchType: 'L4-Only' },
  { name: 'a deny on another port does not deny this one', source: 'semantics.md §4.5', policies: bIngress('  - fromEndpoints: [{matchLabels: {app: a}}]') + cnp('d', 'endpointSelector: {matchLabels: {app: b}}\ningressDeny:\n  - toPorts: [{ports: [{port: "9090", protocol: TCP}]}]'), ask: toB(), expect: 'allow' },
  // --- peers (§2.5, §2.3, §2.4) ---
  { name: 'toPorts without a peer allows every peer, world included', source: 'semantics.md §2.5 row 2', policies: bIngress('  - toPorts: [{ports: [{port: "8080", protocol: TCP}]}]'), ask: { from: 'ip:203.0.113.5', to: 'b', port: 8080 }, expect: 'allow', matchType: 'L4-Only' },
  { name: 'an explicit empty fromEndpoints list selects nobody', source: 'semantics.md §2.5 row 4', policies: bIngress('  - fromEndpoints: []\n    toPorts: [{ports: [{port: "8080", protocol: TCP}]}]'), ask: toB(), expect: 'deny' },
  { name: 'CNP fromEndpoints are limited to the policy namespace', source: 'semantics.md §2.3 rule 2', policies: bIngress('  - fromEndpoints: [{matchLabels: {app: c}}]'), ask: { from: 'other/c', to: 'b', port: 8080 }, expect: 'deny' },
  { name: 'CNP fromEndpoints with an explicit namespace', source: 'semantics.md §2.3 (k8s:io.kubernetes.pod.namespace)', policies: bIngress('  - fromEndpoints: [{matchLabels: {app: c, k8s:io.kubernetes.pod.namespace: other}}]'), ask: { from: 'other/c', to: 'b', port: 8080 }, expect: 'allow' },
  { name: 'CNP fromEndpoints by namespace labels spans namespaces', source: 'semantics.md §2.3 (io.cilium.k8s.namespace.labels, PR cilium/cilium#30650)', policies: bIngress('  - fromEndpoints: [{matchLabels: {io.cilium.k8s.namespace.labels.team: x}}]'), ask: { from: 'other/c', to: 'b', port: 8080 }, expect: 'allow' },
  { name: 'CNP fromEndpoints [{}] is every pod of the namespace, not world', source: 'semantics.md §2.3 consequences', policies: bIngress('  - fromEndpoints: [{}]'), ask: { from: 'ip:203.0.113.5', to: 'b', port: 8080 }, expect: 'deny' },
  { name: 'CCNP fromEndpoints [{}] is every pod of every namespace', source: 'semantics.md §2.4', policies: ccnp('p', 'endpointSelector: {matchLabels: {app: b}}\ningress:\n  - fromEndpoints: [{}]'), ask: { from: 'other/c', to: 'b', port: 8080 }, expect: 'allow' },
  { name: 'CCNP fromEndpoints [{}] is not world', source: 'semantics.md §2.4', policies: ccnp('p', 'endpointSelector: {matchLabels: {app: b}}\ningress:\n  - fromEndpoints: [{}]'), ask: { from: 'ip:203.0.113.5', to: 'b', port: 8080 }, expect: 'deny' },
  { name: 'CCNP endpointSelector {} applies to pods of every namespace', source: 'semantics.md §2.2 (CCNP: nothing injected)', policies: ccnp('p', 'endpointSelector: {}\ningress:\n  - {}'), ask: { from: 'a', to: 'other/c', port: 80 }, expect: 'deny' },
  { name: 'a CNP does not apply to pods of other namespaces', source: 'semantics.md §2.2, §4.2', policies: cnp('p', 'endpointSelector: {}\ningress:\n  - {}'), ask: { from: 'a', to: 'other/c', port: 80 }, expect: 'allow' },
  { name: 'fromRequires narrows fromEndpoints', source: 'semantics.md §4.12', policies: bIngress('  - fromEndpoints: [{matchLabels: {app: a}}]\n    fromRequires: [{matchLabels: {env: prod}}]'), ask: toB(), expect: 'deny' },
  // --- entities (§3.5) ---
  { name: 'world entity: an external address', source: 'semantics.md §3.5', policies: bIngress('  - fromEntities: [world]'), ask: { from: 'ip:198.51.100.7', to: 'b', port: 8080 }, expect: 'allow' },
  { name: 'world entity does not cover pods', source: 'semantics.md §3.5 (world excludes pods, nodes, host)', policies: bIngress('  - fromEntities: [world]'), ask: toB(), expect: 'deny' },
  { name: 'cluster entity covers pods of the cluster', source: 'semantics.md §3.5', policies: bIngress('  - fromEntities: [cluster]'), ask: { from: 'other/c', to: 'b', port: 8080 }, expect: 'allow' },
  { name: 'cluster entity covers remote nodes', source: 'semantics.md §3.5', policies: bIngress('  - fromEntities: [cluster]'), ask: { from: 'node:kind-control-plane', to: 'b', port: 8080 }, expect: 'allow' },
  { name: 'cluster entity is not world', source: 'semantics.md §3.5', policies: bIngress('  - fromEntities: [cluster]'), ask: { from: 'ip:198.51.100.7', to: 'b', port: 8080 }, expect: 'deny' },
  { name: 'remote-node entity selects another node', source: 'semantics.md §3.4, §3.5', policies: bIngress('  - fromEntities: [remote-node]'), ask: { from: 'node:kind-control-plane', to: 'b', port: 8080 }, expect: 'allow' },
  { name: 'all entity selects everything', source: 'semantics.md §3.5', policies: bIngress('  - fromEntities: [all]'), ask: { from: 'ip:198.51.100.7', to: 'b', port: 8080 }, expect: 'allow', matchType: 'all' },
  // --- host (§4.8) ---
  { name: 'the local host may always reach pods (allow-localhost)', source: 'semantics.md §4.8', policies: bIngress('  - {}'), ask: { from: 'node:kind-worker', to: 'b', port: 8080 }, expect: 'allow' },
  { name: 'other nodes are not allowed by default', source: 'semantics.md §4.8 (nothing auto-allowed for remote-node)', policies: bIngress('  - {}'), ask: { from: 'node:kind-control-plane', to: 'b', port: 8080 }, expect: 'deny' },
  { name: 'a deny of the host beats allow-localhost', source: 'semantics.md §4.8', policies: cnp('p', 'endpointSelector: {matchLabels: {app: b}}\ningressDeny:\n  - fromEntities: [host]'), ask: { from: 'node:kind-worker', to: 'b', port: 8080 }, expect: 'deny', dropReason: 'POLICY_DENY' },
  { name: 'host policies are not enforced without the host firewall', source: 'semantics.md §7 (enable-host-firewall off by default)', policies: ccnp('h', 'nodeSelector: {}\negress:\n  - {}'), ask: { from: 'node:kind-worker', to: 'b', port: 8080 }, expect: 'allow' },
  // --- each node's view of the nodes (semantics.md §3.4; pkg/node/manager.go nodeIdentityLabels: the local node is reserved:host) ---
  { name: 'a pod on the control-plane node sees its own node as host and kube-apiserver', source: 'semantics.md §3.4 (identity 1 gets reserved:kube-apiserver where the apiserver runs); pkg/node/manager.go nodeIdentityLabels; cilium-cli builder/pod_to_k8s_on_controlplane.go', policies: CP_POD + cnp('p', 'endpointSelector: {matchLabels: {app: cp}}\negress:\n  - toEntities: [kube-apiserver]'), ask: { from: 'cp', to: 'node:kind-control-plane', port: 6443 }, expect: 'allow', matchType: 'L3-Only' },
  { name: 'a pod on the control-plane node: toEntities host is its own node', source: 'pkg/node/manager.go nodeIdentityLabels (IsLocal → reserved:host)', policies: CP_POD + cnp('p', 'endpointSelector: {matchLabels: {app: cp}}\negress:\n  - toEntities: [host]'), ask: { from: 'cp', to: 'node:kind-control-plane', port: 10250 }, expect: 'allow' },
  { name: 'a pod on the control-plane node: a worker is a remote node, not host', source: 'pkg/node/manager.go nodeIdentityLabels (other nodes: reserved:remote-node)', policies: CP_POD + cnp('p', 'endpointSelector: {matchLabels: {app: cp}}\negress:\n  - toEntities: [host]'), ask: { from: 'cp', to: 'node:kind-worker', port: 10250 }, expect: 'deny', side: 'egress' },
  { name: 'a pod on a worker: the control-plane node is kube-apiserver, not host', source: 'semantics.md §3.4 (identity 7 = kube-apiserver on a remote node)', policies: aEgress('  - toEntities: [host]'), ask: { from: 'a', to: 'node:kind-control-plane', port: 6443 }, expect: 'deny', side: 'egress' },
  { name: 'host firewall: nodeSelector is matched against the enforcing node\'s labels', source: 'semantics.md §2.2 (nodeSelector selects the host endpoint by its node labels); pkg/node/manager.go', policies: ccnp('h', 'nodeSelector: {matchLabels: {node-role.kubernetes.io/control-plane: ""}}\ningress:\n  - fromEntities: [cluster]\n    toPorts: [{ports: [{port: "6443", protocol: TCP}]}]'), ask: { from: 'a', to: 'node:kind-control-plane', port: 22 }, expect: 'deny', side: 'ingress', options: { hostFirewall: true } },
  { name: 'host firewall: a node the nodeSelector does not select is not enforced', source: 'semantics.md §2.2, §7', policies: ccnp('h', 'nodeSelector: {matchLabels: {node-role.kubernetes.io/control-plane: ""}}\ningress:\n  - fromEntities: [cluster]\n    toPorts: [{ports: [{port: "6443", protocol: TCP}]}]'), ask: { from: 'a', to: 'node:kind-worker', port: 22 }, expect: 'allow', options: { hostFirewall: true } },
  // --- policy-cidr-match-mode=nodes (pkg/node/manager.go: node addresses get CIDR labels; pkg/identity/reserved.go: remote nodes leave the reserved identities) ---
  { name: 'policy-cidr-match-mode=nodes: a CIDR rule selects a remote node', source: 'Cilium docs policy/language (policy-cidr-match-mode=nodes, cilium/cilium#28421); pkg/node/manager.go addressLabels.MergeLabels(GetCIDRLabels)', policies: bIngress('  - fromCIDR: [172.16.0.0/12]'), ask: { from: 'node:kind-control-plane', to: 'b', port: 8080 }, expect: 'allow', options: { policyCidrMatchMode: 'nodes' } },
  { name: 'policy-cidr-match-mode=nodes: a CIDR rule selects the local host', source: 'pkg/node/manager.go nodeIdentityLabels (IsLocal: the host gets the CIDR labels of its addresses) — answers semantics.md §10 item 5', policies: aEgress('  - toCIDR: [172.18.0.3/32]'), ask: { from: 'a', to: 'node:kind-worker', port: 10250 }, expect: 'allow', options: { policyCidrMatchMode: 'nodes' } },
  { name: 'policy-cidr-match-mode=nodes: entities still select nodes', source: 'cilium/cilium#28421 review ("kube-apiserver is a selectable entity, and that logic hasn\'t changed")', policies: bIngress('  - fromEntities: [remote-node]'), ask: { from: 'node:kind-control-plane', to: 'b', port: 8080 }, expect: 'allow', options: { policyCidrMatchMode: 'nodes' } },
  { name: 'policy-cidr-match-mode=nodes: a CIDR rule still never selects pods', source: 'semantics.md §4.9; cilium/cilium#9209', policies: bIngress('  - fromCIDR: [10.0.0.0/8]'), ask: toB(), expect: 'deny', options: { policyCidrMatchMode: 'nodes' } },
  // --- CIDR (§4.9) ---
  { name: 'fromCIDR allows an address inside it', source: 'semantics.md §4.9', policies: bIngress('  - fromCIDR: [198.51.100.0/24]'), ask: { from: 'ip:198.51.100.7', to: 'b', port: 8080 }, expect: 'allow' },
  { name: 'a CIDR rule never selects a pod, even inside the CIDR', source: 'semantics.md §4.9; cilium/cilium#9209', policies: bIngress('  - fromCIDR: [10.0.0.0/8]'), ask: toB(), expect: 'deny' },
  { name: 'a CIDR rule never selects a node', source: 'semantics.md §4.9 (policy-cidr-match-mode default)', policies: bIngress('  - fromCIDR: [172.16.0.0/12]'), ask: { from: 'node:kind-control-plane', to: 'b', port: 8080 }, expect: 'deny' },
  { name: 'except carves out of a CIDR set', source: 'semantics.md §1.6, §4.9', policies: bIngress('  - fromCIDRSet: [{cidr: 198.51.100.0/24, except: [198.51.100.0/28]}]'), ask: { from: 'ip:198.51.100.7', to: 'b', port: 8080 }, expect: 'deny' },
  { name: 'outside the except the CIDR set allows', source: 'semantics.md §1.6', policies: bIngress('  - fromCIDRSet: [{cidr: 198.51.100.0/24, except: [198.51.100.0/28]}]'), ask: { from: 'ip:198.51.100.77', to: 'b', port: 8080 }, expect: 'allow' },
  // CiliumCIDRGroup: pkg/policy/types/selector.go newCIDRRuleSelector (the group's label, less ExceptCIDRs); cilium-cli connectivity/builder/client_egress_to_cidrgroup_deny.go
  { name: 'cidrGroupRef selects the prefixes of the CiliumCIDRGroup', source: 'pkg/policy/api/cidr.go CIDRRule.CIDRGroupRef', policies: CIDR_GROUP + bIngress('  - fromCIDRSet: [{cidrGroupRef: partners}]'), ask: { from: 'ip:198.51.100.7', to: 'b', port: 8080 }, expect: 'allow' },
  { name: 'cidrGroupRef: an address outside the group is not selected', source: 'pkg/policy/api/cidr.go CIDRRule.CIDRGroupRef', policies: CIDR_GROUP + bIngress('  - fromCIDRSet: [{cidrGroupRef: partners}]'), ask: { from: 'ip:192.0.2.1', to: 'b', port: 8080 }, expect: 'deny' },
  { name: 'egressDeny to a CIDR group with except: the except stays allowed', source: 'selector.go newCIDRRuleSelector(ExceptCIDRs); builder/client_egress_to_cidrgroup_deny.go', policies: CIDR_GROUP + cnp('all', 'endpointSelector: {matchLabels: {app: a}}\negress:\n  - toEntities: [all]') + cnp('d', 'endpointSelector: {matchLabels: {app: a}}\negressDeny:\n  - toCIDRSet: [{cidrGroupRef: partners, except: [203.0.113.9/32]}]'), ask: { from: 'a', to: 'ip:203.0.113.9', port: 443 }, expect: 'allow' },
  { name: 'egressDeny to a CIDR group denies the rest of the group', source: 'selector.go newCIDRRuleSelector; builder/client_egress_to_cidrgroup_deny.go', policies: CIDR_GROUP + cnp('all', 'endpointSelector: {matchLabels: {app: a}}\negress:\n  - toEntities: [all]') + cnp('d', 'endpointSelector: {matchLabels: {app: a}}\negressDeny:\n  - toCIDRSet: [{cidrGroupRef: partners, except: [203.0.113.9/32]}]'), ask: { from: 'a', to: 'ip:203.0.113.10', port: 443 }, expect: 'deny', side: 'egress', dropReason: 'POLICY_DENY' },
  { name: 'cidrGroupSelector selects groups by label', source: 'pkg/policy/api/cidr.go CIDRRule.CIDRGroupSelector', policies: CIDR_GROUP + bIngress('  - fromCIDRSet: [{cidrGroupSelector: {matchLabels: {team: x}}}]'), ask: { from: 'ip:203.0.113.5', to: 'b', port: 8080 }, expect: 'allow' },
  { name: 'a cidrGroupRef to a group that does not exist selects nothing', source: 'selector.go: the group label is on no prefix', policies: bIngress('  - fromCIDRSet: [{cidrGroupRef: partners}]'), ask: { from: 'ip:198.51.100.7', to: 'b', port: 8080 }, expect: 'deny' },
  { name: '0.0.0.0/0 is the world', source: 'semantics.md §3.6', policies: bIngress('  - fromCIDR: [0.0.0.0/0]'), ask: { from: 'ip:8.8.8.8', to: 'b', port: 8080 }, expect: 'allow' },
  // --- ports (§1.10, §4.4) ---
  { name: 'endPort range: inside', source: 'semantics.md §1.10 endPort', policies: bIngress('  - toPorts: [{ports: [{port: "8000", endPort: 8090, protocol: TCP}]}]'), ask: toB(8080), expect: 'allow' },
  { name: 'endPort range: outside', source: 'semantics.md §1.10 endPort', policies: bIngress('  - toPorts: [{ports: [{port: "8000", endPort: 8090, protocol: TCP}]}]'), ask: toB(8091), expect: 'deny' },
  { name: 'protocol ANY covers UDP', source: 'semantics.md §1.10 (ANY = TCP, UDP, SCTP)', policies: bIngress('  - toPorts: [{ports: [{port: "53"}]}]'), ask: toB(53, { protocol: 'UDP' }), expect: 'allow' },
  { name: 'protocol ANY does not cover ICMP', source: 'semantics.md §1.10 (never ICMP)', policies: bIngress('  - toPorts: [{ports: [{port: "0"}]}]'), ask: { from: 'a', to: 'b', protocol: 'ICMP' }, expect: 'deny' },
  { name: 'an L3-only rule covers ICMP too', source: 'semantics.md §4.4 (L3-only: all protocols incl. ICMP)', policies: bIngress('  - fromEndpoints: [{matchLabels: {app: a}}]'), ask: { from: 'a', to: 'b', protocol: 'ICMP' }, expect: 'allow', matchType: 'L3-Only' },
  { name: 'port "0" is every port of the protocol', source: 'semantics.md §1.10', policies: bIngress('  - fromEndpoints: [{matchLabels: {app: a}}]\n    toPorts: [{ports: [{port: "0", protocol: TCP}]}]'), ask: toB(31337), expect: 'allow', matchType: 'L3-Proto' },
  { name: 'TCP rule does not allow UDP', source: 'semantics.md §4.4', policies: bIngress('  - toPorts: [{ports: [{port: "8080", protocol: TCP}]}]'), ask: toB(8080, { protocol: 'UDP' }), expect: 'deny' },
  { name: 'named port resolved against the destination pod', source: 'semantics.md §4.4 (ingress: the subject pod\'s containerPorts)', policies: bIngress('  - toPorts: [{ports: [{port: http, protocol: TCP}]}]'), ask: toB(8080), expect: 'allow' },
  { name: 'ICMP type rule: echo request allowed', source: 'semantics.md §1.11', policies: bIngress('  - icmps: [{fields: [{type: EchoRequest}]}]'), ask: { from: 'a', to: 'b', protocol: 'ICMP', icmpType: 8 }, expect: 'allow' },
  { name: 'ICMP type rule: another type denied', source: 'semantics.md §1.11 (type matched, never code)', policies: bIngress('  - icmps: [{fields: [{type: 8}]}]'), ask: { from: 'a', to: 'b', protocol: 'ICMP', icmpType: 13 }, expect: 'deny' },
  // --- both sides, services (§4.6, §4.10) ---
  { name: 'egress allowed but ingress denies: denied', source: 'semantics.md §4.6 (both sides must allow)', policies: aEgress('  - toEndpoints: [{matchLabels: {app: b}}]') + bIngress('  - {}'), ask: toB(), expect: 'deny', side: 'ingress' },
  { name: 'egress deny-all stops the connection at the source', source: 'semantics.md §4.6', policies: aEgress('  - {}'), ask: toB(), expect: 'deny', side: 'egress' },
  { name: 'a service is judged on its backend and target port', source: 'semantics.md §4.10 (after service translation); docs layer4.rst', policies: bIngress('  - toPorts: [{ports: [{port: "8080", protocol: TCP}]}]'), ask: { from: 'a', to: 'svc:svc-b', port: 80 }, expect: 'allow' },
  { name: 'allowing only the service port does not allow the service', source: 'semantics.md §4.10', policies: bIngress('  - toPorts: [{ports: [{port: "80", protocol: TCP}]}]'), ask: { from: 'a', to: 'svc:svc-b', port: 80 }, expect: 'deny' },
  { name: 'toServices with a selector allows its pods (1.17+)', source: 'semantics.md §4.10; PR cilium/cilium#34208', policies: aEgress('  - toServices: [{k8sService: {serviceName: svc-b, namespace: default}}]'), ask: toB(), expect: 'allow' },
  { name: 'toEndpoints does not cover world', source: 'semantics.md §4.14', policies: aEgress('  - toEndpoints: [{}]'), ask: { from: 'a', to: 'ip:198.51.100.7', port: 443 }, expect: 'deny' },
  // --- FQDN and DNS (§4.11, §5.7) ---
  { name: 'toFQDNs allows a name learnt through a DNS rule', source: 'semantics.md §4.11', policies: aEgress('  - toFQDNs: [{matchPattern: "*.example.com"}]\n  - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]\n    toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}]'), ask: { from: 'a', to: 'fqdn:api.example.com=203.0.113.10', port: 443 }, expect: 'allow', options: { dns: { 'api.example.com': ['203.0.113.10'] } } },
  { name: 'toFQDNs without a DNS rule learns nothing: denied', source: 'semantics.md §4.11 (interception requires an L7 DNS rule)', policies: aEgress('  - toFQDNs: [{matchPattern: "*.example.com"}]\n  - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]\n    toPorts: [{ports: [{port: "53", protocol: ANY}]}]'), ask: { from: 'a', to: 'fqdn:api.example.com=203.0.113.10', port: 443 }, expect: 'deny', options: { dns: { 'api.example.com': ['203.0.113.10'] } } },
  { name: 'matchPattern "*." never crosses a dot', source: 'semantics.md §4.11 (* = [-a-zA-Z0-9_]*)', policies: aEgress('  - toFQDNs: [{matchPattern: "*.example.com"}]\n  - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]\n    toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}]'), ask: { from: 'a', to: 'fqdn:a.b.example.com=203.0.113.11', port: 443 }, expect: 'deny', options: { dns: { 'a.b.example.com': ['203.0.113.11'] } } },
  { name: 'a DNS query matching the DNS rule is allowed', source: 'semantics.md §5.7', policies: aEgress('  - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]\n    toPorts: [{ports: [{port: "53", protocol: UDP}], rules: {dns: [{matchName: api.example.com}]}}]'), ask: { from: 'a', to: 'svc:kube-dns', port: 53, protocol: 'UDP', dns: 'API.example.com' }, expect: 'allow', l7: 'allowed' },
  { name: 'a DNS query for another name is refused', source: 'semantics.md §4.11 (REFUSED)', policies: aEgress('  - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]\n    toPorts: [{ports: [{port: "53", protocol: UDP}], rules: {dns: [{matchName: api.example.com}]}}]'), ask: { from: 'a', to: 'svc:kube-dns', port: 53, protocol: 'UDP', dns: 'evil.com' }, expect: 'deny', l7: 'denied' },
  // --- HTTP (§5.2–5.5) ---
  { name: 'HTTP: a matching request is allowed', source: 'semantics.md §5.2', policies: bIngress('  - toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {http: [{method: GET, path: /docs}]}}]'), ask: toB(8080, { http: { method: 'GET', path: '/docs' } }), expect: 'allow', l7: 'allowed' },
  { name: 'HTTP: paths are matched whole (anchored)', source: 'semantics.md §5.2 (Envoy safe_regex full match)', policies: bIngress('  - toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {http: [{method: GET, path: /docs}]}}]'), ask: toB(8080, { http: { method: 'GET', path: '/docs/x' } }), expect: 'deny', l7: 'denied' },
  { name: 'HTTP: methods are case-sensitive', source: 'semantics.md §5.2', policies: bIngress('  - toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {http: [{method: get}]}}]'), ask: toB(8080, { http: { method: 'GET', path: '/' } }), expect: 'deny', l7: 'denied' },
  { name: 'HTTP: a required header', source: 'semantics.md §5.2 headers', policies: bIngress('  - toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {http: [{headers: ["X-Token: 42"]}]}}]'), ask: toB(8080, { http: { method: 'GET', path: '/', headers: { 'x-token': '42' } } }), expect: 'allow', l7: 'allowed' },
  { name: 'HTTP: the connection itself is allowed at L4', source: 'semantics.md §5.3 (L7 denial never drops packets)', policies: bIngress('  - toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {http: [{path: /docs}]}}]'), ask: toB(8080), expect: 'allow', matchType: 'L4-Only' },
  { name: 'HTTP: an L4-only rule for the same peer and port allows every request', source: 'semantics.md §5.4 item 1; docs layer7.rst', policies: bIngress('  - toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {http: [{path: /docs}]}}]\n  - toPorts: [{ports: [{port: "8080", protocol: TCP}]}]'), ask: toB(8080, { http: { method: 'GET', path: '/admin' } }), expect: 'allow', l7: 'allowed' },
  { name: 'HTTP: L7 is only visibility when default deny is off (1.18)', source: 'semantics.md §5.5 (1.18+ ensureWildcard)', policies: cnp('p', 'endpointSelector: {matchLabels: {app: b}}\nenableDefaultDeny: {ingress: false}\ningress:\n  - toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {http: [{path: /docs}]}}]'), ask: toB(8080, { http: { method: 'GET', path: '/admin' } }), expect: 'allow' },
  // --- TLS SNI (§5.9; pkg/policy/api/l4.go PortRule.ServerNames; pkg/policy/l4.go addPolicyForSelector: len(sni) > 0 redirects) ---
  { name: 'TLS SNI: a handshake naming an allowed server passes the SNI filter', source: 'pkg/policy/api/l4.go PortRule.ServerNames ("one of the provided SNIs must be indicated in the TLS handshake"); cilium-cli builder/client_egress_tls_sni.go', policies: SNI_POLICY, ask: { from: 'a', to: 'ip:198.51.100.7', port: 443, sni: 'one.one.one.one' }, expect: 'allow', l7: 'allowed', matchType: 'L3-L4' },
  { name: 'TLS SNI: a handshake naming another server is reset by the proxy', source: 'pkg/policy/api/l4.go PortRule.ServerNames; semantics.md §5.9 (non-matching SNI → connection reset); cilium-cli client-egress-tls-sni-denied (curl exit 35)', policies: SNI_POLICY, ask: { from: 'a', to: 'ip:198.51.100.7', port: 443, sni: 'evil.example' }, expect: 'deny', l7: 'denied' },
  { name: 'TLS SNI: server names are matched without regard to case', source: 'semantics.md §5.9; TLS server names are DNS names (RFC 6066 §3)', policies: SNI_POLICY, ask: { from: 'a', to: 'ip:198.51.100.7', port: 443, sni: 'ONE.one.one.one' }, expect: 'allow', l7: 'allowed' },
  { name: 'TLS SNI: "*." stands for exactly one label', source: 'semantics.md §5.9 (ServerName type comment: *. one label)', policies: aEgress('  - toCIDR: [198.51.100.0/24]\n    toPorts: [{ports: [{port: "443", protocol: TCP}], serverNames: ["*.example.com"]}]'), ask: { from: 'a', to: 'ip:198.51.100.7', port: 443, sni: 'a.b.example.com' }, expect: 'deny', l7: 'denied' },
  { name: 'TLS SNI: "**." stands for one or more labels', source: 'semantics.md §5.9 (ServerName type comment: **. many labels, 1.18+)', policies: aEgress('  - toCIDR: [198.51.100.0/24]\n    toPorts: [{ports: [{port: "443", protocol: TCP}], serverNames: ["**.example.com"]}]'), ask: { from: 'a', to: 'ip:198.51.100.7', port: 443, sni: 'a.b.example.com' }, expect: 'allow', l7: 'allowed' },
  { name: 'TLS SNI: another rule for the peer and port without serverNames admits every server name', source: 'semantics.md §5.4 item 1 (a covering rule with no L7 restriction allows at the proxy), §5.9', policies: SNI_POLICY + aEgress('  - toCIDR: [198.51.100.0/24]\n    toPorts: [{ports: [{port: "443", protocol: TCP}]}]').replace('name: p,', 'name: q,'), ask: { from: 'a', to: 'ip:198.51.100.7', port: 443, sni: 'evil.example' }, expect: 'allow', l7: 'allowed' },
  { name: 'TLS SNI: without a known server name the connection is allowed at L3/L4 (and redirected)', source: 'pkg/policy/l4.go addPolicyForSelector (the filter is in the proxy, not the datapath)', policies: SNI_POLICY, ask: { from: 'a', to: 'ip:198.51.100.7', port: 443 }, expect: 'allow', matchType: 'L3-L4' },
  // --- authentication (§1.12) ---
  { name: 'authentication required drops until authenticated', source: 'semantics.md §1.12 (reason 189)', policies: bIngress('  - fromEndpoints: [{matchLabels: {app: a}}]\n    authentication: {mode: required}'), ask: toB(), expect: 'deny', dropReason: 'AUTH_REQUIRED' },
  // --- Kubernetes NetworkPolicy (§6) ---
  { name: 'KNP: podSelector peer in the same namespace', source: 'semantics.md §6; Kubernetes NetworkPolicy docs', policies: knp('n', 'podSelector: {matchLabels: {app: b}}\ningress:\n  - from: [{podSelector: {matchLabels: {app: a}}}]'), ask: toB(), expect: 'allow' },
  { name: 'KNP: an egress "to:" with no value is "to" left out: every destination on its ports', source: 'encoding/json decodes null as the zero value (nil slice); networking/v1 NetworkPolicyEgressRule.To "empty or missing: all destinations"; cilium-cli connectivity/builder/manifests/client-egress-to-echo-knp.yaml', policies: knp('n', 'podSelector: {matchLabels: {app: a}}\negress:\n  - to:\n    ports: [{port: 53, protocol: UDP}]'), ask: { from: 'a', to: 'b', port: 53, protocol: 'UDP' }, expect: 'allow' },
  { name: 'KNP: an egress "to:" with no value still limits the rule to its ports', source: 'as above', policies: knp('n', 'podSelector: {matchLabels: {app: a}}\negress:\n  - to:\n    ports: [{port: 53, protocol: UDP}]'), ask: toB(), expect: 'deny', side: 'egress' },
  { name: 'KNP: podSelector peer does not reach other namespaces', source: 'semantics.md §6', policies: knp('n', 'podSelector: {matchLabels: {app: b}}\ningress:\n  - from: [{podSelector: {matchLabels: {app: c}}}]'), ask: { from: 'other/c', to: 'b', port: 8080 }, expect: 'deny' },
  { name: 'KNP: namespaceSelector by label', source: 'semantics.md §6 (namespace.labels)', policies: knp('n', 'podSelector: {matchLabels: {app: b}}\ningress:\n  - from: [{namespaceSelector: {matchLabels: {team: x}}}]'), ask: { from: 'other/c', to: 'b', port: 8080 }, expect: 'allow' },
  { name: 'KNP: namespaceSelector {} with podSelector spans namespaces', source: 'pkg/k8s/network_policy.go parseNetworkPolicyPeer (empty namespaceSelector = namespace label Exists)', policies: knp('n', 'podSelector: {matchLabels: {app: b}}\ningress:\n  - from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: c}}}]'), ask: { from: 'other/c', to: 'b', port: 8080 }, expect: 'allow' },
  { name: 'KNP: namespaceSelector {} selects pods only, not the world', source: 'pkg/k8s/network_policy.go parseNetworkPolicyPeer; semantics.md §6', policies: knp('n', 'podSelector: {matchLabels: {app: b}}\ningress:\n  - from: [{namespaceSelector: {}}]'), ask: { from: 'ip:198.51.100.7', to: 'b', port: 8080 }, expect: 'deny' },
  { name: 'KNP: ingress rules apply even when policyTypes lists only Egress', source: 'pkg/k8s/network_policy.go ParseNetworkPolicy (ingress translated regardless of policyTypes); semantics.md §6 quirk', policies: knp('n', 'podSelector: {matchLabels: {app: b}}\npolicyTypes: [Egress]\ningress:\n  - from: [{podSelector: {matchLabels: {app: c}}}]'), ask: toB(), expect: 'deny' },
  { name: 'KNP: an ingress rule without from allows everyone', source: 'semantics.md §6 (from absent = wildcard)', policies: knp('n', 'podSelector: {matchLabels: {app: b}}\ningress:\n  - ports: [{port: 8080}]'), ask: { from: 'ip:198.51.100.7', to: 'b', port: 8080 }, expect: 'allow', matchType: 'L4-Only' },
  { name: 'KNP: ipBlock never selects pods', source: 'semantics.md §6 (cilium/cilium#9209)', policies: knp('n', 'podSelector: {matchLabels: {app: b}}\ningress:\n  - from: [{ipBlock: {cidr: 10.0.0.0/8}}]'), ask: toB(), expect: 'deny' },
  { name: 'KNP: policyTypes [Ingress] with no rules denies all ingress', source: 'semantics.md §6 policyTypes', policies: knp('n', 'podSelector: {}\npolicyTypes: [Ingress]'), ask: toB(), expect: 'deny' },
  { name: 'KNP: policyTypes [Egress] with no rules denies all egress', source: 'semantics.md §6 policyTypes', policies: knp('n', 'podSelector: {matchLabels: {app: a}}\npolicyTypes: [Egress]'), ask: toB(), expect: 'deny', side: 'egress' },
  { name: 'KNP: an Egress-only policy leaves ingress open', source: 'semantics.md §6 policyTypes', policies: knp('n', 'podSelector: {matchLabels: {app: b}}\npolicyTypes: [Egress]'), ask: toB(), expect: 'allow' },
  { name: 'KNP: ports default to TCP', source: 'semantics.md §6 parsePorts', policies: knp('n', 'podSelector: {matchLabels: {app: b}}\ningress:\n  - ports: [{port: 8080}]'), ask: toB(8080, { protocol: 'UDP' }), expect: 'deny' },
  // --- named ports (§4.4; research notes on pkg/policy/l4.go toMapState and pkg/types/portmap.go) ---
  { name: 'KNP named port: resolved against the destination pod', source: 'pkg/k8s/network_policy.go parsePorts (named port kept as a name); pkg/policy/l4.go toMapState → Endpoint.GetNamedPort (ingress: the pod\'s own ports)', policies: knp('n', 'podSelector: {matchLabels: {app: b}}\ningress:\n  - ports: [{port: http}]'), ask: toB(8080), expect: 'allow', matchType: 'L4-Only' },
  { name: 'KNP named port: another port of the pod is not covered', source: 'pkg/policy/l4.go toMapState', policies: knp('n', 'podSelector: {matchLabels: {app: b}}\ningress:\n  - ports: [{port: http}]'), ask: toB(9090), expect: 'deny' },
  { name: 'a named port the pod does not have allows nothing', source: 'pkg/policy/l4.go toMapState (GetNamedPort error: the filter adds no keys); semantics.md §4.4', policies: bIngress('  - toPorts: [{ports: [{port: metrics, protocol: TCP}]}]'), ask: toB(9153), expect: 'deny', dropReason: 'POLICY_DENIED' },
  { name: 'a named port resolves only for its own protocol', source: 'pkg/types/portmap.go ErrIncompatibleProtocol', policies: bIngress('  - toPorts: [{ports: [{port: dns, protocol: TCP}]}]'), ask: toB(53), expect: 'deny' },
  { name: 'a named port with protocol ANY resolves per protocol', source: 'pkg/policy/rule.go mergePortProto (ANY expands to TCP/UDP/SCTP); pkg/types/portmap.go', policies: bIngress('  - toPorts: [{ports: [{port: dns}]}]'), ask: toB(53, { protocol: 'UDP' }), expect: 'allow' },
  { name: 'named port with endPort: the range starts at the resolved number', source: 'pkg/policy/l4.go toMapState PortRangeToMaskedPorts(resolved, endPort) (code; the docs say endPort is ignored) — semantics.md §10 item 10', policies: bIngress('  - toPorts: [{ports: [{port: http, endPort: 8090, protocol: TCP}]}]'), ask: toB(8085), expect: 'allow' },
  { name: 'egress named port: resolved across all pods when they agree', source: 'pkg/types/portmap.go namedPortMultiMap.GetNamedPort (egress uses the ports of all pods, 1.18)', policies: aEgress('  - toEndpoints: [{matchLabels: {app: b}}]\n    toPorts: [{ports: [{port: http, protocol: TCP}]}]'), ask: toB(8080), expect: 'allow' },
  { name: 'egress named port: two pods defining it differently drop the rule', source: 'pkg/types/portmap.go ErrDuplicateNamedPorts; cilium/cilium#30003', policies: '---\napiVersion: v1\nkind: Pod\nmetadata: {name: d, namespace: other, labels: {app: d}}\nspec:\n  containers: [{name: c, ports: [{name: http, containerPort: 9000}]}]\n' + aEgress('  - toEndpoints: [{matchLabels: {app: b}}]\n    toPorts: [{ports: [{port: http, protocol: TCP}]}]'), ask: toB(8080), expect: 'deny', side: 'egress' },
  // --- mutual authentication (bpf/lib/policy.h __policy_check; pkg/policy/mapstate.go authPreferredInsert) ---
  { name: 'auth: the chosen L4 entry requires it, beside an L3 allow without', source: 'bpf/lib/policy.h __policy_can_access (longer port prefix wins) and __policy_check (explicit auth of the chosen entry)', policies: bIngress('  - fromEndpoints: [{matchLabels: {app: a}}]\n  - toPorts: [{ports: [{port: "8080", protocol: TCP}]}]\n    authentication: {mode: required}'), ask: toB(), expect: 'deny', dropReason: 'AUTH_REQUIRED' },
  { name: 'auth: the chosen L4 entry inherits it from the L3 entry of the other lookup', source: 'bpf/lib/policy.h __policy_check (no explicit auth: the higher auth type of the two lookups)', policies: bIngress('  - fromEndpoints: [{matchLabels: {app: a}}]\n    authentication: {mode: required}\n  - toPorts: [{ports: [{port: "8080", protocol: TCP}]}]'), ask: toB(), expect: 'deny', dropReason: 'AUTH_REQUIRED' },
  { name: 'auth: an explicit mode disabled keeps the chosen entry open', source: 'bpf/lib/policy.h __policy_check (has_explicit_auth_type keeps its own type); pkg/policy/l4.go getAuthType', policies: bIngress('  - fromEndpoints: [{matchLabels: {app: a}}]\n    authentication: {mode: required}\n  - toPorts: [{ports: [{port: "8080", protocol: TCP}]}]\n    authentication: {mode: disabled}'), ask: toB(), expect: 'allow' },
  { name: 'auth: peers without the L3 entry need no authentication', source: 'bpf/lib/policy.h (the L3 lookup finds nothing for other identities)', policies: bIngress('  - fromEndpoints: [{matchLabels: {app: a}}]\n    authentication: {mode: required}\n  - toPorts: [{ports: [{port: "8080", protocol: TCP}]}]'), ask: { from: 'other/c', to: 'b', port: 8080 }, expect: 'allow' },
  { name: 'auth: a more specific key of the same identity derives it', source: 'pkg/policy/mapstate.go authPreferredInsert (derived from the covering key of the same identity)', policies: bIngress('  - fromEndpoints: [{matchLabels: {app: a}}]\n    authentication: {mode: required}\n  - fromEndpoints: [{matchLabels: {app: a}}]\n    toPorts: [{ports: [{port: "8080", protocol: TCP}]}]'), ask: toB(), expect: 'deny', dropReason: 'AUTH_REQUIRED' },
  { name: 'auth: test-always-fail always drops', source: 'semantics.md §1.12; pkg/policy/types/auth.go', policies: bIngress('  - fromEndpoints: [{matchLabels: {app: a}}]\n    authentication: {mode: test-always-fail}'), ask: toB(), expect: 'deny', dropReason: 'AUTH_REQUIRED' },
  // --- where traffic really goes (§4.10; bpf/bpf_sock.c, bpf/bpf_lxc.c) ---
  { name: 'a pod talking to itself is never policed', source: 'bpf/bpf_lxc.c (traffic to its own address stays on lo in the pod netns; hairpin skips policy: handle_ipv4_from_lxc hairpin_flow)', policies: cnp('p', 'endpointSelector: {matchLabels: {app: a}}\ningress:\n  - {}\negress:\n  - {}'), ask: { from: 'a', to: 'a', port: 8080 }, expect: 'allow' },
  { name: 'a ClusterIP is translated to the backend, whose ingress decides', source: 'bpf/bpf_sock.c __sock4_xlate_fwd (socket LB before policy); semantics.md §4.10', policies: bIngress('  - {}'), ask: { from: 'a', to: 'clusterip:svc-b', port: 80 }, expect: 'deny', side: 'ingress' },
  { name: 'a ClusterIP is judged on the target port', source: 'docs policy/language.rst (L4 policy applies after service port mapping); semantics.md §4.10', policies: bIngress('  - toPorts: [{ports: [{port: "8080", protocol: TCP}]}]'), ask: { from: 'a', to: 'clusterip:svc-b', port: 80 }, expect: 'allow' },
  { name: 'a NodePort on a node address reaches the backend', source: 'bpf/bpf_sock.c sock4_wildcard_lookup (host / remote-node address + NodePort)', policies: '---\napiVersion: v1\nkind: Service\nmetadata: {name: np, namespace: default}\nspec: {type: NodePort, selector: {app: b}, ports: [{port: 80, targetPort: 8080, nodePort: 30080}]}\n' + bIngress('  - {}'), ask: { from: 'a', to: 'node:kind-worker', port: 30080 }, expect: 'deny', side: 'ingress' },
  { name: 'a pod addressed by its IP is that pod, with its identity', source: 'semantics.md §3.4 (the ipcache maps a pod IP to the pod identity)', policies: `${bIngress('  - fromEndpoints: [{matchLabels: {app: a}}]')}# a fresh engine: pod a not asked about before\n`, ask: { from: 'podip:a', to: 'b', port: 8080 }, expect: 'allow', matchType: 'L3-Only' },
];

describe('TLS SNI filters are proxy redirects (pkg/policy/l4.go addPolicyForSelector: isRedirect when len(sni) > 0)', () => {
  test('the verdict marks the redirect and its reason says an SNI filter applies', () => {
    const [v, r] = verdicts(SNI_POLICY, { from: 'a', to: 'ip:198.51.100.7', port: 443 });
    assert.equal(v.redirect, true);
    assert.equal(r.redirect, true);
    assert.match(v.reason, /SNI filter applies \(serverNames: \[one\.one\.one\.one\]\)/);
    const e = explainAsk(SNI_POLICY, { from: 'a', to: 'ip:198.51.100.7', port: 443 });
    assert.equal(e.egress?.redirect, true);
    assert.match(e.egress?.decidedBy[0]?.ports ?? '', /SNI filter: serverNames: \[one\.one\.one\.one\]/);
  });
  test('a refused server name is explained as the SNI filter\'s, with the TLS reset', () => {
    const e = explainAsk(SNI_POLICY, { from: 'a', to: 'ip:198.51.100.7', port: 443, sni: 'evil.example' });
    assert.equal(e.l7?.protocol, 'tls');
    assert.equal(e.l7?.allowed, false);
    assert.match(e.l7?.response ?? '', /TLS handshake reset/);
    assert.match(e.l7?.detail ?? '', /SNI filter applies: the TLS server name evil\.example is not among the allowed ones \(serverNames: \[one\.one\.one\.one\]\)/);
    assert.match(e.reason, /SNI filter applies/);
  });
  test('a port without serverNames is not redirected and carries no mark', () => {
    const [v] = verdicts(aEgress('  - toCIDR: [198.51.100.0/24]\n    toPorts: [{ports: [{port: "443", protocol: TCP}]}]'), { from: 'a', to: 'ip:198.51.100.7', port: 443 });
    assert.equal(v.redirect, undefined);
  });
});

// Every row runs on the three evaluators, the way one shared suite runs against every implementation:
// `verdict` (compiled, compact), `explain` (the same decision with its rules) and the rule-by-rule reference.
describe('verdict semantics', () => {
  for (const c of cases) {
    test(`${c.name} [${c.source}]`, () => {
      const e = explainAsk(c.policies, c.ask, c.options);
      const [v, r] = verdicts(c.policies, c.ask, c.options);
      for (const [who, got] of [['explain', e.verdict], ['verdict', v.verdict], ['reference', r.verdict]] as const) {
        assert.equal(got, c.expect, `${who}: ${who === 'explain' ? e.reason : who === 'verdict' ? v.reason : r.reason}`);
      }
      const deniedSide = e.egress?.verdict === 'deny' ? 'egress' : e.ingress?.verdict === 'deny' ? 'ingress' : e.l7?.allowed === false ? 'l7' : undefined;
      assert.equal(v.deniedAt, deniedSide, 'verdict and explain agree on where it was denied');
      assert.equal(r.deniedAt, deniedSide, 'reference and explain agree on where it was denied');
      assert.equal(v.dropReason, r.dropReason, 'verdict and reference agree on the drop reason');
      const side = c.side ? e[c.side] : (e.ingress?.verdict === 'deny' || !e.egress ? e.ingress : e.egress.verdict === 'deny' ? e.egress : e.ingress ?? e.egress);
      if (c.side) assert.equal(side?.verdict, 'deny', `expected the ${c.side} side to deny: ${e.reason}`);
      if (c.dropReason) {
        assert.equal((e.egress?.dropReason ?? e.ingress?.dropReason), c.dropReason);
        assert.equal(v.dropReason, c.dropReason);
      }
      if (c.matchType) assert.equal(side?.matchType, c.matchType, JSON.stringify(side));
      if (c.l7) assert.equal(e.l7?.allowed, c.l7 === 'allowed', JSON.stringify(e.l7));
    });
  }
});
