/**
 * @module cli/commands/replay
 *
 * `polis replay --flows FILE... -f POLICIES [-o text|json] [--hubble FILE]`:
 * the dry run before enforcing — which of these real connections would this
 * policy set drop? Every observed connection is asked of the engine
 * (`verdict`; `explain` only for the denied ones, to name the deciding
 * policy and rule with file:line). Exit 1 when any would be denied.
 * `--hubble FILE` writes the replayed connections, with their new
 * verdicts, as Hubble jsonpb that `polis observe` and hubble read.
 */
import { writeFile } from 'node:fs/promises';
import { Option } from 'commander';
import { formatDiagnostic } from '../../diagnostics/format.js';
import { describeConnection, type DecidingRule, type ReplayReport, type ReplayedConnection } from '../../generate/replay.js';
import type { ObservedEndpoint } from '../../generate/observed.js';
import { encodeFlowResponse } from '../../hubble/encode.js';
import type { Endpoint, Flow } from '../../hubble/flow.js';
import { replayReduction } from '../../usecases/generate.js';
import { exitCodeFor, type Situation } from '../exit-codes.js';
import { readSources } from '../files.js';
import { readFlowsInput, type FlowsFlags } from '../flows-input.js';
import type { CliIO } from '../io.js';
import type { RegisterCommand } from './index.js';
import { repeatable } from '../input.js';

interface ReplayFlags extends FlowsFlags {
  filename?: string[];
  recursive?: boolean;
  output: 'text' | 'json';
  hubble?: string;
}


export const registerReplay: RegisterCommand = (program, io, setExit) => {
  program.command('replay')
    .description('replay observed Hubble flows against a policy set: which real connections would it drop?')
    .option('--flows <source...>', 'Hubble exports: files (json/jsonpb, exporter, gzip), - for stdin, clickhouse://HOST:PORT/DB.TABLE')
    .option('-f, --filename <path>', 'policies: file, folder or - (repeatable)', repeatable)
    .option('-R, --recursive', 'read folders given with -f recursively')
    .option('--l7', 'replay HTTP requests and DNS lookups too, not only their connections')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--hubble <file>', 'write the replayed connections with their new verdicts as Hubble jsonpb')
    .option('--workers <n>', 'threads that read flow files (default: the cores available)')
    .option('-q, --quiet', 'no progress and no read report')
    .action(async (opts: ReplayFlags) => setExit(await run(opts, io)));
};

/** The deciding rules, one indented line each. */
export function formatRules(rules: readonly DecidingRule[] | undefined): string {
  return (rules ?? []).map((r) => `    ${r.file !== undefined ? `${r.file}:${r.line}: ` : ''}${r.policy}${r.path ? ` ${r.path}` : ''} (${r.role === 'deny' ? 'denies it' : 'selects the endpoint, allows it nowhere'})\n`).join('');
}

function reportJson(r: ReplayReport): string {
  const endpoint = (e: ObservedEndpoint) => (e.kind === 'pod' ? { namespace: e.namespace, labels: e.labels } : e.kind === 'ip' ? { ip: e.ip } : { entity: e.entity });
  return JSON.stringify({
    observed: r.observed, allowed: r.allowed, denied: r.denied, notReplayed: r.notReplayed,
    connections: r.connections.map((c) => ({
      from: endpoint(c.connection.from), to: endpoint(c.connection.to), protocol: c.connection.protocol, port: c.connection.port,
      ...(c.connection.http ? { http: c.connection.http } : {}), ...(c.connection.dns ? { dns: c.connection.dns } : {}),
      flows: c.connection.flows,
      ...(Number.isFinite(c.connection.first) ? { firstSeen: new Date(c.connection.first).toISOString(), lastSeen: new Date(c.connection.last).toISOString() } : {}),
      verdict: c.verdict, reason: c.reason, ...(c.deniedAt ? { deniedAt: c.deniedAt } : {}), ...(c.rules ? { rules: c.rules } : {}),
    })),
  }, null, 2) + '\n';
}

function hubbleEndpoint(e: ObservedEndpoint): Endpoint {
  switch (e.kind) {
    case 'pod':
      return {
        namespace: e.namespace,
        labels: [...Object.keys(e.labels).map((k) => `k8s:${k}=${e.labels[k]}`), `k8s:io.kubernetes.pod.namespace=${e.namespace}`].sort(),
      };
    case 'entity':
      return { labels: [`reserved:${e.entity}`] };
    case 'ip':
      return { identity: 2, labels: ['reserved:world'] };
  }
}

/** One jsonpb line per replayed connection, at its last-seen time. */
function hubbleLine(c: ReplayedConnection): string {
  const x = c.connection;
  const allowed = c.verdict === 'allow';
  const l4: Flow['l4'] = x.protocol === 'ICMP' || x.protocol === 'ICMPv6'
    ? { protocol: x.protocol === 'ICMP' ? 'ICMPv4' : 'ICMPv6', type: x.port, code: 0 }
    : x.protocol === 'TCP' ? { protocol: 'TCP', sourcePort: 0, destinationPort: x.port, flags: { SYN: true } } : { protocol: x.protocol, sourcePort: 0, destinationPort: x.port };
  const ms = Number.isFinite(x.last) ? x.last : 0;
  const time = { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
  const flow: Flow = {
    time, verdict: allowed ? 'FORWARDED' : 'DROPPED', ...(allowed ? {} : { dropReasonDesc: 'POLICY_DENIED', dropReason: 133 }),
    ...(x.from.kind === 'ip' || x.to.kind === 'ip' ? { ip: { ...(x.from.kind === 'ip' ? { source: x.from.ip } : {}), ...(x.to.kind === 'ip' ? { destination: x.to.ip } : {}) } } : {}),
    l4, source: hubbleEndpoint(x.from), destination: hubbleEndpoint(x.to), type: 'L3_L4',
    eventType: { type: allowed ? 5 : 1 }, trafficDirection: c.deniedAt === 'ingress' ? 'INGRESS' : 'EGRESS', isReply: false,
    summary: `polis replay: ${describeConnection(x)}: ${c.reason}`,
  };
  return encodeFlowResponse({ flow, time });
}

async function run(o: ReplayFlags, io: CliIO): Promise<number> {
  const stop = (message: string, ...situations: Situation[]) => {
    io.err(`polis replay: ${message}\n`);
    return exitCodeFor('replay', ...situations);
  };
  if (!o.filename?.length) return stop('no policies: name them with -f FILE|FOLDER', 'bad-flag');
  const policies = await readSources(o.filename, o.recursive === true, io);
  if (policies.diagnostics.length > 0) return stop(policies.diagnostics.map((d) => d.message).join('\n'), 'unreadable');
  const read = await readFlowsInput('replay', o, io);
  if (!read.ok) return stop(read.message, read.situation);
  if (read.noFlows) return stop('no flow in the input: nothing to replay', 'no-flows');
  const situations: Situation[] = read.damaged ? ['no-flows'] : [];
  const { report, diagnostics } = replayReduction(read.reduction, policies.sources);
  if (diagnostics.length > 0) {
    const texts = new Map(policies.sources.map((s) => [s.path, s.text]));
    for (const d of diagnostics) io.err(formatDiagnostic(d, texts) + '\n');
    io.err(`polis replay: warning: the policies have ${diagnostics.length} error${diagnostics.length === 1 ? '' : 's'} (a policy Cilium refuses enforces nothing)\n`);
    situations.push('invalid-manifests');
  }
  if (o.hubble !== undefined) {
    try {
      await writeFile(o.hubble, report.connections.filter((c) => c.verdict !== 'not-replayed').map((c) => hubbleLine(c) + '\n').join(''));
    } catch (e) {
      return stop(`cannot write ${o.hubble}: ${e instanceof Error ? e.message : String(e)}`, 'unreadable');
    }
  }
  if (o.output === 'json') io.out(reportJson(report));
  else {
    let text = '';
    for (const c of report.connections) {
      if (c.verdict === 'allow') continue;
      text += `${c.verdict === 'deny' ? 'DENIED' : 'NOT REPLAYED'} ${describeConnection(c.connection)} (${c.connection.flows} flow${c.connection.flows === 1 ? '' : 's'}): ${c.reason}\n${formatRules(c.rules)}`;
    }
    text += `${report.observed} observed connection${report.observed === 1 ? '' : 's'}: ${report.allowed} allowed, ${report.denied} denied${report.notReplayed ? `, ${report.notReplayed} not replayable` : ''}\n`;
    io.out(text);
  }
  if (report.denied > 0) situations.push('connection-denied');
  return exitCodeFor('replay', ...situations);
}
