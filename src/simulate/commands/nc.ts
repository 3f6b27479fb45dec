/**
 * @module simulate/commands/nc
 *
 * BusyBox `nc` (netcat) as used to probe ports: `nc -zv HOST PORT` reports
 * `HOST (IP:PORT) open` on stderr and exits 0; a refused or timed-out
 * connection is `nc: HOST (IP:PORT): Connection refused` / `…: Connection
 * timed out` and exit 1 (`-w N` bounds the wait); a name that does not
 * resolve is `nc: bad address 'HOST'`. With `-u` a datagram is sent: UDP has
 * no handshake, so nc cannot tell a drop from a silent server and reports
 * the port open, while the flows show what the policy did.
 */
import type { CommandContext, CommandOutput } from './context.js';
import { has, last, parseArgs, seconds } from './context.js';

const SPEC = { shortValue: 'wpsq', shortFlag: 'zvunl', longValue: [], longFlag: [] } as const;

export function nc(args: readonly string[], ctx: CommandContext): CommandOutput {
  const p = parseArgs(args, SPEC);
  const usage = 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nc [OPTIONS] HOST PORT  - connect\nnc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen\n';
  if (p.error) return { stdout: '', stderr: `nc: ${p.error}\n${usage}`, exitCode: 1 };
  if (has(p, 'l')) return { stdout: '', stderr: 'nc: listening is not simulated: polis answers for the pods\n', exitCode: 1 };
  const [host, portText] = p.operands;
  if (host === undefined || portText === undefined) return { stdout: '', stderr: usage, exitCode: 1 };
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { stdout: '', stderr: `nc: invalid port '${portText}'\n`, exitCode: 1 };
  const verbose = has(p, 'v');
  const udp = has(p, 'u');
  const timeoutMs = seconds(last(p, 'w'));
  const resolved = ctx.net.resolve(host);
  if (!resolved.ok) return { stdout: '', stderr: `nc: bad address '${host}'\n`, exitCode: 1 };
  const ip = resolved.addresses[0]!;
  const where = `${host} (${ip}:${port})`;
  const conn = ctx.net.connect(ip, port, { name: host, resolved, protocol: udp ? 'UDP' : 'TCP', ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
  if (conn.result === 'refused') return { stdout: '', stderr: `nc: ${where}: Connection refused\n`, exitCode: 1 };
  if (conn.result === 'timeout') return { stdout: '', stderr: `nc: ${where}: Connection timed out\n`, exitCode: 1 };
  return { stdout: '', stderr: verbose ? `${where} open\n` : '', exitCode: 0 };
}
