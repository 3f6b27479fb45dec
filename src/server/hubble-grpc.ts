/**
 * @module server/hubble-grpc
 *
 * Hubble's Observer API over plaintext gRPC, on Cilium's own protos
 * (`proto/cilium`, vendored): `observer.Observer/GetFlows` with Hubble's
 * request semantics (number / first / follow / since / until, whitelist and
 * blacklist FlowFilters compiled by polis's `hubble/filter`, the same code
 * `polis observe` uses), `ServerStatus`, `GetNodes`, `GetNamespaces`, and
 * `grpc.health.v1.Health/Check` for `hubble.server.Observer` (the first step
 * of `hubble status`; cilium `pkg/hubble/api/v1/const.go`). Flows go out as
 * polis's protojson encoding parsed back into message objects, so the gRPC
 * and the JSON outputs cannot drift apart.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { encodeFlow } from '../hubble/encode.js';
import { compileFlowFilters } from '../hubble/filter/compile.js';
import type { FlowFilter } from '../hubble/filter/flow-filter.js';
import type { FlowRecord, Timestamp } from '../hubble/flow.js';
import { FlowSelection } from '../hubble/select.js';
import { compareTimestamps } from '../hubble/time.js';
import { flowRecord } from './backend.js';
import type { VirtualApi } from './cluster.js';

/** The health service name Hubble registers (cilium `pkg/hubble/api/v1/const.go`). */
export const OBSERVER_HEALTH_SERVICE = 'hubble.server.Observer';
export const HUBBLE_VERSION = '1.18.6+polis';

/** The `proto/` folder of the package, from src/ (tsx) or dist/ (built). */
export function protoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'proto', 'cilium', 'observer', 'observer.proto'))) return join(dir, 'proto');
    dir = dirname(dir);
  }
  throw new Error('polis: the proto/ folder of the package is missing (reinstall polis)');
}

export const PROTO_OPTIONS: protoLoader.Options = { keepCase: true, longs: String, enums: String, defaults: false, arrays: true, oneofs: true };

export function loadHubbleProtos(): grpc.GrpcObject {
  const root = protoRoot();
  const def = protoLoader.loadSync(['observer/observer.proto', join(root, 'grpc/health/v1/health.proto')], { ...PROTO_OPTIONS, includeDirs: [join(root, 'cilium'), root] });
  return grpc.loadPackageDefinition(def);
}

type Msg = Record<string, any>;

const camel = (k: string) => k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/** A `flow.FlowFilter` message (proto field names) as polis's FlowFilter. */
export function filterFromProto(m: Msg): FlowFilter {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) {
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
    if (k === 'event_type') out.eventType = (v as Msg[]).map((e) => ({ type: e.type ?? 0, matchSubType: e.match_sub_type === true, subType: e.sub_type ?? 0 }));
    else if (k === 'source_workload' || k === 'destination_workload') out[camel(k)] = v;
    else if (k === 'http_header') out.httpHeader = (v as Msg[]).map((h) => ({ key: h.key ?? '', value: h.value ?? '' }));
    else if (k === 'experimental' || k === 'cel_expression' || k === 'trace_id') continue;
    else out[camel(k)] = v;
  }
  return out as FlowFilter;
}

/** A polis Flow record as a `GetFlowsResponse` message. */
export function flowResponse(r: FlowRecord, node: string): Msg {
  const flow = JSON.parse(encodeFlow(r.flow)) as Msg;
  if (r.flow.time) flow.time = { seconds: String(r.flow.time.seconds), nanos: r.flow.time.nanos };
  else delete flow.time;
  if (r.flow.isReply !== undefined) flow.is_reply = { value: r.flow.isReply };
  delete flow.extensions;
  const time = r.time ?? r.flow.time;
  return { flow, node_name: r.nodeName ?? r.flow.nodeName ?? node, ...(time ? { time: { seconds: String(time.seconds), nanos: time.nanos } } : {}) };
}

const tsFromProto = (t: Msg | undefined): Timestamp | undefined => (t ? { seconds: Number(t.seconds ?? 0), nanos: Number(t.nanos ?? 0) } : undefined);

export interface HubbleServer {
  readonly address: string;
  close(): Promise<void>;
}

export async function startHubble(api: VirtualApi, host: string, port: number): Promise<HubbleServer> {
  const pkg = loadHubbleProtos() as Msg;
  const server = new grpc.Server();
  const started = Date.now();
  const flows = api.backend.flows;
  const nodeName = () => api.backend.session.workspace.cluster.nodes.find((n) => !n.controlPlane)?.name ?? 'polis';
  const uptimeNs = () => String(BigInt(Date.now() - started) * 1_000_000n);
  const versionHeader = () => {
    const md = new grpc.Metadata();
    md.set('hubble-server-version', HUBBLE_VERSION);
    return md;
  };
  const active = new Set<grpc.ServerWritableStream<Msg, Msg>>();

  server.addService(pkg.observer.Observer.service, {
    ServerStatus: (call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) => {
      call.sendMetadata(versionHeader());
      const all = flows.all();
      cb(null, {
        num_flows: String(all.length), max_flows: String(flows.capacity ?? 4095),
        seen_flows: String(flows.seenFlows ?? all.length), uptime_ns: uptimeNs(),
        num_connected_nodes: { value: 1 }, num_unavailable_nodes: { value: 0 }, version: HUBBLE_VERSION,
      });
    },
    GetNodes: (_call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) => {
      const all = flows.all();
      cb(null, {
        nodes: api.backend.session.workspace.cluster.nodes.map((n) => ({
          name: n.name, version: HUBBLE_VERSION, address: `${n.ip}:4244`, state: 'NODE_CONNECTED', tls: { enabled: false },
          uptime_ns: uptimeNs(), num_flows: String(all.filter((f) => f.nodeName === n.name).length), max_flows: String(flows.capacity ?? 4095),
          seen_flows: String(all.filter((f) => f.nodeName === n.name).length),
        })),
      });
    },
    GetNamespaces: (_call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) => {
      const seen = new Set<string>();
      for (const f of flows.all()) for (const ep of [f.source, f.destination]) if (ep?.namespace) seen.add(ep.namespace);
      const cluster = api.backend.session.workspace.cluster.name;
      cb(null, { namespaces: [...seen].sort().map((namespace) => ({ cluster, namespace })) });
    },
    GetFlows: (call: grpc.ServerWritableStream<Msg, Msg>) => {
      const req = call.request;
      const compiled = compileFlowFilters({
        whitelist: (req.whitelist ?? []).map(filterFromProto),
        blacklist: (req.blacklist ?? []).map(filterFromProto),
      });
      if (!compiled.ok) {
        call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: compiled.error });
        return;
      }
      const number = Number(req.number ?? 0);
      const since = tsFromProto(req.since);
      const until = tsFromProto(req.until);
      if (req.first && req.follow) {
        call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'first cannot be specified with follow' });
        return;
      }
      call.sendMetadata(versionHeader());
      const node = nodeName();
      const write = (r: FlowRecord) => {
        if (!call.cancelled && !call.destroyed) call.write(flowResponse(r, node));
      };
      const sel = new FlowSelection({
        match: compiled.match, ...(since ? { since } : {}), ...(until ? { until } : {}),
        ...(number > 0 ? (req.first ? { first: number } : { last: number }) : {}),
      }, write);
      for (const f of flows.all()) {
        sel.push(flowRecord(f));
        if (sel.done) break;
      }
      sel.end();
      if (!req.follow) return void call.end();
      active.add(call);
      const off = flows.subscribe((f) => {
        if (until && f.time && compareTimestamps(f.time, until) > 0) return;
        if (compiled.match(f)) write(flowRecord(f));
      });
      const stop = () => {
        off();
        active.delete(call);
      };
      call.on('cancelled', stop);
      call.on('close', stop);
      call.on('error', stop);
    },
    GetAgentEvents: (call: grpc.ServerWritableStream<Msg, Msg>) => call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'agent events are not simulated' }),
    GetDebugEvents: (call: grpc.ServerWritableStream<Msg, Msg>) => call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'debug events are not simulated' }),
  });

  const health = (service: string) => (service === '' || service === OBSERVER_HEALTH_SERVICE ? 'SERVING' : undefined);
  server.addService(pkg.grpc.health.v1.Health.service, {
    Check: (call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) => {
      const s = health(call.request.service ?? '');
      if (s) cb(null, { status: s });
      else cb({ code: grpc.status.NOT_FOUND, details: `unknown service ${String(call.request.service)}` });
    },
    Watch: (call: grpc.ServerWritableStream<Msg, Msg>) => {
      call.write({ status: health(call.request.service ?? '') ?? 'SERVICE_UNKNOWN' });
    },
  });

  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return {
    address: `${host}:${bound}`,
    close: () => new Promise<void>((resolve) => {
      for (const c of active) c.end();
      server.tryShutdown(() => resolve());
      setTimeout(() => { server.forceShutdown(); resolve(); }, 1000).unref();
    }),
  };
}
