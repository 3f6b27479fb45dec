/**
 * @module bench/cidr-policy
 *
 * A policy with thousands of `fromCIDR` entries (issue 8: explain took 2 s at
 * 1,000 entries, 11 s at 3,000, minutes at 10,000). For 1,000 / 3,000 /
 * 10,000 entries: the whole `polis explain` in-process (load, validate,
 * identity table, engine, formatting) and, beside it, the selection step
 * alone with the table's prefix index vs the old way, matching every CIDR
 * selector against every identity (run on a sample of selectors and scaled,
 * because it is quadratic).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { main } from '../src/cli/main.js';
import { memoryIO } from '../src/cli/io.js';
import { buildIdentityTable } from '../src/identity/table.js';
import { EndpointSelector } from '../src/identity/selector.js';
import { mkCluster } from '../src/identity/testing.js';
import { report } from './harness.js';

const cidrAt = (i: number) => `${20 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24`;

function policyFile(n: number): string {
  const lines = [
    'apiVersion: v1', 'kind: Pod', 'metadata: {name: web, namespace: default, labels: {app: web}}',
    'spec: {nodeName: node-1, containers: [{name: c, image: nginx}]}', 'status: {podIP: 10.244.1.5}', '---',
    'apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', 'metadata: {name: many, namespace: default}',
    'spec:', '  endpointSelector: {matchLabels: {app: web}}', '  ingress:', '  - fromCIDR:',
  ];
  for (let i = 0; i < n; i++) lines.push(`    - ${cidrAt(i)}`);
  return lines.join('\n') + '\n';
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'polis-bench-cidr-'));
  for (const n of [1_000, 3_000, 10_000]) {
    const file = join(dir, `cidr-${n}.yaml`);
    writeFileSync(file, policyFile(n));
    const io = memoryIO();
    const t0 = performance.now();
    const code = await main(['explain', '-f', file, '--from', 'ip:20.0.5.7', '--to', 'default/web', '--port', '80'], io);
    const explainMs = performance.now() - t0;
    if (code !== 0) throw new Error(`explain exited ${code}: ${io.stderr()}`);

    const cidrs = Array.from({ length: n }, (_, i) => cidrAt(i));
    const selectors = cidrs.map((c) => EndpointSelector.fromK8s({ matchLabels: { [`cidr:${c}`]: '' } }));
    const table = buildIdentityTable(mkCluster({}), { localNode: 'worker', referencedCidrs: cidrs }).table;
    const t1 = performance.now();
    for (const s of selectors) table.select(s);
    const indexMs = performance.now() - t1;
    const ids = table.allIdentities();
    const sample = selectors.filter((_, i) => i % Math.max(1, Math.floor(n / 300)) === 0);
    const t2 = performance.now();
    for (const s of sample) ids.filter((id) => s.matches(table.labelsOf(id)!));
    const scanMs = ((performance.now() - t2) / sample.length) * selectors.length;
    console.log(`${n.toLocaleString('en-US')} fromCIDR entries: polis explain in-process ${explainMs.toFixed(0)} ms`);
    report(`  select ${n.toLocaleString('en-US')} CIDR selectors`, { value: indexMs, unit: 'ms' }, { value: scanMs, unit: 'ms (scaled from a sample)', name: 'match every identity' }, false);
  }
}
