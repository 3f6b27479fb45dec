/**
 * @module simulate/commands
 *
 * Runs one command line as a pod's shell would: the network tools (curl,
 * wget, nc, nslookup, dig, host, ping), `busybox APPLET …`, `sh -c
 * "A && B; C"`, and the cheap ones people use to look around (`echo`,
 * `hostname`, `cat /etc/resolv.conf`, `cat /etc/hosts`, `sleep`, `true`,
 * `false`). Anything else is answered as sh answers a missing program:
 * `sh: NAME: not found`, exit 127.
 */
import type { CommandContext, CommandFn, CommandOutput } from './context.js';
import { curl } from './curl.js';
import { dig, host, nslookup } from './dns-tools.js';
import { nc } from './nc.js';
import { ping } from './ping.js';
import { wget } from './wget.js';

export type { CommandContext, CommandOutput } from './context.js';

const TOOLS: Readonly<Record<string, CommandFn>> = {
  curl, wget, nc, netcat: nc, nslookup, dig, host, ping,
  echo: (args) => ({ stdout: `${echoArgs(args)}`, stderr: '', exitCode: 0 }),
  hostname: (_args, ctx) => ({ stdout: `${ctx.pod?.name ?? 'localhost'}\n`, stderr: '', exitCode: 0 }),
  true: () => ({ stdout: '', stderr: '', exitCode: 0 }),
  false: () => ({ stdout: '', stderr: '', exitCode: 1 }),
  sleep: (args, ctx) => {
    const n = Number(args[0]);
    if (!Number.isFinite(n) || n < 0) return { stdout: '', stderr: `sleep: invalid number '${args[0] ?? ''}'\n`, exitCode: 1 };
    ctx.clock.advanceMs(n * 1000);
    return { stdout: '', stderr: '', exitCode: 0 };
  },
  cat: (args, ctx) => {
    let stdout = '';
    let stderr = '';
    let exitCode = 0;
    for (const f of args) {
      const text = fileOf(f, ctx);
      if (text === undefined) {
        stderr += `cat: can't open '${f}': No such file or directory\n`;
        exitCode = 1;
      } else stdout += text;
    }
    return { stdout, stderr, exitCode };
  },
};

/** BusyBox applets reachable as `busybox NAME`. */
const BUSYBOX = new Set(['wget', 'nc', 'nslookup', 'ping', 'echo', 'hostname', 'cat', 'sleep', 'true', 'false', 'sh']);

export function runCommand(argv: readonly string[], ctx: Omit<CommandContext, 'argv0'>): CommandOutput {
  const first = argv[0];
  if (first === undefined) return { stdout: '', stderr: '', exitCode: 0 };
  const line = ctx.line;
  const rest = line ? line.rest : argv.slice(1);
  const name = first.slice(first.lastIndexOf('/') + 1);
  if (name === 'busybox') {
    const applet = rest[0];
    if (applet === undefined) return { stdout: 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n', stderr: '', exitCode: 0 };
    if (!BUSYBOX.has(applet)) return { stdout: '', stderr: `${applet}: applet not found\n`, exitCode: 127 };
    // The line's memo is for the words it was made for, not for the applet's.
    return runCommand(rest, { net: ctx.net, clock: ctx.clock, pod: ctx.pod });
  }
  if (name === 'sh' || name === 'bash' || name === 'ash') {
    if (rest[0] === '-c' && rest[1] !== undefined) return runScript(rest[1], { net: ctx.net, clock: ctx.clock, pod: ctx.pod });
    return { stdout: '', stderr: '', exitCode: 0 };
  }
  const tool = TOOLS[name];
  if (!tool) return { stdout: '', stderr: `sh: ${first}: not found\n`, exitCode: 127 };
  return tool(rest, line ? { net: ctx.net, clock: ctx.clock, pod: ctx.pod, argv0: name, line } : { net: ctx.net, clock: ctx.clock, pod: ctx.pod, argv0: name });
}

/** `sh -c`: words split as the shell splits them (quotes, backslashes), commands joined by `;`, `&&` and `||`. */
export function runScript(script: string, ctx: Omit<CommandContext, 'argv0'>): CommandOutput {
  const tokens = shellWords(script);
  if (tokens === undefined) return { stdout: '', stderr: 'sh: syntax error: unterminated quoted string\n', exitCode: 2 };
  let stdout = '';
  let stderr = '';
  let code = 0;
  let words: string[] = [];
  let skip = false;
  const flush = (op: string | undefined) => {
    if (!skip && words.length > 0) {
      const r = runCommand(words, ctx);
      stdout += r.stdout;
      stderr += r.stderr;
      code = r.exitCode;
    }
    words = [];
    skip = op === '&&' ? code !== 0 : op === '||' ? code === 0 : false;
  };
  for (const t of tokens) {
    if (t.op) flush(t.text);
    else words.push(t.text);
  }
  flush(undefined);
  return { stdout, stderr, exitCode: code };
}

/** Splits a command line into words and the operators `;`, `&&`, `||`; undefined for an unterminated quote. */
export function shellWords(line: string): { text: string; op: boolean }[] | undefined {
  const out: { text: string; op: boolean }[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return undefined;
      cur += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && '"\\$`'.includes(line[j + 1]!)) j++;
        cur += line[j];
      }
      if (j >= line.length) return undefined;
      inWord = true;
      i = j;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) out.push({ text: cur, op: false });
      cur = '';
      inWord = false;
    } else if (c === ';' || ((c === '&' || c === '|') && line[i + 1] === c)) {
      if (inWord) out.push({ text: cur, op: false });
      cur = '';
      inWord = false;
      out.push({ text: c === ';' ? ';' : c + c, op: true });
      if (c !== ';') i++;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push({ text: cur, op: false });
  return out;
}

function echoArgs(args: readonly string[]): string {
  if (args[0] === '-n') return args.slice(1).join(' ');
  return `${args.join(' ')}\n`;
}

/** The few files people read in a pod: what kubelet writes for it. */
function fileOf(path: string, ctx: Omit<CommandContext, 'argv0'>): string | undefined {
  switch (path) {
    case '/etc/resolv.conf':
      // kubelet's ClusterFirst resolv.conf (pkg/kubelet/network/dns): the cluster DNS, the search list, ndots:5.
      return `search ${ctx.net.searchList().join(' ')}\nnameserver ${ctx.net.nameserver()}\noptions ndots:5\n`;
    case '/etc/hostname':
      return `${ctx.pod?.name ?? 'localhost'}\n`;
    case '/etc/hosts': {
      const pod = ctx.pod;
      return '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n' +
        (pod ? `${pod.ip}\t${pod.name}\n` : '');
    }
    default:
      return undefined;
  }
}
