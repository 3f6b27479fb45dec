/**
 * @module analysis/connectivity/parse-parallel
 *
 * Parses a large tests file in a worker thread while the main thread loads
 * the cluster and compiles the engine. Reading 100,000 cases of YAML costs
 * about as much as loading and compiling a 10,000-pod cluster, and the two
 * do not depend on each other, so on two cores `polis test` pays for one,
 * not both.
 *
 * The parse streams: the worker posts each test's cases in batches as it
 * reads them ({@link ParseEvent}), so the main thread runs the first cases
 * as soon as its engine is ready instead of waiting for the last one.
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
import type { EndpointRef } from './endpoint-ref.js';
import { casePath, ParseCollector, streamConnectivityTests, type ParseEvent, type ParseResult, type TestHeader } from './parse.js';
import { fromColumns, RefNumbering, toColumns, type CaseColumns } from './wire.js';

/** Below this many bytes of tests, parsing in-thread is cheaper than starting a worker. */
export const WORKER_THRESHOLD_BYTES = 1 << 20;

/** The same events as the worker posts them: cases in columns. */
export type WireEvent = Exclude<ParseEvent, { kind: 'cases' } | { kind: 'restart' }> | { readonly kind: 'cases'; readonly cases: CaseColumns };

/** A parse under way: started at once, read when the cluster is ready. */
export interface PendingParse {
  /** True when a worker thread does the parsing (the caller may compile meanwhile). */
  readonly inWorker: boolean;
  /** The parse as it goes; read once. */
  events(): AsyncIterable<ParseEvent>;
  /** The whole parse (reads {@link events}). */
  result(): Promise<ParseResult>;
  /** After the events ended: true when the worker failed and the parse was redone in this thread. */
  readonly fellBack: boolean;
  /**
   * Stops a parse that will not be read (the command failed before): node
   * would otherwise wait for the worker before it exits.
   */
  cancel(): void;
}

/** Starts parsing `sources`, in a worker when they are big enough to be worth one. */
export function startParse(sources: readonly SourceFile[], threshold = WORKER_THRESHOLD_BYTES): PendingParse {
  const bytes = sources.reduce((n, s) => n + s.text.length, 0);
  let inbox: Inbox | undefined;
  if (bytes >= threshold) {
    try {
      inbox = new Inbox(startWorker('./parse-worker.js', import.meta.url, sources));
    } catch {
      // A worker that cannot start costs time, never the answer.
    }
  }
  let fellBack = false;
  const events = inbox
    ? async function* (): AsyncGenerator<ParseEvent> {
      const done = yield* fromWorker(inbox!, sources);
      if (done) return;
      fellBack = true;
      yield { kind: 'restart' };
      yield* inThread(sources);
    }
    : () => inThread(sources);
  return {
    inWorker: inbox !== undefined,
    get fellBack() {
      return fellBack;
    },
    events,
    result: () => collect(events()),
    cancel: () => void inbox?.worker.terminate(),
  };
}

/** The worker's side: posts the parse of `sources` as {@link WireEvent}s, the batches of one stream numbered by `numbering`. */
export function postParse(sources: readonly SourceFile[], post: (e: WireEvent) => void, numbering = new RefNumbering()): void {
  streamConnectivityTests(sources, (e) => {
    if (e.kind === 'cases') post({ kind: 'cases', cases: toColumns(e.cases, numbering) });
    else if (e.kind !== 'restart') post(e);
  });
}

/** The parse done here, as events (small inputs, or after a worker failed). */
async function* inThread(sources: readonly SourceFile[]): AsyncGenerator<ParseEvent> {
  const events: ParseEvent[] = [];
  streamConnectivityTests(sources, (e) => events.push(e));
  yield* events;
}

/**
 * A worker's messages, kept from the moment it starts: a Worker drops a
 * message that finds no listener, and the parse posts while this thread
 * still loads the cluster.
 */
class Inbox {
  private readonly queue: (WireEvent | undefined)[] = [];
  private next = 0;
  private over = false;
  private wake: (() => void) | undefined;

  constructor(readonly worker: Worker) {
    worker.on('message', (e: WireEvent) => {
      this.queue.push(e);
      this.wake?.();
    });
    const stop = () => {
      this.over = true;
      this.wake?.();
    };
    worker.once('error', stop);
    worker.once('exit', stop);
  }

  /** The messages in order, until the worker stops. */
  async *read(): AsyncGenerator<WireEvent> {
    for (;;) {
      while (this.next < this.queue.length) {
        const e = this.queue[this.next]!;
        this.queue[this.next++] = undefined;
        yield e;
      }
      if (this.over) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}

/**
 * The worker's events as they come, cases given back their `locate`; true
 * when the worker got to `done`, false when it failed before (a loader that
 * cannot follow it, out of memory).
 */
async function* fromWorker(inbox: Inbox, sources: readonly SourceFile[]): AsyncGenerator<ParseEvent, boolean> {
  const objects = new Map<string, readonly ManifestObject[]>();
  const objectsOf = (file: string) => {
    let o = objects.get(file);
    if (!o) objects.set(file, (o = loadManifests(sources.filter((s) => s.path === file)).objects));
    return o;
  };
  const refs: EndpointRef[] = [];
  let test: TestHeader | undefined;
  try {
    for await (const e of inbox.read()) {
      if (e.kind !== 'cases') {
        if (e.kind === 'test') test = e.test;
        yield e;
        if (e.kind === 'done') return true;
        continue;
      }
      const t = test!;
      // A field's position is found again only when a diagnostic asks for it.
      yield { kind: 'cases', cases: fromColumns(e.cases, t.name, (index, location) => (f) => objectsOf(t.file)[t.objectIndex]?.locate(casePath(index, f)) ?? location, refs) };
    }
    return false;
  } finally {
    void inbox.worker.terminate();
  }
}

/** A whole parse from its events. */
export async function collect(events: AsyncIterable<ParseEvent>): Promise<ParseResult> {
  const collector = new ParseCollector();
  for await (const e of events) collector.add(e);
  if (!collector.result) throw new Error('a parse ended without done');
  return collector.result;
}
