/**
 * @module server/backend
 *
 * The one narrow port between the API server and what the cluster *does*:
 * the server owns the object store (what kubectl wrote, with its metadata
 * and watch events) and after every change hands the stored objects to a
 * {@link ClusterBackend} as source texts; the backend loads them into a
 * {@link Session} (the same use-case layer the CLI calls), runs commands in
 * pods for `kubectl exec`, and keeps the Hubble flows those commands emit.
 *
 * {@link SessionBackend} is the stand-in until the simulator
 * (`simulate/virtual-cluster.ts`, a parallel branch) lands: it answers only
 * the commands that need no network and emits no flow, so every transport
 * (exec over WebSocket, gRPC, `/hubble/flows`) is real and tested now, and
 * swapping in `VirtualCluster`, which has this shape, changes one line.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { FlowRecord } from '../hubble/flow.js';
import type { SourceFile } from '../manifest/source.js';
import { Session } from '../usecases/session.js';

/** What a command run in a pod gave back. */
export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** The flows of the virtual cluster, oldest first, in a bounded ring. */
export interface FlowSource {
  all(): readonly FlowRecord[];
  /** Calls `cb` with each new flow; returns the unsubscribe function. */
  subscribe(cb: (r: FlowRecord) => void): () => void;
}

/** The port the server talks to; `VirtualCluster` of the simulator has this shape. */
export interface ClusterBackend {
  /** Replaces the whole state; returns the load diagnostics. */
  setSources(sources: readonly SourceFile[]): readonly Diagnostic[];
  readonly session: Session;
  /** Runs `argv` in the pod `ns/name`. */
  exec(pod: string, argv: readonly string[]): ExecResult;
  readonly flows: FlowSource;
}

/** Hubble's default ring buffer capacity (`hubble-event-buffer-capacity`, cilium `pkg/hubble/defaults`). */
export const HUBBLE_RING_CAPACITY = 4095;

/** An in-memory flow ring with subscribers (for backends and tests that emit flows). */
export class FlowRing implements FlowSource {
  private readonly ring: FlowRecord[] = [];
  private start = 0;
  private readonly subscribers = new Set<(r: FlowRecord) => void>();
  /** Flows ever pushed (Hubble's `seen_flows`). */
  seen = 0;

  constructor(readonly capacity = HUBBLE_RING_CAPACITY) {}

  push(r: FlowRecord): void {
    this.seen++;
    if (this.ring.length < this.capacity) this.ring.push(r);
    else {
      this.ring[this.start] = r;
      this.start = (this.start + 1) % this.capacity;
    }
    for (const cb of this.subscribers) cb(r);
  }

  all(): readonly FlowRecord[] {
    return this.start === 0 ? [...this.ring] : [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
  }

  subscribe(cb: (r: FlowRecord) => void): () => void {
    this.subscribers.add(cb);
    return () => this.subscribers.delete(cb);
  }
}

/** Commands that need no network, as a shell in the pod would answer them. */
function localCommand(pod: string, argv: readonly string[]): ExecResult {
  const [cmd = '', ...args] = argv;
  const ok = (stdout: string): ExecResult => ({ stdout, stderr: '', exitCode: 0 });
  switch (cmd) {
    case 'echo':
      return ok(`${args.join(' ')}\n`);
    case 'hostname':
      return ok(`${pod.slice(pod.indexOf('/') + 1)}\n`);
    case 'true':
      return ok('');
    case 'false':
      return { stdout: '', stderr: '', exitCode: 1 };
    default:
      return { stdout: '', stderr: `sh: ${cmd}: not found\n`, exitCode: 127 };
  }
}

/** The stand-in backend: a Session over the sources, local commands only, no flows. */
export class SessionBackend implements ClusterBackend {
  private current: Session;
  readonly flows = new FlowRing();

  constructor(sources: readonly SourceFile[] = []) {
    this.current = Session.load(sources);
  }

  setSources(sources: readonly SourceFile[]): readonly Diagnostic[] {
    this.current = Session.load(sources);
    return this.current.workspace.diagnostics;
  }

  get session(): Session {
    return this.current;
  }

  exec(pod: string, argv: readonly string[]): ExecResult {
    return localCommand(pod, argv);
  }
}
