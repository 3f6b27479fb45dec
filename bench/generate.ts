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
