/**
 * @module manifest/depth-guard
 *
 * A cheap linear scan that refuses absurdly nested input before a YAML
 * parser sees it: both parsers (js-yaml, then eemeli/yaml) are recursive,
 * and a document of 100,000 `[` (or a line of 20,000 `- `) would exhaust
 * the stack instead of failing cleanly. Real Kubernetes objects are rarely
 * nested 30 deep; the limit is far above.
 *
 * The scan must skip what the parsers read as text (quoted and block
 * scalars, comments, plain scalars) or it refuses valid files (600 `[`
 * inside a `|` block), and it must never skip what a parser reads as
 * structure, or deep nesting reaches the parser's stack (issue 8: in
 * `[a#[[[…` the `#` is part of the plain scalar `a#`, not a comment).
 *
 * So it tokenises as eemeli/yaml's lexer does, the parser that reads on
 * after an error (js-yaml stops at the first one): at each point where a
 * token may start, a `#` is a comment, `[`/`{` open a flow collection, a
 * quote a quoted scalar, `|`/`>` a block scalar, anything else a plain
 * scalar, inside which quotes, `|` and (in block context) brackets are text
 * up to `: ` or ` #`. Where the lexer's choice depends on the indentation
 * it tracks, the scan takes the choice that skips less:
 * - a block scalar covers blank lines and lines indented as deep as its
 *   first content line, which must be deeper than its parent (or the
 *   explicit indentation indicator), up to a document marker;
 * - a multi-line quoted scalar is followed only onto lines indented deeper
 *   than the line it starts on;
 * - a line after a block plain scalar continues it when indented deeper
 *   than the scalar's parent; when that parent is not known (a value alone
 *   on its line) the line is scanned without skipping quotes or block
 *   scalars, since it may be either.
 * Indentation plus `- `/`? `/`: ` markers count as block nesting.
 */

/** Deepest nesting accepted, counted in flow brackets, or in indentation columns plus `- ` markers. */
export const MAX_NESTING = 512;

const NL = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

const isBlank = (c: number) => c === SPACE || c === TAB || c === CR;
/** Whitespace, line end or end of text (NaN). */
const isBreak = (c: number) => c === SPACE || c === TAB || c === CR || c === NL || Number.isNaN(c);
const isFlowIndicator = (c: number) => c === 44 /* , */ || c === 91 /* [ */ || c === 93 /* ] */ || c === 123 /* { */ || c === 125 /* } */;
const isDocumentMarker = (text: string, i: number) => (text.startsWith('---', i) || text.startsWith('...', i)) && isBreak(text.charCodeAt(i + 3));

/**
 * Returns the 0-based offset where the input first exceeds the nesting
 * limit, or -1 when it never does.
 */
export function findExcessiveNesting(text: string, limit = MAX_NESTING): number {
  const len = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let flow = 0;
  /** Content column of the line where the outermost flow collection opened: quoted scalars inside continue on deeper lines. */
  let flowContentCol = -1;
  /** Inside a plain scalar in flow context, carried across lines. */
  let flowPlain = false;
  /**
   * The previous line ended inside a block plain scalar: the least
   * indentation that continues it, or -1 when its parent is unknown.
   */
  let plainContinues: { readonly minIndent: number } | undefined;
  /** A block scalar header ended the previous line: its parent's column and explicit indentation. */
  let blockScalar: { readonly parent: number; readonly explicit: number } | undefined;
  /** Before a document's content (at the start, after `...`): a line starting with `%` is a directive. */
  let streamStart = true;

  while (i < len) {
    // ---- a line starts at i ------------------------------------------------------------------
    if (blockScalar) {
      i = skipBlockScalar(text, i, blockScalar.parent, blockScalar.explicit);
      blockScalar = undefined;
      if (i >= len) break;
    }
    const lineStart = i;
    let j = i;
    while (isBlank(text.charCodeAt(j))) j++;
    if (j >= len) break;
    if (text.charCodeAt(j) === NL) {
      i = j + 1; // a blank line changes nothing, not even a plain scalar's continuation
      continue;
    }
    while (text.charCodeAt(i) === SPACE) i++;
    const indent = i - lineStart;
    if (streamStart && indent === 0 && text.charCodeAt(i) === 37 /* % */) {
      const nl = text.indexOf('\n', i); // the parser takes the whole line as a directive
      i = nl < 0 ? len : nl + 1;
      continue;
    }

    /** Inside a plain scalar: quotes and `|` are text, and in block context brackets too. */
    let plain = false;
    /** The line continues the previous line's block plain scalar and has not left it. */
    let continuing = false;
    /** A line the parser may read as a plain continuation or as new nodes: count everything, skip only comments. */
    let ambiguous = false;
    let lastMarkerCol = -2; // -2: no `- `/`? `/`: ` marker on this line; -1: a document marker line
    if (indent === 0 && isDocumentMarker(text, i)) {
      // A document boundary ends every scalar; flow depth is kept (the safe side).
      streamStart = text.charCodeAt(i) === 46 /* . */;
      plainContinues = undefined;
      flowPlain = false;
      lastMarkerCol = -1;
      i += 3;
    } else if (flow > 0) {
      plain = flowPlain;
    } else if (plainContinues && (plainContinues.minIndent < 0 || indent >= plainContinues.minIndent)) {
      if (plainContinues.minIndent < 0) ambiguous = true;
      else plain = continuing = true;
    } else {
      plainContinues = undefined;
    }
    // Checked on every line, flow and plain continuations too: eemeli/yaml ends a flow
    // collection at an unindent and reads the lines after it as block nesting.
    if (indent > limit) return lineStart + limit;
    /** `- `, `? `, `: ` in a row where a token may start: each may open a collection. */
    let indicatorRun = 0;

    let contentCol = -1;
    let sawValue = false;
    let plainMinIndent = -1;

    // ---- the rest of the line ------------------------------------------------------------------
    for (; i < len; i++) {
      const c = text.charCodeAt(i);
      if (c === NL) break;
      if (isBlank(c)) continue;
      const col = i - lineStart;
      const next = text.charCodeAt(i + 1);
      if (c !== 35 /* # */) streamStart = false;
      const isIndicator = (c === 45 || c === 63 || c === 58) && (isBreak(next) || (flow > 0 && isFlowIndicator(next)));
      if (!isIndicator || plain) indicatorRun = 0;
      const afterBlank = i === lineStart || isBlank(text.charCodeAt(i - 1));
      // A comment: after a blank anywhere, and where a token may start (not inside a plain scalar).
      if (c === 35 /* # */ && (afterBlank || (!plain && !ambiguous))) {
        const nl = text.indexOf('\n', i);
        i = nl < 0 ? len : nl;
        plain = continuing = ambiguous = false;
        plainContinues = undefined;
        break;
      }

      if (flow > 0) {
        if (c === 91 /* [ */ || c === 123 /* { */) {
          if (++flow > limit) return i;
          plain = false;
        } else if (c === 93 /* ] */ || c === 125 /* } */) {
          flow--;
          plain = false;
        } else if (c === 44 /* , */) {
          plain = false;
        } else if (plain) {
          if (c === 58 /* : */ && (isBreak(next) || isFlowIndicator(next))) plain = false;
        } else if (c === 34 /* " */ || c === 39 /* ' */) {
          i = skipQuoted(text, i, flowContentCol);
        } else if (c === 33 /* ! */ || c === 38 /* & */ || c === 42 /* * */) {
          i = skipToken(text, i) - 1;
        } else if ((c === 58 || c === 63 /* ? */ || c === 45 /* - */) && (isBreak(next) || isFlowIndicator(next))) {
          if (++indicatorRun * 2 > limit) return i;
          continue;
        } else {
          plain = true;
        }
        if (flow === 0) plain = false; // back in block context after a flow collection
        continue;
      }

      // ---- block context ----
      if (plain) {
        if (c === 58 /* : */ && isBreak(next)) {
          plain = continuing = false;
          sawValue = true;
        }
        continue;
      }
      const marker = (c === 45 /* - */ || c === 63 /* ? */ || c === 58 /* : */) && isBreak(next);
      if (contentCol < 0 && !(marker && !ambiguous)) contentCol = col;
      if (c === 91 /* [ */ || c === 123 /* { */) {
        flow = 1;
        if (flow > limit) return i;
        flowContentCol = contentCol;
        flowPlain = false;
        ambiguous = false;
      } else if (marker) {
        // `- `, `? `, `: ` before any content nest a block collection each; so may a run of them elsewhere.
        if (++indicatorRun * 2 > limit) return i;
        if (contentCol < 0) {
          lastMarkerCol = col;
          if (col + 2 > limit) return i;
        }
        if (c === 58 /* : */) {
          sawValue = true;
          ambiguous = false; // after `: ` a node starts, whichever way the parser read what came before
        }
      } else if (c === 33 /* ! */ || c === 38 /* & */ || c === 42 /* * */) {
        i = skipToken(text, i) - 1;
      } else if (c === 93 /* ] */ || c === 125 /* } */ || ambiguous) {
        // a stray closing bracket, or a line that may be plain text: count on, skip nothing
      } else if (c === 34 /* " */ || c === 39 /* ' */) {
        i = skipQuoted(text, i, contentCol);
      } else if (c === 124 /* | */ || c === 62 /* > */) {
        // The lexer takes the rest of the line as the header, whatever it holds.
        const parent = sawValue ? contentCol : lastMarkerCol >= -1 ? lastMarkerCol : indent - 1;
        blockScalar = { parent, explicit: explicitIndentation(text, i) };
        const nl = text.indexOf('\n', i);
        i = nl < 0 ? len : nl;
        break;
      } else {
        plain = true;
        plainMinIndent = sawValue ? contentCol + 1 : lastMarkerCol >= 0 ? lastMarkerCol + 1 : -1;
      }
    }
    // ---- end of line ----
    if (flow > 0) {
      flowPlain = plain;
      plainContinues = undefined;
    } else if (plain && !continuing) plainContinues = { minIndent: plainMinIndent };
    else if (!plain && !ambiguous) plainContinues = undefined;
    if (i < len && text.charCodeAt(i) === NL) i++;
  }
  return -1;
}

/** The explicit indentation indicator of a block scalar header at `i` (the last digit among `+`, `-`, 1–9), 0 when none. */
function explicitIndentation(text: string, i: number): number {
  let d = 0;
  for (let j = i + 1; ; j++) {
    const c = text.charCodeAt(j);
    if (c >= 49 && c <= 57) d = c - 48;
    else if (c !== 43 && c !== 45) return d;
  }
}

/**
 * Skips the lines of a block scalar starting at line start `i`; returns the
 * start of the first line that is not part of it. Content must be indented
 * deeper than `parent`; with an explicit indicator `d`, at least
 * `parent + d` (`d` at the top level); otherwise as deep as the first
 * non-blank line. Blank means spaces only: a tab ends the scalar.
 */
function skipBlockScalar(text: string, i: number, parent: number, explicit: number): number {
  const len = text.length;
  let min = explicit > 0 ? explicit - 1 + Math.max(parent + 1, 1) : -1;
  while (i < len) {
    let j = i;
    while (text.charCodeAt(j) === SPACE) j++;
    if (text.charCodeAt(j) === CR) j++;
    const c = text.charCodeAt(j);
    const indent = j - i;
    if (c === NL || j >= len) {
      i = j + 1; // blank lines belong to the scalar
      continue;
    }
    if (indent === 0 && isDocumentMarker(text, i)) return i;
    if (min < 0) {
      if (indent <= parent) return i;
      min = indent;
    }
    if (indent < min) return i;
    const nl = text.indexOf('\n', j);
    i = nl < 0 ? len : nl + 1;
  }
  return len;
}

/**
 * Skips a quoted scalar opening at `i`; returns the offset of its closing
 * quote. It may continue onto lines indented deeper than `contentCol`
 * (blank lines too); when a line is not, or a document marker comes, the
 * scalar is taken to end before that line (the parser reports the error)
 * and the offset before that line's newline is returned, so the caller
 * scans the line.
 */
function skipQuoted(text: string, i: number, contentCol: number): number {
  const q = text.charCodeAt(i);
  const len = text.length;
  let j = i + 1;
  while (j < len) {
    const c = text.charCodeAt(j);
    if (c === q) {
      if (q === 39 && text.charCodeAt(j + 1) === 39) {
        j += 2; // '' is an escaped quote
        continue;
      }
      return j;
    }
    if (c === 92 /* \ */ && q === 34) {
      j += text.charCodeAt(j + 1) === NL ? 1 : 2;
      continue;
    }
    if (c === NL) {
      let k = j + 1;
      while (text.charCodeAt(k) === SPACE) k++;
      if (k >= len) return len;
      const next = text.charCodeAt(k);
      const blank = next === NL || (next === CR && text.charCodeAt(k + 1) === NL);
      if ((k === j + 1 && isDocumentMarker(text, k)) || (!blank && k - (j + 1) <= contentCol)) return j - 1;
    }
    j++;
  }
  return len;
}

/** End of an anchor, alias or tag token starting at `i`: the next blank or flow indicator. */
function skipToken(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length && !isBreak(text.charCodeAt(j)) && !isFlowIndicator(text.charCodeAt(j))) j++;
  return j;
}
