/**
 * @module server/server
 *
 * `polis serve` as a function: one HTTP server for the Kubernetes API, exec
 * and `/hubble/flows`, and a gRPC server for Hubble's Observer API on its
 * own port. Returns the bound addresses and a `close` that ends live
 * streams and sockets, so tests and the CLI start and stop it cleanly.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { SourceFile } from '../manifest/source.js';
import type { ClusterBackend } from './backend.js';
import { VirtualCluster } from '../simulate/virtual-cluster.js';
import { VirtualApi } from './cluster.js';
import { OpenApi } from './discovery.js';
import { ExecServer } from './exec.js';
import { handle, sendError, type HttpContext } from './http.js';
import { startHubble, type HubbleServer } from './hubble-grpc.js';
import type { WebHandler } from '../web/handler.js';

export interface ServeOptions {
  readonly sources: readonly SourceFile[];
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** Port of the Hubble gRPC server; `null` to run none. */
  readonly hubblePort?: number | null;
  readonly backend?: ClusterBackend;
  /** The policy editor (`src/web`), served at `/` and `/polis/api/` beside the Kubernetes API. */
  readonly web?: WebHandler;
}

export interface RunningServer {
  readonly url: string;
  readonly hubbleAddress?: string;
  readonly api: VirtualApi;
  readonly exec: ExecServer;
  /** Objects in the sources that the API does not serve. */
  readonly skipped: readonly string[];
  close(): Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const backend = options.backend ?? new VirtualCluster([]);
  const api = new VirtualApi(backend);
  const skipped = api.seed(options.sources);
  const streams = new Set<ServerResponse>();
  let url = '';
  const ctx: HttpContext = { api, openapi: new OpenApi(), address: () => url.replace(/^https?:\/\//, ''), streams };
  const exec = new ExecServer(api);
  const sockets = new Set<Socket>();
  const server: Server = createServer({ requestTimeout: 60_000 }, (req, res) => {
    res.on('error', () => undefined);
    // The editor owns `/` and `/polis/api/`; every other path is the Kubernetes API's.
    const web = options.web;
    const served = web ? web(req, res) : Promise.resolve(false);
    served.then((mine) => (mine ? undefined : handle(ctx, req, res))).catch((e: unknown) => sendError(res, e));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  server.on('upgrade', (req, socket, head) => {
    try {
      if (!exec.handleUpgrade(req, socket, head)) {
        const text = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server does not support upgrading this request', reason: 'BadRequest', code: 400 });
        socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
      }
    } catch {
      socket.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  let hubble: HubbleServer | undefined;
  if (options.hubblePort !== null) {
    try {
      hubble = await startHubble(api, host, options.hubblePort ?? 0);
    } catch (e) {
      server.close();
      throw e;
    }
  }
  return {
    url, api, exec, skipped, ...(hubble ? { hubbleAddress: hubble.address } : {}),
    async close() {
      for (const s of streams) s.end();
      exec.close();
      await hubble?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}
