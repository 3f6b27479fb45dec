/**
 * @module simulate/commands/dns-tools
 *
 * The DNS clients people run in pods, each with its own habits:
 * - BusyBox `nslookup NAME`: the pod's search list applies; prints the
 *   server (`Address:\t10.96.0.10:53`), then `Name:`/`Address:` per answer,
 *   `Non-authoritative answer:` for names outside the cluster; on failure
 *   `** server can't find NAME: NXDOMAIN` (or `REFUSED`, what Cilium's DNS
 *   proxy answers for a name no DNS rule allows) and exit 1; no answer at
 *   all is `;; connection timed out; no servers could be reached`, exit 1.
 * - `dig NAME`: no search list unless `+search` (dig asks for the name as
 *   written), `+short` prints only the addresses; dig exits 0 whatever the
 *   rcode and 9 when no server answers.
 * - `host NAME`: the search list applies; `NAME has address IP`;
 *   `Host NAME not found: 3(NXDOMAIN)` / `5(REFUSED)` exit 1.
 */
import type { CommandContext, CommandOutput } from './context.js';

export function nslookup(args: readonly string[], ctx: CommandContext): CommandOutput {
  const operands = args.filter((a) => !a.startsWith('-'));
  const name = operands[0];
  if (name === undefined) return { stdout: '', stderr: 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n', exitCode: 1 };
  const server = ctx.net.nameserver();
  const r = ctx.net.resolve(name);
  if (r.error === 'TIMEOUT') return { stdout: ';; connection timed out; no servers could be reached\n\n', stderr: '', exitCode: 1 };
  let s = `Server:\t\t${server}\nAddress:\t${server}:53\n\n`;
  if (!r.ok) return { stdout: `${s}** server can't find ${r.error === 'NXDOMAIN' ? r.name : name}: ${r.error}\n\n`, stderr: '', exitCode: 1 };
  if (r.external) s += 'Non-authoritative answer:\n';
  for (const c of r.cnames ?? []) s += `${r.name}\tcanonical name = ${c}\n`;
  for (const ip of r.addresses) s += `Name:\t${r.name}\nAddress: ${ip}\n`;
  return { stdout: `${s}\n`, stderr: '', exitCode: 0 };
}

export function dig(args: readonly string[], ctx: CommandContext): CommandOutput {
  let short = false;
  let search = false;
  let qtype = 'A';
  let name: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '+short') short = true;
    else if (a === '+search') search = true;
    else if (a.startsWith('+') || a.startsWith('@')) continue;
    else if (a === '-t') qtype = (args[++i] ?? 'A').toUpperCase();
    else if (/^(A|AAAA)$/i.test(a) && name !== undefined) qtype = a.toUpperCase();
    else name ??= a;
  }
  name ??= '.';
  const server = ctx.net.nameserver();
  const r = ctx.net.resolve(name, { search, qtypes: [qtype] });
  if (r.error === 'TIMEOUT') {
    return { stdout: `;; communications error to ${server}#53: timed out\n;; communications error to ${server}#53: timed out\n;; communications error to ${server}#53: timed out\n\n; <<>> DiG 9.18.30 <<>> ${args.join(' ')}\n;; global options: +cmd\n;; no servers could be reached\n`, stderr: '', exitCode: 9 };
  }
  const fqdn = `${r.name.replace(/\.$/, '')}.`;
  const ttl = r.external ? 300 : 30;
  if (short) return { stdout: [...(r.cnames ?? []), ...r.addresses].map((a) => `${a}\n`).join(''), stderr: '', exitCode: 0 };
  const status = r.ok ? 'NOERROR' : (r.error ?? 'NXDOMAIN');
  const answers = r.addresses.map((ip) => `${fqdn}\t\t${ttl}\tIN\t${qtype}\t${ip}\n`);
  let s = `\n; <<>> DiG 9.18.30 <<>> ${args.join(' ')}\n;; global options: +cmd\n;; Got answer:\n`;
  s += `;; ->>HEADER<<- opcode: QUERY, status: ${status}, id: ${(ctx.clock.micros % 65536).toFixed(0)}\n`;
  s += `;; flags: qr${r.external ? '' : ' aa'} rd ra; QUERY: 1, ANSWER: ${answers.length}, AUTHORITY: 0, ADDITIONAL: 1\n\n`;
  s += `;; OPT PSEUDOSECTION:\n; EDNS: version: 0, flags:; udp: 1232\n;; QUESTION SECTION:\n;${fqdn}\t\t\tIN\t${qtype}\n\n`;
  if (answers.length) s += `;; ANSWER SECTION:\n${answers.join('')}\n`;
  s += `;; Query time: 0 msec\n;; SERVER: ${server}#53(${server}) (UDP)\n;; WHEN: ${ctx.clock.now().toUTCString().replace('GMT', 'UTC')}\n;; MSG SIZE  rcvd: ${60 + answers.length * 16}\n\n`;
  return { stdout: s, stderr: '', exitCode: 0 };
}

export function host(args: readonly string[], ctx: CommandContext): CommandOutput {
  const name = args.filter((a) => !a.startsWith('-'))[0];
  if (name === undefined) return { stdout: '', stderr: 'Usage: host [-aCdilrTvVw] [-c class] [-N ndots] [-t type] [-W time]\n            [-R number] [-m flag] [-p port] hostname [server]\n', exitCode: 1 };
  const r = ctx.net.resolve(name);
  if (r.error === 'TIMEOUT') return { stdout: ';; connection timed out; no servers could be reached\n', stderr: '', exitCode: 1 };
  if (!r.ok) return { stdout: `Host ${name} not found: ${r.error === 'REFUSED' ? '5(REFUSED)' : '3(NXDOMAIN)'}\n`, stderr: '', exitCode: 1 };
  let s = '';
  for (const c of r.cnames ?? []) s += `${r.name} is an alias for ${c}\n`;
  for (const ip of r.addresses) s += `${r.name} has ${ip.includes(':') ? 'IPv6 address' : 'address'} ${ip}\n`;
  return { stdout: s, stderr: '', exitCode: 0 };
}
