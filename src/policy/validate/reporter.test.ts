/**
 * The reporter's scoping: problems under a field a schema error removed are
 * dropped (the schema error said it), and so are "missing" problems of an
 * object that held a removed field; everything else is kept. Indexed, so
 * thousands of removed fields and problems take milliseconds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ManifestObject } from '../../manifest/object.js';
import { Reporter } from './reporter.js';

const obj = {
  displayName: 'CiliumNetworkPolicy default/p',
  locate: () => ({ file: 'p.yaml', line: 1, col: 1, offset: 0, endOffset: 0 }),
} as unknown as ManifestObject;

test('scoped: kept and dropped problems', () => {
  const r = new Reporter(obj);
  const s = r.scoped(['spec.ingress[1]', 'spec.egress[0].toPorts']);
  const rows: [(string | number)[], string, boolean][] = [
    [['spec', 'ingress', 1], 'wrong-type', false], // the removed field itself
    [['spec', 'ingress', 1, 'fromCIDR', 0], 'invalid-cidr', false], // under it, by [
    [['spec', 'egress', 0, 'toPorts', 'x'], 'unknown-field', false], // under it, by .
    [['spec', 'ingress', 10], 'wrong-type', true], // a sibling whose name starts the same
    [['spec', 'egress', 0, 'toPortsX'], 'unknown-field', true],
    [['spec', 'egress', 0], 'rule-without-sections', false], // missing: it held a removed field
    [['spec', 'egress', 0], 'wrong-type', true], // not a "missing" problem
    [['spec', 'ingress', 0], 'empty-peer', true], // missing, but holds nothing removed
  ];
  for (const [path, code] of rows) s.error(path, code, 'm');
  const kept = r.diagnostics.map((d) => `${d.path} ${d.code}`);
  assert.deepEqual(kept, rows.filter((x) => x[2]).map(([p, c]) => `${p.reduce<string>((a, k) => (typeof k === 'number' ? `${a}[${k}]` : a ? `${a}.${k}` : k), '')} ${c}`));
});

test('scoped: 20,000 removed fields and 20,000 problems in well under a second (every pair was compared: 3 s for 5,000 null peers, found by the fuzzer)', () => {
  const n = 20_000;
  const removed = Array.from({ length: n }, (_, i) => `spec.ingress[0].fromEndpoints[${i}]`);
  const r = new Reporter(obj);
  const t0 = performance.now();
  const s = r.scoped(removed);
  for (let i = 0; i < n; i++) s.error(['spec', 'ingress', 0, 'fromEndpoints', i + n], 'empty-peer', 'm');
  const ms = performance.now() - t0;
  assert.equal(r.diagnostics.length, n);
  assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
});
