/**
 * @module web/TerminalPanel
 *
 * A terminal-like panel for the polis commands that run over the buffers
 * (`validate`, `test`, `explain`), printing what the CLI prints, and for the
 * tutorial's commands in a pod (`curl`, `wget`, `nslookup`, `kubectl exec`),
 * run by the traffic simulator in a virtual cluster built from the files as
 * the editor shows them: their output, then the flows they caused as
 * `hubble observe` prints them.
 */
import { useEffect, useRef, useState } from 'react';
import { api, type Buffers } from './api';

const HELP = `commands (over the editor's buffers, saved or not):
  validate                                   every problem, file:line:col
  test                                       run the ConnectivityTest files
  explain --from SRC --to DST [--port N] [--protocol TCP|UDP|SCTP|ICMP] [--http-method M --http-path P] [--dns NAME]
  kubectl exec POD -- CMD…                   run CMD in POD of a virtual cluster of the buffers (deploy/backend, default/frontend-…)
  curl|wget|nslookup|dig|nc|ping …           the same, in the pod chosen above the prompt
  clear                                      clear the screen
endpoints as in ConnectivityTest files: default/frontend, svc:default/backend, ip:1.2.3.4, fqdn:name`;

/** Splits a command line like a shell does for plain words and quoted strings. */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

const IN_POD = new Set(['curl', 'wget', 'nslookup', 'dig', 'host', 'nc', 'ping', 'kubectl']);

export function TerminalPanel({ buffers }: { buffers: () => Buffers }) {
  const [pod, setPod] = useState('deploy/backend');
  const [lines, setLines] = useState<{ text: string; kind: 'in' | 'out' | 'err' | 'flow' | 'drop' }[]>([{ text: 'polis terminal: type help', kind: 'out' }]);
  const [input, setInput] = useState('');
  const [history, setHistory] = useState<string[]>([]);
  const [pos, setPos] = useState(-1);
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [lines]);

  const print = (text: string, kind: 'out' | 'err' = 'out') => setLines((l) => [...l, { text, kind }]);
  const runInPod = async (argv: string[]) => {
    if (argv[0] !== 'kubectl' && !pod.trim()) return print('choose the pod to run in (above the prompt), or: kubectl exec POD -- COMMAND', 'err');
    const r = await api.run(buffers(), argv, argv[0] === 'kubectl' ? undefined : pod.trim());
    const out: { text: string; kind: 'out' | 'err' | 'flow' | 'drop' }[] = [];
    if (r.warning) out.push({ text: `warning: ${r.warning}`, kind: 'err' });
    if (r.stdout) out.push({ text: r.stdout.replace(/\n$/, ''), kind: 'out' });
    if (r.stderr) out.push({ text: r.stderr.replace(/\n$/, ''), kind: 'err' });
    if (r.exitCode !== 0) out.push({ text: `command terminated with exit code ${r.exitCode}`, kind: 'err' });
    out.push({ text: `# hubble observe (${r.flows.length} flow${r.flows.length === 1 ? '' : 's'} from ${r.pod})`, kind: 'flow' });
    for (const f of r.flows) out.push({ text: f, kind: /DROPPED|DENIED/.test(f) ? 'drop' : 'flow' });
    setLines((l) => [...l, ...out]);
  };
  const run = async (line: string) => {
    setLines((l) => [...l, { text: `$ ${line}`, kind: 'in' }]);
    const argv = splitArgs(line);
    const cmd = argv[0] === 'polis' ? argv[1] : argv[0];
    const args = argv[0] === 'polis' ? argv.slice(2) : argv.slice(1);
    const flag = (name: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
    try {
      switch (cmd) {
        case undefined: return;
        case 'help': return print(HELP);
        case 'clear': return setLines([]);
        case 'validate': {
          const r = await api.validate(buffers());
          const shown = r.diagnostics.filter((d) => d.severity !== 'info');
          return print(shown.length ? shown.map((d) => `${d.location ? `${d.location.file}:${d.location.line}:${d.location.col}: ` : ''}${d.severity}: ${d.message}${d.hint ? `\n  hint: ${d.hint}` : ''}`).join('\n') : 'no problems', r.errors ? 'err' : 'out');
        }
        case 'test': {
          const r = await api.test(buffers());
          return print([...r.results.map((c) => `${c.pass ? 'PASS' : 'FAIL'} ${c.name}: ${c.from} → ${c.to}: expected ${c.expect}, got ${c.verdict} (${c.reason})`), `${r.passed} passed, ${r.failed} failed`].join('\n'), r.failed ? 'err' : 'out');
        }
        case 'explain': {
          const from = flag('from');
          const to = flag('to');
          if (!from || !to) return print('explain needs --from and --to', 'err');
          const q: Record<string, unknown> = { buffers: buffers(), from, to };
          if (flag('port')) q.port = Number(flag('port'));
          if (flag('protocol')) q.protocol = flag('protocol')!.toUpperCase();
          if (flag('http-method') || flag('http-path')) q.http = { method: flag('http-method') ?? 'GET', path: flag('http-path') ?? '/' };
          if (flag('dns')) q.dns = flag('dns');
          const r = await api.explain(q);
          return print(r.pairs.map((p) => p.text).join('\n'));
        }
        default:
          if (argv[0] !== 'polis' && IN_POD.has(cmd)) return await runInPod(argv);
          return print(`${cmd}: unknown command (type help)`, 'err');
      }
    } catch (e) {
      print(e instanceof Error ? e.message : String(e), 'err');
    }
  };
  return (
    <div className="terminal-wrap">
    <div className="row"><label>Pod for curl, wget, nslookup…<input value={pod} onChange={(e) => setPod(e.target.value)} aria-label="Run in pod" placeholder="deploy/backend" /></label></div>
    <div className="terminal" onClick={() => document.getElementById('term-input')?.focus()}>
      <div className="term-out" aria-live="polite">
        {lines.map((l, i) => <pre key={i} className={l.kind}>{l.text}</pre>)}
        <div ref={end} />
      </div>
      <form className="term-line" onSubmit={(e) => { e.preventDefault(); if (input.trim()) setHistory((h) => [...h, input]); setPos(-1); void run(input); setInput(''); }}>
        <span className="prompt">$</span>
        <input id="term-input" value={input} onChange={(e) => setInput(e.target.value)} aria-label="Terminal command" autoComplete="off" spellCheck={false}
          onKeyDown={(e) => {
            if (e.key === 'ArrowUp' && history.length) { const p = pos < 0 ? history.length - 1 : Math.max(0, pos - 1); setPos(p); setInput(history[p]!); e.preventDefault(); }
            if (e.key === 'ArrowDown' && pos >= 0) { const p = pos + 1; setPos(p >= history.length ? -1 : p); setInput(p >= history.length ? '' : history[p]!); e.preventDefault(); }
          }} />
      </form>
    </div>
    </div>
  );
}
