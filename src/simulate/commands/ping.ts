/**
 * @module simulate/commands/ping
 *
 * BusyBox `ping -c N HOST` (the ping of busybox and alpine images): one
 * echo request a second, `64 bytes from IP: seq=N ttl=T time=X ms` for
 * each reply, then the statistics; exit 0 when a reply came, 1 when none
 * did (a policy drop, or a ClusterIP, which answers no ICMP). Without `-c`
 * a real ping runs until interrupted; polis sends 4, as it never waits.
 */
import type { CommandContext, CommandOutput } from './context.js';
import { last, parseArgs, seconds } from './context.js';

const SPEC = { shortValue: 'cWwisItQ', shortFlag: 'qn46', longValue: [], longFlag: [] } as const;

export function ping(args: readonly string[], ctx: CommandContext): CommandOutput {
  const p = parseArgs(args, SPEC);
  const name = p.operands[0];
  if (p.error || name === undefined) return { stdout: '', stderr: `${p.error ? `ping: ${p.error}\n` : ''}BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: ping [OPTIONS] HOST\n`, exitCode: 1 };
  const countText = last(p, 'c');
  const count = typeof countText === 'string' && /^\d+$/.test(countText) ? Math.max(1, Number(countText)) : 4;
  const intervalMs = seconds(last(p, 'i')) ?? 1000;
  const r = ctx.net.resolve(name);
  if (!r.ok) return { stdout: '', stderr: `ping: bad address '${name}'\n`, exitCode: 1 };
  const ip = r.addresses[0]!;
  let s = `PING ${name} (${ip}): 56 data bytes\n`;
  const result = ctx.net.ping(ip, count, intervalMs);
  const rtt = ctx.net.rttMs(ip).toFixed(3);
  const ttl = ctx.net.rttMs(ip) > 0.1 ? 63 : 64;
  for (let i = 0; i < result.received; i++) s += `64 bytes from ${ip}: seq=${i} ttl=${ttl} time=${rtt} ms\n`;
  if (result.received === 0) ctx.clock.advanceMs(10_000); // busybox waits up to -W (10 s) for a late reply
  const loss = Math.round(((count - result.received) * 100) / count);
  s += `\n--- ${name} ping statistics ---\n${count} packets transmitted, ${result.received} packets received, ${loss}% packet loss\n`;
  if (result.received > 0) s += `round-trip min/avg/max = ${rtt}/${rtt}/${rtt} ms\n`;
  return { stdout: s, stderr: '', exitCode: result.received > 0 ? 0 : 1 };
}
