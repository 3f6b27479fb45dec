/**
 * @module web/App
 *
 * The editor's shell: file tabs over one CodeMirror view (one state per
 * file), the problems list under it, and the side panels (policy diagram,
 * cluster map, try it, tests, flows, terminal). Every change to a buffer
 * asks the server for diagnostics and the diagram over the unsaved buffers;
 * every link in a panel opens its file at the place it names.
 */
import React, { Component, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { EditorSelection, type EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { api, ApiError, type Buffers } from './api';
import { editorState, relintView, type FieldTree } from './editor';
import type { Diag, FileSnap, PolicyView } from './types';
import { PolicyPanel } from './PolicyPanel';
import { ClusterPanel } from './ClusterPanel';
import { TryItPanel } from './TryItPanel';
import { TestsPanel } from './TestsPanel';
import { FlowsPanel } from './FlowsPanel';
import { TerminalPanel } from './TerminalPanel';
import { Problems } from './Problems';
import { DiffPanel, GeneratePanel, MatrixPanel } from './AnalysisPanels';
import type { GeneratedFile } from './types';

export type Reveal = (file: string, from: number, to?: number) => void;

interface Conflict { path: string; mine: string; disk: FileSnap }

const PANELS = ['Policy', 'Cluster', 'Try it', 'Tests', 'Flows', 'Terminal', 'Matrix', 'Diff', 'Generate'] as const;
/** Generated policies open as tabs under this prefix: unsaved, and never sent as workspace buffers. */
const GENERATED = 'generated/';
type Panel = (typeof PANELS)[number];

/** Timings of the last analysis, read by the browser benchmark. */
declare global {
  interface Window { __polis?: { keystrokes: { diagnosticsMs: number; diagramMs: number; serverMs: number }[] } }
}

export function App() {
  const [files, setFiles] = useState<FileSnap[]>([]);
  const [active, setActive] = useState<string>('');
  const [dirty, setDirty] = useState<Record<string, boolean>>({});
  const [diags, setDiags] = useState<Diag[]>([]);
  const [policies, setPolicies] = useState<PolicyView[]>([]);
  const [cursor, setCursor] = useState(0);
  const [panel, setPanel] = useState<Panel>('Policy');
  const [theme, setTheme] = useState<'light' | 'dark'>(() => (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
  const [status, setStatus] = useState('loading…');
  const [conflict, setConflict] = useState<Conflict | undefined>();
  const [revision, setRevision] = useState(0);
  const [loadError, setLoadError] = useState<string | undefined>();

  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const states = useRef(new Map<string, EditorState>());
  const saved = useRef(new Map<string, FileSnap>());
  const activeRef = useRef('');
  const lastEdit = useRef(0);
  /** The validation diagnostics of the last buffers asked about. */
  const inflight = useRef<{ key: string; p: Promise<Diag[]> } | undefined>(undefined);
  /** The last lint findings and the buffers they are of. */
  const lintFindings = useRef<{ key: string; buffers: Buffers; findings: Diag[] }>({ key: '', buffers: {}, findings: [] });
  const cursorRef = useRef(0);
  const shown = useRef<PolicyView[]>([]);
  const trees = useRef<Record<string, FieldTree> | undefined>(undefined);
  const moveTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  /** The unsaved buffers: every file whose editor text differs from the disk text it was loaded from. */
  const buffers = useCallback((): Buffers => {
    const out: Buffers = {};
    for (const [path, st] of states.current) {
      if (path.startsWith(GENERATED)) continue;
      const text = st.doc.toString();
      if (text !== saved.current.get(path)?.text) out[path] = text;
    }
    return out;
  }, []);

  /** The diagram of the policy under the cursor (the server normalises only that one). */
  const refreshDiagram = useCallback(async (b?: Buffers) => {
    const r = await api.policies(b ?? buffers(), activeRef.current, cursorRef.current);
    shown.current = r.policies;
    setPolicies(r.policies);
  }, [buffers]);

  /**
   * Lint findings for the buffers of `key`, fetched beside validate but never holding it up: until they
   * come, the last findings stand for the files whose text has not changed since. A lint failure leaves
   * validation shown.
   */
  const withLint = useCallback((b: Buffers, v: Diag[]): Diag[] => {
    const last = lintFindings.current;
    const same = (file: string | undefined) => file !== undefined && last.buffers[file] === b[file];
    return [...v, ...(last.key === JSON.stringify(b) ? last.findings : last.findings.filter((d) => same(d.location?.file)))];
  }, []);
  const refreshLint = useCallback((b: Buffers, key: string, validated: Promise<Diag[]>) => {
    const lint = api.lint(b).then((l) => l.findings.map((d) => ({ ...d, lint: true })), () => [] as Diag[]);
    void Promise.all([validated, lint]).then(([v, findings]) => {
      lintFindings.current = { key, buffers: b, findings };
      if (JSON.stringify(buffers()) !== key) return;
      const fresh = [...v, ...findings];
      setDiags(fresh);
      if (view.current) relintView(view.current);
    }, () => undefined);
  }, [buffers]);

  /** Diagnostics and diagram for the current buffers; one request pair per distinct set of buffers. */
  const analyze = useCallback((): Promise<Diag[]> => {
    const b = buffers();
    const key = JSON.stringify(b);
    if (inflight.current?.key === key) {
      if (lintFindings.current.key !== key) refreshLint(b, key, inflight.current.p);
      return inflight.current.p.then((v) => withLint(b, v));
    }
    const started = performance.now();
    const edit = lastEdit.current || started;
    const p = (async () => {
      const [v] = await Promise.all([api.validate(b), refreshDiagram(b)]);
      setDiags(withLint(b, v.diagnostics));
      setRevision((r) => r + 1);
      const done = performance.now();
      (window.__polis ??= { keystrokes: [] }).keystrokes.push({ diagnosticsMs: done - edit, diagramMs: done - edit, serverMs: v.ms });
      setStatus(v.errors ? `${v.diagnostics.filter((d) => d.severity === 'error').length} error(s)` : 'no errors');
      return v.diagnostics;
    })();
    p.catch((e: unknown) => setStatus(`analysis failed: ${e instanceof Error ? e.message : String(e)}`));
    inflight.current = { key, p };
    refreshLint(b, key, p);
    return p.then((v) => withLint(b, v));
  }, [buffers, refreshDiagram, refreshLint, withLint]);

  const save = useCallback(async (force?: FileSnap) => {
    const path = activeRef.current;
    const st = states.current.get(path);
    const base = force ?? saved.current.get(path);
    if (!st || !base) return;
    const text = st.doc.toString();
    try {
      const r = await api.save(path, text, base.version);
      saved.current.set(path, { path, text, version: r.version });
      setDirty((d) => ({ ...d, [path]: false }));
      setConflict(undefined);
      setStatus(`saved ${path}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) setConflict({ path, mine: text, disk: e.body.disk as FileSnap });
      else setStatus(`save failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }, []);

  const hooks = useMemo(() => ({
    lint: analyze,
    save: () => void save(),
    fieldTrees: () => trees.current,
    changed: (path: string, st: EditorState, docChanged: boolean) => {
      states.current.set(path, st);
      const head = st.selection.main.head;
      cursorRef.current = head;
      setCursor(head);
      // The cursor left the policy drawn: draw the one it is in now (edits redraw through analyze).
      if (!docChanged && !shown.current.some((p) => head >= p.at.from && head <= p.at.to)) {
        clearTimeout(moveTimer.current);
        moveTimer.current = setTimeout(() => void refreshDiagram().catch(() => undefined), 80);
      }
      if (docChanged) {
        lastEdit.current = performance.now();
        const isDirty = !path.startsWith(GENERATED) && st.doc.toString() !== saved.current.get(path)?.text;
        setDirty((d) => (d[path] === isDirty ? d : { ...d, [path]: isDirty }));
      }
    },
  }), [analyze, save, refreshDiagram]);

  const open = useCallback((path: string) => {
    const v = view.current;
    const st = states.current.get(path);
    if (!v || !st) return;
    if (activeRef.current !== path) {
      v.setState(st);
      activeRef.current = path;
      cursorRef.current = st.selection.main.head;
      setActive(path);
      setCursor(st.selection.main.head);
      void refreshDiagram().catch(() => undefined);
    }
  }, [refreshDiagram]);

  const reveal: Reveal = useCallback((file, from, to = from) => {
    open(file);
    const v = view.current;
    if (!v) return;
    const len = v.state.doc.length;
    // The head at the start: the active line is the one the link names, even when the range runs on.
    v.dispatch({ selection: EditorSelection.single(Math.min(to, len), Math.min(from, len)), effects: EditorView.scrollIntoView(Math.min(from, len), { y: 'center' }) });
    v.focus();
  }, [open]);

  useEffect(() => {
    let cancelled = false;
    api.schema().then((t) => { trees.current = t; }, () => undefined);
    api.files().then((r) => {
      if (cancelled) return;
      const v = new EditorView({ parent: host.current! });
      view.current = v;
      for (const f of r.files) {
        saved.current.set(f.path, f);
        states.current.set(f.path, editorState(f.path, f.text, hooks));
      }
      setFiles(r.files);
      const first = r.files.find((f) => /polic/i.test(f.path)) ?? r.files[0];
      if (first) open(first.path);
      setStatus('ready');
    }, (e: unknown) => setLoadError(e instanceof Error ? e.message : String(e)));
    return () => {
      cancelled = true;
      view.current?.destroy();
    };
  }, [hooks, open]);

  /** Replaces the active buffer's text with one change: an undoable transaction, as a keystroke is. */
  const applyChange = useCallback((change: { from: number; to: number; insert: string }, label: string) => {
    const v = view.current;
    if (!v) return;
    v.dispatch({ changes: change, selection: EditorSelection.cursor(change.from), scrollIntoView: true, userEvent: 'input.builder' });
    setStatus(label);
    v.focus();
  }, []);

  /** Generated policies in new tabs (replacing earlier ones of the same name); the first one is shown. */
  const openGenerated = useCallback((generated: GeneratedFile[]) => {
    const snaps = generated.map((g) => ({ path: `${GENERATED}${g.path}`, text: g.text, version: '' }));
    for (const f of snaps) states.current.set(f.path, editorState(f.path, f.text, hooks));
    setFiles((fs) => [...fs.filter((f) => !snaps.some((n) => n.path === f.path)), ...snaps]);
    if (snaps[0]) {
      activeRef.current = '';
      open(snaps[0].path);
    }
  }, [hooks, open]);

  const docText = useCallback(() => view.current?.state.doc.toString() ?? '', []);

  const resolveConflict = (take: 'mine' | 'disk') => {
    if (!conflict) return;
    if (take === 'mine') void save(conflict.disk);
    else {
      const v = view.current!;
      saved.current.set(conflict.path, conflict.disk);
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: conflict.disk.text } });
      setDirty((d) => ({ ...d, [conflict.path]: false }));
      setConflict(undefined);
    }
  };

  const errorsIn = (path: string) => diags.filter((d) => d.location?.file === path && d.severity === 'error').length;

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand"><span className="logo" aria-hidden="true">◆</span> polis <span className="sub">policy editor</span></div>
        <div className="status" role="status" aria-live="polite">{status}</div>
        <button type="button" className="btn" onClick={() => void save()} disabled={!dirty[active]} aria-label="Save the current file (Ctrl+S)">Save</button>
        <button type="button" className="btn ghost" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')} aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}>
          {theme === 'dark' ? '☀ Light' : '☾ Dark'}
        </button>
      </header>
      {loadError && <div className="banner error" role="alert">Could not load the workspace: {loadError}</div>}
      {conflict && (
        <div className="conflict" role="alertdialog" aria-label="The file changed on disk">
          <h3>{conflict.path} changed on disk since you opened it</h3>
          <p>Nothing was written. Keep one of the two versions:</p>
          <div className="two">
            <div><h4>Yours (editor)</h4><pre>{conflict.mine}</pre></div>
            <div><h4>On disk now</h4><pre>{conflict.disk.text}</pre></div>
          </div>
          <div className="row">
            <button type="button" className="btn" onClick={() => resolveConflict('mine')}>Overwrite with mine</button>
            <button type="button" className="btn ghost" onClick={() => resolveConflict('disk')}>Load the disk version</button>
          </div>
        </div>
      )}
      <main className="workbench">
        <section className="editor-pane" aria-label="Editor">
          <div className="tabs" role="tablist" aria-label="Open files" onKeyDown={arrowKeys}>
            {files.map((f) => (
              <button key={f.path} type="button" role="tab" aria-selected={f.path === active} className={`tab${f.path === active ? ' active' : ''}${f.path.startsWith(GENERATED) ? ' generated' : ''}`} onClick={() => open(f.path)}>
                {f.path}{dirty[f.path] ? ' •' : ''}
                {errorsIn(f.path) > 0 && <span className="badge err" aria-label={`${errorsIn(f.path)} errors`}>{errorsIn(f.path)}</span>}
              </button>
            ))}
          </div>
          <div className="editor-host" ref={host} />
          <Problems diags={diags} reveal={reveal} />
        </section>
        <section className="side-pane" aria-label="Views">
          <div className="tabs" role="tablist" aria-label="Views" onKeyDown={arrowKeys}>
            {PANELS.map((p) => (
              <button key={p} type="button" role="tab" aria-selected={p === panel} className={`tab${p === panel ? ' active' : ''}`} onClick={() => setPanel(p)}>{p}</button>
            ))}
          </div>
          <div className="panel-body"><PanelBoundary key={panel}>
            {panel === 'Policy' && <PolicyPanel policies={policies} file={active} cursor={cursor} reveal={reveal} docText={docText} apply={applyChange} />}
            {panel === 'Cluster' && <ClusterPanel buffers={buffers} revision={revision} />}
            {panel === 'Try it' && <TryItPanel buffers={buffers} reveal={reveal} />}
            {panel === 'Tests' && <TestsPanel buffers={buffers} reveal={reveal} />}
            {panel === 'Flows' && <FlowsPanel />}
            {panel === 'Terminal' && <TerminalPanel buffers={buffers} />}
            {panel === 'Matrix' && <MatrixPanel buffers={buffers} revision={revision} />}
            {panel === 'Diff' && <DiffPanel buffers={buffers} revision={revision} reveal={reveal} />}
            {panel === 'Generate' && <GeneratePanel openGenerated={openGenerated} />}
          </PanelBoundary></div>
        </section>
      </main>
    </div>
  );
}

/** A bug in one view shows its message there and leaves the editor (and unsaved work) alone. */
class PanelBoundary extends Component<{ children: ReactNode }, { error?: Error }> {
  override state: { error?: Error } = {};
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    return this.state.error ? <div className="form-error" role="alert">This view failed: {this.state.error.message}. Please report it; your buffers are safe.</div> : this.props.children;
  }
}

/** Left and right arrows move between the tabs of a tab list and open the one reached (WAI-ARIA tabs pattern). */
function arrowKeys(e: React.KeyboardEvent<HTMLDivElement>) {
  if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
  const tabs = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('[role=tab]')];
  const i = tabs.indexOf(document.activeElement as HTMLButtonElement);
  if (i < 0) return;
  const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length]!;
  next.focus();
  next.click();
  e.preventDefault();
}
