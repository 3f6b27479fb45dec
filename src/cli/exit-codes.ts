/**
 * @module cli/exit-codes
 *
 * The one table that maps outcomes to process exit codes, per command and
 * per situation. Only the CLI layer decides exit codes; the core returns
 * diagnostics and results, and each command asks {@link exitCodeFor} for
 * the code of what happened, so the commands cannot drift from the table.
 * The README's "Exit codes" table is this table (a test compares them, and
 * another runs every command in every situation of it).
 *
 * The rule (issue 8): 0 success, 1 invalid input or a failed check, 2 usage
 * error. What decides between 1 and 2 is where the problem is: anything in
 * the content of a file is 1 (the file is input), anything in the command
 * line, including a path that cannot be read and an endpoint flag that
 * names nothing, is 2. So mutating a file can never turn a run into a usage
 * error, and a CI job can tell "my policies are wrong" from "my pipeline is".
 * A bug in polis is 3, never a code a user could take for their own mistake.
 */
export const ExitCode = {
  /** Everything valid / every test passed. */
  ok: 0,
  /** Input was read but is invalid, or a test case failed. */
  failed: 1,
  /** The command line itself was wrong (flags, or a path that cannot be read). */
  usage: 2,
  /** A bug in polis: an unexpected exception, reported with a request to file it. */
  internal: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const COMMANDS = ['validate', 'get', 'explain', 'test', 'observe', 'lint', 'matrix', 'diff', 'generate', 'replay', 'run'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** What can happen in a run; each row of the table is one. */
export type Situation =
  | 'success'
  | 'case-failed'
  | 'lint-findings'
  | 'changes'
  | 'not-found'
  | 'connection-denied'
  | 'invalid-manifests'
  | 'invalid-tests'
  | 'no-flows'
  | 'command-failed'
  | 'bad-flag'
  | 'unknown-endpoint'
  | 'unreadable'
  | 'internal-error';

export interface ExitCodeRow {
  readonly situation: Situation;
  /** The situation in words, as the README prints it. */
  readonly text: string;
  /** The code each command exits with; absent where the situation cannot arise. */
  readonly codes: Readonly<Partial<Record<CommandName, ExitCode>>>;
}

const all = (code: ExitCode): Record<CommandName, ExitCode> => Object.fromEntries(COMMANDS.map((c) => [c, code])) as Record<CommandName, ExitCode>;

/** The table. When several situations occur in one run, the highest code wins. */
export const EXIT_CODE_TABLE: readonly ExitCodeRow[] = [
  {
    situation: 'success',
    text: 'success: no error in the input (warnings are fine); `explain` gave a verdict, ALLOWED or DENIED; `test`: every case passed; `observe` read at least one flow (skipped lines are reported on stderr, as hubble does); `generate` wrote policies that pass their replay proof; `replay`: every observed connection is allowed; `run`: the command exited 0 (also when the manifests have errors), or every step of the scenario passed',
    codes: all(ExitCode.ok),
  },
  {
    situation: 'case-failed',
    text: 'a test case failed: the policies allow what it expects denied, or the reverse; `run --scenario`: an expectation of a step failed (its file:line is printed)',
    codes: { test: ExitCode.failed, run: ExitCode.failed },
  },
  {
    situation: 'lint-findings',
    text: '`lint` found something of severity error or warning (notes alone are fine)',
    codes: { lint: ExitCode.failed },
  },
  {
    situation: 'changes',
    text: '`diff`: the change newly allows or denies a connection (or adds or removes a workload)',
    codes: { diff: ExitCode.failed },
  },
  {
    situation: 'not-found',
    text: '`get` with names: one of them names nothing in the files (kubectl\'s NotFound; the others are still listed)',
    codes: { get: ExitCode.failed },
  },
  {
    situation: 'connection-denied',
    text: '`replay`: an observed connection would be denied by the policies',
    codes: { replay: ExitCode.failed },
  },
  {
    situation: 'invalid-manifests',
    text: 'the manifests have errors (printed; `get` still lists, `explain` still answers, `test`, `replay` and `generate --existing` still run, for a policy Cilium refuses enforces nothing)',
    codes: { validate: ExitCode.failed, get: ExitCode.failed, explain: ExitCode.failed, test: ExitCode.failed, lint: ExitCode.failed, matrix: ExitCode.failed, diff: ExitCode.failed, generate: ExitCode.failed, replay: ExitCode.failed },
  },
  {
    situation: 'invalid-tests',
    text: 'a tests file has errors, holds no ConnectivityTest, or one of its endpoints names nothing in the manifests (no case is run); `run --scenario`: the scenario file has errors (no step is run)',
    codes: { test: ExitCode.failed, run: ExitCode.failed },
  },
  {
    situation: 'no-flows',
    text: 'no line of the flows input is a flow, or gzip data is cut, corrupt or followed by trailing bytes (the complete lines before are printed, or used)',
    codes: { observe: ExitCode.failed, generate: ExitCode.failed, replay: ExitCode.failed },
  },
  {
    situation: 'command-failed',
    text: '`run`: the command failed in its pod; polis exits with the command\'s own code, as `kubectl exec` does (1 for wget, nc, nslookup, ping and a pod that is not there; curl 6, 7, 22, 28; 127 for a program the pod lacks)',
    codes: { run: ExitCode.failed },
  },
  {
    situation: 'bad-flag',
    text: 'usage error: an unknown command or flag, a missing or invalid flag value (`--port 0`, `--pod-cidr garbage`, `--since 9999999h`), flags that contradict each other, no `-f`, no `--flows`, `generate -o DIR` over existing files without `--force`',
    codes: all(ExitCode.usage),
  },
  {
    situation: 'unknown-endpoint',
    text: '`--from` or `--to` names nothing in the manifests, or a question that has no answer (a Service as the source, `fqdn:` without `--dns-answer`)',
    codes: { explain: ExitCode.usage },
  },
  {
    situation: 'unreadable',
    text: 'a path given with `-f`, `--tests`, `--input-file`, `--flows` or `--existing` does not exist or cannot be read, or a ClickHouse `--flows` cannot be queried',
    codes: all(ExitCode.usage),
  },
  {
    situation: 'internal-error',
    text: 'an internal error: a bug in polis (the message asks to report it with the input), including generated policies that fail their own proof or validation',
    codes: all(ExitCode.internal),
  },
];

/** The exit code of `command` when the given situations occurred (the highest of theirs). */
export function exitCodeFor(command: CommandName, ...situations: Situation[]): ExitCode {
  let code: ExitCode = ExitCode.ok;
  for (const s of situations) {
    const c = EXIT_CODE_TABLE.find((r) => r.situation === s)?.codes[command];
    // A command reporting a situation its column does not have is a bug in the table or the command.
    if (c === undefined) throw new Error(`exit-code table: ${command} has no code for ${s}`);
    if (c > code) code = c;
  }
  return code;
}

/** The table as the README prints it (GitHub Markdown). */
export function exitCodeTableMarkdown(): string {
  const head = `| situation | ${COMMANDS.map((c) => `\`${c}\``).join(' | ')} |`;
  const rule = `|---|${COMMANDS.map(() => ':-:').join('|')}|`;
  const rows = EXIT_CODE_TABLE.map((r) => `| ${r.text} | ${COMMANDS.map((c) => r.codes[c] ?? '–').join(' | ')} |`);
  return [head, rule, ...rows].join('\n') + '\n';
}
