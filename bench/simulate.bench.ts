/**
 * Simulated commands on the generated cluster of 10,000 pods and 1,000
 * policies: `curl -s http://POD-IP:8080/api/v1/items` from a random pod to
 * a random pod, each with its verdict from the engine, its output and exit
 * code, and every Hubble event a node would record built as a Flow and
 * kept in the flow log (goal: over 100,000 commands/s), beside the bare
 * `verdict` rate for the same pairs in the same run (the floor: the engine
 * alone, no command, no flows). Policy names in verdict events (an
 * `explain` per connection) are off, as they are for anything but a person.
 * Each of the 20,000 pairs is asked about ten times, as a load test repeats
 * its lines: a line run again from the same pod in the same network state,
 * whose pair the engine (asked again every time) decides as before, replays
 * its first run with its flows rebuilt (simulate/recording.ts); about a
 * fifth of the timed commands are first runs, which run in full.
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { VirtualCluster } from '../src/simulate/virtual-cluster.js';
import type { ConnectionQuery, Verdict } from '../src/engine/types.js';
import { report } from './harness.js';
import { generateCluster } from './generate.js';
import { seededRandom } from '../src/util/random.js';

export function run(): void {
  let t0 = performance.now();
  const vc = new VirtualCluster([{ path: 'bench.yaml', text: generateCluster(10_000, 1_000) }], { policyNames: false });
  const pods = vc.session.workspace.cluster.pods.filter((p) => !p.hostNetwork && p.namespace !== 'kube-system');
  const buildMs = performance.now() - t0;
  const rnd = seededRandom(7);
  // 20,000 distinct (source, destination) pairs, each asked several times.
  const pairs = Array.from({ length: 20_000 }, () => [pods[rnd(pods.length)]!, pods[rnd(pods.length)]!] as const);
  const N = 200_000;
  const order = Int32Array.from({ length: N }, () => rnd(pairs.length));
  const argvs = pairs.map(([, b]) => ['curl', '-s', '-m', '1', `http://${b.ip}:8080/api/v1/items`]);
  const froms = pairs.map(([a]) => `${a.namespace}/${a.name}`);

  for (let i = 0; i < 20_000; i++) vc.exec(froms[order[i]!]!, argvs[order[i]!]!); // warm-up
  const flowsBefore = vc.flows.seenFlows;
  let ok = 0;
  t0 = performance.now();
  let cpu0 = process.cpuUsage();
  for (let i = 0; i < N; i++) if (vc.exec(froms[order[i]!]!, argvs[order[i]!]!).exitCode === 0) ok++;
  const secs = (performance.now() - t0) / 1000;
  const cpuSecs = cpuSeconds(cpu0);
  const flows = vc.flows.seenFlows - flowsBefore;

  const engine = vc.session.engine({ dns: new Map() });
  // What a command asks the engine first: the pod-to-pod connection (the request only where a proxy is involved).
  const queries: ConnectionQuery[] = pairs.map(([a, b]) => ({ from: { kind: 'pod', pod: a }, to: { kind: 'pod', pod: b }, protocol: 'TCP', port: 8080 }));
  let allowed = 0;
  for (let i = 0; i < 20_000; i++) if ((engine.verdict(queries[order[i]!]!) as Verdict).verdict === 'allow') allowed++;
  allowed = 0;
  t0 = performance.now();
  cpu0 = process.cpuUsage();
  for (let i = 0; i < N; i++) if ((engine.verdict(queries[order[i]!]!) as Verdict).verdict === 'allow') allowed++;
  const verdictSecs = (performance.now() - t0) / 1000;
  const verdictCpuSecs = cpuSeconds(cpu0);

  console.log(`load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores; cluster: ${pods.length.toLocaleString('en-US')} pods (built in ${Math.round(buildMs)} ms); ${N.toLocaleString('en-US')} curls over 20,000 pairs: ${((ok / N) * 100).toFixed(1)}% exit 0, ${((allowed / N) * 100).toFixed(1)}% allowed by verdict, ${(flows / N).toFixed(1)} flows per command (${Math.round(flows / secs).toLocaleString('en-US')} flows/s); per CPU-second (what a busy machine's wall clock hides): ${Math.round(N / cpuSecs).toLocaleString('en-US')} commands, ${Math.round(N / verdictCpuSecs).toLocaleString('en-US')} verdicts`);
  report('simulated curl with its flows (goal > 100,000/s)', { value: N / secs, unit: 'commands/s' }, { value: N / verdictSecs, unit: 'verdicts/s', name: 'bare engine verdict, same questions' }, true);
}

/** CPU seconds (user and system, all threads: the collector's helpers count) since `from`. */
function cpuSeconds(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1e6;
}
