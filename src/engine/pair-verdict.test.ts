/**
 * `podPair` / `pairVerdict`: the simulator keeps two pods' ends per connection it has seen and asks by them. The
 * answer must be `verdict`'s, the very object (verdicts are interned), for every pair, protocol and port, asked in
 * any order; where `verdict` would take its general path (a proxy, a pod without identity) it must say so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateCluster } from '../../bench/generate.js';
import { loadWorkspace } from '../workspace/load.js';
import { seededRandom } from '../util/random.js';
import { compileEngine } from './engine.js';

test('pairVerdict is verdict, the same object, for pods of a generated cluster (L3/L4, L7 redirects, deny rules), a pair asked about many ports in turn', () => {
  const ws = loadWorkspace([{ path: 'gen.yaml', text: generateCluster(300, 120) }]);
  const engine = compileEngine(ws);
  const pods = ws.cluster.pods;
  const rnd = seededRandom(3);
  const protocols = ['TCP', 'UDP', 'SCTP'] as const;
  let asked = 0;
  let general = 0;
  for (let i = 0; i < 400; i++) {
    const from = pods[rnd(pods.length)]!;
    const to = i % 50 === 0 ? from : pods[rnd(pods.length)]!;
    const pair = engine.podPair(from, to);
    // The same pair again and again, ports and protocols changing and repeating (its last answer is kept on it).
    for (const port of [8080, 8080, 80, 8080, 53, 53, 65535, 1]) {
      const protocol = protocols[rnd(3)]!;
      const v = engine.verdict({ from: { kind: 'pod', pod: from }, to: { kind: 'pod', pod: to }, protocol, port });
      const p = engine.pairVerdict(pair, protocol, port);
      asked++;
      if (p === undefined) general++;
      else assert.equal(p, v, `${from.name} → ${to.name} ${protocol}/${port}`);
    }
  }
  assert.ok(general < asked / 2, `${general} of ${asked} left to the general path`);
});

test('pairVerdict leaves to verdict what it cannot answer: an invalid port, another engine\'s pair', () => {
  const ws = loadWorkspace([{ path: 'gen.yaml', text: generateCluster(40, 10) }]);
  const a = compileEngine(ws);
  const b = compileEngine(ws);
  const [x, y] = ws.cluster.pods;
  const pair = a.podPair(x!, y!);
  assert.notEqual(a.pairVerdict(pair, 'TCP', 80), undefined);
  assert.equal(b.pairVerdict(pair, 'TCP', 80), undefined);
  assert.equal(a.pairVerdict(pair, 'TCP', 0), undefined);
  assert.equal(a.pairVerdict(pair, 'TCP', 70000), undefined);
});
