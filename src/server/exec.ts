/**
 * @module server/exec
 *
 * `kubectl exec` over WebSocket: `GET .../pods/NAME/exec?command=…` upgraded
 * with subprotocol `v5.channel.k8s.io` (or v4). Frames are binary, their
 * first byte the channel (apimachinery `pkg/util/remotecommand/constants.go`,
 * client-go `tools/remotecommand/websocket.go`): 1 stdout, 2 stderr, 3 the
 * final Status, whose `NonZeroExitCode` cause carries the exit code kubectl
 * exits with (`errorstream.go`), 0 stdin, 4 resize and 255 close from the
 * client. kubectl 1.29 and older speak SPDY/3.1 instead (`spdy.ts`), on
 * the same path. The command runs in the backend; a socket that closes early, a
 * missing pod or a request with no command end in a Status, never a throw.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { VirtualApi } from './cluster.js';
import { parseResourcePath } from './http.js';
import { SpdyExecSession, spdyUpgradeResponse } from './spdy.js';
import { ApiError, badRequest } from './status.js';

/** Subprotocols in the order we prefer them; v5 adds the close channel. */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

const enum Channel { Stdout = 1, Stderr = 2, Error = 3 }

export interface ExecStats {
  sessions: number;
  active: number;
}

export class ExecServer {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: 1024 * 1024,
    handleProtocols: (offered) => EXEC_PROTOCOLS.find((p) => offered.has(p)) ?? false,
  });
  readonly stats: ExecStats = { sessions: 0, active: 0 };
  private readonly spdy = new Set<SpdyExecSession>();

  constructor(private readonly api: VirtualApi) {}

  /** True when this upgrade request is an exec (it is then answered). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    const rp = parseResourcePath(url.pathname.split('/').filter(Boolean).map(decodeURIComponent));
    if (!rp || rp instanceof ApiError || rp.subresource !== 'exec' || !rp.name) return false;
    try {
      const upgrade = String(req.headers.upgrade ?? '');
      const spdy = /^SPDY\/3\.1$/i.test(upgrade);
      if (!spdy && !/websocket/i.test(upgrade)) throw badRequest(`unsupported upgrade protocol "${upgrade}": use WebSocket with ${EXEC_PROTOCOLS.join(' or ')}, or SPDY/3.1`);
      const ns = rp.namespace ?? 'default';
      const pod = this.api.get(rp.resource, ns, rp.name);
      const containers: { name: string }[] = pod.spec?.containers ?? [];
      const container = url.searchParams.get('container');
      if (container && !containers.some((c) => c.name === container)) {
        throw badRequest(`container ${container} is not valid for pod ${rp.name}`);
      }
      const argv = url.searchParams.getAll('command');
      if (!argv.length) throw badRequest('you must specify at least 1 command');
      if (spdy) {
        const response = spdyUpgradeResponse(req.headers['x-stream-protocol-version']);
        if (!response) throw badRequest('no supported stream protocol offered (server supports v4.channel.k8s.io)');
        socket.write(response);
        this.stats.sessions++;
        this.stats.active++;
        const flag = (n: string) => url.searchParams.get(n) === 'true' || url.searchParams.get(n) === '1';
        const session = new SpdyExecSession(socket, head, {
          stdin: flag('stdin'), stdout: flag('stdout'), stderr: flag('stderr'), tty: flag('tty'),
          run: () => this.api.backend.exec(`${ns}/${rp.name}`, argv),
          onEnd: () => {
            this.stats.active--;
            this.spdy.delete(session);
          },
        });
        this.spdy.add(session);
        return true;
      }
      const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
      if (!EXEC_PROTOCOLS.some((p) => offered.includes(p))) {
        throw badRequest(`no supported subprotocol offered (server supports ${EXEC_PROTOCOLS.join(', ')})`);
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.run(ws, `${ns}/${rp.name}`, argv));
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', String(e));
      const text = JSON.stringify(err.toStatus());
      socket.end(`HTTP/1.1 ${err.code} ${err.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
    }
    return true;
  }

  private run(ws: WebSocket, pod: string, argv: readonly string[]): void {
    this.stats.sessions++;
    this.stats.active++;
    let open = true;
    ws.on('error', () => { open = false; });
    ws.on('close', () => { open = false; this.stats.active--; });
    // Stdin and resize frames are read and dropped: the commands answered here read no input.
    ws.on('message', () => undefined);
    const frame = (ch: number, data: string | Buffer) => {
      if (open && ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([ch]), Buffer.isBuffer(data) ? data : Buffer.from(data)]));
    };
    setImmediate(() => {
      if (!open) return;
      let status: Record<string, unknown>;
      try {
        const result = this.api.backend.exec(pod, argv);
        if (result.stdout) frame(Channel.Stdout, result.stdout);
        if (result.stderr) frame(Channel.Stderr, result.stderr);
        status = result.exitCode === 0
          ? { metadata: {}, status: 'Success' }
          : {
              metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: exit status ${result.exitCode}`, reason: 'NonZeroExitCode',
              details: { causes: [{ reason: 'ExitCode', message: String(result.exitCode) }] },
            };
      } catch (e) {
        status = { metadata: {}, status: 'Failure', message: `polis: internal error running the command: ${e instanceof Error ? e.message : String(e)}`, reason: 'InternalError', code: 500 };
      }
      frame(Channel.Error, JSON.stringify(status));
      if (open) ws.close(1000);
    });
  }

  close(): void {
    for (const s of this.spdy) s.end();
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
  }
}
