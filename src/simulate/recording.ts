/**
 * @module simulate/recording
 *
 * A command line run again from the same pod, in the same network state,
 * whose connection the engine decides as before: what it prints, its steps
 * and its events are those of its first run, at the same times after its
 * start, with new uuids and a new source port. A load test runs a few lines
 * from thousands of pods (issue 9: over 100,000 curls a second with their
 * flows); replaying one reads a handful of objects instead of the dozens the
 * command, the network and the flow factory read, each a cache miss on a
 * cluster of thousands of pods.
 *
 * The verdict is still the engine's, asked every time (`pairVerdict` on the
 * pair the first run asked about): a replay is only the network module's own
 * answer to that same verdict, remembered. What may be recorded is narrow: a
 * tool that says its output never reads the time of day (curl), one TCP
 * connection between two pods and nothing else on the network, and events
 * that the pattern rebuilds field for field (checked when recording, see
 * `patternOf`). Anything else runs in full every time.
 */
import type { Verdict } from '../engine/types.js';
import { PolicyEngine, type PodPair } from '../engine/engine.js';
import type { Flow } from '../hubble/flow.js';
import { patternOf, type FlowPattern, type ReplayEnds, type ReplayPlace } from './flows.js';
import type { NetworkState, ReplayableConnection, Step } from './network.js';

/** What a replay of a line needs: where it was recorded, what the engine said, and what the command did (where its events go: the ends). */
export interface Recording extends ReplayPlace, ReplayEnds {
  /** The network state it was recorded in (a new state, a new recording). */
  readonly state: NetworkState;
  readonly engine: PolicyEngine;
  readonly pair: PodPair;
  readonly verdict: Verdict;
  readonly pattern: FlowPattern;
  /** Steps (frozen, shared, as their list: a command's steps are read only) and output. */
  readonly steps: readonly Step[];
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  /** How long the command ran on the virtual clock (µs). */
  readonly micros: number;
}

/** The recording of a command that started at `start` and ran until `end`, or null when it cannot be replayed. */
export function record(o: {
  state: NetworkState; connection: ReplayableConnection | undefined; ports: number; flows: readonly Flow[]; steps: readonly Step[];
  output: { stdout: string; stderr: string; exitCode: number }; start: number; end: number;
}): Recording | null {
  const c = o.connection;
  const engine = o.state.engine();
  // One port taken (the connection's), no lookup; shared steps only (a replay hands out the same ones).
  if (!c || o.ports !== 1 || !(engine instanceof PolicyEngine) || c.pair.engine !== engine || !o.steps.every((s) => Object.isFrozen(s))) return null;
  const flows = o.state.flows;
  const pattern = patternOf(o.flows, c, c.sport, o.start, (n) => flows.nodeName(n));
  if (!pattern) return null;
  // One literal with every field (a spread of the place would leave a slow dictionary of an object this many fields long).
  return {
    src: c.src, dst: c.dst, forward: c.forward, backward: c.backward, dport: c.dport,
    srcEndpoint: c.src.endpoint, dstEndpoint: c.dst.endpoint, srcNode: flows.nodeName(c.src.node), dstNode: flows.nodeName(c.dst.node),
    state: o.state, engine, pair: c.pair, verdict: c.verdict, pattern, steps: Object.freeze(o.steps.slice()),
    stdout: o.output.stdout, stderr: o.output.stderr, exitCode: o.output.exitCode, micros: o.end - o.start,
  };
}

/** Whether `r` replays in `state` now: recorded there, and the engine's verdict on its pair is the one recorded. */
export function replays(r: Recording, state: NetworkState): boolean {
  return r.state === state && r.engine.pairVerdict(r.pair, 'TCP', r.dport) === r.verdict;
}
