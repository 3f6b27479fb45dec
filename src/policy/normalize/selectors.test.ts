/**
 * The rewritten selectors are memoised and, for a valid subject, derived from
 * the selector as written plus the namespace term. These tests hold both
 * shortcuts to the plain rewrite Cilium's agent does
 * (`pkg/k8s/apis/cilium.io/utils/utils.go: getEndpointSelector` sets
 * `k8s:io.kubernetes.pod.namespace` on a CNP subject), including the
 * validation problems the rewritten selector carries.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointSelector, selectorSpecKey } from '../../identity/selector.js';
import type { LabelSelectorSpec } from '../schema/selector.js';
import { cnpSubject, NS_KEY, peerSelector, selectorText } from './selectors.js';

/** The rewrite as a fresh selector, no memo, no shortcut. */
function plainRewrite(sel: LabelSelectorSpec, namespace: string): EndpointSelector {
  const matchLabels = { ...(sel.matchLabels ?? {}) };
  delete matchLabels[`k8s:${NS_KEY}`];
  matchLabels[`k8s:${NS_KEY}`] = namespace;
  return EndpointSelector.fromK8s({ matchLabels, ...(sel.matchExpressions ? { matchExpressions: sel.matchExpressions } : {}) });
}

const selectors: [string, LabelSelectorSpec][] = [
  ['empty', {}],
  ['one label', { matchLabels: { app: 'web' } }],
  ['sources', { matchLabels: { 'k8s:app': 'web', 'any:tier': 'db', role: 'x' } }],
  ['the namespace written with k8s:', { matchLabels: { [`k8s:${NS_KEY}`]: 'other', app: 'web' } }],
  ['the namespace written without a source', { matchLabels: { [NS_KEY]: 'other' } }],
  ['the namespace written with any:', { matchLabels: { [`any:${NS_KEY}`]: 'other' } }],
  ['an invalid value under the k8s: namespace key (dropped by the rewrite)', { matchLabels: { [`k8s:${NS_KEY}`]: 'not valid!' } }],
  ['an invalid value elsewhere', { matchLabels: { app: 'not valid!' } }],
  ['an invalid key', { matchLabels: { 'a/b/c': 'x' } }],
  ['two spellings of one key', { matchLabels: { app: 'a', 'any:app': 'b' } }],
  ['expressions', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'k8s:env', operator: 'DoesNotExist' }] }],
  ['a bad operator', { matchExpressions: [{ key: 'tier', operator: 'Near' as never, values: ['a'] }] }],
  ['In without values', { matchExpressions: [{ key: 'tier', operator: 'In' }] }],
  ['labels and expressions', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['x'] }] }],
];
const namespaces = ['default', 'team-a', 'Not_A_Dns_Name', 'has space', 'x'.repeat(64), ''];

for (const [name, sel] of selectors) {
  test(`CNP subject with ${name} equals the plain rewrite in every namespace`, () => {
    for (const ns of namespaces) {
      const got = cnpSubject(sel, ns);
      const want = plainRewrite(sel, ns);
      assert.equal(got.canonical, want.canonical, ns);
      assert.deepEqual(got.problems, want.problems, ns);
      assert.deepEqual(got.matchLabels, want.matchLabels, ns);
      assert.deepEqual(got.matchExpressions, want.matchExpressions, ns);
      assert.equal(cnpSubject(sel, ns), got, 'memoised: the same object');
    }
  });
}

test('selectors written alike share one object; written differently, they do not', () => {
  assert.equal(EndpointSelector.fromK8s({ matchLabels: { app: 'web' } }), EndpointSelector.fromK8s({ matchLabels: { app: 'web' } }));
  assert.notEqual(EndpointSelector.fromK8s({ matchLabels: { app: 'web' } }), EndpointSelector.fromK8s({ matchLabels: { 'k8s:app': 'web' } }));
  // Order decides which of two spellings of one key wins (later wins, as Cilium's map), so it is part of the key.
  const ab = EndpointSelector.fromK8s({ matchLabels: { app: 'a', 'any:app': 'b' } });
  const ba = EndpointSelector.fromK8s({ matchLabels: { 'any:app': 'b', app: 'a' } });
  assert.notEqual(ab.canonical, ba.canonical);
  assert.equal(peerSelector({ matchLabels: { app: 'web' } }, 'ns1', true), peerSelector({ matchLabels: { app: 'web' } }, 'ns1', true));
  assert.notEqual(peerSelector({ matchLabels: { app: 'web' } }, 'ns1', true).canonical, peerSelector({ matchLabels: { app: 'web' } }, 'ns2', true).canonical);
});

test('the memo key cannot be imitated by texts holding its separators', () => {
  const a = selectorSpecKey({ matchLabels: { 'a1:b': 'c' } });
  const b = selectorSpecKey({ matchLabels: { a: '1:bc' } });
  assert.notEqual(a, b);
  assert.equal(selectorSpecKey({ matchLabels: { a: 1 as unknown as string } }), undefined, 'a non-string value is never memoised');
  assert.equal(selectorText({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }), 'app=web,tier In (a,b)');
});
