/**
 * @module bench/hubble
 *
 * `polis observe --input-file` throughput: read + decode + filter + compact
 * print of a large generated Hubble export (real flows from testdata/hubble,
 * cycled with fresh timestamps), against a bare `JSON.parse`-per-line loop
 * over the same file in the same run. Memory (RSS and heap) is sampled at
 * 200k and 1M flows to show it stays flat as the input grows, for compact
 * and for table output (which hubble holds whole until exit; polis writes it
 * in batches). Also the hostile-input costs of issue 8: blank and junk lines
 * (once ~6 µs each), and an FQDN pattern that makes a backtracking RegExp
 * exponential. The temp files are deleted afterwards.
 */
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { bestOf, report } from './harness.js';
import { buildFlowFilters, compileFlowFilters, createPrinter, FlowSelection, FlowStreamParser, type FlowRecord, type OutputFormat } from '../src/hubble/index.js';
import { compileFqdnPatterns } from '../src/hubble/filter/patterns.js';
import { readFlowFile } from '../src/hubble/io/read-flows.js';

const data = fileURLToPath(new URL('../testdata/hubble/', import.meta.url));

function sampleLines(): string[] {
  const set = new Set<string>();
  for (const f of readdirSync(data).filter((x) => x.endsWith('.jsonl'))) {
    for (const l of readFileSync(join(data, f), 'utf8').split('\n')) if (l) set.add(l);
  }
  return [...set];
}

/** Writes `n` flows, cycling the samples and giving each a new timestamp; streamed, never held in memory. */
async function generate(path: string, n: number, samples: readonly string[]): Promise<void> {
  const out = createWriteStream(path);
  const t0 = Date.UTC(2024, 0, 1) / 1000;
  let buf = '';
  for (let i = 0; i < n; i++) {
    const s = samples[i % samples.length] as string;
    const ts = new Date((t0 + i / 1000) * 1000).toISOString().replace('Z', `${String(i % 1000000).padStart(6, '0')}Z`);
    buf += `${s.replace(/"time":"[^"]*"/g, `"time":"${ts}"`)}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

function mem(): { rss: number; heap: number } {
  const m = process.memoryUsage();
  return { rss: m.rss / 1048576, heap: m.heapUsed / 1048576 };
}

/** The `polis observe` pipeline with `--not --namespace kube-system -o FORMAT`, output counted, not kept. */
async function observe(path: string, format: OutputFormat = 'compact'): Promise<{ ms: number; flows: number; printed: number; bytes: number; after: ReturnType<typeof mem> }> {
  const built = buildFlowFilters([{ name: 'not', value: '' }, { name: 'namespace', value: 'kube-system' }]);
  if (!built.ok) throw new Error(built.error);
  const compiled = compileFlowFilters(built.filters);
  if (!compiled.ok) throw new Error(compiled.error);
  const printer = createPrinter(format);
  let printed = 0;
  let bytes = 0;
  const sel = new FlowSelection({ match: compiled.match }, (r: FlowRecord) => {
    bytes += printer.write(r).length;
    printed++;
  });
  const t0 = performance.now();
  const res = await readFlowFile(path, { flow: (r) => sel.push(r) });
  sel.end();
  bytes += printer.end().length;
  const ms = performance.now() - t0;
  return { ms, flows: res.stats.flows, printed, bytes, after: mem() };
}

/** The naive baseline: readline + `JSON.parse` per line, nothing else. */
async function bareParse(path: string): Promise<{ ms: number; lines: number }> {
  const t0 = performance.now();
  let lines = 0;
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of rl) {
    if (line) {
      JSON.parse(line);
      lines++;
    }
  }
  return { ms: performance.now() - t0, lines };
}

/** Blank and junk lines through the reader, against the bare minimum (decoding the bytes) and the old per-line JSON.parse. */
function hostileLines(): void {
  const newlines = new Uint8Array(1 << 16).fill(10);
  const chunks = 3200; // 200 MiB
  const reader = bestOf(2, () => {
    const p = new FlowStreamParser({ flow: () => undefined });
    for (let i = 0; i < chunks; i++) p.push(newlines);
    p.end();
  });
  const decode = bestOf(2, () => {
    const d = new TextDecoder();
    for (let i = 0; i < chunks; i++) d.decode(newlines, { stream: true });
  });
  const mib = (chunks * newlines.length) / 1048576;
  report(`reader: ${mib} MiB of blank lines`, { value: mib / (reader / 1000), unit: 'MiB/s' }, { value: mib / (decode / 1000), unit: 'MiB/s', name: 'TextDecoder.decode alone' }, true);

  const junk = new TextEncoder().encode('Jun 16 16:52:13.136: a:1 (host) -> b:2 (world) to-stack FORWARDED (TCP)\nnot json at all\n'.repeat(1 << 12));
  const junkLines = 2 << 12;
  const rounds = 16;
  const polis = bestOf(2, () => {
    const p = new FlowStreamParser({ flow: () => undefined, issue: () => undefined });
    for (let i = 0; i < rounds; i++) p.push(junk);
    p.end();
  });
  const text = new TextDecoder().decode(junk).split('\n');
  const naive = bestOf(2, () => {
    for (let i = 0; i < rounds; i++) {
      for (const l of text) {
        try {
          JSON.parse(l);
        } catch {
          // the old reader: one exception per junk line
        }
      }
    }
  });
  const n = rounds * junkLines;
  report('reader: junk lines (hubble text output, garbage)', { value: (polis * 1e3) / n, unit: 'µs/line' }, { value: (naive * 1e3) / n, unit: 'µs/line', name: 'JSON.parse + catch per line' }, false);
}

/** `--fqdn '*a*a*a*a*a*a*a*a*a*a*a*a*b'`: RE2 on a 40-character name against a backtracking RegExp on a 22-character one. */
function fqdnPattern(): void {
  const pattern = '*a*a*a*a*a*a*a*a*a*a*a*a*b';
  const m = compileFqdnPatterns([pattern]);
  if ('error' in m) throw new Error(m.error);
  const re2 = bestOf(3, () => m.test('a'.repeat(40)));
  const js = new RegExp(`^(?:${m.source})$`);
  const backtracking = bestOf(1, () => js.test('a'.repeat(22)));
  report(`--fqdn ${pattern} (RE2, 40-character name)`, { value: re2, unit: 'ms' }, { value: backtracking, unit: 'ms', name: 'JS RegExp, 22-character name; doubles per 2 characters' }, false);
}

export async function run(): Promise<void> {
  hostileLines();
  fqdnPattern();
  const dir = mkdtempSync(join(tmpdir(), 'polis-bench-hubble-'));
  try {
    const samples = sampleLines();
    const sizes = [200_000, 1_000_000];
    const files: string[] = [];
    for (const n of sizes) {
      const p = join(dir, `flows-${n}.jsonl`);
      await generate(p, n, samples);
      files.push(p);
    }
    const base = mem();
    console.log(`memory before: rss ${base.rss.toFixed(0)} MiB, heap ${base.heap.toFixed(0)} MiB`);
    for (let i = 0; i < sizes.length; i++) {
      const p = files[i] as string;
      const mb = statSync(p).size / 1048576;
      await observe(p); // warm-up
      const o = await observe(p);
      const b = await bareParse(p);
      console.log(
        `${sizes[i]?.toLocaleString('en-US')} flows (${mb.toFixed(0)} MiB): read+filter+compact ${o.ms.toFixed(0)} ms, ` +
        `${o.printed.toLocaleString('en-US')} printed; memory after: rss ${o.after.rss.toFixed(0)} MiB, heap ${o.after.heap.toFixed(0)} MiB`,
      );
      report(
        `observe --input-file (${sizes[i]?.toLocaleString('en-US')} flows, --not -n kube-system, -o compact)`,
        { value: (o.flows / o.ms) * 1000, unit: 'flows/s' },
        { value: (b.lines / b.ms) * 1000, unit: 'lines/s', name: 'readline + bare JSON.parse per line' },
        true,
      );
      const t = await observe(p, 'table');
      console.log(
        `${sizes[i]?.toLocaleString('en-US')} flows -o table: ${t.ms.toFixed(0)} ms; memory after: rss ${t.after.rss.toFixed(0)} MiB, heap ${t.after.heap.toFixed(0)} MiB (rows written in batches, not held)`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
