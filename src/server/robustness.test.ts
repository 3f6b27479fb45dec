/**
 * Bad requests get Kubernetes `Status` errors (apimachinery
 * `pkg/api/errors`), never a crash: malformed bodies, bodies over the
 * apiserver's 3 MiB limit, unknown kinds and paths, WebSockets that close
 * early. Also the Hubble side: `/hubble/flows`, and the gRPC Observer API
 * (health, ServerStatus, GetFlows with Hubble's filter semantics, follow)
 * through a grpc-js client on the same vendored protos.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import WebSocket from 'ws';
import { readFileSync } from 'node:fs';
import type { Flow } from '../hubble/flow.js';
import { VirtualCluster } from '../simulate/virtual-cluster.js';
import { loadHubbleProtos } from './hubble-grpc.js';
import { startServer, type RunningServer } from './server.js';

const app = { path: 'examples/demo/app.yaml', text: readFileSync('examples/demo/app.yaml', 'utf8') };

/** A DROPPED flow of the tutorial: backend → database:7379 denied by database-policy. */
function flow(seconds: number, from: string, to: string, verdict: 'DROPPED' | 'FORWARDED'): Flow {
  return {
    time: { seconds, nanos: 0 }, verdict, nodeName: 'kind-worker', type: 'L3_L4', isReply: false,
    ip: { source: '10.244.1.2', destination: '10.244.1.4', ipVersion: 'IPv4' },
    l4: { protocol: 'TCP', sourcePort: 40000 + seconds, destinationPort: 7379, flags: { SYN: true } },
    source: { identity: 256, namespace: 'default', podName: `${from}-pod`, labels: [`k8s:tier=${from}`] },
    destination: { identity: 257, namespace: 'default', podName: `${to}-pod`, labels: [`k8s:tier=${to}`] },
    trafficDirection: 'INGRESS', eventType: { type: verdict === 'DROPPED' ? 1 : 4, subType: 0 },
    ...(verdict === 'DROPPED' ? { dropReasonDesc: 'POLICY_DENIED' } : {}),
  };
}

describe('polis serve: bad requests and the Hubble API', () => {
  let server: RunningServer;
  let backend: VirtualCluster;
  let pkg: any;

  before(async () => {
    backend = new VirtualCluster([]);
    server = await startServer({ sources: [app], port: 0, hubblePort: 0, backend });
    backend.flows.push(flow(1, 'backend', 'database', 'DROPPED'));
    backend.flows.push(flow(2, 'frontend', 'backend', 'FORWARDED'));
    backend.flows.push(flow(3, 'backend', 'database', 'DROPPED'));
    pkg = loadHubbleProtos();
  });
  after(() => server.close());

  const status = async (res: Response) => ({ code: res.status, body: (await res.json()) as Record<string, any> });

  const cases: [string, string, RequestInit, number, string][] = [
    ['malformed JSON', '/api/v1/namespaces/default/services', { method: 'POST', body: '{"kind":', headers: { 'content-type': 'application/json' } }, 400, 'BadRequest'],
    ['malformed YAML apply', '/api/v1/namespaces/default/services/x?fieldManager=t', { method: 'PATCH', body: 'a: [1,\n', headers: { 'content-type': 'application/apply-patch+yaml' } }, 400, 'BadRequest'],
    ['a body nested 100,000 deep', '/api/v1/namespaces/default/services', { method: 'POST', body: '['.repeat(100_000) + ']'.repeat(100_000), headers: { 'content-type': 'application/json' } }, 400, 'BadRequest'],
    ['an empty body', '/api/v1/namespaces/default/services', { method: 'POST', body: '', headers: { 'content-type': 'application/json' } }, 400, 'BadRequest'],
    ['a body that is a list', '/api/v1/namespaces/default/services', { method: 'POST', body: '[1,2]', headers: { 'content-type': 'application/json' } }, 400, 'BadRequest'],
    ['a huge body', '/api/v1/namespaces/default/services', { method: 'POST', body: `{"a":"${'x'.repeat(4 * 1024 * 1024)}"}`, headers: { 'content-type': 'application/json' } }, 413, 'RequestEntityTooLarge'],
    ['an unknown kind', '/api/v1/namespaces/default/configmaps', { method: 'GET' }, 404, 'NotFound'],
    ['an unknown group', '/apis/example.com/v1/widgets', { method: 'GET' }, 404, 'NotFound'],
    ['a path outside the API', '/etc/passwd', { method: 'GET' }, 404, 'NotFound'],
    ['a path that is not valid percent-encoding', '/api/v1/namespaces/default/pods/%zz', { method: 'GET' }, 400, 'BadRequest'],
    ['an unsupported method', '/api/v1/namespaces/default/pods', { method: 'OPTIONS' }, 405, 'MethodNotAllowed'],
    ['a missing object', '/api/v1/namespaces/default/pods/nope', { method: 'GET' }, 404, 'NotFound'],
    ['a second create', '/api/v1/namespaces/default/services', { method: 'POST', body: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'backend' }, spec: { ports: [{ port: 80 }] } }) }, 409, 'AlreadyExists'],
    ['a kind that does not match the URL', '/api/v1/namespaces/default/services', { method: 'POST', body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }) }, 400, 'BadRequest'],
    ['an unknown patch type', '/api/v1/namespaces/default/services/backend', { method: 'PATCH', body: '{}', headers: { 'content-type': 'text/plain' } }, 415, 'UnsupportedMediaType'],
    ['strategic merge patch of a CRD', '/apis/cilium.io/v2/namespaces/default/ciliumnetworkpolicies/x', { method: 'PATCH', body: '{}', headers: { 'content-type': 'application/strategic-merge-patch+json' } }, 415, 'UnsupportedMediaType'],
    ['a JSON patch that does not apply', '/api/v1/namespaces/default/services/backend', { method: 'PATCH', body: '[{"op":"remove","path":"/spec/nothing"}]', headers: { 'content-type': 'application/json-patch+json' } }, 422, 'Invalid'],
    ['a bad label selector', '/api/v1/pods?labelSelector=a%20in%20(', { method: 'GET' }, 400, 'BadRequest'],
    ['an unsupported field selector', '/api/v1/pods?fieldSelector=spec.foo%3Dbar', { method: 'GET' }, 400, 'BadRequest'],
    ['exec without an upgrade', '/api/v1/namespaces/default/pods/x/exec?command=ls', { method: 'GET' }, 400, 'BadRequest'],
    ['an invalid CNP (Cilium refuses a /33)', '/apis/cilium.io/v2/namespaces/default/ciliumnetworkpolicies', {
      method: 'POST',
      body: JSON.stringify({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p' }, spec: { endpointSelector: {}, ingress: [{ fromCIDR: ['10.0.0.0/33'] }] } }),
    }, 422, 'Invalid'],
  ];
  for (const [name, path, init, code, reason] of cases) {
    test(`${name} → ${code} ${reason}`, async () => {
      const { code: got, body } = await status(await fetch(server.url + path, init));
      assert.equal(got, code);
      assert.equal(body.kind, 'Status');
      assert.equal(body.reason, reason);
      assert.equal(body.code, code);
    });
  }

  test('422 causes point at the field with polis\'s message', async () => {
    const { body } = await status(await fetch(`${server.url}/apis/cilium.io/v2/namespaces/default/ciliumnetworkpolicies`, {
      method: 'POST', body: JSON.stringify({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p' }, spec: { endpointSelector: {}, ingress: [{ fromCIDR: ['10.0.0.0/33'] }] } }),
    }));
    assert.deepEqual(body.details.causes.map((c: any) => c.field), ['spec.ingress[0].fromCIDR[0]']);
    assert.match(body.details.causes[0].message, /10\.0\.0\.0\/33 is not a valid CIDR/);
  });

  test('discovery answers with the Content-Type of the variant returned (client-go ContentTypeIsGVK)', async () => {
    const v2beta1 = await fetch(`${server.url}/apis`, { headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json' } });
    assert.equal(v2beta1.headers.get('content-type'), 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
    const body = (await v2beta1.json()) as any;
    const cilium = body.items.find((g: any) => g.metadata.name === 'cilium.io');
    assert.deepEqual(cilium.versions[0].resources.find((r: any) => r.resource === 'ciliumnetworkpolicies').shortNames, ['cnp', 'ciliumnp']);
    const legacy = (await (await fetch(`${server.url}/apis`)).json()) as any;
    assert.equal(legacy.kind, 'APIGroupList');
  });

  test('a watch from a list\'s resourceVersion replays what was written in between, filtered by its selector', async () => {
    const list = (await (await fetch(`${server.url}/api/v1/namespaces/default/services`)).json()) as any;
    const svc = (name: string, tier: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name, labels: { tier } }, spec: { ports: [{ port: 80 }] } });
    for (const [name, tier] of [['w1', 'a'], ['w2', 'b']]) {
      assert.equal((await fetch(`${server.url}/api/v1/namespaces/default/services`, { method: 'POST', body: svc(name as string, tier as string) })).status, 201);
    }
    const ctrl = new AbortController();
    const res = await fetch(`${server.url}/api/v1/namespaces/default/services?watch=true&labelSelector=tier%3Da&resourceVersion=${list.metadata.resourceVersion}`, { signal: ctrl.signal });
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    ctrl.abort();
    const events = new TextDecoder().decode(value).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(events[0] && [events[0].type, events[0].object.metadata.name], ['ADDED', 'w1']);
    // Then what the cluster wrote into it (its ClusterIP); never w2, which the selector leaves out.
    assert.deepEqual([...new Set(events.map((e) => e.object.metadata.name))], ['w1']);
  });

  test('WebSockets that close early, or offer no known subprotocol, leave the server serving', async () => {
    const url = `${server.url.replace('http', 'ws')}/api/v1/namespaces/default/pods/backend-f7b7ddfdf-9wp48/exec?command=echo&command=hi&stdout=true`;
    for (let i = 0; i < 20; i++) {
      const ws = new WebSocket(url, ['v5.channel.k8s.io']);
      ws.on('error', () => undefined);
      if (i % 2) ws.on('open', () => ws.terminate());
      else ws.terminate();
    }
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url, ['v1.channel.k8s.io']);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });
    assert.equal(refused, 400);
    const frames = await new Promise<Buffer[]>((resolve, reject) => {
      const got: Buffer[] = [];
      const ws = new WebSocket(url, ['v5.channel.k8s.io']);
      ws.on('message', (d: Buffer) => got.push(d));
      ws.on('close', () => resolve(got));
      ws.on('error', reject);
    });
    assert.deepEqual(frames.map((f) => [f[0], f.subarray(1).toString()]), [[1, 'hi\n'], [3, '{"metadata":{},"status":"Success"}']]);
    assert.equal((await fetch(`${server.url}/version`)).status, 200);
  });

  test('/hubble/flows: the flows as GetFlowsResponse JSON lines', async () => {
    const text = await (await fetch(`${server.url}/hubble/flows`)).text();
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 3);
    assert.equal(lines[0].flow.verdict, 'DROPPED');
    assert.equal(lines[0].node_name, 'kind-worker');
  });

  const client = () => new pkg.observer.Observer(server.hubbleAddress, grpc.credentials.createInsecure());
  const unary = (c: any, method: string, req: object) => new Promise<any>((resolve, reject) => c[method](req, (e: Error | null, r: any) => (e ? reject(e) : resolve(r))));
  const stream = (c: any, req: object, n?: number) => new Promise<any[]>((resolve, reject) => {
    const out: any[] = [];
    const call = c.GetFlows(req);
    call.on('data', (d: any) => {
      out.push(d);
      if (n !== undefined && out.length >= n) call.cancel();
    });
    call.on('end', () => resolve(out));
    call.on('error', (e: any) => (e.code === grpc.status.CANCELLED ? resolve(out) : reject(e)));
  });

  test('gRPC health: hubble.server.Observer is SERVING (cilium pkg/hubble/api/v1/const.go)', async () => {
    const h = new pkg.grpc.health.v1.Health(server.hubbleAddress, grpc.credentials.createInsecure());
    assert.deepEqual(await unary(h, 'Check', { service: 'hubble.server.Observer' }), { status: 'SERVING' });
    await assert.rejects(unary(h, 'Check', { service: 'nope' }), /NOT_FOUND|unknown service/);
  });

  test('ServerStatus counts the ring buffer (Hubble default capacity 4095)', async () => {
    const s = await unary(client(), 'ServerStatus', {});
    assert.equal(s.num_flows, '3');
    assert.equal(s.max_flows, '4095');
    assert.equal(s.seen_flows, '3');
    assert.deepEqual(s.num_connected_nodes, { value: 1 });
  });

  test('GetFlows with a --from-label tier=backend whitelist gives the DROPPED flows (filters server-side, pkg/hubble/filters)', async () => {
    const got = await stream(client(), { number: 20, whitelist: [{ source_label: ['tier=backend'] }] });
    assert.equal(got.length, 2);
    for (const r of got) {
      assert.equal(r.flow.verdict, 'DROPPED');
      assert.deepEqual(r.flow.source.labels, ['k8s:tier=backend']);
      assert.equal(r.flow.l4.TCP.destination_port, 7379);
      assert.deepEqual(r.flow.is_reply, { value: false });
    }
    const last1 = await stream(client(), { number: 1 });
    assert.equal(last1[0].flow.time.seconds, '3', 'number without first takes the last ones');
    const first1 = await stream(client(), { number: 1, first: true });
    assert.equal(first1[0].flow.time.seconds, '1');
    const black = await stream(client(), { number: 20, blacklist: [{ verdict: ['DROPPED'] }] });
    assert.equal(black.length, 1);
    await assert.rejects(stream(client(), { number: 20, whitelist: [{ source_ip: ['not-an-ip'] }] }), /INVALID_ARGUMENT|not-an-ip/);
  });

  test('GetFlows follow streams new flows as they are emitted', async () => {
    const c = client();
    const p = stream(c, { number: 1, follow: true, whitelist: [{ verdict: ['FORWARDED'] }] }, 2);
    await new Promise((r) => setTimeout(r, 100));
    backend.flows.push(flow(4, 'frontend', 'backend', 'FORWARDED'));
    const got = await p;
    assert.deepEqual(got.map((r) => r.flow.time.seconds), ['2', '4']);
  });

  test('GetNodes lists the virtual nodes', async () => {
    const r = await unary(client(), 'GetNodes', {});
    assert.deepEqual(r.nodes.map((n: any) => n.name), ['kind-control-plane', 'kind-worker']);
  });
});
