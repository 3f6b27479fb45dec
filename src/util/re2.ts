/**
 * @module util/re2
 *
 * Regular expressions from user policies (HTTP method/path/host, Hubble
 * `--http-path`) follow RE2 semantics, as Cilium's Go `regexp` and Envoy's
 * `safe_regex` do: no backreferences or lookaround, and matching in linear
 * time, so a hostile pattern or input can never hang polis. Backed by re2js,
 * a pure-JS port of RE2 that also runs in the browser.
 */
import { RE2JS } from 're2js';

export type Re2 = RE2JS;

export type Re2Result = { readonly ok: true; readonly re: Re2 } | { readonly ok: false; readonly error: string };

/**
 * Compiled patterns, shared: validation and normalisation compile the same
 * HTTP paths and methods, and a cluster repeats them across policies. A
 * compiled RE2JS is immutable (matching makes its own matcher). Bounded, so
 * endless distinct patterns start it over rather than grow it.
 */
const compiled = new Map<string, Re2Result>();
const MAX_COMPILED = 10_000;

/** Compiles an RE2 pattern; a syntax error is a value, not an exception. */
export function compileRe2(pattern: string): Re2Result {
  const known = compiled.get(pattern);
  if (known) return known;
  let result: Re2Result;
  try {
    result = { ok: true, re: RE2JS.compile(pattern) };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    result = { ok: false, error: msg.replace(/^error parsing regexp: /, '') };
  }
  if (compiled.size >= MAX_COMPILED) compiled.clear();
  compiled.set(pattern, result);
  return result;
}

/** True when the whole of `input` matches (Envoy's implicit anchoring). */
export function fullMatch(re: Re2, input: string): boolean {
  return re.matches(input);
}

/** True when some part of `input` matches (Go's `MatchString`, unanchored). */
export function partialMatch(re: Re2, input: string): boolean {
  return re.matcher(input).find();
}
