/**
 * @module web/Problems
 *
 * Every diagnostic of the workspace under the editor, as `polis validate`
 * prints them: severity, file:line:col, message and hint. A click (or Enter)
 * opens the file at the place.
 */
import type { Reveal } from './App';
import type { Diag } from './types';

export function Problems({ diags, reveal }: { diags: Diag[]; reveal: Reveal }) {
  const shown = diags.filter((d) => d.severity !== 'info');
  return (
    <div className="problems" aria-label="Problems">
      <div className="problems-head">Problems <span className="muted">{shown.length === 0 ? 'none' : shown.length}</span></div>
      <ul>
        {shown.map((d, i) => (
          <li key={i}>
            <button type="button" className={`problem ${d.severity}`} onClick={() => d.location && reveal(d.location.file, d.location.offset, d.location.endOffset)}>
              <span className={`sev ${d.severity}`}>{d.severity}</span>
              <span className="where">{d.location ? `${d.location.file}:${d.location.line}:${d.location.col}` : ''}</span>
              <span className="msg">{d.message}{d.hint ? <span className="hint"> — {d.hint}</span> : null}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
