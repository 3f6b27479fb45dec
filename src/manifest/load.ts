/**
 * @module manifest/load
 *
 * Turns source texts into Kubernetes objects: multi-document YAML and JSON,
 * `kind: List` / `v1/List`, comments and anchors. Never throws on user input:
 * malformed YAML, alias bombs, binary data, huge or deeply nested documents
 * all become diagnostics, and loading goes on with the next document.
 *
 * Speed: each document is read with js-yaml (fast, no positions); the
 * position-keeping parser (eemeli/yaml) runs only for a document that needs
 * a position (a diagnostic, an explanation), that js-yaml refuses (to get a
 * precise error), or that uses anchors (to cap alias expansion).
 */
import { load as fastLoad } from 'js-yaml';
import { isAlias, isCollection, isScalar, parseAllDocuments, visit, type Document, type Node as YamlNode } from 'yaml';
import type { Diagnostic, SourceLine, SourceLocation } from '../diagnostics/diagnostic.js';
import { LineIndex, type SourceFile } from './source.js';
import { findExcessiveNesting, MAX_NESTING } from './depth-guard.js';
import { graftFlowRuns, readFlowLines } from './flow-lines.js';
import { JS_YAML_SCHEMA, yamlNumberTags } from './numbers.js';
import { makeLocator, type FieldPath, type ManifestObject } from './object.js';
import { splitDocuments, type DocumentChunk } from './split.js';

/** Limits that keep hostile input from exhausting memory or time. */
export interface LoadOptions {
  /** Largest file accepted, in bytes (default 64 MiB). */
  readonly maxFileBytes?: number;
  /** Most alias expansions per document before it is treated as a YAML bomb (default 1000). */
  readonly maxAliasCount?: number;
  /** Fewest one-line flow mappings in a row read by the fast path of `flow-lines.ts` (default 64). */
  readonly flowLineRun?: number;
}

export interface LoadResult {
  readonly objects: readonly ManifestObject[];
  readonly diagnostics: readonly Diagnostic[];
}

const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;
/** Below this many lines in a row, js-yaml reads a list as fast as the skeleton would cost. */
const FLOW_LINE_RUN = 64;
/** An anchor (`&name`) makes a document take the careful path, which caps alias expansion. */
const ANCHOR = /(^|[\s[{,:])&[^\s]/;

type Locate = (path: FieldPath, at?: 'key' | 'value') => SourceLocation;

/**
 * The position-keeping parser reads scalars as the fast one does: YAML 1.2
 * core (also under a `%YAML 1.1` directive, which kubectl ignores too) with
 * go-yaml v2 numbers (see manifest/numbers). Its warnings (a collection as
 * a mapping key) go to process warnings, i.e. raw on stderr: `logLevel`
 * keeps them out of polis's output. `resolveKnownTags: false`: by default
 * it turns the YAML 1.1 tags `!!binary`, `!!set`, `!!omap`, `!!timestamp`
 * into a Uint8Array, a Set, a Map and a Date, which are not JSON and broke
 * the code that walks objects (a `- !!binary AAAA` rule was an internal
 * error, found by the fuzzer); unresolved, each is a warning at its tag and
 * its plain value (a string, a mapping, a list), as JSON would hold it.
 */
const CAREFUL_OPTIONS = {
  prettyErrors: false, uniqueKeys: true, strict: true, schema: 'core', customTags: yamlNumberTags, resolveKnownTags: false, logLevel: 'error',
} as const;

/** Loads every object of every source. */
export function loadManifests(sources: readonly SourceFile[], options: LoadOptions = {}): LoadResult {
  const objects: ManifestObject[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const src of sources) loadFile(src, options, objects, diagnostics);
  return { objects, diagnostics };
}

function loadFile(src: SourceFile, options: LoadOptions, objects: ManifestObject[], diagnostics: Diagnostic[]): void {
  const lines = new LineIndex(src.path, src.text);
  const fileLoc = lines.locate(0);
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (src.text.length > maxBytes) {
    diagnostics.push({
      code: 'file-too-large', severity: 'error', location: fileLoc,
      message: `file is ${src.text.length} bytes, more than the ${maxBytes} polis reads`, hint: 'split it into several files',
    });
    return;
  }
  if (src.text.includes('\u0000')) {
    diagnostics.push({
      code: 'binary-file', severity: 'error', location: fileLoc,
      message: 'file contains NUL bytes: it looks like a binary file, not YAML or JSON', hint: 'pass only Kubernetes manifests (.yaml, .yml, .json)',
    });
    return;
  }
  splitDocuments(src.text).forEach((chunk, index) => loadChunk(src.path, chunk, index, lines, options, objects, diagnostics));
}

function loadChunk(
  file: string, chunk: DocumentChunk, documentIndex: number, lines: LineIndex, options: LoadOptions,
  objects: ManifestObject[], diagnostics: Diagnostic[],
): void {
  const start = firstContent(chunk.text);
  if (start < 0) return; // empty, or only comments and markers
  // Per document, as the parsers see them: nesting in one cannot hide behind an open quote in another.
  // The scan costs as much as reading the document, so it runs only before the careful parser
  // (which would run out of stack) and when the fast reader's result is too deep.
  const tooDeep = (): boolean => {
    const at = findExcessiveNesting(chunk.text);
    if (at < 0) return false;
    diagnostics.push({
      code: 'too-deep', severity: 'error', location: lines.locate(chunk.offset + at),
      message: `document is nested more than ${MAX_NESTING} levels deep here`, hint: 'Kubernetes objects are never nested this deep: check the file',
    });
    return true;
  };
  // Lazily parsed with positions, at most once per document.
  let careful: Document.Parsed[] | undefined;
  const carefulDocs = () => (careful ??= parseAllDocuments(chunk.text, CAREFUL_OPTIONS) as Document.Parsed[]);
  const locatorFor = (docIndex: number): Locate => {
    let loc: Locate | undefined;
    return (path, at) => {
      loc ??= (() => {
        const root = carefulDocs()[docIndex]?.contents as YamlNode | null | undefined;
        return root ? makeLocator(root, lines, chunk.offset) : () => lines.locate(chunk.offset + start);
      })();
      return loc(path, at);
    };
  };

  if (!ANCHOR.test(chunk.text)) {
    let value: unknown;
    let ok = true;
    // Where each mapping and sequence starts, noted while js-yaml reads: enough to place a list
    // item (a test case) without the position-keeping parse, which costs ten times as much.
    // A Map, not a WeakMap: its keys live as long as the document's value (the object keeps both),
    // and tens of thousands of weak entries cost the collector more than the lookups save.
    const starts = new Map<object, number>();
    const open: number[] = [];
    // Long one-line flow lists are read by flow-lines.ts; js-yaml reads the rest (offsets mapped back).
    const flow = readFlowLines(chunk.text, options.flowLineRun ?? FLOW_LINE_RUN);
    let original = flow?.original;
    const listener = (event: 'open' | 'close', state: { position: number; result: unknown }) => {
      if (event === 'open') open.push(state.position);
      else {
        const at = open.pop();
        if (at !== undefined && typeof state.result === 'object' && state.result !== null) starts.set(state.result, original ? original(at) : at);
      }
    };
    let depth = 0;
    try {
      value = fastLoad(flow?.skeleton ?? chunk.text, { schema: JS_YAML_SCHEMA, filename: file, listener } as Parameters<typeof fastLoad>[1]);
      // Measured before the flat items go in, which add at most one level (a bound: the scan below decides).
      depth = depthOf(value) + (flow ? 1 : 0);
      if (flow && !graftFlowRuns(value, flow.runs, (item, at) => starts.set(item, at))) {
        original = undefined;
        starts.clear();
        value = fastLoad(chunk.text, { schema: JS_YAML_SCHEMA, filename: file, listener } as Parameters<typeof fastLoad>[1]);
        depth = depthOf(value);
      }
    } catch {
      ok = false; // let the careful parser say precisely what is wrong
    }
    if (ok && depth > MAX_NESTING) {
      if (tooDeep()) return;
      ok = false; // the scan saw no excess the reader did: let the careful parser decide
    }
    if (ok) {
      if (value !== null && value !== undefined) {
        const startOf = (v: object) => {
          const at = starts.get(v);
          return at === undefined ? undefined : lines.locate(chunk.offset + at);
        };
        // js-yaml notes a mapping value's start right after its key's colon: a plain key just before it is
        // found without the careful parse, at exactly the range the careful parse gives the key.
        const keyOf = (v: object, key: string): SourceLocation | undefined => {
          const at = starts.get(v);
          if (at === undefined || chunk.text.charCodeAt(at - 1) !== 58 /* : */) return undefined;
          const k = at - 1 - key.length;
          if (k < 0 || !chunk.text.startsWith(key, k) || !KEY_BEFORE.has(chunk.text.charCodeAt(k - 1))) return undefined;
          return lines.locate(chunk.offset + k, chunk.offset + at - 1);
        };
        collect(value, [], file, documentIndex, lines.locate(chunk.offset + start), locatorFor(0), objects, diagnostics, { startOf, keyOf });
      }
      return;
    }
  }

  if (tooDeep()) return;
  let docs: Document.Parsed[];
  try {
    docs = carefulDocs();
  } catch (e) {
    diagnostics.push(parseFailure(e, lines.locate(chunk.offset + start)));
    return;
  }
  docs.forEach((doc, i) => {
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        diagnostics.push({
          code: 'yaml-syntax', severity: 'error', location: lines.locate(chunk.offset + err.pos[0], chunk.offset + err.pos[1]),
          message: `invalid YAML: ${plainYamlMessage(err.message)}`,
          hint: /unique/i.test(err.message)
            ? 'a key may appear once per mapping: remove or merge the duplicate'
            : 'check indentation and that every "key: value" and "- item" lines up with its siblings',
        });
      }
      return;
    }
    for (const w of doc.warnings) {
      diagnostics.push({ code: 'yaml-warning', severity: 'warning', location: lines.locate(chunk.offset + w.pos[0], chunk.offset + w.pos[1]), message: plainYamlMessage(w.message) });
    }
    const root = doc.contents as YamlNode | null;
    if (root === null) return;
    const here = lines.locate(chunk.offset + (root.range?.[0] ?? 0));
    const cycle = recursiveAlias(doc);
    if (cycle) {
      diagnostics.push(recursiveAliasDiagnostic(cycle.name, cycle.range ? lines.locate(chunk.offset + cycle.range[0], chunk.offset + cycle.range[1]) : here));
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: options.maxAliasCount ?? 1000 });
    } catch (e) {
      const unknown = unknownAlias(e, doc);
      diagnostics.push(unknown ? unknownAliasDiagnostic(unknown.name, unknown.range ? lines.locate(chunk.offset + unknown.range[0], chunk.offset + unknown.range[1]) : here) : parseFailure(e, here));
      return;
    }
    if (value === null || value === undefined) return; // a document with only comments
    collect(value, [], file, documentIndex + i, here, locatorFor(i), objects, diagnostics);
  });
}

/** Offset of the first character that is not blank, a comment or a `---` marker; -1 if none. */
function firstContent(text: string): number {
  // A bare `---` line is a marker, not content (without the lookahead its first "-" would count).
  // A byte order mark at the start is not content either (JavaScript counts it as white space).
  const re = /^\ufeff?[ \t]*(?!---[ \t]*(?:#[^\n]*)?\r?$)(?:---[ \t]+)?(?=[^\s#])/gm;
  for (const m of text.matchAll(re)) {
    const at = m.index + m[0].length;
    if (at < text.length) return at;
  }
  return -1;
}

/** What the fast reader noted about positions (nothing, after the careful parse). */
interface FastPositions {
  /** Where a mapping or list starts. */
  startOf(v: object): SourceLocation | undefined;
  /** Where the key whose value is `v` is, when that is certain. */
  keyOf(v: object, key: string): SourceLocation | undefined;
}

const NO_FAST_POSITIONS: FastPositions = { startOf: () => undefined, keyOf: () => undefined };
/** What may come just before a plain key: the line start or indentation, a flow mapping's `{` or `,`. */
const KEY_BEFORE = new Set([NaN, 10, 32, 44, 123]);

/** The value at `path` inside `root`, if every step exists. */
function valueAt(root: unknown, path: FieldPath): unknown {
  let v = root;
  for (const seg of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** Adds the object at `value` (expanding `List`s) to `objects`. */
function collect(
  value: unknown, prefix: (string | number)[], file: string, documentIndex: number, here: SourceLocation,
  rootLocate: Locate, objects: ManifestObject[], diagnostics: Diagnostic[], fast: FastPositions = NO_FAST_POSITIONS,
): void {
  const careful: Locate = prefix.length ? (path, at) => rootLocate([...prefix, ...path], at) : rootLocate;
  // A key whose value is a mapping or a list is placed from the fast reader's notes, when they are certain.
  const locate: Locate = (path, at) => {
    const last = path[path.length - 1];
    if (at === 'key' && typeof last === 'string') {
      const v = valueAt(value, path);
      const k = typeof v === 'object' && v !== null ? fast.keyOf(v, last) : undefined;
      if (k) return k;
    }
    return careful(path, at);
  };
  const lineOf = (path: FieldPath, at: 'key' | 'value' = 'value'): SourceLine => {
    const v = at === 'value' && typeof path[path.length - 1] === 'number' ? valueAt(value, path) : undefined;
    // A list item's first character: js-yaml notes it where the careful parse starts the item.
    const l = (typeof v === 'object' && v !== null ? fast.startOf(v) : undefined) ?? locate(path, at);
    return { file: l.file, line: l.line };
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    diagnostics.push({
      code: 'not-an-object', severity: 'error', location: here,
      message: `a document must be a Kubernetes object (a mapping with apiVersion and kind), not ${describe(value)}`,
    });
    return;
  }
  const obj = value as Record<string, unknown>;
  const kind = obj.kind;
  const apiVersion = obj.apiVersion;
  if (typeof kind !== 'string' || kind === '' || typeof apiVersion !== 'string' || apiVersion === '') {
    const missing = typeof kind !== 'string' || kind === '' ? 'kind' : 'apiVersion';
    diagnostics.push({
      code: 'missing-kind', severity: 'error', location: missing in obj ? locate([missing], 'key') : here,
      message: `object has no ${missing}`,
      hint: 'every Kubernetes object needs "apiVersion" and "kind", e.g. apiVersion: cilium.io/v2, kind: CiliumNetworkPolicy',
    });
    return;
  }
  if (kind === 'List' || (kind.endsWith('List') && Array.isArray(obj.items))) {
    if (!Array.isArray(obj.items)) {
      diagnostics.push({ code: 'invalid-list', severity: 'error', location: locate(['items'], 'key'), message: 'a List needs "items", a list of objects' });
      return;
    }
    obj.items.forEach((item, i) => {
      const itemPrefix = [...prefix, 'items', i];
      collect(item, itemPrefix, file, documentIndex, rootLocate(itemPrefix), rootLocate, objects, diagnostics, fast);
    });
    return;
  }
  const metadata = (typeof obj.metadata === 'object' && obj.metadata !== null ? obj.metadata : {}) as Record<string, unknown>;
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
  objects.push({
    apiVersion, kind, name, namespace, value: obj, file, documentIndex, location: here, locate, startOf: fast.startOf, lineOf,
    displayName: `${kind} ${namespace ? `${namespace}/` : ''}${name || '<unnamed>'}`,
  });
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return `a ${typeof v}`;
}

/** yaml's messages carry context lines; keep the sentence. */
function plainYamlMessage(msg: string): string {
  return msg.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').trim();
}

/**
 * An alias whose anchor is not defined before it (eemeli/yaml throws
 * "Unresolved alias … : NAME" from toJS): the name and the alias's range.
 */
function unknownAlias(e: unknown, doc: Document.Parsed): { name: string; range: readonly [number, number, number] | undefined } | undefined {
  const m = e instanceof ReferenceError ? /^Unresolved alias[^:]*: (.*)$/s.exec(e.message) : null;
  if (!m) return undefined;
  const name = m[1]!;
  let range: readonly [number, number, number] | undefined;
  visit(doc, {
    Alias(_, node) {
      if (node.source !== name) return undefined;
      range = node.range ?? undefined;
      return visit.BREAK;
    },
  });
  return { name, range };
}

/**
 * An alias inside the value of its own anchor (`x: &x {y: *x}`): the value
 * would contain itself, which eemeli/yaml builds as a cyclic object that
 * every later walk over it recurses into forever. go-yaml (kubectl) refuses
 * it: "anchor 'x' value contains itself" (yaml.v2 decode.go, `d.alias`).
 * One pass in document order: an alias refers to the latest anchor of its
 * name before it, and is recursive when that node is one of its ancestors.
 */
function recursiveAlias(doc: Document.Parsed): { name: string; range: readonly [number, number, number] | undefined } | undefined {
  const anchors = new Map<string, unknown>();
  let found: { name: string; range: readonly [number, number, number] | undefined } | undefined;
  visit(doc, (_key, node, path) => {
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target !== undefined && path.includes(target as never)) {
        found = { name: node.source, range: node.range ?? undefined };
        return visit.BREAK;
      }
    } else if ((isCollection(node) || isScalar(node)) && node.anchor) anchors.set(node.anchor, node);
    return undefined;
  });
  return found;
}

function recursiveAliasDiagnostic(name: string, loc: SourceLocation): Diagnostic {
  return {
    code: 'yaml-recursive-alias', severity: 'error', location: loc,
    message: `alias *${name} is inside the value of its own anchor &${name}: that value would contain itself`,
    hint: `an alias can only repeat a value that is complete before it: move *${name} out of the value anchored &${name}`,
  };
}

function unknownAliasDiagnostic(name: string, loc: SourceLocation): Diagnostic {
  return {
    code: 'yaml-unknown-alias', severity: 'error', location: loc,
    message: `unknown alias *${name}: no anchor &${name} is defined before it`,
    hint: `define the anchor (&${name}) on a value above this one, or write the value out`,
  };
}

function parseFailure(e: unknown, loc: SourceLocation): Diagnostic {
  const msg = e instanceof Error ? e.message : String(e);
  if (/excessive alias count/i.test(msg)) {
    return {
      code: 'yaml-alias-bomb', severity: 'error', location: loc,
      message: 'document expands too many YAML aliases (a "billion laughs" document)',
      hint: 'write the repeated parts out, or use fewer nested anchors',
    };
  }
  if (e instanceof RangeError) {
    return { code: 'too-deep', severity: 'error', location: loc, message: 'document is nested too deeply to read', hint: 'Kubernetes objects are never nested this deep: check the file' };
  }
  return { code: 'yaml-syntax', severity: 'error', location: loc, message: `cannot read document: ${msg}` };
}

/** How deeply mappings and sequences nest in a read value (iterative: the value may be deep). */
function depthOf(value: unknown): number {
  return typeof value === 'object' && value !== null ? depthBelow(value, 1) : 0;
}

/**
 * The depth of the deepest collection inside `v` (itself at depth `d`). The
 * recursion stops one level past MAX_NESTING, so it is bounded whatever the
 * value: no tuple per collection, as the 10,000 objects of a cluster are all measured.
 */
function depthBelow(v: object, d: number): number {
  if (d > MAX_NESTING) return d;
  let max = d;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const child: unknown = v[i];
      if (typeof child !== 'object' || child === null) continue;
      const m = depthBelow(child, d + 1);
      if (m > max && (max = m) > MAX_NESTING) return max;
    }
    return max;
  }
  // Own enumerable keys, as Object.values lists them, without a list per mapping.
  for (const k in v) {
    if (!Object.hasOwn(v, k)) continue;
    const child: unknown = (v as Record<string, unknown>)[k];
    if (typeof child !== 'object' || child === null) continue;
    const m = depthBelow(child, d + 1);
    if (m > max && (max = m) > MAX_NESTING) return max;
  }
  return max;
}
