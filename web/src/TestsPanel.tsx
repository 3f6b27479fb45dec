/**
 * @module web/TestsPanel
 *
 * `polis test` over the buffers: every ConnectivityTest case with its
 * verdict, failures first, each linking to its case in the tests file.
 */
import { useState } from 'react';
import { api, type Buffers } from './api';
import type { Reveal } from './App';
import type { CaseResult, Diag } from './types';

export function TestsPanel({ buffers, reveal }: { buffers: () => Buffers; reveal: Reveal }) {
  const [run, setRun] = useState<{ results: CaseResult[]; diagnostics: Diag[]; passed: number; failed: number } | undefined>();
  const [error, setError] = useState('');
  const go = async () => {
    setError('');
    try {
      setRun(await api.test(buffers()));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const sorted = run ? [...run.results].sort((a, b) => Number(a.pass) - Number(b.pass)) : [];
  return (
    <div className="tests">
      <div className="row">
        <button type="button" className="btn" onClick={() => void go()}>Run connectivity tests</button>
        {run && <span className={`summary ${run.failed ? 'deny' : 'allow'}`} role="status">{run.passed} passed, {run.failed} failed</span>}
      </div>
      {error && <div className="form-error" role="alert">{error}</div>}
      {run && run.diagnostics.length > 0 && <ul className="rules">{run.diagnostics.map((d, i) => <li key={i} className="error">{d.location ? `${d.location.file}:${d.location.line}: ` : ''}{d.message}</li>)}</ul>}
      {run && (
        <table className="grid">
          <thead><tr><th>result</th><th>case</th><th>from → to</th><th>port</th><th>expect</th><th>reason</th></tr></thead>
          <tbody>
            {sorted.map((r, i) => (
              <tr key={i} className={r.pass ? '' : 'fail'}>
                <td><span className={`chip ${r.pass ? 'allow' : 'deny'}`}>{r.pass ? 'PASS' : 'FAIL'}</span></td>
                <td><button type="button" className="link" onClick={() => reveal(r.location.file, r.location.offset, r.location.endOffset)}>{r.name}</button></td>
                <td>{r.from} → {r.to}</td>
                <td>{r.port !== undefined ? `${r.port}/${r.protocol}` : r.protocol}</td>
                <td>{r.expect}</td>
                <td className="reason">{r.reason}{r.explanation && <pre>{r.explanation}</pre>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
