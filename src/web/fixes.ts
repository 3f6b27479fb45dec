/**
 * @module web/fixes
 *
 * Quick fixes for the diagnostics that know their fix: the edit is computed
 * here, beside the messages it reads, so the editor only applies a text
 * change. Each fix is one replacement of the diagnostic's own range.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';

export interface QuickFix {
  readonly title: string;
  /** Replace [from, to) of the diagnostic's file with `insert`. */
  readonly from: number;
  readonly to: number;
  readonly insert: string;
}

export function quickFixes(d: Diagnostic, text: string): QuickFix[] {
  const l = d.location;
  if (!l) return [];
  const written = text.slice(l.offset, l.endOffset);
  // check-schema: `unknown field "toPort" (did you mean "toPorts"?)`, the range being the key.
  const rename = d.code === 'unknown-field' ? /did you mean "([^"]+)"/.exec(d.message) : null;
  if (rename && written.length > 0) return [{ title: `Rename to "${rename[1]}"`, from: l.offset, to: l.endOffset, insert: rename[1]! }];
  // check-schema: an enum value with a case-only or near miss (`protocol: tcp`), the range being the value.
  const value = d.code === 'invalid-value' && d.hint ? /did you mean "([^"]+)"/.exec(d.hint) : null;
  if (value && written.length > 0) return [{ title: `Change to "${value[1]}"`, from: l.offset, to: l.endOffset, insert: value[1]! }];
  // check-schema: `port must be a string such as "443"` for an unquoted number.
  if (d.code === 'wrong-type' && d.hint?.startsWith('quote the value') && /^\d+$/.test(written)) {
    return [{ title: `Quote it: "${written}"`, from: l.offset, to: l.endOffset, insert: `"${written}"` }];
  }
  return [];
}
