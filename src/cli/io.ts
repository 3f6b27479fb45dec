/**
 * @module cli/io
 *
 * The streams a command writes to. Commands never touch `process.stdout`
 * directly, so tests can run them in-process and read what they printed.
 */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Reads all of standard input (for `-f -`). */
  readStdin(): Promise<string>;
  /** Standard input as a byte stream, for commands that stream it (`observe --input-file -`). Optional: falls back to `readStdin`. */
  readonly stdinStream?: () => AsyncIterable<Uint8Array>;
  /** Whether stdout is a terminal (for `--color auto`). */
  readonly isTTY: boolean;
  /** Whether stderr is a terminal (for progress bars); absent means no. */
  readonly errIsTTY?: boolean;
}

/** The real process streams. */
export function processIO(): CliIO {
  // `polis ... | head` closes the pipe early: that is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
  }
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    stdinStream: () => process.stdin as AsyncIterable<Uint8Array>,
    isTTY: Boolean(process.stdout.isTTY),
    errIsTTY: Boolean(process.stderr.isTTY),
  };
}

/** An in-memory IO for tests: collects output, serves a fixed stdin. */
export function memoryIO(stdin = ''): CliIO & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    readStdin: async () => stdin,
    isTTY: false,
    stdout: () => out,
    stderr: () => err,
  };
}
