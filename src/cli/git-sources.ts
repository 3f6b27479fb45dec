/**
 * @module cli/git-sources
 *
 * Reads `git:REV:PATH` (a file or a folder at a revision) through git, so
 * `polis diff --old git:main:deploy/ --new deploy/` compares a branch with
 * the work tree without checking anything out. Problems (not a repository,
 * an unknown revision or path) are diagnostics, never throws.
 */
import { execFile } from 'node:child_process';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../manifest/source.js';

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

export function isGitSpec(path: string): boolean {
  return path.startsWith('git:');
}

function git(args: readonly string[]): Promise<{ ok: true; out: string } | { ok: false; message: string }> {
  return new Promise((resolve) => {
    execFile('git', [...args], { maxBuffer: 512 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) resolve({ ok: false, message: (stderr || err.message).trim().split('\n')[0]! });
      else resolve({ ok: true, out: stdout });
    });
  });
}

/** The manifests at `git:REV:PATH` (PATH empty or `.` for the whole tree; `-R` is implied for folders). */
export async function readGitSources(spec: string): Promise<{ sources: SourceFile[]; diagnostics: Diagnostic[] }> {
  const rest = spec.slice('git:'.length);
  const colon = rest.indexOf(':');
  if (colon <= 0) return { sources: [], diagnostics: [{ code: 'bad-git-path', severity: 'error', message: `${JSON.stringify(spec)} is not git:REVISION:PATH`, hint: 'e.g. git:main:deploy/ or git:HEAD~1:policy.yaml' }] };
  const rev = rest.slice(0, colon);
  const path = rest.slice(colon + 1).replace(/^\.\/?/, '').replace(/\/$/, '');
  const problem = (message: string): { sources: SourceFile[]; diagnostics: Diagnostic[] } => ({ sources: [], diagnostics: [{ code: 'unreadable', severity: 'error', message: `cannot read ${spec}: ${message}` }] });
  const type = await git(['cat-file', '-t', `${rev}:${path}`]);
  if (!type.ok) return problem(type.message);
  if (type.out.trim() === 'blob') {
    const show = await git(['show', `${rev}:${path}`]);
    return show.ok ? { sources: [{ path: `git:${rev}:${path}`, text: show.out }], diagnostics: [] } : problem(show.message);
  }
  const list = await git(['ls-tree', '-r', '--name-only', rev, '--', ...(path ? [path] : [])]);
  if (!list.ok) return problem(list.message);
  const sources: SourceFile[] = [];
  for (const f of list.out.split('\n').filter((l) => MANIFEST_EXT.test(l)).sort()) {
    const show = await git(['show', `${rev}:${f}`]);
    if (!show.ok) return problem(show.message);
    sources.push({ path: `git:${rev}:${f}`, text: show.out });
  }
  return { sources, diagnostics: [] };
}
