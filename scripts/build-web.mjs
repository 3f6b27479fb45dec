// Bundles the browser editor (web/) into dist/web/app/ with esbuild: one
// script, one stylesheet and the page, nothing fetched at run time (no CDN,
// no web fonts), so the editor works offline. `npm run build` calls it;
// the browser tests call `buildWeb()` before they start.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function buildWeb({ outdir = join(root, 'dist/web/app'), minify = true } = {}) {
  mkdirSync(outdir, { recursive: true });
  const started = performance.now();
  const r = await build({
    entryPoints: [join(root, 'web/src/main.tsx')],
    outfile: join(outdir, 'app.js'),
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify, sourcemap: true, jsx: 'automatic',
    define: { 'process.env.NODE_ENV': minify ? '"production"' : '"development"' },
    logLevel: 'warning', metafile: true,
  });
  copyFileSync(join(root, 'web/index.html'), join(outdir, 'index.html'));
  copyFileSync(join(root, 'web/app.css'), join(outdir, 'app.css'));
  const js = Object.entries(r.metafile.outputs).find(([k]) => k.endsWith('app.js'));
  return { outdir, ms: Math.round(performance.now() - started), bytes: js ? js[1].bytes : 0 };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await buildWeb();
  console.log(`web app bundled into ${r.outdir} (${(r.bytes / 1024).toFixed(0)} KiB, ${r.ms} ms)`);
}
