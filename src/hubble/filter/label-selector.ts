/**
 * @module hubble/filter/label-selector
 *
 * Kubernetes label selectors (`app=x`, `app in (a,b)`, `!key`, `k!=v`,
 * `k notin (…)`, `k>1`) over Cilium identity labels, as Hubble's label filter
 * applies them (`pkg/hubble/filters/labels.go`, `labelparser.go`): a key may
 * carry a Cilium source prefix (`k8s:app`, `reserved:world`); a key without a
 * prefix has source `any`, which matches labels of every source.
 */

type Op = 'exists' | '!exists' | 'in' | 'notin' | 'gt' | 'lt';

interface Requirement {
  readonly source: string;
  readonly key: string;
  readonly op: Op;
  readonly values: readonly string[];
}

/** A compiled selector: all requirements must hold. */
export interface LabelSelector {
  readonly requirements: readonly Requirement[];
}

/** A selector that failed to parse. */
export interface SelectorError {
  readonly error: string;
}

const SPECIAL = new Set([' ', '\t', '\n', ',', '(', ')', '=', '!', '<', '>']);

function tokenize(s: string): string[] | SelectorError {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (c === ' ' || c === '\t' || c === '\n') { i++; continue; }
    if (c === '=' && s[i + 1] === '=') { out.push('=='); i += 2; continue; }
    if (c === '!' && s[i + 1] === '=') { out.push('!='); i += 2; continue; }
    if (SPECIAL.has(c)) { out.push(c); i++; continue; }
    let j = i;
    while (j < s.length && !SPECIAL.has(s[j] as string)) j++;
    out.push(s.slice(i, j));
    i = j;
  }
  return out;
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_KEY = /^([A-Za-z0-9][-A-Za-z0-9_./]*)?[A-Za-z0-9]$/;

function splitKey(raw: string): { source: string; key: string } {
  const i = raw.indexOf(':');
  return i < 0 ? { source: 'any', key: raw } : { source: raw.slice(0, i), key: raw.slice(i + 1) };
}

/** Parses a selector; returns an error value (not an exception) when it is malformed. */
export function parseLabelSelector(text: string): LabelSelector | SelectorError {
  const toks = tokenize(text);
  if (!Array.isArray(toks)) return toks;
  const reqs: Requirement[] = [];
  let i = 0;
  const peek = () => toks[i];
  const fail = (why: string): SelectorError => ({ error: `invalid label selector ${JSON.stringify(text)}: ${why}` });
  const isWord = (t: string | undefined) => t !== undefined && !SPECIAL.has(t) && t !== '==' && t !== '!=';
  if (toks.length === 0) return { requirements: [] };
  for (;;) {
    let negate = false;
    if (peek() === '!') { negate = true; i++; }
    const rawKey = peek();
    if (!isWord(rawKey)) return fail(`expected a label key${rawKey === undefined ? '' : `, found ${JSON.stringify(rawKey)}`}`);
    i++;
    const { source, key } = splitKey(rawKey as string);
    if (!LABEL_KEY.test(key)) return fail(`invalid label key ${JSON.stringify(rawKey)}`);
    const op = peek();
    if (negate) {
      if (op !== undefined && op !== ',') return fail('"!key" takes no operator');
      reqs.push({ source, key, op: '!exists', values: [] });
    } else if (op === undefined || op === ',') {
      reqs.push({ source, key, op: 'exists', values: [] });
    } else if (op === '=' || op === '==' || op === '!=') {
      i++;
      let value = '';
      if (isWord(peek())) { value = peek() as string; i++; }
      if (!LABEL_VALUE.test(value)) return fail(`invalid label value ${JSON.stringify(value)}`);
      reqs.push({ source, key, op: op === '!=' ? 'notin' : 'in', values: [value] });
    } else if (op === 'in' || op === 'notin') {
      i++;
      if (peek() !== '(') return fail(`expected "(" after ${op}`);
      i++;
      const values: string[] = [];
      for (;;) {
        const t = peek();
        if (t === ')') { i++; break; }
        if (t === ',') { i++; continue; }
        if (!isWord(t)) return fail(`expected a value or ")" in ${op} (…)`);
        if (!LABEL_VALUE.test(t as string)) return fail(`invalid label value ${JSON.stringify(t)}`);
        values.push(t as string);
        i++;
      }
      if (values.length === 0) return fail(`${op} needs at least one value`);
      reqs.push({ source, key, op, values });
    } else if (op === '>' || op === '<') {
      i++;
      const v = peek();
      if (v === undefined || !/^-?\d+$/.test(v)) return fail(`expected an integer after ${op}`);
      i++;
      reqs.push({ source, key, op: op === '>' ? 'gt' : 'lt', values: [v] });
    } else {
      return fail(`unexpected ${JSON.stringify(op)}`);
    }
    const next = peek();
    if (next === undefined) break;
    if (next !== ',') return fail(`expected "," found ${JSON.stringify(next)}`);
    i++;
  }
  return { requirements: reqs };
}

/** A parsed identity label `source:key=value`. */
interface ParsedLabel { source: string; key: string; value: string }

/** Splits Cilium labels (`k8s:app=x`, `reserved:host`) into source, key and value. */
export function parseLabels(labels: readonly string[] | undefined): ParsedLabel[] {
  if (!labels) return [];
  return labels.map((l) => {
    const c = l.indexOf(':');
    const src = c < 0 ? 'unspec' : l.slice(0, c);
    const rest = c < 0 ? l : l.slice(c + 1);
    const e = rest.indexOf('=');
    return e < 0 ? { source: src, key: rest, value: '' } : { source: src, key: rest.slice(0, e), value: rest.slice(e + 1) };
  });
}

function lookup(labels: readonly ParsedLabel[], source: string, key: string): string | undefined {
  for (const l of labels) if (l.key === key && (source === 'any' || l.source === source)) return l.value;
  return undefined;
}

/** Whether the selector selects the label set (k8s `Selector.Matches` over a Cilium `LabelArray`). */
export function selectorMatches(sel: LabelSelector, labels: readonly ParsedLabel[]): boolean {
  for (const r of sel.requirements) {
    const v = lookup(labels, r.source, r.key);
    switch (r.op) {
      case 'exists':
        if (v === undefined) return false;
        break;
      case '!exists':
        if (v !== undefined) return false;
        break;
      case 'in':
        if (v === undefined || !r.values.includes(v)) return false;
        break;
      case 'notin':
        if (v !== undefined && r.values.includes(v)) return false;
        break;
      case 'gt':
      case 'lt': {
        if (v === undefined || !/^-?\d+$/.test(v)) return false;
        const a = Number(v);
        const b = Number(r.values[0]);
        if (r.op === 'gt' ? !(a > b) : !(a < b)) return false;
      }
    }
  }
  return true;
}
