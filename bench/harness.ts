/**
 * @module bench/harness
 *
 * Tiny benchmark helpers. Every benchmark measures polis against a simple
 * baseline in the same process and prints both figures and the ratio, so a
 * noisy machine still gives a fair comparison.
 */
import { performance } from 'node:perf_hooks';

/** Runs `fn` `reps` times (after one warm-up) and returns the best time in ms. */
export function bestOf(reps: number, fn: () => void): number {
  fn();
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** Prints one result line: name, polis figure, baseline figure, ratio. */
export function report(name: string, polis: { value: number; unit: string }, baseline: { value: number; unit: string; name: string }, higherIsBetter: boolean): void {
  const ratio = higherIsBetter ? polis.value / baseline.value : baseline.value / polis.value;
  const fmt = (v: number) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(2));
  console.log(
    `${name}: ${fmt(polis.value)} ${polis.unit}  |  baseline (${baseline.name}): ${fmt(baseline.value)} ${baseline.unit}  |  polis is ${ratio.toFixed(2)}x faster`,
  );
}
