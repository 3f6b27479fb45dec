/** sortStrings orders exactly as the native sort without a comparator (UTF-16 code units), short lists and long. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sortStrings } from './sort.js';

test('sortStrings equals Array.prototype.sort() on distinct strings (surrogates, case and integer-like keys included)', () => {
  const item = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('10', '9', '0', '01', '__proto__', 'a', 'B', 'é', '\u{1F600}', '\uFF61'));
  fc.assert(fc.property(fc.uniqueArray(item, { maxLength: 40 }), (list) => {
    const expected = [...list].sort();
    const copy = [...list];
    assert.deepEqual(sortStrings(copy), expected);
    assert.deepEqual(copy, expected);
  }), { numRuns: 2000 });
});
