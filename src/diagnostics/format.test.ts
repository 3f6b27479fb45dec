import { test } from 'node:test';
import { performance } from 'node:perf_hooks';
import assert from 'node:assert/strict';
import { formatDiagnostic, diagnosticsToJson } from './format.js';
import type { Diagnostic } from './diagnostic.js';

const text = 'a: 1\nspec:\n  cidr: 172.224.3/32\n';
const diag: Diagnostic = {
  code: 'invalid-cidr',
  severity: 'error',
  message: '172.224.3/32 is not a valid CIDR',
  hint: 'write four octets, e.g. 172.224.0.3/32',
  path: 'spec.cidr',
  location: { file: 'p.yaml', line: 3, col: 9, offset: 21, endOffset: 33 },
};

test('formatDiagnostic points at file:line:col and quotes the line with a caret', () => {
  const out = formatDiagnostic(diag, new Map([['p.yaml', text]]));
  assert.equal(
    out,
    [
      'p.yaml:3:9: error: 172.224.3/32 is not a valid CIDR (at spec.cidr) [invalid-cidr]',
      '    3 |   cidr: 172.224.3/32',
      '                ^',
      '  hint: write four octets, e.g. 172.224.0.3/32',
    ].join('\n'),
  );
});

test('formatDiagnostic without source text prints no excerpt', () => {
  const out = formatDiagnostic({ ...diag, hint: undefined });
  assert.equal(out, 'p.yaml:3:9: error: 172.224.3/32 is not a valid CIDR (at spec.cidr) [invalid-cidr]');
});

test('diagnosticsToJson keeps position and field path', () => {
  const [j] = diagnosticsToJson([diag]) as Record<string, unknown>[];
  assert.deepEqual(j, {
    severity: 'error', code: 'invalid-cidr', message: diag.message, hint: diag.hint,
    path: 'spec.cidr', file: 'p.yaml', line: 3, col: 9, offset: 21, endOffset: 33,
  });
});

test('formatDiagnostic quotes the right line with CRLF endings, on the last line and not past the end', () => {
  const src = new Map([['c.yaml', 'a: 1\r\nb: 2\r\nc: 3']]);
  const at = (line: number) => formatDiagnostic({ code: 'x', severity: 'error', message: 'm', location: { file: 'c.yaml', line, col: 1, offset: 0, endOffset: 0 } }, src);
  assert.match(at(2), /\n {4}2 \| b: 2\n/);
  assert.match(at(3), /\n {4}3 \| c: 3\n/);
  assert.equal(at(4), 'c.yaml:4:1: error: m [x]');
});

// Issue 8: each excerpt rescanned the file from its start, so 50,000 diagnostics
// on a 50,000-line file took 14 s (quadratic); with a line index built once it is linear.
test('formatting 50,000 diagnostics of one 50,000-line file is linear (bound 2 s; it took 14 s)', () => {
  const n = 50_000;
  const text = Array.from({ length: n }, (_, i) => `k${i}: v`).join('\n');
  const sources = new Map([['big.yaml', text]]);
  const t0 = performance.now();
  let last = '';
  for (let line = 1; line <= n; line++) {
    last = formatDiagnostic({ code: 'x', severity: 'error', message: 'm', location: { file: 'big.yaml', line, col: 1, offset: 0, endOffset: 0 } }, sources);
  }
  const ms = performance.now() - t0;
  assert.match(last, /50000 \| k49999: v/);
  assert.ok(ms < 2_000, `took ${ms.toFixed(0)} ms`);
});
