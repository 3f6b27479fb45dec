/**
 * @module cli/commands/observe
 *
 * `polis observe --input-file FILE|-`: reads Hubble flows (jsonpb/json lines,
 * exporter files, plain or gzip), filters them with `hubble observe`'s flags
 * and prints them in its formats. Thin shell: flags → FlowFilter data and
 * options, then the core reader, filter, selection and printer. Skipped lines
 * are reported on stderr with their line numbers, followed by a summary.
 * Exit codes: 0 when flows were read (even if the filters kept none); 1 when
 * no line was a flow (with a hint when the input is hubble's text output) or
 * gzip data was cut, padded with junk or corrupt (every complete line is
 * still printed); 2 for a usage error or an input that cannot be opened.
 * Everything quoted from the input on stderr is terminal-escaped.
 */
import type { Command } from 'commander';
import type { CliIO } from '../io.js';
import { exitCodeFor } from '../exit-codes.js';
import type { RegisterCommand } from './index.js';
import {
  BOOLEAN_FILTER_FLAGS, VALUE_FILTER_FLAGS, buildFlowFilters, compileFlowFilters, createPrinter, FlowSelection,
  formatReadSummary, looksLikeGoDuration, OUTPUT_FORMATS, parseTimeArg, parseTimeFormat, TIME_FORMATS, type FilterFlag, type LineIssue,
  type OutputFormat, type ReadStats, type Timestamp,
} from '../../hubble/index.js';
import { escapeControls } from '../../util/terminal.js';
import { readFlowFile, readFlowStream, type ReadResult } from '../../hubble/io/read-flows.js';

/** At most this many skipped lines are described one by one; the summary counts all. */
const MAX_REPORTED_ISSUES = 20;
/** Output is written in batches of about this many characters. */
const OUTPUT_BATCH = 1 << 16;

const SHORT: Readonly<Record<string, string>> = { namespace: 'n', label: 'l', type: 't' };
const BOOL_SHORT: Readonly<Record<string, string>> = { 'all-namespaces': 'A', ipv4: '4', ipv6: '6' };

interface ObserveOptions {
  inputFile?: string;
  output: string;
  printNodeName?: boolean;
  printPolicyNames?: boolean;
  timeFormat: string;
  color: string;
  numeric?: boolean;
  first?: string;
  last?: string;
  all?: boolean;
  since?: string;
  until?: string;
}

function usage(io: CliIO, msg: string): number {
  // Messages quote the flag values, which may hold control characters.
  io.err(`polis observe: ${escapeControls(msg)}\n`);
  return exitCodeFor('observe', 'bad-flag');
}

function count(v: string | undefined, flag: string): number | undefined | Error {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) return new Error(`invalid --${flag} value ${JSON.stringify(v)}: expected a non-negative integer`);
  return Number(v);
}

function timeArgError(flag: string, value: string): string {
  const v = JSON.stringify(value);
  if (looksLikeGoDuration(value)) {
    return `invalid --${flag} ${v}: duration out of range (Go durations, as hubble takes them, reach at most 2562047h, about 292 years)`;
  }
  return `invalid --${flag} ${v}: expected a duration such as 5m or a time such as 2024-01-02T15:04:05Z`;
}

async function run(io: CliIO, o: ObserveOptions, flags: readonly FilterFlag[]): Promise<number> {
  if (!o.inputFile) return usage(io, 'required option --input-file FILE|- not given (polis reads flows from files, not from a live Hubble)');
  if (!(OUTPUT_FORMATS as readonly string[]).includes(o.output)) {
    return usage(io, `invalid output format ${JSON.stringify(o.output)}, expected one of ${OUTPUT_FORMATS.join(', ')}`);
  }
  const timeFormat = parseTimeFormat(o.timeFormat);
  if (!timeFormat) return usage(io, `invalid --time-format ${JSON.stringify(o.timeFormat)}, expected one of ${TIME_FORMATS.join(', ')}`);
  if (!['auto', 'always', 'never'].includes(o.color.toLowerCase())) return usage(io, `invalid --color ${JSON.stringify(o.color)}, expected auto, always or never`);
  const first = count(o.first, 'first');
  const last = count(o.last, 'last');
  if (first instanceof Error) return usage(io, first.message);
  if (last instanceof Error) return usage(io, last.message);
  // observe.go: forbidden combinations.
  if (first !== undefined && last !== undefined) return usage(io, '--first and --last cannot be combined');
  if (first !== undefined && o.all) return usage(io, '--first and --all cannot be combined');
  if (last !== undefined && o.all) return usage(io, '--last and --all cannot be combined');
  const now = Date.now();
  let since: Timestamp | undefined;
  let until: Timestamp | undefined;
  if (o.since !== undefined && !(since = parseTimeArg(o.since, now))) return usage(io, timeArgError('since', o.since));
  if (o.until !== undefined && !(until = parseTimeArg(o.until, now))) return usage(io, timeArgError('until', o.until));

  const built = buildFlowFilters(flags);
  if (!built.ok) return usage(io, built.error);
  const compiled = compileFlowFilters(built.filters);
  if (!compiled.ok) return usage(io, compiled.error);

  const color = o.color.toLowerCase() === 'always' || (o.color.toLowerCase() === 'auto' && io.isTTY && !process.env['NO_COLOR']);
  const printer = createPrinter(o.output as OutputFormat, {
    timeFormat, nodeName: o.printNodeName, policyNames: o.printPolicyNames, numeric: o.numeric, color,
  });
  let buf = '';
  const flush = () => {
    if (buf !== '') io.out(buf);
    buf = '';
  };
  const selection = new FlowSelection({ match: compiled.match, since, until, first, last }, (r) => {
    buf += printer.write(r);
    if (buf.length >= OUTPUT_BATCH) flush();
  });
  // File names can come from untrusted listings too; they are quoted in every message.
  const name = o.inputFile === '-' ? 'stdin' : escapeControls(o.inputFile);
  let reported = 0;
  const sink = {
    flow: (r: Parameters<FlowSelection['push']>[0]) => selection.push(r),
    issue: (i: LineIssue) => {
      if (reported++ < MAX_REPORTED_ISSUES) io.err(`polis observe: ${name}:${i.line}: ${escapeControls(i.message)}\n`);
    },
  };
  let result: ReadResult;
  if (o.inputFile === '-') {
    const stream = io.stdinStream?.() ?? (async function* () {
      yield new TextEncoder().encode(await io.readStdin());
    })();
    result = await readFlowStream(stream, sink, { name });
  } else {
    result = await readFlowFile(o.inputFile, sink);
  }
  selection.end();
  buf += printer.end();
  flush();
  if (reported > MAX_REPORTED_ISSUES) io.err(`polis observe: ${reported - MAX_REPORTED_ISSUES} more skipped lines not shown\n`);
  if (result.error) io.err(`polis observe: cannot read ${escapeControls(result.error)}\n`);
  if (result.damage) io.err(`polis observe: ${escapeControls(result.damage)}\n`);
  io.err(`polis observe: ${name}: ${formatReadSummary(result.stats)}\n`);
  if (result.error) return exitCodeFor('observe', 'unreadable');
  if (result.stats.flows === 0) {
    io.err(`polis observe: ${noFlowsMessage(name, result.stats)}\n`);
    return exitCodeFor('observe', 'no-flows');
  }
  return exitCodeFor('observe', ...(result.damage ? ['no-flows' as const] : []));
}

/** Why a read gave no flow at all, and what to do about it. */
function noFlowsMessage(name: string, s: ReadStats): string {
  if (s.skipped['text-output'] > 0) {
    return `no flows in ${name}: it holds the text output of hubble observe (compact, dict or table), which has lost the flows' fields; ` +
      'save flows as JSON with `hubble observe -o jsonpb` (or `-o json`) and read that file';
  }
  if (s.lines === 0) return `no flows in ${name}: the input is empty`;
  if (s.lines === s.blank) return `no flows in ${name}: the input holds only blank lines`;
  return `no flows in ${name}: no line is a Hubble flow; expected the output of \`hubble observe -o jsonpb\` (or \`-o json\`) or a Hubble exporter file`;
}

/** Registers `polis observe`. */
export const registerObserve: RegisterCommand = (program: Command, io: CliIO, setExit) => {
  const flags: FilterFlag[] = [];
  const cmd = program
    .command('observe')
    .description('Read Hubble flows from a file (or - for stdin), filter and print them as `hubble observe` does')
    .option('--input-file <file>', 'Hubble flows: `hubble observe -o json|jsonpb` output or an exporter file, plain or gzip; - for stdin')
    .option('-o, --output <format>', `output format: ${OUTPUT_FORMATS.join(', ')}`, 'compact')
    .option('--print-node-name', 'print the node name in each line')
    .option('--print-policy-names', 'print the policies behind policy verdicts')
    .option('--time-format <name>', `time format: ${TIME_FORMATS.join(', ')}`, 'StampMilli')
    .option('--color <when>', 'colour: auto, always or never', 'auto')
    .option('--numeric', 'print IP addresses instead of pod, service and DNS names')
    .option('--first <n>', 'only the first N matching flows')
    .option('--last <n>', 'only the last N matching flows')
    .option('--all', 'all flows (the default when reading a file)')
    .option('--since <time>', 'flows since a duration ago (5m) or an absolute time')
    .option('--until <time>', 'flows until a duration ago or an absolute time');
  for (const name of VALUE_FILTER_FLAGS) {
    const short = SHORT[name];
    cmd.option(`${short ? `-${short}, ` : ''}--${name} <value>`, `filter: ${name} (repeatable)`);
    cmd.on(`option:${name}`, (value: string) => flags.push({ name, value }));
  }
  for (const name of BOOLEAN_FILTER_FLAGS) {
    const short = BOOL_SHORT[name];
    cmd.option(`${short ? `-${short}, ` : ''}--${name}`, name === 'not' ? 'negate the next filter flag' : `filter: ${name}`);
    cmd.on(`option:${name}`, () => flags.push({ name, value: '' }));
  }
  cmd.action(async (opts: ObserveOptions) => {
    setExit(await run(io, opts, flags));
  });
};
