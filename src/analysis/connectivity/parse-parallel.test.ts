/**
 * The worker-thread parse gives exactly what the in-thread parse gives, as
 * it goes (batches of cases), and a case's field positions still resolve
 * after crossing the thread.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CASE_BATCH, parseConnectivityTests, streamConnectivityTests, type ParseEvent } from './parse.js';
import { collect, startParse } from './parse-parallel.js';

const TESTS = `apiVersion: v1
kind: ConfigMap
metadata: {name: not-a-test-but-counted}
---
apiVersion: polis.dev/v1alpha1
kind: ConnectivityTest
metadata: {name: t}
spec:
  dns: {example.com: [203.0.113.10]}
  cases:
    - {from: default/a, to: default/b, port: 80, expect: allow}
    - from: default/a
      to: fqdn:example.com
      port: 443
      expect: deny
`;
const strip = (r: ReturnType<typeof parseConnectivityTests>) =>
  ({ diagnostics: r.diagnostics, tests: r.tests.map((t) => ({ ...t, cases: t.cases.map(({ locate: _l, ...c }) => c) })) });

describe('startParse', () => {
  test('small input stays in this thread', () => {
    assert.equal(startParse([{ path: 't.yaml', text: TESTS }]).inWorker, false);
  });

  test('a worker gives the same tests, and locate still finds fields', async () => {
    const sources = [{ path: 't.yaml', text: TESTS }];
    const pending = startParse(sources, 0);
    assert.equal(pending.inWorker, true);
    const viaWorker = await pending.result();
    assert.equal(pending.fellBack, false, 'the worker itself answered');
    const direct = parseConnectivityTests(sources);
    // not-a-test diagnostics aside (the ConfigMap), the results are identical
    assert.deepEqual(strip(viaWorker), strip(direct));
    const second = viaWorker.tests[0]!.cases[1]!;
    assert.equal(second.locate('to').line, 13);
    assert.equal(second.locate('port').line, 14);
    assert.equal(direct.tests[0]!.cases[1]!.locate('to').line, 13);
  });
});

describe('cases in columns (wire.ts)', () => {
  // Every kind of case: plain ones go in columns, the rest (names, L7, ICMP types, DNS) cross whole.
  const MIXED = `apiVersion: polis.dev/v1alpha1
kind: ConnectivityTest
metadata: {name: mixed}
spec:
  cases:
    - {from: default/a, to: default/b, port: 80, expect: allow}
    - {from: default/a, to: svc:default/b, expect: deny}
    - {from: default/a, to: ip:10.96.0.10, port: 53, protocol: UDP, expect: allow}
    - {from: default/a, to: default/b, protocol: ICMP, expect: deny}
    - from: default/a
      to: default/b
      icmp: {type: EchoReply}
      expect: allow
    - name: a named case
      from: ip:192.0.2.1
      to: default/b
      port: 8080
      expect: deny
    - from: default/a
      to: default/b
      port: 80
      http: {method: POST, path: /x, headers: {X-A: b}}
      expect: allow
    - {from: default/a, dns: example.com, expect: allow}
    - {from: default/a, to: fqdn:example.com, port: 443, protocol: SCTP, expect: deny}
`;

  test('every case comes back equal, through structured clone, sharing its endpoint objects', async () => {
    const v8 = await import('node:v8');
    const { toColumns, fromColumns } = await import('./wire.js');
    const sources = [{ path: 'm.yaml', text: MIXED }];
    const direct = parseConnectivityTests(sources);
    assert.equal(direct.diagnostics.length, 0, JSON.stringify(direct.diagnostics));
    const cases = direct.tests[0]!.cases;
    assert.equal(cases.length, 9);
    const cols = v8.deserialize(v8.serialize(toColumns(cases))) as ReturnType<typeof toColumns>;
    assert.ok(cols.whole.length >= 3 && cols.whole.length < cases.length, 'some cases in columns, some whole');
    const back = fromColumns(cols, 'mixed', (index, location) => () => ({ ...location, line: -index }));
    // Structured clone gives plain objects for null-prototype ones (http.headers): compare the data.
    const strip = ({ locate: _l, ...c }: (typeof cases)[number]) => ({ ...c, ...(c.http?.headers ? { http: { ...c.http, headers: { ...c.http.headers } } } : {}) });
    assert.deepEqual(back.map(strip), cases.map(strip));
    assert.deepEqual(Object.keys(back[0]!), Object.keys(cases[0]!), 'the same fields in the same order');
    assert.equal(back[1]!.locate('to').line, -1, 'each case gets its own locate');
    assert.equal(back[0]!.from, back[1]!.from, 'one object per distinct endpoint');
  });
});

describe('a parse that streams', () => {
  const suite = (cases: readonly string[], dns = '') => `apiVersion: polis.dev/v1alpha1
kind: ConnectivityTest
metadata: {name: s}
spec:
${dns}  cases:
${cases.map((c) => `    - ${c}\n`).join('')}`;
  const ok = (i: number) => `{from: default/a, to: default/b${i % 3}, port: ${80 + i}, expect: allow}`;
  const kinds = (events: readonly ParseEvent[]) => events.map((e) => (e.kind === 'cases' ? `cases:${e.cases.length}` : e.kind === 'end' ? `end:${e.kept}` : e.kind));

  test('a test comes as its header, its cases in batches, its end, and done last', () => {
    const events: ParseEvent[] = [];
    streamConnectivityTests([{ path: 's.yaml', text: suite([0, 1, 2, 3, 4].map(ok)) }], (e) => events.push(e), 2);
    assert.deepEqual(kinds(events), ['test', 'cases:2', 'cases:2', 'cases:1', 'end:true', 'done']);
    assert.deepEqual(events.flatMap((e) => (e.kind === 'cases' ? e.cases.map((c) => c.port) : [])), [80, 81, 82, 83, 84]);
  });

  test('a test with an error ends unkept, and done lists the error', () => {
    const events: ParseEvent[] = [];
    streamConnectivityTests([{ path: 's.yaml', text: suite([ok(0), ok(1), '{from: default/a, to: "no such form", port: 80, expect: allow}']) }], (e) => events.push(e), 2);
    assert.deepEqual(kinds(events), ['test', 'cases:2', 'end:false', 'done']);
    const done = events.at(-1)!;
    assert.ok(done.kind === 'done' && done.diagnostics.some((d) => d.severity === 'error' && d.location?.line === 8));
  });

  test('under DNS answers with an error no case streams: an engine compiles the answers', () => {
    const events: ParseEvent[] = [];
    streamConnectivityTests([{ path: 's.yaml', text: suite([ok(0)], '  dns: {example.com: [not-an-ip]}\n') }], (e) => events.push(e), 2);
    assert.deepEqual(kinds(events), ['test', 'end:false', 'done']);
  });

  test('through the worker, batches share one object per endpoint, and the whole equals the in-thread parse', async () => {
    const n = CASE_BATCH + 10;
    const sources = [{ path: 'big.yaml', text: suite(Array.from({ length: n }, (_, i) => ok(i % 1000))) }];
    const pending = startParse(sources, 0);
    const events: ParseEvent[] = [];
    for await (const e of pending.events()) events.push(e);
    assert.equal(pending.fellBack, false);
    assert.deepEqual(kinds(events), ['test', `cases:${CASE_BATCH}`, 'cases:10', 'end:true', 'done']);
    const [first, second] = events.filter((e) => e.kind === 'cases').map((e) => e.cases);
    assert.equal(first![0]!.from, second![0]!.from, 'default/a is one object in both batches');
    assert.equal(first![1]!.to, second![1]!.to);
    assert.equal(second![9]!.locate('port').line, 6 + n - 1, 'a late case still finds its fields');
    assert.deepEqual(strip(await collect((async function* () { yield* events; })())), strip(parseConnectivityTests(sources)));
  });
});

test('the worker posts while this thread is busy elsewhere: nothing it posted is lost', async () => {
  const sources = [{ path: 't.yaml', text: TESTS }];
  const pending = startParse(sources, 0);
  // The cluster loads meanwhile; by the time the events are read the worker has long finished.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const viaWorker = await pending.result();
  assert.equal(pending.fellBack, false, 'the worker itself answered');
  assert.deepEqual(strip(viaWorker), strip(parseConnectivityTests(sources)));
});

test('cancel stops the worker (a command that failed before reading the parse does not wait for it)', async () => {
  const sources = [{ path: 't.yaml', text: TESTS }];
  const pending = startParse(sources, 0);
  pending.cancel();
  // Read anyway: the worker is gone before its done, so the parse is redone here, the same.
  const result = await pending.result();
  assert.equal(pending.fellBack, true);
  assert.deepEqual(strip(result), strip(parseConnectivityTests(sources)));
});
