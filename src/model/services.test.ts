/**
 * The service index: backends per service port (selectors, named target
 * ports per pod, hostNetwork pods, Endpoints), and every way a client names
 * a service (name, ClusterIP, DNS with the pod's search path, node ports).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifests } from '../manifest/load.js';
import { buildCluster } from './build.js';
import { resolveClusterName, serviceBackends, serviceIndex, type DnsAnswer } from './services.js';

const YAML = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: api, track: stable}}
    spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090, protocol: UDP}]}]}
---
# The canary serves http on another container port: the named targetPort is resolved per pod.
apiVersion: v1
kind: Pod
metadata: {name: api-canary, namespace: shop, labels: {app: api, track: canary}}
spec: {containers: [{name: c, ports: [{name: http, containerPort: 8081}]}]}
---
# Selected, but has no port named http: no backend of the http port.
apiVersion: v1
kind: Pod
metadata: {name: api-debug, namespace: shop, labels: {app: api, track: debug}}
spec: {containers: [{name: c}]}
---
# Same labels in another namespace: never a backend of shop/api.
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: other, labels: {app: api}}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports:
    - {name: web, port: 80, targetPort: http}
    - {name: raw, port: 8000, targetPort: 8080}
    - {name: metrics, port: 9090, targetPort: metrics}
---
apiVersion: v1
kind: Service
metadata: {name: api-nodeport, namespace: shop}
spec:
  type: NodePort
  selector: {app: api, track: stable}
  ports:
    - {port: 80, targetPort: 8080, nodePort: 30080}
    - {port: 81, targetPort: 8080}
---
apiVersion: v1
kind: Service
metadata: {name: dual, namespace: shop}
spec:
  clusterIPs: [10.96.7.7, "fd00:10:96::7"]
  selector: {app: api, track: stable}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  replicas: 2
  serviceName: db
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, ports: [{containerPort: 5432}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 5432}]
---
# hostname + subdomain on a bare pod, as the Kubernetes DNS docs show.
apiVersion: v1
kind: Pod
metadata: {name: busybox-1, namespace: shop, labels: {name: busybox}}
spec: {hostname: busybox-1, subdomain: busybox-subdomain}
---
apiVersion: v1
kind: Service
metadata: {name: busybox-subdomain, namespace: shop}
spec:
  clusterIP: None
  selector: {name: busybox}
  ports: [{name: foo, port: 1234}]
---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: shop, labels: {app: agent}}
spec: {hostNetwork: true, nodeName: kind-worker, containers: [{name: c, ports: [{name: agent, containerPort: 4240}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: agent, namespace: shop}
spec:
  selector: {app: agent}
  ports: [{port: 4240, targetPort: agent}]
---
# Selector-less: backends from Endpoints, the port matched by name.
apiVersion: v1
kind: Service
metadata: {name: legacy, namespace: shop}
spec:
  ports: [{name: pg, port: 5432, targetPort: 15432}, {name: other, port: 1}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: legacy, namespace: shop}
subsets:
  - addresses: [{ip: 192.0.2.10}, {ip: 192.0.2.11}]
    ports: [{name: pg, port: 6432}]
---
# An empty selector is no selector (and selects no pod).
apiVersion: v1
kind: Service
metadata: {name: empty, namespace: shop}
spec:
  selector: {}
  ports: [{port: 443, targetPort: 8443}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: empty-abc, namespace: shop, labels: {kubernetes.io/service-name: empty}}
addressType: IPv4
endpoints: [{addresses: [198.51.100.1]}]
---
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: shop}
spec: {type: ExternalName, externalName: DB.Example.com.}
`;

const built = buildCluster(loadManifests([{ path: 'services.yaml', text: YAML }]).objects);
const cluster = built.cluster;
const index = serviceIndex(cluster);
const backends = (ns: string, name: string, port: number, protocol = 'TCP') => {
  const svc = index.byName(ns, name)!.service;
  return serviceBackends(cluster, svc, port, protocol)?.backends.map((b) => `${b.pod?.name ?? b.ip}:${b.port}`);
};

describe('service backends', () => {
  test('the manifests are valid', () => assert.deepEqual(built.diagnostics.filter((d) => d.severity === 'error'), []));

  const rows: { name: string; ns?: string; svc: string; port: number; protocol?: string; want: string[] | undefined }[] = [
    // EndpointSlice controller: FindPort looks the name up in each pod (name and protocol).
    { name: 'named targetPort resolved per pod; a pod without the name is no backend', svc: 'api', port: 80, want: ['api-canary:8081', 'api-xxx-0:8080', 'api-xxx-1:8080'] },
    { name: 'numeric targetPort: every selected pod', svc: 'api', port: 8000, want: ['api-canary:8080', 'api-debug:8080', 'api-xxx-0:8080', 'api-xxx-1:8080'] },
    { name: 'a named targetPort matches the protocol too', svc: 'api', port: 9090, want: [] },
    { name: 'no such service port', svc: 'api', port: 81, want: undefined },
    { name: 'service port with another protocol', svc: 'api', port: 80, protocol: 'UDP', want: undefined },
    { name: 'hostNetwork pod: a backend at its node address', svc: 'agent', port: 4240, want: ['agent:4240'] },
    { name: 'selector-less: Endpoints port of the same name', svc: 'legacy', port: 5432, want: ['192.0.2.10:6432', '192.0.2.11:6432'] },
    { name: 'selector-less: no Endpoints port of that name, no backend', svc: 'legacy', port: 1, want: [] },
    { name: 'empty selector: selector-less, EndpointSlice without ports → targetPort', svc: 'empty', port: 443, want: ['198.51.100.1:8443'] },
    { name: 'built-in default/kubernetes: the API server on the control plane', ns: 'default', svc: 'kubernetes', port: 443, want: ['172.18.0.2:6443'] },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const got = backends(row.ns ?? 'shop', row.svc, row.port, row.protocol);
      // Deployment pod names are generated: compare them without their hash.
      const stable = got?.map((s) => s.replace(/^api-[a-z0-9]+-[a-z0-9]{5}:/, 'api-xxx:')).sort();
      const want = row.want?.map((s) => s.replace(/^api-xxx-\d:/, 'api-xxx:')).sort();
      assert.deepEqual(stable, want);
    });
  }

  test('a hostNetwork backend has its node\'s address', () => {
    const [b] = serviceBackends(cluster, index.byName('shop', 'agent')!.service, 4240, 'TCP')!.backends;
    assert.equal(b?.ip, '172.18.0.3');
    assert.equal(b?.pod?.hostNetwork, true);
  });

  test('computed once per cluster', () => {
    assert.equal(serviceIndex(cluster), index);
    const other = buildCluster(loadManifests([{ path: 'services.yaml', text: YAML }]).objects).cluster;
    assert.notEqual(serviceIndex(other), index);
  });
});

describe('service addresses', () => {
  test('by every ClusterIP; headless and ExternalName services have none', () => {
    assert.equal(index.byClusterIP('10.96.7.7')?.service.name, 'dual');
    assert.equal(index.byClusterIP('fd00:10:96::7')?.service.name, 'dual');
    assert.equal(index.byClusterIP('10.96.0.10')?.service.name, 'kube-dns');
    assert.equal(index.byClusterIP('None'), undefined);
    assert.equal(index.byClusterIP(index.byName('shop', 'api')!.service.clusterIP)?.service.name, 'api');
  });

  test('node ports on every node address, by port and protocol; allocated in 30000-32767 when not written', () => {
    assert.equal(index.byNodePort('172.18.0.3', 30080, 'TCP')?.port.port, 80);
    assert.equal(index.byNodePort('172.18.0.2', 30080, 'TCP')?.entry.service.name, 'api-nodeport');
    assert.equal(index.byNodePort('172.18.0.3', 30080, 'UDP'), undefined);
    assert.equal(index.byNodePort('10.244.1.5', 30080, 'TCP'), undefined, 'a pod address has no node ports');
    const allocated = index.byName('shop', 'api-nodeport')!.service.ports[1]!.nodePort!;
    assert.ok(allocated >= 30000 && allocated <= 32767 && allocated !== 30080);
    assert.equal(index.byNodePort('172.18.0.3', allocated, 'TCP')?.port.port, 81);
    assert.equal(index.nodePorts.length, 2);
  });
});

describe('cluster DNS names, as a pod resolves them', () => {
  const show = (a: DnsAnswer | undefined) => (a === undefined ? undefined : a.kind === 'pod' ? `pod ${a.pod.namespace}/${a.pod.name}` : `${a.kind} ${a.entry.service.namespace}/${a.entry.service.name}`);
  // Search path of a pod in NS: NS.svc.cluster.local svc.cluster.local cluster.local (kubelet, ClusterFirst).
  const rows: { name: string; from?: string; want: string | undefined }[] = [
    { name: 'api', from: 'shop', want: 'service shop/api' },
    { name: 'api', from: 'default', want: undefined },
    { name: 'api', want: undefined },
    { name: 'api.shop', from: 'default', want: 'service shop/api' },
    { name: 'api.shop', want: 'service shop/api' },
    { name: 'api.shop.svc', from: 'default', want: 'service shop/api' },
    { name: 'api.shop.svc.cluster.local', from: 'default', want: 'service shop/api' },
    { name: 'API.Shop.SVC.Cluster.Local.', from: 'default', want: 'service shop/api' },
    { name: 'api.shop.', from: 'shop', want: undefined },
    { name: 'kube-dns.kube-system', from: 'shop', want: 'service kube-system/kube-dns' },
    { name: 'db', from: 'shop', want: 'headless shop/db' },
    { name: 'db-0.db', from: 'shop', want: 'pod shop/db-0' },
    { name: 'db-1.db.shop.svc.cluster.local', from: 'default', want: 'pod shop/db-1' },
    { name: 'db-2.db.shop.svc.cluster.local', from: 'default', want: undefined },
    { name: 'busybox-1.busybox-subdomain.shop.svc.cluster.local', want: 'pod shop/busybox-1' },
    { name: 'ext', from: 'shop', want: 'external-name shop/ext' },
    { name: 'example.com', from: 'shop', want: undefined },
  ];
  for (const row of rows) {
    test(`${row.name} from ${row.from ?? 'outside any pod'} → ${row.want ?? 'not a cluster name'}`, () => {
      assert.equal(show(resolveClusterName(index, row.name, row.from)), row.want);
    });
  }

  test('an ExternalName service answers with its target', () => {
    const a = resolveClusterName(index, 'ext.shop');
    assert.equal(a?.kind === 'external-name' && a.target, 'db.example.com');
  });

  test('a headless service answers with its pods\' own addresses', () => {
    const entry = index.byName('shop', 'db')!;
    assert.equal(entry.headless, true);
    assert.deepEqual(entry.addresses.map((a) => a.pod?.name), ['db-0', 'db-1']);
  });
});

describe('cluster DNS is always there', () => {
  const coredns = `apiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system}
spec:
  replicas: 1
  template:
    metadata: {labels: {k8s-app: kube-dns}}
    spec: {containers: [{name: coredns, ports: [{name: dns, containerPort: 5353, protocol: UDP}, {name: dns-tcp, containerPort: 5353}]}]}
`;
  test('user CoreDNS pods without a kube-dns Service: the Service is supplied, in front of the user\'s pods', () => {
    const c = buildCluster(loadManifests([{ path: 'dns.yaml', text: coredns }]).objects).cluster;
    const dns = serviceIndex(c).byClusterIP('10.96.0.10');
    assert.equal(dns?.service.name, 'kube-dns');
    assert.deepEqual(dns?.service.selector, { 'k8s-app': 'kube-dns' });
    assert.deepEqual(dns?.service.ports.map((p) => `${p.name} ${p.port}/${p.protocol}`), ['dns 53/UDP', 'dns-tcp 53/TCP', 'metrics 9153/TCP']);
    assert.deepEqual(c.pods.filter((p) => p.namespace === 'kube-system').map((p) => p.owner.name), ['coredns'], 'no built-in CoreDNS beside the user\'s');
    const b = serviceBackends(c, dns!.service, 53, 'UDP')!.backends;
    assert.equal(b.length, 1);
    assert.equal(b[0]!.pod?.owner.name, 'coredns');
  });

  test('a declared kube-dns Service is kept as written', () => {
    const svc = 'apiVersion: v1\nkind: Service\nmetadata: {name: kube-dns, namespace: kube-system}\nspec:\n  clusterIP: 10.96.0.53\n  selector: {k8s-app: kube-dns}\n  ports: [{name: dns, port: 53, targetPort: dns, protocol: UDP}]\n';
    const c = buildCluster(loadManifests([{ path: 'dns.yaml', text: `${coredns}---\n${svc}` }]).objects).cluster;
    const dns = c.services.filter((s) => s.name === 'kube-dns');
    assert.deepEqual(dns.map((s) => s.clusterIP), ['10.96.0.53']);
    assert.deepEqual(serviceBackends(c, dns[0]!, 53, 'UDP')?.backends.map((b) => b.port), [5353]);
  });
});
