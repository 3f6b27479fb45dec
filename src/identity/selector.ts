/**
 * @module identity/selector
 *
 * Cilium's EndpointSelector: a k8s label selector whose keys carry a label
 * source, matched against an identity's {@link LabelSet}
 * (`pkg/policy/api/selector.go`, semantics.md §2.1).
 *
 * - Keys are normalised once, at construction: `src:rest` → source `src`
 *   (split at the first `:`), no `:` → source `any` (`GetExtendedKeyFrom`).
 * - Terms are ANDed. `matchLabels k: v` means "label present with value v";
 *   `NotIn` also matches when the key is absent; an empty selector matches
 *   every identity, reserved ones included.
 * - `cidr:` keys are prefix-aware (the lookup is {@link LabelSet.find}).
 * - A selector that fails k8s validation selects nothing
 *   (`EndpointSelector.Matches` returns false when its requirements could not
 *   be built).
 *
 * Selectors are immutable; {@link EndpointSelector.withTerm} returns a new
 * one. The policy layer builds them, the identity table evaluates each
 * distinct {@link EndpointSelector.canonical} once.
 */
import type { CidrPrefix } from '../net/ip.js';
import { cidrLabelKeyToPrefix } from './cidr-labels.js';
import { LabelSet, LabelSource, compareStrings, formatLabel, parseSource, type Label } from './labels.js';
import {
  extendedKey,
  labelSelectorProblems,
  type K8sLabelSelector,
  type K8sLabelSelectorRequirement,
  type SelectorProblem,
} from './selector-validation.js';

/** The four k8s selector operators. */
export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

const OPERATORS: ReadonlySet<string> = new Set<SelectorOperator>(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/** A selector key after normalisation. */
export interface SelectorKey {
  /** `any` when the key was written without a source. */
  readonly source: string;
  readonly key: string;
}

/** One `matchLabels` entry: label present with exactly this value. */
export interface MatchLabelTerm extends SelectorKey {
  readonly value: string;
}

/** One `matchExpressions` entry. */
export interface MatchExpressionTerm extends SelectorKey {
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/**
 * A term to inject into a selector, key written in Cilium form
 * (`k8s:io.kubernetes.pod.namespace`, `reserved:remote-node`, `app`).
 * `match` goes to matchLabels (replacing the same normalised key, as Cilium's
 * `AddMatch` writes a map entry); `expression` is appended to
 * matchExpressions (`AddMatchExpression`).
 */
export type SelectorTerm =
  | { readonly kind: 'match'; readonly key: string; readonly value: string }
  | { readonly kind: 'expression'; readonly key: string; readonly operator: SelectorOperator; readonly values?: readonly string[] };

/**
 * Normalises a selector key as written (`GetExtendedKeyFrom`): split the
 * source at the first `:` (`$x` and `reserved.x` are reserved), no source →
 * `any`, and drop an `=value` suffix.
 */
export function normaliseSelectorKey(written: string): SelectorKey {
  const { source, rest } = parseSource(written);
  const eq = rest.indexOf('=');
  return { source: source === '' ? 'any' : source, key: eq >= 0 ? rest.slice(0, eq) : rest };
}

/** Compiled requirement; `values` as a Set for O(1) membership, a `cidr:` key parsed once. */
interface Requirement {
  readonly source: string;
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: ReadonlySet<string>;
  /** The key as a prefix when the source is `cidr` and the key parses. */
  readonly prefix: CidrPrefix | undefined;
}

const keyPrefix = (source: string, key: string) => (source === LabelSource.cidr ? cidrLabelKeyToPrefix(key) : undefined);

const NO_PROBLEMS: readonly SelectorProblem[] = Object.freeze([]);

const cmpKey = (a: SelectorKey, b: SelectorKey) => compareStrings(extendedKey(a.source, a.key), extendedKey(b.source, b.key));

function extendedKeyOf(written: string): string {
  const k = normaliseSelectorKey(written);
  return extendedKey(k.source, k.key);
}

/**
 * Selectors built by {@link EndpointSelector.fromK8s}, by {@link selectorSpecKey}.
 * Policies repeat the same few selectors (1,000 policies of a generated
 * cluster write ~300 distinct ones): a selector is immutable, so one object
 * serves every rule that writes it. Bounded; cleared when full.
 */
const built = new Map<string, EndpointSelector>();
const MEMO_LIMIT = 16384;

/**
 * An exact key for a selector as written: every matchLabels entry in order
 * and every expression with its values, each string prefixed by its length
 * (so no text can imitate a separator). `undefined` when a field is not of
 * the expected type: such a selector is built afresh, never shared.
 */
export function selectorSpecKey(raw: K8sLabelSelector): string | undefined {
  let key = 'L';
  const ml = raw.matchLabels;
  if (ml !== undefined) {
    if (typeof ml !== 'object' || ml === null) return undefined;
    for (const w of Object.keys(ml)) {
      const v = ml[w];
      if (typeof v !== 'string') return undefined;
      key += `${w.length}:${w}${v.length}:${v}`;
    }
  }
  key += 'E';
  const me = raw.matchExpressions;
  if (me !== undefined) {
    if (!Array.isArray(me)) return undefined;
    for (const e of me as readonly K8sLabelSelectorRequirement[]) {
      if (typeof e !== 'object' || e === null || typeof e.key !== 'string' || typeof e.operator !== 'string') return undefined;
      key += `${e.key.length}:${e.key}${e.operator.length}:${e.operator}`;
      const vs = e.values;
      if (vs === undefined) key += 'u';
      else {
        if (!Array.isArray(vs)) return undefined;
        key += `v${vs.length}`;
        for (const v of vs as readonly unknown[]) {
          if (typeof v !== 'string') return undefined;
          key += `:${v.length}:${v}`;
        }
      }
    }
  }
  return key;
}

/** An exact key for an injected term (length-prefixed, as {@link selectorSpecKey}). */
function termKey(term: SelectorTerm): string {
  if (term.kind === 'match') return `m${term.key.length}:${term.key}${term.value}`;
  let key = `e${term.operator}:${term.key.length}:${term.key}`;
  if (term.values) for (const v of term.values) key += `:${v.length}:${v}`;
  return key;
}

/** An immutable Cilium EndpointSelector. Build with {@link EndpointSelector.fromK8s} or {@link EndpointSelector.fromLabels}. */
export class EndpointSelector {
  /** matchLabels, sorted by normalised key (one entry per key). */
  readonly matchLabels: readonly MatchLabelTerm[];
  /** matchExpressions in the order written / injected. */
  readonly matchExpressions: readonly MatchExpressionTerm[];
  /** Syntax problems; when non-empty the selector selects nothing. */
  readonly problems: readonly SelectorProblem[];
  /**
   * Stable string identifying the selector, for dedup and caching. Like
   * Cilium's selector-cache key it keeps matchLabels apart from
   * matchExpressions and expressions in order, so two selectors Cilium would
   * treat as different selectors (e.g. for L7 merging, semantics.md §5.4)
   * stay different here.
   */
  readonly canonical: string;
  private readonly reqs: readonly Requirement[];

  private constructor(ml: readonly MatchLabelTerm[], me: readonly MatchExpressionTerm[], problems: readonly SelectorProblem[]) {
    this.matchLabels = Object.freeze(ml.length > 1 ? ml.slice().sort(cmpKey) : ml.slice());
    this.matchExpressions = Object.freeze(me.slice());
    this.problems = problems.length ? Object.freeze(problems.slice()) : NO_PROBLEMS;
    // Built in loops (selectors are built by the hundred while nothing is optimised yet); the text is unchanged.
    const labels: [string, string][] = [];
    const exprs: [string, SelectorOperator, readonly string[]][] = [];
    const reqs: Requirement[] = [];
    for (let i = 0; i < this.matchLabels.length; i++) {
      const t = this.matchLabels[i]!;
      labels.push([`${t.source}:${t.key}`, t.value]);
      // add() rather than a one-item list to iterate: a thousand policies build these before anything is optimised.
      reqs.push({ source: t.source, key: t.key, operator: 'In', values: new Set<string>().add(t.value), prefix: keyPrefix(t.source, t.key) });
    }
    for (const t of this.matchExpressions) {
      exprs.push([`${t.source}:${t.key}`, t.operator, t.values]);
      reqs.push({ source: t.source, key: t.key, operator: t.operator, values: new Set(t.values), prefix: keyPrefix(t.source, t.key) });
    }
    // Problems (which name any bad operator) keep invalid selectors apart from valid ones.
    this.canonical = JSON.stringify(this.problems.length ? [labels, exprs, this.problems.map((p) => `${p.path} ${p.message}`)] : [labels, exprs]);
    this.reqs = reqs;
  }

  /** The selector with no terms: selects every identity. */
  static readonly wildcard: EndpointSelector = new EndpointSelector([], [], []);

  /**
   * From a parsed k8s LabelSelector as written in a policy. Keys are
   * normalised; syntax problems are recorded in {@link problems} (and make
   * the selector select nothing), never thrown.
   */
  static fromK8s(raw: K8sLabelSelector): EndpointSelector {
    const key = selectorSpecKey(raw);
    if (key === undefined) return EndpointSelector.build(raw);
    let sel = built.get(key);
    if (!sel) {
      if (built.size >= MEMO_LIMIT) built.clear();
      built.set(key, (sel = EndpointSelector.build(raw)));
    }
    return sel;
  }

  private static build(raw: K8sLabelSelector): EndpointSelector {
    const problems = labelSelectorProblems(raw, extendedKeyOf);
    const ml = new Map<string, MatchLabelTerm>();
    for (const [w, value] of Object.entries(raw.matchLabels ?? {})) {
      const k = normaliseSelectorKey(w);
      ml.set(extendedKey(k.source, k.key), { ...k, value });
    }
    const me: MatchExpressionTerm[] = [];
    for (const e of raw.matchExpressions ?? []) {
      // An unknown operator is already a problem; the term itself cannot be modelled.
      if (!OPERATORS.has(e.operator)) continue;
      me.push({ ...normaliseSelectorKey(e.key), operator: e.operator as SelectorOperator, values: [...(e.values ?? [])] });
    }
    return new EndpointSelector([...ml.values()], me, problems);
  }

  /**
   * A selector requiring each label (key, source and value), as Cilium's
   * `NewESFromLabels` (used for entities: `reserved:world` etc.).
   */
  static fromLabels(...labels: Label[]): EndpointSelector {
    let key = '#';
    for (const l of labels) key += `${l.source.length}:${l.source}${l.key.length}:${l.key}${l.value.length}:${l.value}`;
    let sel = built.get(key);
    if (!sel) {
      if (built.size >= MEMO_LIMIT) built.clear();
      built.set(key, (sel = EndpointSelector.buildFromLabels(labels)));
    }
    return sel;
  }

  private static buildFromLabels(labels: readonly Label[]): EndpointSelector {
    const ml = new Map<string, MatchLabelTerm>();
    for (const l of labels) ml.set(extendedKey(l.source, l.key), { source: l.source, key: l.key, value: l.value });
    return new EndpointSelector([...ml.values()], [], []);
  }

  /** True when the selector has no terms (and is valid): it selects everything. */
  get isWildcard(): boolean {
    return this.reqs.length === 0 && this.problems.length === 0;
  }

  /** True when the selector passed k8s validation. */
  get isValid(): boolean {
    return this.problems.length === 0;
  }

  /** Selectors {@link withTerm} made from this one, by the term (policies inject the same few terms over and over). */
  private derived: Map<string, EndpointSelector> | undefined;

  /** A new selector with one more term (see {@link SelectorTerm}). */
  withTerm(term: SelectorTerm): EndpointSelector {
    const key = termKey(term);
    const derived = (this.derived ??= new Map());
    let sel = derived.get(key);
    if (!sel) derived.set(key, (sel = this.addTerm(term)));
    return sel;
  }

  private addTerm(term: SelectorTerm): EndpointSelector {
    const k = normaliseSelectorKey(term.key);
    if (term.kind === 'match') {
      const ext = extendedKey(k.source, k.key);
      const ml = this.matchLabels.filter((t) => extendedKey(t.source, t.key) !== ext);
      return new EndpointSelector([...ml, { ...k, value: term.value }], this.matchExpressions, this.problems);
    }
    return new EndpointSelector(this.matchLabels, [...this.matchExpressions, { ...k, operator: term.operator, values: [...(term.values ?? [])] }], this.problems);
  }

  /** Every normalised key the selector mentions (matchLabels first), for policy-layer checks such as "has a reserved: key". */
  keys(): SelectorKey[] {
    return [...this.matchLabels, ...this.matchExpressions].map((t) => ({ source: t.source, key: t.key }));
  }

  /** True when some term uses exactly this normalised key. */
  hasKey(source: string, key: string): boolean {
    return this.keys().some((k) => k.source === source && k.key === key);
  }

  /**
   * Prefixes an identity must have a `cidr:` label inside of to be selected:
   * one per `cidr:` term that requires a label (matchLabels, `In`, `Exists`)
   * and whose key is a prefix. The identity table uses them to look up
   * candidates in a prefix index instead of testing every identity.
   */
  requiredPrefixes(): CidrPrefix[] {
    return this.reqs.filter((r) => r.prefix && (r.operator === 'In' || r.operator === 'Exists')).map((r) => r.prefix!);
  }

  /** True when the selector selects an identity with these labels. */
  matches(labels: LabelSet): boolean {
    if (this.problems.length > 0) return false;
    const reqs = this.reqs;
    for (let i = 0; i < reqs.length; i++) {
      const r = reqs[i]!;
      const found = r.source === LabelSource.cidr ? labels.findCidr(r.key, r.prefix) : labels.find(r.key, r.source);
      switch (r.operator) {
        case 'In':
          if (found === undefined || !r.values.has(found.value)) return false;
          break;
        case 'NotIn':
          if (found !== undefined && r.values.has(found.value)) return false;
          break;
        case 'Exists':
          if (found === undefined) return false;
          break;
        case 'DoesNotExist':
          if (found !== undefined) return false;
          break;
      }
    }
    return true;
  }

  /** Human-readable form in Cilium key syntax, e.g. `k8s:app=web, any:tier NotIn (a,b)`; `{}` for the wildcard. */
  toString(): string {
    const parts = [
      ...this.matchLabels.map((t) => formatLabel({ source: t.source, key: t.key, value: t.value })),
      ...this.matchExpressions.map((t) => `${t.source}:${t.key} ${t.operator}${t.values.length ? ` (${t.values.join(',')})` : ''}`),
    ];
    return parts.length ? parts.join(', ') : '{}';
  }
}
