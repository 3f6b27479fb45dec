/**
 * @module manifest/flow-lines
 *
 * A fast path for long lists written one flow mapping per line, the way
 * generated suites and exports write them:
 *
 *     cases:
 *       - {from: ns/a, to: ns/b, port: 8080, expect: allow}
 *       - {from: ns/c, to: ns/d, port: 443, expect: deny}
 *
 * js-yaml reads such a list character by character, about a second per
 * hundred thousand lines. Here a line is taken only when it is
 * self-contained and unambiguous — `- {key: value, …}` with plain keys and
 * values made of letters, digits and `_ . / : @ -`, nothing that quotes,
 * nests, comments, anchors or tags — and its value is what js-yaml would
 * return: a string, or a short decimal int. Everything else stays with
 * js-yaml.
 *
 * A run of such lines is cut out of the text and replaced by one marker
 * item; js-yaml reads the rest (offsets it reports are mapped back to the
 * text), and the marker is replaced by the run's objects. Where the marker does not come back as a list item — the run
 * was inside a block scalar or a quoted string after all — the caller
 * reads the whole document with js-yaml instead: this path can only be
 * faster, never different (`flow-lines.test.ts` compares the two).
 */

/** One run of flow-mapping lines, read. */
export interface FlowRun {
  readonly marker: string;
  readonly items: readonly Record<string, string | number>[];
  /** Offset of each item's `{` in the text: where js-yaml's reader would say it starts. */
  readonly offsets: readonly number[];
}

export interface FlowLines {
  /** The text with every run replaced by its marker item. */
  readonly skeleton: string;
  readonly runs: readonly FlowRun[];
  /** The offset in the text of an offset in the skeleton. */
  original(offset: number): number;
}

const MARKER_PREFIX = 'polis-flow-run-';
/** Lines shorter than this cannot hold a marker item; they end a run. */
const MIN_LINE = 24;
/** What js-yaml (YAML 1.2 core) reads as a boolean or null rather than a string. */
const NOT_STRING = new Set(['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL']);
/** A decimal int js-yaml and go-yaml read alike, exactly. */
const SHORT_INT = /^(?:0|[1-9][0-9]{0,14})$/;

/**
 * Finds runs of at least `minRun` flow-mapping lines in `text`; undefined
 * when there is none (the common case: nothing to do).
 */
export function readFlowLines(text: string, minRun: number): FlowLines | undefined {
  // Carriage returns and tabs have rules of their own in YAML: leave such text to js-yaml.
  if (text.length < minRun * MIN_LINE || text.includes('\r') || text.includes('\t') || text.includes(MARKER_PREFIX)) return undefined;
  const runs: { start: number; end: number; indent: number; items: Record<string, string | number>[]; offsets: number[] }[] = [];
  let run: (typeof runs)[number] | undefined;
  // A run ends at any other line, or at a flow line of another indent (which starts a run of its own).
  const close = () => {
    if (run && run.items.length >= minRun) runs.push(run);
    run = undefined;
  };
  for (let pos = 0; pos < text.length;) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    const line = readLine(text, pos, eol);
    if (!line || line.indent !== run?.indent) close();
    if (line) {
      run ??= { start: pos, end: eol, indent: line.indent, items: [], offsets: [] };
      run.items.push(line.item);
      run.offsets.push(line.brace);
      run.end = eol;
    }
    pos = eol + 1;
  }
  close();
  if (runs.length === 0) return undefined;

  const parts: string[] = [];
  /** Where each cut ends, in the skeleton and in the text. */
  const cuts: { readonly skeleton: number; readonly text: number }[] = [];
  let last = 0;
  let length = 0;
  const out: FlowRun[] = [];
  for (const [i, r] of runs.entries()) {
    const marker = `${MARKER_PREFIX}${i}`;
    const lineEnd = text.indexOf('\n', r.start);
    const first = text.slice(r.start, lineEnd < 0 ? text.length : lineEnd);
    const head = `${first.slice(0, first.indexOf('-'))}- ${marker}`;
    parts.push(text.slice(last, r.start), head);
    length += r.start - last + head.length;
    cuts.push({ skeleton: length, text: r.end });
    last = r.end;
    out.push({ marker, items: r.items, offsets: r.offsets });
  }
  parts.push(text.slice(last));
  const original = (offset: number): number => {
    let shift = 0;
    for (const c of cuts) {
      if (offset < c.skeleton) break;
      shift = c.text - c.skeleton;
    }
    return offset + shift;
  };
  return { skeleton: parts.join(''), runs: out, original };
}


/**
 * Puts each run's items where its marker came back, in place (the lists
 * keep their identity, and so their noted start). False when a marker is
 * not exactly one list item of the value: then the skeleton misled, and
 * the document must be read whole.
 */
export function graftFlowRuns(value: unknown, runs: readonly FlowRun[], noteStart: (item: object, offset: number) => void): boolean {
  const byMarker = new Map(runs.map((r) => [r.marker, r]));
  let found = 0;
  const visit = (v: unknown, depth: number): boolean => {
    if (typeof v !== 'object' || v === null || depth > 200) return true;
    if (Array.isArray(v)) {
      if (v.some((x) => typeof x === 'string' && x.startsWith(MARKER_PREFIX))) {
        const items: unknown[] = [];
        for (const x of v) {
          const r = typeof x === 'string' ? byMarker.get(x) : undefined;
          if (!r) {
            if (typeof x === 'string' && x.startsWith(MARKER_PREFIX)) return false;
            items.push(x);
            continue;
          }
          byMarker.delete(x as string);
          found++;
          r.items.forEach((item, i) => {
            noteStart(item, r.offsets[i]!);
            items.push(item);
          });
        }
        v.length = 0;
        for (const x of items) v.push(x);
        return true;
      }
      return v.every((x) => visit(x, depth + 1));
    }
    for (const key in v) {
      const x = (v as Record<string, unknown>)[key];
      if (typeof x === 'string' && x.includes(MARKER_PREFIX)) return false;
      if (!visit(x, depth + 1)) return false;
    }
    return true;
  };
  return visit(value, 0) && found === runs.length;
}

interface Line {
  readonly indent: number;
  /** Offset of the `{`. */
  readonly brace: number;
  readonly item: Record<string, string | number>;
}

/** Characters of plain values (letters, digits, `_ . / : @ -`): none can quote, nest, comment, anchor or tag. Keys take them but `/ : @`. */
const PLAIN = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-/:@') PLAIN[c.charCodeAt(0)] = 1;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/**
 * The item of one `- {key: value, …}` line, if the line is exactly that and
 * nothing more. A scan by character: this runs once per line of a suite.
 */
function readLine(text: string, from: number, to: number): Line | undefined {
  if (to - from < MIN_LINE) return undefined;
  let i = from;
  while (i < to && text.charCodeAt(i) === 32) i++;
  const indent = i - from;
  if (text.charCodeAt(i) !== 45 /* - */ || text.charCodeAt(i + 1) !== 32) return undefined;
  i += 2;
  while (i < to && text.charCodeAt(i) === 32) i++;
  if (text.charCodeAt(i) !== 123 /* { */) return undefined;
  const brace = i++;
  let end = to;
  while (end > i && text.charCodeAt(end - 1) === 32) end--;
  if (end <= i || text.charCodeAt(end - 1) !== 125 /* } */) return undefined;
  end--; // at the closing brace
  const item: Record<string, string | number> = {};
  for (;;) {
    while (i < end && text.charCodeAt(i) === 32) i++;
    // key: [A-Za-z_][A-Za-z0-9_.-]*, then ": "
    const k0 = i;
    if (!isLetter(text.charCodeAt(i))) return undefined;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c === 58 /* : */ || c === 47 || c === 64 || c >= 128 || PLAIN[c] !== 1) break;
      i++;
    }
    const key = text.slice(k0, i);
    if (text.charCodeAt(i) !== 58 || text.charCodeAt(i + 1) !== 32) return undefined;
    if (NOT_STRING.has(key) || key === '__proto__' || Object.hasOwn(item, key)) return undefined;
    i += 2;
    while (i < end && text.charCodeAt(i) === 32) i++;
    // value: plain characters up to "," or the end, then only spaces
    const v0 = i;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c >= 128 || PLAIN[c] !== 1) break;
      i++;
    }
    const v1 = i;
    while (i < end && text.charCodeAt(i) === 32) i++;
    if (v1 === v0 || (i < end && text.charCodeAt(i) !== 44 /* , */)) return undefined;
    const raw = text.slice(v0, v1);
    const c = raw.charCodeAt(0);
    // `:` or `@` first, or `:` last, is not a plain scalar js-yaml reads as one.
    if (c === 58 || c === 64 || raw.charCodeAt(raw.length - 1) === 58) return undefined;
    if ((c >= 48 && c <= 57) || c === 45 || c === 46) {
      if (!SHORT_INT.test(raw)) return undefined;
      item[key] = Number(raw);
    } else {
      if (NOT_STRING.has(raw)) return undefined;
      item[key] = raw;
    }
    if (i >= end) break;
    i++; // the comma
  }
  return { indent, brace, item };
}
