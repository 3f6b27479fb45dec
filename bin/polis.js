#!/usr/bin/env node
// The installed command: runs the compiled CLI (npm run build makes dist/),
// in a node with a larger young generation for the batch commands (respawn.js).
import { startsAgain } from './respawn.js';

const args = process.argv.slice(2);
if (!startsAgain(import.meta.url, args)) {
  const { main } = await import('../dist/cli/main.js');
  process.exitCode = await main(args);
}
