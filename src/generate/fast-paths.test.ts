/**
 * The reduction's fast line readers against the careful one: the pattern
 * (`flow-pattern.ts`) and the scanner (`scan-decode.ts`) must give the
 * reduction, the read tally and the skipped-line reports that `JSON.parse` +
 * the full `decodeValue` give — on every real export in testdata, on the
 * bench's generated lines, on lines made to trip them up, and on thousands
 * of randomly perturbed lines (reordered keys, whitespace, escapes, unicode,
 * missing fields, wrong types, truncation, duplicate and camelCase keys).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowStreamParser, type FlowStreamParserOptions } from '../hubble/reader.js';
import { seededRandom } from '../util/random.js';
import { flowLine } from '../../bench/generate.bench.js';
import { matchFlowLine } from './flow-pattern.js';
import { REDUCTION_READ } from './line-reader.js';
import { secondsOf, validTime } from './line-values.js';
import { scanLine } from './scan-decode.js';
import { parseTimestamp } from '../hubble/time.js';
import { Reduction, skippedRecord, type SkipCause } from './observed.js';

const DATA = 'testdata/hubble';
const FILES = readdirSync(DATA).filter((f) => f.endsWith('.jsonl')).sort();
const REAL = FILES.flatMap((f) => readFileSync(join(DATA, f), 'utf8').split('\n').filter((l) => l !== ''));
const BENCH = Array.from({ length: 2000 }, (_, i) => flowLine(i * 37).trimEnd());

function run(text: string, l7: boolean, options: FlowStreamParserOptions) {
  const r = new Reduction(l7);
  const issues: string[] = [];
  const p = new FlowStreamParser({ flow: (x) => r.add(x), issue: (i) => issues.push(`${i.line} ${i.reason} ${i.message}`) }, options);
  p.push(text);
  p.end();
  return { data: r.toData(), stats: p.stats, issues };
}

const PATHS: readonly (readonly [string, FlowStreamParserOptions])[] = [
  ['pattern, then scanner', REDUCTION_READ],
  ['scanner alone', { scan: scanLine }],
];

function same(text: string, what: string): void {
  for (const l7 of [false, true]) {
    const careful = run(text, l7, {});
    for (const [name, options] of PATHS) {
      const fast = run(text, l7, options);
      if (JSON.stringify(fast) === JSON.stringify(careful)) continue;
      // Name the first line that differs, for a readable failure.
      const lines = text.split('\n');
      const bad = lines.find((l) => JSON.stringify(run(l, l7, options)) !== JSON.stringify(run(l, l7, {})));
      assert.deepEqual(fast, careful, `${name}, ${what}, l7 ${l7}${bad === undefined ? '' : `, first line that differs: ${bad}`}`);
    }
  }
}

const SRC = '{"ID":1,"identity":1234,"namespace":"shop","labels":["k8s:app=web","k8s:io.kubernetes.pod.namespace=shop","k8s:pod-template-hash=abc"],"pod_name":"web-abc-1"}';
const DST = '{"identity":5678,"namespace":"shop","labels":["k8s:app=db","k8s:io.kubernetes.pod.namespace=shop"]}';
const FLOW = `"time":"2024-05-01T10:00:00.123456789Z","verdict":"FORWARDED","IP":{"source":"10.0.0.1","destination":"10.0.0.2"},"l4":{"TCP":{"source_port":40000,"destination_port":5432,"flags":{"SYN":true}}},"source":${SRC},"destination":${DST},"Type":"L3_L4","event_type":{"type":4},"traffic_direction":"EGRESS","is_reply":false`;
const envelope = (flow: string, tail = ',"node_name":"n1","time":"2024-05-01T10:00:01Z"') => `{"flow":{${flow}}${tail}}`;

describe('fast line readers give the careful reduction', () => {
  test('on every real Hubble export in testdata (cilium/hubble-otel samples), each line read by the pattern', () => {
    assert.ok(FILES.length >= 5);
    for (const f of FILES) same(readFileSync(join(DATA, f), 'utf8'), f);
    // The tiers under test are the ones that read them: Hubble's layout matches the pattern, and the scanner reads it too.
    for (const l of REAL) {
      assert.ok(matchFlowLine(l), `pattern: ${l.slice(0, 200)}`);
      assert.ok(scanLine(l), `scanner: ${l.slice(0, 200)}`);
    }
  });

  test("on the bench's generated lines", () => {
    same(BENCH.join('\n'), 'bench lines');
    for (const l of BENCH) assert.ok(matchFlowLine(l), l);
  });

  const TRICKY: readonly (readonly [string, string])[] = [
    ['envelope', envelope(FLOW)],
    ['bare flow (legacy -o json)', `{${FLOW}}`],
    ['fields in another order', `{"time":"2024-05-01T10:00:01Z","node_name":"n1","flow":{${FLOW.split(',"').reverse().join(',"').replace(/^is_reply/, '"is_reply')}}}`],
    ['extra whitespace', ` { "flow" : {\t"verdict" : "FORWARDED" , "l4":{ "UDP" : { "destination_port" : 53 } } , "is_reply" : false, "source": ${SRC}, "destination" : ${DST} } } `],
    ['escaped quotes in labels', envelope(FLOW.replace('k8s:app=web', 'k8s:app=w\\"e\\\\b'))],
    ['unicode escapes and raw unicode', envelope(FLOW.replace('k8s:app=web', 'k8s:app=\\u00e9t\\u00E9-ü€😀'))],
    ['an escaped key', envelope(FLOW.replace('"verdict"', '"\\u0076erdict"'))],
    ['missing fields', envelope('"verdict":"FORWARDED"')],
    ['null fields', envelope(FLOW.replace('"Type":"L3_L4"', '"Type":null,"l7":null,"source_names":null'))],
    ['enums as numbers', envelope(FLOW.replace('"verdict":"FORWARDED"', '"verdict":2').replace('"Type":"L3_L4"', '"Type":1'))],
    ['an unknown enum name', envelope(FLOW.replace('"verdict":"FORWARDED"', '"verdict":"BOGUS"'))],
    ['the zero enum name', envelope(FLOW.replace('"verdict":"FORWARDED"', '"verdict":"VERDICT_UNKNOWN"'))],
    ['event type 0 and {} (unset, not type 0)', `${envelope(FLOW.replace('{"type":4}', '{"type":0}'))}\n${envelope(FLOW.replace('{"type":4}', '{}'))}`],
    ['integers as strings', envelope(FLOW.replace('"identity":1234', '"identity":"1234"').replace('"destination_port":5432', '"destination_port":"5432"'))],
    ['a field given twice', envelope(FLOW.replace('"is_reply":false', '"is_reply":false,"isReply":true'))],
    ['the same key twice', envelope(FLOW.replace('"verdict":"FORWARDED"', '"verdict":"FORWARDED","verdict":"DROPPED"'))],
    ['a field of the wrong type', envelope(FLOW.replace('"destination_port":5432', '"destination_port":-1'))],
    ['a field the reduction does not read, of the wrong type', envelope(FLOW.replace('"Type":"L3_L4"', '"Type":"L3_L4","uuid":5'))],
    ['a ten-digit uint32 out of range', envelope(FLOW.replace('"Type":"L3_L4"', '"Type":"L3_L4","policy_match_type":4294967296'))],
    ['lowercase ip (not a flow field)', envelope(FLOW.replace('"IP"', '"ip"'))],
    ['an unknown field', envelope(FLOW.replace('"Type"', '"future_field":{"a":[1,2,{"b":null}]},"Type"'))],
    ['a reply, a DNS answer and an HTTP request', [
      envelope(FLOW.replace('"is_reply":false', '"is_reply":true')),
      envelope(FLOW.replace('"l4":{"TCP":{"source_port":40000,"destination_port":5432,"flags":{"SYN":true}}}', '"l4":{"UDP":{"source_port":53,"destination_port":40000}}').replace('"is_reply":false', '"is_reply":true,"l7":{"type":"RESPONSE","dns":{"query":"Api.Example.com.","ips":["10.0.0.2"]}}')),
      envelope(FLOW.replace('"Type":"L3_L4"', '"Type":"L7","l7":{"type":"REQUEST","http":{"method":"GET","url":"http://db:5432/a/b?x=1\\u0026y","headers":[{"key":"k","value":"v"}]}}').replace('"type":4', '"type":129')),
    ].join('\n')],
    ['ICMP, SCTP, VRRP and an empty l4', ['{"ICMPv4":{"type":8}}', '{"SCTP":{"destination_port":9}}', '{"VRRP":{"type":1}}', '{}'].map((l4) => envelope(FLOW.replace(/"l4":\{"TCP":[^}]*\}[^}]*\}\}/, `"l4":${l4}`).replace('"is_reply":false', '"traffic_direction":"INGRESS"'))).join('\n')],
    ['TCP flags given as false, direction unknown', ['{"SYN":false,"ACK":true}', '{"SYN":true,"ACK":false}', '{"FIN":true,"SYN":true}', '{}'].map((fl) => envelope(FLOW.replace('{"SYN":true}', fl).replace(',"is_reply":false', ''))).join('\n')],
    ['world and reserved identities', envelope(FLOW.replace(DST, '{"identity":2,"labels":["reserved:world"]}'))],
    ['timestamps with offsets and short fractions', [
      envelope(FLOW.replace('2024-05-01T10:00:00.123456789Z', '2024-05-01T12:00:00.5+02:00')),
      envelope(FLOW.replace('2024-05-01T10:00:00.123456789Z', '2024-05-01T10:00:00.5Z')),
      envelope(FLOW.replace('2024-05-01T10:00:00.123456789Z', '2024-02-30T10:00:00Z')),
    ].join('\n')],
    ['malformed lines, counted by cause', [
      envelope(FLOW).slice(0, -20), // truncated
      envelope(FLOW) + 'x', // trailing junk
      envelope(FLOW).replace('"FORWARDED"', '"FORW\tARDED"'), // raw control character
      envelope(FLOW).replace('"shop"', '"sh\\qop"'), // bad escape
      envelope(FLOW).replace(':5432', ':05432'), // leading zero
      envelope(FLOW).replace('"type":4', '"type":04'), // leading zero where the pattern reads a number
      envelope(FLOW).replace('{"type":4}', '{"type":4,}'), // trailing comma
      '{"lost_events":{"num_events_lost":3}}',
      '{"node_status":{}}',
      '{"unrelated":1}',
      '[' + envelope(FLOW) + ',' + envelope(FLOW) + ']',
      'May  1 10:00:00.000: shop/web-abc-1:40000 (ID:1234) -> shop/db:5432 (ID:5678) to-endpoint FORWARDED (TCP Flags: SYN)',
      '   ',
      'null',
    ].join('\n')],
    ['CRLF line ends', `${envelope(FLOW)}\r\n${envelope(FLOW.replace('40000', '40001'))}\r\n`],
  ];
  for (const [what, text] of TRICKY) test(`on tricky input: ${what}`, () => same(text, what));

  // The pattern decides these causes from its groups and builds no flow (`skipOf` → `skippedRecord`);
  // the rules are Reduction's own (`skipCause`), and the counts must be the careful path's.
  const TCP_L4 = '"l4":{"TCP":{"source_port":40000,"destination_port":5432,"flags":{"SYN":true}}}';
  const SKIPS: readonly (readonly [string, SkipCause | undefined, string])[] = [
    ['dropped', 'dropped', FLOW.replace('"FORWARDED"', '"DROPPED"')],
    ['an error verdict', 'dropped', FLOW.replace('"FORWARDED"', '"ERROR"')],
    ['a socket trace', 'not-policy-event', FLOW.replace('"L3_L4"', '"SOCK"')],
    ['a capture event (type 7)', 'not-policy-event', FLOW.replace('"type":4', '"type":7')],
    ['is_reply', 'reply', FLOW.replace('"is_reply":false', '"is_reply":true')],
    ['is_reply with event type 0 (unset)', 'reply', FLOW.replace('"is_reply":false', '"is_reply":true').replace('"type":4', '"type":0')],
    ['the deprecated reply field', 'reply', FLOW.replace('"event_type"', '"reply":true,"event_type"').replace(',"is_reply":false', '')],
    ['no l4', 'no-l4', FLOW.replace(`${TCP_L4},`, '')],
    ['TCP port 0', 'no-l4', FLOW.replace('"destination_port":5432', '"destination_port":0')],
    ['TCP without flags, direction unknown', 'unknown-direction', FLOW.replace(',"flags":{"SYN":true}', '').replace(',"is_reply":false', '')],
    ['a SYN+ACK, direction unknown', 'reply', FLOW.replace('{"SYN":true}', '{"SYN":true,"ACK":true}').replace(',"is_reply":false', '')],
    ['UDP, direction unknown', 'unknown-direction', FLOW.replace(TCP_L4, '"l4":{"UDP":{"source_port":53,"destination_port":40000}}').replace(',"is_reply":false', '')],
    ['an ICMPv4 echo reply, direction unknown', 'reply', FLOW.replace(TCP_L4, '"l4":{"ICMPv4":{}}').replace(',"is_reply":false', '')],
    ['an ICMPv6 echo reply, direction unknown', 'reply', FLOW.replace(TCP_L4, '"l4":{"ICMPv6":{"type":129}}').replace(',"is_reply":false', '')],
    ['an ICMPv4 echo request, direction unknown (a connection)', undefined, FLOW.replace(TCP_L4, '"l4":{"ICMPv4":{"type":8}}').replace(',"is_reply":false', '')],
    ['a new connection', undefined, FLOW],
    ['a reply with destination names (taught, so its flow is built)', undefined, FLOW.replace('"is_reply":false', '"is_reply":true').replace('"Type":"L3_L4"', '"Type":"L3_L4","destination_names":["db.example.com"]')],
  ];
  for (const [what, cause, flow] of SKIPS) {
    test(`a skip decided from the pattern's groups: ${what}`, () => {
      const line = envelope(flow);
      same(line, what);
      const hit = matchFlowLine(line);
      assert.ok(hit, 'the pattern reads it');
      if (cause) assert.equal(hit, skippedRecord(cause));
      else assert.ok(!SKIPS.some(([, c]) => c && hit === skippedRecord(c)), 'a flow is built');
      const r = new Reduction();
      r.add(hit);
      if (cause) assert.equal(r.stats.skipped[cause], 1);
    });
  }

  test('a skipped line with an invalid date is still the careful path\'s to report', () => {
    const line = envelope(FLOW.replace('"is_reply":false', '"is_reply":true').replace('2024-05-01T10:00:00.123456789Z', '2024-02-30T10:00:00Z'));
    assert.equal(matchFlowLine(line), undefined);
    same(line, 'invalid date');
    const envelopeDate = envelope(FLOW.replace('"is_reply":false', '"is_reply":true'), ',"time":"2024-13-01T10:00:00Z"');
    assert.equal(matchFlowLine(envelopeDate), undefined);
    same(envelopeDate, 'invalid envelope date');
  });

  test('hostile lines (every truncation, huge strings, numbers and lists, deep nesting): the careful answer, in linear time', () => {
    // The pattern is a backtracking regular expression over user data: a line built to make it
    // backtrack would hang ingest, so these must finish (the test runner's timeout) and agree.
    const base = BENCH[7]!;
    const labels = Array.from({ length: 20000 }, (_, i) => `"k8s:l${i}=v"`).join(',');
    const lines = [
      ...Array.from({ length: base.length }, (_, i) => base.slice(0, i)),
      base.replace('k8s:app=', `k8s:app=${'x'.repeat(200_000)}`),
      base.replace('"identity":', `"identity":${'1'.repeat(100_000)}`),
      base.replace('"labels":[', `"labels":[${labels},`),
      base.replace('"labels":[', `"labels":[${labels},`).slice(0, -5),
      base.replace('k8s:app=', `k8s:app=${'\\\\'.repeat(50_000)}\\`),
      base.replace('k8s:app=', `k8s:app=${'\\"'.repeat(50_000)}`),
      `{"flow":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`,
      base.replace('"flags":{"ACK":true}', `"flags":{${Array(5000).fill('"ACK":true').join(',')}}`),
    ];
    same(lines.join('\n'), 'hostile lines');
  });

  test('a new connection with an invalid envelope date is still the careful path\'s to report (the flow has its own time)', () => {
    const line = envelope(FLOW, ',"node_name":"n1","time":"2024-02-30T10:00:00Z"');
    assert.equal(matchFlowLine(line), undefined);
    same(line, 'invalid envelope date of a new connection');
  });

  // The pattern takes an endpoint's identity-to-labels fields as one text (its memo key) and reads them from it.
  const ENDPOINTS: readonly (readonly [string, string])[] = [
    ['cluster_name before the namespace', '{"ID":1,"identity":1234,"cluster_name":"c1","namespace":"shop","labels":["k8s:app=web","k8s:io.kubernetes.pod.namespace=shop"],"pod_name":"web-1"}'],
    ['namespace alone', '{"identity":1234,"namespace":"shop","pod_name":"web-1"}'],
    ['labels alone', '{"identity":1234,"labels":["k8s:app=web","k8s:io.kubernetes.pod.namespace=shop"]}'],
    ['identity alone (reserved)', '{"identity":2}'],
    ['no identity, namespace or labels', '{"ID":7,"pod_name":"web-1"}'],
    ['an empty endpoint', '{}'],
    ['workloads after the labels', '{"identity":1234,"namespace":"shop","labels":["k8s:app=web","k8s:io.kubernetes.pod.namespace=shop"],"pod_name":"web-1","workloads":[{"name":"web","kind":"Deployment"}]}'],
    ['an escaped namespace and a label with a bracket and a quote', '{"identity":1234,"namespace":"sh\\u006fp","labels":["k8s:app=w]e\\"b","k8s:io.kubernetes.pod.namespace=shop"]}'],
    ['empty namespace and labels', '{"identity":1234,"namespace":"","labels":[]}'],
  ];
  for (const [what, ep] of ENDPOINTS) {
    test(`an endpoint read by the pattern: ${what}`, () => {
      // The same identity with other fields next, then as source and destination, so the memo is hit and missed.
      const lines = [envelope(FLOW.replace(SRC, ep)), envelope(FLOW.replace(DST, ep)), envelope(FLOW.replace(SRC, ep).replace('40000', '40001')), envelope(FLOW)];
      for (const l of lines) assert.ok(matchFlowLine(l), l);
      same(lines.join('\n'), what);
    });
  }

  test('verdicts and types the reduction does not tell apart, on lines whose flow is built (L7, destination names)', () => {
    const l7 = FLOW.replace('"Type":"L3_L4"', '"Type":"L7","l7":{"type":"REQUEST","http":{"method":"GET","url":"http://db/a"}}');
    const lines = ['VERDICT_UNKNOWN', 'FORWARDED', 'DROPPED', 'ERROR', 'AUDIT', 'REDIRECTED', 'TRACED', 'TRANSLATED'].flatMap((v) =>
      ['UNKNOWN_TYPE', 'L3_L4', 'L7', 'SOCK'].map((t) => envelope(l7.replace('"FORWARDED"', `"${v}"`).replace('"Type":"L7"', `"Type":"${t}"`))));
    for (const l of lines) assert.ok(matchFlowLine(l), l);
    same(lines.join('\n'), 'verdicts and types');
  });

  test('a reused endpoint text is the same endpoint, whatever line it is in', () => {
    const lines = Array.from({ length: 50 }, (_, i) => envelope(FLOW.replace('40000', String(40000 + i)).replace('"shop"', i % 2 ? '"shop"' : '"shop2"')));
    same(lines.join('\n'), 'repeated endpoints');
  });

  test('timestamps by arithmetic (and validTime) agree with parseTimestamp (leap years, year 0, Feb 30, hour 24)', () => {
    const rnd = seededRandom(3);
    const p2 = (x: number, w = 2) => String(x).padStart(w, '0');
    for (let i = 0; i < 20_000; i++) {
      const y = [0, 1, 99, 100, 400, 1600, 1900, 1969, 1970, 2000, 2024, 2100, 9999][rnd(13)]! + (rnd(3) === 0 ? rnd(50) : 0);
      const whole = `${p2(Math.min(y, 9999), 4)}-${p2(rnd(14))}-${p2(rnd(33))}T${p2(rnd(25))}:${p2(rnd(61))}:${p2(rnd(61))}`;
      const fraction = rnd(2) ? undefined : String(rnd(1e9)).slice(0, 1 + rnd(9));
      const careful = parseTimestamp(`${whole}${fraction === undefined ? '' : `.${fraction}`}Z`);
      assert.deepEqual(secondsOf(whole, fraction), careful, `${whole} ${fraction}`);
      assert.equal(validTime(whole), careful !== undefined, whole);
    }
  });

  test('on 4,000 randomly perturbed real and generated lines', () => {
    const rnd = seededRandom(12);
    const bases = [...REAL, ...BENCH.slice(0, 200)];
    for (let batch = 0; batch < 20; batch++) {
      const lines = Array.from({ length: 200 }, () => perturb(bases[rnd(bases.length)]!, rnd));
      same(lines.join('\n'), `random batch ${batch}`);
    }
  });
});

const CAMEL: Readonly<Record<string, string>> = {
  source_port: 'sourcePort', destination_port: 'destinationPort', is_reply: 'isReply', event_type: 'eventType', node_name: 'nodeName',
  pod_name: 'podName', traffic_direction: 'trafficDirection', destination_names: 'destinationNames', sub_type: 'subType',
};
const ODD = ['null', 'true', 'false', '0', '-1', '4294967296', '1.5', '1e2', '"x"', '""', '"4"', '[]', '{}', '[1]', '"FORWARDED"', '"2024-02-30T00:00:00Z"'];
const NOISE = ['\\"', '\\\\', '\\u00e9', '\\ud83d', 'é', '😀', '\t', '\\x', '"', ',', '}', ']'];

/** One random change to a line, of the kinds that trip line readers up. */
function perturb(line: string, rnd: (n: number) => number): string {
  switch (rnd(12)) {
    case 0: { // reorder the keys of one object (of a line that still parses)
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        return line;
      }
      const objs: Record<string, unknown>[] = [];
      const walk = (x: unknown) => {
        if (x && typeof x === 'object') {
          if (!Array.isArray(x)) objs.push(x as Record<string, unknown>);
          for (const y of Object.values(x)) walk(y);
        }
      };
      walk(v);
      const o = objs[rnd(objs.length)]!;
      const entries = Object.entries(o);
      for (const k of Object.keys(o)) delete o[k];
      for (let i = entries.length - 1; i > 0; i--) {
        const j = rnd(i + 1);
        [entries[i], entries[j]] = [entries[j]!, entries[i]!];
      }
      for (const [k, x] of entries) o[k] = x;
      return JSON.stringify(v);
    }
    case 1: // whitespace after a comma, colon or brace
      return line.replace(/[,:{[]/g, (c) => (rnd(8) === 0 ? `${c}${[' ', '\t', '  ', '\r'][rnd(4)]}` : c));
    case 2: { // a character inside a string
      const q = nth(line, '"', rnd);
      return q < 0 ? line : line.slice(0, q + 1) + NOISE[rnd(NOISE.length)] + line.slice(q + 1);
    }
    case 3: { // a member removed
      const m = members(line);
      const [a, b] = m[rnd(m.length)] ?? [0, 0];
      return line.slice(0, a) + line.slice(b);
    }
    case 4: { // a value of another type
      const m = /"([A-Za-z_]+)":/g;
      const all = [...line.matchAll(m)];
      const hit = all[rnd(all.length)];
      if (!hit) return line;
      const start = hit.index + hit[0].length;
      const end = valueEnd(line, start);
      return line.slice(0, start) + ODD[rnd(ODD.length)] + line.slice(end);
    }
    case 5: // truncated
      return line.slice(0, rnd(line.length));
    case 6: { // a member given twice
      const m = members(line);
      const [a, b] = m[rnd(m.length)] ?? [0, 0];
      return line.slice(0, b) + line.slice(a, b) + line.slice(b);
    }
    case 7: { // a camelCase name, maybe beside its proto name
      const names = Object.keys(CAMEL).filter((k) => line.includes(`"${k}":`));
      const k = names[rnd(names.length)];
      if (k === undefined) return line;
      return rnd(2) ? line.replace(`"${k}":`, `"${CAMEL[k]}":`) : line.replace(/"([a-z_]+)":/, `"${CAMEL[k]}":${rnd(2) ? 'null' : '1'},"$1":`);
    }
    case 8: { // a digit changed
      const d = nth(line, '0123456789'[rnd(10)]!, rnd);
      return d < 0 ? line : line.slice(0, d) + '0123456789-.e'[rnd(13)] + line.slice(d + 1);
    }
    case 9: { // any character replaced by one JSON cares about
      const i = rnd(line.length);
      return line.slice(0, i) + '{}[]",:\\ 0an'[rnd(13)] + line.slice(i + 1);
    }
    case 10: // two changes
      return perturb(perturb(line, rnd), rnd);
    default:
      return line;
  }
}

/** The index of a random occurrence of `c`, or -1. */
function nth(line: string, c: string, rnd: (n: number) => number): number {
  const at: number[] = [];
  for (let i = line.indexOf(c); i >= 0; i = line.indexOf(c, i + 1)) at.push(i);
  return at.length === 0 ? -1 : at[rnd(at.length)]!;
}

/** Where a JSON value starting at `i` ends (good enough for valid lines). */
function valueEnd(line: string, i: number): number {
  let depth = 0;
  let inString = false;
  for (let j = i; j < line.length; j++) {
    const c = line[j];
    if (inString) {
      if (c === '\\') j++;
      else if (c === '"') {
        inString = false;
        if (depth === 0) return j + 1;
      }
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      if (depth === 0) return j;
      if (--depth === 0) return j + 1;
    } else if (c === ',' && depth === 0) return j;
  }
  return line.length;
}

/** `"key":value,` spans of a line. */
function members(line: string): [number, number][] {
  const out: [number, number][] = [];
  for (const m of line.matchAll(/"[A-Za-z_]+":/g)) {
    const end = valueEnd(line, m.index + m[0].length);
    if (line[end] === ',') out.push([m.index, end + 1]);
  }
  return out;
}
