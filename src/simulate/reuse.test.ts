/**
 * What the simulator remembers between commands so that a command costs
 * little (issue 9's goal: over 100,000 curls a second with their flows):
 * curl's parsed command lines, the parts flows share (endpoints, `ip`,
 * event types, timestamps of one instant), a request's last default answer,
 * the clock's ISO text. Each must give the very bytes that building afresh
 * gives, and no flow handed out may change when later commands run.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { encodeFlow } from '../hubble/encode.js';
import type { Pod } from '../model/types.js';
import { VirtualClock } from './clock.js';
import { curlPlan, parseCurl } from './commands/curl.js';
import { defaultResponse, Network } from './network.js';
import { VirtualCluster } from './virtual-cluster.js';

const read = (p: string) => ({ path: p, text: readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8') });
const APP = read('examples/demo/app.yaml');
const DB_POLICY = read('examples/stories/1-database-lockdown/database-policy.yaml');
const DENY_ALL = read('examples/stories/1-database-lockdown/database-deny-all.yaml');
const BACKEND_L7 = read('examples/stories/5-docs-l7-vpn/backend-policy.yaml');

const LINES: readonly (readonly string[])[] = [
  ['curl', '-s', '-m', '1', 'http://database:7379/PING'],
  ['curl', '-sS', '-m', '2', '-w', '%{http_code} %{remote_ip}:%{remote_port} %{url_effective}', 'database/PING'],
  ['curl', '-v', '-H', 'X-Trace: 1', '-X', 'POST', '-d', 'x', 'http://database.default.svc.cluster.local/'],
  ['curl', '-I', '--max-time', '3', 'database'],
  ['curl', '-fs', 'http://backend/private'],
  ['curl', '--bogus'],
  ['curl', '-s'],
  ['curl', 'ftp://database/'],
];

describe('curl parses a command line once', () => {
  test('the remembered plan equals a fresh parse, and equal words give the one plan', () => {
    for (const line of LINES) {
      const args = line.slice(1);
      assert.deepEqual(curlPlan(args), parseCurl(args), line.join(' '));
      assert.equal(curlPlan([...args]), curlPlan(args), 'the same plan object for the same words');
    }
    assert.notEqual(curlPlan(['-s', 'a b']), curlPlan(['-s', 'a', 'b']), 'words are not confused by their spaces');
  });

  test('a line run again (plan remembered) prints and records what its first run (fresh parse) did, in an identical cluster', () => {
    let run = 0;
    for (const policies of [[], [DB_POLICY], [DENY_ALL], [BACKEND_L7]]) {
      // Words no earlier test used, so that the first cluster parses each line afresh.
      const lines = LINES.map((l) => [...l.slice(0, -1), '-H', `X-Run: ${++run}`, l.at(-1)!]);
      const results = () => {
        const vc = new VirtualCluster([APP, ...policies]);
        return lines.map((l) => vc.exec('deploy/frontend', l)).map((r) => ({ ...r, flows: r.flows.map(encodeFlow) }));
      };
      const fresh = results();
      const remembered = results();
      assert.deepEqual(remembered, fresh, policies.map((p) => p.path).join(', '));
      assert.ok(fresh.some((r) => r.exitCode === 0) && fresh.some((r) => r.exitCode !== 0));
    }
  });
});

describe('flows share their immutable parts, and a flow handed out never changes', () => {
  test('later commands (same pods, other pods, denied, through the proxy) leave earlier flows as they were', () => {
    const vc = new VirtualCluster([APP, BACKEND_L7]);
    const first = vc.exec('deploy/frontend', ['curl', '-s', 'http://backend/']);
    const before = first.flows.map(encodeFlow);
    const copies = structuredClone(first.flows);
    for (let i = 0; i < 50; i++) {
      vc.exec('deploy/frontend', ['curl', '-s', 'http://backend/']);
      vc.exec('deploy/backend', ['curl', '-s', '-m', '1', 'database/PING']);
      vc.exec('deploy/backend', ['curl', '-s', 'http://backend/private']);
    }
    assert.deepEqual(first.flows.map(encodeFlow), before);
    assert.deepEqual(first.flows, copies);
  });

  test('flows between the same two pods share endpoints and ip parts; each has its own time, uuid and ports', () => {
    const vc = new VirtualCluster([APP]);
    const db = vc.session.workspace.cluster.pods.find((p) => p.labels['tier'] === 'database')!;
    const a = vc.exec('deploy/backend', ['curl', '-s', `http://${db.ip}:7379/PING`]).flows;
    const b = vc.exec('deploy/backend', ['curl', '-s', `http://${db.ip}:7379/PING`]).flows;
    assert.equal(a[0]!.source, b[0]!.source);
    assert.equal(a[0]!.ip, b[0]!.ip);
    assert.notEqual(a[0]!.uuid, b[0]!.uuid);
    assert.notEqual(a[0]!.l4, b[0]!.l4);
    assert.notDeepEqual(a[0]!.l4, b[0]!.l4, 'a new source port');
    assert.ok(b[0]!.time!.seconds * 1e9 + b[0]!.time!.nanos > a.at(-1)!.time!.seconds * 1e9 + a.at(-1)!.time!.nanos);
  });

  test('uuids count up in hex, across the point where their remembered high part changes (every 4096 flows)', () => {
    const vc = new VirtualCluster([APP]);
    let n = 0;
    while (vc.flows.seenFlows < 4200) {
      for (const f of vc.exec('deploy/backend', ['curl', '-s', 'database/PING']).flows) {
        assert.equal(f.uuid, `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}`);
      }
    }
  });
});

describe('a connection to a pod address a source has talked to (its Link: target, ip parts, answer and steps kept)', () => {
  // Cluster `kept` runs each line twice, the second time from what the first left; cluster `fresh` drops all of
  // it in between (an empty apply describes the network anew), so its second run builds everything again. Both
  // apply once before their second run, so clocks, ports, uuids and policy revisions agree.
  const cases: {
    readonly name: string; readonly policies: readonly { path: string; text: string }[]; readonly from: string; readonly argv: (ip: (tier: string) => string) => string[];
    /** What the output must say, in order, on both runs (an answer kept for one request must not answer another). */
    readonly says?: readonly string[];
  }[] = [
    { name: 'allowed, straight to the pod', policies: [DB_POLICY], from: 'deploy/backend', argv: (ip) => ['curl', '-s', `http://${ip('database')}:7379/PING`] },
    { name: 'allowed, -w and -v (output from the kept answer)', policies: [], from: 'deploy/frontend', argv: (ip) => ['curl', '-v', '-w', '%{http_code} %{remote_ip}', `http://${ip('backend')}/x`] },
    { name: 'dropped by policy (SYN retransmissions until -m)', policies: [DB_POLICY], from: 'deploy/frontend', argv: (ip) => ['curl', '-sS', '-m', '4', `http://${ip('database')}:7379/PING`] },
    { name: 'denied by a deny-all policy', policies: [DENY_ALL], from: 'deploy/backend', argv: (ip) => ['curl', '-s', '-m', '1', `http://${ip('database')}:7379/PING`] },
    { name: 'denied by the L7 proxy (403), from outside the cluster', policies: [BACKEND_L7], from: 'world:172.27.224.3', argv: (ip) => ['curl', '-s', `http://${ip('backend')}/private`] },
    { name: 'allowed by the L7 proxy', policies: [BACKEND_L7], from: 'world:172.27.224.3', argv: (ip) => ['curl', '-s', `http://${ip('backend')}/docs`] },
    { name: 'a port nobody listens on (refused)', policies: [], from: 'deploy/frontend', argv: (ip) => ['curl', '-s', `http://${ip('database')}:9999/`] },
    { name: 'two requests to one pod, one after the other', policies: [], from: 'deploy/frontend', argv: (ip) => ['sh', '-c', `curl -s http://${ip('backend')}/a; curl -s -X POST http://${ip('backend')}/a; curl -s http://${ip('backend')}/b`],
      says: ['"method":"GET","path":"/a"', '"method":"POST","path":"/a"', '"method":"GET","path":"/b"'] },
    { name: 'nc and wget', policies: [DB_POLICY], from: 'deploy/backend', argv: (ip) => ['sh', '-c', `nc -zv ${ip('database')} 7379; wget -q -O- -T 2 http://${ip('database')}:7379/PING`] },
    { name: 'names through the cluster DNS first', policies: [BACKEND_L7], from: 'deploy/frontend', argv: () => ['sh', '-c', 'curl -s http://backend/ && curl -s -m 1 database:7379/PING'] },
  ];
  for (const c of cases) {
    test(`${c.name}: the flows, output and steps built from the kept parts equal those built afresh, field by field`, () => {
      const run = (keep: boolean) => {
        const vc = new VirtualCluster([APP, ...c.policies]);
        const pods = vc.session.workspace.cluster.pods;
        const argv = c.argv((tier) => pods.find((p) => p.labels['tier'] === tier)!.ip);
        if (keep) vc.apply([]);
        const first = vc.exec(c.from, argv);
        if (!keep) vc.apply([]);
        return { first, second: vc.exec(c.from, argv), pods };
      };
      const kept = run(true);
      const fresh = run(false);
      for (const r of [kept.first, kept.second]) {
        let at = 0;
        for (const text of c.says ?? []) {
          at = r.stdout.indexOf(text, at);
          assert.ok(at >= 0, `${text} in ${r.stdout}`);
        }
      }
      // Built afresh or not, each event's addresses are those of the endpoints it names (both runs make a Link first).
      const ipOf = (ep: { podName?: string } | undefined) => kept.pods.find((p) => p.name === ep?.podName)?.ip;
      for (const f of [...kept.first.flows, ...kept.second.flows]) {
        if (f.source?.podName) assert.equal(f.ip?.source, ipOf(f.source), f.summary);
        if (f.destination?.podName) assert.equal(f.ip?.destination, ipOf(f.destination), f.summary);
      }
      assert.equal(kept.first.stdout, fresh.first.stdout);
      assert.ok(kept.second.flows.length > 0);
      assert.deepEqual(kept.second.flows, fresh.second.flows);
      assert.deepEqual(kept.second.flows.map(encodeFlow), fresh.second.flows.map(encodeFlow));
      assert.deepEqual(kept.second, fresh.second);
    });
  }
});

describe('a command line an origin ran before (its memo: words, curl\'s plan, the Link)', () => {
  test('answers only its own words: a caller\'s array changed in place, the same words through busybox and sh -c, another origin', () => {
    const vc = new VirtualCluster([APP]);
    const pods = vc.session.workspace.cluster.pods;
    const pod = (tier: string) => pods.find((p) => p.labels['tier'] === tier)!;
    const server = (stdout: string) => (JSON.parse(stdout) as { pod: string; path: string }).pod;
    const argv = ['curl', '-s', `http://${pod('database').ip}:7379/x`];
    assert.equal(server(vc.exec('deploy/frontend', argv).stdout), `default/${pod('database').name}`);
    argv[2] = `http://${pod('backend').ip}/x`;
    assert.equal(server(vc.exec('deploy/frontend', argv).stdout), `default/${pod('backend').name}`);
    argv[1] = '-sI';
    assert.match(vc.exec('deploy/frontend', argv).stdout, /^HTTP\/1\.1 200 OK\r\n/);
    const viaBusybox = vc.exec('deploy/frontend', ['busybox', 'wget', '-q', '-O-', argv[2]!]);
    assert.equal(server(viaBusybox.stdout), `default/${pod('backend').name}`);
    const viaShell = vc.exec('deploy/frontend', ['sh', '-c', argv.join(' ')]);
    assert.match(viaShell.stdout, /^HTTP\/1\.1 200 OK\r\n/);
    const again = vc.exec('deploy/database', ['curl', '-s', `http://${pod('backend').ip}/x`]);
    assert.equal(again.flows[0]!.source!.podName, pod('database').name);
  });

  test('more lines than an origin keeps: each still runs as itself, and as it did the first time', () => {
    const vc = new VirtualCluster([APP, DB_POLICY]);
    const pods = vc.session.workspace.cluster.pods.filter((p) => p.namespace === 'default');
    const lines = pods.flatMap((p) => [7379, 80, 8080].map((port) => ['curl', '-s', '-m', '1', `http://${p.ip}:${port}/${p.name}`]));
    assert.ok(lines.length > 16, 'more than the four kept beside their arrays and the twelve after them');
    const strip = (r: ReturnType<VirtualCluster['exec']>) => ({ stdout: r.stdout, exitCode: r.exitCode, steps: r.steps, flows: r.flows.map((f) => f.summary) });
    const first = lines.map((l) => strip(vc.exec('deploy/backend', l)));
    const second = lines.map((l) => strip(vc.exec('deploy/backend', [...l])));
    assert.deepEqual(second, first);
    assert.ok(first.some((r) => r.exitCode === 0) && first.some((r) => r.exitCode !== 0));
  });
});

describe('a command line run again from the same pod replays its first run (recording.ts)', () => {
  // The same commands, in the same order, on two identical clusters: one replays what it can, the other runs every
  // command in full. Every result must be the same, field for field and in field order (JSON), flows included.
  const POD_IP = (vc: VirtualCluster, name: string) => vc.session.workspace.cluster.pods.find((p) => p.name.startsWith(name))!.ip;
  const lines = (vc: VirtualCluster): { from: string; argv: string[] }[] => {
    const db = POD_IP(vc, 'database');
    const backend = POD_IP(vc, 'backend');
    const dns = POD_IP(vc, 'coredns');
    const self = POD_IP(vc, 'frontend');
    return [
      { from: 'deploy/frontend', argv: ['curl', '-s', '-m', '1', `http://${db}:7379/PING`] },
      { from: 'deploy/backend', argv: ['curl', '-s', '-m', '1', `http://${db}:7379/PING`] },
      { from: 'deploy/backend', argv: ['curl', '-sS', '-m', '3', `http://${db}:7379/PING`] },
      { from: 'deploy/backend', argv: ['curl', '-s', `http://${db}:7379/PING`] },
      { from: 'deploy/frontend', argv: ['curl', '-v', '-w', '%{http_code} %{time_total} %{remote_port}', `http://${backend}/x`] },
      { from: 'deploy/frontend', argv: ['curl', '-I', `http://${backend}/docs`] },
      { from: 'deploy/frontend', argv: ['curl', `http://${backend}/private`] },
      { from: 'deploy/frontend', argv: ['curl', '-s', '-m', '2', `http://${dns}:53/`] },
      { from: 'deploy/frontend', argv: ['curl', '-s', `http://${db}:9999/`] },
      { from: 'deploy/frontend', argv: ['curl', '-s', `http://${self}/me`] },
      { from: 'world:172.27.224.3', argv: ['curl', '-s', '-m', '1', `http://${backend}/docs`] },
      { from: 'node:kind-worker', argv: ['curl', '-s', '-m', '1', `http://${db}:7379/PING`] },
    ];
  };
  for (const policies of [[], [DB_POLICY], [DENY_ALL], [BACKEND_L7]]) {
    for (const policyNames of [false, true]) {
      test(`${policies.map((p) => p.path).join(', ') || 'no policy'}, policy names ${policyNames ? 'on' : 'off'}: the same results as running every command in full`, () => {
        let connects = 0;
        const connect = Network.prototype.connect;
        const results = (replay: boolean) => {
          const vc = new VirtualCluster([APP, ...policies], { policyNames, replay });
          const all = lines(vc);
          connects = 0;
          const out = [];
          for (let round = 0; round < 3; round++) for (const l of all) out.push(vc.exec(l.from, l.argv));
          // A change of policy starts the recordings over (a new network state).
          vc.apply([DENY_ALL]);
          for (let round = 0; round < 2; round++) for (const l of all) out.push(vc.exec(l.from, l.argv));
          return out.map((r) => ({ ...r, json: JSON.stringify(r), flows: r.flows.map(encodeFlow) }));
        };
        Network.prototype.connect = function (this: Network, ...args: Parameters<Network['connect']>) {
          connects++;
          return connect.apply(this, args);
        };
        try {
          const full = results(false);
          const fullConnects = connects;
          const replayed = results(true);
          assert.deepEqual(replayed, full);
          if (!policyNames) assert.ok(connects < fullConnects, `some commands replayed (${connects} connections of ${fullConnects})`);
        } finally {
          Network.prototype.connect = connect;
        }
      });
    }
  }
});

describe('the clock', () => {
  test('iso() is now().toISOString() at every millisecond, across seconds, days and years', () => {
    for (const start of ['2026-01-01T12:00:00.000Z', '2025-12-31T23:59:59.990Z', '1969-12-31T23:59:59.995Z']) {
      const clock = new VirtualClock(new Date(start));
      for (let i = 0; i < 40; i++) {
        assert.equal(clock.iso(), clock.now().toISOString());
        clock.advanceMicros(i % 3 === 0 ? 999 : 1000);
      }
    }
  });

  test('iso() is now().toISOString() when the clock jumps by seconds and minutes (denied commands wait), before 1970 and after 9999 too', () => {
    for (const start of ['2026-01-01T12:00:00.000Z', '1969-12-31T23:58:59.500Z', '+010000-01-01T00:00:00.000Z']) {
      const clock = new VirtualClock(new Date(start));
      for (let i = 0; i < 500; i++) {
        assert.equal(clock.iso(), clock.now().toISOString());
        clock.advanceMicros([999, 1_000_000, 1_234_567, 61_000_000, 127_001_000][i % 5]!);
      }
    }
  });

  test('events of one instant share one timestamp; the next instant has its own', () => {
    const clock = new VirtualClock();
    const t = clock.timestamp();
    assert.equal(clock.timestamp(), t);
    clock.advanceMicros(15);
    assert.notEqual(clock.timestamp(), t);
    assert.deepEqual(t, { seconds: 1767268800, nanos: 0 });
    assert.deepEqual(clock.timestamp(), { seconds: 1767268800, nanos: 15000 });
  });
});

describe('default answers', () => {
  test('one request sent to one pod, then another, then the first: each answers as itself', () => {
    const vc = new VirtualCluster([APP]);
    const [a, b] = vc.session.workspace.cluster.pods.filter((p) => p.namespace === 'default') as [Pod, Pod];
    const req = { method: 'GET', path: '/x', host: 'h' };
    const body = (p: Pod, port = 80) => JSON.parse(defaultResponse(p, p.ip, port, req).body) as { pod: string; port: number };
    assert.equal(body(a).pod, `default/${a.name}`);
    assert.equal(body(b).pod, `default/${b.name}`);
    assert.equal(body(a).pod, `default/${a.name}`);
    assert.equal(body(a, 8080).port, 8080);
  });
});
