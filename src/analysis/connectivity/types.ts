/**
 * @module analysis/connectivity/types
 *
 * The three forms a connectivity test takes on its way through polis:
 * a parsed {@link TestCase} (what the author wrote, checked and located),
 * and a {@link CaseResult} (what the engine said, and whether that is what
 * the author expected). Formatters read only results.
 */
import type { SourceLocation } from '../../diagnostics/diagnostic.js';
import type { TrafficSpec } from '../../engine/types.js';
import type { L4Protocol } from '../../policy/rule.js';
import type { EndpointRef } from './endpoint-ref.js';

/** Fields of a case that diagnostics can point at. */
export type CaseField = 'from' | 'to' | 'port' | 'protocol' | 'icmp' | 'dns';

/**
 * One case of a test file, checked for syntax but not yet looked up in the
 * cluster. Traffic fields are as written; defaults (TCP, UDP for DNS, the
 * service port's protocol) are chosen in `resolve.ts`.
 */
export interface TestCase extends TrafficSpec {
  /** `metadata.name` of the ConnectivityTest it belongs to. */
  readonly test: string;
  /** 0-based position in `spec.cases`. */
  readonly index: number;
  /** As written; undefined when the author gave none (the runner generates one). */
  readonly name?: string;
  readonly from: EndpointRef;
  /** Undefined only for DNS cases, which default to the kube-dns Service. */
  readonly to?: EndpointRef;
  readonly expect: 'allow' | 'deny';
  /** Where the case starts (`- from: …`). */
  readonly location: SourceLocation;
  /** Where one of its fields is (falls back to the case). */
  readonly locate: (field: CaseField) => SourceLocation;
}

/** One `ConnectivityTest` object. */
export interface ConnectivityTest {
  readonly name: string;
  readonly file: string;
  /** Which object of its file it is (0-based, every kind counted), to find positions again. */
  readonly objectIndex: number;
  readonly location: SourceLocation;
  /** `spec.dns`: lower-cased names without trailing dot → addresses (a Map: names are any strings, `__proto__` too). */
  readonly dns: ReadonlyMap<string, readonly string[]>;
  readonly cases: readonly TestCase[];
}

/** What running one case gave. */
export interface CaseResult {
  /** `metadata.name` of the test. */
  readonly test: string;
  readonly name: string;
  readonly from: string;
  readonly to: string;
  /** Destination port; undefined for ICMP. */
  readonly port?: number;
  readonly protocol: L4Protocol;
  readonly icmpType?: number;
  /** The name looked up, for DNS cases. */
  readonly dns?: string;
  readonly expect: 'allow' | 'deny';
  /** `allow` only if every (source, destination) pair was allowed. */
  readonly verdict: 'allow' | 'deny';
  readonly pass: boolean;
  /** The engine's reason: of the first denied pair, else of the first pair. */
  readonly reason: string;
  /** How many (source, destination) pairs were evaluated (pods of workloads, addresses of names). */
  readonly pairs: number;
  /** For a failing case: the rules that decided it, with file:line. */
  readonly explanation?: string;
  readonly location: SourceLocation;
}

/**
 * `shop/admin -> shop/db 5432/TCP`, `shop/admin -> svc:kube-system/kube-dns DNS example.com 53/UDP`:
 * a case's traffic, and the name of a case its author left unnamed. ASCII, with Hubble's own arrow
 * (`hubble observe` prints `a -> b`): a suite's JSON results stay one-byte text, which V8 formats
 * and encodes about 1.7 times as fast as text with one `→` in it.
 */
export function trafficLabel(r: Pick<CaseResult, 'from' | 'to' | 'port' | 'protocol' | 'icmpType' | 'dns'>): string {
  return `${r.from} -> ${r.to} ${r.dns !== undefined ? `DNS ${r.dns} ` : ''}${portLabel(r)}`;
}

/** `80/TCP`, `ICMP/8`, `53/UDP` — how a result's port reads. */
export function portLabel(r: Pick<CaseResult, 'port' | 'protocol' | 'icmpType'>): string {
  if (r.protocol === 'ICMP' || r.protocol === 'ICMPv6') return `${r.protocol}/${r.icmpType ?? ''}`;
  return `${r.port ?? '?'}/${r.protocol}`;
}
