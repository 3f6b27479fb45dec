/**
 * Generated names: the template hash's canonical JSON. The fast path of
 * `stableJson` writes exactly what the key-sorting walk writes, for any
 * value YAML can give (and a few it cannot), so pod names never change with it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { podTemplateHash, stableJson } from './names.js';

/** The definition: keys sorted as strings, at every level. */
function reference(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(reference).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${reference(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

describe('stableJson', () => {
  test('equals the key-sorting walk on random JSON values (integer-like and __proto__ keys included)', () => {
    const key = fc.oneof(fc.string(), fc.constantFrom('10', '9', '0', '01', '__proto__', 'a', 'B', 'é'));
    const value = fc.letrec((tie) => ({
      any: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), tie('list'), tie('map')),
      list: fc.array(tie('any'), { maxLength: 4 }),
      map: fc.dictionary(key, tie('any'), { maxKeys: 5 }),
    }));
    fc.assert(fc.property(value.any, (v) => stableJson(v) === reference(v)), { numRuns: 3000 });
  });
  test('values YAML gives beside JSON (dates), undefined fields, lists with holes and null-prototype objects are written as the walk writes them', () => {
    const cases: unknown[] = [
      { b: new Date(0), a: 1 },
      { b: undefined, a: 1 },
      Object.assign(Object.create(null) as object, { z: 1, y: { x: 2, w: 3 } }),
      { 2: 'a', 10: 'b', x: 'c' },
      [undefined, { b: 1, a: 2 }],
      [1, , { b: 1, a: 2 }],
    ];
    for (const v of cases) assert.equal(stableJson(v), reference(v), JSON.stringify(v));
  });
  test('the pod-template-hash of a template does not depend on key order', () => {
    const a = { metadata: { labels: { app: 'x', tier: 'y' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    const b = { spec: { containers: [{ image: 'i', name: 'c' }] }, metadata: { labels: { tier: 'y', app: 'x' } } };
    assert.equal(podTemplateHash(a), podTemplateHash(b));
    assert.match(podTemplateHash(a), /^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
  });
});
