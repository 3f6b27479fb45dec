/**
 * @module cli/flows-input
 *
 * `--flows` for `generate` and `replay`: files, `-`, and
 * `clickhouse://HOST:PORT/DB.TABLE`, read into one reduction (files in
 * worker threads, ClickHouse by its own GROUP BY), with a progress line on a
 * terminal and a report of what was skipped and why on stderr.
 */
import { formatReadSummary, type ReadStats } from '../hubble/reader.js';
import { SKIP_CAUSES, SKIP_CAUSE_TEXT, Reduction } from '../generate/observed.js';
import { parseClickHouseUrl, reduceClickHouse } from '../generate/io/clickhouse.js';
import { addStats, reduceFlowFiles } from '../generate/io/reduce-files.js';
import { emptyStats } from '../hubble/reader.js';
import { escapeControls } from '../util/terminal.js';
import type { CliIO } from './io.js';

export interface FlowsFlags {
  flows?: string[];
  l7?: boolean;
  quiet?: boolean;
  workers?: string;
}

export type FlowsRead =
  | { readonly ok: true; readonly reduction: Reduction; readonly stats: ReadStats; readonly damaged: boolean; readonly noFlows: boolean }
  | { readonly ok: false; readonly situation: 'bad-flag' | 'unreadable'; readonly message: string };

const MAX_REPORTED = 20;

/** Standard input through `readStdin`, for an IO that cannot stream it (tests). */
async function* stdinOnce(io: CliIO): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode(await io.readStdin());
}

const num = (n: number) => n.toLocaleString('en-US');

/** Reads every `--flows` source; reports skipped lines and causes on stderr (unless quiet). */
export async function readFlowsInput(cmd: string, o: FlowsFlags, io: CliIO): Promise<FlowsRead> {
  const sources = o.flows ?? [];
  if (sources.length === 0) return { ok: false, situation: 'bad-flag', message: 'no flows: name Hubble exports with --flows FILE (or - for stdin, or clickhouse://HOST:PORT/DB.TABLE)' };
  let workers: number | undefined;
  if (o.workers !== undefined) {
    if (!/^\d+$/.test(o.workers) || Number(o.workers) < 1 || Number(o.workers) > 256) return { ok: false, situation: 'bad-flag', message: `invalid --workers ${JSON.stringify(o.workers)}: expected a number from 1 to 256` };
    workers = Number(o.workers);
  }
  const l7 = o.l7 === true;
  const clickhouse = sources.filter((s) => s.startsWith('clickhouse:'));
  const files = sources.filter((s) => !s.startsWith('clickhouse:'));
  const tables = [];
  for (const c of clickhouse) {
    const p = parseClickHouseUrl(c);
    if (typeof p === 'string') return { ok: false, situation: 'bad-flag', message: p };
    tables.push(p);
  }
  const started = Date.now();
  const progress = !o.quiet && io.errIsTTY === true;
  let shown = false;
  const onProgress = progress
    ? (flows: number) => {
        const s = (Date.now() - started) / 1000;
        io.err(`\r\x1b[Kreading flows: ${num(flows)} flows, ${num(Math.round(flows / Math.max(s, 0.001)))}/s`);
        shown = true;
      }
    : undefined;
  const read = await reduceFlowFiles(files, { l7, ...(workers ? { workers } : {}), stdin: io.stdinStream ?? (() => stdinOnce(io)), ...(onProgress ? { onProgress } : {}) });
  if (shown) io.err('\r\x1b[K');
  const reduction = read.reduction;
  const stats = emptyStats();
  addStats(stats, read.stats);
  if (read.errors.length > 0) return { ok: false, situation: 'unreadable', message: read.errors.map(escapeControls).join('\n') };
  for (const t of tables) {
    const r = await reduceClickHouse(t, { l7 });
    if (r.error) return { ok: false, situation: 'unreadable', message: escapeControls(r.error) };
    reduction.merge(r.reduction);
    stats.flows += r.reduction.stats.flows;
  }
  if (!o.quiet) {
    read.issues.slice(0, MAX_REPORTED).forEach(({ source, issue }) => io.err(`polis ${cmd}: ${escapeControls(source)}:${issue.line}: ${escapeControls(issue.message)}\n`));
    for (const d of read.damage) io.err(`polis ${cmd}: ${escapeControls(d)}\n`);
    if (files.length > 0) io.err(`polis ${cmd}: ${formatReadSummary(read.stats)}${read.threads > 1 ? ` (${read.threads} threads)` : ''}\n`);
    const s = reduction.stats;
    const causes = SKIP_CAUSES.filter((c) => s.skipped[c] > 0).map((c) => `${num(s.skipped[c])} ${SKIP_CAUSE_TEXT[c]}`);
    io.err(`polis ${cmd}: ${num(s.flows)} flows → ${num(reduction.connections.size)} observed connection${reduction.connections.size === 1 ? '' : 's'}`
      + `${causes.length ? `; not connections: ${causes.join(', ')}` : ''}\n`);
  }
  return { ok: true, reduction, stats, damaged: read.damage.length > 0, noFlows: reduction.stats.flows === 0 };
}
