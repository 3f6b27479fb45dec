/**
 * @module web/AnalysisPanels
 *
 * The views over the analysis use cases: the connectivity matrix (every
 * source × destination with the ports the engine allows), the diff between
 * the saved files and the unsaved buffers (what an edit newly allows or
 * denies, with a link to the rule responsible), and generate (an uploaded
 * Hubble export becomes policies, opened in new editor tabs, with the
 * replay proof that they allow every observed connection).
 */
import { useEffect, useState } from 'react';
import { api, type Buffers } from './api';
import type { Reveal } from './App';
import type { DiffJson, GenerateJson, GeneratedFile, MatrixJson } from './types';

const SYMBOL: Readonly<Record<string, { cls: string; text: string; title: string }>> = {
  '.': { cls: 'allow', text: 'all', title: 'allowed on every port' },
  X: { cls: 'deny', text: '✗', title: 'denied' },
  L7: { cls: 'l7', text: 'L7', title: 'allowed; L7 rules filter requests' },
  '~': { cls: 'some', text: 'some', title: 'some ports' },
  A: { cls: 'l7', text: 'auth', title: 'waits for mutual authentication' },
};

function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data?: T; error: string } {
  const [data, setData] = useState<T | undefined>();
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    load().then((d) => { if (live) { setData(d); setError(''); } }, (e: unknown) => { if (live) setError(e instanceof Error ? e.message : String(e)); });
    return () => { live = false; };
  }, deps); // eslint-disable-line react-hooks/exhaustive-deps
  return { ...(data !== undefined ? { data } : {}), error };
}

export function MatrixPanel({ buffers, revision }: { buffers: () => Buffers; revision: number }) {
  const [by, setBy] = useState('workload');
  const { data: m, error } = useLoad(() => api.matrix(buffers(), by), [by, revision]);
  const cell = new Map((m?.cells ?? []).map((c) => [`${c.from}|${c.to}`, c]));
  return (
    <div className="matrix-view">
      <div className="row">
        <label>Group by
          <select value={by} onChange={(e) => setBy(e.target.value)} aria-label="Group the matrix by">
            {['workload', 'identity', 'pod', 'namespace'].map((g) => <option key={g}>{g}</option>)}
          </select>
        </label>
        {m && <span className="muted">{m.sources.length} sources × {m.destinations.length} destinations, {m.portClasses.length} port classes; {m.verdictsAsked} verdicts asked of the engine</span>}
      </div>
      {error && <div className="form-error" role="alert">{error}</div>}
      {m && (
        <div className="table-scroll">
          <table className="grid matrix conn-matrix" aria-label="Connectivity matrix: what each source may reach">
            <thead><tr><th>from \ to</th>{m.destinations.map((d) => <th key={d.name} title={d.pods?.join(', ')}>{d.name}</th>)}</tr></thead>
            <tbody>
              {m.sources.map((s) => (
                <tr key={s.name}><th title={s.pods?.join(', ')}>{s.name}</th>{m.destinations.map((d) => {
                  const c = cell.get(`${s.name}|${d.name}`);
                  const sym = c ? SYMBOL[c.symbol] : undefined;
                  return <td key={d.name} title={c ? `${s.name} → ${d.name}: ${c.allowed}` : 'no Cilium endpoint on either side'}>
                    {c && sym ? <span className={`chip ${sym.cls}`}>{c.symbol === '~' ? c.allowed : sym.text}</span> : <span className="muted">–</span>}
                  </td>;
                })}</tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

const VERB: Readonly<Record<string, string>> = { denied: 'newly denies', allowed: 'newly allows', l7: 'changes L7 filtering of' };

export function DiffPanel({ buffers, revision, reveal }: { buffers: () => Buffers; revision: number; reveal: Reveal }) {
  const { data: d, error } = useLoad(() => api.diff(buffers()), [revision]);
  return (
    <div className="diff-view">
      <p className="muted">The saved files against the editor&apos;s buffers: every connection whose verdict the unsaved edits change.</p>
      {error && <div className="form-error" role="alert">{error}</div>}
      {d && <div className={`summary ${d.changes.some((c) => c.kind === 'denied') ? 'deny' : d.changed ? 'allow' : ''}`} role="status">{d.summary}</div>}
      {d && (
        <ul className="rules diff-changes">
          {d.changes.map((c, i) => (
            <li key={i} className={`change ${c.kind}`}>
              <span className={`chip ${c.kind === 'denied' ? 'deny' : c.kind === 'allowed' ? 'allow' : 'l7'}`}>{c.kind}</span>{' '}
              this edit {VERB[c.kind]} <code>{c.from}</code> → <code>{c.to}</code>:{c.ports} <span className="muted">({c.before} → {c.after})</span>
              <div className="muted">now: {c.rules.after}{' '}
                {c.location && <button type="button" className="link" onClick={() => reveal(c.location!.file, c.location!.offset, c.location!.endOffset)}>{c.location.file}:{c.location.line}</button>}
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function GeneratePanel({ openGenerated }: { openGenerated: (files: GeneratedFile[]) => void }) {
  const [kind, setKind] = useState('CiliumNetworkPolicy');
  const [busy, setBusy] = useState('');
  const [error, setError] = useState('');
  const [r, setR] = useState<GenerateJson | undefined>();
  const upload = async (file: File | undefined) => {
    if (!file) return;
    setError('');
    setR(undefined);
    setBusy(`reading ${file.name} (${Math.round(file.size / 1024)} KiB)…`);
    try {
      const g = await api.generate(await file.text(), file.name, kind);
      setR(g);
      openGenerated(g.files);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy('');
    }
  };
  const p = r?.proof;
  return (
    <div className="generate">
      <div className="row wrap">
        <label>Kind
          <select value={kind} onChange={(e) => setKind(e.target.value)} aria-label="Kind of policy to generate">
            <option>CiliumNetworkPolicy</option><option>NetworkPolicy</option>
          </select>
        </label>
        <label>Hubble export<input type="file" accept=".json,.jsonl,.txt" onChange={(e) => void upload(e.target.files?.[0])} aria-label="Upload a Hubble export to generate policies" /></label>
      </div>
      {!r && !busy && <p className="muted">Upload <code>hubble observe -o json</code> output (or a Hubble exporter file): polis writes least-privilege policies for what it saw, opens them in new tabs, and proves them by replaying every observed connection through the engine.</p>}
      {busy && <p className="muted" role="status">{busy}</p>}
      {error && <div className="form-error" role="alert">{error}</div>}
      {r && p && (
        <div className="proof" aria-label="Proof report">
          <div className={`summary ${p.passed ? 'allow' : 'deny'}`} role="status" data-testid="proof">
            {p.passed ? 'Proof passed' : 'Proof FAILED'}: {p.allowed} of {p.observed} observed connections allowed by the generated policies
            {p.notReplayed ? ` (${p.notReplayed} not replayable)` : ''}
          </div>
          <p className="muted">{r.lines} lines read{r.skippedLines ? `, ${r.skippedLines} skipped` : ''}; {r.files.length} polic{r.files.length === 1 ? 'y' : 'ies'} in {r.ms} ms. Opened in the editor as unsaved tabs under <code>generated/</code>.</p>
          {p.deniedConnections.length > 0 && <><div className="sub">Denied (a bug in polis)</div><ul className="rules">{p.deniedConnections.map((c, i) => <li key={i} className="rule deny">{c.connection}: {c.reason}</li>)}</ul></>}
          {p.notReplayedReasons.length > 0 && <><div className="sub">Not replayable</div><ul className="rules">{p.notReplayedReasons.map((x) => <li key={x}>{x}</li>)}</ul></>}
          <div className="sub">Attack surface removed</div>
          <table className="grid">
            <thead><tr><th>workload</th><th>unobserved connections now denied</th></tr></thead>
            <tbody>{r.surface.map((s) => <tr key={s.workload}><td>{s.workload}</td><td>{s.nowDenied} of {s.checked}</td></tr>)}</tbody>
          </table>
          {r.files.some((f) => f.notes.length) && <><div className="sub">Notes</div><ul className="rules">{r.files.flatMap((f) => f.notes.map((n) => <li key={f.path + n}>{f.path}: {n}</li>))}</ul></>}
        </div>
      )}
    </div>
  );
}
