/**
 * @module util/terminal
 *
 * Makes untrusted text safe to print on a terminal. Names, labels, HTTP paths
 * and messages come from files a user may not have written (a Hubble export,
 * a colleague's tests file); printed raw, a newline forges an output line, a
 * carriage return or backspace hides one, and an escape sequence recolours,
 * moves the cursor or retitles the terminal. Every control character is
 * therefore written as visible text. hubble's printer (`terminal.go`) already
 * turns ESC into `^[` and CR into `\r`; we keep those two spellings so that
 * our text output stays identical to hubble's where hubble escapes, and extend
 * the rule to the characters hubble lets through: the other C0 controls, DEL,
 * the C1 controls (U+009B is a one-byte CSI on some terminals), and the
 * Unicode bidirectional and line-separator controls that reorder or break a
 * line on screen. Printable text, backslashes included, is left untouched, so
 * ordinary names print as they are.
 */

// C0, DEL, C1; ALM; LRM, RLM; LS, PS, LRE…RLO; LRI…PDI.
const CONTROL = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;
const CONTROL_ALL = new RegExp(CONTROL.source, 'g');

const NAMED: ReadonlyMap<string, string> = new Map([
  ['\x1b', '^['],
  ['\r', '\\r'],
  ['\n', '\\n'],
  ['\t', '\\t'],
]);

function visible(c: string): string {
  const named = NAMED.get(c);
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** True when `s` holds a character that `escapeControls` would rewrite. */
export function hasControls(s: string): boolean {
  return CONTROL.test(s);
}

/**
 * `s` with every terminal control character written visibly: ESC as `^[`,
 * CR `\r`, LF `\n`, TAB `\t`, others as `\x07` or `\u202e`. Costs one regex
 * test when there is nothing to escape, the common case.
 */
export function escapeControls(s: string): string {
  return CONTROL.test(s) ? s.replace(CONTROL_ALL, visible) : s;
}
