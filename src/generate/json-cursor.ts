/**
 * @module generate/json-cursor
 *
 * A checking JSON reader that builds nothing it is not asked for: a cursor
 * over one line (module state, no object per line) with steps for each
 * kind of value — pass a string, read an unsigned integer, an enum name, a
 * list of strings, skip any value — each checking the text as `JSON.parse`
 * would and as Hubble's decoder types it (`hubble/decode.ts`). Whatever it
 * is not sure of throws {@link FALLBACK}, caught by {@link scan}: the caller
 * then leaves the line to the careful path. Also the checks of the messages
 * a reader does not keep (`Check`, `shape`).
 */
import type { EnumTable } from '../hubble/enums.js';
import { copyString } from './line-values.js';

/** Thrown inside the scan when the careful path must decide. */
export const FALLBACK = new Error('fallback to the careful decoder');

// The scan's state: one line at a time, in module variables (no object per line).
let s = '';
let p = 0;
let n = 0;
/** Set by `str()`: the string just passed had an escape. */
let escaped = false;

export function fail(): never {
  throw FALLBACK;
}

function peek(): number {
  return p < n ? s.charCodeAt(p) : -1;
}

export function ws(): void {
  while (p < n) {
    const c = s.charCodeAt(p);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return;
    p++;
  }
}

function lit(word: string): void {
  if (!s.startsWith(word, p)) fail();
  p += word.length;
}

/** Whether the value here is `null` (consumed); protojson reads it as unset. */
export function isNull(): boolean {
  if (p < n && s.charCodeAt(p) === 110) {
    lit('null');
    return true;
  }
  return false;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** At an opening quote: moves past the string, checking its escapes, and returns the index of the closing quote. */
export function str(): number {
  // Locals, not the module's variables, in the loop that sees most characters of a line.
  const t = s;
  const len = n;
  let i = p;
  if (i >= len || t.charCodeAt(i) !== 34) fail();
  i++;
  escaped = false;
  for (;;) {
    if (i >= len) fail();
    const c = t.charCodeAt(i);
    if (c === 34) break;
    if (c === 92) {
      escaped = true;
      i = escape(t, i, len);
    } else if (c < 32) fail();
    else i++;
  }
  p = i + 1;
  return i;
}

/** At a backslash: the index after its escape, which must be one JSON knows. */
function escape(t: string, i: number, len: number): number {
  const e = i + 1 < len ? t.charCodeAt(i + 1) : -1;
  if (e === 117) {
    if (i + 5 >= len) fail();
    for (let k = i + 2; k < i + 6; k++) if (!isHex(t.charCodeAt(k))) fail();
    return i + 6;
  }
  if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) return i + 2;
  fail();
}

/** A string value, as a string of its own (not a slice of the line: see `copyString`). */
export function strValue(): string {
  const a = p;
  const b = str();
  if (escaped) return JSON.parse(s.slice(a, b + 1)) as string;
  return copyString(s.slice(a + 1, b));
}

/** A string value's text between the quotes, a slice of the line; `escaped` says whether it needs decoding. */
export function strText(): string {
  const a = p + 1;
  const b = str();
  return s.slice(a, b);
}

/** Whether the last string passed had an escape. */
export function hadEscape(): boolean {
  return escaped;
}

/** The text from `a` to here (a slice of the line). */
export function textFrom(a: number): string {
  return s.slice(a, p);
}

function digit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function skipNumber(): void {
  let c = peek();
  if (c === 45) c = s.charCodeAt(++p);
  if (c === 48) c = ++p < n ? s.charCodeAt(p) : -1;
  else if (c >= 49 && c <= 57) {
    do c = ++p < n ? s.charCodeAt(p) : -1;
    while (digit(c));
  } else fail();
  if (c === 46) {
    if (!digit(++p < n ? s.charCodeAt(p) : -1)) fail();
    do c = ++p < n ? s.charCodeAt(p) : -1;
    while (digit(c));
  }
  if (c === 101 || c === 69) {
    c = ++p < n ? s.charCodeAt(p) : -1;
    if (c === 43 || c === 45) c = ++p < n ? s.charCodeAt(p) : -1;
    if (!digit(c)) fail();
    do c = ++p < n ? s.charCodeAt(p) : -1;
    while (digit(c));
  }
}

/** An unsigned integer written as plain digits, at most `max`; `undefined` for null. Anything else (a fraction, a string) falls back. */
export function uint(max: number): number | undefined {
  if (isNull()) return undefined;
  let c = peek();
  if (!digit(c)) fail();
  let v = c - 48;
  c = ++p < n ? s.charCodeAt(p) : -1;
  if (v === 0) {
    if (digit(c)) fail();
  } else {
    while (digit(c)) {
      v = v * 10 + (c - 48);
      if (v > max) fail();
      c = ++p < n ? s.charCodeAt(p) : -1;
    }
  }
  if (c === 46 || c === 101 || c === 69) fail();
  return v;
}

/** A uint64 (protojson writes a string of digits; a number is accepted too), checked, not kept. */
export function u64(): void {
  if (isNull()) return;
  if (peek() === 34) {
    const a = p + 1;
    const b = str();
    if (escaped || b === a || b - a > 19) fail();
    for (let i = a; i < b; i++) if (!digit(s.charCodeAt(i))) fail();
    return;
  }
  const a = p;
  if (uint(Number.MAX_SAFE_INTEGER) === undefined || p - a > 15) fail();
}

export function bool(): boolean | undefined {
  const c = peek();
  if (c === 116) {
    lit('true');
    return true;
  }
  if (c === 102) {
    lit('false');
    return false;
  }
  if (c === 110) {
    lit('null');
    return undefined;
  }
  fail();
}

/** An enum by name; the zero name is unset, as protojson reads it. Numbers and unknown names fall back. */
export function enumValue<N extends string>(t: EnumTable<N>): N | undefined {
  if (isNull()) return undefined;
  const a = p + 1;
  const b = str();
  if (escaped) fail();
  const v = t.values.get(s.slice(a, b));
  if (v === undefined) fail();
  return v === 0 ? undefined : t.names.get(v);
}

/** Moves past any JSON value, checking it. */
export function skip(depth: number): void {
  const c = peek();
  if (c === 34) str();
  else if (c === 123) {
    if (depth > 64) fail();
    if (open()) {
      do {
        key();
        skip(depth + 1);
      } while (more());
    }
  } else if (c === 91) {
    if (depth > 64) fail();
    if (openList()) {
      do skip(depth + 1);
      while (moreItems());
    }
  } else if (c === 116) lit('true');
  else if (c === 102) lit('false');
  else if (c === 110) lit('null');
  else skipNumber();
  ws();
}

/** At `{` (or `[`): true when a member follows, false when it is empty (and passed). */
function enter(opening: number, closing: number): boolean {
  if (peek() !== opening) fail();
  p++;
  ws();
  if (peek() === closing) {
    p++;
    return false;
  }
  return true;
}

/** After a member: true when another follows (`,`), false at the `closing` bracket. */
function next(closing: number): boolean {
  ws();
  const c = peek();
  p++;
  if (c === 44) {
    ws();
    return true;
  }
  if (c !== closing) fail();
  return false;
}

export const open = (): boolean => enter(123, 125);
export const more = (): boolean => next(125);
export const openList = (): boolean => enter(91, 93);
export const moreItems = (): boolean => next(93);

/** A key and its colon; keys with escapes fall back (`\u0076erdict` is `verdict`). */
export function key(): string {
  const a = p + 1;
  const b = str();
  if (escaped) fail();
  ws();
  if (peek() !== 58) fail();
  p++;
  ws();
  return s.slice(a, b);
}

/** A list of strings, checked; returns where it started (`[`) or -1 for null. */
export function strings(): number {
  if (isNull()) return -1;
  const a = p;
  if (openList()) {
    do {
      str();
      ws();
    } while (moreItems());
  }
  return a;
}

/** A list of strings, copied; `undefined` for null or empty, as the decoder has it. */
export function stringList(): string[] | undefined {
  const a = strings();
  if (a < 0) return undefined;
  const v = JSON.parse(s.slice(a, p)) as string[];
  return v.length > 0 ? v : undefined;
}

/**
 * A field the reduction does not read, checked as the full decoder checks it
 * (`decode.ts`): the check moves past the value or falls back.
 */
export type Check = () => void;

export const STR: Check = () => {
  if (!isNull()) str();
};
export const U32: Check = () => void uint(0xffffffff);
export const U64: Check = u64;
export const STRS: Check = () => void strings();
export const OBJECT: Check = () => {
  if (!isNull()) {
    if (peek() !== 123) fail();
    skip(8);
  }
};
/** Rare messages (`tunnel`, `aggregate`, …): the careful path reads them. */
export const RARE: Check = () => {
  if (!isNull()) fail();
};
export const enumCheck = (t: EnumTable<string>): Check => () => void enumValue(t);

/** A message's fields by name (both names of a field share an index) and the check of each. */
export interface Shape {
  readonly keys: ReadonlyMap<string, number>;
  readonly checks: readonly Check[];
}

export function shape(fields: readonly (readonly [readonly string[], Check])[]): Shape {
  const keys = new Map<string, number>();
  fields.forEach(([names], i) => names.forEach((k) => keys.set(k, i)));
  return { keys, checks: fields.map(([, c]) => c) };
}

/**
 * Walks the fields of the message at the cursor (fewer than 31): `keys`
 * gives a field's index (both names of a field share one) and `field(i)`
 * reads its value. An unknown field is skipped, as the decoder ignores it
 * (`depth`: how deep the message sits, for the skip's nesting limit); a
 * field seen twice falls back (the careful path knows which one wins).
 */
export function fields(keys: ReadonlyMap<string, number>, depth: number, field: (i: number) => void): void {
  let mask = 0;
  if (open()) {
    do {
      const i = keys.get(key());
      if (i === undefined) {
        skip(depth);
        continue;
      }
      if (mask & (1 << i)) fail();
      mask |= 1 << i;
      field(i);
    } while (more());
  }
}

/** Checks a message by its shape. */
function message(sh: Shape): void {
  fields(sh.keys, 8, (i) => sh.checks[i]!());
}

export const messageCheck = (sh: Shape): Check => () => {
  if (!isNull()) message(sh);
};

/** A list of messages; a null item is an error to the decoder, so it falls back. */
export const listCheck = (sh: Shape): Check => () => {
  if (!isNull() && openList()) {
    do message(sh);
    while (moreItems());
  }
};

/** A field the scan reads itself: reaching its check is a bug of the table, so it falls back. */
export const READ: Check = fail;

/**
 * Runs `read` over `text` with the cursor at its start; `undefined` when it
 * falls back, or when it stops before the end of the text.
 */
export function scan<T>(text: string, read: () => T): T | undefined {
  s = text;
  p = 0;
  n = text.length;
  try {
    const v = read();
    ws();
    return p === n ? v : undefined;
  } catch (e) {
    if (e === FALLBACK) return undefined;
    throw e;
  } finally {
    s = '';
  }
}
