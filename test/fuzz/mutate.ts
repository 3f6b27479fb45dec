/**
 * @module test/fuzz/mutate
 *
 * Mutation operators for the fuzzer: on YAML text (lines, scalars, keys,
 * indentation), on JSON lines (Hubble flows: any field replaced, renamed or
 * removed), on raw bytes (flips, deletions, duplications, cuts), and gzip
 * wrapping with the damage real exports have (trailing bytes, cut members,
 * flipped bytes). Each operator says what it did, so a failing mutant can be
 * read as well as replayed.
 */
import { gzipSync } from 'node:zlib';
import { dump, loadAll } from 'js-yaml';
import type { Rng } from './rng.js';

/** Scalars that have broken parsers before: numbers out of range, object keys, YAML syntax, control characters. */
export const HOSTILE_SCALARS: readonly string[] = [
  '99999999999999999999999999', '-99999999999', '1e309', '-0', '0x7FFFFFFFFFFFFFFF', '0b1010000', '0o777', '.inf', '-.inf', '.nan',
  '1_000', '4294967296', '65536', '65535', '0', '-1', '3.14', '08', '1e3',
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__',
  '*alias', '&anchor', '&a [*a]', '{', '[', '}', ']', '"', "'", '|', '>', '? ', '- ', '!!binary AAAA', '!!js/function "f"', '!foo x',
  '<<: *x', '~', 'null', 'true', 'no', '""', '[]', '{}', '[{}]', '{a: }', '%YAML 1.2', '---', '...', '#', '@', '`', ': ', ',', '&',
  '"\\u001b[2J\\u001b]0;pwned\\u0007"', '"\\0"', '"a\\r\\nb"', '"\\u202e"', '"\\t"', '"\\u0085"', '"\\ud800"',
  '10.0.0.0/8', '0.0.0.0/0', '::/0', '1.2.3.4/33', '256.1.1.1', 'fe80::1%eth0', '::ffff:1.2.3.4', '1.2.3', '10.244.1.5', '0.0.0.0',
  'reserved:world', 'k8s:io.kubernetes.pod.namespace', 'any:app', 'world', 'cluster', 'host', 'all', 'kube-apiserver',
  'TCP', 'UDP', 'ICMP', 'ANY', 'SCTP', 'icmpv6', '80-90', '*', '.*', '(a+)+$', '[[:alpha:]]', '\\',
  'default', 'kube-system', 'frontend', 'backend', 'database', 'echo',
];

/** Long values, made on demand so the list above stays cheap. */
const LONG_SCALARS: readonly (() => string)[] = [
  () => 'a'.repeat(100_000),
  () => 'x.'.repeat(5_000) + 'com',
  () => '*a'.repeat(2_000) + 'b',
  () => '['.repeat(3_000),
  () => '{a: '.repeat(600),
  () => '- '.repeat(2_000) + 'x',
  () => `"${'\\u001b'.repeat(1_000)}"`,
  () => Array.from({ length: 2_000 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.0/24`).join(', ').replace(/^/, '[').replace(/$/, ']'),
];

/** Blocks of YAML lines that stress the parsers as a whole. */
const HOSTILE_BLOCKS: readonly (() => string[])[] = [
  // A billion laughs, small.
  () => ['a: &a ["x","x","x","x","x","x","x","x","x"]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]', 'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]'],
  () => ['x: &x', '  y: *x'],
  () => ['? [a, b]', ': c'],
  () => ['key: |', `  ${'['.repeat(600)}`],
  () => ['# ' + '['.repeat(600), 'k: v'],
  () => ['%TAG ! tag:example.com,2000:', '---'],
  () => Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}- a`),
  () => Array.from({ length: 2_000 }, (_, i) => `  k${i}: v`),
  () => ['<<: {a: 1}', '<<: [{b: 2}]'],
  () => ['\t- tab'],
];

export type Mutation = string;

/** A value for a scalar: mostly from the list, sometimes long. */
export function hostileScalar(rng: Rng): string {
  return rng.chance(0.06) ? rng.pick(LONG_SCALARS)() : rng.pick(HOSTILE_SCALARS);
}

const SCALAR_LINE = /^(\s*(?:- )?(?:"[^"]*"|'[^']*'|[^\s:#'"][^:#]*?):[ \t]+)(\S.*)$/;
const ITEM_LINE = /^(\s*- )(\S.*)$/;
const KEY_LINE = /^(\s*(?:- )?)([^\s:#'"-][^:#]*?)(:(?:[ \t].*)?)$/;

function indexOfMatching(rng: Rng, lines: readonly string[], re: RegExp): number {
  const hits: number[] = [];
  for (let i = 0; i < lines.length; i++) if (re.test(lines[i]!)) hits.push(i);
  return hits.length ? rng.pick(hits) : -1;
}

/** One mutation of a YAML file (text or bytes); `donors` are other files of the corpus to splice from. */
export function mutateYamlOnce(rng: Rng, bytes: Buffer, donors: readonly string[]): { bytes: Buffer; did: Mutation } {
  if (rng.chance(0.15)) return mutateBytesOnce(rng, bytes);
  const m = mutateYamlText(rng, bytes.toString('utf8'), donors);
  return m ? { bytes: Buffer.from(m.text), did: m.did } : mutateBytesOnce(rng, bytes);
}

function mutateYamlText(rng: Rng, text: string, donors: readonly string[]): { text: string; did: Mutation } | undefined {
  const lines = text.split('\n');
  const at = () => rng.int(lines.length);
  const op = rng.weighted<string>([
    [6, 'scalar'], [3, 'corpus-scalar'], [1, 'corpus-key'], [4, 'structured'], [2, 'key'], [2, 'delete-line'], [2, 'duplicate-line'], [1, 'repeat-line'], [1, 'swap-lines'], [2, 'splice'],
    [2, 'indent'], [1, 'cut'], [1, 'insert-line'], [1, 'block'], [1, 'document'], [1, 'delete-range'],
  ]);
  switch (op) {
    case 'scalar': {
      const i = indexOfMatching(rng, lines, rng.chance(0.7) ? SCALAR_LINE : ITEM_LINE);
      if (i < 0) break;
      const v = hostileScalar(rng);
      const m = SCALAR_LINE.exec(lines[i]!) ?? ITEM_LINE.exec(lines[i]!)!;
      lines[i] = m[1] + v;
      return { text: lines.join('\n'), did: `scalar at line ${i + 1} := ${short(v)}` };
    }
    case 'corpus-scalar': {
      // Another value the examples give a key of this name: valid-looking input that reaches the engine.
      const i = indexOfMatching(rng, lines, SCALAR_LINE);
      if (i < 0) break;
      const m = SCALAR_LINE.exec(lines[i]!)!;
      const key = m[1]!.trim().replace(/^- /, '').replace(/:$/, '');
      const seen = corpusValues(donors).get(key);
      const v = seen?.length && rng.chance(0.8) ? rng.pick(seen) : rng.pick([...corpusValues(donors).values()].flat());
      lines[i] = m[1] + v;
      return { text: lines.join('\n'), did: `scalar at line ${i + 1} := ${short(v)} (from the examples)` };
    }
    case 'corpus-key': {
      const i = indexOfMatching(rng, lines, KEY_LINE);
      if (i < 0) break;
      const m = KEY_LINE.exec(lines[i]!)!;
      const k = rng.pick([...corpusValues(donors).keys()]);
      lines[i] = m[1] + k + m[3];
      return { text: lines.join('\n'), did: `key at line ${i + 1} := ${short(k)} (from the examples)` };
    }
    case 'structured': {
      const m = mutateStructured(rng, text);
      if (!m) break;
      return m;
    }
    case 'key': {
      const i = indexOfMatching(rng, lines, KEY_LINE);
      if (i < 0) break;
      const m = KEY_LINE.exec(lines[i]!)!;
      const k = rng.chance(0.5) ? rng.pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty', '"__proto__"', '<<', '?', '""', '*a', '&a k']) : m[2]!.slice(0, -1) + rng.pick(['s', '', 'X', m[2]!.slice(-1).repeat(2)]);
      lines[i] = m[1] + k + m[3];
      return { text: lines.join('\n'), did: `key at line ${i + 1} := ${short(k)}` };
    }
    case 'delete-line': {
      const i = at();
      lines.splice(i, 1);
      return { text: lines.join('\n'), did: `delete line ${i + 1}` };
    }
    case 'duplicate-line': {
      const i = at();
      const n = rng.range(1, 3);
      lines.splice(i, 0, ...Array<string>(n).fill(lines[i]!));
      return { text: lines.join('\n'), did: `duplicate line ${i + 1} x${n}` };
    }
    case 'repeat-line': {
      const i = at();
      const n = rng.pick([100, 1_000, 5_000]);
      lines.splice(i, 0, ...Array<string>(n).fill(lines[i]!));
      return { text: lines.join('\n'), did: `repeat line ${i + 1} x${n}` };
    }
    case 'swap-lines': {
      const i = at();
      const j = Math.min(lines.length - 1, i + rng.range(1, 4));
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return { text: lines.join('\n'), did: `swap lines ${i + 1} and ${j + 1}` };
    }
    case 'splice': {
      const donor = donors.length ? rng.pick(donors).split('\n') : lines;
      const from = rng.int(donor.length);
      const block = donor.slice(from, from + rng.range(1, 8));
      const i = at();
      lines.splice(i, rng.chance(0.5) ? block.length : 0, ...block);
      return { text: lines.join('\n'), did: `splice ${block.length} donor lines from ${from + 1} at line ${i + 1}` };
    }
    case 'indent': {
      const i = at();
      const d = rng.pick([-4, -2, -1, 1, 2, 4, 0]);
      lines[i] = d === 0 ? `\t${lines[i]}` : d > 0 ? ' '.repeat(d) + lines[i] : lines[i]!.replace(new RegExp(`^ {1,${-d}}`), '');
      return { text: lines.join('\n'), did: `indent line ${i + 1} by ${d === 0 ? 'a tab' : d}` };
    }
    case 'insert-line': {
      const i = at();
      const indent = /^\s*/.exec(lines[i] ?? '')![0];
      const v = rng.chance(0.5) ? `${indent}${hostileScalar(rng)}` : `${indent}${rng.pick(['__proto__', 'constructor', 'x'])}: ${hostileScalar(rng)}`;
      lines.splice(i, 0, v);
      return { text: lines.join('\n'), did: `insert line ${i + 1}: ${short(v)}` };
    }
    case 'block': {
      const i = at();
      const indent = /^\s*/.exec(lines[i] ?? '')![0];
      const block = rng.pick(HOSTILE_BLOCKS)().map((l) => indent + l);
      lines.splice(i, 0, ...block);
      return { text: lines.join('\n'), did: `insert a ${block.length}-line hostile block at line ${i + 1}: ${short(block[0]!)}` };
    }
    case 'document': {
      const i = at();
      lines.splice(i, 0, rng.pick(['---', '...', '--- |', '--- !!map', '---\n---']));
      return { text: lines.join('\n'), did: `document marker at line ${i + 1}` };
    }
    case 'delete-range': {
      const i = at();
      const n = rng.range(2, 10);
      lines.splice(i, n);
      return { text: lines.join('\n'), did: `delete lines ${i + 1}-${i + n}` };
    }
    case 'cut': {
      const n = rng.int(text.length);
      return { text: text.slice(0, n), did: `cut at character ${n}` };
    }
  }
  return undefined;
}

const valuesOf = new WeakMap<readonly string[], Map<string, string[]>>();

/** Keys of the examples and the scalar values each is given. */
function corpusValues(donors: readonly string[]): Map<string, string[]> {
  let m = valuesOf.get(donors);
  if (m) return m;
  const sets = new Map<string, Set<string>>();
  for (const text of donors) {
    for (const line of text.split('\n')) {
      const x = SCALAR_LINE.exec(line);
      if (!x || x[2]!.startsWith('#')) continue;
      const key = x[1]!.trim().replace(/^- /, '').replace(/:$/, '');
      const set = sets.get(key) ?? sets.set(key, new Set()).get(key)!;
      set.add(x[2]!.replace(/\s+#.*$/, ''));
    }
  }
  m = new Map([...sets].map(([k, v]) => [k, [...v]]));
  valuesOf.set(donors, m);
  return m;
}

/** Typed values for a field: wrong types, edge numbers, hostile names, empty and nested collections. */
function hostileValue(rng: Rng): unknown {
  return rng.weighted<() => unknown>([
    [3, () => rng.pick<unknown>([0, -1, 1, 65535, 65536, 2 ** 31, 2 ** 53, 1e300, 0.5, -0, NaN, Infinity])],
    [3, () => rng.pick<unknown>(['', '__proto__', 'constructor', 'toString', '*', '0.0.0.0/0', '::/0', 'world', 'all', 'host', 'kube-system', 'default', 'TCP', 'ANY', '80', 'a'.repeat(300), '\u001b[2J', 'a\nb'])],
    [2, () => rng.pick<unknown>([null, true, false, [], {}, [{}], [null], { matchLabels: {} }, { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] }])],
    [1, () => JSON.parse('{"__proto__": {"x": 1}, "constructor": {"prototype": 1}}')],
  ])();
}

/** Whether a value is a tree (no object is its own descendant). */
function isTree(v: unknown, ancestors: Set<unknown>): boolean {
  if (!v || typeof v !== 'object') return true;
  if (ancestors.has(v)) return false;
  ancestors.add(v);
  const ok = Object.values(v).every((x) => isTree(x, ancestors));
  ancestors.delete(v);
  return ok;
}

/** Paths to the values of a document, at most 40 deep and 20,000 of them (aliases can make it cyclic or huge). */
function valuePaths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (prefix.length) out.push(prefix);
  if (prefix.length >= 40 || out.length >= 20_000) return out;
  if (Array.isArray(v)) v.forEach((x, i) => valuePaths(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) valuePaths((v as Record<string, unknown>)[k], [...prefix, k], out);
  return out;
}

/**
 * A field of a parsed document changed, then written back as YAML: a value
 * of another type, a list item duplicated or removed, a key removed, two
 * values swapped. Reaches the checks and the engine with well-formed YAML,
 * where line edits mostly stop at the parser. Undefined when the text does
 * not parse.
 */
function mutateStructured(rng: Rng, text: string): { text: string; did: Mutation } | undefined {
  // The text may already be a mutant: anything js-yaml or the edit cannot handle just skips this operator.
  try {
    return structuredEdit(rng, text);
  } catch {
    return undefined;
  }
}

function structuredEdit(rng: Rng, text: string): { text: string; did: Mutation } | undefined {
  if (text.length > 200_000) return undefined;
  const docs = loadAll(text);
  // An alias inside its own anchor makes a cyclic value; js-yaml's dump would recurse through it.
  if (!docs.every((d) => isTree(d, new Set()))) return undefined;
  const candidates = docs.map((d, i) => [i, valuePaths(d)] as const).filter(([, p]) => p.length > 0);
  if (!candidates.length) return undefined;
  const [di, paths] = rng.pick(candidates);
  const path = rng.pick(paths);
  let holder = docs[di] as Record<string | number, unknown>;
  for (const seg of path.slice(0, -1)) holder = holder[seg] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  const op = rng.weighted<string>([[5, 'set'], [2, 'duplicate'], [2, 'remove'], [2, 'swap']]);
  let did: string;
  if (op === 'duplicate' && Array.isArray(holder)) {
    const n = rng.pick([1, 1, 50, 1000]);
    holder.splice(Number(last), 0, ...Array.from({ length: n }, () => structuredClone(holder[last as number])));
    did = `duplicate ${path.join('.')} x${n}`;
  } else if (op === 'remove') {
    if (Array.isArray(holder)) holder.splice(Number(last), 1);
    else delete holder[last];
    did = `remove ${path.join('.')}`;
  } else if (op === 'swap') {
    const other = rng.pick(paths);
    let h2 = docs[di] as Record<string | number, unknown>;
    for (const seg of other.slice(0, -1)) h2 = h2?.[seg] as Record<string | number, unknown>;
    const l2 = other[other.length - 1]!;
    if (!h2 || typeof h2 !== 'object') return undefined;
    const a = structuredClone(holder[last]);
    holder[last] = structuredClone(h2[l2]);
    h2[l2] = a;
    did = `swap ${path.join('.')} and ${other.join('.')}`;
  } else {
    const v = hostileValue(rng);
    if (typeof last === 'string' && last === '__proto__') return undefined;
    holder[last] = v;
    did = `${path.join('.')} := ${short(JSON.stringify(v) ?? String(v))}`;
  }
  return { text: docs.map((d) => dump(d, { noRefs: true, lineWidth: -1 })).join('---\n'), did: `structured: ${did}` };
}

/** One byte-level mutation. */
export function mutateBytesOnce(rng: Rng, bytes: Buffer): { bytes: Buffer; did: Mutation } {
  if (bytes.length === 0) return { bytes: Buffer.from([rng.int(256)]), did: 'insert one byte into an empty file' };
  const op = rng.weighted<string>([[4, 'flip'], [2, 'delete'], [2, 'duplicate'], [2, 'insert'], [1, 'cut']]);
  const i = rng.int(bytes.length);
  switch (op) {
    case 'flip': {
      const out = Buffer.from(bytes);
      const n = rng.range(1, 5);
      for (let k = 0; k < n; k++) {
        const j = k === 0 ? i : rng.int(out.length);
        out[j] = rng.chance(0.5) ? out[j]! ^ (1 << rng.int(8)) : rng.pick([0, 0x0a, 0x0d, 0x1b, 0x22, 0x27, 0x5b, 0x7b, 0x3a, 0x2d, 0x23, 0x26, 0x2a, 0x7f, 0x80, 0xc3, 0xff]);
      }
      return { bytes: out, did: `flip ${n} byte(s) from ${i}` };
    }
    case 'delete': {
      const n = rng.range(1, 64);
      return { bytes: Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + n)]), did: `delete ${n} bytes at ${i}` };
    }
    case 'duplicate': {
      const n = rng.range(1, 256);
      return { bytes: Buffer.concat([bytes.subarray(0, i + n), bytes.subarray(i, i + n), bytes.subarray(i + n)]), did: `duplicate ${n} bytes at ${i}` };
    }
    case 'insert': {
      const ins = Buffer.from(Array.from({ length: rng.range(1, 16) }, () => rng.int(256)));
      return { bytes: Buffer.concat([bytes.subarray(0, i), ins, bytes.subarray(i)]), did: `insert ${ins.length} random bytes at ${i}` };
    }
    default:
      return { bytes: bytes.subarray(0, i), did: `cut at byte ${i}` };
  }
}

/** Hostile JSON values for flow fields. */
function hostileJson(rng: Rng): unknown {
  return rng.weighted<() => unknown>([
    [3, () => rng.pick([0, -1, 1e308, -1e308, 2 ** 53 + 1, 4294967296, 65536, 0.5, 1e21])],
    [3, () => rng.pick(['', '__proto__', 'constructor', 'toString', '\u001b[2J\u001b]0;pwned\u0007', 'a\nb', '\r', '\u202e', '\0', 'NaN', '-1', '99999999999999999999999', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59.999999999Z', '0000-00-00T00:00:00Z', 'not a time', 'FORWARDED', 'DROPPED', 'INGRESS', 'EGRESS', 'k8s:app=x', '10.0.0.1', '::1', 'fe80::1%eth0'])],
    [1, () => 'x'.repeat(rng.pick([1_000, 100_000, 1_100_000]))],
    [2, () => rng.pick<unknown>([null, true, false, [], {}, [1, 'a'], { x: { y: { z: [] } } }, JSON.parse('{"constructor": 1}')])],
    [1, () => JSON.parse(`{"__proto__": {"polluted": 1}, "toString": 1}`)],
    [1, () => Array.from({ length: rng.pick([1_000, 10_000]) }, (_, i) => `k8s:l${i}=v`)],
  ])();
}

/** Paths to every value of a JSON document. */
function jsonPaths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (prefix.length) out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => jsonPaths(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) jsonPaths((v as Record<string, unknown>)[k], [...prefix, k], out);
  return out;
}

/** One mutation of one JSON line (a Hubble flow): a field replaced, removed or renamed. */
export function mutateJsonLine(rng: Rng, line: string): { line: string; did: Mutation } {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    return { line, did: 'not JSON, left as is' };
  }
  const paths = jsonPaths(doc);
  if (!paths.length) return { line: JSON.stringify(hostileJson(rng)), did: 'replace the whole line' };
  const path = rng.pick(paths);
  let holder = doc as Record<string | number, unknown>;
  for (const seg of path.slice(0, -1)) holder = holder[seg] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  const op = rng.weighted<string>([[6, 'replace'], [2, 'delete'], [1, 'rename']]);
  if (op === 'delete' && !Array.isArray(holder)) {
    delete holder[last];
    return { line: JSON.stringify(doc), did: `delete ${path.join('.')}` };
  }
  if (op === 'rename' && !Array.isArray(holder)) {
    const to = rng.pick(['__proto__', 'constructor', 'toString', `${String(last)}X`, String(last).toLowerCase(), String(last).replace(/_(\w)/g, (_, c: string) => c.toUpperCase())]);
    const value = holder[last];
    delete holder[last];
    // defineProperty makes "__proto__" an own key, which JSON.stringify then writes.
    Object.defineProperty(holder, to, { value, enumerable: true, configurable: true, writable: true });
    return { line: JSON.stringify(doc), did: `rename ${path.join('.')} to ${JSON.stringify(to)}` };
  }
  const v = hostileJson(rng);
  holder[last] = v;
  return { line: JSON.stringify(doc), did: `${path.join('.')} := ${short(JSON.stringify(v) ?? 'undefined')}` };
}

/** One mutation of a JSON-lines export: mostly a field of one line, sometimes lines or bytes. */
export function mutateJsonLinesOnce(rng: Rng, bytes: Buffer, donors: readonly string[]): { bytes: Buffer; did: Mutation } {
  if (rng.chance(0.12)) return mutateBytesOnce(rng, bytes);
  const m = mutateJsonLinesText(rng, bytes.toString('utf8'), donors);
  return { bytes: Buffer.from(m.text), did: m.did };
}

function mutateJsonLinesText(rng: Rng, text: string, donors: readonly string[]): { text: string; did: Mutation } {
  const lines = text.split('\n');
  const op = rng.weighted<string>([[8, 'field'], [1, 'delete-line'], [1, 'duplicate-line'], [1, 'splice'], [1, 'blank'], [1, 'cut'], [1, 'crlf']]);
  const i = rng.int(lines.length);
  switch (op) {
    case 'field': {
      const m = mutateJsonLine(rng, lines[i]!);
      lines[i] = m.line;
      return { text: lines.join('\n'), did: `line ${i + 1}: ${m.did}` };
    }
    case 'delete-line':
      lines.splice(i, 1);
      return { text: lines.join('\n'), did: `delete line ${i + 1}` };
    case 'duplicate-line': {
      const n = rng.pick([1, 2, 100]);
      lines.splice(i, 0, ...Array<string>(n).fill(lines[i]!));
      return { text: lines.join('\n'), did: `duplicate line ${i + 1} x${n}` };
    }
    case 'splice': {
      const donor = donors.length ? rng.pick(donors).split('\n') : lines;
      const from = rng.int(donor.length);
      const block = donor.slice(from, from + rng.range(1, 5));
      lines.splice(i, 0, ...block);
      return { text: lines.join('\n'), did: `splice ${block.length} donor lines at line ${i + 1}` };
    }
    case 'blank':
      lines.splice(i, 0, ...Array<string>(rng.pick([1, 10, 10_000])).fill(rng.pick(['', ' ', '\t', '\r'])));
      return { text: lines.join('\n'), did: `blank lines at ${i + 1}` };
    case 'crlf':
      return { text: lines.join('\r\n'), did: 'CRLF line ends' };
    default: {
      const n = rng.int(text.length);
      return { text: text.slice(0, n), did: `cut at character ${n}` };
    }
  }
}

/** Gzip of the bytes, as one or two members, sometimes damaged as concatenated or cut exports are. */
export function gzipMutant(rng: Rng, bytes: Buffer): { bytes: Buffer; did: Mutation } {
  const cut = rng.int(bytes.length + 1);
  const members = rng.chance(0.3) ? [gzipSync(bytes.subarray(0, cut)), gzipSync(bytes.subarray(cut))] : [gzipSync(bytes)];
  let z = Buffer.concat(members);
  let did = `gzip in ${members.length} member(s)`;
  const damage = rng.weighted<string>([[5, 'none'], [1, 'trailing'], [1, 'cut'], [1, 'flip']]);
  if (damage === 'trailing') {
    z = Buffer.concat([z, rng.chance(0.5) ? Buffer.from('garbage\n') : z.subarray(0, rng.range(1, 20))]);
    did += ', trailing bytes';
  } else if (damage === 'cut') {
    z = z.subarray(0, rng.int(z.length));
    did += `, cut at byte ${z.length}`;
  } else if (damage === 'flip') {
    z = Buffer.from(z);
    const i = rng.int(z.length);
    z[i] = z[i]! ^ (1 << rng.int(8));
    did += `, bit flip at byte ${i}`;
  }
  return { bytes: z, did };
}

function short(s: string): string {
  const clean = JSON.stringify(s);
  return clean.length > 60 ? `${clean.slice(0, 50)}… (${s.length} chars)` : clean;
}
