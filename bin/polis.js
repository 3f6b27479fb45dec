#!/usr/bin/env node
// The installed command: runs the bundled CLI (`npm run build` makes dist/bundle/,
// see scripts/build-cli.mjs), in a node with a larger young generation for the
// batch commands (respawn.js).
import { existsSync } from 'node:fs';
import { startsAgain } from './respawn.js';

const args = process.argv.slice(2);
if (!startsAgain(import.meta.url, args)) {
  const entry = new URL('../dist/bundle/main.js', import.meta.url);
  if (!existsSync(entry)) {
    process.stderr.write('polis: not built yet: run `npm run build` (or `npm run polis -- ARGS` to run from the sources)\n');
    process.exitCode = 3;
  } else {
    const { main } = await import(entry.href);
    process.exitCode = await main(args);
  }
}
