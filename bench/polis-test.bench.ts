/**
 * `polis test` as a user runs it, in a separate process, on a generated
 * cluster of 10,000 pods and 1,000 mixed policies with a tests file of
 * 100,000 pod-to-pod cases, one in a hundred failing (goal: load + compile + 100,000 verdicts under
 * 3 s, at least 50,000 cases/s beyond the load, memory under 1 GB). Beside
 * it, the same process with one case (the cost of loading and compiling),
 * and a baseline in this process: parsing the same two files with js-yaml
 * and nothing else, the floor of any tool that reads them.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import yaml from 'js-yaml';
import { loadWorkspace } from '../src/workspace/load.js';
import { compileEngine } from '../src/engine/engine.js';
import type { Verdict } from '../src/engine/types.js';
import { report } from './harness.js';
import { seededRandom } from '../src/util/random.js';
import { generateCluster } from './generate.js';

const CASES = 100_000;

export function run(): void {
  // The built CLI, as users run it (the bundle bin/polis.js runs; no TypeScript loader in the measurement).
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'polis-bench-'));
  try {
    const clusterYaml = generateCluster(10_000, 1_000);
    writeFileSync(join(dir, 'cluster.yaml'), clusterYaml);
    const ws = loadWorkspace([{ path: 'cluster.yaml', text: clusterYaml }]);
    const engine = compileEngine(ws);
    const pods = ws.cluster.pods.filter((p) => p.namespace.startsWith('ns-'));
    const rnd = seededRandom(7);
    const ports = [8080, 8085, 443, 22];
    const lines = ['apiVersion: polis.dev/v1alpha1', 'kind: ConnectivityTest', 'metadata: {name: bench}', 'spec:', '  cases:'];
    for (let i = 0; i < CASES; i++) {
      const a = pods[rnd(pods.length)]!;
      const b = pods[rnd(pods.length)]!;
      const port = ports[rnd(ports.length)]!;
      // As in a real suite, nearly every case passes; one in a hundred fails and is explained.
      const v = engine.verdict({ from: { kind: 'pod', pod: a }, to: { kind: 'pod', pod: b }, port }) as Verdict;
      const expect = rnd(100) === 0 ? (v.verdict === 'allow' ? 'deny' : 'allow') : v.verdict;
      lines.push(`    - {from: ${a.namespace}/${a.name}, to: ${b.namespace}/${b.name}, port: ${port}, expect: ${expect}}`);
    }
    writeFileSync(join(dir, 'tests.yaml'), lines.join('\n') + '\n');
    writeFileSync(join(dir, 'one.yaml'), lines.slice(0, 6).join('\n') + '\n');

    const polis = (tests: string) => {
      const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, 'bin/polis.js', 'test', '-f', join(dir, 'cluster.yaml'), '--tests', join(dir, tests), '-o', 'json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
      if (r.status !== 0 && r.status !== 1) throw new Error(`polis test failed (${r.status}): ${r.stderr.slice(0, 500)}`);
      const [secs, kb] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
      return { secs: secs!, mb: kb! / 1024, results: (JSON.parse(r.stdout) as { results?: unknown[] }).results?.length ?? (JSON.parse(r.stdout) as unknown[]).length };
    };
    const one = polis('one.yaml');
    const all = polis('tests.yaml');
    const t0 = performance.now();
    yaml.loadAll(readFileSync(join(dir, 'cluster.yaml'), 'utf8'));
    yaml.loadAll(readFileSync(join(dir, 'tests.yaml'), 'utf8'));
    const parseSecs = (performance.now() - t0) / 1000;
    const perSec = CASES / Math.max(0.001, all.secs - one.secs);
    console.log(`polis test: ${CASES.toLocaleString('en-US')} cases (${all.results} results) in ${all.secs.toFixed(2)} s, ${all.mb.toFixed(0)} MB peak; one case: ${one.secs.toFixed(2)} s, ${one.mb.toFixed(0)} MB; ${Math.round(perSec).toLocaleString('en-US')} cases/s beyond the load`);
    report('polis test, 100,000 cases (goal < 3 s, < 1 GB)', { value: all.secs, unit: 's' }, { value: parseSecs, unit: 's to parse the two files', name: 'js-yaml alone' }, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
