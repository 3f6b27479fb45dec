import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EndpointSelector, normaliseSelectorKey } from './selector.js';
import { LabelSet, type Label } from './labels.js';
import type { K8sLabelSelector } from './selector-validation.js';
import { cidrContainsCidr, parseCidr } from '../net/ip.js';

const S21 = 'semantics.md §2.1';
const sel = (raw: K8sLabelSelector) => EndpointSelector.fromK8s(raw);
const ls = (...t: string[]) => LabelSet.parse(...t);

test('key normalisation: src:rest splits at first colon, bare key is any', () => {
  // source: semantics.md §2.1; pkg/labels/labels.go GetExtendedKeyFrom
  assert.deepEqual(normaliseSelectorKey('k8s:app'), { source: 'k8s', key: 'app' });
  assert.deepEqual(normaliseSelectorKey('app'), { source: 'any', key: 'app' });
  assert.deepEqual(normaliseSelectorKey('app.kubernetes.io/name'), { source: 'any', key: 'app.kubernetes.io/name' });
  assert.deepEqual(normaliseSelectorKey('a:b:c'), { source: 'a', key: 'b:c' });
  assert.deepEqual(normaliseSelectorKey('$host'), { source: 'reserved', key: 'host' });
  assert.deepEqual(normaliseSelectorKey('reserved.init'), { source: 'reserved', key: 'init' });
});

const cases: { name: string; sel: K8sLabelSelector; labels: string[]; want: boolean; source: string }[] = [
  { name: 'app=web matches k8s:app=web', sel: { matchLabels: { app: 'web' } }, labels: ['k8s:app=web'], want: true, source: S21 },
  { name: 'k8s:app=web matches k8s:app=web', sel: { matchLabels: { 'k8s:app': 'web' } }, labels: ['k8s:app=web'], want: true, source: S21 },
  { name: 'app=web does not match app=db', sel: { matchLabels: { app: 'web' } }, labels: ['k8s:app=db'], want: false, source: S21 },
  { name: 'reserved:host does not match k8s label host', sel: { matchLabels: { 'reserved:host': '' } }, labels: ['k8s:host'], want: false, source: S21 },
  { name: 'reserved:host matches the host identity', sel: { matchLabels: { 'reserved:host': '' } }, labels: ['reserved:host'], want: true, source: S21 },
  { name: 'k8s:host does not match reserved:host', sel: { matchLabels: { 'k8s:host': '' } }, labels: ['reserved:host'], want: false, source: S21 },
  { name: 'empty selector matches a pod', sel: {}, labels: ['k8s:app=web'], want: true, source: S21 },
  { name: 'empty selector matches a reserved identity', sel: {}, labels: ['reserved:world'], want: true, source: S21 },
  { name: 'empty selector matches a CIDR identity', sel: {}, labels: ['cidr:1.1.1.1/32', 'reserved:world'], want: true, source: S21 },
  { name: 'In needs the key', sel: { matchExpressions: [{ key: 'app', operator: 'In', values: ['a'] }] }, labels: ['k8s:x=a'], want: false, source: S21 },
  { name: 'In with one of the values', sel: { matchExpressions: [{ key: 'app', operator: 'In', values: ['a', 'b'] }] }, labels: ['k8s:app=b'], want: true, source: S21 },
  { name: 'NotIn matches an absent key', sel: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['a'] }] }, labels: ['reserved:world'], want: true, source: S21 },
  { name: 'NotIn rejects a listed value', sel: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['a'] }] }, labels: ['k8s:app=a'], want: false, source: S21 },
  { name: 'NotIn accepts another value', sel: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['a'] }] }, labels: ['k8s:app=b'], want: true, source: S21 },
  { name: 'Exists', sel: { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }, labels: ['k8s:io.kubernetes.pod.namespace=x'], want: true, source: 'semantics.md §2.4' },
  { name: 'Exists fails on reserved identity', sel: { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }, labels: ['reserved:host'], want: false, source: 'semantics.md §2.4' },
  { name: 'DoesNotExist', sel: { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, labels: ['k8s:tier=x'], want: true, source: S21 },
  { name: 'terms are ANDed', sel: { matchLabels: { app: 'web', tier: 'fe' } }, labels: ['k8s:app=web'], want: false, source: S21 },
  { name: 'cidr:10.0.0.0/8 selects cidr:10.1.2.0/24 identity', sel: { matchLabels: { 'cidr:10.0.0.0/8': '' } }, labels: ['cidr:10.1.2.0/24', 'reserved:world'], want: true, source: S21 + '; pkg/labels labels.go HasKey' },
  { name: 'cidr:10.1.2.0/24 does not select cidr:10.0.0.0/8 identity', sel: { matchLabels: { 'cidr:10.1.2.0/24': '' } }, labels: ['cidr:10.0.0.0/8', 'reserved:world'], want: false, source: S21 },
  { name: 'cidr:0--0/0 selects an IPv6 identity', sel: { matchLabels: { 'cidr:0--0/0': '' } }, labels: ['cidr:2001-db8--0/32', 'reserved:world'], want: true, source: S21 + ' (IPv6 written with -)' },
  { name: 'cidr DoesNotExist excludes a narrower identity (except)', sel: { matchLabels: { 'cidr:10.0.0.0/8': '' }, matchExpressions: [{ key: 'cidr:10.1.0.0/16', operator: 'DoesNotExist' }] }, labels: ['cidr:10.1.2.0/24', 'reserved:world'], want: false, source: 'labels.go HasKey prefix-aware for every operator' },
  { name: 'cidr DoesNotExist keeps an identity outside the exception', sel: { matchLabels: { 'cidr:10.0.0.0/8': '' }, matchExpressions: [{ key: 'cidr:10.1.0.0/16', operator: 'DoesNotExist' }] }, labels: ['cidr:10.2.0.0/16', 'reserved:world'], want: true, source: 'labels.go HasKey' },
  { name: 'a cidr selector never selects a pod', sel: { matchLabels: { 'cidr:0.0.0.0/0': '' } }, labels: ['k8s:app=web', 'k8s:io.kubernetes.pod.namespace=default'], want: false, source: 'semantics.md §4.9' },
  { name: 'invalid selector (In without values) selects nothing', sel: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] }, labels: ['k8s:app=x'], want: false, source: S21 + ' (fails k8s conversion)' },
  { name: 'invalid operator selects nothing', sel: { matchExpressions: [{ key: 'app', operator: 'Equals' }] }, labels: ['k8s:app=x'], want: false, source: S21 },
];
for (const c of cases) {
  test(`selector: ${c.name}`, () => {
    assert.equal(sel(c.sel).matches(ls(...c.labels)), c.want, c.source);
  });
}

test('isWildcard only for a valid selector without terms', () => {
  // source: pkg/policy/api/selector.go IsWildcard
  assert.equal(sel({}).isWildcard, true);
  assert.equal(sel({ matchLabels: {} }).isWildcard, true);
  assert.equal(sel({ matchLabels: { a: 'b' } }).isWildcard, false);
  assert.equal(EndpointSelector.wildcard.isWildcard, true);
});

test('withTerm: a match replaces the same normalised key; any: and k8s: stay distinct', () => {
  // source: semantics.md §2.2 (k8s: namespace key overwritten, bare key not)
  const base = sel({ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'other', 'io.kubernetes.pod.namespace': 'other' } });
  const s = base.withTerm({ kind: 'match', key: 'k8s:io.kubernetes.pod.namespace', value: 'prod' });
  assert.equal(s.toString(), 'any:io.kubernetes.pod.namespace=other, k8s:io.kubernetes.pod.namespace=prod');
  assert.equal(s.matches(ls('k8s:io.kubernetes.pod.namespace=prod')), false);
  assert.equal(base.toString(), 'any:io.kubernetes.pod.namespace=other, k8s:io.kubernetes.pod.namespace=other', 'immutable');
  const e = sel({}).withTerm({ kind: 'expression', key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' });
  assert.equal(e.isWildcard, false);
  assert.equal(e.matches(ls('reserved:host')), false);
  assert.equal(e.matches(ls('k8s:io.kubernetes.pod.namespace=a')), true);
});

test('canonical is stable across matchLabels order and keeps matchLabels apart from expressions', () => {
  // source: Cilium keys its selector cache by the selector string (pkg/policy/selectorcache.go)
  assert.equal(sel({ matchLabels: { a: '1', b: '2' } }).canonical, sel({ matchLabels: { b: '2', a: '1' } }).canonical);
  assert.equal(sel({ matchLabels: { a: '1' } }).canonical, sel({ matchLabels: { 'any:a': '1' } }).canonical);
  assert.notEqual(sel({ matchLabels: { a: '1' } }).canonical, sel({ matchLabels: { 'k8s:a': '1' } }).canonical);
  assert.notEqual(sel({ matchLabels: { a: '1' } }).canonical, sel({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1'] }] }).canonical);
  // An invalid selector never shares a cache entry with a valid one.
  assert.notEqual(sel({ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['1'] }] }).canonical, sel({}).canonical);
});

test('keys() and hasKey() expose normalised keys for the policy layer', () => {
  const s = sel({ matchLabels: { 'reserved:host': '' }, matchExpressions: [{ key: 'io.cilium.k8s.namespace.labels.team', operator: 'Exists' }] });
  assert.deepEqual(s.keys(), [{ source: 'reserved', key: 'host' }, { source: 'any', key: 'io.cilium.k8s.namespace.labels.team' }]);
  assert.equal(s.hasKey('reserved', 'host'), true);
  assert.equal(s.hasKey('k8s', 'host'), false);
});

// ---- property test: EndpointSelector.matches vs a literal transcription of Cilium's algorithm ----

/**
 * Naive reference: k8s Requirement.Matches over Cilium's LabelArray.Has/Get,
 * each a linear scan with Label.HasKey (pkg/labels/labels.go, array.go).
 */
function naiveMatches(raw: K8sLabelSelector, labels: Label[]): boolean {
  const dedup = new Map<string, Label>();
  for (const l of labels) dedup.set(l.key, l);
  const arr = [...dedup.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const hasKey = (l: Label, src: string, key: string) => {
    if (src !== 'any' && l.source !== src) return false;
    if (src === 'cidr' && l.source === 'cidr') {
      const t = parseCidr(key.replaceAll('-', ':'));
      const c = parseCidr(l.key.replaceAll('-', ':'));
      if (t && c && cidrContainsCidr(t, c)) return true;
    }
    return l.key === key;
  };
  const lookup = (written: string) => {
    const i = written.indexOf(':');
    const src = i < 0 ? 'any' : written.slice(0, i);
    const key = i < 0 ? written : written.slice(i + 1);
    return arr.find((l) => hasKey(l, src, key));
  };
  for (const [k, v] of Object.entries(raw.matchLabels ?? {})) {
    const f = lookup(k);
    if (!f || f.value !== v) return false;
  }
  for (const e of raw.matchExpressions ?? []) {
    const f = lookup(e.key);
    const vals = e.values ?? [];
    if (e.operator === 'In' && (!f || !vals.includes(f.value))) return false;
    if (e.operator === 'NotIn' && f && vals.includes(f.value)) return false;
    if (e.operator === 'Exists' && !f) return false;
    if (e.operator === 'DoesNotExist' && f) return false;
  }
  return true;
}

const plainKeys = ['app', 'tier', 'host'];
const cidrKeys = ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '0.0.0.0/0', '11.0.0.0/8'];
const values = ['a', 'b', ''];
const labelArb: fc.Arbitrary<Label> = fc.oneof(
  fc.record({ source: fc.constantFrom('k8s', 'reserved'), key: fc.constantFrom(...plainKeys), value: fc.constantFrom(...values) }),
  fc.record({ source: fc.constant('cidr'), key: fc.constantFrom(...cidrKeys), value: fc.constant('') }),
);
const selKeyArb = fc.oneof(
  fc.constantFrom(...plainKeys),
  fc.constantFrom(...plainKeys).map((k) => `k8s:${k}`),
  fc.constantFrom(...plainKeys).map((k) => `reserved:${k}`),
  fc.constantFrom(...cidrKeys).map((k) => `cidr:${k}`),
);
const exprArb = fc.oneof(
  fc.record({ key: selKeyArb, operator: fc.constantFrom('In', 'NotIn'), values: fc.uniqueArray(fc.constantFrom(...values), { minLength: 1 }) }),
  fc.record({ key: selKeyArb, operator: fc.constantFrom('Exists', 'DoesNotExist') }),
);
const selectorArb: fc.Arbitrary<K8sLabelSelector> = fc.record({
  matchLabels: fc.dictionary(selKeyArb, fc.constantFrom(...values), { maxKeys: 2 }),
  matchExpressions: fc.array(exprArb, { maxLength: 3 }),
});

test('property: EndpointSelector.matches equals the naive Cilium transcription', () => {
  // source: pkg/labels/array.go Has/Get + labels.go HasKey + k8s labels.Requirement.Matches
  fc.assert(
    fc.property(selectorArb, fc.array(labelArb, { maxLength: 5 }), (raw, labels) => {
      const s = EndpointSelector.fromK8s(raw);
      // The generators only build valid selectors; invalid ones select nothing (tested above).
      assert.ok(s.isValid);
      return s.matches(LabelSet.of(labels)) === naiveMatches(raw, labels);
    }),
    { numRuns: 3000 },
  );
});
