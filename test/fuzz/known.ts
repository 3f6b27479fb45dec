/**
 * @module test/fuzz/known
 *
 * Bugs the fuzzer finds that are known and reported, but fixed elsewhere
 * (in src/engine, which this work does not change). A finding that matches
 * is listed as known instead of failing the run; each has a `todo` test
 * with its smallest input in fuzz.test.ts, which starts passing (and then
 * asks for its entry here to be removed) once the bug is fixed.
 */
import type { Finding } from './pool.js';

export interface KnownBug {
  readonly name: string;
  /** Matches the stderr of a run that hit it. */
  readonly signature: RegExp;
  /** The smallest command line that shows it. */
  readonly argv: readonly string[];
}

export const KNOWN_BUGS: readonly KnownBug[] = [
  // Empty: the last one (a pod's IP as an endpoint before its end was built) is fixed in src/engine/ends.ts
  // and pinned by a row of src/engine/semantics.test.ts.
];

/** The known bug a finding is, if any. */
export function knownBug(f: Finding): KnownBug | undefined {
  return f.kind === 'wrong answer' ? KNOWN_BUGS.find((b) => b.signature.test(f.err)) : undefined;
}
