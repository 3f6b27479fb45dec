/**
 * @module web/files
 *
 * The files the editor may read and write: exactly those the server was
 * given (`-f` files or the files of `--workspace DIR`), named in the API by
 * their path relative to the workspace root. Nothing else on disk can be
 * reached: a name the list does not hold is refused before any file system
 * call. Saving is atomic (temp file + rename in the same folder) and refuses
 * to overwrite a file that changed on disk since the editor loaded it, so two
 * editors (or an editor and `vim`) never silently lose each other's work.
 */
import { createHash } from 'node:crypto';
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';

/** One workspace file as the app sees it. `version` is a hash of the text on disk. */
export interface FileSnapshot {
  readonly path: string;
  readonly text: string;
  readonly version: string;
}

export type SaveResult =
  | { readonly kind: 'saved'; readonly version: string }
  /** The file on disk is not the one the editor loaded: both texts go back to the user. */
  | { readonly kind: 'conflict'; readonly disk: FileSnapshot }
  | { readonly kind: 'unknown-path' };

export function versionOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export class WorkspaceFiles {
  /** Display name → absolute path. */
  private readonly byName = new Map<string, string>();
  /** Disk texts by absolute path, kept while mtime and size stay the same (each keystroke reads them). */
  private readonly cache = new Map<string, { mtimeMs: number; size: number; text: string }>();

  constructor(files: readonly string[], readonly root: string) {
    for (const f of files) {
      const abs = resolve(f);
      const rel = relative(resolve(root), abs);
      // A file outside the root is still the user's choice (-f ../x.yaml): named by its absolute path.
      const name = rel && !rel.startsWith('..') ? rel.split(sep).join('/') : abs;
      this.byName.set(name, abs);
    }
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  async read(name: string): Promise<FileSnapshot | undefined> {
    const abs = this.byName.get(name);
    if (abs === undefined) return undefined;
    const st = await stat(abs);
    const hit = this.cache.get(abs);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return { path: name, text: hit.text, version: versionOf(hit.text) };
    const text = await readFile(abs, 'utf8');
    this.cache.set(abs, { mtimeMs: st.mtimeMs, size: st.size, text });
    return { path: name, text, version: versionOf(text) };
  }

  async readAll(): Promise<FileSnapshot[]> {
    const out: FileSnapshot[] = [];
    for (const n of this.names()) {
      const s = await this.read(n);
      if (s) out.push(s);
    }
    return out;
  }

  /** Writes `text` if the disk still holds the version `base` (the one the editor loaded). */
  async save(name: string, text: string, base: string): Promise<SaveResult> {
    const abs = this.byName.get(name);
    if (abs === undefined) return { kind: 'unknown-path' };
    // Skip the stat cache: a save must compare with what is on disk this instant.
    const diskText = await readFile(abs, 'utf8');
    if (versionOf(diskText) !== base) return { kind: 'conflict', disk: { path: name, text: diskText, version: versionOf(diskText) } };
    const tmp = join(dirname(abs), `.${basename(abs)}.polis-${process.pid}-${Date.now()}.tmp`);
    try {
      await writeFile(tmp, text, 'utf8');
      await rename(tmp, abs);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    this.cache.delete(abs);
    return { kind: 'saved', version: versionOf(text) };
  }
}
