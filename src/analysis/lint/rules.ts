/**
 * @module analysis/lint/rules
 *
 * The catalogue of lint rules: id, default severity, whether it runs by
 * default, a one-line title and the explanation a reviewer reads (also
 * what SARIF's rule metadata carries, so code scanning shows it beside the
 * line). The checks themselves are in `checks.ts`; this list is what
 * `--enable/--disable`, the config file and the reports agree on.
 */
import type { Severity } from '../../diagnostics/diagnostic.js';

export interface LintRule {
  readonly id: string;
  readonly severity: Severity;
  /** Off unless enabled (`--enable ID` or the config file): noisy on purpose-built clusters. */
  readonly optIn?: true;
  readonly title: string;
  /** Why it matters, in Cilium's terms. */
  readonly explanation: string;
}

export const LINT_RULES: readonly LintRule[] = [
  {
    id: 'port-rule-without-peer', severity: 'warning', title: 'a port rule became a rule of its own, without peers',
    explanation: 'A "-" before toPorts (or before ports in a NetworkPolicy) starts a new list item: the item before it allows every port to/from its peers, and the port item allows those ports to/from anyone. The seed tutorial\'s "Combining Policies" example has this mistake.',
  },
  {
    id: 'dns-blocked', severity: 'warning', title: 'default-deny egress blocks DNS',
    explanation: 'Once an egress rule selects a pod, everything it does not allow is dropped, DNS included: without a rule reaching kube-dns on 53/UDP every name lookup of the pod times out.',
  },
  {
    id: 'fqdn-not-learnt', severity: 'warning', title: 'toFQDNs without a DNS rule that lets the names be learnt',
    explanation: 'Cilium learns the addresses of a toFQDNs name only from DNS answers that pass its DNS proxy, which needs an egress rule to kube-dns with `rules: dns`. Without it the name is never learnt and the toFQDNs rule never matches.',
  },
  {
    id: 'port-any-protocol', severity: 'info', title: 'a port without a protocol where the pods listen on TCP only',
    explanation: 'A port written without protocol (or with ANY) allows TCP, UDP and SCTP. When the selected pods declare that port for TCP only, `protocol: TCP` says what is meant and opens no more.',
  },
  {
    id: 'port-not-listening', severity: 'warning', title: 'a port no container of the selected pods declares',
    explanation: 'The rule allows a port that no container of the pods it protects (or reaches) declares: often a Service port written where the container port (targetPort) is meant. Policy is checked after Service translation, on the container port.',
  },
  {
    id: 'one-sided-allow', severity: 'warning', title: 'allowed on one side only',
    explanation: 'A connection between two pods needs the source\'s egress and the destination\'s ingress to allow it. This rule allows it on its side while the other side denies it, so the connection is still dropped.',
  },
  {
    id: 'selects-nothing', severity: 'warning', title: 'a selector that selects nothing in the given cluster',
    explanation: 'The policy\'s endpointSelector/podSelector, or a peer selector, matches no pod of the manifests given: a misspelt label or a missing namespace term. (Only as good as the manifests: pass the workloads too.)',
  },
  {
    id: 'unknown-namespace', severity: 'warning', title: 'a policy in a namespace that does not exist',
    explanation: 'No Namespace object declares the policy\'s namespace and no pod runs in it: kubectl apply fails with "namespaces not found", or the policy protects nothing.',
  },
  {
    id: 'namespace-in-cnp-selector', severity: 'warning', title: 'a namespace label in a CiliumNetworkPolicy endpointSelector',
    explanation: 'A CiliumNetworkPolicy only ever selects pods of its own namespace: Cilium overwrites k8s:io.kubernetes.pod.namespace with it, and an unprefixed io.kubernetes.pod.namespace with another value makes the selector match nothing. Use a CiliumClusterwideNetworkPolicy to select other namespaces.',
  },
  {
    id: 'ccnp-namespace-name', severity: 'warning', title: 'io.kubernetes.pod.namespace in a CCNP given a namespace label instead of a name',
    explanation: 'io.kubernetes.pod.namespace matches a namespace by its name. The value given is no namespace\'s name but is the value of a namespace label: to select namespaces by label, write io.cilium.k8s.namespace.labels.KEY: VALUE.',
  },
  {
    id: 'cidr-covers-cluster', severity: 'warning', title: 'a CIDR rule covering the pod or service CIDR',
    explanation: 'CIDR selectors never match pods (a pod\'s address has the pod\'s identity, not a CIDR identity) and Services are translated to their backends before policy is checked, so the part of the CIDR inside the pod or service CIDR matches nothing. Select pods with endpoint selectors.',
  },
  {
    id: 'toservices-any-peer', severity: 'warning', title: 'a toServices rule with ports that selects no Service (it allows every peer on them)',
    explanation: 'Cilium turns toServices into the Service\'s pods (or, without a selector, its endpoint addresses) and selects nothing through toServices itself. When no Service is found, or it has no endpoints, or the rule is an egressDeny (whose toServices Cilium never translates), the rule has ports and no peer, and applies to every peer on those ports, the world included (cilium/cilium#20067).',
  },
  {
    id: 'cidr-targets-clusterip', severity: 'warning', title: 'a CIDR rule aimed at a Service ClusterIP',
    explanation: 'Policy is checked after the ClusterIP is translated to a backend pod, so a CIDR/ipBlock on the ClusterIP never matches. Select the Service\'s pods (toEndpoints, or toServices).',
  },
  {
    id: 'l7-without-effect', severity: 'warning', title: 'L7 rules on a port also allowed at L4 for the same peer',
    explanation: 'When another rule allows the same peer on the same port without L7 rules, the proxy lets every request through: the HTTP/Kafka/DNS rules filter nothing.',
  },
  {
    id: 'http-in-host-policy', severity: 'warning', title: 'HTTP rules in a host policy',
    explanation: 'L7 rules are not supported in host policies (nodeSelector): Cilium does not redirect host traffic to its proxy, so these rules filter nothing.',
  },
  {
    id: 'l7-without-default-deny', severity: 'warning', title: 'enableDefaultDeny false together with L7 rules',
    explanation: 'With enableDefaultDeny false for the direction, Cilium 1.18 adds an allow-all beside the rules, so L7 rules only give visibility: no request is refused.',
  },
  {
    id: 'too-many-ports', severity: 'error', title: 'more than 40 ports in one port rule',
    explanation: 'Cilium refuses a port rule with more than 40 ports ("too many ports, the max is 40"), and with it the whole policy. Split them over several port rules or use a range (endPort).',
  },
  {
    id: 'shadowed-rule', severity: 'info', optIn: true, title: 'a rule shadowed by a broader one',
    explanation: 'Every connection this rule allows is already allowed by a broader rule of a policy selecting the same pods: removing either changes nothing, which is often not what the author thought.',
  },
  {
    id: 'unselected-pod', severity: 'info', optIn: true, title: 'a pod selected by no policy',
    explanation: 'No policy selects the pod in either direction, so everything may reach it and it may reach everything.',
  },
  {
    id: 'mixed-policy-kinds', severity: 'info', title: 'NetworkPolicy and CiliumNetworkPolicy on the same pods',
    explanation: 'Cilium enforces both as a union of allows per direction; reviewers reading one kind miss what the other allows. Prefer one kind per workload.',
  },
];

export const LINT_RULE_IDS: ReadonlySet<string> = new Set(LINT_RULES.map((r) => r.id));

export function lintRule(id: string): LintRule | undefined {
  return LINT_RULES.find((r) => r.id === id);
}
