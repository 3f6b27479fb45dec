/**
 * The engine on a generated cluster of 10,000 pods and 1,000 mixed policies:
 * compile time (goal: under 0.5 s) beside the rule-by-rule reference
 * evaluator, and `verdict` throughput on random pod-to-pod questions (goal:
 * over 5 million a second) beside a raw `Map.get` loop over the same
 * questions in the same run (the floor of any lookup), and beside the
 * reference. The reference must agree on a sample.
 */
import { performance } from 'node:perf_hooks';
import { loadWorkspace } from '../src/workspace/load.js';
import { compileEngine } from '../src/engine/index.js';
import { normalizePolicies } from '../src/policy/normalize/index.js';
import { ReferenceEngine } from '../src/engine/reference.js';
import { isProblem, type ConnectionQuery, type Verdict } from '../src/engine/types.js';
import type { L4Protocol } from '../src/policy/rule.js';
import { report } from './harness.js';
import { seededRandom } from '../src/util/random.js';
import { generateCluster } from './generate.js';

export function run(): void {
  const ws = loadWorkspace([{ path: 'bench.yaml', text: generateCluster(10_000, 1_000) }]);
  const errors = ws.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`generated cluster has errors: ${errors[0]!.message}`);

  // Compile: normalised rules, identities, every endpoint identity's policy in both directions.
  let t0 = performance.now();
  const engine = compileEngine(ws);
  const identities = engine.compileAll();
  const compileMs = performance.now() - t0;
  console.log(`cluster: ${ws.cluster.pods.length.toLocaleString('en-US')} pods, ${ws.policies.length} policies, ${identities} endpoint identities, ${engine.normalized.rules.length} rules`);

  const N = 2_000_000;
  const protos: L4Protocol[] = ['TCP', 'UDP'];
  const ports = [8080, 8085, 443, 22, 53];
  const rnd = seededRandom(42);
  const pods = ws.cluster.pods.filter((p) => !p.hostNetwork);
  // 100,000 distinct questions, asked 20 times over in a shuffled order.
  const distinct: ConnectionQuery[] = [];
  for (let i = 0; i < 100_000; i++) {
    distinct.push({ from: { kind: 'pod', pod: pods[rnd(pods.length)]! }, to: { kind: 'pod', pod: pods[rnd(pods.length)]! }, protocol: protos[i & 1]!, port: ports[rnd(ports.length)]! });
  }
  const order = new Int32Array(N);
  for (let i = 0; i < N; i++) order[i] = rnd(distinct.length);
  if (new Set(order).size < distinct.length * 0.9) throw new Error('the question order does not cover the distinct questions');

  let allowed = 0;
  for (let i = 0; i < 200_000; i++) if ((engine.verdict(distinct[order[i]!]!) as Verdict).verdict === 'allow') allowed++; // warm-up
  allowed = 0;
  t0 = performance.now();
  for (let i = 0; i < N; i++) if ((engine.verdict(distinct[order[i]!]!) as Verdict).verdict === 'allow') allowed++;
  const engineSecs = (performance.now() - t0) / 1000;

  // The same questions in index order: what a question costs when memory is not the limit
  // (random order over 100,000 distinct questions is mostly cache misses, for the Map too).
  const inOrder = new Int32Array(order).sort();
  t0 = performance.now();
  for (let i = 0; i < N; i++) engine.verdict(distinct[inOrder[i]!]!);
  const inOrderSecs = (performance.now() - t0) / 1000;

  // Baseline: the answers precomputed in a Map keyed by the question object; the loop only looks them up.
  const table = new Map<ConnectionQuery, boolean>(distinct.map((q) => [q, (engine.verdict(q) as Verdict).verdict === 'allow']));
  let mapAllowed = 0;
  for (let i = 0; i < 200_000; i++) if (table.get(distinct[order[i]!]!)) mapAllowed++;
  mapAllowed = 0;
  t0 = performance.now();
  for (let i = 0; i < N; i++) if (table.get(distinct[order[i]!]!)) mapAllowed++;
  const mapSecs = (performance.now() - t0) / 1000;
  if (mapAllowed !== allowed) throw new Error('the Map baseline disagrees with the engine');

  // The reference evaluator: same questions, rule by rule.
  const reference = new ReferenceEngine({ cluster: ws.cluster, policies: normalizePolicies(ws.policies, ws.cluster) });
  const M = 1_000;
  let agree = 0;
  t0 = performance.now();
  for (let i = 0; i < M; i++) {
    const q = distinct[order[i]!]!;
    const r = reference.verdict(q);
    const v = engine.verdict(q);
    if (!isProblem(r) && !isProblem(v) && r.verdict === v.verdict && r.dropReason === v.dropReason) agree++;
  }
  const refSecs = (performance.now() - t0) / 1000;

  console.log(`verdicts: ${N.toLocaleString('en-US')} pod-to-pod questions (100,000 distinct), ${((allowed / N) * 100).toFixed(1)}% allowed; reference agrees on ${agree}/${M} sampled`);
  // The plain evaluator has no compile step; the fair comparison is the time it needs to answer
  // one question per endpoint identity, which is what compiling prepares answers for.
  const perIdentityMs = (refSecs / M) * identities * 1000;
  report('compile (10,000 pods, 1,000 policies; goal < 500 ms)', { value: compileMs, unit: 'ms' }, { value: perIdentityMs, unit: `ms to answer ${identities} questions (one per identity)`, name: 'rule-by-rule reference evaluator' }, false);
  console.log(`verdict, the same questions in index order (cache-friendly): ${Math.round(N / inOrderSecs).toLocaleString('en-US')} verdicts/s`);
  report('verdict (goal > 5,000,000/s)', { value: N / engineSecs, unit: 'verdicts/s' }, { value: N / mapSecs, unit: 'lookups/s', name: 'Map.get of precomputed answers' }, true);
  report('verdict vs reference', { value: N / engineSecs, unit: 'verdicts/s' }, { value: M / refSecs, unit: 'verdicts/s', name: 'rule-by-rule reference evaluator' }, true);
}
