/**
 * @module cli/commands
 *
 * The list of commands. Each command module exports one `register` function
 * that adds its subcommand to the program. Modules are loaded on demand:
 * `polis test` need not load the gRPC server, the web editor or the flow
 * generator, and loading every module cost more than a small run itself.
 */
import type { Command } from 'commander';
import type { CliIO } from '../io.js';

/** Adds a subcommand; `setExit` records the exit code the command decided on. */
export type RegisterCommand = (program: Command, io: CliIO, setExit: (code: number) => void) => void;

/** A command by name, with the module that registers it. */
export interface CommandEntry {
  readonly name: string;
  load(): Promise<RegisterCommand>;
}

const engineFactory = async () => (await import('../../engine/index.js')).compileEngine;

/** Every command, in the order `polis --help` lists them. */
export const COMMAND_ENTRIES: readonly CommandEntry[] = [
  { name: 'validate', load: async () => (await import('./validate.js')).registerValidate },
  { name: 'get', load: async () => (await import('./get.js')).registerGet },
  { name: 'explain', load: async () => (await import('./explain.js')).registerExplain(await engineFactory()) },
  { name: 'test', load: async () => (await import('./test.js')).registerTest(await engineFactory()) },
  { name: 'observe', load: async () => (await import('./observe.js')).registerObserve },
  { name: 'lint', load: async () => (await import('./lint.js')).registerLint },
  { name: 'matrix', load: async () => (await import('./matrix.js')).registerMatrix },
  { name: 'diff', load: async () => (await import('./diff.js')).registerDiff },
  { name: 'generate', load: async () => (await import('./generate.js')).registerGenerate },
  { name: 'replay', load: async () => (await import('./replay.js')).registerReplay },
  { name: 'run', load: async () => (await import('./run.js')).registerRun },
  { name: 'serve', load: async () => (await import('./serve.js')).registerServe },
];

/**
 * The commands `argv` needs: only the one it names, or all of them when it
 * names none (`--help`, a typo that commander answers with the list), and
 * none for a bare `--version`.
 */
export async function commandsFor(argv: readonly string[]): Promise<RegisterCommand[]> {
  const first = argv.find((a) => !a.startsWith('-'));
  if (first === undefined && (argv.includes('--version') || argv.includes('-V'))) return [];
  const named = COMMAND_ENTRIES.find((c) => c.name === first);
  return Promise.all((named ? [named] : COMMAND_ENTRIES).map((c) => c.load()));
}
