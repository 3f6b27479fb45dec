/**
 * @module web/FlowsPanel
 *
 * A Hubble export read by the server's hubble layer: each flow as
 * `hubble observe`'s compact line or as Hubble UI's flows table, with
 * filters on text and verdict.
 */
import { useState } from 'react';
import { api } from './api';
import type { FlowRow } from './types';

export function FlowsPanel() {
  const [data, setData] = useState<{ flows: FlowRow[]; total: number; skipped: number; problems: string[] } | undefined>();
  const [filter, setFilter] = useState('');
  const [verdict, setVerdict] = useState('');
  const [compact, setCompact] = useState(false);
  const [error, setError] = useState('');
  const load = async (file: File | undefined) => {
    if (!file) return;
    setError('');
    try {
      setData(await api.flows(await file.text()));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const rows = (data?.flows ?? []).filter((f) => (!verdict || f.verdict === verdict) && (!filter || f.compact.toLowerCase().includes(filter.toLowerCase())));
  const verdicts = [...new Set((data?.flows ?? []).map((f) => f.verdict))];
  return (
    <div className="flows">
      <div className="row wrap">
        <label>Hubble export (JSON lines)<input type="file" accept=".json,.jsonl,.txt" onChange={(e) => void load(e.target.files?.[0])} aria-label="Upload a Hubble export" /></label>
        <label>Filter<input value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="pod, port, IP…" aria-label="Filter flows" /></label>
        <label>Verdict
          <select value={verdict} onChange={(e) => setVerdict(e.target.value)} aria-label="Verdict filter">
            <option value="">all</option>
            {verdicts.map((v) => <option key={v}>{v}</option>)}
          </select>
        </label>
        <label className="check"><input type="checkbox" checked={compact} onChange={(e) => setCompact(e.target.checked)} aria-label="Compact lines" /> compact lines</label>
      </div>
      {error && <div className="form-error" role="alert">{error}</div>}
      {!data && <p className="muted">Upload the output of <code>hubble observe -o json</code> (or a Hubble exporter file) to read its flows. Live flows from the virtual cluster come with <code>polis serve</code>.</p>}
      {data && <p className="muted" role="status">{data.total} flows{data.skipped ? `, ${data.skipped} lines skipped (${data.problems[0] ?? ''})` : ''}; {rows.length} shown</p>}
      {data && compact && <pre className="compact">{rows.map((r) => r.compact).join('\n')}</pre>}
      {data && !compact && (
        <div className="table-scroll">
          <table className="grid">
            <thead><tr><th>source</th><th>destination</th><th>type</th><th>verdict</th><th>summary</th><th>time</th></tr></thead>
            <tbody>
              {rows.slice(0, 1000).map((r, i) => (
                <tr key={i}><td>{r.source}</td><td>{r.destination}</td><td>{r.type}</td><td><span className={`chip ${/DROP|DENIED|ERROR/.test(r.verdict) ? 'deny' : 'allow'}`}>{r.verdict}</span></td><td>{r.summary}</td><td className="muted">{r.time}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
