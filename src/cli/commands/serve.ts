/**
 * @module cli/commands/serve
 *
 * `polis serve [-f PATH...]`: a virtual cluster in one process, for the real
 * `kubectl` (Kubernetes API on `--port`, beside the policy editor at `/`) and Hubble clients (gRPC Observer
 * API on `--hubble-port`). Loads the manifests (the built-in demo when none
 * are given), binds to loopback unless told otherwise, prints the URL and a
 * kubeconfig (written to `--kubeconfig FILE` only when asked, and never over
 * an existing file without `--force`), and shuts down cleanly on SIGINT or
 * SIGTERM. Exit codes: 0 after a clean shutdown, 2 for a usage problem (bad
 * flag, unreadable path, port in use, kubeconfig exists).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, Option } from 'commander';
import { startServer } from '../../server/server.js';
import { createWebHandler } from '../../web/handler.js';
import { ExitCode } from '../exit-codes.js';
import { readSources } from '../files.js';
import type { RegisterCommand } from './index.js';
import { repeatable } from '../input.js';

interface ServeOptions {
  filename?: string[];
  recursive?: boolean;
  host: string;
  port: number;
  hubblePort: number;
  kubeconfig?: string;
  force?: boolean;
}


function portOption(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a port: give a number from 0 (any free port) to 65535.`);
  return n;
}

/** The demo folder shipped with polis (examples/demo), from src/ or dist/. */
function demoFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'examples', 'demo', 'app.yaml'))) return join(dir, 'examples', 'demo');
    dir = dirname(dir);
  }
  return 'examples/demo';
}

export function kubeconfigText(url: string): string {
  return [
    'apiVersion: v1', 'kind: Config', 'clusters:', '- name: polis', '  cluster:', `    server: ${url}`,
    'users:', '- name: polis', '  user: {}', 'contexts:', '- name: polis', '  context:', '    cluster: polis', '    user: polis', '    namespace: default',
    'current-context: polis', '',
  ].join('\n');
}

export const registerServe: RegisterCommand = (program, io, setExit) => {
  program.command('serve')
    .description('run a virtual cluster that the real kubectl and Hubble clients talk to')
    .option('-f, --filename <path>', 'file or folder of manifests (repeatable; default: the built-in demo)', repeatable)
    .option('-R, --recursive', 'read folders given with -f recursively')
    .addOption(new Option('--host <address>', 'address to listen on').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'Kubernetes API port (0: any free port)').default(8080).argParser(portOption))
    .addOption(new Option('--hubble-port <port>', 'Hubble gRPC port (0: any free port)').default(4245).argParser(portOption))
    .option('--kubeconfig <file>', 'write a kubeconfig for the server to this file')
    .option('--force', 'let --kubeconfig replace an existing file')
    .action(async (opts: ServeOptions) => {
      if (opts.kubeconfig && existsSync(opts.kubeconfig) && !opts.force) {
        io.err(`polis serve: ${opts.kubeconfig} exists; give --force to replace it, or another path\n`);
        return setExit(ExitCode.usage);
      }
      const paths = opts.filename?.length ? opts.filename : [demoFolder()];
      const read = await readSources(paths, opts.recursive === true, io);
      if (read.diagnostics.length) {
        for (const d of read.diagnostics) io.err(`polis serve: ${d.message}\n`);
        return setExit(ExitCode.usage);
      }
      // ConnectivityTest files sit beside the demo's manifests; the API does not serve them.
      const sources = read.sources;
      let server;
      try {
        // The editor reads and writes exactly the files given (the demo's by default), nothing else.
        const web = createWebHandler({ files: sources.map((s) => resolve(s.path)) });
        server = await startServer({ sources, host: opts.host, port: opts.port, hubblePort: opts.hubblePort, web });
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        io.err(`polis serve: cannot listen: ${err.code === 'EADDRINUSE' ? 'the port is in use; choose another with --port / --hubble-port (0 picks a free one)' : err.message}\n`);
        return setExit(ExitCode.usage);
      }
      for (const s of server.skipped) if (!/ConnectivityTest/.test(s)) io.err(`polis serve: skipped ${s}\n`);
      const errors = server.api.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length) io.err(`polis serve: the manifests have ${errors.length} error(s); run polis validate for details\n`);
      if (opts.kubeconfig) writeFileSync(opts.kubeconfig, kubeconfigText(server.url), { flag: opts.force ? 'w' : 'wx' });
      io.out(`Policy editor:  ${server.url}/\n`);
      io.out(`Kubernetes API: ${server.url}\n`);
      if (server.hubbleAddress) io.out(`Hubble API:     ${server.hubbleAddress} (hubble observe --server ${server.hubbleAddress})\n`);
      io.out(opts.kubeconfig ? `kubeconfig:     ${opts.kubeconfig} (export KUBECONFIG=${opts.kubeconfig})\n` : `kubectl:        kubectl -s ${server.url} get pods\n\n${kubeconfigText(server.url)}`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      io.out('polis serve: stopped\n');
      setExit(ExitCode.ok);
    });
};
