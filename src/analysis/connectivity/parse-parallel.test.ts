/**
 * The worker-thread parse gives exactly what the in-thread parse gives, and
 * a case's field positions still resolve after crossing the thread.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConnectivityTests } from './parse.js';
import { startParse } from './parse-parallel.js';

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
