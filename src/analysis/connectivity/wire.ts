/**
 * @module analysis/connectivity/wire
 *
 * Cases in columns, to cross from the parse worker to the main thread.
 * Structured clone writes every object with all its key names, so 100,000
 * cases made a 22 MB message that took ~0.35 s to write in the worker and
 * ~0.5 s to read on the main thread, which is the busy one. In columns a
 * plain case is twelve numbers in one typed array; its endpoints are
 * indexes into one list of distinct endpoint references (a suite names each
 * pod many times), which grows batch by batch: a batch carries only the
 * references it adds, so the receiving side keeps one object per endpoint
 * over the whole suite. A case with a name or an L7 request, or a number the
 * columns cannot hold, crosses whole, beside them.
 */
import type { SourceLocation } from '../../diagnostics/diagnostic.js';
import type { L4Protocol } from '../../policy/rule.js';
import type { EndpointRef } from './endpoint-ref.js';
import { testCase } from './parse.js';
import type { TestCase } from './types.js';

/** A case without its `locate` closure: what structured clone can carry. */
export type WireCase = Omit<TestCase, 'locate'> & { readonly locate?: undefined };

export interface CaseColumns {
  readonly count: number;
  /** {@link STRIDE} numbers per case (see the F_ offsets); unused for a case in `whole`. */
  readonly ints: Int32Array;
  /** The endpoint references this batch adds to the list that the batches before it built. */
  readonly newRefs: readonly EndpointRef[];
  readonly files: readonly string[];
  /** Cases that cross as objects, by position. */
  readonly whole: readonly (readonly [number, WireCase])[];
}

const PROTOCOLS: readonly L4Protocol[] = ['TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6'];
const F_INDEX = 0, F_EXPECT = 1, F_PROTOCOL = 2, F_PORT = 3, F_ICMP = 4, F_FROM = 5, F_TO = 6, F_FILE = 7, F_LINE = 8, F_COL = 9, F_OFFSET = 10, F_END = 11;
const STRIDE = 12;
/** Absent (undefined) in a column. */
const NONE = -1;

const isSmall = (n: number | undefined) => n === undefined || (Number.isInteger(n) && n >= 0 && n <= 0x7fffffff);
const LOCATION_KEYS = ['file', 'line', 'col', 'offset', 'endOffset'];

/** True when the columns hold everything of the case (its location too: exactly the five fields). */
function fitsColumns(c: Omit<TestCase, 'locate'>): boolean {
  const l = c.location;
  return c.name === undefined && c.http === undefined && c.dns === undefined && c.kafka === undefined && c.tls === undefined
    && isSmall(c.index) && isSmall(c.port) && isSmall(c.icmpType) && (c.protocol === undefined || PROTOCOLS.includes(c.protocol))
    && isSmall(l.line) && isSmall(l.col) && isSmall(l.offset) && isSmall(l.endOffset)
    && Object.keys(l).length === LOCATION_KEYS.length && LOCATION_KEYS.every((k) => k in l);
}

/** The sending side's numbering of endpoint references, kept from batch to batch. */
export class RefNumbering {
  private readonly ids = new Map<EndpointRef, number>();
  private fresh: EndpointRef[] = [];

  id(r: EndpointRef): number {
    let id = this.ids.get(r);
    if (id === undefined) {
      this.ids.set(r, (id = this.ids.size));
      this.fresh.push(r);
    }
    return id;
  }

  /** The references numbered since the last call. */
  takeFresh(): EndpointRef[] {
    const f = this.fresh;
    this.fresh = [];
    return f;
  }
}

/**
 * `cases` may keep their `locate`: it stays behind. Batches of one stream
 * share `numbering`, and are read back in order with one `refs` list.
 */
export function toColumns(cases: readonly Omit<TestCase, 'locate'>[], numbering = new RefNumbering()): CaseColumns {
  const ints = new Int32Array(cases.length * STRIDE);
  const files: string[] = [];
  const whole: [number, WireCase][] = [];
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i]!;
    if (!fitsColumns(c)) {
      whole.push([i, testCase(c, undefined)]);
      continue;
    }
    const k = i * STRIDE;
    let file = files.indexOf(c.location.file);
    if (file < 0) file = files.push(c.location.file) - 1;
    ints[k + F_INDEX] = c.index;
    ints[k + F_EXPECT] = c.expect === 'deny' ? 1 : 0;
    ints[k + F_PROTOCOL] = c.protocol === undefined ? NONE : PROTOCOLS.indexOf(c.protocol);
    ints[k + F_PORT] = c.port ?? NONE;
    ints[k + F_ICMP] = c.icmpType ?? NONE;
    ints[k + F_FROM] = numbering.id(c.from);
    ints[k + F_TO] = c.to === undefined ? NONE : numbering.id(c.to);
    ints[k + F_FILE] = file;
    ints[k + F_LINE] = c.location.line;
    ints[k + F_COL] = c.location.col;
    ints[k + F_OFFSET] = c.location.offset;
    ints[k + F_END] = c.location.endOffset;
  }
  return { count: cases.length, ints, newRefs: numbering.takeFresh(), files, whole };
}

/**
 * The cases again, each given its `locate` by `locateOf`; `test` is the
 * test's name. `refs` is the list the earlier batches of the stream built
 * (this batch's references are added to it).
 */
export function fromColumns(
  cols: CaseColumns, test: string, locateOf: (index: number, location: SourceLocation) => TestCase['locate'], refs: EndpointRef[] = [],
): TestCase[] {
  const out = new Array<TestCase>(cols.count);
  const { ints, files } = cols;
  for (const r of cols.newRefs) refs.push(r);
  const whole = new Map(cols.whole);
  for (let i = 0; i < cols.count; i++) {
    const w = whole.get(i);
    if (w) {
      out[i] = testCase(w, locateOf(w.index, w.location));
      continue;
    }
    const k = i * STRIDE;
    const protocol = ints[k + F_PROTOCOL]!;
    const port = ints[k + F_PORT]!;
    const icmp = ints[k + F_ICMP]!;
    const to = ints[k + F_TO]!;
    const location: SourceLocation = { file: files[ints[k + F_FILE]!]!, line: ints[k + F_LINE]!, col: ints[k + F_COL]!, offset: ints[k + F_OFFSET]!, endOffset: ints[k + F_END]! };
    const index = ints[k + F_INDEX]!;
    out[i] = testCase({
      test, index, name: undefined, from: refs[ints[k + F_FROM]!]!, to: to === NONE ? undefined : refs[to], expect: ints[k + F_EXPECT] === 1 ? 'deny' : 'allow',
      protocol: protocol === NONE ? undefined : PROTOCOLS[protocol], port: port === NONE ? undefined : port, icmpType: icmp === NONE ? undefined : icmp,
      http: undefined, dns: undefined, kafka: undefined, tls: undefined, location,
    }, locateOf(index, location));
  }
  return out;
}
