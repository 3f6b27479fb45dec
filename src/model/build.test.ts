/**
 * The cluster model: what the control plane would make of the manifests.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadManifests } from '../manifest/load.js';
import { buildCluster } from './build.js';

const build = (text: string, options = {}) => buildCluster(loadManifests([{ path: 'x.yaml', text }]).objects, options);
const demo = readFileSync(new URL('../../examples/demo/app.yaml', import.meta.url), 'utf8');

describe('cluster model', () => {
  test('the demo app expands to 2 pods per deployment, named like the Deployment controller names them', () => {
    const { cluster, diagnostics } = build(demo);
    assert.deepEqual(diagnostics, []);
    const app = cluster.pods.filter((p) => p.namespace === 'default');
    assert.equal(app.length, 6);
    for (const p of app) {
      assert.match(p.name, /^(frontend|backend|database)-[bcdfghjklmnpqrstvwxz2456789]{6,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      assert.equal(p.labels['pod-template-hash'], p.name.split('-')[1]);
      assert.equal(p.nodeName, 'kind-worker');
      assert.match(p.ip, /^10\.244\.1\.\d+$/);
    }
    assert.equal(new Set(app.map((p) => p.ip)).size, 6);
  });

  test('same input, same names and addresses', () => {
    assert.deepEqual(build(demo).cluster, build(demo).cluster);
  });

  test('a kind cluster: two nodes, CoreDNS on the control plane, kube-dns and kubernetes services', () => {
    const { cluster } = build(demo);
    assert.deepEqual(cluster.nodes.map((n) => [n.name, n.ip, n.podCIDR]), [['kind-control-plane', '172.18.0.2', '10.244.0.0/24'], ['kind-worker', '172.18.0.3', '10.244.1.0/24']]);
    const dns = cluster.pods.filter((p) => p.labels['k8s-app'] === 'kube-dns');
    assert.equal(dns.length, 2);
    assert.ok(dns.every((p) => p.namespace === 'kube-system' && p.nodeName === 'kind-control-plane' && p.serviceAccount === 'coredns'));
    const svc = (ns: string, n: string) => cluster.services.find((s) => s.namespace === ns && s.name === n);
    assert.equal(svc('kube-system', 'kube-dns')?.clusterIP, '10.96.0.10');
    assert.equal(svc('default', 'kubernetes')?.clusterIP, '10.96.0.1');
    assert.deepEqual(svc('default', 'kubernetes')?.endpointIPs, ['172.18.0.2']);
    assert.deepEqual(svc('default', 'database')?.ports, [{ port: 80, targetPort: 7379, protocol: 'TCP' }]);
  });

  test('user-supplied CoreDNS replaces the built-in one', () => {
    const { cluster } = build('apiVersion: v1\nkind: Pod\nmetadata: {name: mydns, namespace: kube-system, labels: {k8s-app: kube-dns}}\n');
    assert.deepEqual(cluster.pods.filter((p) => p.labels['k8s-app'] === 'kube-dns').map((p) => p.name), ['mydns']);
  });

  test('namespaces named but not declared exist, with kubernetes.io/metadata.name', () => {
    const { cluster } = build('apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: shop}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: web, labels: {team: x}}\n');
    const ns = (n: string) => cluster.namespaces.find((x) => x.name === n);
    assert.deepEqual(ns('shop'), { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' }, implicit: true });
    assert.deepEqual(ns('web')?.labels, { team: 'x', 'kubernetes.io/metadata.name': 'web' });
    assert.equal(ns('web')?.implicit, false);
  });

  test('StatefulSet, DaemonSet, Job and CronJob pods carry their controllers\' names and labels', () => {
    const tmpl = 'template:\n    metadata: {labels: {app: x}}\n    spec: {containers: [{name: c}]}';
    const { cluster } = build([
      `apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  replicas: 2\n  ${tmpl}`,
      `apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n  ${tmpl}`,
      `apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate}\nspec:\n  ${tmpl}`,
      `apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\nspec:\n  schedule: "0 0 * * *"\n  jobTemplate:\n    spec:\n      ${tmpl.replace(/\n/g, '\n    ')}`,
    ].join('\n---\n'));
    const names = cluster.pods.filter((p) => p.namespace === 'default').map((p) => p.name);
    assert.ok(names.includes('db-0') && names.includes('db-1'));
    assert.equal(cluster.pods.find((p) => p.name === 'db-1')?.labels['statefulset.kubernetes.io/pod-name'], 'db-1');
    assert.equal(names.filter((n) => n.startsWith('agent-')).length, 1, 'a DaemonSet without tolerations runs on the worker only');
    const job = cluster.pods.find((p) => p.name.startsWith('migrate-'));
    assert.equal(job?.labels['job-name'], 'migrate');
    assert.ok(cluster.pods.some((p) => p.owner.kind === 'CronJob' && /^nightly-\d{8}-/.test(p.name)));
  });

  test('status.podIP, spec.clusterIP, hostNetwork and named ports are honoured', () => {
    const { cluster } = build([
      'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]\nstatus: {podIP: 10.244.1.77}',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: h}\nspec:\n  hostNetwork: true\n  nodeName: kind-control-plane',
      'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  clusterIP: 10.96.5.5\n  selector: {app: a}\n  ports: [{port: 80, targetPort: http}]',
    ].join('\n---\n'));
    const pod = (n: string) => cluster.pods.find((p) => p.name === n)!;
    assert.equal(pod('a').ip, '10.244.1.77');
    assert.deepEqual(pod('a').ports, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    assert.equal(pod('h').ip, '172.18.0.2');
    assert.equal(pod('h').hostNetwork, true);
    const s = cluster.services.find((x) => x.name === 's')!;
    assert.equal(s.clusterIP, '10.96.5.5');
    assert.equal(s.ports[0]?.targetPort, 'http');
  });

  test('selector-less services take their backends from Endpoints and EndpointSlices', () => {
    const { cluster } = build([
      'apiVersion: v1\nkind: Service\nmetadata: {name: ext}\nspec:\n  ports: [{port: 443}]',
      'apiVersion: v1\nkind: Endpoints\nmetadata: {name: ext}\nsubsets: [{addresses: [{ip: 203.0.113.7}]}]',
      'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: ext-1, labels: {kubernetes.io/service-name: ext}}\nendpoints: [{addresses: [203.0.113.8]}]',
    ].join('\n---\n'));
    assert.deepEqual(cluster.services.find((x) => x.name === 'ext')?.endpointIPs, ['203.0.113.7', '203.0.113.8']);
  });

  test('configurable pod and service CIDRs', () => {
    const { cluster } = build(demo, { podCIDR: '192.168.0.0/16', serviceCIDR: '172.20.0.0/16' });
    assert.ok(cluster.pods.every((p) => p.ip.startsWith('192.168.')));
    assert.ok(cluster.services.filter((s) => !['kube-dns', 'kubernetes'].includes(s.name)).every((s) => s.clusterIP.startsWith('172.20.')));
  });

  test('wrong types become diagnostics at the field', () => {
    const { diagnostics } = build('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: "two"\n  template: {}\n');
    assert.equal(diagnostics[0]?.code, 'wrong-type');
    assert.equal(diagnostics[0]?.message, 'replicas must be a number, not "two"');
    assert.equal(diagnostics[0]?.location?.line, 5);
  });

  test('an object given twice: the later one wins, with a warning', () => {
    const pod = (ip: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nstatus: {podIP: ${ip}}`;
    const { cluster, diagnostics } = build(`${pod('10.244.1.10')}\n---\n${pod('10.244.1.11')}`);
    assert.deepEqual(cluster.pods.filter((p) => p.name === 'a').map((p) => p.ip), ['10.244.1.11']);
    assert.equal(diagnostics[0]?.code, 'duplicate-object');
  });
});

test('a huge replica count is capped with a warning, not expanded', () => {
  const { cluster, diagnostics } = build('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: 2000000000\n  template: {metadata: {labels: {app: d}}}\n');
  assert.equal(cluster.pods.filter((p) => p.owner.name === 'd').length, 1000);
  assert.equal(diagnostics[0]?.code, 'too-many-replicas');
  assert.equal(diagnostics[0]?.location?.line, 5);
});

describe('endpoint and node addresses must be IPs (issue 8)', () => {
  // k8s pkg/apis/core/validation validateEndpointAddress (IsValidIP); pkg/apis/discovery/validation
  // (addresses of the slice's addressType); node InternalIP/ExternalIP are IPs, Hostname is a name.
  const errorsOf = (text: string) => build(text).diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.path, d.location?.line]);

  test('an Endpoints address that is not an IP is an error at its field', () => {
    const text = 'apiVersion: v1\nkind: Endpoints\nmetadata: {name: ext}\nsubsets:\n- addresses:\n  - ip: 10.0.0.1\n  - ip: db.example.com\n';
    assert.deepEqual(errorsOf(text), [['invalid-ip', 'subsets[0].addresses[1].ip', 7]]);
  });

  test('an EndpointSlice address of the wrong family is an error; an FQDN slice is not read as IPs', () => {
    const slice = (name: string, type: string, addr: string) =>
      `apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: ${name}, labels: {kubernetes.io/service-name: ext}}\naddressType: ${type}\nendpoints:\n- addresses: ["${addr}"]\n---\n`;
    const svc = 'apiVersion: v1\nkind: Service\nmetadata: {name: ext}\nspec: {ports: [{port: 80}]}\n';
    assert.deepEqual(errorsOf(slice('a', 'IPv4', 'fd00::1') + svc), [['invalid-ip', 'endpoints[0].addresses[0]', 6]]);
    const r = build(slice('b', 'FQDN', 'db.example.com') + slice('c', 'IPv6', 'fd00::1') + svc);
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.deepEqual(r.cluster.services.find((s) => s.name === 'ext')?.endpointIPs, ['fd00::1']);
  });

  test('a node InternalIP that is not an IP is an error at its field; the node stays, without that address', () => {
    const text = 'apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus:\n  addresses:\n  - {type: Hostname, address: n1}\n  - {type: InternalIP, address: 172.18.0.300}\n';
    assert.deepEqual(errorsOf(text), [['invalid-ip', 'status.addresses[1].address', 7]]);
    const node = build(text).cluster.nodes.find((n) => n.name === 'n1');
    assert.equal(node?.ip, '172.18.0.2');
  });
});

describe('pods keep their node and address across changes (a real cluster never renumbers running pods)', () => {
  const pod = (name: string) => `---\napiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: default}\nspec: {containers: [{name: c, image: x}]}\n`;
  const previousOf = (pods: readonly { namespace: string; name: string; ip: string; nodeName: string }[]) =>
    new Map(pods.map((p) => [`${p.namespace}/${p.name}`, { ip: p.ip, nodeName: p.nodeName }]));

  test('without the previous pods, a pod sorted first takes the address of another (why the option exists)', () => {
    const before = build(pod('m'));
    const after = build(pod('a') + pod('m'));
    const ipOf = (c: typeof before.cluster, n: string) => c.pods.find((p) => p.name === n)?.ip;
    assert.equal(ipOf(after.cluster, 'a'), ipOf(before.cluster, 'm'));
  });

  test('with them, existing pods keep their IP and node; new pods get free addresses', () => {
    const before = build(demo + pod('m'));
    const after = build(demo + pod('a') + pod('m') + pod('z'), { previousPods: previousOf(before.cluster.pods) });
    for (const p of before.cluster.pods) {
      const q = after.cluster.pods.find((x) => x.namespace === p.namespace && x.name === p.name);
      assert.equal(q?.ip, p.ip, `${p.name} kept its address`);
      assert.equal(q?.nodeName, p.nodeName);
    }
    const ips = after.cluster.pods.filter((p) => !p.hostNetwork).map((p) => p.ip);
    assert.equal(new Set(ips).size, ips.length, 'no address is given twice');
  });

  test('a deleted pod frees nothing that others depend on: the rest keep their addresses', () => {
    const before = build(pod('a') + pod('m'));
    const after = build(pod('m'), { previousPods: previousOf(before.cluster.pods) });
    assert.equal(after.cluster.pods.find((p) => p.name === 'm')?.ip, before.cluster.pods.find((p) => p.name === 'm')?.ip);
  });
});
