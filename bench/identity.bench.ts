/**
 * @module bench/identity
 *
 * Identity layer benchmarks on a generated cluster of 10,000 pods with about
 * 1,000 distinct identity-relevant label sets, 50 nodes and 200 referenced
 * CIDRs. Each figure is printed next to a naive baseline run in the same
 * process:
 * - table build vs only computing every pod's label set and deduplicating
 *   by linear search (a lower bound: no numbering, no ipcache, no CIDRs);
 * - selector evaluation per identity (cached) vs matching every pod;
 * - ipcache longest-prefix lookups vs a linear scan over all entries.
 */
import { performance } from 'node:perf_hooks';
import { bestOf, report } from './harness.js';
import { buildIdentityTable } from '../src/identity/table.js';
import { EndpointSelector } from '../src/identity/selector.js';
import { podIdentityLabels } from '../src/identity/label-filter.js';
import { mkCluster, mkNamespace, mkNode, mkPod } from '../src/identity/testing.js';
import { cidrContains, parseIp, type IpAddress } from '../src/net/ip.js';
import type { Cluster, Pod } from '../src/model/types.js';
import type { LabelSet } from '../src/identity/labels.js';

/** Deterministic PRNG (mulberry32) so every run benches the same cluster. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(): { cluster: Cluster; cidrs: string[] } {
  const rand = rng(42);
  const nodes = Array.from({ length: 50 }, (_, i) => mkNode(`node-${i}`, `172.18.${i >> 8}.${(i & 255) + 1}`, i < 3));
  const namespaces = Array.from({ length: 20 }, (_, i) => mkNamespace(`ns-${i}`, { team: `t${i % 5}` }));
  const pods: Pod[] = [];
  for (let i = 0; i < 10_000; i++) {
    // 20 namespaces x 50 apps = 1,000 distinct identities; the hash label is filtered out.
    const ns = i % 20;
    const app = Math.floor(rand() * 50);
    pods.push(
      mkPod({
        name: `pod-${i}`,
        namespace: `ns-${ns}`,
        ip: `10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`,
        nodeName: `node-${i % 50}`,
        labels: { app: `app-${app}`, tier: `tier-${app % 3}`, 'pod-template-hash': `h${i}` },
      }),
    );
  }
  const cidrs = Array.from({ length: 200 }, (_, i) => `${20 + (i % 150)}.${i}.0.0/${8 + (i % 17)}`);
  return { cluster: mkCluster({ namespaces, nodes, pods }), cidrs };
}

/** Naive allocation: linear search of the distinct label sets for each pod. */
function naiveAllocate(cluster: Cluster): number {
  const seen: LabelSet[] = [];
  for (const pod of cluster.pods) {
    const ns = cluster.namespaces.find((n) => n.name === pod.namespace)!;
    const ls = podIdentityLabels(pod, ns, cluster.name);
    if (!seen.some((s) => s.canonical === ls.canonical)) seen.push(ls);
  }
  return seen.length;
}

export function run(): void {
  const { cluster, cidrs } = generate();
  const options = { localNode: 'node-0', referencedCidrs: cidrs };

  let identities = 0;
  const buildMs = bestOf(3, () => {
    identities = buildIdentityTable(cluster, options).table.allIdentities().length;
  });
  const naiveMs = bestOf(1, () => naiveAllocate(cluster));
  console.log(`cluster: ${cluster.pods.length} pods, ${cluster.nodes.length} nodes, ${cidrs.length} CIDRs -> ${identities} identities`);
  report('identity table build (10k pods)', { value: buildMs, unit: 'ms' }, { value: naiveMs, unit: 'ms', name: 'pod label sets only, linear-search dedup' }, false);

  // Selector evaluation: 100 selectors, once per identity vs once per pod.
  const selectors = Array.from({ length: 100 }, (_, i) =>
    EndpointSelector.fromK8s({ matchLabels: { app: `app-${i % 50}`, 'k8s:io.kubernetes.pod.namespace': `ns-${i % 20}` } }),
  );
  const podLabels = cluster.pods.map((p) => podIdentityLabels(p, cluster.namespaces.find((n) => n.name === p.namespace)!, cluster.name));
  // Each repetition uses a fresh table so the selection cache starts cold.
  let selectOnly = Infinity;
  for (let r = 0; r < 3; r++) {
    const fresh = buildIdentityTable(cluster, options).table;
    const t0 = performance.now();
    for (const s of selectors) fresh.select(s);
    selectOnly = Math.min(selectOnly, performance.now() - t0);
  }
  const perPodMs = bestOf(3, () => {
    for (const s of selectors) for (const ls of podLabels) s.matches(ls);
  });
  report('select 100 selectors', { value: selectOnly, unit: 'ms' }, { value: perPodMs, unit: 'ms', name: 'match every pod' }, false);

  // ipcache lookups: LPM vs linear scan over the same entries.
  const t = buildIdentityTable(cluster, options).table;
  const rand = rng(7);
  const probes: IpAddress[] = Array.from({ length: 200_000 }, (_, i) => {
    if (i % 2 === 0) return parseIp(cluster.pods[Math.floor(rand() * cluster.pods.length)]!.ip)!;
    return { family: 4, value: BigInt(Math.floor(rand() * 0xffffffff)) };
  });
  let sink = 0;
  const lpmMs = bestOf(3, () => {
    for (const ip of probes) sink += t.identityOfAddress(ip);
  });
  const entries = t.ipcache.entries;
  const linearProbes = probes.slice(0, 2_000);
  const linearMs = bestOf(1, () => {
    for (const ip of linearProbes) {
      let best = -1;
      let id = 2;
      for (const e of entries) if (e.prefix.bits > best && cidrContains(e.prefix, ip)) ((best = e.prefix.bits), (id = e.id));
      sink += id;
    }
  });
  report(
    `ipcache lookups (${entries.length} entries)`,
    { value: (probes.length / lpmMs) * 1000, unit: 'lookups/s' },
    { value: (linearProbes.length / linearMs) * 1000, unit: 'lookups/s', name: 'linear scan' },
    true,
  );
  if (sink === 42) console.log(''); // keep the loops observable
}
