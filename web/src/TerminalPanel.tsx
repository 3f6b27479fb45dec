/**
 * @module web/TerminalPanel
 *
 * A terminal-like panel for the polis commands that run over the buffers
 * (`validate`, `test`, `explain`), printing what the CLI prints. Commands
 * run in a pod (`curl`, `wget`, `nslookup`) need the traffic simulator and
 * `polis serve`; until they land the panel says so rather than pretending.
 */
import { useEffect, useRef, useState } from 'react';
import { api, type Buffers } from './api';

const HELP = `commands (over the editor's buffers, saved or not):
  validate                                   every problem, file:line:col
  test                                       run the ConnectivityTest files
  explain --from SRC --to DST [--port N] [--protocol TCP|UDP|SCTP|ICMP] [--http-method M --http-path P] [--dns NAME]
  clear                                      clear the screen
endpoints as in ConnectivityTest files: default/frontend, svc:default/backend, ip:1.2.3.4, fqdn:name`;

/** Splits a command line like a shell does for plain words and quoted strings. */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

export function TerminalPanel({ buffers }: { buffers: () => Buffers }) {
  const [lines, setLines] = useState<{ text: string; kind: 'in' | 'out' | 'err' }[]>([{ text: 'polis terminal: type help', kind: 'out' }]);
  const [input, setInput] = useState('');
  const [history, setHistory] = useState<string[]>([]);
  const [pos, setPos] = useState(-1);
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [lines]);

  const print = (text: string, kind: 'out' | 'err' = 'out') => setLines((l) => [...l, { text, kind }]);
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
        case 'curl': case 'wget': case 'nslookup': case 'dig': case 'nc': case 'kubectl':
          return print(`${cmd}: commands in pods run through the traffic simulator with \`polis serve\`, which this build does not have yet; ask the same question with explain --from … --to … --port …`, 'err');
        default:
          return print(`${cmd}: unknown command (type help)`, 'err');
      }
    } catch (e) {
      print(e instanceof Error ? e.message : String(e), 'err');
    }
  };
  return (
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
  );
}
