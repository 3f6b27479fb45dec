// Bundles the command line (src/cli/main.ts) and its worker threads into
// dist/bundle/ with esbuild, which `bin/polis.js` runs.
//
// Why: run from tsc's output, node resolves, reads and links some 300
// modules before a command starts: about 0.5 s of the 0.85 s a one-case
// `polis test` took, paid again in each worker thread. The bundle is a few
// files, split by command (each command is still imported on demand), and
// starts in about a third of that. tsc's dist/ stays the library entry
// (`main`, types).
//
// Worker entries are found by name: every src/**/*-worker.ts becomes
// dist/bundle/NAME.js beside the chunks, where `startWorker('./NAME.js',
// import.meta.url)` finds it from any chunk (test/bundle.test.ts checks the
// names). Packages that read files beside their own code at run time (gRPC's
// proto loader, protobufjs) or carry their own bundles (elkjs), and ws with
// its optional native add-ons, stay in node_modules.
import { build } from 'esbuild';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export const EXTERNAL = ['@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs', 'protobufjs/*', 'ws', 'elkjs', 'elkjs/*'];

/** Every worker-thread entry under src/, by the name its caller starts it with. */
export function workerEntries(dir = join(root, 'src')) {
  const out = {};
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) Object.assign(out, workerEntries(p));
    else if (name.endsWith('-worker.ts')) {
      const key = basename(name, '.ts');
      if (out[key]) throw new Error(`two worker entries named ${key}: ${relative(root, out[key])} and ${relative(root, p)}`);
      out[key] = p;
    }
  }
  return out;
}

/**
 * `entries` adds modules to bundle beside the CLI (name → source path): the
 * benches load the code they time from the same bundle users run, so worker
 * threads start from bundled JavaScript, not from TypeScript compiled on the fly.
 */
export async function buildCli({ outdir = join(root, 'dist/bundle'), entries = {} } = {}) {
  const started = performance.now();
  rmSync(outdir, { recursive: true, force: true });
  const r = await build({
    entryPoints: { main: join(root, 'src/cli/main.ts'), ...workerEntries(), ...entries },
    outdir,
    bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node20',
    chunkNames: 'chunk-[hash]', sourcemap: true, metafile: true, logLevel: 'warning',
    external: EXTERNAL,
    // Bundled CommonJS packages (commander) call require for node's own modules; ESM has none.
    banner: { js: "import { createRequire as __polisCreateRequire } from 'node:module'; const require = __polisCreateRequire(import.meta.url);" },
  });
  const bytes = Object.values(r.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  return { outdir, ms: Math.round(performance.now() - started), files: Object.keys(r.metafile.outputs).filter((f) => f.endsWith('.js')).length, bytes };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await buildCli();
  console.log(`command line bundled into ${relative(root, r.outdir)}/ (${r.files} files, ${(r.bytes / 1048576).toFixed(1)} MiB with source maps, ${r.ms} ms)`);
}
