/**
 * @module analysis/connectivity/parse
 *
 * Test files → {@link ConnectivityTest}s, with every problem as a diagnostic
 * at file:line:col. Files are read by the manifest loader, so tests get the
 * same YAML handling as manifests (multi-document, `kind: List`, hostile
 * input) and the same friendly schema messages (`checkSchema`). Nothing here
 * looks at the cluster: that an endpoint exists is checked in `resolve.ts`.
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { checkSchema, type SchemaResult } from '../../manifest/check-schema.js';
import { loadManifests } from '../../manifest/load.js';
import { formatPath, type FieldPath, type ManifestObject } from '../../manifest/object.js';
import type { SourceFile } from '../../manifest/source.js';
import { parseIp } from '../../net/ip.js';
import { icmpTypeNumber } from '../../policy/icmp.js';
import type { L4Protocol } from '../../policy/rule.js';
import { suggest } from '../../util/suggest.js';
import { parseEndpointRef, type EndpointRef, type EndpointRefResult } from './endpoint-ref.js';
import { connectivityTestSchema, isPlainCase, type CaseSpec, type ConnectivityTestSpec } from './schema.js';
import type { CaseField, ConnectivityTest, TestCase } from './types.js';

export interface ParseResult {
  readonly tests: readonly ConnectivityTest[];
  readonly diagnostics: readonly Diagnostic[];
}

/** A test without its cases: what goes ahead of them when a parse streams. */
export type TestHeader = Omit<ConnectivityTest, 'cases'>;

/**
 * A parse as it goes, in order: per test its header, its cases in batches
 * and its end (`kept` false: it had errors, which `done` lists); `done` comes
 * last. A big suite streams, so that its first cases run while the rest are
 * still being read (`polis test` parses in a worker: parse-parallel.ts).
 * `restart` (from a worker that failed) voids everything before it.
 */
export type ParseEvent =
  | { readonly kind: 'test'; readonly test: TestHeader }
  | { readonly kind: 'cases'; readonly cases: readonly TestCase[] }
  | { readonly kind: 'end'; readonly kept: boolean }
  | { readonly kind: 'done'; readonly diagnostics: readonly Diagnostic[] }
  | { readonly kind: 'restart' };

/** Cases per batch: a worker's message per batch costs little, and the first batch comes early. */
export const CASE_BATCH = 8192;

/** Builds the whole {@link ParseResult} from a parse's events. */
export class ParseCollector {
  private tests: ConnectivityTest[] = [];
  private header: TestHeader | undefined;
  private cases: TestCase[] = [];
  /** Set by `done`. */
  result: ParseResult | undefined;

  add(e: ParseEvent): void {
    switch (e.kind) {
      case 'restart':
        this.tests = [];
        break;
      case 'test':
        this.header = e.test;
        this.cases = [];
        break;
      case 'cases':
        for (const c of e.cases) this.cases.push(c);
        break;
      case 'end':
        if (e.kept) this.tests.push({ ...this.header!, cases: this.cases });
        break;
      case 'done':
        this.result = { tests: this.tests, diagnostics: e.diagnostics };
    }
  }
}

const KIND = 'ConnectivityTest';

/** Reads every ConnectivityTest of the given files; any other object is an error. */
export function parseConnectivityTests(sources: readonly SourceFile[]): ParseResult {
  const collector = new ParseCollector();
  streamConnectivityTests(sources, (e) => collector.add(e));
  return collector.result!;
}

/** The same parse, handed to `emit` as it goes (`done` last). */
export function streamConnectivityTests(sources: readonly SourceFile[], emit: (e: ParseEvent) => void, batch = CASE_BATCH): void {
  const loaded = loadManifests(sources);
  const diagnostics: Diagnostic[] = [...loaded.diagnostics];
  const perFile = new Map<string, number>();
  for (const obj of loaded.objects) {
    const objectIndex = perFile.get(obj.file) ?? 0;
    perFile.set(obj.file, objectIndex + 1);
    if (obj.kind !== KIND) {
      // An error, not a skip: a misspelt kind would otherwise turn a test into silence.
      const guess = suggest(obj.kind, [KIND]);
      diagnostics.push({
        code: 'not-a-test', severity: 'error', location: obj.locate(['kind']), object: obj.displayName,
        message: `${obj.kind} is not a ConnectivityTest: files given with --tests hold only tests`,
        hint: guess ? `did you mean kind: ${KIND}?` : 'pass manifests and policies with -f, tests with --tests',
      });
      continue;
    }
    parseObject(obj, objectIndex, diagnostics, emit, batch);
  }
  emit({ kind: 'done', diagnostics });
}

function parseObject(obj: ManifestObject, objectIndex: number, diagnostics: Diagnostic[], emit: (e: ParseEvent) => void, batch: number): void {
  const checked = checkTest(obj);
  diagnostics.push(...checked.diagnostics);
  const spec = checked.value;
  if (!spec) return;
  const before = diagnostics.length;
  const error = (path: FieldPath, code: string, message: string, hint?: string) =>
    diagnostics.push({
      code, severity: 'error', location: obj.locate(path), path: formatPath(path), object: obj.displayName, message,
      ...(hint ? { hint } : {}),
    });

  const dns = new Map<string, readonly string[]>();
  for (const [name, addresses] of Object.entries(spec.spec.dns ?? {})) {
    addresses.forEach((a, i) => {
      if (!parseIp(a)) error(['spec', 'dns', name, i], 'invalid-ip', `${JSON.stringify(a)} is not an IP address`, 'DNS answers are addresses such as 203.0.113.10');
    });
    dns.set(name.toLowerCase().replace(/\.$/, ''), addresses);
  }
  emit({ kind: 'test', test: { name: spec.metadata.name, file: obj.file, objectIndex, location: obj.location, dns } });
  // Cases stream only under valid DNS answers: the engine compiles those (and would refuse a bad one).
  const streams = diagnostics.length === before;
  // A suite names the same endpoints over and over: parse each text once.
  const refs = new Map<string, EndpointRefResult>();
  let cases: TestCase[] = [];
  spec.spec.cases.forEach((c, index) => {
    const parsed = parseCase(obj, spec.metadata.name, c, index, error, refs);
    if (parsed && streams) cases.push(parsed);
    if (cases.length === batch) {
      emit({ kind: 'cases', cases });
      cases = [];
    }
  });
  if (cases.length) emit({ kind: 'cases', cases });
  emit({ kind: 'end', kept: diagnostics.length === before });
}

/**
 * The schema check of a whole test. When every case is plain
 * ({@link isPlainCase}: what the schema would return unchanged), the schema
 * checks the rest of the object with only the first case, and the cases are
 * taken as they are: the same result, without a hundred thousand case checks.
 */
function checkTest(obj: ManifestObject): SchemaResult<ConnectivityTestSpec> {
  const spec = obj.value.spec as { cases?: unknown } | undefined;
  const cases = spec?.cases;
  if (!Array.isArray(cases) || cases.length < 2 || !cases.every(isPlainCase)) return checkSchema(obj, connectivityTestSchema);
  const checked = checkSchema(obj, connectivityTestSchema, { ...obj.value, spec: { ...spec, cases: cases.slice(0, 1) } });
  return checked.value ? { ...checked, value: { ...checked.value, spec: { ...checked.value.spec, cases: cases as CaseSpec[] } } } : checked;
}

/** Where a field of case `index` is in its ConnectivityTest object. */
export function casePath(index: number, f: CaseField): FieldPath {
  const at: FieldPath = ['spec', 'cases', index, f];
  return f === 'icmp' ? [...at, 'type'] : at;
}

type ErrorSink = (path: FieldPath, code: string, message: string, hint?: string) => void;

function parseCase(obj: ManifestObject, test: string, c: CaseSpec, index: number, error: ErrorSink, refs: Map<string, EndpointRefResult>): TestCase | undefined {
  const base: FieldPath = ['spec', 'cases', index];
  const at = (field: string): FieldPath => [...base, field];
  let ok = true;
  const fail: ErrorSink = (...args) => {
    ok = false;
    error(...args);
  };
  const endpoint = (field: 'from' | 'to', text: string): EndpointRef | undefined => {
    let r = refs.get(text);
    if (!r) refs.set(text, (r = parseEndpointRef(text)));
    if (!r.ok) fail(at(field), 'invalid-endpoint', r.message, r.hint);
    return r.ok ? r.ref : undefined;
  };

  // A Service as the source is refused in resolve.ts, where a ClusterIP or DNS name is known to be one too.
  const from = endpoint('from', c.from);
  const to = c.to === undefined ? undefined : endpoint('to', c.to);
  if (c.to === undefined && c.dns === undefined) fail(at('to'), 'missing-field', 'to is required', 'only DNS cases (dns: NAME) may leave it out: they go to kube-dns');

  // ICMP is implied by `icmp:`; otherwise the default is chosen with the destination in resolve.ts.
  const protocol: L4Protocol | undefined = c.protocol ?? (c.icmp ? 'ICMP' : undefined);
  const isIcmp = protocol === 'ICMP' || protocol === 'ICMPv6';
  let icmpType: number | undefined;
  if (isIcmp) {
    if (c.port !== undefined) fail(at('port'), 'icmp-port', 'ICMP probes have no port', 'remove port; choose the message with icmp: {type: 8} or a name such as EchoRequest');
    for (const f of ['http', 'dns', 'kafka'] as const) {
      if (c[f] !== undefined) fail(at(f), 'icmp-l7', `${f} does not go with protocol ${protocol}`, 'use protocol TCP (UDP for DNS)');
    }
    if (to?.kind === 'service') fail(at('to'), 'icmp-service', 'a Service forwards TCP, UDP and SCTP only, not ICMP', 'ping a pod or workload (NS/NAME) instead');
    const family = protocol === 'ICMPv6' ? 'IPv6' : 'IPv4';
    const written = c.icmp?.type ?? (family === 'IPv4' ? 8 : 128); // echo request, as ping sends
    icmpType = icmpTypeNumber(written, family);
    if (icmpType === undefined) {
      fail([...at('icmp'), 'type'], 'invalid-icmp-type', `${JSON.stringify(written)} is not an ${family} ICMP type`,
        family === 'IPv4' ? 'use a number 0-255 or a name such as EchoRequest, EchoReply, DestinationUnreachable' : 'use a number 0-255 or a name such as EchoRequest (128), NeighborSolicitation');
    }
  } else if (c.icmp !== undefined) {
    fail(at('icmp'), 'icmp-protocol', `icmp does not go with protocol ${protocol}`, 'remove protocol (icmp implies ICMP) or set protocol: ICMP');
  }
  if ((c.http || c.kafka) && protocol !== undefined && protocol !== 'TCP') {
    fail(at('protocol'), 'l7-protocol', `${c.http ? 'http' : 'kafka'} requests go over TCP, not ${protocol}`, 'remove protocol or set protocol: TCP');
  }
  if (c.http && c.dns) fail(at('dns'), 'l7-conflict', 'a case is one request: either http or dns', 'split it into two cases');
  // Services have a default port (their first); DNS has 53; anything else needs a port. Whether an
  // address or a DNS name is a service is known only in the cluster: resolve.ts checks those.
  if (!isIcmp && c.port === undefined && c.dns === undefined && (to?.kind === 'workload' || to?.kind === 'fqdn')) {
    fail(base, 'missing-port', `port is required for ${protocol ?? 'TCP'} to ${to.text}`, 'add port: 80 (or protocol: ICMP for a ping)');
  }
  if (!ok || !from) return undefined;

  // The reader noted where each case starts; the position-keeping parse is kept for a field's diagnostic.
  const raw = ((obj.value.spec as { cases?: unknown[] } | undefined)?.cases ?? [])[index];
  return testCase({
    test, index, name: c.name, from, to, expect: c.expect, protocol, port: c.port, icmpType,
    http: c.http ? { method: c.http.method ?? 'GET', path: c.http.path ?? '/', ...(c.http.host ? { host: c.http.host } : {}), ...(c.http.headers ? { headers: c.http.headers } : {}) } : undefined,
    dns: c.dns || undefined, kafka: c.kafka, tls: undefined,
    location: (typeof raw === 'object' && raw !== null ? obj.startOf(raw) : undefined) ?? obj.locate(base),
  }, (f) => obj.locate(casePath(index, f)));
}

/**
 * A case with every field in one literal (absent ones undefined): a suite
 * holds a hundred thousand of these, and objects built by spreading take
 * shapes V8 reads several times slower. `locate` is undefined for a case
 * on its way to another thread.
 */
export function testCase<L extends TestCase['locate'] | undefined>(c: Omit<TestCase, 'locate'>, locate: L): Omit<TestCase, 'locate'> & { readonly locate: L } {
  return {
    test: c.test, index: c.index, name: c.name, from: c.from, to: c.to, expect: c.expect,
    protocol: c.protocol, port: c.port, icmpType: c.icmpType, http: c.http, dns: c.dns, kafka: c.kafka, tls: c.tls,
    location: c.location, locate,
  };
}
