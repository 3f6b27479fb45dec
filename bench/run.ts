/**
 * Runs every `bench/*.bench.ts` in turn (`npm run bench`; `npm run bench -- NAME` for one).
 * Each bench module exports `run(): Promise<void> | void`. `npm run bench` starts node with
 * the 32 MB semi-space polis's batch commands run with (bin/respawn.js), so library calls are
 * measured as the commands run them; baselines run in the same process, under the same flag.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const dir = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts') && (only.length === 0 || only.some((o) => f.includes(o)))).sort();
for (const f of files) {
  console.log(`== ${f}`);
  const mod = (await import(pathToFileURL(join(dir, f)).href)) as { run: () => Promise<void> | void };
  await mod.run();
}
