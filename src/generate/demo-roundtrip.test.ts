/**
 * Round trip of the tutorial (issue 12): the demo app under the tutorial's
 * final policies runs the traffic the tutorial allows in the virtual
 * cluster; its flows, written as Hubble jsonpb lines the way
 * `polis run --hubble FILE` writes them, go through `polis generate`; the
 * generated set must load without errors, allow every observed connection
 * (the replay proof) and give the same verdict as the tutorial's policies
 * for each observed connection — no connectivity change where traffic was
 * seen. The simulator and the generator meet only through the jsonpb text,
 * so a field one writes and the other needs shows up here.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { encodeFlowResponse } from '../hubble/encode.js';
import { VirtualCluster } from '../simulate/virtual-cluster.js';
import { generateFromReduction, reduceFlowChunks, replayReduction } from '../usecases/generate.js';
import { loadWorkspace } from '../workspace/load.js';
import { describeConnection } from './replay.js';

const read = (p: string) => ({ path: p, text: readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8') });
const APP = read('examples/demo/app.yaml');
// The policies in force at the end of examples/tutorial/scenario.yaml (stories 2, 4 and 5; the
// examples/demo copies are the same files).
const TUTORIAL = [
  read('examples/stories/2-database-vpn-cidr/database-policy.yaml'),
  read('examples/stories/4-frontend-world-tcp/frontend-policy.yaml'),
  read('examples/stories/5-docs-l7-vpn/backend-policy.yaml'),
];

function runTutorialTraffic(policies: readonly { path: string; text: string }[]): { vc: VirtualCluster; jsonpb: string; outputs: string[] } {
  const vc = new VirtualCluster([APP, ...policies], {
    now: new Date('2024-03-14T13:55:24Z'),
    dns: { 'example.com': ['93.184.215.14'], 'storage.cloud.google.com': ['142.250.74.59'] },
    responses: [{ pod: 'default/database', path: '/PING', body: '{"PING":[true,"PONG"]}' }],
  });
  const ip = (ref: string) => vc.findPod(ref)!.ip;
  // What the tutorial shows allowed once every story is applied (the scenario's exit-0 commands).
  const allowed: [string, string[]][] = [
    ['deploy/frontend', ['curl', '-s', 'backend']],
    ['deploy/backend', ['curl', '-s', 'database/PING']],
    ['deploy/backend', ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'storage.cloud.google.com']],
    ['world:203.0.113.5', ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', `http://${ip('deploy/frontend')}/`]],
    ['world:203.0.113.5', ['nc', '-zvu', ip('deploy/frontend'), '443']],
    ['world:172.27.224.3', ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', `http://${ip('deploy/backend')}/docs`]],
  ];
  const outputs: string[] = [];
  for (const [who, argv] of allowed) {
    const r = vc.exec(who, argv);
    assert.equal(r.exitCode, 0, `${who} ${argv.join(' ')}: ${r.stderr}`);
    outputs.push(`${who} ${argv.join(' ')} → ${r.exitCode} ${JSON.stringify(r.stdout)}`);
  }
  // As src/cli/commands/run.ts appends them for `--hubble FILE`.
  let jsonpb = '';
  for (const f of vc.flows.all()) jsonpb += `${encodeFlowResponse({ flow: f, ...(f.nodeName ? { nodeName: f.nodeName } : {}), ...(f.time ? { time: f.time } : {}) })}\n`;
  return { vc, jsonpb, outputs };
}

describe('tutorial round trip: simulated flows → polis generate → same verdicts', () => {
  const { vc, jsonpb, outputs } = runTutorialTraffic(TUTORIAL);

  for (const l7 of [false, true]) {
    test(`generated policies (l7: ${l7}) are valid, allow all observed traffic and change no observed verdict`, () => {
      assert.ok(vc.flows.seenFlows <= vc.flows.capacity, 'the ring kept every flow');
      const { reduction, lines, skippedLines } = reduceFlowChunks([jsonpb], { l7 });
      assert.equal(lines, vc.flows.size);
      assert.equal(skippedLines, 0);
      const observed = reduction.observed();
      const seen = observed.map(describeConnection);
      // The workload pairs the tutorial exercises were all recovered from the flows.
      for (const want of [
        /^default\/.*tier=frontend → default\/.*tier=backend 80\/TCP/,
        /^default\/.*tier=backend → default\/.*tier=database 7379\/TCP/,
        /^default\/.*tier=backend → kube-system\/.*k8s-app=kube-dns 53\/UDP/,
        /^default\/.*tier=frontend → kube-system\/.*k8s-app=kube-dns 53\/UDP/,
        /tier=backend → 142\.250\.74\.59 80\/TCP/,
        /^203\.0\.113\.5 → default\/.*tier=frontend 80\/TCP/,
        /^203\.0\.113\.5 → default\/.*tier=frontend 443\/UDP/,
        /^172\.27\.224\.3 → default\/.*tier=backend 80\/TCP/,
      ]) assert.ok(seen.some((s) => want.test(s)), `no observed connection matches ${want}:\n${seen.join('\n')}`);

      const result = generateFromReduction(reduction);
      assert.deepEqual(result.diagnostics, []);
      assert.ok(result.files.length > 0);
      // Valid as `polis validate` sees them beside the demo app.
      const generated = result.files.map((f) => ({ path: f.fileName, text: f.text }));
      const ws = loadWorkspace([APP, ...generated]);
      assert.deepEqual(ws.diagnostics.filter((d) => d.severity === 'error'), []);

      const denied = result.proof.connections.filter((c) => c.verdict !== 'allow').map((c) => `${describeConnection(c.connection)}: ${c.verdict} ${c.reason}`);
      assert.deepEqual(denied, [], 'the replay proof: every observed connection allowed');
      assert.equal(result.proof.allowed, observed.length);

      // The tutorial's policies, replayed over the same observed connections, give the same verdicts.
      const before = replayReduction(reduction, TUTORIAL);
      assert.deepEqual(before.diagnostics, []);
      const verdicts = (cs: typeof before.report.connections) => cs.map((c) => `${describeConnection(c.connection)}: ${c.verdict}`);
      assert.deepEqual(verdicts(result.proof.connections), verdicts(before.report.connections));

      // And in the simulated cluster itself: the same commands under the generated set give the same results.
      assert.deepEqual(runTutorialTraffic(generated).outputs, outputs);
    });
  }
});
