/**
 * Reader tests: shapes of lines (envelope, bare flow, camelCase, enum numbers,
 * 64-bit numbers, arrays, ignored events), and bad input (truncated lines,
 * binary garbage, empty input, over-long lines, gzip, a large stream) read
 * without a crash and with an honest tally.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { parseLine } from './parse-line.js';
import { FlowStreamParser, formatReadSummary, type LineIssue } from './reader.js';
import { readFlowFile, readFlowStream } from './io/read-flows.js';
import type { FlowRecord } from './flow.js';

function collect(input: string | Uint8Array[], maxLineLength?: number) {
  const flows: FlowRecord[] = [];
  const issues: LineIssue[] = [];
  const p = new FlowStreamParser({ flow: (r) => flows.push(r), issue: (i) => issues.push(i) }, { maxLineLength });
  for (const c of typeof input === 'string' ? [input] : input) p.push(c);
  p.end();
  return { flows, issues, stats: p.stats };
}

describe('parseLine: accepted shapes (reference §1.10, §3, §7)', () => {
  it('envelope with node_name and time', () => {
    const r = parseLine('{"flow":{"time":"1970-01-01T00:00:01Z","node_name":"my-node"},"node_name":"my-node","time":"1970-01-01T00:00:01Z"}');
    assert.deepEqual(r, { kind: 'records', ignored: [], records: [{ flow: { time: { seconds: 1, nanos: 0 }, nodeName: 'my-node' }, nodeName: 'my-node', time: { seconds: 1, nanos: 0 } }] });
  });
  it('bare legacy flow', () => {
    const r = parseLine('{"time":"1970-01-01T00:20:34.567800Z","verdict":"DROPPED","is_reply":false}');
    assert.equal(r.kind, 'records');
    if (r.kind === 'records') assert.deepEqual(r.records[0]?.flow, { time: { seconds: 1234, nanos: 567800000 }, verdict: 'DROPPED', isReply: false });
  });
  it('camelCase json names, enum numbers and 64-bit numbers (grpcurl style)', () => {
    const r = parseLine('{"flow":{"verdict":2,"dropReasonDesc":133,"trafficDirection":1,"isReply":true,"nodeName":"n","l4":{"TCP":{"sourcePort":"1","destinationPort":80}},"source":{"podName":"p","clusterName":"c"},"l7":{"latencyNs":42,"type":2},"Type":"L7"}}');
    assert.equal(r.kind, 'records');
    if (r.kind === 'records') {
      assert.deepEqual(r.records[0]?.flow, {
        verdict: 'DROPPED', dropReasonDesc: 'POLICY_DENIED', trafficDirection: 'INGRESS', isReply: true, nodeName: 'n',
        l4: { protocol: 'TCP', sourcePort: 1, destinationPort: 80 }, source: { podName: 'p', clusterName: 'c' },
        l7: { latencyNs: '42', type: 'RESPONSE' }, type: 'L7',
      });
    }
  });
  it('unknown enum numbers are kept as numbers; unknown fields are ignored', () => {
    const r = parseLine('{"flow":{"drop_reason_desc":250,"future_field":{"x":1}}}');
    assert.equal(r.kind, 'records');
    if (r.kind === 'records') assert.deepEqual(r.records[0]?.flow, { dropReasonDesc: 250 });
  });
  it('a JSON array of events', () => {
    const r = parseLine('[{"flow":{"uuid":"a"}},{"lost_events":{"num_events_lost":"3"}},{"uuid":"b"}]');
    assert.equal(r.kind, 'records');
    if (r.kind === 'records') {
      assert.deepEqual(r.records.map((x) => x.flow.uuid), ['a', 'b']);
      assert.deepEqual(r.ignored, ['lost_events']);
    }
  });
  for (const k of ['lost_events', 'node_status', 'agent_event', 'debug_event', 'agentEvent']) {
    it(`${k} lines are ignored`, () => {
      const r = parseLine(`{"${k}":{},"node_name":"n","time":"1970-01-01T00:00:02Z"}`);
      assert.equal(r.kind, 'records');
      if (r.kind === 'records') assert.equal(r.records.length, 0);
    });
  }
  const bad: [string, string, RegExp][] = [
    ['truncated line', '{"flow":{"time":"1970-01-01T00:00:01Z","verd', /invalid JSON/],
    ['binary garbage', '\u0000\u0001\ufffd\ufffdPK\u0003', /invalid JSON/],
    ['wrong type', '{"flow":{"l4":{"TCP":{"source_port":"x"}}}}', /flow\.l4\.TCP\.source_port: expected an integer/],
    ['bad enum', '{"flow":{"verdict":"MAYBE"}}', /flow\.verdict: invalid enum value "MAYBE"/],
    ['bad time', '{"flow":{"time":"yesterday"}}', /flow\.time: invalid timestamp/],
    ['uint32 out of range', '{"flow":{"source":{"identity":4294967296}}}', /out of range/],
    ['not an object', '42', /expected a JSON object/],
    ['unknown object', '{"hello":"world"}', /neither a flow nor a known Hubble event/],
  ];
  for (const [name, line, re] of bad) {
    it(`skips ${name}`, () => {
      const r = parseLine(line);
      assert.equal(r.kind, 'skip');
      if (r.kind === 'skip') assert.match(r.message, re);
    });
  }
});

describe('FlowStreamParser: streaming and bad input', () => {
  const good = '{"flow":{"uuid":"u1"}}';
  it('lines split across chunks at every byte, CRLF, no final newline', () => {
    const text = `${good}\r\n\n{"flow":{"uuid":"ü2"}}\n${good}`;
    const bytes = new TextEncoder().encode(text);
    const chunks = Array.from(bytes, (b) => Uint8Array.of(b));
    const { flows, stats } = collect(chunks);
    assert.deepEqual(flows.map((f) => f.flow.uuid), ['u1', 'ü2', 'u1']);
    assert.equal(stats.blank, 1);
    assert.equal(stats.lines, 4);
  });
  it('empty input', () => {
    const { flows, stats } = collect('');
    assert.equal(flows.length, 0);
    assert.equal(formatReadSummary(stats), 'read 0 lines: 0 flows, 0 skipped');
  });
  it('blank lines: \\n, \\r\\n, spaces, split across chunks, keep the line numbers right', () => {
    const chunks = ['\n\n\r', '\n  \n', good, '\n\r\n\n', 'x\n'].map((c) => new TextEncoder().encode(c));
    const { flows, issues, stats } = collect(chunks);
    assert.equal(flows.length, 1);
    assert.deepEqual(issues.map((i) => i.line), [8]);
    assert.equal(stats.blank, 6);
    assert.equal(stats.lines, 8);
  });
  // Issue 8: ~6 µs per blank line (a JSON.parse exception each) made 2 MiB of newlines take 13 s.
  it('2 MiB of newlines is read in well under a second', () => {
    const chunk = new Uint8Array(1 << 16).fill(10);
    const t0 = performance.now();
    const p = new FlowStreamParser({ flow: () => undefined });
    for (let i = 0; i < 32; i++) p.push(chunk);
    p.end();
    const ms = performance.now() - t0;
    assert.equal(p.stats.blank, 2 << 20);
    assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
  });
  it('junk lines cost no JSON.parse exception: 200,000 of them in well under two seconds', () => {
    const junk = new TextEncoder().encode('not json at all\n2021-06-16T16:52:13Z [n]: a -> b\nx\ntrue story\n'.repeat(50_000));
    const t0 = performance.now();
    const p = new FlowStreamParser({ flow: () => undefined, issue: () => undefined });
    p.push(junk);
    p.end();
    const ms = performance.now() - t0;
    assert.equal(p.stats.skipped['invalid-json'] + p.stats.skipped['text-output'], 200_000);
    assert.ok(ms < 1500, `took ${ms.toFixed(0)} ms`);
  });
  it('JSON scalars are still JSON (not a flow), and junk that starts like one is invalid JSON', () => {
    const cases: [string, string, RegExp][] = [
      ['42', 'not-a-flow', /expected a JSON object/],
      [' -1.5e3 ', 'not-a-flow', /expected a JSON object/],
      ['true', 'not-a-flow', /expected a JSON object/],
      ['null', 'not-a-flow', /expected a JSON object/],
      ['"text"', 'not-a-flow', /expected a JSON object/],
      ['nullx', 'invalid-json', /^invalid JSON: expected a JSON object, found "nullx"$/],
      ['2021 was a year', 'invalid-json', /found "2021 was a year"/],
      [`x${'y'.repeat(100)}`, 'invalid-json', /found "xy{39}…"$/],
      ['{"flow":', 'invalid-json', /^invalid JSON: /],
    ];
    for (const [line, reason, message] of cases) {
      const r = parseLine(line);
      assert.equal(r.kind, 'skip', line);
      if (r.kind === 'skip') {
        assert.equal(r.reason, reason, line);
        assert.match(r.message, message, line);
      }
    }
  });
  it("hubble's text output is told apart from other junk", () => {
    const cases: [string, string][] = [
      ['Jun 16 16:52:13.136: bookinfo/reviews-v1-545db77b95-s6jb8:15020 (ID:25339) <> 10.0.2.1:42044 (host) to-stack FORWARDED (TCP Flags: ACK, FIN)', 'text-output'],
      ['2021-06-16T16:52:13.136Z [node]: a:1 (host) -> b:2 (world) to-stack FORWARDED (TCP)', 'text-output'],
      ['  TIMESTAMP: Jan  1 00:20:34.567', 'text-output'],
      ['------------', 'text-output'],
      ['TIMESTAMP             SOURCE          DESTINATION    TYPE            VERDICT   SUMMARY', 'text-output'],
      ['Jan  1 00:20:34.567   1.1.1.1:31793   2.2.2.2:8080   Policy denied   DROPPED   TCP Flags: SYN', 'text-output'],
      ['hello world', 'invalid-json'],
      ['2021 was a year', 'invalid-json'],
      ['{"flow":', 'invalid-json'],
    ];
    for (const [line, reason] of cases) {
      const r = parseLine(line);
      assert.equal(r.kind === 'skip' ? r.reason : r.kind, reason, line);
    }
  });
  it('malformed lines are reported with their line numbers and skipped', () => {
    const { flows, issues, stats } = collect(`${good}\n{"flow":\nnot json\n${good}\n{"lost_events":{}}\n`);
    assert.equal(flows.length, 2);
    assert.deepEqual(issues.map((i) => [i.line, i.reason]), [[2, 'invalid-json'], [3, 'invalid-json']]);
    assert.equal(formatReadSummary(stats), 'read 5 lines: 2 flows, 2 skipped (2 invalid JSON), 1 ignored (1 lost_events)');
  });
  it('an over-long line is skipped without being buffered, and the next line is read', () => {
    const long = `{"flow":{"uuid":"${'x'.repeat(5000)}"}}`;
    const chunks = [good, '\n', long.slice(0, 1000), long.slice(1000, 4000), long.slice(4000), '\n', good, '\n'];
    const { flows, issues } = collect(chunks.map((c) => new TextEncoder().encode(c)), 1024);
    assert.equal(flows.length, 2);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]?.line, 2);
    assert.match(issues[0]?.message ?? '', /line is 5020 characters long, over the limit of 1024/);
  });
  it('an over-long last line without newline', () => {
    const { issues, stats } = collect(`${good}\n${'y'.repeat(3000)}`, 100);
    assert.equal(stats.flows, 1);
    assert.equal(issues[0]?.reason, 'too-long');
  });
});

describe('read-flows: files, gzip, streams', () => {
  const dir = mkdtempSync(join(tmpdir(), 'polis-hubble-'));
  const lines = ['{"flow":{"uuid":"a"}}', 'garbage', '{"flow":{"uuid":"b"}}'].join('\n');
  it('plain file', async () => {
    const p = join(dir, 'plain.jsonl');
    writeFileSync(p, lines);
    const got: string[] = [];
    const r = await readFlowFile(p, { flow: (x) => got.push(x.flow.uuid ?? '') });
    assert.deepEqual(got, ['a', 'b']);
    assert.equal(r.stats.skipped['invalid-json'], 1);
    assert.equal(r.error, undefined);
  });
  it('gzip file is detected by magic bytes, not by name', async () => {
    const p = join(dir, 'flows.log');
    writeFileSync(p, gzipSync(lines));
    const got: string[] = [];
    const r = await readFlowFile(p, { flow: (x) => got.push(x.flow.uuid ?? '') });
    assert.deepEqual(got, ['a', 'b']);
    assert.equal(r.error, undefined);
  });
  it('truncated gzip: the lines before the cut are read, the cut is reported once (not also as a bad line)', async () => {
    const p = join(dir, 'cut.gz');
    const z = gzipSync(Buffer.from(`${lines}\n`.repeat(200)));
    writeFileSync(p, z.subarray(0, z.length - 30));
    const issues: LineIssue[] = [];
    const r = await readFlowFile(p, { flow: () => undefined, issue: (i) => issues.push(i) });
    assert.equal(r.error, undefined);
    assert.match(r.damage ?? '', /cut\.gz: gzip data is cut short in member 1 \(unexpected end of file\); the lines before the cut were read/);
    assert.ok(r.stats.flows > 100, String(r.stats.flows));
    assert.ok(issues.every((i) => i.message === 'invalid JSON: expected a JSON object, found "garbage"'), 'only the garbage lines of the input');
  });
  // Issue 8: ten good flows followed by trailing bytes were "read 0 lines" (Node's gunzip drops the whole chunk).
  const ten = Array.from({ length: 10 }, (_, i) => `{"flow":{"uuid":"u${i}"}}\n`).join('');
  const gzCases: [string, Buffer, number, RegExp | undefined][] = [
    ['ten flows and a stray newline', Buffer.concat([gzipSync(ten), Buffer.from('\n')]), 10, /1 byte after the last complete gzip member \(from byte \d+\) are not gzip data and were ignored; 1 member was read/],
    ['ten flows and text', Buffer.concat([gzipSync(ten), Buffer.from('garbage\n')]), 10, /8 bytes after the last complete gzip member/],
    ['ten flows and zero padding (accepted, as gzip does)', Buffer.concat([gzipSync(ten), Buffer.alloc(512)]), 10, undefined],
    ['two members (concatenated exports)', Buffer.concat([gzipSync(ten), gzipSync(ten)]), 20, undefined],
    ['two members, the second cut', Buffer.concat([gzipSync(ten), gzipSync(ten).subarray(0, 20)]), 10, /cut short in member 2 \(unexpected end of file\); 1 complete member and the lines before the cut were read/],
    ['a member cut inside its trailer', gzipSync(ten).subarray(0, -3), 10, /cut short in member 1 \(trailer missing\)/],
    ['a second header cut short', Buffer.concat([gzipSync(ten), Buffer.from([0x1f, 0x8b, 8])]), 10, /cut short in member 2 \(incomplete header\)/],
    ['a bad CRC', (() => { const z = gzipSync(ten); z[z.length - 8] = (z[z.length - 8] as number) ^ 1; return z; })(), 10, /member 1 fails its CRC or length check/],
    ['corrupt deflate data', Buffer.concat([gzipSync(ten), Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff])]), 10, /gzip data is corrupt in member 2/],
  ];
  for (const [name, bytes, flows, damage] of gzCases) {
    it(`gzip: ${name}`, async () => {
      const p = join(dir, 'case.gz');
      writeFileSync(p, bytes);
      const issues: LineIssue[] = [];
      const r = await readFlowFile(p, { flow: () => undefined, issue: (i) => issues.push(i) });
      assert.equal(r.error, undefined);
      assert.equal(r.stats.flows, flows);
      assert.deepEqual(issues, []);
      if (damage) assert.match(r.damage ?? '', damage);
      else assert.equal(r.damage, undefined);
    });
  }
  it('gzip: 16 MiB of newlines in a 16 KiB file is read in seconds, not minutes', async () => {
    const p = join(dir, 'newlines.gz');
    writeFileSync(p, gzipSync(Buffer.alloc(16 << 20, 10)));
    const t0 = performance.now();
    const r = await readFlowFile(p, { flow: () => undefined });
    const ms = performance.now() - t0;
    assert.equal(r.stats.blank, 16 << 20);
    assert.ok(ms < 3000, `took ${ms.toFixed(0)} ms`);
  });
  it('gzip: members split across many small chunks', async () => {
    const z = Buffer.concat([gzipSync(ten), gzipSync(ten), Buffer.from('x')]);
    const chunks = Array.from({ length: z.length }, (_, i) => z.subarray(i, i + 1));
    const r = await readFlowStream(Readable.from(chunks), { flow: () => undefined });
    assert.equal(r.stats.flows, 20);
    assert.match(r.damage ?? '', /1 byte after the last complete gzip member/);
  });
  it('missing file', async () => {
    const r = await readFlowFile(join(dir, 'nope.jsonl'), { flow: () => undefined });
    assert.match(r.error ?? '', /no such file/);
  });
  it('a path with a NUL byte is a read error, not a throw (found by the fuzzer: observe#9803, seed 8)', async () => {
    const r = await readFlowFile('\0', { flow: () => undefined });
    assert.match(r.error ?? '', /null bytes/);
    assert.equal(r.stats.lines, 0);
  });
  it('a stream that fails is a read error; a sink that throws is not (a bug must not pass as "cannot read")', async () => {
    const failing = (async function* () {
      yield Buffer.from(ten);
      throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    })();
    const r = await readFlowStream(failing, { flow: () => undefined }, { name: 'x' });
    assert.equal(r.stats.flows, 10);
    assert.match(r.error ?? '', /^x: EIO: i\/o error/);
    await assert.rejects(readFlowStream(Readable.from([Buffer.from(ten)]), { flow: () => { throw new TypeError('printer bug'); } }), /printer bug/);
  });
  it('a file of one byte', async () => {
    const p = join(dir, 'one');
    writeFileSync(p, '\n');
    const r = await readFlowFile(p, { flow: () => undefined });
    assert.equal(r.stats.blank, 1);
  });
  it('~50 MB streamed lazily through the reader with flat memory', async () => {
    const line = `${JSON.stringify({ flow: { time: '2021-06-16T16:52:13.136834446Z', verdict: 'FORWARDED', IP: { source: '10.0.2.16', destination: '10.0.2.1' }, l4: { TCP: { source_port: 15020, destination_port: 42044 } }, source: { identity: 25339, namespace: 'bookinfo', pod_name: 'reviews-v1', labels: ['k8s:app=reviews'] }, destination: { identity: 1 }, Summary: 'TCP Flags: ACK' } })}\n`;
    const block = Buffer.from(line.repeat(256));
    const total = Math.ceil((50 << 20) / block.length);
    const source = Readable.from((function* () {
      for (let i = 0; i < total; i++) yield block;
    })());
    let n = 0;
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const r = await readFlowStream(source, {
      flow: () => {
        if (++n % 50000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
      },
    });
    assert.equal(r.error, undefined);
    assert.equal(n, total * 256);
    // Flat memory: the heap never grows by anything close to the 50 MB that went through.
    assert.ok(peak - before < 30 << 20, `heap grew by ${((peak - before) / 1048576).toFixed(1)} MiB`);
  });
  it('cleanup', () => rmSync(dir, { recursive: true, force: true }));
});
