// Starts the command again in a node with a larger young generation, for the batch commands.
//
// They build hundreds of thousands of long-lived objects on a large cluster
// (pods, identities, a suite's cases and results). With V8's default young
// generation each of its collections copies them again: a 100,000-case
// `polis test` spent a third of its time there, and with a 32 MB semi-space
// it ran about 30% faster (simulated commands, which keep a log of flows:
// 2.4 times as many per second). Node reads that size only at start-up, so these
// commands start node once more with it (about 40 ms); `serve` and the
// quick commands run as they are. Plain JavaScript: it runs before anything
// is compiled or loaded.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BATCH = new Set(['test', 'matrix', 'diff', 'lint', 'generate', 'replay', 'run']);
const FLAG = '--max-semi-space-size';

/**
 * When `args` run a batch command in a node without the flag, runs the
 * script at `scriptUrl` again in one that has it, and returns true: the
 * child is then the command (its output, its exit code, the signals sent to
 * this process). False when this process should run the command itself.
 */
export function startsAgain(scriptUrl, args) {
  const command = args.find((a) => !a.startsWith('-'));
  if (!BATCH.has(command) || process.execArgv.some((a) => a.startsWith(FLAG)) || process.env.POLIS_NO_RESPAWN !== undefined) return false;
  const child = spawn(process.execPath, [`${FLAG}=32`, ...process.execArgv, fileURLToPath(scriptUrl), ...args], { stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward);
  child.on('error', (e) => {
    process.stderr.write(`polis: could not start node again (${e.message}); set POLIS_NO_RESPAWN=1 to run without\n`);
    process.exitCode = 3;
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      // End the way the command ended.
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exitCode = code ?? 3;
  });
  return true;
}
