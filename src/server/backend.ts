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
import type { Flow, FlowRecord } from '../hubble/flow.js';
import type { SourceFile } from '../manifest/source.js';
import { Session } from '../usecases/session.js';

/** What a command run in a pod gave back. */
export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** The flows of the virtual cluster, oldest first, in a bounded ring (the simulator's `FlowLog` has this shape). */
export interface FlowSource {
  all(): readonly Flow[];
  /** Calls `cb` with each new flow; returns the unsubscribe function. */
  subscribe(cb: (f: Flow) => void): () => void;
  /** Ring capacity (Hubble's `max_flows`); 4095 when absent. */
  readonly capacity?: number;
  /** Flows ever recorded, including those the ring dropped (Hubble's `seen_flows`). */
  readonly seenFlows?: number;
}

/** A flow with the envelope fields of a `GetFlowsResponse`, taken from the flow itself. */
export function flowRecord(flow: Flow): FlowRecord {
  return { flow, ...(flow.nodeName ? { nodeName: flow.nodeName } : {}), ...(flow.time ? { time: flow.time } : {}) };
}

/**
 * The port the server talks to. `VirtualCluster` of the simulator has this
 * shape (its `exec` result carries more fields, its `flows` is a `FlowLog`),
 * so it plugs in as it is: `startServer({ backend: new VirtualCluster([]) })`.
 */
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

/** An in-memory flow ring with subscribers (the stand-in backend's, and tests' that emit flows). */
export class FlowRing implements FlowSource {
  private readonly ring: Flow[] = [];
  private start = 0;
  private readonly subscribers = new Set<(f: Flow) => void>();
  seenFlows = 0;

  constructor(readonly capacity = HUBBLE_RING_CAPACITY) {}

  push(f: Flow): void {
    this.seenFlows++;
    if (this.ring.length < this.capacity) this.ring.push(f);
    else {
      this.ring[this.start] = f;
      this.start = (this.start + 1) % this.capacity;
    }
    for (const cb of this.subscribers) cb(f);
  }

  all(): readonly Flow[] {
    return this.start === 0 ? [...this.ring] : [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
  }

  subscribe(cb: (f: Flow) => void): () => void {
    this.subscribers.add(cb);
    return () => void this.subscribers.delete(cb);
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
