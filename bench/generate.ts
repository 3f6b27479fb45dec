/**
 * @module bench/generate
 *
 * Synthetic clusters for benchmarks: namespaces, deployments, services and a
 * mix of CiliumNetworkPolicies and NetworkPolicies, as YAML text.
 */

/** `count` objects: per namespace one Namespace, then Deployments, Services and policies in turn. */
export function generateManifests(count: number): string {
  const docs: string[] = [];
  let i = 0;
  while (docs.length < count) {
    const ns = `team-${Math.floor(i / 40)}`;
    const app = `app-${i}`;
    switch (i % 4) {
      case 0:
        docs.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}-${i}\n  labels:\n    team: t${i % 17}\n`);
        break;
      case 1:
        docs.push(`apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${app}\n  namespace: ${ns}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: ${app}}\n  template:\n    metadata:\n      labels:\n        app: ${app}\n        tier: t${i % 5}\n    spec:\n      containers:\n        - name: main\n          image: nginx\n          ports:\n            - {name: http, containerPort: 8080}\n`);
        break;
      case 2:
        docs.push(`apiVersion: v1\nkind: Service\nmetadata:\n  name: ${app}\n  namespace: ${ns}\nspec:\n  selector: {app: app-${i - 1}}\n  ports:\n    - port: 80\n      targetPort: http\n`);
        break;
      default:
        docs.push(i % 8 === 3
          ? `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: p-${i}\n  namespace: ${ns}\nspec:\n  endpointSelector:\n    matchLabels: {tier: t${i % 5}}\n  ingress:\n    - fromEndpoints:\n        - matchLabels: {app: app-${i - 2}}\n      toPorts:\n        - ports:\n            - {port: "8080", protocol: TCP}\n          rules:\n            http:\n              - {method: GET, path: "/api/.*"}\n  egress:\n    - toFQDNs:\n        - matchPattern: "*.example.com"\n    - toCIDRSet:\n        - cidr: 10.${i % 250}.0.0/16\n          except: [10.${i % 250}.1.0/24]\n`
          : `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np-${i}\n  namespace: ${ns}\nspec:\n  podSelector:\n    matchLabels: {tier: t${i % 5}}\n  policyTypes: [Ingress]\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels: {team: t${i % 17}}\n      ports:\n        - {port: 8080, protocol: TCP}\n`);
    }
    i++;
  }
  return docs.join('---\n');
}

/**
 * A cluster of `pods` pods (Deployments of 5 replicas over namespaces of 40
 * deployments, ~1,000 distinct label sets) and `policies` mixed policies:
 * CNP L3/L4 and L7, CCNP with entities and CIDRs, deny rules, Kubernetes
 * NetworkPolicies with namespace selectors.
 */
export function generateCluster(pods: number, policies: number): string {
  const docs: string[] = [];
  const deployments = Math.ceil(pods / 5);
  for (let i = 0; i < deployments; i++) {
    const ns = `ns-${Math.floor(i / 40)}`;
    if (i % 40 === 0) docs.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n  labels: {team: t${Math.floor(i / 40) % 7}}\n`);
    docs.push(`apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app-${i % 1000}-${i}, namespace: ${ns}}\nspec:\n  replicas: 5\n  template:\n    metadata:\n      labels: {app: app-${i % 1000}, tier: t${i % 5}}\n    spec:\n      containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]\n`);
  }
  const nsCount = Math.ceil(deployments / 40);
  for (let i = 0; i < policies; i++) {
    const ns = `ns-${i % nsCount}`;
    switch (i % 5) {
      case 0:
        docs.push(`apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: l4-${i}, namespace: ${ns}}\nspec:\n  endpointSelector: {matchLabels: {tier: t${i % 5}}}\n  ingress:\n    - fromEndpoints: [{matchLabels: {tier: t${(i + 1) % 5}}}]\n      toPorts: [{ports: [{port: "8080", protocol: TCP}]}]\n  egress:\n    - toEndpoints: [{matchLabels: {app: app-${(i * 7) % 1000}}}]\n    - toEntities: [world]\n      toPorts: [{ports: [{port: "443", protocol: TCP}]}]\n`);
        break;
      case 1:
        docs.push(`apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: l7-${i}, namespace: ${ns}}\nspec:\n  endpointSelector: {matchLabels: {app: app-${i % 1000}}}\n  ingress:\n    - fromEndpoints: [{matchLabels: {tier: t${i % 5}}}]\n      toPorts:\n        - ports: [{port: "8080", endPort: 8090, protocol: TCP}]\n          rules:\n            http: [{method: GET, path: "/api/v[0-9]+/.*"}]\n`);
        break;
      case 2:
        docs.push(`apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: cw-${i}}\nspec:\n  endpointSelector: {matchLabels: {tier: t${i % 5}}}\n  ingress:\n    - fromEntities: [cluster]\n    - fromCIDRSet: [{cidr: 10.${i % 200}.0.0/16, except: [10.${i % 200}.1.0/24]}]\n`);
        break;
      case 3:
        docs.push(`apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: deny-${i}, namespace: ${ns}}\nspec:\n  endpointSelector: {matchLabels: {app: app-${(i * 3) % 1000}}}\n  ingressDeny:\n    - fromEndpoints: [{matchLabels: {tier: t${(i + 2) % 5}}}]\n      toPorts: [{ports: [{port: "22", protocol: TCP}]}]\n`);
        break;
      default:
        docs.push(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np-${i}, namespace: ${ns}}\nspec:\n  podSelector: {matchLabels: {tier: t${i % 5}}}\n  policyTypes: [Ingress, Egress]\n  ingress:\n    - from: [{namespaceSelector: {matchLabels: {team: t${i % 7}}}}]\n      ports: [{port: 8080}]\n  egress:\n    - to: [{podSelector: {}}]\n`);
    }
  }
  return docs.join('---\n');
}
