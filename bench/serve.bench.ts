/**
 * @module bench/serve
 *
 * `polis serve` under load on loopback (issue 10): 200 concurrent
 * `kubectl get pods`-shaped requests (Table Accept, as kubectl sends them),
 * 50 concurrent `kubectl exec` sessions over WebSocket (v5.channel.k8s.io),
 * and a batch of real kubectl processes when kubectl is installed. Errors
 * must be zero; latencies are printed. Baseline: a bare `node:http` server
 * answering a fixed JSON body in the same process, hit the same way.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { report } from './harness.js';
import { startServer } from '../src/server/server.js';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

async function burst(n: number, one: () => Promise<boolean>): Promise<{ ms: number; errors: number; p50: number; p99: number }> {
  const lat: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: n }, async () => {
    const s = performance.now();
    const ok = await one().catch(() => false);
    lat.push(performance.now() - s);
    if (!ok) errors++;
  }));
  lat.sort((a, b) => a - b);
  return { ms: performance.now() - t0, errors, p50: lat[Math.floor(n / 2)] ?? 0, p99: lat[Math.min(n - 1, Math.floor(n * 0.99))] ?? 0 };
}

function execOnce(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const frames: Buffer[] = [];
    const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/namespaces/default/pods/backend-f7b7ddfdf-9wp48/exec?command=echo&command=ok&stdout=true&stderr=true`, ['v5.channel.k8s.io']);
    ws.on('message', (d: Buffer) => frames.push(d));
    ws.on('close', () => resolve(frames.some((f) => f[0] === 1 && f.subarray(1).toString() === 'ok\n') && frames.some((f) => f[0] === 3 && /Success/.test(f.subarray(1).toString()))));
    ws.on('error', () => resolve(false));
  });
}

export async function run(): Promise<void> {
  const sources = ['app.yaml', 'backend-policy.yaml', 'database-policy.yaml', 'frontend-policy.yaml'].map((f) => ({ path: f, text: readFileSync(join('examples', 'demo', f), 'utf8') }));
  const server = await startServer({ sources, port: 0, hubblePort: null });
  const body = JSON.stringify({ kind: 'Table', rows: [] });
  const bare = createServer((_q, r) => r.writeHead(200, { 'content-type': 'application/json' }).end(body));
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
  const get = (base: string) => async () => {
    const res = await fetch(`${base}/api/v1/namespaces/default/pods?limit=500`, { headers: { accept: TABLE } });
    await res.text();
    return res.status === 200;
  };
  try {
    await burst(20, get(server.url));
    await burst(20, get(bareUrl));
    const g = await burst(200, get(server.url));
    const b = await burst(200, get(bareUrl));
    console.log(`200 concurrent get pods (Table): ${g.errors} errors, p50 ${g.p50.toFixed(1)} ms, p99 ${g.p99.toFixed(1)} ms`);
    report('200 concurrent get pods, wall time', { value: g.ms, unit: 'ms' }, { value: b.ms, unit: 'ms', name: 'bare node:http, fixed body' }, false);
    const e = await burst(50, () => execOnce(server.url));
    console.log(`50 concurrent exec sessions (WebSocket v5): ${e.errors} errors, ${e.ms.toFixed(0)} ms wall, p50 ${e.p50.toFixed(1)} ms, p99 ${e.p99.toFixed(1)} ms`);
    const hasKubectl = await new Promise<boolean>((r) => execFile('kubectl', ['version', '--client'], (err) => r(!err)));
    if (hasKubectl) {
      const tmp = mkdtempSync(join(tmpdir(), 'polis-bench-'));
      const env = { ...process.env, KUBECACHEDIR: join(tmp, 'cache'), KUBECONFIG: join(tmp, 'none') };
      const k = (args: string[]) => () => new Promise<boolean>((r) => execFile('kubectl', ['-s', server.url, ...args], { env, timeout: 120_000 }, (err) => r(!err)));
      await k(['get', 'pods'])();
      const kg = await burst(20, k(['get', 'pods']));
      console.log(`20 concurrent real kubectl get pods processes: ${kg.errors} errors, ${kg.ms.toFixed(0)} ms wall`);
      const ke = await burst(10, k(['exec', 'backend-f7b7ddfdf-9wp48', '--', 'echo', 'ok']));
      console.log(`10 concurrent real kubectl exec processes: ${ke.errors} errors, ${ke.ms.toFixed(0)} ms wall`);
      rmSync(tmp, { recursive: true, force: true });
    }
    const t0 = performance.now();
    const n = 20;
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${server.url}/apis/cilium.io/v2/namespaces/default/ciliumnetworkpolicies/database-policy`, {
        method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ metadata: { labels: { rev: String(i) } } }),
      });
      await res.text();
    }
    console.log(`a write (merge patch of a CNP: validate, store, reload the workspace, derive pods/endpoints/identities): ${((performance.now() - t0) / n).toFixed(1)} ms each`);
  } finally {
    await server.close();
    bare.close();
  }
}
