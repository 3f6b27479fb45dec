/**
 * @module identity/labels
 *
 * Cilium labels: a `(source, key, value)` triple, its text form
 * `source:key=value`, and {@link LabelSet}, the immutable sorted set of labels
 * an identity carries. Everything in the identity layer (pod identities,
 * reserved identities, CIDR identities) is a LabelSet; selectors
 * (`identity/selector`) are matched against it.
 *
 * Mirrors `pkg/labels/labels.go` / `label.go` (`ParseLabel`, `parseSource`,
 * `ParseSelectLabel`) and `pkg/labels/array.go` (`Has`/`Get`, which are what
 * k8s label-selector requirements call while matching).
 */
import { cidrContainsCidr, type CidrPrefix } from '../net/ip.js';
import { cidrLabelKeyToPrefix } from './cidr-labels.js';
import { sortStrings } from '../util/sort.js';

/**
 * Label sources Cilium knows. Sources are open-ended strings (a selector may
 * name any source, e.g. `foo:bar`), so this is a set of well-known constants,
 * not a closed union.
 */
export const LabelSource = {
  /** Pod and namespace metadata from Kubernetes. */
  k8s: 'k8s',
  /** Reserved identities (`reserved:host`, `reserved:world`, …). */
  reserved: 'reserved',
  /** CIDR identities; keys are prefixes with `:` written as `-`. */
  cidr: 'cidr',
  /** FQDN identities (IPs learned from DNS). */
  fqdn: 'fqdn',
  /** CiliumCIDRGroup labels. */
  cidrGroup: 'cidrgroup',
  /** Label parsed without a source. */
  unspec: 'unspec',
  /** Selector-only wildcard source: matches a label of any source. */
  any: 'any',
  /** Node labels. */
  node: 'node',
} as const;

/** One Cilium label. Reserved and CIDR labels have an empty value. */
export interface Label {
  readonly source: string;
  readonly key: string;
  readonly value: string;
}

/**
 * Splits a label text into source and rest, exactly as `parseSource` in
 * `pkg/labels/labels.go` with `:` as delimiter: `$x` means `reserved:x`;
 * otherwise split at the **first** `:`; with no `:`, a text starting with
 * `reserved.` is reserved; else the source is empty (caller decides the
 * default: `unspec` for labels, `any` for selector keys).
 */
export function parseSource(text: string): { source: string; rest: string } {
  if (text === '') return { source: '', rest: '' };
  if (text[0] === '$') return { source: LabelSource.reserved, rest: text.slice(1) };
  const i = text.indexOf(':');
  if (i < 0) {
    if (text.startsWith('reserved.')) return { source: LabelSource.reserved, rest: text.slice('reserved.'.length) };
    return { source: '', rest: text };
  }
  return { source: text.slice(0, i), rest: text.slice(i + 1) };
}

/**
 * Parses `[source:]key[=value]` as Cilium's `ParseLabel` does: no source means
 * `unspec`; the value starts after the first `=`; the quirk `reserved:=x`
 * (an `=` right after a reserved source) makes `x` the key.
 *
 * @example parseLabel('k8s:app=web') // {source:'k8s', key:'app', value:'web'}
 * @example parseLabel('$host')        // {source:'reserved', key:'host', value:''}
 */
export function parseLabel(text: string): Label {
  const { source: src, rest } = parseSource(text);
  const source = src === '' ? LabelSource.unspec : src;
  const eq = rest.indexOf('=');
  if (eq < 0) return { source, key: rest, value: '' };
  if (eq === 0 && source === LabelSource.reserved) return { source, key: rest.slice(1), value: '' };
  return { source, key: rest.slice(0, eq), value: rest.slice(eq + 1) };
}

/**
 * Like {@link parseLabel} but a missing source means `any`, as Cilium's
 * `ParseSelectLabel` (used for selector keys and `Has`/`Get` lookups).
 */
export function parseSelectLabel(text: string): Label {
  const l = parseLabel(text);
  // Cilium rewrites `unspec` to `any`, so an explicit `unspec:` source does too.
  return l.source === LabelSource.unspec ? { ...l, source: LabelSource.any } : l;
}

/** `source:key=value`, or `source:key` when the value is empty (Cilium `Label.String`). */
export function formatLabel(l: Label): string {
  return l.value === '' ? `${l.source}:${l.key}` : `${l.source}:${l.key}=${l.value}`;
}

/** Makes a label; a convenience for tables and tests. */
export function label(source: string, key: string, value = ''): Label {
  return { source, key, value };
}

interface CidrLabel {
  readonly label: Label;
  readonly prefix: CidrPrefix;
}

const NO_CIDRS: readonly CidrLabel[] = Object.freeze([]);

/**
 * An immutable set of labels, sorted by key, **at most one label per key**:
 * Cilium's `labels.Labels` is a map keyed by the label key, so a later label
 * with the same key replaces an earlier one whatever its source.
 *
 * `canonical` is Cilium's `SortedList` format (`source:key=value;` per label,
 * sorted by key), the string Cilium derives identity keys from; two label sets
 * are the same identity iff their canonical strings are equal.
 */
export class LabelSet {
  /** The labels, sorted by key. */
  readonly labels: readonly Label[];
  /** `source:key=value;…` sorted by key (`pkg/labels/labels.go: SortedList`). */
  readonly canonical: string;
  private readonly byKey: ReadonlyMap<string, Label>;
  /** CIDR-source labels with their parsed prefixes, for prefix-aware lookups. */
  private readonly cidrs: readonly CidrLabel[];

  private constructor(byKey: Map<string, Label>) {
    // By UTF-16 code units, exactly as compareStrings (Go's sort.Strings).
    const keys = sortStrings(Array.from(byKey.keys()));
    const labels = new Array<Label>(keys.length);
    let canonical = '';
    let cidrs: CidrLabel[] | undefined;
    for (let i = 0; i < keys.length; i++) {
      const l = byKey.get(keys[i]!)!;
      labels[i] = l;
      canonical += `${l.source}:${l.key}=${l.value};`;
      if (l.source !== LabelSource.cidr) continue;
      const prefix = cidrLabelKeyToPrefix(l.key);
      if (prefix) (cidrs ??= []).push({ label: l, prefix });
    }
    this.labels = Object.freeze(labels);
    this.byKey = byKey;
    this.canonical = canonical;
    this.cidrs = cidrs ?? NO_CIDRS;
  }

  /** Builds a set; later labels replace earlier ones with the same key. */
  static of(labels: Iterable<Label>): LabelSet {
    const m = new Map<string, Label>();
    // Labels are readonly values, so they are shared, not copied.
    if (Array.isArray(labels)) for (let i = 0; i < labels.length; i++) m.set((labels[i] as Label).key, labels[i] as Label);
    else for (const l of labels) m.set(l.key, l);
    return new LabelSet(m);
  }

  /** Builds a set from labels by key that the caller hands over (and never touches again). */
  static ofMap(byKey: Map<string, Label>): LabelSet {
    return new LabelSet(byKey);
  }

  /** Parses each text with {@link parseLabel}. */
  static parse(...texts: string[]): LabelSet {
    return LabelSet.of(texts.map(parseLabel));
  }

  /** The empty set. */
  static readonly empty: LabelSet = LabelSet.of([]);

  get size(): number {
    return this.labels.length;
  }

  /**
   * The label this set has for a selector key, following Cilium's
   * `Label.HasKey` (`pkg/labels/labels.go`, 1.16+): source `any` matches any
   * source; another source must be equal; and when both the selector key and
   * the label have source `cidr`, the selector's prefix matches any label
   * whose prefix lies inside it (`cidr:10.0.0.0/8` finds `cidr:10.1.2.0/24`).
   */
  find(key: string, source: string = LabelSource.any): Label | undefined {
    if (source === LabelSource.cidr) return this.findCidr(key, this.cidrs.length > 0 ? cidrLabelKeyToPrefix(key) : undefined);
    const l = this.byKey.get(key);
    if (!l) return undefined;
    return source === LabelSource.any || l.source === source ? l : undefined;
  }

  /**
   * {@link find} for a `cidr:` key whose prefix the caller already parsed
   * (`want`, undefined when the key is not a prefix): selectors parse their
   * keys once instead of once per identity they are matched against.
   */
  findCidr(key: string, want: CidrPrefix | undefined): Label | undefined {
    if (want) for (const c of this.cidrs) if (cidrContainsCidr(want, c.prefix)) return c.label;
    const l = this.byKey.get(key);
    return l?.source === LabelSource.cidr ? l : undefined;
  }

  /** The prefixes of this set's `cidr:` labels (keys that parse as prefixes), for indexing CIDR identities. */
  cidrPrefixes(): CidrPrefix[] {
    return this.cidrs.map((c) => c.prefix);
  }

  /** True when {@link find} finds a label (`LabelArray.Has`). */
  has(key: string, source: string = LabelSource.any): boolean {
    return this.find(key, source) !== undefined;
  }

  /** The value of the label {@link find} finds (`LabelArray.Get`). */
  get(key: string, source: string = LabelSource.any): string | undefined {
    return this.find(key, source)?.value;
  }

  /** True when some label has this source. */
  hasSource(source: string): boolean {
    return this.labels.some((l) => l.source === source);
  }

  /** A new set with `more` added (replacing same keys). */
  with(...more: Label[]): LabelSet {
    return LabelSet.of([...this.labels, ...more]);
  }

  /** Labels as `source:key=value` texts, sorted by key. */
  toStrings(): string[] {
    return this.labels.map(formatLabel);
  }

  toString(): string {
    return this.toStrings().join(',');
  }
}

/** Byte-order string comparison, as Go's `sort.Strings` (not locale-aware). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
