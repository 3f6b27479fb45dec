/**
 * Port and endpoint classes (issue 11): the matrix asks one verdict per
 * class pair and port class, so every pod pair and every port of a class
 * must get the verdict of the class representatives. Checked exhaustively
 * on a generated cluster (L3/L4, L7, deny, CIDR, CCNP and NetworkPolicy
 * rules), at each class's first, middle and last port.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateCluster } from '../../bench/generate.js';
import { loadWorkspace } from '../workspace/load.js';
import { compileEngine } from './engine.js';
import { portClasses } from './classes.js';
import { isProblem, type Verdict } from './types.js';
import type { NormalizedRule } from '../policy/rule.js';

const rule = (ports: { port: number | string; endPort: number; protocol: 'TCP' | 'UDP' }[]): NormalizedRule => ({
  ingress: { defaultDeny: true, entries: [{ ports: { kind: 'ports', ports: ports.map((p) => ({ ...p, path: [], text: '' })) } } as never] },
} as unknown as NormalizedRule);

describe('port classes', () => {
  test('cut at the ends of every range and at the aligned blocks Cilium keys a range by (bpf/lib/policy.h port prefixes)', () => {
    const cs = portClasses([rule([{ port: 80, endPort: 80, protocol: 'TCP' }, { port: 8080, endPort: 8090, protocol: 'TCP' }])], [], ['TCP', 'UDP']);
    const tcp = cs.filter((c) => c.protocol === 'TCP').map((c) => `${c.from}-${c.to}`);
    // 8080-8090 is the blocks 8080-8087, 8088-8089, 8090.
    assert.deepEqual(tcp, ['1-79', '80-80', '81-8079', '8080-8087', '8088-8089', '8090-8090', '8091-65535']);
    assert.deepEqual(cs.filter((c) => c.protocol === 'UDP').map((c) => `${c.from}-${c.to}`), ['1-65535'], 'a protocol no rule names is one class');
  });
  test('a named port is cut at every number a pod gives the name', () => {
    const pods = [{ ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }, { ports: [{ name: 'HTTP', containerPort: 9090, protocol: 'TCP' }] }] as never;
    const cs = portClasses([rule([{ port: 'http', endPort: 0, protocol: 'TCP' }])], pods, ['TCP']);
    assert.deepEqual(cs.map((c) => `${c.from}-${c.to}`), ['1-8079', '8080-8080', '8081-9089', '9090-9090', '9091-65535']);
  });
  test('port 0 (every port) makes no cut', () => {
    assert.equal(portClasses([rule([{ port: 0, endPort: 65535, protocol: 'TCP' }])], [], ['TCP']).length, 1);
  });
});

describe('endpoint classes', () => {
  const ws = loadWorkspace([{ path: 'gen.yaml', text: generateCluster(150, 60) }]);
  const engine = compileEngine(ws);
  const classes = engine.endpointClasses();
  const ports = engine.portClasses();
  const key = (v: Verdict | { problem: string }) => (isProblem(v as object) ? 'problem' : `${(v as Verdict).verdict}|${(v as Verdict).dropReason ?? ''}|${(v as Verdict).l7 ?? ''}`);

  test('fewer classes than pods, and pods of one workload share a class', () => {
    const n = new Set(classes.values()).size;
    assert.ok(n < ws.cluster.pods.length / 2, `${n} classes for ${ws.cluster.pods.length} pods`);
    const byOwner = new Map<string, Set<number>>();
    for (const [p, c] of classes) (byOwner.get(`${p.namespace}/${p.owner.name}`) ?? byOwner.set(`${p.namespace}/${p.owner.name}`, new Set()).get(`${p.namespace}/${p.owner.name}`)!).add(c);
    for (const [w, cs] of byOwner) assert.equal(cs.size, 1, w);
  });

  test('every pod pair and port gets the verdict of its class representatives', () => {
    const reps = new Map<number, typeof ws.cluster.pods[number][]>();
    for (const [p, c] of classes) {
      const r = reps.get(c) ?? reps.set(c, []).get(c)!;
      if (r.length < 2) r.push(p);
    }
    const pods = [...classes.keys()];
    let checked = 0;
    for (const a of pods) {
      for (const b of pods) {
        if (a === b) continue;
        const ra = reps.get(classes.get(a)!)!;
        const rb = reps.get(classes.get(b)!)!;
        const from = ra[0]!;
        const to = rb.find((x) => x !== from) ?? rb[0]!;
        for (const pc of ports) {
          const expected = key(engine.verdict({ from: { kind: 'pod', pod: from }, to: { kind: 'pod', pod: to }, protocol: pc.protocol, port: pc.from }));
          for (const port of new Set([pc.from, (pc.from + pc.to) >> 1, pc.to])) {
            const got = key(engine.verdict({ from: { kind: 'pod', pod: a }, to: { kind: 'pod', pod: b }, protocol: pc.protocol, port }));
            if (got !== expected) assert.fail(`${a.namespace}/${a.name} → ${b.namespace}/${b.name} ${port}/${pc.protocol}: ${got}, class says ${expected}`);
            checked++;
          }
        }
      }
    }
    assert.ok(checked > 100_000, `${checked} checked`);
  });

  test('podVerdicts and addressVerdicts give verdict\'s answers, port by port', () => {
    const pods = [...classes.keys()].filter((_, i) => i % 7 === 0);
    const externals = engine.externalAddresses();
    for (const a of pods) {
      for (const b of pods) {
        const batch = engine.podVerdicts(a, b, ports).map(key);
        assert.deepEqual(batch, ports.map((pc) => key(engine.verdict({ from: { kind: 'pod', pod: a }, to: { kind: 'pod', pod: b }, protocol: pc.protocol, port: pc.from }))));
      }
      for (const x of [...externals, { ip: ws.cluster.nodes[0]!.ip }]) {
        for (const outgoing of [true, false]) {
          const peer = { kind: 'ip', ip: x.ip } as const;
          const batch = engine.addressVerdicts(a, peer, outgoing, ports).map(key);
          const one = ports.map((pc) => key(engine.verdict(outgoing ? { from: { kind: 'pod', pod: a }, to: peer, protocol: pc.protocol, port: pc.from } : { from: peer, to: { kind: 'pod', pod: a }, protocol: pc.protocol, port: pc.from })));
          assert.deepEqual(batch, one, `${a.name} ${outgoing ? '→' : '←'} ${x.ip}`);
        }
      }
    }
  });

  test('with one end outside the cluster, pods of one side class answer alike (world, every CIDR, both ways)', () => {
    const sides = engine.sideClasses();
    const externals = engine.externalAddresses();
    assert.ok(externals.length > 10 && externals[0]!.name === 'world', `${externals.length} external ends`);
    for (const [dir, map] of [['in', sides.ingress], ['out', sides.egress]] as const) {
      const rep = new Map<number, typeof ws.cluster.pods[number]>();
      for (const [p, c] of map) if (!rep.has(c)) rep.set(c, p);
      assert.ok(rep.size < new Set(classes.values()).size, 'coarser than endpoint classes');
      for (const [p, c] of map) {
        for (const x of externals) {
          for (const pc of ports) {
            const q = (pod: typeof p) => (dir === 'in' ? { from: { kind: 'ip', ip: x.ip } as const, to: { kind: 'pod', pod } as const } : { from: { kind: 'pod', pod } as const, to: { kind: 'ip', ip: x.ip } as const });
            const got = key(engine.verdict({ ...q(p), protocol: pc.protocol, port: pc.from }));
            const expected = key(engine.verdict({ ...q(rep.get(c)!), protocol: pc.protocol, port: pc.from }));
            if (got !== expected) assert.fail(`${dir} ${x.name} ${p.namespace}/${p.name} ${pc.from}/${pc.protocol}: ${got}, side class says ${expected}`);
          }
        }
      }
    }
  });
});
