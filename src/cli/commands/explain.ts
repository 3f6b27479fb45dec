/**
 * @module cli/commands/explain
 *
 * `polis explain -f PATH... --from SRC --to DST --port 80/TCP [--http-method GET --http-path /docs]`:
 * the verdict Cilium would give one connection and the chain of rules that
 * decided it (egress at the source, ingress at the destination, L7), with
 * file:line for each rule; for a deny, the rules that came closest.
 * Endpoints use the connectivity-test syntax (NS/POD, NS/WORKLOAD,
 * svc:NS/NAME, ip:ADDRESS, fqdn:NAME).
 */
import { Option } from 'commander';
import { formatDiagnostic } from '../../diagnostics/format.js';
import { parseEndpointRef, resolveCase, ENDPOINT_FORMS, type TestCase } from '../../analysis/connectivity/index.js';
import { formatExplanation } from '../../analysis/explain/format.js';
import type { EngineFactory } from '../../analysis/connectivity/index.js';
import { QueryError, type Verdict } from '../../engine/types.js';
import type { L4Protocol } from '../../policy/rule.js';
import { icmpTypeNumber } from '../../policy/icmp.js';
import { ExitCode } from '../exit-codes.js';
import { addEngineOptions, addInputOptions, engineOptionsFrom, loadInput, type EngineFlags, type InputOptions } from '../input.js';
import type { RegisterCommand } from './index.js';
import { nullRecord } from '../../util/record.js';

interface ExplainOptions extends InputOptions, EngineFlags {
  from: string;
  to: string;
  port?: string;
  protocol?: string;
  icmpType?: string;
  httpMethod?: string;
  httpPath?: string;
  httpHost?: string;
  httpHeader?: string[];
  dns?: string;
  dnsAnswer?: string[];
  output: 'text' | 'json';
}

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];
const PROTOCOLS: readonly L4Protocol[] = ['TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6'];
const CLI = { file: '<command line>', line: 1, col: 1, offset: 0, endOffset: 0 };

export function registerExplain(factory: EngineFactory): RegisterCommand {
  return (program, io, setExit) => {
    addEngineOptions(addInputOptions(program.command('explain')))
      .description('give the verdict for one connection and the rules that decided it')
      .requiredOption('--from <endpoint>', `source: ${ENDPOINT_FORMS}`)
      .requiredOption('--to <endpoint>', `destination: ${ENDPOINT_FORMS}`)
      .option('--port <port[/protocol]>', 'destination port, e.g. 80 or 53/UDP (a service port for svc:)')
      .addOption(new Option('--protocol <protocol>', 'transport protocol').choices(PROTOCOLS as string[]))
      .option('--icmp-type <type>', 'ICMP type, number or name (default: echo request)')
      .option('--http-method <method>', 'an HTTP request: method')
      .option('--http-path <path>', 'an HTTP request: path (default /)')
      .option('--http-host <host>', 'an HTTP request: Host header')
      .option('--http-header <name:value>', 'an HTTP request header (repeatable)', collect)
      .option('--dns <name>', 'a DNS query for this name (to kube-dns on 53/UDP unless --to/--port say otherwise)')
      .option('--dns-answer <name=ip>', 'what an external name resolves to, for fqdn: endpoints (repeatable)', collect)
      .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
      .action(async (opts: ExplainOptions) => {
        const usage = (m: string) => {
          io.err(`polis explain: ${m}\n`);
          setExit(ExitCode.usage);
        };
        const from = parseEndpointRef(opts.from);
        if (!from.ok) return usage(`--from ${from.message}`);
        const to = parseEndpointRef(opts.to);
        if (!to.ok) return usage(`--to ${to.message}`);
        let port: number | undefined;
        let protocol = opts.protocol as L4Protocol | undefined;
        if (opts.port !== undefined) {
          const m = /^(\d{1,5})(?:\/(TCP|UDP|SCTP))?$/i.exec(opts.port);
          if (!m || Number(m[1]) > 65535) return usage(`--port ${opts.port} is not a port such as 80 or 53/UDP`);
          port = Number(m[1]);
          if (m[2]) protocol = m[2].toUpperCase() as L4Protocol;
        }
        let icmpType: number | undefined;
        if (protocol === 'ICMP' || protocol === 'ICMPv6') {
          icmpType = opts.icmpType === undefined ? (protocol === 'ICMP' ? 8 : 128) : icmpTypeNumber(opts.icmpType, protocol === 'ICMP' ? 'IPv4' : 'IPv6');
          if (icmpType === undefined) return usage(`--icmp-type ${opts.icmpType} is not an ICMP type`);
        }
        const headers = nullRecord<string>();
        for (const h of opts.httpHeader ?? []) {
          const i = h.indexOf(':');
          if (i <= 0) return usage(`--http-header ${h} must look like "Name: value"`);
          headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
        }
        const dns = new Map<string, string[]>();
        for (const a of opts.dnsAnswer ?? []) {
          const [name, ip] = a.split('=');
          if (!name || !ip) return usage(`--dns-answer ${a} must look like name=203.0.113.10`);
          const key = name.toLowerCase().replace(/\.$/, '');
          dns.set(key, [...(dns.get(key) ?? []), ip]);
        }
        const loaded = await loadInput(opts, io);
        if (!loaded.ok) return usage(loaded.message);
        const ws = loaded.workspace;
        const errors = [...loaded.readProblems, ...ws.diagnostics].filter((d) => d.severity === 'error');
        if (errors.length) io.err(`warning: the manifests have ${errors.length} error(s); policies Cilium would refuse enforce nothing (run polis validate)\n`);

        const http = opts.httpMethod || opts.httpPath
          ? { method: opts.httpMethod ?? 'GET', path: opts.httpPath ?? '/', ...(opts.httpHost ? { host: opts.httpHost } : {}), ...(Object.keys(headers).length ? { headers } : {}) }
          : undefined;
        const c: TestCase = {
          test: 'explain', index: 0, from: from.ref, to: to.ref, expect: 'allow', location: CLI, locate: () => CLI,
          ...(protocol ? { protocol } : {}), ...(port !== undefined ? { port } : {}), ...(icmpType !== undefined ? { icmpType } : {}),
          ...(http ? { http } : {}), ...(opts.dns ? { dns: opts.dns } : {}),
        };
        const resolved = resolveCase(c, ws.cluster, dns);
        if (!resolved.ok) {
          for (const d of resolved.diagnostics) io.err(`${formatDiagnostic({ ...d, location: undefined })}\n`);
          return setExit(ExitCode.usage);
        }
        const engine = factory(ws, { ...engineOptionsFrom(opts), dns: Object.fromEntries(dns) });
        let verdicts: Verdict[];
        try {
          verdicts = resolved.value.probes.map((p) => engine.evaluate(p.query));
        } catch (e) {
          if (e instanceof QueryError) return usage(e.message);
          throw e;
        }
        const first = verdicts.find((v) => v.verdict === 'deny') ?? verdicts[0]!;
        if (opts.output === 'json') {
          io.out(JSON.stringify({ verdict: first.verdict, explanation: first, pairs: verdicts.map((v) => ({ from: v.source.endpoint, to: v.destination.endpoint, verdict: v.verdict, reason: v.reason })) }, null, 2) + '\n');
        } else {
          io.out(formatExplanation(first, (id) => engine.identityName?.(id) ?? `ID:${id}`));
          if (verdicts.length > 1) {
            io.out(`${verdicts.length} pairs evaluated (pods of workloads, backends of services):\n`);
            for (const v of verdicts) io.out(`  ${v.verdict === 'allow' ? 'ALLOWED' : 'DENIED '}  ${v.source.endpoint} → ${v.destination.endpoint}\n`);
          }
        }
        setExit(ExitCode.ok);
      });
  };
}
