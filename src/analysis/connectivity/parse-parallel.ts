/**
 * @module analysis/connectivity/parse-parallel
 *
 * Parses a large tests file in a worker thread while the main thread loads
 * the cluster and compiles the engine. Reading 100,000 cases of YAML costs
 * about as much as loading and compiling a 10,000-pod cluster, and the two
 * do not depend on each other, so on two cores `polis test` pays for one,
 * not both.
 *
 * A case crosses the thread boundary as data; its `locate` (a closure over
 * the position-keeping parse) is rebuilt on this side and parses the file
 * again only when a diagnostic needs a field's position. Small inputs, and
 * any failure to start a worker, take the in-thread path: a worker is worth
 * its ~100 ms start only for big files.
 */
import type { Worker } from 'node:worker_threads';
import { loadManifests } from '../../manifest/load.js';
import type { ManifestObject } from '../../manifest/object.js';
import type { SourceFile } from '../../manifest/source.js';
import { startWorker } from '../../util/worker.js';
import { casePath, parseConnectivityTests, type ParseResult } from './parse.js';
import type { ConnectivityTest } from './types.js';
import { fromColumns, toColumns, type CaseColumns } from './wire.js';

/** Below this many bytes of tests, parsing in-thread is cheaper than starting a worker. */
export const WORKER_THRESHOLD_BYTES = 1 << 20;

interface WireTest extends Omit<ConnectivityTest, 'cases'> {
  readonly cases: CaseColumns;
}
export interface WireParseResult {
  readonly tests: readonly WireTest[];
  readonly diagnostics: ParseResult['diagnostics'];
}

/** A parse under way: started at once, awaited when the cluster is ready. */
export interface PendingParse {
  /** True when a worker thread does the parsing (the caller may compile meanwhile). */
  readonly inWorker: boolean;
  result(): Promise<ParseResult>;
  /** After `result()`: true when the worker failed and the parse was redone in this thread. */
  readonly fellBack: boolean;
}

/** Starts parsing `sources`, in a worker when they are big enough to be worth one. */
export function startParse(sources: readonly SourceFile[], threshold = WORKER_THRESHOLD_BYTES): PendingParse {
  const bytes = sources.reduce((n, s) => n + s.text.length, 0);
  const inThread: PendingParse = { inWorker: false, fellBack: false, result: async () => parseConnectivityTests(sources) };
  if (bytes < threshold) return inThread;
  let worker: Worker;
  try {
    worker = startWorker('./parse-worker.js', import.meta.url, sources);
  } catch {
    return inThread;
  }
  const wire = new Promise<WireParseResult | undefined>((resolve) => {
    worker.once('message', (m: WireParseResult) => resolve(m));
    // A worker that cannot run (a loader that cannot follow it, out of memory) costs time, never the answer.
    worker.once('error', () => resolve(undefined));
    worker.once('exit', () => resolve(undefined));
  });
  let fellBack = false;
  return {
    inWorker: true,
    get fellBack() {
      return fellBack;
    },
    result: async () => {
      const w = await wire;
      void worker.terminate();
      fellBack = w === undefined;
      return w ? fromWire(w, sources) : parseConnectivityTests(sources);
    },
  };
}

/** Strips what cannot cross threads. */
export function toWire(r: ParseResult): WireParseResult {
  return {
    diagnostics: r.diagnostics,
    tests: r.tests.map((t) => ({ ...t, cases: toColumns(t.cases) })),
  };
}

/** Rebuilds the cases' `locate`, parsing a file for positions only when first asked. */
export function fromWire(w: WireParseResult, sources: readonly SourceFile[]): ParseResult {
  const objects = new Map<string, readonly ManifestObject[]>();
  const objectsOf = (file: string) => {
    let o = objects.get(file);
    if (!o) objects.set(file, (o = loadManifests(sources.filter((s) => s.path === file)).objects));
    return o;
  };
  return {
    diagnostics: w.diagnostics,
    tests: w.tests.map((t) => ({
      ...t,
      cases: fromColumns(t.cases, t.name, (index, location) => (f) => objectsOf(t.file)[t.objectIndex]?.locate(casePath(index, f)) ?? location),
    })),
  };
}
