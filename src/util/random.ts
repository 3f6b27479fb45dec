/**
 * @module util/random
 *
 * A small seeded generator for benchmark inputs and randomised tests, so
 * every run asks the same questions. `seed * 1103515245` in plain numbers overflows 2^53 and loses
 * the low bits, which made `% n` badly skewed (a "1 in 100" event came out
 * 4.5 times as often); `Math.imul` keeps the arithmetic exact mod 2^32, and
 * the high bits, the random ones of an LCG, pick the value.
 */
export function seededRandom(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return Math.floor(((s >>> 8) / 0x1000000) * n);
  };
}
