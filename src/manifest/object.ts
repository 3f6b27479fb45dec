/**
 * @module manifest/object
 *
 * A Kubernetes object as loaded from a file: its plain value plus the YAML
 * node tree it came from, so any field path can be turned back into the
 * `file:line:col` of the key or value the user wrote.
 */
import { isMap, isSeq, isScalar, isPair, type Node as YamlNode } from 'yaml';
import type { SourceLine, SourceLocation } from '../diagnostics/diagnostic.js';
import type { LineIndex } from './source.js';

/** A field path: object keys and array indices, e.g. `['spec','ingress',1,'fromCIDRSet',0,'cidr']`. */
export type FieldPath = readonly (string | number)[];

/** Renders a path as users write it: `spec.ingress[1].fromCIDRSet[0].cidr`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** `metadata.namespace` as written (undefined when absent). */
  readonly namespace: string | undefined;
  /** The object as plain data (aliases expanded). */
  readonly value: Readonly<Record<string, unknown>>;
  /** Which file and which document in it (0-based), and the path inside a `List`. */
  readonly file: string;
  readonly documentIndex: number;
  /** Position of the whole object. */
  readonly location: SourceLocation;
  /**
   * Where a field is: the value node at `path` (or its key, with `at: 'key'`).
   * Falls back to the nearest ancestor that exists, so a missing field points
   * at the object that should hold it.
   */
  locate(path: FieldPath, at?: 'key' | 'value'): SourceLocation;
  /**
   * Where a mapping or sequence inside {@link value} starts, when the fast
   * reader noted it (undefined otherwise: use {@link locate}). Costs no parse.
   */
  startOf(v: object): SourceLocation | undefined;
  /**
   * The line of a field, for messages that cite only file:line: from the
   * fast reader's notes where they are exact (the key of a mapping or list
   * value, the first line of a list item that is a mapping or list), else
   * from {@link locate}. Citing thousands of rules costs no parse.
   */
  lineOf(path: FieldPath, at?: 'key' | 'value'): SourceLine;
  /** `Kind namespace/name` for messages. */
  readonly displayName: string;
}

/** Builds the `locate` function over a YAML node tree rooted at `root`, whose ranges start at `offset` in the file. */
export function makeLocator(root: YamlNode, lines: LineIndex, offset = 0): (path: FieldPath, at?: 'key' | 'value') => SourceLocation {
  return (path, at = 'value') => {
    let node: unknown = root;
    let keyNode: unknown = undefined;
    let best: unknown = root;
    for (const seg of path) {
      keyNode = undefined;
      if (isMap(node) && typeof seg === 'string') {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === seg);
        if (!pair) break;
        keyNode = pair.key;
        node = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (item === undefined || item === null) break;
        node = item;
      } else break;
      best = at === 'key' && keyNode ? keyNode : node;
    }
    const range = (best as { range?: [number, number, number] }).range;
    return lines.locate(offset + (range?.[0] ?? 0), offset + (range?.[1] ?? range?.[0] ?? 0));
  };
}
