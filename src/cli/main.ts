/**
 * @module cli/main
 *
 * Entry point of the `polis` command. Parses arguments with commander,
 * dispatches to one module per command under `cli/commands/`, and maps the
 * outcome to an exit code (`cli/exit-codes.ts`). No stack trace reaches a
 * user: an unexpected exception is reported as an internal error, exit 3.
 */
import { Command, CommanderError } from 'commander';
import { ExitCode } from './exit-codes.js';
import { processIO, type CliIO } from './io.js';
import { commandsFor, type RegisterCommand } from './commands/index.js';

/**
 * Runs polis with the given arguments; resolves to the exit code.
 * `registered` is the command list (tests pass commands built with fakes);
 * by default, the modules of the commands `argv` names.
 */
export async function main(argv: readonly string[], io: CliIO = processIO(), registered?: readonly RegisterCommand[]): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = new Command('polis')
    .description('Offline workbench for Cilium and Kubernetes network policies')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  for (const register of registered ?? (await commandsFor(argv))) {
    register(program, io, (code) => {
      exitCode = code;
    });
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with exit code 0.
      return e.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    io.err(`polis: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    io.err('This is a bug in polis; please report it with the input that caused it.\n');
    return ExitCode.internal;
  }
  return exitCode;
}

// Run when executed directly (e.g. `node --import tsx src/cli/main.ts`).
if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
