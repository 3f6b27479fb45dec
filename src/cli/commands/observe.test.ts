/**
 * CLI tests for `polis observe`, run in-process through `main` with an
 * in-memory IO: formats, filters, selectors, usage errors (exit 2, no stack
 * trace) and bad input (garbage, empty, gzip, over-long lines, stdin).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { main } from '../main.js';
import { memoryIO } from '../io.js';

const data = fileURLToPath(new URL('../../../testdata/hubble/', import.meta.url));
const tcp = join(data, 'cilium-hubble-otel__basic-sample-400-tcp-flows.jsonl');
const ten = join(data, 'cilium-hubble-otel__basic-sample-10-flows.jsonl');

async function run(args: string[], stdin = '') {
  const io = memoryIO(stdin);
  const code = await main(['observe', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('polis observe', () => {
  it('prints compact lines and a summary on stderr', async () => {
    const r = await run(['--input-file', ten, '--first', '2']);
    assert.equal(r.code, 0);
    assert.equal(r.out.split('\n')[0], 'Jun 16 16:52:13.136: bookinfo/reviews-v1-545db77b95-s6jb8:15020 (ID:25339) <> 10.0.2.1:42044 (host) to-stack FORWARDED (TCP Flags: ACK, FIN)');
    assert.equal(r.out.split('\n').length, 3);
    assert.match(r.err, /read 10 lines: 10 flows, 0 skipped/);
  });
  it('--last, --print-node-name, --time-format', async () => {
    const r = await run(['--input-file', ten, '--last', '1', '--print-node-name', '--time-format', 'RFC3339Milli']);
    assert.equal(r.out, '2021-06-16T16:52:13.611Z [gke-ilya-otel-demo-1-ilya-otel-demo-1-6114bb84-zr1l]: kube-system/kube-dns-6c7b8dc9f9-gnxh2:10054 (ID:36522) <> 10.0.2.1:50908 (host) to-stack FORWARDED (TCP Flags: SYN, ACK)\n');
  });
  it('-o jsonpb writes the input lines back', async () => {
    const r = await run(['--input-file', ten, '-o', 'jsonpb']);
    assert.equal(r.out, (await import('node:fs')).readFileSync(ten, 'utf8'));
  });
  it('filters: --type policy-verdict --to-port 9080 --not --from-label app=productpage', async () => {
    const r = await run(['--input-file', tcp, '-t', 'policy-verdict', '--to-port', '9080', '--not', '--from-label', 'app=productpage']);
    assert.equal(r.code, 0);
    const rows = r.out.trim().split('\n');
    assert.ok(rows.length > 1);
    for (const row of rows) {
      assert.match(row, /:9080 \(ID:\d+\) policy-verdict:\S+ EGRESS ALLOWED/);
      assert.ok(!(row.split(' -> ')[0] ?? '').includes('productpage-v1'), row);
    }
  });
  it('--since/--until with absolute times select by envelope time', async () => {
    const r = await run(['--input-file', ten, '--since', '2021-06-16T16:52:13.5Z', '--until', '2021-06-16T16:52:13.6Z']);
    // the two flows at 16:52:13.596…
    assert.equal(r.out.trim().split('\n').length, 2);
  });
  it('--since with a duration relative to now', async () => {
    const r = await run(['--input-file', ten, '--since', '5m']);
    assert.equal(r.out, '');
  });
  it('--color always colours; never (default for non-TTY) does not', async () => {
    const on = await run(['--input-file', ten, '--first', '1', '--color', 'always']);
    assert.match(on.out, /\x1b\[36m/);
    const off = await run(['--input-file', ten, '--first', '1']);
    assert.ok(!off.out.includes('\x1b'));
  });
  const usage: [string[], RegExp][] = [
    [['--input-file', ten, '--verdict', 'nope'], /invalid --verdict value: nope/],
    [['--input-file', ten, '--http-path', '(['], /invalid http path filter/],
    [['--input-file', ten, '--from-ip', '10.0.0.0/99'], /invalid CIDR/],
    [['--input-file', ten, '-o', 'yaml'], /invalid output format "yaml"/],
    [['--input-file', ten, '--time-format', 'Kitchen'], /invalid --time-format/],
    [['--input-file', ten, '--first', '1', '--last', '2'], /--first and --last cannot be combined/],
    [['--input-file', ten, '--since', 'last tuesday'], /invalid --since/],
    [['--input-file', ten, '--first', '-3'], /invalid --first/],
    [[], /required option --input-file/],
    // Names that are also keys of every JS object (issue 8): a usage error like any unknown type, not a silent miss.
    [['--input-file', ten, '--type', 'constructor'], /unable to parse type 'constructor'/],
    [['--input-file', ten, '--type', '__proto__'], /unable to parse type '__proto__'/],
    [['--input-file', ten, '--type', 'toString'], /unable to parse type 'toString'/],
    [['--input-file', ten, '--type', 'hasOwnProperty'], /unable to parse type 'hasOwnProperty'/],
    [['--input-file', ten, '--type', 'trace:constructor'], /unable to parse event sub-type 'constructor'/],
    // Go's time.ParseDuration refuses durations beyond int64 nanoseconds (about 292 years).
    [['--input-file', ten, '--since', '9999999999999999h'], /invalid --since "9999999999999999h": duration out of range/],
    [['--input-file', ten, '--until', `${'9'.repeat(400)}h`], /invalid --until "9+h": duration out of range/],
    [['--input-file', ten, '--since', '2562048h'], /duration out of range/],
  ];
  for (const [args, re] of usage) {
    it(`usage error: ${args.slice(2).join(' ') || '(no input)'}`, async () => {
      const r = await run(args);
      assert.equal(r.code, 2);
      assert.match(r.err, re);
      assert.ok(!/\n\s+at /.test(r.err), 'no stack trace');
      assert.equal(r.out, '');
    });
  }
  it('unknown flag is a usage error', async () => {
    const r = await run(['--input-file', ten, '--frobnicate']);
    assert.equal(r.code, 2);
  });
});

describe('polis observe: bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'polis-observe-'));
  const good = '{"flow":{"time":"2021-06-16T16:52:13.136Z","verdict":"FORWARDED","Summary":"UDP"}}';
  it('garbage, truncated and binary lines are reported with line numbers; good lines print', async () => {
    const p = join(dir, 'mixed.jsonl');
    writeFileSync(p, Buffer.concat([Buffer.from(`${good}\n{"flow":{"verd\n`), Buffer.from([0, 1, 2, 0xff, 0xfe, 10]), Buffer.from(`${good}\n`)]));
    const r = await run(['--input-file', p]);
    assert.equal(r.code, 0);
    assert.equal(r.out.split('\n').length, 3);
    assert.match(r.err, /mixed\.jsonl:2: invalid JSON/);
    assert.match(r.err, /mixed\.jsonl:3: invalid JSON/);
    assert.match(r.err, /read 4 lines: 2 flows, 2 skipped \(2 invalid JSON\)/);
  });
  it('an empty file: exit 1, no flows', async () => {
    const p = join(dir, 'empty.jsonl');
    writeFileSync(p, '');
    const r = await run(['--input-file', p, '-o', 'table']);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.match(r.err, /read 0 lines: 0 flows, 0 skipped\n.*no flows in .*empty\.jsonl: the input is empty\n$/);
  });
  // Issue 8: no line of the input was a flow, yet observe said nothing and exited 0.
  it("hubble's compact text output: exit 1, and says to export JSON", async () => {
    const p = join(dir, 'compact.txt');
    const compact = (await run(['--input-file', ten])).out;
    writeFileSync(p, compact);
    const r = await run(['--input-file', p]);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.match(r.err, /compact\.txt:1: this is the text output of hubble observe \(compact, dict or table\), not JSON/);
    assert.match(r.err, /read 10 lines: 0 flows, 10 skipped \(10 hubble text output\)/);
    assert.match(r.err, /no flows in .*compact\.txt: it holds the text output of hubble observe .*`hubble observe -o jsonpb` \(or `-o json`\)/);
  });
  it('lines that are JSON but no flow: exit 1', async () => {
    const p = join(dir, 'objects.jsonl');
    writeFileSync(p, '{"a":1}\n[]\n{"lost_events":{}}\n');
    const r = await run(['--input-file', p]);
    assert.equal(r.code, 1);
    assert.match(r.err, /no flows in .*objects\.jsonl: no line is a Hubble flow/);
  });
  it('only blank lines: exit 1', async () => {
    const p = join(dir, 'blank.jsonl');
    writeFileSync(p, '\n\r\n  \n');
    const r = await run(['--input-file', p]);
    assert.equal(r.code, 1);
    assert.match(r.err, /no flows in .*blank\.jsonl: the input holds only blank lines/);
  });
  it('flows that the filters all drop are not an error: exit 0', async () => {
    const r = await run(['--input-file', ten, '--verdict', 'DROPPED']);
    assert.equal(r.code, 0);
    assert.equal(r.out, '');
  });
  it('a gzip file with trailing bytes: every flow prints, the bytes are reported once, exit 1', async () => {
    const p = join(dir, 'trailing.gz');
    writeFileSync(p, Buffer.concat([gzipSync(readFileSync(ten)), Buffer.from('garbage\n')]));
    const r = await run(['--input-file', p, '-o', 'jsonpb']);
    assert.equal(r.code, 1);
    assert.equal(r.out, readFileSync(ten, 'utf8'));
    assert.match(r.err, /^polis observe: .*trailing\.gz: 8 bytes after the last complete gzip member \(from byte \d+\) are not gzip data and were ignored; 1 member was read\npolis observe: .*trailing\.gz: read 10 lines: 10 flows, 0 skipped\n$/);
  });
  it('hostile text in skipped-line messages is escaped on stderr', async () => {
    const p = join(dir, 'hostile.jsonl');
    // Node's JSON.parse message quotes the line raw: `Unexpected token '\x1b', "{"a":\x1b]0;owned\x07}" is not valid JSON`.
    writeFileSync(p, `${good}\n\x1b]0;owned\x07\n{"a":\x1b]0;owned\x07}\n{"flow":{"verdict":"\x1b[2J\x9b"}}\n`);
    const r = await run(['--input-file', p]);
    assert.match(r.err, /hostile\.jsonl:3: invalid JSON: Unexpected token '\^\[', "\{"a":\^\[\]0;owned\\x07\}" is not valid JSON/);
    assert.ok(!/[\x00-\x09\x0b-\x1f\x7f-\x9f]/.test(r.err), JSON.stringify(r.err));
  });
  it('a gzip file', async () => {
    const p = join(dir, 'flows.jsonl.gz');
    writeFileSync(p, gzipSync(`${good}\n${good}\n`));
    const r = await run(['--input-file', p, '-o', 'dict']);
    assert.equal(r.code, 0);
    assert.match(r.out, /------------/);
  });
  it('a truncated gzip file: exit 1 (damaged input) with one message, lines read before still print', async () => {
    const p = join(dir, 'cut.gz');
    const z = gzipSync(`${good}\n`.repeat(5000));
    writeFileSync(p, z.subarray(0, z.length - 20));
    const r = await run(['--input-file', p]);
    assert.equal(r.code, 1);
    assert.match(r.err, /cut\.gz: gzip data is cut short in member 1/);
    assert.ok(!r.err.includes('invalid JSON'), r.err);
    assert.ok(r.out.length > 0);
  });
  it('an over-long line (over 1 MiB) is skipped', async () => {
    const p = join(dir, 'long.jsonl');
    writeFileSync(p, `${good}\n{"flow":{"Summary":"${'x'.repeat((1 << 20) + 10)}"}}\n${good}\n`);
    const r = await run(['--input-file', p]);
    assert.equal(r.out.split('\n').length, 3);
    assert.match(r.err, /long\.jsonl:2: line is \d+ characters long, over the limit of 1048576; skipped/);
  });
  // Issue 8: `-o table` on a flow with a 1,000,000-character field padded every row to a megabyte.
  for (const format of ['table', 'dict', 'compact']) {
    it(`-o ${format} with a 1,000,000-character pod name and summary`, async () => {
      const p = join(dir, `huge-${format}.jsonl`);
      const huge = 'x'.repeat(1_000_000);
      const flow = (pod: string, summary: string) => JSON.stringify({ flow: { time: '2021-06-16T16:52:13.136Z', verdict: 'FORWARDED', IP: { source: '1.1.1.1', destination: '2.2.2.2' }, source: { namespace: 'a', pod_name: pod }, Summary: summary } });
      writeFileSync(p, `${flow(huge, 'ok')}\n${flow('b', huge.slice(1))}\n${flow('c', 'ok')}\n`);
      const r = await run(['--input-file', p, '-o', format]);
      assert.equal(r.code, 0);
      assert.ok(r.out.includes(`a/${huge}`));
      assert.ok(r.out.length < 2_001_000, String(r.out.length));
      assert.match(r.err, /read 3 lines: 3 flows/);
    });
  }
  it('many bad lines: the first 20 are described, all are counted', async () => {
    const p = join(dir, 'bad.jsonl');
    writeFileSync(p, 'nope\n'.repeat(100));
    const r = await run(['--input-file', p]);
    assert.match(r.err, /80 more skipped lines not shown/);
    assert.match(r.err, /100 skipped \(100 invalid JSON\)/);
  });
  it('a missing file: exit 2', async () => {
    const r = await run(['--input-file', join(dir, 'nope.jsonl')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /no such file/);
  });
  it('stdin (-)', async () => {
    const r = await run(['--input-file', '-', '-o', 'json'], `${good}\n`);
    assert.equal(r.code, 0);
    assert.equal(r.out, `${good}\n`);
  });
  it('cleanup', () => rmSync(dir, { recursive: true, force: true }));
});
