/**
 * @module manifest/numbers
 *
 * Which plain YAML scalars are numbers, as `kubectl apply` reads them, for
 * both of polis's YAML parsers: the loader reads a document with js-yaml, or
 * with eemeli/yaml when it holds an anchor, and before this module the two
 * disagreed (`0b1010000` was 80 for one and a string for the other, issue 8).
 *
 * kubectl turns YAML into JSON with sigs.k8s.io/yaml `YAMLToJSON`, which
 * unmarshals with go-yaml v2 (gopkg.in/yaml.v2, vendored since as
 * sigs.k8s.io/yaml/goyaml.v2) into `interface{}`: YAML 1.1-style number
 * resolution, `resolve()` in goyaml.v2/resolve.go:
 * - a scalar starting with a digit or sign has every `_` removed, then is an
 *   int if Go's `strconv.ParseInt(s, 0, 64)` accepts it (`0x`/`0X` hex,
 *   `0b`/`0B` binary, `0o`/`0O` and leading-`0` octal, decimal, with sign),
 *   or `ParseUint(s, 0, 64)` (no sign, up to 2^64-1); else a float if it
 *   matches `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$` and is
 *   in range; else, unsigned and too large for 64 bits, a big integer;
 * - a scalar starting with `.` is a float if Go's `ParseFloat` accepts it;
 * - `.inf`, `-.inf`, `+.inf`, `.nan` in three spellings each.
 * Everything else is not a number. YAML 1.2 core would instead refuse `0b…`,
 * `_`, leading-`0` octal and `0X`/`0B`/`0O`.
 *
 * Booleans and null stay YAML 1.2 core in both parsers (`true`/`True`/`TRUE`,
 * `null`/`~`/empty); go-yaml v2 also reads `yes`/`no`/`on`/`off`/`y`/`n` as
 * booleans, which this module does not model.
 */
import { Type as JsYamlType, CORE_SCHEMA, type Schema as JsYamlSchema } from 'js-yaml';
import type { ScalarTag, Tags } from 'yaml';

export type YamlNumber = { readonly kind: 'int' | 'float'; readonly value: number };

const SPECIAL: ReadonlyMap<string, number> = new Map([
  ...['.nan', '.NaN', '.NAN'].map((s) => [s, Number.NaN] as const),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((s) => [s, Number.POSITIVE_INFINITY] as const),
  ...['-.inf', '-.Inf', '-.INF'].map((s) => [s, Number.NEGATIVE_INFINITY] as const),
]);

/** Go `strconv.ParseInt/ParseUint` syntax with base 0 (underscores already removed). */
const GO_INT = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[bB]([01]+)|0[oO]([0-7]+)|0([0-7]*)|([1-9][0-9]*))$/;
/** A decimal int of at most 15 digits: always exact as a double, and no other base applies. */
const SHORT_DECIMAL = /^[0-9]+$/;
/** goyaml.v2 `yamlStyleFloat`. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** What Go's `ParseFloat` accepts from a string starting with `.` (no hex, no underscores there). */
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
/** Most digits a 64-bit magnitude can need, per radix (leading zeros aside). */
const MAX_DIGITS: Readonly<Record<number, number>> = { 2: 64, 8: 22, 10: 20, 16: 16 };

/** The number go-yaml v2 reads from a plain scalar, or undefined when it reads a string (or bool/null). */
export function goYamlNumber(text: string): YamlNumber | undefined {
  const first = text.charCodeAt(0);
  const digitOrSign = (first >= 48 && first <= 57) || first === 43 || first === 45;
  // Most scalars are names: every number, special ones included, starts with a digit, a sign or a dot.
  if (!digitOrSign && first !== 46 /* . */) return undefined;
  const special = SPECIAL.get(text);
  if (special !== undefined) return { kind: 'float', value: special };
  if (first === 46 /* . */) {
    if (!DOT_FLOAT.test(text)) return undefined;
    const value = Number(text);
    return Number.isFinite(value) ? { kind: 'float', value } : undefined;
  }
  // The common case (ports, replicas): a short decimal without a leading zero is exactly its Number.
  if (text.length <= 15 && (first !== 48 || text.length === 1) && SHORT_DECIMAL.test(text)) return { kind: 'int', value: Number(text) };
  const plain = text.includes('_') ? text.replaceAll('_', '') : text;
  const m = GO_INT.exec(plain);
  let tooBig = false;
  if (m) {
    const [, sign, hex, bin, oct, zeroOct, dec] = m;
    const [digits, radix] = hex !== undefined ? [hex, 16] : bin !== undefined ? [bin, 2] : oct !== undefined ? [oct, 8] : zeroOct !== undefined ? [zeroOct, 8] : [dec!, 10];
    const significant = digits.replace(/^0+/, '');
    if (significant.length <= MAX_DIGITS[radix]!) {
      const prefix = radix === 16 ? '0x' : radix === 2 ? '0b' : radix === 8 ? '0o' : '';
      const magnitude = significant === '' ? 0n : BigInt(prefix + significant);
      const v = sign === '-' ? -magnitude : magnitude;
      if (v >= INT64_MIN && v <= INT64_MAX) return { kind: 'int', value: Number(v) };
      if (sign === '' && v <= UINT64_MAX) return { kind: 'int', value: Number(v) };
    }
    // ParseUint reports a range error only for an unsigned number: then goyaml.v2 tries a float, then big.Int.
    tooBig = sign === '';
  }
  if (YAML_STYLE_FLOAT.test(plain)) {
    const value = Number(plain);
    if (Number.isFinite(value)) return { kind: 'float', value };
  }
  if (tooBig && m) {
    const [, , hex, bin, oct, zeroOct] = m;
    const value = hex !== undefined ? Number(BigInt(`0x${hex}`)) : bin !== undefined ? Number(BigInt(`0b${bin}`))
      : oct !== undefined ? Number(BigInt(`0o${oct}`)) : zeroOct !== undefined ? Number(BigInt(`0o${zeroOct}`)) : Number(plain);
    return { kind: 'int', value };
  }
  return undefined;
}

const INT_TAG = 'tag:yaml.org,2002:int';
const FLOAT_TAG = 'tag:yaml.org,2002:float';

/**
 * {@link goYamlNumber} of the scalar asked last: a parser asks the int type,
 * then the float type, then constructs, each about the same scalar.
 */
let lastText: string | undefined;
let lastNumber: YamlNumber | undefined;
function numberOf(s: string): YamlNumber | undefined {
  if (s !== lastText) {
    lastNumber = goYamlNumber(s);
    lastText = s;
  }
  return lastNumber;
}

const isInt = (s: string) => numberOf(s)?.kind === 'int';
/** A `!!float` accepts ints too (goyaml.v2 converts them), so the float type resolves every number. */
const isNumber = (s: string) => numberOf(s) !== undefined;
const numberValue = (s: string) => numberOf(s)!.value;

/** js-yaml's core schema with go-yaml v2 numbers (types with the int/float tags replace the core ones in place). */
export const JS_YAML_SCHEMA: JsYamlSchema = CORE_SCHEMA.extend({
  implicit: [
    new JsYamlType(INT_TAG, { kind: 'scalar', resolve: (d: string | null) => d !== null && isInt(d), construct: numberValue, predicate: Number.isInteger }),
    new JsYamlType(FLOAT_TAG, { kind: 'scalar', resolve: (d: string | null) => d !== null && isNumber(d), construct: numberValue, predicate: (v) => typeof v === 'number' }),
  ],
});

/**
 * eemeli/yaml wants a RegExp as a tag's `test`; this one asks a function,
 * so both parsers decide with {@link goYamlNumber} itself.
 */
class FunctionTest extends RegExp {
  constructor(private readonly accepts: (s: string) => boolean) {
    super('(?:)');
  }
  override test(s: string): boolean {
    return this.accepts(s);
  }
}

const yamlTag = (tag: string, accepts: (s: string) => boolean): ScalarTag => ({
  tag,
  default: true,
  test: new FunctionTest(accepts),
  identify: (v) => typeof v === 'number',
  resolve: (s) => (accepts(s) ? numberValue(s) : s),
});

/** eemeli/yaml `customTags`: the base schema's int and float tags replaced by go-yaml v2 numbers. */
export const yamlNumberTags = (tags: Tags): Tags => [
  ...tags.filter((t) => (typeof t === 'string' ? !/^(int|float)/.test(t) : t.tag !== INT_TAG && t.tag !== FLOAT_TAG)),
  yamlTag(INT_TAG, isInt),
  yamlTag(FLOAT_TAG, isNumber),
];
