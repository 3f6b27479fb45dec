/**
 * @module test/conformance/cilium-connectivity-model
 *
 * The cluster `cilium connectivity test` builds, written as the manifests
 * polis reads, and the two steps cilium-cli applies to its policy files
 * before `kubectl apply`: rendering their Go templates with the test
 * parameters, and moving them (and the namespace they name) into the test
 * namespace. The conformance test (cilium-connectivity.test.ts) replays the
 * suite's scenarios against this cluster, so every name, label and port
 * here is the suite's own, from cilium/cilium cilium-cli/connectivity at the
 * commit in testdata/cilium-connectivity/SOURCES.md:
 * - workloads: check/deployment.go (newDeployment, newService, deploy()),
 * - parameters: cli/connectivity.go flag defaults, check/features.go (cluster name),
 * - template rendering: builder/builder.go renderTemplates, builder/manifests/template,
 * - namespace tweak: check/policy.go tweakPolicy / configureNamespaceIn*.
 */

/** `--test-namespace` default `cilium-test`, suffixed with the sequence number (cli/connectivity.go). */
export const NS = 'cilium-test-1';
/** The namespace the policy files name; cilium-cli rewrites it to {@link NS} (check/policy.go). */
export const FILE_NAMESPACE = 'cilium-test';

/** Template parameters: the flag defaults of cli/connectivity.go; cluster name `default` (check/features.go). */
export const PARAMS: Readonly<Record<string, string>> = {
  TestNamespace: NS,
  ExternalTarget: 'one.one.one.one.',
  ExternalOtherTarget: 'k8s.io.',
  ExternalCIDRv4: '1.0.0.0/8',
  ExternalCIDRv6: '2606:4700:4700::/96',
  ExternalIPv4: '1.1.1.1',
  ExternalIPv6: '2606:4700:4700::1111',
  ExternalOtherIPv4: '1.0.0.1',
  ExternalOtherIPv6: '2606:4700:4700::1001',
  ExternalTargetCAName: 'cabundle',
  /** Defaults to the test namespace when not given (cli/connectivity.go). */
  ExternalTargetCANamespace: NS,
  ClusterNameLocal: 'default',
  ClusterNameRemote: 'default',
};

/**
 * What the cluster's resolver answers for the external targets (public DNS:
 * one.one.one.one has A records 1.1.1.1 and 1.0.0.1; k8s.io 34.107.204.206).
 * Lower-case names without the trailing dot, as polis keys them.
 */
export const DNS_ANSWERS: ReadonlyMap<string, readonly string[]> = new Map([
  ['one.one.one.one', ['1.1.1.1', '1.0.0.1']],
  ['k8s.io', ['34.107.204.206']],
]);

/** kind's nodes for a two-worker cluster: the clients and echo-same-node on one worker, client3 and echo-other-node on the other. */
export const NODES = [
  { name: 'kind-control-plane', ip: '172.18.0.2', controlPlane: true },
  { name: 'kind-worker', ip: '172.18.0.3', controlPlane: false },
  { name: 'kind-worker2', ip: '172.18.0.4', controlPlane: false },
] as const;
export const SAME_NODE = 'kind-worker';
/**
 * A node without Cilium (features.NodeWithoutCilium), where the
 * host-netns-non-cilium DaemonSet runs. It is no Node of the model: Cilium
 * learns nodes from CiliumNodes, which such a node lacks, so to Cilium its
 * address is outside the cluster (world), and that is how polis sees an
 * address that is no node's.
 */
export const NODE_WITHOUT_CILIUM = { name: 'kind-worker3', ip: '172.18.0.5' } as const;
/** List parameters of the templates (`range`): check.go nodesWithoutCiliumIP {IP, Mask}. */
export const LIST_PARAMS: Readonly<Record<string, readonly Readonly<Record<string, string>>[]>> = {
  NodesWithoutCiliumIPs: [{ IP: NODE_WITHOUT_CILIUM.ip, Mask: '32' }],
};
export const OTHER_NODE = 'kind-worker2';

export interface Workload {
  readonly name: string;
  /** The pod labels: `name` and `kind` (newDeployment) plus the deployment's own. */
  readonly labels: Readonly<Record<string, string>>;
  readonly node: string;
  /** Container port and its name (deploymentParameters.Port / NamedPort). */
  readonly port?: { readonly number: number; readonly name: string };
}

/**
 * The client and echo Deployments of deploy() (check/deployment.go). polis
 * does not model pod (anti-)affinity, so the placement the affinities force
 * (client2 beside client, client3 away from it; echo-same-node beside
 * client, echo-other-node away) is written as nodeName.
 */
export const WORKLOADS: readonly Workload[] = [
  { name: 'client', labels: { name: 'client', kind: 'client' }, node: SAME_NODE },
  { name: 'client2', labels: { name: 'client2', kind: 'client', other: 'client' }, node: SAME_NODE },
  { name: 'client3', labels: { name: 'client3', kind: 'client', other: 'client-other-node' }, node: OTHER_NODE },
  { name: 'echo-same-node', labels: { name: 'echo-same-node', kind: 'echo', other: 'echo' }, node: SAME_NODE, port: { number: 8080, name: 'http-8080' } },
  { name: 'echo-other-node', labels: { name: 'echo-other-node', kind: 'echo', first: 'echo' }, node: OTHER_NODE, port: { number: 8080, name: 'http-8080' } },
];
export const CLIENTS = WORKLOADS.filter((w) => w.labels.kind === 'client');
/**
 * With --k8s-localhost-test: `client-cp` (kind client, other=client), one
 * replica per control-plane node, pinned there by a nodeSelector.
 */
export const CLIENT_CP: Workload = { name: 'client-cp', labels: { name: 'client-cp', kind: 'client', other: 'client' }, node: 'kind-control-plane' };
export const ECHOES = WORKLOADS.filter((w) => w.labels.kind === 'echo');
/** The echo Services: newService(name, {name}, {kind: echo}, "http", 8080, --service-type), whose default is NodePort (cli/connectivity.go). */
export const ECHO_SERVICES = ECHOES.map((e) => ({ name: e.name, labels: { kind: 'echo' }, port: 8080 }));
/** deployCCNPTestEnv: a `client-ccnp` Deployment (kind ccnp) in each of the two CCNP test namespaces. */
export const CCNP_NAMESPACES = ['cilium-test-ccnp1', 'cilium-test-ccnp2'] as const;
export const CCNP_CLIENT: Workload = { name: 'client-ccnp', labels: { name: 'client-ccnp', kind: 'ccnp' }, node: SAME_NODE };
/** The host-netns DaemonSet: kind host-netns, other=host-netns, hostNetwork. */
export const HOST_NETNS = { name: 'host-netns', labels: { name: 'host-netns', kind: 'host-netns', other: 'host-netns' } };

const indent = (n: number, text: string) => text.split('\n').map((l) => (l ? ' '.repeat(n) + l : l)).join('\n');
const labelBlock = (labels: Readonly<Record<string, string>>) => Object.entries(labels).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('\n');

const namespaceDoc = (name: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
  labels:
    app.kubernetes.io/name: cilium-cli`;

const serviceAccountDoc = (name: string, namespace: string) => `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}
  namespace: ${namespace}`;

/** newDeployment: selector and Deployment labels `name` and `kind`; the pod template adds the workload's own labels. */
function deploymentDoc(w: Workload, namespace: string): string {
  const selector = { name: w.labels.name!, kind: w.labels.kind! };
  const ports = w.port ? `\n        ports:\n        - {name: ${w.port.name}, containerPort: ${w.port.number}}` : '';
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${w.name}
  namespace: ${namespace}
  labels:
${indent(4, labelBlock(selector))}
spec:
  replicas: 1
  selector:
    matchLabels:
${indent(6, labelBlock(selector))}
  template:
    metadata:
      labels:
${indent(8, labelBlock(w.labels))}
    spec:
      serviceAccountName: ${w.name}
      nodeName: ${w.node}
      containers:
      - name: ${w.name}
        image: quay.io/cilium/${w.port ? 'json-mock' : 'alpine-curl'}${ports}`;
}

/** The cluster of deploy(), as manifests; `k8sLocalHostTest` adds {@link CLIENT_CP}. */
export function deploymentManifests(opts: { readonly k8sLocalHostTest?: boolean } = {}): string {
  const docs: string[] = [];
  for (const n of NODES) {
    docs.push(`apiVersion: v1
kind: Node
metadata:
  name: ${n.name}
  labels:
    kubernetes.io/hostname: ${n.name}${n.controlPlane ? '\n    node-role.kubernetes.io/control-plane: ""' : ''}
status:
  addresses:
  - {type: InternalIP, address: ${n.ip}}
  - {type: Hostname, address: ${n.name}}`);
  }
  docs.push(namespaceDoc(NS));
  const workloads = opts.k8sLocalHostTest ? [...WORKLOADS, CLIENT_CP] : WORKLOADS;
  for (const w of [...workloads, HOST_NETNS]) docs.push(serviceAccountDoc(w.name, NS));
  for (const w of workloads) docs.push(deploymentDoc(w, NS));
  for (const ns of CCNP_NAMESPACES) docs.push(namespaceDoc(ns), serviceAccountDoc(CCNP_CLIENT.name, ns), deploymentDoc(CCNP_CLIENT, ns));
  docs.push(`apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${HOST_NETNS.name}
  namespace: ${NS}
spec:
  selector:
    matchLabels:
      name: ${HOST_NETNS.name}
      kind: ${HOST_NETNS.labels.kind}
  template:
    metadata:
      labels:
${indent(8, labelBlock(HOST_NETNS.labels))}
    spec:
      hostNetwork: true
      containers:
      - name: ${HOST_NETNS.name}
        image: quay.io/cilium/alpine-curl`);
  for (const s of ECHO_SERVICES) {
    docs.push(`apiVersion: v1
kind: Service
metadata:
  name: ${s.name}
  namespace: ${NS}
  labels:
${indent(4, labelBlock(s.labels))}
spec:
  type: NodePort
  selector:
    name: ${s.name}
  ports:
  - {name: http, port: ${s.port}}`);
  }
  return docs.join('\n---\n') + '\n';
}

/**
 * Renders the Go templates of the policy files (builder.go renderTemplates)
 * for the forms the ported files use: `{{.X}}`, `{{ .X | ipToCIDR }}`,
 * `{{trimSuffix .X "."}}` and `{{ range $i := .X }}…{{$i.F}}…{{ end }}`.
 * Any other action throws, so a file this subset does not cover can never be
 * applied half-rendered.
 */
export function renderTemplate(text: string, params: Readonly<Record<string, string>> = PARAMS): string {
  text = text.replace(/\{\{ range \$(\w+) := \.(\w+) \}\}([\s\S]*?)\{\{ end \}\}/g, (_m, v: string, list: string, body: string) => {
    const items = LIST_PARAMS[list];
    if (!items) throw new Error(`template list .${list} is not modelled`);
    return items.map((item) => body.replace(new RegExp(`\\{\\{\\$${v}\\.(\\w+)\\}\\}`, 'g'), (_f, field: string) => {
      const x = item[field];
      if (x === undefined) throw new Error(`template field $${v}.${field} is not modelled`);
      return x;
    })).join('');
  });
  const value = (name: string): string => {
    const v = params[name];
    if (v === undefined) throw new Error(`template parameter .${name} is not modelled`);
    return v;
  };
  return text.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (_m, action: string) => {
    let m = /^\.(\w+)$/.exec(action);
    if (m) return value(m[1]!);
    m = /^\.(\w+)\s*\|\s*ipToCIDR$/.exec(action);
    if (m) return value(m[1]!) + (value(m[1]!).includes(':') ? '/128' : '/32');
    m = /^trimSuffix\s+\.(\w+)\s+"([^"]*)"$/.exec(action);
    if (m) return value(m[1]!).endsWith(m[2]!) ? value(m[1]!).slice(0, value(m[1]!).length - m[2]!.length) : value(m[1]!);
    throw new Error(`template action {{${action}}} is not modelled`);
  });
}

/**
 * check/policy.go tweakPolicy: a CiliumNetworkPolicy or NetworkPolicy without
 * a namespace goes to the test namespace, and a peer selector's matchLabels
 * `[k8s:|any:]io.kubernetes.pod.namespace: cilium-test` names the test
 * namespace instead (matchExpressions are left as they are, as there).
 */
export function tweakPolicy(text: string): string {
  return text.split(/^---[ \t]*$/m).map((doc) => {
    const kind = /^kind:\s*"?(\w+)"?\s*$/m.exec(doc)?.[1];
    let out = doc.replace(/^(\s+(?:k8s:|any:)?io\.kubernetes\.pod\.namespace):\s*"?cilium-test"?\s*$/gm, `$1: ${NS}`);
    if ((kind === 'CiliumNetworkPolicy' || kind === 'NetworkPolicy') && !metadataHasNamespace(out)) {
      out = out.replace(/^metadata:\s*$/m, `metadata:\n  namespace: ${NS}`);
    }
    return out;
  }).join('---');
}

/** True when the indented block under a top-level `metadata:` has a `namespace:` key. */
function metadataHasNamespace(doc: string): boolean {
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => /^metadata:\s*$/.test(l));
  if (start < 0) return false;
  for (const l of lines.slice(start + 1)) {
    if (/^\S/.test(l)) break;
    if (/^\s+namespace:/.test(l)) return true;
  }
  return false;
}
