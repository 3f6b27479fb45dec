/**
 * @module bench/generate
 *
 * `polis generate` ingest: flows/s reducing a generated Hubble export to
 * observed connections on one core and on all cores (worker threads over
 * byte ranges), beside a bare `JSON.parse`-per-line loop over the same file
 * in the same process (a plain node running the bundled reader, as users
 * run it); peak memory while reducing 1 M and 10 M flows generated
 * on the fly (flat: it grows with distinct connections, not flows); and,
 * when POLIS_CLICKHOUSE_URL is set, the time ClickHouse takes to reduce
 * 10 M rows with the one GROUP BY, beside the file path's time for as many
 * flows. Sizes: BENCH_GENERATE_FLOWS (file, default 1,000,000),
 * BENCH_GENERATE_MEMORY (default 1000000,10000000). Temp files are deleted.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { report } from './harness.js';
import { FlowStreamParser } from '../src/hubble/reader.js';
import { Reduction } from '../src/generate/observed.js';
import { REDUCTION_READ } from '../src/generate/line-reader.js';
// @ts-expect-error: a plain .mjs build script without types
import { buildCli } from '../scripts/build-cli.mjs';
import { CLICKHOUSE_TABLE_SQL, clickhouseQuery, parseClickHouseUrl, reduceClickHouse, type ClickHouseSource } from '../src/generate/io/clickhouse.js';

const NAMESPACES = 10;
const APPS = 20;
const PORTS = [80, 443, 5432, 6379, 8080, 9090, 53];

/** The i-th flow: 200 workloads in 10 namespaces calling each other and the world; half are replies. */
export function flowLine(i: number): string {
  const a = (i * 7919) % (NAMESPACES * APPS);
  const b = (i * 104729 + 13) % (NAMESPACES * APPS);
  const port = PORTS[i % PORTS.length]!;
  const reply = (i & 1) === 1;
  const ep = (w: number, id: number) => {
    const ns = `ns${w % NAMESPACES}`;
    return `{"ID":${100 + w},"identity":${id},"namespace":"${ns}","labels":["k8s:app=app${w}","k8s:io.kubernetes.pod.namespace=${ns}","k8s:pod-template-hash=5d${w}f9"],"pod_name":"app${w}-5d${w}f9-x${i % 97}"}`;
  };
  const world = i % 11 === 0;
  const src = ep(a, 10000 + a);
  const dst = world ? `{"identity":2,"labels":["reserved:world"]}` : ep(b, 10000 + b);
  const sec = 1714557600 + Math.floor(i / 1000);
  const [s, d] = reply ? [dst, src] : [src, dst];
  const [sp, dp] = reply ? [port, 30000 + (i % 30000)] : [30000 + (i % 30000), port];
  return `{"flow":{"time":"${new Date(sec * 1000).toISOString().replace('.000Z', `.${String(i % 1e6).padStart(6, '0')}000Z`)}","verdict":"FORWARDED",`
    + `"IP":{"source":"10.0.${a % 250}.${i % 250}","destination":"${world ? `203.0.113.${i % 50}` : `10.1.${b % 250}.${i % 250}`}","ipVersion":"IPv4"},`
    + `"l4":{"TCP":{"source_port":${sp},"destination_port":${dp},"flags":{"ACK":true}}},"source":${s},"destination":${d},`
    + `"Type":"L3_L4","node_name":"node-${i % 3}","event_type":{"type":4},"traffic_direction":"EGRESS","is_reply":${reply}},"node_name":"node-${i % 3}","time":"2024-05-01T10:00:00Z"}\n`;
}

async function writeFlows(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  let buf = '';
  for (let i = 0; i < n; i++) {
    buf += flowLine(i);
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

/** Reduces `n` flows generated on the fly (never a file), sampling peak RSS. */
function memoryRun(n: number): { ms: number; peakRss: number; heapAfter: number; connections: number; gb: number } {
  const r = new Reduction();
  const parser = new FlowStreamParser({ flow: (x) => r.add(x) }, REDUCTION_READ);
  let peak = 0;
  let bytes = 0;
  const t0 = performance.now();
  let chunk = '';
  for (let i = 0; i < n; i++) {
    chunk += flowLine(i);
    if (chunk.length > 1 << 16) {
      bytes += chunk.length;
      parser.push(chunk);
      chunk = '';
      if ((i & 0x3fff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
  }
  bytes += chunk.length;
  parser.push(chunk);
  parser.end();
  peak = Math.max(peak, process.memoryUsage().rss);
  return { ms: performance.now() - t0, peakRss: peak / 1048576, heapAfter: process.memoryUsage().heapUsed / 1048576, connections: r.connections.size, gb: bytes / 1e9 };
}

interface Timed {
  readonly ms: number;
  readonly cpuMs: number;
}
interface IngestFigures {
  readonly base: Timed & { readonly n: number };
  readonly one: Timed & { readonly flows: number };
  readonly all: Timed & { readonly flows: number; readonly threads: number };
  readonly connections: number;
  readonly same: boolean;
}

/** The timed part, run by a plain node: the JSON.parse baseline, then the bundled reader on one thread and on all. */
const INGEST_SCRIPT = `
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { availableParallelism } from 'node:os';
const [bundled, path] = process.argv.slice(2);
const { reduceFlowFiles } = await import(bundled);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
async function timed(f) {
  const c = cpu();
  const t = performance.now();
  const r = await f();
  return { r, ms: performance.now() - t, cpuMs: cpu() - c };
}
const base = await timed(async () => {
  let n = 0;
  const rl = createInterface({ input: createReadStream(path, { highWaterMark: 1 << 16 }), crlfDelay: Infinity });
  for await (const l of rl) if (l) { JSON.parse(l); n++; }
  return n;
});
const one = await timed(() => reduceFlowFiles([path], { workers: 1 }));
const all = await timed(() => reduceFlowFiles([path], { workers: availableParallelism() }));
process.stdout.write(JSON.stringify({
  base: { n: base.r, ms: base.ms, cpuMs: base.cpuMs },
  one: { flows: one.r.reduction.stats.flows, ms: one.ms, cpuMs: one.cpuMs },
  all: { flows: all.r.reduction.stats.flows, ms: all.ms, cpuMs: all.cpuMs, threads: all.r.threads },
  connections: one.r.reduction.connections.size,
  same: JSON.stringify(one.r.reduction.toData()) === JSON.stringify(all.r.reduction.toData()),
}));
`;

const perSec = (n: number, ms: number) => (n / ms) * 1000;

async function clickhouse(rows: number, fileRate: number): Promise<void> {
  const url = process.env['POLIS_CLICKHOUSE_URL'];
  if (!url) {
    console.log('clickhouse: skipped (set POLIS_CLICKHOUSE_URL=clickhouse://HOST:PORT; .ci/clickhouse.sh starts one)');
    return;
  }
  const src = parseClickHouseUrl(`${url.replace(/\/+$/, '')}/polis_bench.flows`) as ClickHouseSource;
  const run = async (sql: string) => {
    const r = await clickhouseQuery({ ...src, database: 'default' }, sql);
    if (!r.ok) throw new Error(r.error);
  };
  await run('CREATE DATABASE IF NOT EXISTS polis_bench');
  await run('DROP TABLE IF EXISTS polis_bench.flows');
  await run(CLICKHOUSE_TABLE_SQL.replace('{table}', 'polis_bench.flows'));
  // The same shape of traffic as the file, generated inside ClickHouse (inserting 10 M rows over HTTP would time the insert).
  const t0 = performance.now();
  await run(`INSERT INTO polis_bench.flows SELECT toDateTime(1714557600 + intDiv(number, 1000)) AS time, toUInt32(number % 1000000 * 1000) AS time_nanos,
    'FORWARDED' AS verdict, 'L3_L4' AS type, toUInt8(4) AS event_type, toNullable(toUInt8(number % 2)) AS is_reply,
    concat('10.0.', toString((number * 7919) % 200 % 250), '.', toString(number % 250)) AS ip_source,
    if(number % 11 = 0, concat('203.0.113.', toString(number % 50)), concat('10.1.', toString((number * 104729 + 13) % 200 % 250), '.', toString(number % 250))) AS ip_destination,
    'TCP' AS l4_protocol, toUInt16(30000 + number % 30000) AS source_port, toUInt16([80, 443, 5432, 6379, 8080, 9090, 53][number % 7 + 1]) AS destination_port,
    ['ACK'] AS tcp_flags, toUInt8(0) AS icmp_type,
    toUInt32(10000 + (number * 7919) % 200) AS source_identity, concat('ns', toString((number * 7919) % 200 % 10)) AS source_namespace,
    [concat('k8s:app=app', toString((number * 7919) % 200)), concat('k8s:io.kubernetes.pod.namespace=ns', toString((number * 7919) % 200 % 10))] AS source_labels,
    toUInt32(if(number % 11 = 0, 2, 10000 + (number * 104729 + 13) % 200)) AS destination_identity,
    if(number % 11 = 0, '', concat('ns', toString((number * 104729 + 13) % 200 % 10))) AS destination_namespace,
    if(number % 11 = 0, ['reserved:world'], [concat('k8s:app=app', toString((number * 104729 + 13) % 200)), concat('k8s:io.kubernetes.pod.namespace=ns', toString((number * 104729 + 13) % 200 % 10))]) AS destination_labels,
    emptyArrayString() AS destination_names, '' AS l7_type, '' AS http_method, '' AS http_url, '' AS dns_query, emptyArrayString() AS dns_ips
    FROM system.numbers LIMIT ${rows}`);
  const insertMs = performance.now() - t0;
  const t1 = performance.now();
  const r = await reduceClickHouse(src);
  const ms = performance.now() - t1;
  if (r.error) throw new Error(r.error);
  const fileMs = (rows / fileRate) * 1000;
  console.log(`clickhouse: ${rows.toLocaleString('en-US')} rows (inserted in ${(insertMs / 1000).toFixed(1)} s) reduced by one GROUP BY in ${(ms / 1000).toFixed(2)} s → ${r.groups.toLocaleString('en-US')} groups, ${r.reduction.connections.size.toLocaleString('en-US')} connections`);
  report('generate ClickHouse path (10 M rows)', { value: ms / 1000, unit: 's' }, { value: fileMs / 1000, unit: 's', name: 'file path at the all-core rate measured above' }, false);
  await run('DROP TABLE IF EXISTS polis_bench.flows');
}

export async function run(): Promise<void> {
  const n = Number(process.env['BENCH_GENERATE_FLOWS'] ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'polis-bench-generate-'));
  const path = join(dir, 'flows.jsonl');
  try {
    // The reader as users run it: bundled JavaScript, in a node of its own. Workers then start from
    // bundled files (from the TypeScript sources each would first compile its modules, seconds under
    // load), and no TypeScript loader sits in the process (tsx in it made the one-thread reader ~35%
    // slower). The baseline runs in that same process.
    const bundle = join(dir, 'bundle');
    await (buildCli as (o: object) => Promise<unknown>)({ outdir: bundle, entries: { 'reduce-files': join(process.cwd(), 'src/generate/io/reduce-files.ts') } });
    await writeFlows(path, n);
    const size = statSync(path).size;
    console.log(`export: ${n.toLocaleString('en-US')} flows, ${(size / 1e6).toFixed(0)} MB, ${availableParallelism()} cores`);
    const script = join(dir, 'ingest.mjs');
    writeFileSync(script, INGEST_SCRIPT);
    const child = spawnSync(process.execPath, ['--max-semi-space-size=32', script, join(bundle, 'reduce-files.js'), path], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (child.status !== 0) throw new Error(`ingest run failed: ${child.stderr.slice(0, 2000)}`);
    const m = JSON.parse(child.stdout) as IngestFigures;
    const baseRate = perSec(m.base.n, m.base.ms);
    const baseCpu = perSec(m.base.n, m.base.cpuMs);
    report('generate ingest, 1 core', { value: perSec(m.one.flows, m.one.ms), unit: 'flows/s' }, { value: baseRate, unit: 'flows/s', name: 'JSON.parse per line, 1 core' }, true);
    report('  per CPU-second', { value: perSec(m.one.flows, m.one.cpuMs), unit: 'flows/CPU-s' }, { value: baseCpu, unit: 'flows/CPU-s', name: 'JSON.parse per line' }, true);
    const allRate = perSec(m.all.flows, m.all.ms);
    report(`generate ingest, ${m.all.threads} threads`, { value: allRate, unit: 'flows/s' }, { value: baseRate, unit: 'flows/s', name: 'JSON.parse per line, 1 core' }, true);
    console.log(`  ${Math.round(perSec(m.all.flows, m.all.cpuMs)).toLocaleString('en-US')} flows/CPU-s; load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`);
    console.log(`  (${m.connections.toLocaleString('en-US')} observed connections; the same from both: ${m.same})`);
    rmSync(path);
    await clickhouse(10_000_000, allRate);
    for (const m of (process.env['BENCH_GENERATE_MEMORY'] ?? '1000000,10000000').split(',').map(Number)) {
      const r = memoryRun(m);
      console.log(`memory, ${m.toLocaleString('en-US')} flows generated on the fly (${r.gb.toFixed(1)} GB of JSON): peak RSS ${r.peakRss.toFixed(0)} MB, heap after ${r.heapAfter.toFixed(0)} MB, ${r.connections} connections, ${Math.round(perSec(m, r.ms)).toLocaleString('en-US')} flows/s`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
