import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointSelector } from './selector.js';
import { labelKeyProblems, labelValueProblems } from './selector-validation.js';

const V = 'k8s apimachinery ValidateLabelSelector, as called by pkg/policy/api/selector.go Sanitize (semantics.md §1.2)';
const problems = (raw: Parameters<typeof EndpointSelector.fromK8s>[0]) => EndpointSelector.fromK8s(raw).problems;

test('In/NotIn need values', () => {
  assert.deepEqual(problems({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: [] }] }), [
    { path: 'matchExpressions[0].values', message: "Required value: must be specified when `operator` is 'In' or 'NotIn'" },
  ], V);
  assert.equal(problems({ matchExpressions: [{ key: 'app', operator: 'In' }] }).length, 1, V);
});

test('Exists/DoesNotExist must not have values', () => {
  assert.deepEqual(problems({ matchExpressions: [{ key: 'app', operator: 'Exists', values: ['x'] }] }), [
    { path: 'matchExpressions[0].values', message: "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'" },
  ], V);
});

test('unknown operator', () => {
  const p = problems({ matchExpressions: [{ key: 'app', operator: 'Equals' }] });
  assert.deepEqual(p, [{ path: 'matchExpressions[0].operator', message: 'Invalid value: "Equals": not a valid selector operator' }], V);
});

test('invalid label values are reported in matchLabels and expression values', () => {
  assert.equal(problems({ matchLabels: { app: 'a b' } })[0]?.path, 'matchLabels', V);
  assert.equal(problems({ matchExpressions: [{ key: 'app', operator: 'In', values: ['ok', '-bad'] }] })[0]?.path, 'matchExpressions[0].values[1]', V);
  assert.deepEqual(labelValueProblems(''), [], 'empty value is valid');
  assert.equal(labelValueProblems('x'.repeat(64))[0], 'must be no more than 63 characters');
});

test('invalid keys are reported with the extended key Cilium validates', () => {
  // source: semantics.md §2.1 + code reading: 1.16-1.18 validate after key normalisation
  const p = problems({ matchLabels: { 'a/b/c': 'x' } });
  assert.equal(p.length, 1);
  assert.match(p[0]!.message, /^Invalid value: "any\.a\/b\/c": a qualified name must consist of/);
  assert.deepEqual(labelKeyProblems('any.app.kubernetes.io/name'), []);
  assert.deepEqual(labelKeyProblems('k8s.io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name'), []);
  assert.deepEqual(labelKeyProblems('cidr.0--0/0'), [], 'IPv6 cidr keys were designed to pass (pkg/labels/cidr.go)');
  assert.deepEqual(labelKeyProblems('cidr.10.0.0.0/8'), []);
  assert.equal(labelKeyProblems('any.Example.com/x')[0]?.startsWith('prefix part a lowercase RFC 1123 subdomain'), true);
});

test('a 60-character bare key fails because Cilium counts the any. prefix', () => {
  // source: code reading of pkg/policy/api/selector.go (1.16-1.18: UnmarshalJSON extends keys, sanitize validates them)
  const key = 'k'.repeat(60);
  assert.equal(problems({ matchLabels: { [key]: 'x' } })[0]?.message.includes('name part must be no more than 63 characters'), true);
  assert.deepEqual(problems({ matchLabels: { ['k'.repeat(59)]: 'x' } }), []);
});

test('valid selectors have no problems', () => {
  assert.deepEqual(problems({ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'default', 'reserved:host': '' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a', 'b'] }] }), []);
});
