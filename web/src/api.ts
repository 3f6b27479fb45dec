/**
 * @module web/api
 *
 * The browser's side of the JSON API: one function per endpoint, each
 * sending the unsaved buffers so every answer is about what is on screen.
 * A non-2xx answer becomes an {@link ApiError} carrying the server's message.
 */
import type { ClusterEdge, ClusterNode, CaseResult, Diag, DiffJson, Endpoints, ExplainPair, FileSnap, FlowRow, GenerateJson, MatrixJson, PolicyView } from './types';

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly body: Record<string, unknown>) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`/polis/api/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await r.json().catch(() => ({ error: `${r.status} ${r.statusText}` }))) as Record<string, unknown>;
  if (!r.ok) throw new ApiError(r.status, String(json.error ?? r.statusText), json);
  return json as T;
}

export type Buffers = Record<string, string>;

export const api = {
  schema: () => call<Record<string, import('./editor').FieldTree>>('GET', 'schema'),
  files: () => call<{ files: FileSnap[] }>('GET', 'files'),
  save: (path: string, text: string, base: string) => call<{ path: string; version: string }>('PUT', 'files', { path, text, base }),
  validate: (buffers: Buffers) => call<{ diagnostics: Diag[]; errors: boolean; ms: number }>('POST', 'validate', { buffers }),
  policies: (buffers: Buffers, file: string, offset: number) => call<{ policies: PolicyView[] }>('POST', 'policies', { buffers, file, offset }),
  cluster: (buffers: Buffers) => call<{ nodes: ClusterNode[]; edges: ClusterEdge[]; truncated: boolean }>('POST', 'cluster', { buffers }),
  endpoints: (buffers: Buffers) => call<Endpoints>('POST', 'endpoints', { buffers }),
  explain: (q: Record<string, unknown>) => call<{ pairs: ExplainPair[] }>('POST', 'explain', q),
  test: (buffers: Buffers) => call<{ results: CaseResult[]; diagnostics: Diag[]; passed: number; failed: number }>('POST', 'test', { buffers }),
  lint: (buffers: Buffers) => call<{ findings: Diag[]; ms: number }>('POST', 'lint', { buffers }),
  matrix: (buffers: Buffers, by: string) => call<MatrixJson>('POST', 'matrix', { buffers, by }),
  diff: (buffers: Buffers) => call<DiffJson>('POST', 'diff', { buffers }),
  generate: (text: string, name: string, kind: string) => call<GenerateJson>('POST', 'generate', { text, name, kind }),
  run: (buffers: Buffers, argv: string[], from?: string) => call<{ pod: string; exitCode: number; stdout: string; stderr: string; flows: string[]; warning?: string }>('POST', 'run', { buffers, argv, ...(from ? { from } : {}) }),
  flows: (text: string) => call<{ flows: FlowRow[]; total: number; skipped: number; problems: string[] }>('POST', 'flows', { text }),
};
