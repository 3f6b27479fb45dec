/**
 * @module manifest/load
 *
 * Turns source texts into Kubernetes objects: multi-document YAML and JSON,
 * `kind: List` / `v1/List`, comments and anchors. Never throws on user input:
 * malformed YAML, alias bombs, binary data, huge or deeply nested documents
 * all become diagnostics, and loading goes on with the next document.
 */
import { parseAllDocuments, isMap, isSeq, type Document, type Node as YamlNode } from 'yaml';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { LineIndex, type SourceFile } from './source.js';
import { findExcessiveNesting, MAX_NESTING } from './depth-guard.js';
import { makeLocator, type ManifestObject } from './object.js';

/** Limits that keep hostile input from exhausting memory or time. */
export interface LoadOptions {
  /** Largest file accepted, in bytes (default 64 MiB). */
  readonly maxFileBytes?: number;
  /** Most alias expansions per document before it is treated as a YAML bomb (default 1000). */
  readonly maxAliasCount?: number;
}

export interface LoadResult {
  readonly objects: readonly ManifestObject[];
  readonly diagnostics: readonly Diagnostic[];
}

const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;

/** Loads every object of every source. */
export function loadManifests(sources: readonly SourceFile[], options: LoadOptions = {}): LoadResult {
  const objects: ManifestObject[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const src of sources) loadOne(src, options, objects, diagnostics);
  return { objects, diagnostics };
}

function loadOne(src: SourceFile, options: LoadOptions, objects: ManifestObject[], diagnostics: Diagnostic[]): void {
  const lines = new LineIndex(src.path, src.text);
  const fileLoc = lines.locate(0);
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (src.text.length > maxBytes) {
    diagnostics.push({
      code: 'file-too-large', severity: 'error', location: fileLoc,
      message: `file is ${src.text.length} bytes, more than the ${maxBytes} polis reads`,
      hint: 'split it into several files',
    });
    return;
  }
  if (src.text.includes('\u0000')) {
    diagnostics.push({
      code: 'binary-file', severity: 'error', location: fileLoc,
      message: 'file contains NUL bytes: it looks like a binary file, not YAML or JSON',
      hint: 'pass only Kubernetes manifests (.yaml, .yml, .json)',
    });
    return;
  }
  const tooDeep = findExcessiveNesting(src.text);
  if (tooDeep >= 0) {
    diagnostics.push({
      code: 'too-deep', severity: 'error', location: lines.locate(tooDeep),
      message: `file is nested more than ${MAX_NESTING} levels deep here`,
      hint: 'Kubernetes objects are never nested this deep: check the file',
    });
    return;
  }
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(src.text, { prettyErrors: false, uniqueKeys: true, strict: true }) as Document.Parsed[];
  } catch (e) {
    diagnostics.push(internalParseFailure(e, fileLoc));
    return;
  }
  if (!Array.isArray(docs)) docs = [docs];
  docs.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        diagnostics.push({
          code: 'yaml-syntax', severity: 'error',
          location: lines.locate(err.pos[0], err.pos[1]),
          message: `invalid YAML: ${plainYamlMessage(err.message)}`,
          hint: /unique/i.test(err.message)
            ? 'a key may appear once per mapping: remove or merge the duplicate'
            : 'check indentation and that every "key: value" and "- item" lines up with its siblings',
        });
      }
      return;
    }
    for (const w of doc.warnings) {
      diagnostics.push({ code: 'yaml-warning', severity: 'warning', location: lines.locate(w.pos[0], w.pos[1]), message: plainYamlMessage(w.message) });
    }
    const root = doc.contents as YamlNode | null;
    if (root === null) return; // empty document (e.g. trailing `---`)
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: options.maxAliasCount ?? 1000 });
    } catch (e) {
      diagnostics.push(toJsFailure(e, lines.locate(root.range?.[0] ?? 0)));
      return;
    }
    if (value === null || value === undefined) return; // a document with only comments
    collect(value, root, [], src.path, index, lines, objects, diagnostics);
  });
}

/** Adds the object at `value` (expanding `List`s) to `objects`. */
function collect(
  value: unknown, node: YamlNode, prefix: (string | number)[], file: string, documentIndex: number,
  lines: LineIndex, objects: ManifestObject[], diagnostics: Diagnostic[],
): void {
  const rootLocate = makeLocator(node, lines);
  const locate = (path: readonly (string | number)[], at?: 'key' | 'value') => rootLocate([...prefix, ...path], at);
  const here = rootLocate(prefix);
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
      code: 'missing-kind', severity: 'error', location: locate([missing in obj ? missing : ''].filter(Boolean) as string[], 'key'),
      message: `object has no ${missing}`,
      hint: 'every Kubernetes object needs "apiVersion" and "kind", e.g. apiVersion: cilium.io/v2, kind: CiliumNetworkPolicy',
    });
    return;
  }
  if (kind === 'List' || kind.endsWith('List') && Array.isArray(obj.items)) {
    const items = obj.items;
    if (!Array.isArray(items)) {
      diagnostics.push({ code: 'invalid-list', severity: 'error', location: locate(['items'], 'key'), message: 'a List needs "items", an array of objects' });
      return;
    }
    items.forEach((item, i) => {
      const itemPrefix = [...prefix, 'items', i];
      collect(item, node, itemPrefix, file, documentIndex, lines, objects, diagnostics);
    });
    return;
  }
  const metadata = (typeof obj.metadata === 'object' && obj.metadata !== null ? obj.metadata : {}) as Record<string, unknown>;
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
  objects.push({
    apiVersion, kind, name, namespace, value: obj, file, documentIndex, location: here, locate,
    displayName: `${kind} ${namespace ? `${namespace}/` : ''}${name || '<unnamed>'}`,
  });
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return `a ${typeof v}`;
}

/** yaml's messages carry a code prefix and context lines; keep the sentence. */
function plainYamlMessage(msg: string): string {
  return msg.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '').trim();
}

function toJsFailure(e: unknown, loc: ReturnType<LineIndex['locate']>): Diagnostic {
  const msg = e instanceof Error ? e.message : String(e);
  if (/alias/i.test(msg)) {
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

function internalParseFailure(e: unknown, loc: ReturnType<LineIndex['locate']>): Diagnostic {
  if (e instanceof RangeError) {
    return { code: 'too-deep', severity: 'error', location: loc, message: 'file is nested too deeply to read', hint: 'Kubernetes objects are never nested this deep: check the file' };
  }
  return { code: 'yaml-syntax', severity: 'error', location: loc, message: `cannot parse file: ${e instanceof Error ? e.message : String(e)}` };
}

/** True when a node is a collection (used by callers that need to know if a value was a map/list in the source). */
export function isCollection(n: unknown): boolean {
  return isMap(n) || isSeq(n);
}
