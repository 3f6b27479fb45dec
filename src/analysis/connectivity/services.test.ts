/**
 * Services as users address them, through the runner and the REAL engine:
 * every way of naming a service (svc:NS/NAME, ClusterIP, NAME, NAME.NS,
 * NAME.NS.svc.cluster.local, a node port) gives the same verdict, because
 * Cilium translates the service to a backend before policy
 * (semantics.md §4.10; Cilium `layer4.rst`: "Layer 4 policies apply to
 * ports after service port mapping has been applied"). Includes the seed
 * article "Cilium Network Policy: Kubernetes NetworkPolicy"
 * (examples/knp-echo), and cluster DNS supplied in front of the user's
 * CoreDNS pods (toFQDNs learnt through the DNS rule, §4.11).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileEngine } from '../../engine/index.js';
import { isProblem } from '../../engine/types.js';
import { loadWorkspace } from '../../workspace/load.js';
import type { SourceFile } from '../../manifest/source.js';
import { parseConnectivityTests } from './parse.js';
import { runConnectivityTests } from './run.js';
import { testDoc } from './testing.js';
import type { CaseResult } from './types.js';

const read = (path: string): SourceFile => ({ path, text: readFileSync(path, 'utf8') });
const KNP = 'examples/knp-echo';
const knpManifests = readdirSync(KNP).filter((f) => f.endsWith('.yaml') && f !== 'connectivity-test.yaml').sort().map((f) => read(join(KNP, f)));

function run(manifests: readonly SourceFile[], tests: SourceFile) {
  const ws = loadWorkspace(manifests);
  assert.deepEqual(ws.diagnostics.filter((d) => d.severity === 'error'), []);
  const parsed = parseConnectivityTests([tests]);
  assert.deepEqual(parsed.diagnostics, []);
  return runConnectivityTests(parsed.tests, ws, compileEngine);
}

const verdicts = (results: readonly CaseResult[]) => results.map((r) => `${r.from} → ${r.to} ${r.port}/${r.protocol}: ${r.verdict}`);

describe('the seed article "Cilium Network Policy: Kubernetes NetworkPolicy" (examples/knp-echo)', () => {
  test('its connectivity test passes: universe reaches echo, galaxy does not, however echo is named', () => {
    const out = run(knpManifests, read(join(KNP, 'connectivity-test.yaml')));
    assert.deepEqual(out.diagnostics, []);
    assert.equal(out.results.length, 12);
    assert.deepEqual(out.results.filter((r) => !r.pass).map((r) => `${r.name}: ${r.reason}`), []);
  });

  test('by ClusterIP, galaxy is denied at the echo pod\'s ingress (a ClusterIP is never world)', () => {
    const ws = loadWorkspace(knpManifests);
    const clusterIP = ws.cluster.services.find((s) => s.namespace === 'echo' && s.name === 'echo')!.clusterIP;
    const out = run(knpManifests, { path: 't.yaml', text: testDoc(`  cases: [{from: galaxy/curl, to: "ip:${clusterIP}", port: 80, expect: deny}]\n`) });
    const [r] = out.results;
    assert.equal(r?.verdict, 'deny');
    assert.match(r!.reason, /^denied at ingress: default deny/);
  });
});

describe('every way of naming a service gives the same verdict', () => {
  // The knp-echo apps and policy, plus a NodePort service for the echo pods.
  const nodePort = { path: 'echo-np.yaml', text: 'apiVersion: v1\nkind: Service\nmetadata: {name: echo-np, namespace: echo}\nspec:\n  type: NodePort\n  selector: {app: echo}\n  ports: [{port: 8080, targetPort: http, nodePort: 30080}]\n' };
  const manifests = [...knpManifests, nodePort];
  const ws = loadWorkspace(manifests);
  const ip = (name: string) => ws.cluster.services.find((s) => s.namespace === 'echo' && s.name === name)!.clusterIP;
  const forms: { form: string; to: string; port?: number }[] = [
    { form: 'svc:NS/NAME', to: 'svc:echo/echo' },
    { form: 'ClusterIP', to: `ip:${ip('echo')}` },
    { form: 'NAME.NS', to: 'echo.echo' },
    { form: 'NAME.NS.svc', to: 'echo.echo.svc' },
    { form: 'NAME.NS.svc.cluster.local', to: 'echo.echo.svc.cluster.local' },
    { form: 'svc:NS/NAME of the NodePort service', to: 'svc:echo/echo-np' },
    { form: 'ClusterIP of the NodePort service', to: `ip:${ip('echo-np')}` },
    { form: 'NAME.NS of the NodePort service', to: 'echo-np.echo' },
    { form: 'worker address and node port', to: 'ip:172.18.0.3', port: 30080 },
    { form: 'control-plane address and node port', to: 'ip:172.18.0.2', port: 30080 },
  ];
  for (const from of ['universe/curl', 'galaxy/curl']) {
    const expect = from.startsWith('universe') ? 'allow' : 'deny';
    test(`${from}: ${expect} for every form`, () => {
      const cases = forms.map((f) => `    - {name: "${f.form}", from: ${from}, to: "${f.to}", ${f.port ? `port: ${f.port}, ` : ''}expect: ${expect}}`).join('\n');
      const out = run(manifests, { path: 't.yaml', text: testDoc(`  cases:\n${cases}\n`) });
      assert.deepEqual(out.diagnostics, []);
      assert.deepEqual(out.results.filter((r) => !r.pass).map((r) => `${r.name}: got ${r.verdict} (${r.reason})`), []);
      // …and every one is decided at the same place: the echo pod's ingress, on its port 80.
      const reasons = new Set(out.results.map((r) => r.reason));
      assert.equal(reasons.size, 1, [...reasons].join('\n'));
    });
  }

  test('a bare NAME is searched in the source\'s namespace: echo from the echo pod itself', () => {
    const out = run(manifests, { path: 't.yaml', text: testDoc('  cases: [{from: echo/echo, to: echo, expect: allow}, {from: echo/echo, to: echo-np, expect: allow}]\n') });
    assert.deepEqual(out.diagnostics, []);
    // The policy admits only the universe namespace, but echo's single pod reaching its own Service lands on
    // itself: a hairpin connection skips policy (bpf/bpf_lxc.c handle_ipv4_from_lxc, `hairpin_flow`).
    assert.deepEqual(verdicts(out.results), ['echo/echo → echo 80/TCP: allow', 'echo/echo → echo-np 8080/TCP: allow']);
    assert.match(out.results[0]!.reason, /own address/);
  });
});

describe('cluster DNS is always there (issue 7, item 5)', () => {
  // The user declares CoreDNS pods but no kube-dns Service; polis supplies the Service.
  const coredns = `apiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system}
spec:
  replicas: 2
  template:
    metadata: {labels: {k8s-app: kube-dns}}
    spec: {containers: [{name: coredns, ports: [{name: dns, containerPort: 53, protocol: UDP}, {name: dns-tcp, containerPort: 53}]}]}
`;
  const kubeDns = `---
apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  clusterIP: 10.96.0.10
  selector: {k8s-app: kube-dns}
  ports: [{name: dns, port: 53, protocol: UDP, targetPort: 53}, {name: dns-tcp, port: 53, protocol: TCP, targetPort: 53}]
`;
  const app = `---
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: default, labels: {app: app}}
`;
  // toFQDNs needs a DNS rule on the path to kube-dns for the proxy to learn the names (§4.11).
  const policy = (dnsRule: boolean) => `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: app-egress, namespace: default}
spec:
  endpointSelector: {matchLabels: {app: app}}
  egress:
    - toFQDNs: [{matchName: api.example.com}]
      toPorts: [{ports: [{port: "443"}]}]
    - toEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]
      toPorts:
        - ports: [{port: "53", protocol: UDP}]
${dnsRule ? '          rules: {dns: [{matchPattern: "*"}]}' : ''}
`;
  const tests = testDoc(`  dns: {api.example.com: [203.0.113.10]}
  cases:
    - {name: lookup by ClusterIP, from: default/app, to: ip:10.96.0.10, dns: api.example.com, expect: allow}
    - {name: lookup by name, from: default/app, to: kube-dns.kube-system, dns: api.example.com, expect: allow}
    - {name: the learnt name, from: default/app, to: fqdn:api.example.com, port: 443, expect: allow}
    - {name: the learnt name written bare, from: default/app, to: api.example.com, port: 443, expect: allow}
`);
  const outcome = (manifests: string, t = tests) => {
    const out = run([{ path: 'm.yaml', text: manifests }], { path: 't.yaml', text: t });
    assert.deepEqual(out.diagnostics, []);
    return out.results.map((r) => `${r.name}: ${r.verdict}`);
  };

  test('the Service is supplied in front of the user\'s CoreDNS pods, and toFQDNs learns through it', () => {
    const supplied = outcome(coredns + app + policy(true));
    assert.deepEqual(supplied, ['lookup by ClusterIP: allow', 'lookup by name: allow', 'the learnt name: allow', 'the learnt name written bare: allow']);
  });

  test('exactly as when the Service is declared', () => {
    assert.deepEqual(outcome(coredns + kubeDns + app + policy(true)), outcome(coredns + app + policy(true)));
  });

  test('without the DNS rule nothing is learnt, supplied Service or not', () => {
    const t = testDoc('  dns: {api.example.com: [203.0.113.10]}\n  cases: [{name: the name, from: default/app, to: fqdn:api.example.com, port: 443, expect: deny}]\n');
    assert.deepEqual(outcome(coredns + app + policy(false), t), ['the name: deny']);
    assert.deepEqual(outcome(coredns + kubeDns + app + policy(false), t), ['the name: deny']);
  });

  test('the supplied Service sends lookups to the user\'s pods', () => {
    const ws = loadWorkspace([{ path: 'm.yaml', text: coredns + app }]);
    const dnsPods = ws.cluster.pods.filter((p) => p.labels['k8s-app'] === 'kube-dns');
    assert.deepEqual(dnsPods.map((p) => p.owner.name), ['coredns', 'coredns'], 'the user\'s CoreDNS, not the built-in one as well');
    const engine = compileEngine(ws);
    const svc = ws.cluster.services.find((s) => s.name === 'kube-dns')!;
    const v = engine.explain({ from: { kind: 'pod', pod: ws.cluster.pods.find((p) => p.name === 'app')! }, to: { kind: 'service', service: svc }, protocol: 'UDP', port: 53 });
    assert.ok(!isProblem(v));
    assert.deepEqual(v.backends?.map((b) => b.endpoint).sort(), dnsPods.map((p) => `kube-system/${p.name}`).sort(), 'every backend is one of the user\'s CoreDNS pods');
  });
});
