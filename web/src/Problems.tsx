/**
 * @module web/Problems
 *
 * Every diagnostic of the workspace under the editor, as `polis validate`
 * prints them: severity, file:line:col, message and hint; then the lint
 * findings apart (advice about a valid workspace, not errors in it), with
 * their rule id. A click (or Enter) opens the file at the place.
 */
import type { Reveal } from './App';
import type { Diag } from './types';

function Item({ d, reveal }: { d: Diag; reveal: Reveal }) {
  return (
    <li>
      <button type="button" className={`problem ${d.severity}${d.lint ? ' lint' : ''}`} onClick={() => d.location && reveal(d.location.file, d.location.offset, d.location.endOffset)}>
        <span className={`sev ${d.severity}`}>{d.severity}</span>
        <span className="where">{d.location ? `${d.location.file}:${d.location.line}:${d.location.col}` : ''}</span>
        <span className="msg">{d.message}{d.hint ? <span className="hint"> — {d.hint}</span> : null}{d.lint ? <span className="hint"> [{d.code}]</span> : null}</span>
      </button>
    </li>
  );
}

export function Problems({ diags, reveal }: { diags: Diag[]; reveal: Reveal }) {
  const shown = diags.filter((d) => d.severity !== 'info' && !d.lint);
  const lint = diags.filter((d) => d.severity !== 'info' && d.lint);
  return (
    <div className="problems" aria-label="Problems">
      <div className="problems-head">Problems <span className="muted">{shown.length === 0 ? 'none' : shown.length}</span></div>
      <ul>{shown.map((d, i) => <Item key={i} d={d} reveal={reveal} />)}</ul>
      {lint.length > 0 && <div className="lint-head">Lint <span className="muted">{lint.length}</span></div>}
      <ul>{lint.map((d, i) => <Item key={i} d={d} reveal={reveal} />)}</ul>
    </div>
  );
}
