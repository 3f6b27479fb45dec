/**
 * @module cli/commands/explain
 *
 * `polis explain -f PATH... --from SRC --to DST --port 80/TCP [--http-method GET --http-path /docs]`:
 * the verdict Cilium would give one connection and the chain of rules that
 * decided it (egress at the source, ingress at the destination, L7), with
 * file:line for each rule; for a deny, the rules that came closest.
 * Endpoints use the connectivity-test syntax (NS/POD, NS/WORKLOAD,
 * svc:NS/NAME, a service DNS name, ip:ADDRESS, fqdn:NAME).
 */
import { Option } from 'commander';
import { formatDiagnostic } from '../../diagnostics/format.js';
import { parseEndpointRef, ENDPOINT_FORMS, SOURCE_FORMS } from '../../analysis/connectivity/index.js';
import { formatExplanation } from '../../analysis/explain/format.js';
import type { EngineFactory } from '../../analysis/connectivity/index.js';
import type { Explanation } from '../../engine/types.js';
// The use-case modules themselves, not the barrel: a command loads only what it runs.
import { explainConnection } from '../../usecases/connection.js';
import { Session } from '../../usecases/session.js';
import type { L4Protocol } from '../../policy/rule.js';
import { icmpTypeNumber } from '../../policy/icmp.js';
import { parseIp } from '../../net/ip.js';
import { exitCodeFor, type Situation } from '../exit-codes.js';
import { addEngineOptions, addInputOptions, engineOptionsFrom, loadInput, type EngineFlags, type InputOptions, repeatable } from '../input.js';
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
  sni?: string;
  output: 'text' | 'json';
}

const PROTOCOLS: readonly L4Protocol[] = ['TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6'];

export function registerExplain(factory: EngineFactory): RegisterCommand {
  return (program, io, setExit) => {
    addEngineOptions(addInputOptions(program.command('explain')))
      .description('give the verdict for one connection and the rules that decided it')
      .requiredOption('--from <endpoint>', `source: ${SOURCE_FORMS}`)
      .requiredOption('--to <endpoint>', `destination: ${ENDPOINT_FORMS}`)
      .option('--port <port[/protocol]>', 'destination port, e.g. 80 or 53/UDP (for a service: its port; for a node address: a node port)')
      .addOption(new Option('--protocol <protocol>', 'transport protocol').choices(PROTOCOLS as string[]))
      .option('--icmp-type <type>', 'ICMP type, number or name (default: echo request)')
      .option('--http-method <method>', 'an HTTP request: method')
      .option('--http-path <path>', 'an HTTP request: path (default /)')
      .option('--http-host <host>', 'an HTTP request: Host header')
      .option('--http-header <name:value>', 'an HTTP request header (repeatable)', repeatable)
      .option('--dns <name>', 'a DNS query for this name (to kube-dns on 53/UDP unless --to/--port say otherwise)')
      .option('--dns-answer <name=ip>', 'what an external name resolves to, for fqdn: endpoints (repeatable)', repeatable)
      .option('--sni <server-name>', 'a TLS handshake naming this server (judged where a rule has serverNames)')
      .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
      .action(async (opts: ExplainOptions) => {
        const usage = (m: string, situation: Situation = 'bad-flag') => {
          io.err(`polis explain: ${m}\n`);
          setExit(exitCodeFor('explain', situation));
        };
        const from = parseEndpointRef(opts.from);
        if (!from.ok) return usage(`--from ${from.message}`);
        const to = parseEndpointRef(opts.to);
        if (!to.ok) return usage(`--to ${to.message}`);
        const traffic = trafficFromFlags(opts);
        if (!traffic.ok) return usage(traffic.message);
        const { port, protocol, icmpType } = traffic;
        const headers = nullRecord<string>();
        for (const h of opts.httpHeader ?? []) {
          const i = h.indexOf(':');
          if (i <= 0) return usage(`--http-header ${h} must look like "Name: value"`);
          headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
        }
        const dns = new Map<string, string[]>();
        for (const a of opts.dnsAnswer ?? []) {
          const eq = a.indexOf('=');
          const name = eq > 0 ? a.slice(0, eq).trim() : '';
          const ip = eq > 0 ? a.slice(eq + 1).trim() : '';
          if (!name || !ip) return usage(`--dns-answer ${a} must look like NAME=IP, e.g. api.example.com=203.0.113.10`);
          if (!parseIp(ip)) return usage(`--dns-answer ${a}: ${JSON.stringify(ip)} is not an IP address`);
          const key = name.toLowerCase().replace(/\.$/, '');
          dns.set(key, [...(dns.get(key) ?? []), ip]);
        }
        const loaded = await loadInput(opts, io);
        if (!loaded.ok) return usage(loaded.message, loaded.situation);
        // A verdict from part of the files could be the opposite of the whole's: no answer.
        if (loaded.readProblems.length) return usage(loaded.readProblems.map((d) => d.message).join('\n'), 'unreadable');
        const ws = loaded.workspace;
        const errors = ws.diagnostics.filter((d) => d.severity === 'error');
        if (errors.length) io.err(`warning: the manifests have ${errors.length} error(s); policies Cilium would refuse enforce nothing (run polis validate)\n`);
        // The answer follows the definition in force; say so when the input has others.
        for (const d of ws.diagnostics) {
          if (d.code === 'duplicate-object') io.err(`note: ${d.location ? `${d.location.file}:${d.location.line}: ` : ''}${d.message}\n`);
        }

        const http = opts.httpMethod || opts.httpPath
          ? { method: opts.httpMethod ?? 'GET', path: opts.httpPath ?? '/', ...(opts.httpHost ? { host: opts.httpHost } : {}), ...(Object.keys(headers).length ? { headers } : {}) }
          : undefined;
        const session = new Session(ws, factory);
        const answer = explainConnection(session, {
          from: opts.from, to: opts.to, dnsAnswers: dns, dnsSource: '--dns-answer',
          traffic: { ...(protocol ? { protocol } : {}), ...(port !== undefined ? { port } : {}), ...(icmpType !== undefined ? { icmpType } : {}), ...(http ? { http } : {}), ...(opts.dns ? { dns: opts.dns } : {}), ...(opts.sni ? { tls: { serverName: opts.sni } } : {}) },
        }, engineOptionsFrom(opts));
        if (!answer.ok) {
          for (const d of answer.diagnostics) io.err(`${formatDiagnostic(d)}\n`);
          return setExit(exitCodeFor('explain', 'unknown-endpoint', ...(errors.length ? ['invalid-manifests' as const] : [])));
        }
        const engine = session.engine({ ...engineOptionsFrom(opts), dns });
        const explanations: Explanation[] = answer.pairs.map((p) => p.answer);
        const first = explanations.find((v) => v.verdict === 'deny') ?? explanations[0]!;
        if (opts.output === 'json') {
          io.out(JSON.stringify({ verdict: first.verdict, explanation: first, pairs: explanations.map((v) => ({ from: v.source.endpoint, to: v.destination.endpoint, verdict: v.verdict, reason: v.reason })) }, null, 2) + '\n');
        } else {
          io.out(formatExplanation(first, (id) => engine.identityName(id)));
          if (explanations.length > 1) {
            io.out(`${explanations.length} pairs evaluated (pods of workloads):\n`);
            for (const v of explanations) io.out(`  ${v.verdict === 'allow' ? 'ALLOWED' : 'DENIED '}  ${v.source.endpoint} → ${v.destination.endpoint}\n`);
          }
        }
        setExit(exitCodeFor('explain', ...(errors.length ? ['invalid-manifests' as const] : [])));
      });
  };
}

type TrafficFlags = Pick<ExplainOptions, 'port' | 'protocol' | 'icmpType' | 'httpMethod' | 'httpPath' | 'dns'>;
type Traffic =
  | { readonly ok: true; readonly port?: number; readonly protocol?: L4Protocol; readonly icmpType?: number }
  | { readonly ok: false; readonly message: string };

/**
 * `--port`, `--protocol` and `--icmp-type` into one transport, refusing
 * what cannot be one connection: a port outside 1-65535 (no packet is sent
 * to port 0), two different protocols, a port on ICMP, an ICMP type on
 * TCP/UDP/SCTP, an HTTP request over anything but TCP, L7 over ICMP (the
 * same checks a ConnectivityTest case gets in `parse.ts`). Silently picking
 * one would explain a different connection than the one asked about.
 */
export function trafficFromFlags(opts: TrafficFlags): Traffic {
  const fail = (message: string): Traffic => ({ ok: false, message });
  let port: number | undefined;
  let protocol = opts.protocol as L4Protocol | undefined;
  if (opts.port !== undefined) {
    const m = /^(\d+)(?:\/([A-Za-z0-9]+))?$/.exec(opts.port.trim());
    if (!m) return fail(`--port ${opts.port} is not a port such as 80 or 53/UDP`);
    port = Number(m[1]);
    if (port < 1 || port > 65535) return fail(`--port ${opts.port}: a port is a number from 1 to 65535`);
    if (m[2] !== undefined) {
      const written = m[2].toUpperCase();
      if (written === 'ICMP' || written === 'ICMPV6') return fail(`--port ${opts.port}: ICMP has no ports; use --protocol ${written === 'ICMP' ? 'ICMP' : 'ICMPv6'} (and --icmp-type) without --port`);
      if (written !== 'TCP' && written !== 'UDP' && written !== 'SCTP') return fail(`--port ${opts.port}: the protocol after / is TCP, UDP or SCTP`);
      if (protocol !== undefined && protocol !== written) {
        return fail(`--port ${opts.port} says ${written} but --protocol says ${protocol}; give the protocol once (--port ${port}/${protocol} or --port ${port} --protocol ${protocol})`);
      }
      protocol = written;
    }
  }
  const icmp = protocol === 'ICMP' || protocol === 'ICMPv6';
  const http = opts.httpMethod !== undefined || opts.httpPath !== undefined;
  if (http && protocol !== undefined && protocol !== 'TCP') return fail(`an HTTP request (--http-method, --http-path) goes over TCP, not ${protocol}`);
  if (icmp && opts.dns !== undefined) return fail(`--dns does not go with --protocol ${protocol}: a DNS query goes over UDP or TCP`);
  if (icmp && port !== undefined) return fail(`--port does not go with --protocol ${protocol}: ICMP has no ports (choose the message with --icmp-type)`);
  if (!icmp && opts.icmpType !== undefined) return fail('--icmp-type goes with --protocol ICMP or ICMPv6');
  if (!icmp) return { ok: true, ...(port !== undefined ? { port } : {}), ...(protocol ? { protocol } : {}) };
  const family = protocol === 'ICMP' ? 'IPv4' : 'IPv6';
  const icmpType = opts.icmpType === undefined ? (family === 'IPv4' ? 8 : 128) : icmpTypeNumber(opts.icmpType, family);
  if (icmpType === undefined) return fail(`--icmp-type ${opts.icmpType} is not an ${family} ICMP type (a number 0-255 or a name such as EchoRequest)`);
  return { ok: true, protocol: protocol!, icmpType };
}
