/**
 * Names that are also members of every JavaScript object (`constructor`,
 * `__proto__`, `toString`, `hasOwnProperty`) used where users choose names:
 * label keys, selector keys, annotations, namespaces and pods, `spec.dns`,
 * `fqdn:` endpoints, `--dns-answer`, HTTP headers. Each must behave exactly
 * as any other name (issue 8: a DNS name `constructor` was an internal
 * error, a `__proto__` selector key vanished and the selector selected
 * everything, a `toString` label "existed" on every Service).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main.js';
import { memoryIO } from './io.js';

async function run(args: string[]) {
  const io = memoryIO();
  const code = await main(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];
const labelMap = (value: (n: string) => string) => `{${NAMES.map((n) => `${n}: "${value(n)}"`).join(', ')}}`;

const MANIFESTS = `apiVersion: v1
kind: Namespace
metadata:
  name: constructor
  labels: ${labelMap((n) => `ns-${n.replace(/_/g, '')}`)}
  annotations: ${labelMap(() => 'note')}
---
apiVersion: v1
kind: Pod
metadata:
  name: constructor
  namespace: constructor
  labels: ${labelMap((n) => n.replace(/_/g, 'x'))}
  annotations: ${labelMap(() => 'note')}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: constructor, labels: {app: client}}
spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: constructor, labels: {app: ext}}
spec: {ports: [{port: 5432}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: ext, namespace: constructor}
subsets: [{addresses: [{ip: 192.0.2.7}]}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web, namespace: constructor}
spec:
  endpointSelector: {matchLabels: {constructor: constructor, toString: toString, hasOwnProperty: hasOwnProperty}}
  ingress:
  - fromEndpoints: [{matchLabels: {app: client}}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: client, namespace: constructor}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egress:
  - toEndpoints: [{matchExpressions: [{key: hasOwnProperty, operator: Exists}]}]
  - toServices: [{k8sServiceSelector: {selector: {matchExpressions: [{key: toString, operator: DoesNotExist}]}}}]
  - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]
    toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}]
  - toFQDNs: [{matchName: constructor}, {matchName: hasownproperty}]
`;

const TESTS = `apiVersion: polis.dev/v1alpha1
kind: ConnectivityTest
metadata: {name: object-key-names}
spec:
  dns: {constructor: [203.0.113.1], toString: [203.0.113.2], hasOwnProperty: [203.0.113.3], __proto__: [203.0.113.4]}
  cases:
  - {from: constructor/client, to: constructor/constructor, port: 80, expect: allow}
  - {from: constructor/constructor, to: constructor/constructor, port: 80, expect: allow}  # its own address: never policed
  - {from: constructor/client, to: ip:192.0.2.7, port: 5432, expect: allow}
  - {from: constructor/client, to: fqdn:constructor, port: 443, expect: allow}
  - {from: constructor/client, to: fqdn:hasOwnProperty, port: 443, expect: allow}
  - {from: constructor/client, to: fqdn:toString, port: 443, expect: deny}
  - {from: constructor/client, to: fqdn:__proto__, port: 443, expect: deny}
`;

const dir = mkdtempSync(join(tmpdir(), 'polis-names-'));
const manifests = join(dir, 'app.yaml');
const tests = join(dir, 'tests.yaml');
writeFileSync(manifests, MANIFESTS);
writeFileSync(tests, TESTS);

test('validate: every name is an ordinary label key, annotation, namespace and pod name', async () => {
  const r = await run(['validate', '-f', manifests]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /7 objects, 2 policies: 0 errors, 0 warnings/);
});

test('get: the labels are all there, __proto__ included', async () => {
  const ns = await run(['get', 'namespaces', '-f', manifests, '-o', 'json']);
  assert.equal(ns.code, 0, ns.err);
  const labels = (JSON.parse(ns.out) as { name: string; labels: Record<string, string> }[]).find((n) => n.name === 'constructor')!.labels;
  assert.deepEqual(Object.keys(labels).sort(), [...NAMES, 'kubernetes.io/metadata.name'].sort());
  assert.equal(labels.__proto__, 'ns-proto');
  const pods = await run(['get', 'pods', '--show-labels', '-f', manifests]);
  assert.match(pods.out, /constructor +constructor .*constructor=constructor,__proto__=xxprotoxx,toString=toString,hasOwnProperty=hasOwnProperty/);
});

test('test: spec.dns names, fqdn: endpoints, Exists and DoesNotExist on those keys', async () => {
  const r = await run(['test', '-f', manifests, '--tests', tests]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /7 passed/);
  assert.doesNotMatch(r.err, /internal error/);
});

test('explain: --dns-answer and --http-header with those names', async () => {
  for (const name of NAMES) {
    const r = await run(['explain', '-f', manifests, '--from', 'constructor/client', '--to', `fqdn:${name}`, '--port', '443',
      '--dns-answer', `${name}=203.0.113.9`, '--http-header', `${name}: x`]);
    const allowed = name === 'constructor' || name === 'hasOwnProperty'; // the toFQDNs names (matchName is case-insensitive)
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`^${allowed ? 'ALLOWED' : 'DENIED'} `), `${name}: ${r.out}`);
  }
});

test('a __proto__ selector key is checked like any other key, not dropped (it selected everything)', async () => {
  const policy = (key: string) => `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p}\nspec:\n  endpointSelector: {matchLabels: {${key}: x}}\n  ingress: [{}]\n`;
  const codes = async (key: string) => {
    const f = join(dir, `${key}.yaml`);
    writeFileSync(f, policy(key));
    const r = await run(['validate', '-f', f, '-o', 'json']);
    return (JSON.parse(r.out) as { diagnostics: { code: string; path: string }[] }).diagnostics.map((d) => [d.code, d.path.replace(key, 'KEY')]);
  };
  assert.deepEqual(await codes('__proto__'), await codes('_x_'));
  assert.deepEqual(await codes('__proto__'), [['invalid-label-key', 'spec.endpointSelector.matchLabels.KEY']]);
});
