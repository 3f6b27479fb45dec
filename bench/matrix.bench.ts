/**
 * The connectivity matrix and the semantic diff on the generated cluster of
 * 10,000 pods and 1,000 policies (issue 11; goals: matrix under 2 s, diff
 * under 3 s). The matrix time covers endpoint and port classes, every
 * verdict and a read of every cell (workload × workload plus the external
 * ends); the engine's compile is timed apart. Baseline in the same run:
 * pod pair by pod pair over the same port classes, timed on a sample of
 * source pods and extrapolated to all of them. The diff compares the
 * cluster with a version whose deny rules moved port (22 → 23) and whose
 * L4 policies take a second port, engines built inside the timing.
 */
import { performance } from 'node:perf_hooks';
import { loadWorkspace } from '../src/workspace/load.js';
import { Session } from '../src/usecases/session.js';
import { connectivityMatrix } from '../src/usecases/matrix.js';
import { diffSessions } from '../src/usecases/diff.js';
import { report } from './harness.js';
import { generateCluster } from './generate.js';

export function run(): void {
  const text = generateCluster(10_000, 1_000);
  const ws = loadWorkspace([{ path: 'bench.yaml', text }]);
  const session = new Session(ws);
  let t0 = performance.now();
  const engine = session.inspectable();
  engine.verdict({ from: { kind: 'pod', pod: ws.cluster.pods[0]! }, to: { kind: 'pod', pod: ws.cluster.pods[1]! }, port: 80 });
  console.log(`engine built in ${(performance.now() - t0).toFixed(0)} ms (not counted below)`);

  // CPU time beside wall time: on a shared machine the wall clock also counts other people's work.
  const cpu = () => process.cpuUsage().user / 1000;
  let c0 = cpu();
  t0 = performance.now();
  const m = connectivityMatrix(session);
  let cells = 0;
  for (let i = 0; i < m.sources.length; i++) for (let j = 0; j < m.destinations.length; j++) if (m.cell(i, j)) cells++;
  const matrixMs = performance.now() - t0;
  const matrixCpu = cpu() - c0;
  const classes = new Set(m.classes.values()).size;
  console.log(`matrix: ${m.sources.length} × ${m.destinations.length} endpoints, ${cells.toLocaleString('en-US')} cells, ${classes} endpoint classes, ${m.ports.length} port classes, ${m.questions.toLocaleString('en-US')} verdicts; ${matrixCpu.toFixed(0)} ms of CPU`);

  // Baseline: every pod pair, every port class, for a sample of sources.
  const pods = ws.cluster.pods.filter((p) => m.classes.has(p));
  const sample = 10;
  const plain = session.inspectable({ dns: new Map() });
  t0 = performance.now();
  for (let s = 0; s < sample; s++) {
    const from = pods[(s * 997) % pods.length]!;
    for (const to of pods) for (const pc of m.ports) plain.verdict({ from: { kind: 'pod', pod: from }, to: { kind: 'pod', pod: to }, protocol: pc.protocol, port: pc.from });
  }
  const pairMs = ((performance.now() - t0) / sample) * pods.length;
  report('matrix, 10,000 pods (goal < 2,000 ms)', { value: matrixMs, unit: 'ms' }, { value: pairMs, unit: 'ms', name: `pod pair by pod pair, extrapolated from ${sample} sources` }, false);

  const changed = text.replace(/port: "22"/g, 'port: "23"').replace(/toPorts: \[\{ports: \[\{port: "443", protocol: TCP\}\]\}\]/g, 'toPorts: [{ports: [{port: "443", protocol: TCP}, {port: "8443", protocol: TCP}]}]');
  const ws2 = loadWorkspace([{ path: 'bench-v2.yaml', text: changed }]);
  c0 = cpu();
  t0 = performance.now();
  const d = diffSessions(new Session(ws), new Session(ws2));
  const diffMs = performance.now() - t0;
  console.log(`diff: ${d.changes.length.toLocaleString('en-US')} changed (pair, port range)s, ${d.compared.toLocaleString('en-US')} class-pair comparisons, ${d.verdicts.toLocaleString('en-US')} verdicts; ${(cpu() - c0).toFixed(0)} ms of CPU`);
  // Baseline: two matrices read cell by cell (what a diff of two matrix outputs costs), from the figure above.
  report('diff, 10,000 pods, engines built inside (goal < 3,000 ms)', { value: diffMs, unit: 'ms' }, { value: 2 * pairMs, unit: 'ms', name: 'two pod-pair matrices, extrapolated' }, false);
}
