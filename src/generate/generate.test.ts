/**
 * Policies generated from real Hubble exports (testdata/hubble, from
 * cilium/hubble-otel) and from hand-written flows: the reduction (replies,
 * unknown directions, per-rollout labels, DNS answers), the policies (sorted,
 * deterministic, valid for polis validate) and the replay proof through the
 * engine. Hubble field meanings: cilium `api/v1/flow/flow.proto`
 * (`is_reply`, `traffic_direction`, `destination_names`).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { FlowStreamParser } from '../hubble/reader.js';
import { Session } from '../usecases/session.js';
import { generateFromReduction, reduceFlowChunks, replayReduction } from '../usecases/generate.js';
import { observedCluster } from './cluster.js';
import { Reduction } from './observed.js';
import { reduceFlowFiles } from './io/reduce-files.js';
import { widen } from './policies.js';

const DATA = 'testdata/hubble';
const FILES = readdirSync(DATA).filter((f) => f.endsWith('.jsonl')).sort();
const tmp = mkdtempSync(join(tmpdir(), 'polis-generate-'));

async function reduceFile(path: string, l7 = false): Promise<Reduction> {
  const r = await reduceFlowFiles([path], { l7, workers: 1 });
  return r.reduction;
}

/** Every generated file alone (with the observed cluster) loads without an error. */
function assertValid(r: Reduction, files: readonly { fileName: string; text: string }[]): void {
  const cluster = observedCluster(r.pods);
  for (const f of files) {
    const s = Session.load([cluster.source, { path: f.fileName, text: f.text }], cluster.options);
    const errors = s.workspace.diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors, [], `${f.fileName}:\n${f.text}`);
    assert.ok(s.workspace.policies.length === 1 && s.workspace.policies[0]!.valid, f.fileName);
  }
}

interface F {
  src: string[]; dst: string[]; srcNs?: string; dstNs?: string; srcId?: number; dstId?: number;
  srcIp?: string; dstIp?: string; proto?: 'TCP' | 'UDP' | 'ICMPv4'; port?: number; sport?: number; flags?: Record<string, boolean>;
  reply?: boolean; verdict?: string; time?: string; l7?: object; names?: string[]; type?: string;
}

/** One exporter line (`{"flow":…}`), jsonpb field names. */
function line(f: F): string {
  const ep = (labels: string[], ns: string | undefined, id: number | undefined) => ({
    ...(id !== undefined ? { identity: id } : { identity: 1000 }), ...(ns ? { namespace: ns } : {}),
    labels: [...labels.map((l) => (l.includes(':') && !l.startsWith('k8s:') && l.split(':')[0] !== l ? l : `k8s:${l}`)), ...(ns ? [`k8s:io.kubernetes.pod.namespace=${ns}`] : [])],
  });
  const proto = f.proto ?? 'TCP';
  const l4 = proto === 'ICMPv4' ? { ICMPv4: { type: f.port ?? 8 } } : { [proto]: { source_port: f.sport ?? 40000, destination_port: f.port ?? 80, ...(f.flags ? { flags: f.flags } : {}) } };
  const flow: Record<string, unknown> = {
    time: f.time ?? '2024-05-01T10:00:00Z', verdict: f.verdict ?? 'FORWARDED',
    IP: { source: f.srcIp ?? '10.0.0.1', destination: f.dstIp ?? '10.0.0.2', ipVersion: 'IPv4' }, l4,
    source: ep(f.src, f.srcNs, f.srcId), destination: ep(f.dst, f.dstNs, f.dstId),
    Type: f.type ?? (f.l7 ? 'L7' : 'L3_L4'), event_type: { type: f.l7 ? 129 : 4 }, traffic_direction: 'EGRESS',
    ...(f.reply !== undefined ? { is_reply: f.reply } : {}), ...(f.l7 ? { l7: f.l7 } : {}), ...(f.names ? { destination_names: f.names } : {}),
  };
  return JSON.stringify({ flow, node_name: 'n1', time: flow['time'] });
}

const WORLD = ['reserved:world'];
const reduce = (lines: readonly string[], l7 = false) => reduceFlowChunks([lines.join('\n') + '\n'], { l7 }).reduction;

describe('real Hubble exports (cilium/hubble-otel testdata)', () => {
  for (const name of FILES) {
    test(`${name}: valid policies, every observed connection replayed allowed`, async () => {
      const r = await reduceFile(join(DATA, name));
      const g = generateFromReduction(r);
      assert.deepEqual(g.diagnostics, []);
      assertValid(r, g.files);
      assert.equal(g.proof.denied, 0, JSON.stringify(g.proof.connections.filter((c) => c.verdict === 'deny'), null, 1));
      assert.equal(g.proof.allowed + g.proof.notReplayed, g.proof.observed);
      assert.equal(g.proof.observed, r.connections.size);
      // --l7 too: HTTP and DNS rules, proven with the requests themselves.
      const r7 = await reduceFile(join(DATA, name), true);
      const g7 = generateFromReduction(r7);
      assert.deepEqual(g7.diagnostics, []);
      assertValid(r7, g7.files);
      assert.equal(g7.proof.denied, 0, JSON.stringify(g7.proof.connections.filter((c) => c.verdict === 'deny'), null, 1));
      // NetworkPolicy: valid; what it cannot say is noted.
      const np = generateFromReduction(r, { kind: 'NetworkPolicy' });
      assert.deepEqual(np.diagnostics, []);
      assertValid(r, np.files);
    });
  }

  test('the bookinfo TCP sample: one policy per workload, reviews v1/v2/v3 are one workload, per-rollout labels dropped', async () => {
    const r = await reduceFile(join(DATA, 'cilium-hubble-otel__basic-sample-400-tcp-flows.jsonl'));
    const g = generateFromReduction(r);
    assert.deepEqual(g.files.map((f) => f.workload).filter((w) => w.startsWith('bookinfo/')), ['bookinfo/details', 'bookinfo/productpage', 'bookinfo/ratings', 'bookinfo/reviews']);
    const reviews = g.files.find((f) => f.workload === 'bookinfo/reviews')!.text;
    assert.match(reviews, /endpointSelector:\n    matchLabels:\n      app: reviews\n  ingress:/);
    assert.doesNotMatch(reviews, /pod-template-hash|version:/);
    assert.match(reviews, /# from bookinfo\/productpage: \d+ flows, first seen 2021-11-10T10:40:\d\d\.\d+Z, last seen 2021-11-10T10:41:/);
    // The pod names of the export never name anything.
    for (const f of g.files) assert.doesNotMatch(f.text, /-v\d-[0-9a-f]{8,10}-[a-z0-9]{5}/);
  });

  test('the same flows in another order give the same bytes', async () => {
    const text = readFileSync(join(DATA, 'cilium-hubble-otel__basic-sample-400-tcp-flows.jsonl'), 'utf8').trim().split('\n');
    const a = generateFromReduction(reduce(text)).files.map((f) => f.text).join('---\n');
    const shuffled = [...text].sort((x, y) => (x.length * 7919) % 1013 - (y.length * 7919) % 1013);
    const b = generateFromReduction(reduce(shuffled)).files.map((f) => f.text).join('---\n');
    assert.equal(a, b);
  });
});

describe('reduction', () => {
  test('the merge is commutative: halves reduced apart and merged either way equal the whole', () => {
    const all = FILES.flatMap((f) => readFileSync(join(DATA, f), 'utf8').trim().split('\n'));
    const whole = reduce(all, true).toData();
    const mid = Math.floor(all.length / 3);
    const a = reduce(all.slice(0, mid), true);
    const b = reduce(all.slice(mid), true);
    assert.deepEqual(Reduction.fromData(a.toData()).merge(b).toData(), whole);
    assert.deepEqual(Reduction.fromData(b.toData()).merge(a).toData(), whole);
  });

  test('the fast line decoder gives the reduction the full decoder gives, on every export', () => {
    for (const name of FILES) {
      for (const l7 of [false, true]) {
        const full = new Reduction(l7);
        const p = new FlowStreamParser({ flow: (x) => full.add(x) });
        p.push(readFileSync(join(DATA, name)));
        p.end();
        const fast = reduceFlowChunks([readFileSync(join(DATA, name))], { l7 });
        assert.deepEqual(fast.reduction.toData(), full.toData(), name);
        assert.equal(fast.lines, p.stats.lines);
      }
    }
  });

  test('replies are not connections; with no is_reply only a bare SYN proves who opened (flow.proto: is_reply)', () => {
    const base = { src: ['app=client'], dst: ['app=server'], srcNs: 'a', dstNs: 'a', port: 8080 };
    const r = reduce([
      line({ ...base, reply: false }),
      line({ ...base, src: base.dst, dst: base.src, port: 40000, reply: true }),
      line({ ...base, flags: { SYN: true } }), // direction unknown, SYN: a new connection
      line({ ...base, src: base.dst, dst: base.src, port: 40000, flags: { SYN: true, ACK: true } }), // SYN-ACK: the reply
      line({ ...base, flags: { ACK: true } }), // mid-stream, direction unknown
    ]);
    assert.equal(r.connections.size, 1);
    assert.equal([...r.connections.values()][0]!.flows, 2);
    assert.equal(r.stats.skipped['reply'], 2);
    assert.equal(r.stats.skipped['unknown-direction'], 1);
  });

  test('dropped flows, socket traces and ends without identity are counted by cause, never fatal', () => {
    const r = reduce([
      line({ src: ['app=a'], dst: ['app=b'], srcNs: 'x', dstNs: 'x', reply: false, verdict: 'DROPPED' }),
      line({ src: ['app=a'], dst: ['app=b'], srcNs: 'x', dstNs: 'x', reply: false, type: 'SOCK' }),
      line({ src: [], dst: ['app=b'], srcId: 0, dstNs: 'x', reply: false }),
      line({ src: ['reserved:host'], dst: ['reserved:health'], srcId: 1, dstId: 4, reply: false }),
    ]);
    assert.equal(r.connections.size, 0);
    assert.deepEqual({ ...r.stats.skipped }, { 'reply': 0, 'dropped': 1, 'not-policy-event': 1, 'no-l4': 0, 'unknown-direction': 0, 'no-identity': 1, 'no-workload': 1 });
  });

  test('malformed lines are skipped and counted; the flows around them still count', () => {
    const good = line({ src: ['app=a'], dst: ['app=b'], srcNs: 'x', dstNs: 'x', reply: false });
    const r = reduceFlowChunks([`${good}\nnot json\n{"flow": {"l4": 5}}\n\u0000\u0001garbage\n${good.slice(0, 40)}\n${good}\n`]);
    assert.equal(r.reduction.stats.flows, 2);
    assert.equal(r.skippedLines, 4);
    assert.equal([...r.reduction.connections.values()][0]!.flows, 2);
  });

  test('an empty input and a file of blank lines give no connection and no error', async () => {
    const empty = join(tmp, 'empty.jsonl');
    writeFileSync(empty, '');
    const blank = join(tmp, 'blank.jsonl');
    writeFileSync(blank, '\n\n\r\n');
    const r = await reduceFlowFiles([empty, blank], { workers: 1 });
    assert.deepEqual([r.errors, r.damage, r.reduction.stats.flows, r.reduction.connections.size], [[], [], 0, 0]);
    assert.deepEqual(generateFromReduction(r.reduction).files, []);
  });

  test('truncated gzip: the complete lines before the cut are reduced, and the damage reported', async () => {
    const text = readFileSync(join(DATA, 'cilium-hubble-otel__basic-sample-400-tcp-flows.jsonl'));
    const cut = join(tmp, 'cut.jsonl.gz');
    const gz = gzipSync(text);
    writeFileSync(cut, gz.subarray(0, Math.floor(gz.length / 2)));
    const r = await reduceFlowFiles([cut], { workers: 1 });
    assert.equal(r.errors.length, 0);
    assert.match(r.damage[0] ?? '', /cut short/);
    assert.ok(r.reduction.stats.flows > 10 && r.reduction.stats.flows < 400, String(r.reduction.stats.flows));
    assert.equal(r.stats.skipped['invalid-json'], 0, 'the cut line is part of the damage report, not a malformed line');
  });

  test('worker threads over byte ranges give the same reduction as one thread', async () => {
    const big = join(tmp, 'all.jsonl');
    writeFileSync(big, FILES.map((f) => readFileSync(join(DATA, f), 'utf8')).join(''));
    const one = await reduceFlowFiles([big], { workers: 1, l7: true });
    const many = await reduceFlowFiles([big, join(DATA, FILES[0]!)], { workers: 2, rangeBytes: 600_000, l7: true });
    assert.ok(many.threads === 2, `threads ${many.threads}`);
    const single = await reduceFlowFiles([big, join(DATA, FILES[0]!)], { workers: 1, l7: true });
    assert.deepEqual(many.reduction.toData(), single.reduction.toData());
    assert.equal(many.stats.flows, one.stats.flows + single.stats.flows - one.stats.flows);
    assert.equal(many.stats.lines, single.stats.lines);
  });

  test('memory stays flat over a large stream generated on the fly (grows with connections, not flows)', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const r = new Reduction();
    const parser = new FlowStreamParser({ flow: (x) => r.add(x) });
    const lines = Array.from({ length: 50 }, (_, i) => line({ src: [`app=c${i}`], dst: ['app=server'], srcNs: 'x', dstNs: 'x', reply: false, port: 8000 + (i % 5) }) + '\n');
    const chunk = lines.join('').repeat(20); // 1,000 flows
    const heap = () => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    for (let i = 0; i < 10; i++) parser.push(chunk);
    const before = heap();
    // 60,000 more flows, about 40 MB of text: kept, they would take several times that. (The 1 GB run is `npm run bench -- generate`.)
    for (let i = 0; i < 60; i++) parser.push(chunk);
    parser.end();
    const after = heap();
    assert.equal(r.stats.flows, 70_000);
    assert.equal(r.connections.size, 50);
    assert.ok(after - before < 8 * 1024 * 1024, `heap grew by ${((after - before) / 1e6).toFixed(1)} MB over 60,000 flows`);
  });
});

describe('policies', () => {
  test('DNS answers turn a world address into toFQDNs, with the DNS rule that lets Cilium learn it (semantics.md: toFQDNs learnt through a DNS rule)', () => {
    const r = reduce([
      line({ src: ['app=api'], srcNs: 'shop', dst: ['k8s-app=kube-dns'], dstNs: 'kube-system', proto: 'UDP', port: 53, reply: false }),
      line({ src: ['k8s-app=kube-dns'], srcNs: 'kube-system', dst: ['app=api'], dstNs: 'shop', proto: 'UDP', port: 53000, reply: true, l7: { type: 'RESPONSE', dns: { query: 'api.stripe.com.', ips: ['198.51.100.7'] } } }),
      line({ src: ['app=api'], srcNs: 'shop', dst: WORLD, dstId: 2, dstIp: '198.51.100.7', port: 443, reply: false }),
      line({ src: ['app=api'], srcNs: 'shop', dst: WORLD, dstId: 2, dstIp: '192.0.2.44', port: 443, reply: false }),
    ]);
    const g = generateFromReduction(r);
    const api = g.files.find((f) => f.workload === 'shop/api')!.text;
    assert.match(api, /- toFQDNs:\n        - matchName: api\.stripe\.com\n/);
    assert.match(api, /- toCIDR:\n        - "192\.0\.2\.44\/32"/);
    assert.match(api, /rules:\n            dns:\n              - matchPattern: "\*"/);
    assert.equal(g.proof.denied, 0, JSON.stringify(g.proof.connections, null, 1));
    assertValid(r, g.files);
  });

  test('entities for reserved identities, CIDRs widened with --cidr-prefix, ports merged only when asked', () => {
    const lines = [8080, 8081, 8082, 9000].map((port) => line({ src: ['reserved:host'], srcId: 1, dst: ['app=web'], dstNs: 'w', port, reply: false }));
    lines.push(line({ src: ['app=web'], srcNs: 'w', dst: ['reserved:kube-apiserver'], dstId: 7, port: 6443, reply: false }));
    lines.push(line({ src: ['app=web'], srcNs: 'w', dst: WORLD, dstId: 2, dstIp: '203.0.113.77', port: 443, reply: false }));
    const r = reduce(lines);
    const plain = generateFromReduction(r).files[0]!.text;
    assert.match(plain, /- fromEntities:\n        - host\n/);
    assert.match(plain, /- toEntities:\n        - kube-apiserver\n/);
    assert.match(plain, /port: "8081"/);
    const g = generateFromReduction(r, { cidrPrefix: 24, portRanges: true });
    const text = g.files[0]!.text;
    assert.match(text, /"203\.0\.113\.0\/24"/);
    assert.match(text, /port: "8080".*\n\s+endPort: 8082\n/);
    assert.doesNotMatch(text, /port: "8081"/);
    assert.equal(g.proof.denied, 0);
    assertValid(r, g.files);
    assert.equal(widen('2001:db8::1', 24), '2001:db8::/120');
  });

  test('ICMP echo requests get an icmps rule of their own (Cilium refuses icmps beside toPorts: pkg/policy/api/rule_validation.go)', () => {
    const r = reduce([
      line({ src: ['app=a'], srcNs: 'x', dst: ['app=b'], dstNs: 'x', proto: 'ICMPv4', port: 8, reply: false }),
      line({ src: ['app=b'], srcNs: 'x', dst: ['app=a'], dstNs: 'x', proto: 'ICMPv4', port: 0 }), // an echo reply
      line({ src: ['app=a'], srcNs: 'x', dst: ['app=b'], dstNs: 'x', port: 80, reply: false }),
    ]);
    assert.equal(r.connections.size, 2);
    const g = generateFromReduction(r);
    assert.deepEqual(g.diagnostics, []);
    assert.match(g.files[0]!.text, /toPorts:[\s\S]*    - toEndpoints:\n        - matchLabels:\n            app: b\n      icmps:\n        - fields:\n            - type: 8 /);
    assert.equal(g.proof.denied, 0);
    assertValid(r, g.files);
  });

  test('--l7: HTTP method and path (anchored, escaped) at the server, proven with the requests', () => {
    const http = (method: string, url: string) => ({ type: 'REQUEST', http: { method, url } });
    const r = reduce([
      line({ src: ['app=web'], srcNs: 'w', dst: ['app=api'], dstNs: 'w', port: 80, reply: false, l7: http('GET', 'http://api/v1/users?id=3') }),
      line({ src: ['app=web'], srcNs: 'w', dst: ['app=api'], dstNs: 'w', port: 80, reply: false, l7: http('POST', 'http://api/v1/orders.json') }),
    ], true);
    const g = generateFromReduction(r);
    const api = g.files.find((f) => f.workload === 'w/api')!.text;
    assert.match(api, /- method: GET\n\s+path: "\^\/v1\/users\$"/);
    assert.match(api, /- method: POST\n\s+path: "\^\/v1\/orders\\\\\.json\$"/);
    assert.equal(g.proof.denied, 0, JSON.stringify(g.proof.connections, null, 1));
    assertValid(r, g.files);
  });

  test('--kind NetworkPolicy: both policy types, namespaceSelector for peers, a note for what it cannot say', () => {
    const r = reduce([
      line({ src: ['app=a'], srcNs: 'x', dst: ['app=b'], dstNs: 'y', port: 5432, reply: false }),
      line({ src: ['reserved:remote-node'], srcId: 6, dst: ['app=b'], dstNs: 'y', port: 9100, reply: false }),
    ]);
    const g = generateFromReduction(r, { kind: 'NetworkPolicy' });
    const b = g.files.find((f) => f.workload === 'y/b')!;
    assert.match(b.text, /kind: NetworkPolicy/);
    assert.match(b.text, /policyTypes: \[Ingress, Egress\]/);
    assert.match(b.text, /namespaceSelector:\n\s+matchLabels:\n\s+kubernetes\.io\/metadata\.name: x/);
    assert.match(b.text, /egress: \[\]  # nothing observed/);
    assert.match(b.notes.join('\n'), /from entity remote-node cannot be said in a NetworkPolicy/);
    assertValid(r, g.files);
    // The a → b connection is proven; remote-node is what NP cannot allow.
    assert.deepEqual(g.proof.connections.filter((c) => c.verdict === 'deny').map((c) => c.connection.from.kind), ['entity']);
  });

  test('--existing: only what the current policies do not allow is generated, and the proof covers both', () => {
    const r = reduce([
      line({ src: ['app=a'], srcNs: 'x', dst: ['app=b'], dstNs: 'x', port: 80, reply: false }),
      line({ src: ['app=a'], srcNs: 'x', dst: ['app=c'], dstNs: 'x', port: 81, reply: false }),
    ]);
    const existing = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: mine, namespace: x}
spec:
  endpointSelector: {matchLabels: {app: a}}
  egress:
    - toEndpoints: [{matchLabels: {app: b}}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: b-in, namespace: x}
spec:
  endpointSelector: {matchLabels: {app: b}}
  ingress:
    - fromEndpoints: [{matchLabels: {app: a}}]
`;
    const g = generateFromReduction(r, { existing: [{ path: 'mine.yaml', text: existing }] });
    assert.equal(g.alreadyAllowed, 1);
    assert.deepEqual(g.files.map((f) => f.workload), ['x/a', 'x/c']);
    assert.doesNotMatch(g.files[0]!.text, /app: b/);
    assert.equal(g.proof.denied, 0);
    assert.equal(g.proof.allowed, 2);
  });

  test('replay names the deciding policy and rule with file:line for a denied connection', () => {
    const r = reduce([line({ src: ['app=a'], srcNs: 'x', dst: ['app=b'], dstNs: 'x', port: 80, reply: false })]);
    const policy = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: lock, namespace: x}\nspec:\n  endpointSelector: {matchLabels: {app: b}}\n  ingressDeny:\n    - fromEndpoints: [{matchLabels: {app: a}}]\n';
    const { report, diagnostics } = replayReduction(r, [{ path: 'lock.yaml', text: policy }]);
    assert.deepEqual(diagnostics, []);
    assert.equal(report.denied, 1);
    const rule = report.connections[0]!.rules![0]!;
    assert.deepEqual([rule.file, rule.line, rule.policy, rule.role], ['lock.yaml', 7, 'CiliumNetworkPolicy x/lock', 'deny']);
  });
});
