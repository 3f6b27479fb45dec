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
 * The backend is the simulator's `VirtualCluster` (`simulate/`): commands
 * run as the pods would run them, with the flows a Cilium node records. The
 * port stays narrow so the server knows nothing of how traffic is decided.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Flow, FlowRecord } from '../hubble/flow.js';
import type { SourceFile } from '../manifest/source.js';
import type { Session } from '../usecases/session.js';
import type { Engine } from '../engine/types.js';

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

/** The port the server talks to; `VirtualCluster` has this shape (its `exec` result carries more fields). */
export interface ClusterBackend {
  /** Replaces the whole state; returns the load diagnostics. */
  setSources(sources: readonly SourceFile[]): readonly Diagnostic[];
  readonly session: Session;
  /** The engine the cluster's verdicts come from (its options: enforcement mode, DNS answers learnt). */
  engine(): Engine;
  /** Runs `argv` in the pod `ns/name`. */
  exec(pod: string, argv: readonly string[]): ExecResult;
  readonly flows: FlowSource;
}
