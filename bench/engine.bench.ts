/**
 * The engine on a generated cluster of 10,000 pods and 1,000 mixed policies:
 * compile time (goal: under 1 s) and verdicts per second (goal: over 2
 * million), each beside the plain rule-by-rule reference evaluator run in
 * the same process.
 */
import { performance } from 'node:perf_hooks';
import { loadWorkspace } from '../src/workspace/load.js';
import { compileEngine } from '../src/engine/index.js';
import { referenceAllows } from '../src/engine/reference.js';
import type { IdentityId } from '../src/identity/reserved.js';
import type { L4Protocol } from '../src/policy/rule.js';
import { report } from './harness.js';
import { generateCluster } from './generate.js';

export function run(): void {
  const ws = loadWorkspace([{ path: 'bench.yaml', text: generateCluster(10_000, 1_000) }]);
  const errors = ws.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`generated cluster has errors: ${errors[0]!.message}`);

  // Compile: identities, normalised rules, every endpoint identity's policy in both directions.
  let t0 = performance.now();
  const engine = compileEngine(ws);
  const identities = engine.compileAll();
  const compileMs = performance.now() - t0;
  console.log(`cluster: ${ws.cluster.pods.length.toLocaleString('en-US')} pods, ${ws.policies.length} policies, ${identities} endpoint identities, ${engine.normalized.rules.length} rules`);

  const ids = ws.cluster.pods.map((p) => engine.table.identityOfPod(p)!).filter((x): x is IdentityId => x !== undefined);
  const N = 2_000_000;
  const from = new Int32Array(N);
  const to = new Int32Array(N);
  const port = new Int32Array(N);
  const protos: L4Protocol[] = ['TCP', 'UDP'];
  let seed = 42;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  const ports = [8080, 8085, 443, 22, 53];
  for (let i = 0; i < N; i++) {
    from[i] = ids[rnd(ids.length)]!;
    to[i] = ids[rnd(ids.length)]!;
    port[i] = ports[rnd(ports.length)]!;
  }
  let allowed = 0;
  for (let i = 0; i < 100_000; i++) if (engine.allowsBetween(from[i] as IdentityId, to[i] as IdentityId, protos[i & 1]!, port[i]!)) allowed++; // warm-up
  allowed = 0;
  t0 = performance.now();
  for (let i = 0; i < N; i++) if (engine.allowsBetween(from[i] as IdentityId, to[i] as IdentityId, protos[i & 1]!, port[i]!)) allowed++;
  const engineSecs = (performance.now() - t0) / 1000;

  const M = 2_000;
  let refAllowed = 0;
  t0 = performance.now();
  for (let i = 0; i < M; i++) if (referenceAllows(engine.normalized.rules, engine.table, from[i] as IdentityId, to[i] as IdentityId, protos[i & 1]!, port[i]!)) refAllowed++;
  const refSecs = (performance.now() - t0) / 1000;
  let agree = 0;
  for (let i = 0; i < M; i++) if (referenceAllows(engine.normalized.rules, engine.table, from[i] as IdentityId, to[i] as IdentityId, protos[i & 1]!, port[i]!) === engine.allowsBetween(from[i] as IdentityId, to[i] as IdentityId, protos[i & 1]!, port[i]!)) agree++;

  console.log(`verdicts: ${N.toLocaleString('en-US')} random pod-to-pod questions, ${((allowed / N) * 100).toFixed(1)}% allowed; reference agrees on ${agree}/${M} sampled`);
  // The plain evaluator has no compile step; the fair comparison is the time it needs to answer
  // one question per endpoint identity, which is what compiling prepares answers for.
  const perIdentityMs = (refSecs / M) * identities * 1000;
  report('compile (10,000 pods, 1,000 policies)', { value: compileMs, unit: 'ms' }, { value: perIdentityMs, unit: `ms to answer ${identities} questions (one per identity)`, name: 'rule-by-rule reference evaluator' }, false);
  report('verdicts', { value: N / engineSecs, unit: 'verdicts/s' }, { value: M / refSecs, unit: 'verdicts/s', name: 'rule-by-rule reference evaluator' }, true);
}
