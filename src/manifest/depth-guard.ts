/**
 * @module manifest/depth-guard
 *
 * A cheap scan that refuses absurdly nested input before the YAML parser
 * sees it: the parser is recursive and a file of 100,000 `[` (or a line of
 * 20,000 `- `) would exhaust the stack or memory instead of failing cleanly.
 * Real Kubernetes objects are rarely nested 30 deep; the limits are far above.
 */

/** Deepest nesting accepted, counted in flow brackets, or in indentation columns plus `- ` markers. */
export const MAX_NESTING = 512;

/**
 * Returns the 0-based offset where the input first exceeds the nesting
 * limit, or -1 when it never does. Quoted strings and comments are skipped
 * so brackets inside them do not count.
 */
export function findExcessiveNesting(text: string, limit = MAX_NESTING): number {
  let flow = 0;
  let lineStart = true;
  let indent = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */) {
      lineStart = true;
      indent = 0;
      continue;
    }
    if (lineStart) {
      if (c === 32 /* space */) {
        if (++indent > limit) return i;
        continue;
      }
      // `- - - x` nests a sequence per marker without adding indentation.
      if (c === 45 /* - */ && text.charCodeAt(i + 1) === 32) {
        indent += 2;
        if (indent > limit) return i;
        i++;
        continue;
      }
      lineStart = false;
    }
    if (c === 35 /* # */) {
      const nl = text.indexOf('\n', i);
      if (nl < 0) break;
      i = nl - 1;
    } else if (c === 34 /* " */ || c === 39 /* ' */) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== c && text.charCodeAt(j) !== 10) j += text.charCodeAt(j) === 92 && c === 34 ? 2 : 1;
      i = j;
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++flow > limit) return i;
    } else if (c === 93 /* ] */ || c === 125 /* } */) {
      if (flow > 0) flow--;
    }
  }
  return -1;
}
