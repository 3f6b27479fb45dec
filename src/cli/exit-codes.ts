/**
 * @module cli/exit-codes
 *
 * The one table that maps outcomes to process exit codes. Only the CLI layer
 * decides exit codes; the core returns diagnostics and results.
 */
export const ExitCode = {
  /** Everything valid / every test passed. */
  ok: 0,
  /** Input was read but is invalid, or a test/assertion failed. */
  failed: 1,
  /** The command line itself was wrong, or input could not be read. */
  usage: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
