/**
 * Golden-file and round-trip tests over the real flows in testdata/hubble
 * (cilium/hubble-otel, see testdata/hubble/SOURCES.md).
 * - Every flow parses and prints in every format; compact, dict and table
 *   output is compared with testdata/hubble/golden/<file>.<format>.txt.
 *   Refresh with `UPDATE_GOLDEN=1 npm test`; on a mismatch the actual output
 *   is written beside the golden file as `.actual` (git-ignored).
 * - JSON round trip: read → write gives back every input line byte for byte
 *   (Hubble's own jsonpb text), and read → write → read gives the same flows;
 *   also as a fast-check property over generated flows.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseLine } from './parse-line.js';
import { createPrinter, type OutputFormat } from './printer.js';
import { encodeFlowResponse } from './encode.js';
import type { Flow, FlowRecord, Layer4, L7Record } from './flow.js';

const dir = new URL('../../testdata/hubble/', import.meta.url);
const goldenDir = new URL('golden/', dir);
const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort();
const update = process.env['UPDATE_GOLDEN'] === '1';

function records(file: string): { lines: string[]; recs: FlowRecord[] } {
  const lines = readFileSync(new URL(file, dir), 'utf8').split('\n').filter((l) => l !== '');
  const recs: FlowRecord[] = [];
  for (const l of lines) {
    const r = parseLine(l);
    assert.equal(r.kind, 'records', `line did not parse: ${l.slice(0, 80)}`);
    if (r.kind === 'records') recs.push(...r.records);
  }
  return { lines, recs };
}

describe('golden output over real flows', () => {
  for (const file of files) {
    const { lines, recs } = records(file);
    it(`${file}: every line parses to one flow`, () => assert.equal(recs.length, lines.length));
    for (const format of ['compact', 'dict', 'table'] as OutputFormat[]) {
      it(`${file} -o ${format}`, () => {
        const p = createPrinter(format, {});
        let out = '';
        for (const r of recs) out += p.write(r);
        out += p.end();
        const golden = new URL(`${file.replace(/\.jsonl$/, '')}.${format}.txt`, goldenDir);
        const actual = new URL(`${golden.pathname}.actual`, 'file://');
        if (update) {
          writeFileSync(golden, out);
          return;
        }
        assert.ok(existsSync(golden), `missing golden file ${golden.pathname}; run UPDATE_GOLDEN=1 npm test`);
        const want = readFileSync(golden, 'utf8');
        if (want !== out) writeFileSync(actual, out);
        else if (existsSync(actual)) rmSync(actual);
        assert.ok(want === out, `output differs from ${golden.pathname}; see ${actual.pathname}`);
      });
    }
    it(`${file}: -o jsonpb writes every input line back byte for byte, and reads back to the same flows`, () => {
      const p = createPrinter('jsonpb');
      recs.forEach((r, i) => {
        const text = p.write(r);
        assert.equal(text, `${lines[i]}\n`);
        assert.deepEqual(parseLine(text.slice(0, -1)), { kind: 'records', records: [r], ignored: [] });
      });
    });
  }
});

// A generator of flows covering the oneofs, enums, 64-bit values and escapes.
const str = fc.string({ maxLength: 12 }).filter((s) => s !== '');
const u32 = fc.integer({ min: 1, max: 0xffffffff });
const port = fc.integer({ min: 0, max: 65535 });
const l4: fc.Arbitrary<Layer4> = fc.oneof(
  fc.record({ protocol: fc.constant('TCP' as const), sourcePort: port, destinationPort: port, flags: fc.record({ SYN: fc.constant(true), ACK: fc.constant(true) }, { requiredKeys: [] }) }, { requiredKeys: ['protocol', 'sourcePort', 'destinationPort'] }),
  fc.record({ protocol: fc.constantFrom('UDP' as const, 'SCTP' as const), sourcePort: port, destinationPort: port }),
  fc.record({ protocol: fc.constantFrom('ICMPv4' as const, 'ICMPv6' as const), type: fc.integer({ min: 0, max: 255 }), code: fc.integer({ min: 0, max: 255 }) }),
);
const record: fc.Arbitrary<L7Record> = fc.oneof(
  fc.record({ kind: fc.constant('http' as const), code: u32, method: str, url: fc.constant('http://a/b?c=1&d=<e>') }, { requiredKeys: ['kind'] }),
  fc.record({ kind: fc.constant('dns' as const), query: str, ips: fc.array(str, { minLength: 1, maxLength: 3 }), rcode: u32 }, { requiredKeys: ['kind'] }),
);
const flowArb: fc.Arbitrary<Flow> = fc.record({
  time: fc.record({ seconds: fc.integer({ min: 0, max: 4102444800 }), nanos: fc.integer({ min: 0, max: 999999999 }) }),
  uuid: str,
  verdict: fc.constantFrom('FORWARDED' as const, 'DROPPED' as const, 'AUDIT' as const, 'REDIRECTED' as const),
  ip: fc.record({ source: str, destination: str, ipVersion: fc.constantFrom('IPv4' as const, 'IPv6' as const) }, { requiredKeys: [] }),
  l4,
  source: fc.record({ id: u32, identity: u32, namespace: str, labels: fc.array(str, { minLength: 1, maxLength: 3 }), podName: str }, { requiredKeys: [] }),
  destination: fc.record({ identity: u32, workloads: fc.array(fc.record({ name: str, kind: str }), { minLength: 1, maxLength: 2 }) }, { requiredKeys: [] }),
  type: fc.constantFrom('L3_L4' as const, 'L7' as const),
  nodeName: str,
  l7: fc.record({ type: fc.constantFrom('REQUEST' as const, 'RESPONSE' as const), latencyNs: fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }).map(String), record }, { requiredKeys: [] }),
  eventType: fc.record({ type: fc.integer({ min: 1, max: 129 }), subType: fc.integer({ min: 1, max: 200 }) }, { requiredKeys: [] }),
  trafficDirection: fc.constantFrom('INGRESS' as const, 'EGRESS' as const),
  dropReasonDesc: fc.oneof(fc.constantFrom('POLICY_DENIED', 'POLICY_DENY'), fc.integer({ min: 240, max: 250 })),
  isReply: fc.boolean(),
  summary: fc.string({ maxLength: 20 }).filter((s) => s !== ''),
  egressDeniedBy: fc.array(fc.record({ name: str, kind: str, revision: fc.bigInt({ min: 1n, max: 1n << 60n }).map(String) }, { requiredKeys: [] }), { minLength: 1, maxLength: 2 }),
}, { requiredKeys: [] });

describe('JSON round trip property', () => {
  it('read(write(flow)) = flow for generated flows', () => {
    fc.assert(fc.property(flowArb, fc.option(str, { nil: undefined }), (generated, nodeName) => {
      // fast-check builds null-prototype records; compare plain objects, as the decoder makes.
      const flow = JSON.parse(JSON.stringify(generated)) as Flow;
      const rec: FlowRecord = nodeName === undefined ? { flow } : { flow, nodeName };
      const text = encodeFlowResponse(rec);
      assert.ok(!/[<>&]/.test(text), 'Go HTML escaping');
      assert.deepEqual(parseLine(text), { kind: 'records', records: [rec], ignored: [] });
    }), { numRuns: 300 });
  });
});
