/**
 * @module cli/commands/matrix
 *
 * `polis matrix -f PATH... [--port 80/TCP ...] [-n NS | -A]
 * [--by workload|identity|pod|namespace] [-o text|json|md|csv|dot|svg]`:
 * which ports every endpoint may reach on every other (`analysis/matrix`).
 */
import { InvalidArgumentError, Option } from 'commander';
import { formatDiagnostic } from '../../diagnostics/format.js';
import { formatMatrixCsv, formatMatrixDot, formatMatrixMarkdown, formatMatrixSvg, formatMatrixText, matrixToJson } from '../../analysis/matrix/format.js';
import type { GroupBy } from '../../analysis/matrix/matrix.js';
import type { L4Protocol } from '../../policy/rule.js';
// The use-case modules themselves, not the barrel: a command loads only what it runs.
import { connectivityMatrix } from '../../usecases/matrix.js';
import { Session } from '../../usecases/session.js';
import { exitCodeFor, type Situation } from '../exit-codes.js';
import { addEngineOptions, addInputOptions, engineOptionsFrom, loadInput, type EngineFlags, type InputOptions, repeatableList } from '../input.js';
import type { RegisterCommand } from './index.js';

interface MatrixCliOptions extends InputOptions, EngineFlags {
  output: 'text' | 'json' | 'md' | 'csv' | 'dot' | 'svg';
  by: GroupBy;
  port?: { protocol: L4Protocol; from: number; to: number }[];
  namespace?: string[];
  allNamespaces?: boolean;
}

/** `80`, `80/TCP`, `8000-8080/UDP`: a port or range of one protocol (TCP unless given). */
function portOption(value: string, prev: MatrixCliOptions['port']): NonNullable<MatrixCliOptions['port']> {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(value.trim());
  const from = m ? Number(m[1]) : NaN;
  const to = m?.[2] ? Number(m[2]) : from;
  if (!m || from < 1 || to > 65535 || to < from) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a port: write 80, 80/TCP, 53/UDP or 8000-8080/TCP (ports 1-65535)`);
  return [...(prev ?? []), { protocol: (m[3]?.toUpperCase() ?? 'TCP') as L4Protocol, from, to }];
}


export const registerMatrix: RegisterCommand = (program, io, setExit) => {
  addEngineOptions(addInputOptions(program.command('matrix')))
    .description('the connectivity matrix: which ports every workload, CIDR, name and node may reach on every other')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'md', 'csv', 'dot', 'svg']).default('text'))
    .addOption(new Option('--by <grouping>', 'one row and column per').choices(['workload', 'identity', 'pod', 'namespace']).default('workload'))
    .option('--port <port[/protocol]>', 'only these ports, e.g. 80, 53/UDP, 8000-8080/TCP (repeatable)', portOption)
    .option('-n, --namespace <ns>', 'only pods of this namespace (repeatable or comma-separated)', repeatableList)
    .option('-A, --all-namespaces', 'pods of every namespace (default: all but kube-system, of which kube-dns shows)')
    .action(async (opts: MatrixCliOptions) => {
      const stop = (message: string, ...s: Situation[]) => {
        io.err(`polis matrix: ${message}\n`);
        setExit(exitCodeFor('matrix', ...s));
      };
      if (opts.namespace?.length && opts.allNamespaces) return stop('-n and -A contradict each other: give one', 'bad-flag');
      const loaded = await loadInput(opts, io);
      if (!loaded.ok) return stop(loaded.message, loaded.situation);
      const { workspace: ws, readProblems } = loaded;
      const texts = new Map(ws.sources.map((s) => [s.path, s.text]));
      for (const d of readProblems) io.err(formatDiagnostic(d, texts) + '\n');
      const errors = ws.diagnostics.filter((d) => d.severity === 'error').length;
      if (errors) io.err(`polis matrix: warning: the manifests have ${errors} error${errors === 1 ? '' : 's'}; invalid policies enforce nothing (polis validate shows them)\n`);
      const m = connectivityMatrix(new Session(ws), {
        by: opts.by, ...(opts.port ? { ports: opts.port } : {}), ...(opts.namespace?.length ? { namespaces: opts.namespace } : {}), ...(opts.allNamespaces ? { allNamespaces: true } : {}),
      }, engineOptionsFrom(opts));
      switch (opts.output) {
        case 'json': io.out(JSON.stringify(matrixToJson(m), null, 2) + '\n'); break;
        case 'md': io.out(formatMatrixMarkdown(m)); break;
        case 'csv': io.out(formatMatrixCsv(m)); break;
        case 'dot': io.out(formatMatrixDot(m)); break;
        case 'svg': io.out(await formatMatrixSvg(m)); break;
        default: io.out(formatMatrixText(m));
      }
      const situations: Situation[] = [];
      if (readProblems.length) situations.push('unreadable');
      if (errors) situations.push('invalid-manifests');
      setExit(exitCodeFor('matrix', ...situations));
    });
};
