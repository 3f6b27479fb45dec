/**
 * @module web/testing
 *
 * Test helpers: a copy of the demo workspace in a temp folder and a bare
 * `http.createServer` around the web handler (the real server is
 * `polis serve`'s; tests need only the handler).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWebHandler, type WebContext } from './handler.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** The demo (examples/demo) copied to a temp folder, so tests may write to it. */
export function demoCopy(): { dir: string; files: string[]; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'polis-web-'));
  cpSync(join(REPO, 'examples/demo'), dir, { recursive: true });
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => join(dir, f));
  return { dir, files, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startTestServer(ctx: WebContext): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const handle = createWebHandler(ctx);
  const server = createServer((req, res) => {
    handle(req, res).then((mine) => {
      if (!mine) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('not found\n');
      }
    }, (e: unknown) => {
      res.writeHead(500);
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, server, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}
