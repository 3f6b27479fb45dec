/**
 * @module util/sort
 *
 * Sorting the short lists of strings that are built by the thousand while a
 * cluster loads (an object's keys for the template hash, an identity's label
 * keys). The native sort allocates work arrays on every call, which added up
 * to megabytes of garbage for lists of a handful of keys.
 */

/**
 * Sorts distinct strings in place by UTF-16 code units, the order of
 * `Array.prototype.sort()` without a comparator: an insertion sort for short
 * lists (often already in order), the native sort for longer ones.
 */
export function sortStrings(list: string[]): string[] {
  if (list.length > 16) return list.sort();
  for (let i = 1; i < list.length; i++) {
    const s = list[i]!;
    let j = i - 1;
    while (j >= 0 && list[j]! > s) {
      list[j + 1] = list[j]!;
      j--;
    }
    list[j + 1] = s;
  }
  return list;
}
