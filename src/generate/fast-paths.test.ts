/**
 * The reduction's fast line reader against the careful one:
 * `decodeForReduction` (JSON.parse, then only the fields the reduction
 * reads) must give the reduction and the read tally that `JSON.parse` + the
 * full `decodeValue` give, on every real export in testdata and on lines
 * made to trip it up.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowStreamParser, type FlowStreamParserOptions } from '../hubble/reader.js';
import { decodeForReduction } from './fast-decode.js';
import { Reduction } from './observed.js';

const DATA = 'testdata/hubble';
const FILES = readdirSync(DATA).filter((f) => f.endsWith('.jsonl')).sort();

function run(text: string, l7: boolean, options: FlowStreamParserOptions) {
  const r = new Reduction(l7);
  const issues: string[] = [];
  const p = new FlowStreamParser({ flow: (x) => r.add(x), issue: (i) => issues.push(`${i.line} ${i.reason} ${i.message}`) }, options);
  p.push(text);
  p.end();
  return { data: r.toData(), stats: p.stats, issues };
}

const PATHS: readonly (readonly [string, FlowStreamParserOptions])[] = [
  ['decodeForReduction', { decode: decodeForReduction }],
];

function same(text: string, what: string, paths = PATHS): void {
  for (const l7 of [false, true]) {
    const careful = run(text, l7, {});
    for (const [name, options] of paths) assert.deepEqual(run(text, l7, options), careful, `${name}, ${what}, l7 ${l7}`);
  }
}

const SRC = '{"ID":1,"identity":1234,"namespace":"shop","labels":["k8s:app=web","k8s:io.kubernetes.pod.namespace=shop","k8s:pod-template-hash=abc"],"pod_name":"web-abc-1"}';
const DST = '{"identity":5678,"namespace":"shop","labels":["k8s:app=db","k8s:io.kubernetes.pod.namespace=shop"]}';
const FLOW = `"time":"2024-05-01T10:00:00.123456789Z","verdict":"FORWARDED","IP":{"source":"10.0.0.1","destination":"10.0.0.2"},"l4":{"TCP":{"source_port":40000,"destination_port":5432,"flags":{"SYN":true}}},"source":${SRC},"destination":${DST},"Type":"L3_L4","event_type":{"type":4},"traffic_direction":"EGRESS","is_reply":false`;
const envelope = (flow: string, tail = ',"node_name":"n1","time":"2024-05-01T10:00:01Z"') => `{"flow":{${flow}}${tail}}`;

describe('fast line readers give the careful reduction', () => {
  test('on every real Hubble export in testdata (cilium/hubble-otel samples)', () => {
    assert.ok(FILES.length >= 5);
    for (const f of FILES) same(readFileSync(join(DATA, f), 'utf8'), f);
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
    ['a field of the wrong type', envelope(FLOW.replace('"destination_port":5432', '"destination_port":-1'))],
    ['lowercase ip (not a flow field)', envelope(FLOW.replace('"IP"', '"ip"'))],
    ['an unknown field', envelope(FLOW.replace('"Type"', '"future_field":{"a":[1,2,{"b":null}]},"Type"'))],
    ['a reply, a DNS answer and an HTTP request', [
      envelope(FLOW.replace('"is_reply":false', '"is_reply":true')),
      envelope(FLOW.replace('"l4":{"TCP":{"source_port":40000,"destination_port":5432,"flags":{"SYN":true}}}', '"l4":{"UDP":{"source_port":53,"destination_port":40000}}').replace('"is_reply":false', '"is_reply":true,"l7":{"type":"RESPONSE","dns":{"query":"Api.Example.com.","ips":["10.0.0.2"]}}')),
      envelope(FLOW.replace('"Type":"L3_L4"', '"Type":"L7","l7":{"type":"REQUEST","http":{"method":"GET","url":"http://db:5432/a/b?x=1","headers":[{"key":"k","value":"v"}]}}').replace('"type":4', '"type":129')),
    ].join('\n')],
    ['ICMP, SCTP, VRRP and an empty l4', ['{"ICMPv4":{"type":8}}', '{"SCTP":{"destination_port":9}}', '{"VRRP":{"type":1}}', '{}'].map((l4) => envelope(FLOW.replace(/"l4":\{"TCP":[^}]*\}[^}]*\}\}/, `"l4":${l4}`).replace('"is_reply":false', '"traffic_direction":"INGRESS"'))).join('\n')],
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

  test('a reused endpoint text is the same endpoint, whatever line it is in', () => {
    const lines = Array.from({ length: 50 }, (_, i) => envelope(FLOW.replace('40000', String(40000 + i)).replace('"shop"', i % 2 ? '"shop"' : '"shop2"')));
    same(lines.join('\n'), 'repeated endpoints');
  });
});
