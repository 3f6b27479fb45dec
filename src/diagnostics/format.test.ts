import { test } from 'node:test';
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
