/**
 * @module web/editor
 *
 * The CodeMirror 6 setup of one file: YAML highlighting, the server's
 * diagnostics through the lint extension (with quick fixes as lint
 * actions), field completion and hover docs, Mod-s to save. One
 * EditorState per open file keeps each tab's undo history.
 */
import { basicSetup } from 'codemirror';
import { EditorState, StateEffect, type Extension } from '@codemirror/state';
import { EditorView, hoverTooltip, keymap } from '@codemirror/view';
import { yaml } from '@codemirror/lang-yaml';
import { linter, lintGutter, type Diagnostic as CmDiagnostic } from '@codemirror/lint';
import { autocompletion, type CompletionContext } from '@codemirror/autocomplete';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags as t } from '@lezer/highlight';
import { FIELDS } from './fields';
import { keyPathAt, type FieldTree } from './yaml-path';

export type { FieldTree };
import type { Diag } from './types';

export interface EditorHooks {
  /** Diagnostics of the whole workspace for the current buffers; the editor keeps those of its file. */
  lint(): Promise<Diag[]>;
  save(): void;
  changed(path: string, state: EditorState, docChanged: boolean): void;
  /** The fields each policy kind allows (GET /polis/api/schema), once loaded. */
  fieldTrees(): Record<string, FieldTree> | undefined;
}

const highlight = HighlightStyle.define([
  { tag: [t.propertyName, t.definition(t.propertyName)], color: 'var(--tok-key)' },
  { tag: [t.string, t.special(t.string)], color: 'var(--tok-string)' },
  { tag: [t.number, t.bool, t.null], color: 'var(--tok-number)' },
  { tag: [t.comment, t.lineComment], color: 'var(--tok-comment)', fontStyle: 'italic' },
  { tag: [t.punctuation, t.separator, t.operator], color: 'var(--tok-punct)' },
  { tag: [t.meta, t.keyword], color: 'var(--tok-meta)' },
]);

const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '13px', backgroundColor: 'var(--bg-editor)', color: 'var(--fg)' },
  '.cm-content': { caretColor: 'var(--accent)', fontFamily: 'var(--mono)' },
  '.cm-gutters': { backgroundColor: 'var(--bg-editor)', color: 'var(--fg-muted)', borderRight: '1px solid var(--border)' },
  '.cm-activeLine': { backgroundColor: 'var(--bg-active-line)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--bg-active-line)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: 'var(--bg-selection) !important' },
  '.cm-tooltip': { backgroundColor: 'var(--bg-panel)', color: 'var(--fg)', border: '1px solid var(--border)' },
  '.cm-panels': { backgroundColor: 'var(--bg-panel)', color: 'var(--fg)' },
  '.cm-diagnostic': { fontFamily: 'var(--sans)' },
});

function toCm(d: Diag, len: number): CmDiagnostic {
  const from = Math.min(d.location!.offset, len);
  const to = Math.max(from, Math.min(d.location!.endOffset, len));
  return {
    from, to, severity: d.severity === 'info' ? 'info' : d.severity, source: d.code,
    message: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message,
    actions: d.fixes.map((f) => ({
      name: f.title,
      apply: (view: EditorView) => view.dispatch({ changes: { from: f.from, to: f.to, insert: f.insert }, userEvent: 'input.quickfix' }),
    })),
  };
}

const relint = StateEffect.define<null>();

/**
 * Asks the lint extension to run again without an edit (lint findings came after validate's). Through the
 * extension rather than setting diagnostics directly, so a run already under way cannot overwrite them.
 */
export function relintView(view: EditorView): void {
  view.dispatch({ effects: relint.of(null) });
}

function completeFrom(trees: () => Record<string, FieldTree> | undefined) {
  return (ctx: CompletionContext) => {
    const line = ctx.state.doc.lineAt(ctx.pos);
    const before = line.text.slice(0, ctx.pos - line.from);
    const lines = ctx.state.doc.toString().split('\n');
    const row = line.number - 1;
    const key = /^(\s*)(- +)?([A-Za-z]*)$/.exec(before);
    const value = /^(\s*)(- +)?([A-Za-z_][\w.-]*):\s*["']?([\w-]*)$/.exec(before);
    const m = key ?? value;
    if (!m) return null;
    const indent = m[1]!.length + (m[2]?.length ?? 0);
    const { path, kind } = keyPathAt(lines, row, indent);
    let node = trees()?.[kind ?? 'CiliumNetworkPolicy'];
    for (const k of path) node = node?.fields?.[k];
    if (value) {
      const values = node?.fields?.[value[3]!]?.values;
      if (!values) return null;
      return { from: ctx.pos - value[4]!.length, options: values.map((v) => ({ label: v, type: 'enum' })), validFor: /^[\w-]*$/ };
    }
    const word = key![3]!;
    if (word.length === 0 && !ctx.explicit) return null;
    const fields = node?.fields ? Object.keys(node.fields) : Object.keys(FIELDS);
    return {
      from: ctx.pos - word.length,
      options: fields.map((label) => ({ label, type: 'property', ...(FIELDS[label] ? { info: FIELDS[label] } : {}), apply: `${label}: ` })),
      validFor: /^[A-Za-z]*$/,
    };
  };
}

const fieldHover = hoverTooltip((view, pos) => {
  const line = view.state.doc.lineAt(pos);
  const m = /^(\s*(?:- )?)([A-Za-z]+):/.exec(line.text);
  if (!m) return null;
  const start = line.from + m[1]!.length;
  const end = start + m[2]!.length;
  const doc = FIELDS[m[2]!];
  if (pos < start || pos > end || !doc) return null;
  return {
    pos: start, end, above: true,
    create: () => {
      const dom = document.createElement('div');
      dom.className = 'field-doc';
      const b = document.createElement('strong');
      b.textContent = m[2]!;
      dom.append(b, document.createTextNode(` — ${doc}`));
      return { dom };
    },
  };
});

export function editorState(path: string, text: string, hooks: EditorHooks): EditorState {
  const extensions: Extension[] = [
    basicSetup,
    yaml(),
    syntaxHighlighting(highlight),
    theme,
    lintGutter(),
    linter(async (view) => {
      const diags = await hooks.lint();
      const len = view.state.doc.length;
      return diags.filter((d) => d.location?.file === path).map((d) => toCm(d, len));
    }, { delay: 25, needsRefresh: (u) => u.transactions.some((tr) => tr.effects.some((e) => e.is(relint))) }),
    autocompletion({ override: [completeFrom(hooks.fieldTrees)] }),
    fieldHover,
    keymap.of([{ key: 'Mod-s', preventDefault: true, run: () => (hooks.save(), true) }]),
    EditorView.updateListener.of((u) => {
      if (u.docChanged || u.selectionSet) hooks.changed(path, u.state, u.docChanged);
    }),
    EditorView.contentAttributes.of({ 'aria-label': `YAML editor: ${path}` }),
  ];
  return EditorState.create({ doc: text, extensions });
}
