/**
 * @module cli/files
 *
 * Reads the files named by `-f/--filename` as kubectl does: files, folders
 * (their .yaml/.yml/.json files; with `-R` also sub-folders), and `-` for
 * standard input. Unreadable paths become diagnostics, not exceptions.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceFile } from '../manifest/source.js';
import type { CliIO } from './io.js';

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

export interface ReadResult {
  readonly sources: SourceFile[];
  readonly diagnostics: Diagnostic[];
}

export async function readSources(paths: readonly string[], recursive: boolean, io: CliIO): Promise<ReadResult> {
  const sources: SourceFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const add = async (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    try {
      const buf = await readFile(path);
      sources.push({ path, text: buf.toString('utf8') });
    } catch (e) {
      diagnostics.push({ code: 'unreadable', severity: 'error', message: `cannot read ${path}: ${errText(e)}` });
    }
  };
  const walk = async (dir: string, depth: number) => {
    let entries: string[];
    try {
      entries = (await readdir(dir)).sort();
    } catch (e) {
      diagnostics.push({ code: 'unreadable', severity: 'error', message: `cannot read folder ${dir}: ${errText(e)}` });
      return;
    }
    for (const name of entries) {
      const p = join(dir, name);
      const st = await stat(p).catch(() => undefined);
      if (st?.isDirectory()) {
        if (recursive) await walk(p, depth + 1);
      } else if (MANIFEST_EXT.test(name)) await add(p);
    }
  };
  for (const p of paths) {
    if (p === '-') {
      sources.push({ path: '<stdin>', text: await io.readStdin() });
      continue;
    }
    const st = await stat(p).catch((e: unknown) => e);
    if (st instanceof Error || st === undefined) {
      diagnostics.push({ code: 'not-found', severity: 'error', message: `the path "${p}" does not exist`, hint: 'check the spelling, or pass - to read standard input' });
    } else if ((st as Awaited<ReturnType<typeof stat>>).isDirectory()) await walk(p, 0);
    else await add(p);
  }
  return { sources, diagnostics };
}

function errText(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder';
  return e instanceof Error ? e.message : String(e);
}
