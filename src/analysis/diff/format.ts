/**
 * @module analysis/diff/format
 *
 * The semantic diff for people and CI: text (one line per change, the
 * rules of both versions under it), JSON, and Markdown that fits a
 * pull-request comment (a summary line, a table, the rules folded away).
 */
import type { Change, DiffResult } from './diff.js';

const SIGN: Readonly<Record<Change['kind'], string>> = { allowed: '+', denied: '-', l7: '~' };
const WORD: Readonly<Record<Change['kind'], string>> = { allowed: 'newly allowed', denied: 'newly denied', l7: 'L7 filtering changed' };

export function diffSummary(d: DiffResult): string {
  if (d.changes.length === 0 && d.added.length === 0 && d.removed.length === 0) return 'no change: every connection is allowed or denied as before';
  const n = (k: Change['kind']) => d.changes.filter((c) => c.kind === k).length;
  const pairs = new Set(d.changes.map((c) => `${c.from}\u0000${c.to}`)).size;
  const parts = [`${n('allowed')} newly allowed`, `${n('denied')} newly denied`, ...(n('l7') ? [`${n('l7')} with L7 filtering changed`] : [])];
  const ends = [...(d.added.length ? [`${d.added.length} workload${d.added.length === 1 ? '' : 's'} added (${d.added.join(', ')})`] : []), ...(d.removed.length ? [`${d.removed.length} removed (${d.removed.join(', ')})`] : [])];
  return `${parts.join(', ')} (port ranges, between ${pairs} endpoint pair${pairs === 1 ? '' : 's'})${ends.length ? `; ${ends.join('; ')}` : ''}`;
}

export function formatDiffText(d: DiffResult): string {
  const out = [`polis diff: ${diffSummary(d)}`];
  for (const c of d.changes) {
    const r = c.reasons();
    out.push('', `${SIGN[c.kind]} ${c.from} → ${c.to}  ${c.ports}  ${c.before} → ${c.after}`, `    before: ${r.before}`, `    after:  ${r.after}`);
  }
  return out.join('\n') + '\n';
}

export function diffToJson(d: DiffResult): object {
  return {
    summary: diffSummary(d),
    changed: d.changes.length > 0 || d.added.length > 0 || d.removed.length > 0,
    added: d.added, removed: d.removed,
    changes: d.changes.map((c) => ({ kind: c.kind, from: c.from, to: c.to, ports: c.ports, before: c.before, after: c.after, rules: c.reasons() })),
  };
}

const md = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function formatDiffMarkdown(d: DiffResult): string {
  const out = [`**polis diff**: ${md(diffSummary(d))}`];
  if (d.changes.length) {
    out.push('', '| | from | to | ports | now | rule (after) |', '|---|---|---|---|---|---|');
    for (const c of d.changes) out.push(`| ${c.kind === 'allowed' ? '🟢 allowed' : c.kind === 'denied' ? '🔴 denied' : '🟡 L7'} | \`${md(c.from)}\` | \`${md(c.to)}\` | ${c.ports} | ${md(c.after)} | ${md(c.reasons().after)} |`);
    out.push('', '<details><summary>The rules before and after</summary>', '');
    for (const c of d.changes) {
      const r = c.reasons();
      out.push(`- \`${md(c.from)}\` → \`${md(c.to)}\` ${c.ports}: ${WORD[c.kind]}`, `  - before (${c.before}): ${md(r.before)}`, `  - after (${c.after}): ${md(r.after)}`);
    }
    out.push('', '</details>');
  }
  return out.join('\n') + '\n';
}
