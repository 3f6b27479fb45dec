/**
 * @module web/handler
 *
 * The editor's backend as one request handler that `polis serve` mounts
 * (and a test, or `npm start` until serve lands, wraps in a bare
 * `http.createServer`): the built app at `/` and a JSON API under
 * `/polis/api/`. The API is a thin layer over the use cases the CLI calls:
 * parse the request, load a session over the workspace files with the
 * editor's unsaved buffers laid over them, call the use case, send its
 * answer. Input problems are 4xx answers with a message, never a crash.
 *
 * Safety: only the workspace files are read or written (names are looked up
 * in a fixed list, never joined onto a path); bodies have a size limit;
 * writes need `Content-Type: application/json` and a same-origin `Origin`,
 * so a page on another site cannot post to a server on loopback.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { z } from 'zod';
import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import { formatExplanation } from '../analysis/explain/format.js';
import { parseConnectivityTests } from '../analysis/connectivity/index.js';
import type { SourceFile } from '../manifest/source.js';
import { checkLintConfig } from '../analysis/lint/lint.js';
import { matrixToJson } from '../analysis/matrix/format.js';
import { diffToJson } from '../analysis/diff/format.js';
import { describeConnection } from '../generate/replay.js';
import { createPrinter } from '../hubble/printer.js';
import {
  Session, checkConnection, connectivityMatrix, diffSessions, explainConnection, generateFromReduction, lintSession, reduceFlowChunks, runCommandIn, runTests,
  VirtualCluster, type ConnectionRequest,
} from '../usecases/index.js';
import { WorkspaceFiles } from './files.js';
import { quickFixes } from './fixes.js';
import { clusterView, policyViews } from './views.js';
import { readFlows } from './flows.js';
import { policyFieldTrees } from './schema-keys.js';

export interface WebContext {
  /** The files the app may read and write (`-f` files, or every file of `--workspace DIR`). */
  readonly files: readonly string[];
  /** Files are named relative to this folder in the app (default: the current directory). */
  readonly root?: string;
  /** The built app (default: `dist/web/app` of this package). */
  readonly staticDir?: string;
  /** Largest request body accepted, in bytes (default 4 MiB). */
  readonly maxBodyBytes?: number;
  /** Largest Hubble export `generate` accepts, in bytes of request body (default 32 MiB): exports are bigger than policies. */
  readonly maxUploadBytes?: number;
}

export type WebHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const API = '/polis/api/';
const DEFAULT_MAX_BODY = 4 * 1024 * 1024;
const DEFAULT_MAX_UPLOAD = 32 * 1024 * 1024;
/** Routes whose body is an upload (a flow export), with the larger limit. */
const UPLOADS = new Set(['POST generate']);
/** The denied connections a proof report lists (the counts cover all). */
const PROOF_LIST = 50;
const STATIC: Readonly<Record<string, string>> = {
  '/': 'index.html', '/index.html': 'index.html', '/app.js': 'app.js', '/app.css': 'app.css', '/app.js.map': 'app.js.map',
};
const TYPES: Readonly<Record<string, string>> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', map: 'application/json' };

/** An answer with a status other than 200, thrown inside a route and sent by the router. */
class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly extra: Record<string, unknown> = {}) {
    super(message);
  }
}

const buffersSchema = z.record(z.string(), z.string()).optional();
const connectionSchema = z.object({
  buffers: buffersSchema,
  from: z.string().min(1),
  to: z.string().min(1),
  port: z.number().int().min(1).max(65535).optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6']).optional(),
  http: z.object({ method: z.string().default('GET'), path: z.string().default('/'), host: z.string().optional(), headers: z.record(z.string(), z.string()).optional() }).optional(),
  dns: z.string().min(1).optional(),
  dnsAnswers: z.record(z.string(), z.array(z.string())).optional(),
}).strict();
const buffersOnly = z.object({ buffers: buffersSchema }).strict();
const policiesSchema = z.object({ buffers: buffersSchema, file: z.string().optional(), offset: z.number().int().min(0).optional() }).strict();
const saveSchema = z.object({ path: z.string(), text: z.string(), base: z.string() }).strict();
const testSchema = z.object({ buffers: buffersSchema, path: z.string().optional() }).strict();
const flowsSchema = z.object({ text: z.string() }).strict();
const lintSchema = z.object({ buffers: buffersSchema, enable: z.array(z.string()).optional(), disable: z.array(z.string()).optional() }).strict();
const matrixSchema = z.object({
  buffers: buffersSchema,
  by: z.enum(['workload', 'identity', 'pod', 'namespace']).optional(),
  namespaces: z.array(z.string().min(1)).optional(),
  allNamespaces: z.boolean().optional(),
}).strict();
const runSchema = z.object({
  buffers: buffersSchema,
  /** `kubectl exec POD -- CMD…`, `POD CMD…`, or `CMD…` with `from`. */
  argv: z.array(z.string().max(4096)).min(1).max(64),
  from: z.string().min(1).max(300).optional(),
}).strict();
const generateSchema = z.object({
  text: z.string(),
  name: z.string().max(200).optional(),
  kind: z.enum(['CiliumNetworkPolicy', 'NetworkPolicy']).optional(),
  l7: z.boolean().optional(),
}).strict();

const TEST_KIND = /^kind:\s*["']?ConnectivityTest["']?\s*$/m;

export function createWebHandler(ctx: WebContext): WebHandler {
  const files = new WorkspaceFiles(ctx.files, ctx.root ?? process.cwd());
  const staticDir = ctx.staticDir ?? fileURLToPath(new URL('../../dist/web/app/', import.meta.url));
  const maxBody = ctx.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const maxUpload = ctx.maxUploadBytes ?? DEFAULT_MAX_UPLOAD;
  const sessions = new SessionCache();

  /** The workspace as the editor sees it: disk texts, each replaced by its unsaved buffer when there is one. */
  async function sources(buffers: Readonly<Record<string, string>> | undefined): Promise<SourceFile[]> {
    for (const name of Object.keys(buffers ?? {})) if (!files.has(name)) throw outside(name);
    const disk = await files.readAll();
    return disk.map((f) => ({ path: f.path, text: buffers?.[f.path] ?? f.text }));
  }
  /** Manifests and tests are loaded apart: a ConnectivityTest is no manifest, and a manifest in a tests file is an error. */
  async function session(buffers: Readonly<Record<string, string>> | undefined): Promise<{ session: Session; tests: SourceFile[]; all: SourceFile[] }> {
    const all = await sources(buffers);
    const tests = all.filter((s) => TEST_KIND.test(s.text));
    return { session: sessions.get(all.filter((s) => !tests.includes(s))), tests, all };
  }

  const routes: Record<string, (body: unknown, req: IncomingMessage) => Promise<unknown>> = {
    'GET files': async () => ({ files: await files.readAll() }),
    'GET schema': async () => policyFieldTrees(),
    'PUT files': async (body) => {
      const b = parse(saveSchema, body);
      const r = await files.save(b.path, b.text, b.base);
      if (r.kind === 'unknown-path') throw outside(b.path);
      if (r.kind === 'conflict') {
        throw new HttpError(409, `${b.path} changed on disk since it was opened; nothing was written`, { disk: r.disk, hint: 'compare the two versions, then save again over the new one or reload it' });
      }
      return { path: b.path, version: r.version };
    },
    'POST validate': async (body) => {
      const started = performance.now();
      const { session: s, tests, all } = await session(parse(buffersOnly, body).buffers);
      const diags: Diagnostic[] = [...s.workspace.diagnostics, ...(tests.length ? parseConnectivityTests(tests).diagnostics : [])];
      const text = new Map(all.map((f) => [f.path, f.text]));
      return {
        diagnostics: diags.map((d) => ({ ...d, fixes: d.location ? quickFixes(d, text.get(d.location.file) ?? '') : [] })),
        errors: hasErrors(diags),
        ms: Math.round((performance.now() - started) * 10) / 10,
      };
    },
    'POST policies': async (body) => {
      const b = parse(policiesSchema, body);
      if (b.file !== undefined && !files.has(b.file)) throw outside(b.file);
      return { policies: policyViews((await session(b.buffers)).session, { ...(b.file !== undefined ? { file: b.file } : {}), ...(b.offset !== undefined ? { offset: b.offset } : {}) }) };
    },
    'POST cluster': async (body) => clusterView((await session(parse(buffersOnly, body).buffers)).session),
    'POST endpoints': async (body) => {
      const { session: s, tests } = await session(parse(buffersOnly, body).buffers);
      const c = s.workspace.cluster;
      const dns = new Map<string, readonly string[]>();
      for (const t of parseConnectivityTests(tests).tests) for (const [k, v] of t.dns) dns.set(k, v);
      return {
        workloads: [...new Set(c.pods.map((p) => `${p.namespace}/${p.owner.name}`))].sort(),
        services: c.services.map((v) => ({ id: `svc:${v.namespace}/${v.name}`, ports: v.ports.map((p) => p.port) })),
        dns: Object.fromEntries(dns),
      };
    },
    'POST verdict': async (body) => {
      const { session: s, req } = await connection(body);
      const a = checkConnection(s, req);
      if (!a.ok) throw new HttpError(422, a.diagnostics[0]?.message ?? 'bad request', { diagnostics: a.diagnostics });
      return { pairs: a.pairs.map((p) => ({ from: p.from, to: p.to, ...p.answer })) };
    },
    'POST explain': async (body) => {
      const { session: s, req } = await connection(body);
      const a = explainConnection(s, req);
      if (!a.ok) throw new HttpError(422, a.diagnostics[0]?.message ?? 'bad request', { diagnostics: a.diagnostics });
      const engine = s.engine({ dns: req.dnsAnswers ?? new Map() });
      return { pairs: a.pairs.map((p) => ({ from: p.from, to: p.to, explanation: p.answer, text: formatExplanation(p.answer, (id) => engine.identityName(id)) })) };
    },
    'POST test': async (body) => {
      const b = parse(testSchema, body);
      if (b.path !== undefined && !files.has(b.path)) throw outside(b.path);
      const { session: s, tests } = await session(b.buffers);
      const chosen = b.path === undefined ? tests : tests.filter((t) => t.path === b.path);
      if (chosen.length === 0) throw new HttpError(422, b.path === undefined ? 'the workspace has no ConnectivityTest file' : `${b.path} holds no ConnectivityTest`);
      const run = runTests(s, chosen);
      return { results: run.results, diagnostics: run.diagnostics, empty: run.empty, passed: run.results.filter((r) => r.pass).length, failed: run.results.filter((r) => !r.pass).length };
    },
    'POST flows': async (body) => readFlows(parse(flowsSchema, body).text),
    'POST lint': async (body) => {
      const started = performance.now();
      const b = parse(lintSchema, body);
      const config = { ...(b.enable ? { enable: b.enable } : {}), ...(b.disable ? { disable: b.disable } : {}) };
      const problems = checkLintConfig(config);
      if (problems.length) throw new HttpError(400, problems[0]!, { problems });
      const { session: s, all } = await session(b.buffers);
      const r = lintSession(s, [config]);
      const text = new Map(all.map((f) => [f.path, f.text]));
      return {
        findings: r.findings.map((d) => ({ ...d, fixes: d.location ? quickFixes(d, text.get(d.location.file) ?? '') : [] })),
        rules: r.rules.map((x) => ({ id: x.id, severity: x.severity, title: x.title })),
        suppressed: r.suppressed,
        ms: Math.round((performance.now() - started) * 10) / 10,
      };
    },
    'POST matrix': async (body) => {
      const b = parse(matrixSchema, body);
      const { session: s } = await session(b.buffers);
      const m = connectivityMatrix(s, { ...(b.by ? { by: b.by } : {}), ...(b.namespaces ? { namespaces: b.namespaces } : {}), ...(b.allNamespaces ? { allNamespaces: true } : {}) });
      return matrixToJson(m);
    },
    // The saved files against the buffers: what the unsaved edits change, connection by connection.
    'POST diff': async (body) => {
      const b = parse(buffersOnly, body);
      const saved = (await session(undefined)).session;
      const edited = (await session(b.buffers)).session;
      const d = diffSessions(saved, edited);
      const json = diffToJson(d) as { changes: object[] };
      return { ...json, changes: json.changes.map((c, i) => ({ ...c, location: d.changes[i]!.location() })) };
    },
    // A command in a pod of a virtual cluster built from the files as the editor shows them (a new
    // cluster each time: what the buffers say now, with nothing left over from an earlier run).
    'POST run': async (body) => {
      const b = parse(runSchema, body);
      const { tests, all } = await session(b.buffers);
      const dns: Record<string, string[]> = {};
      for (const t of parseConnectivityTests(tests).tests) for (const [k, v] of t.dns) dns[k] = [...v];
      const vc = new VirtualCluster(all.filter((s) => !tests.includes(s)), { dns });
      const errors = vc.session.workspace.diagnostics.filter((d) => d.severity === 'error').length;
      const r = runCommandIn(vc, b.argv, b.from);
      if ('problem' in r) throw new HttpError(422, r.problem);
      const printer = createPrinter('compact');
      return {
        pod: r.origin, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, durationMs: r.durationMs,
        flows: r.flows.map((f) => printer.write({ flow: f }).replace(/\n$/, '')),
        ...(errors ? { warning: `the manifests have ${errors} error(s); policies Cilium would refuse enforce nothing (see Problems)` } : {}),
      };
    },
    // An uploaded Hubble export: the policies that allow what it saw, proven by replaying every connection.
    'POST generate': async (body) => {
      const started = performance.now();
      const b = parse(generateSchema, body);
      const read = reduceFlowChunks([b.text], { l7: b.l7 === true });
      const observed = read.reduction.observed().length;
      if (observed === 0) {
        throw new HttpError(422, `${b.name ?? 'the upload'} holds no connection polis can generate a policy for (${read.lines} lines read, ${read.skippedLines} skipped)`, {
          hint: 'upload a Hubble export: `hubble observe -o json` (or jsonpb), or the Hubble exporter\'s file', lines: read.lines, skippedLines: read.skippedLines,
        });
      }
      const g = generateFromReduction(read.reduction, { ...(b.kind ? { kind: b.kind } : {}) });
      const p = g.proof;
      const denied = p.connections.filter((c) => c.verdict === 'deny');
      return {
        files: g.files.map((f) => ({ path: f.fileName, workload: f.workload, text: f.text, notes: f.notes })),
        proof: {
          passed: p.denied === 0 && g.diagnostics.length === 0,
          observed: p.observed, allowed: p.allowed, denied: p.denied, notReplayed: p.notReplayed,
          deniedConnections: denied.slice(0, PROOF_LIST).map((c) => ({ connection: describeConnection(c.connection), reason: c.reason })),
          notReplayedReasons: [...new Set(p.connections.filter((c) => c.verdict === 'not-replayed').map((c) => c.reason))],
        },
        surface: g.surface,
        diagnostics: g.diagnostics,
        lines: read.lines, skippedLines: read.skippedLines,
        ms: Math.round(performance.now() - started),
      };
    },
  };

  async function connection(body: unknown): Promise<{ session: Session; req: ConnectionRequest & { dnsAnswers?: ReadonlyMap<string, readonly string[]> } }> {
    const b = parse(connectionSchema, body);
    const { session: s, tests } = await session(b.buffers);
    // Names outside the cluster resolve as the tests files say (spec.dns), unless the request says otherwise.
    const dns = new Map<string, readonly string[]>();
    for (const t of parseConnectivityTests(tests).tests) for (const [k, v] of t.dns) dns.set(k, v);
    for (const [k, v] of Object.entries(b.dnsAnswers ?? {})) dns.set(k.toLowerCase().replace(/\.$/, ''), v);
    const traffic = {
      ...(b.port !== undefined ? { port: b.port } : {}), ...(b.protocol ? { protocol: b.protocol } : {}),
      ...(b.http ? { http: b.http } : {}), ...(b.dns ? { dns: b.dns } : {}),
    };
    return { session: s, req: { from: b.from, to: b.to, traffic, dnsAnswers: dns } };
  }

  async function serveStatic(path: string, res: ServerResponse): Promise<void> {
    const name = STATIC[path]!;
    let data: Buffer;
    try {
      data = await readFile(join(staticDir, name));
    } catch {
      send(res, 503, 'text/plain; charset=utf-8', 'The editor is not built: run `npm run build` first.\n');
      return;
    }
    send(res, 200, TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream', data);
  }

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (STATIC[path] !== undefined) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: `${req.method} is not allowed here` }), true;
      await serveStatic(path, res);
      return true;
    }
    if (!path.startsWith(API)) return false;
    const route = routes[`${req.method} ${path.slice(API.length)}`];
    try {
      if (!route) {
        const known = Object.keys(routes).some((k) => k.endsWith(` ${path.slice(API.length)}`));
        throw new HttpError(known ? 405 : 404, known ? `${req.method} is not allowed on ${path}` : `no API endpoint ${path}`);
      }
      let body: unknown = undefined;
      if (req.method !== 'GET') {
        checkWriteRequest(req);
        body = await readJson(req, UPLOADS.has(`${req.method} ${path.slice(API.length)}`) ? maxUpload : maxBody);
      }
      sendJson(res, 200, await route(body, req));
    } catch (e) {
      if (e instanceof HttpError) {
        // Drain what the client is still sending, so it reads our answer rather than a reset.
        if (!req.complete) {
          req.resume();
          res.setHeader('Connection', 'close');
        }
        sendJson(res, e.status, { error: e.message, ...e.extra });
      } else sendJson(res, 500, { error: `internal error in polis (please report it with the request): ${e instanceof Error ? e.message : String(e)}` });
    }
    return true;
  };
}

/** Writes need JSON and, from a browser, our own origin: a form on another site can send neither. */
function checkWriteRequest(req: IncomingMessage): void {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, 'send the request body as JSON (Content-Type: application/json)');
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let host = '';
    try {
      host = new URL(origin).host;
    } catch { /* an unparsable origin is refused below */ }
    if (host !== req.headers.host) throw new HttpError(403, `requests from ${origin} are not allowed: the API answers only its own page`);
  }
}

function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) return Promise.reject(new HttpError(413, `the request body is ${declared} bytes; the limit is ${limit}`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (over) return;
      if (size > limit) {
        // Answer now; the rest of the body is read and dropped so the client sees the 413, not a reset.
        over = true;
        chunks.length = 0;
        reject(new HttpError(413, `the request body is over the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', (e) => reject(new HttpError(400, `the request body could not be read: ${e.message}`)));
    req.on('end', () => {
      if (over) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch (e) {
        reject(new HttpError(400, `the request body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`));
      }
    });
  });
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  throw new HttpError(400, `${where}${issue.message}`, { issues: r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
}

const outside = (name: string) => new HttpError(403, `${JSON.stringify(name)} is not one of the workspace files; only the files polis was started with can be read or written`);

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

/**
 * Sessions by the texts they were loaded from: the editor asks for
 * diagnostics, the diagram and a verdict over the same buffers, and each
 * keystroke changes one file, so a few recent sessions cover the traffic.
 */
class SessionCache {
  private readonly map = new Map<string, Session>();
  get(sources: readonly SourceFile[]): Session {
    const h = createHash('sha256');
    for (const s of sources) h.update(s.path).update('\0').update(s.text).update('\0');
    const key = h.digest('hex');
    let s = this.map.get(key);
    if (s) this.map.delete(key);
    else s = Session.load(sources);
    this.map.set(key, s);
    while (this.map.size > 8) this.map.delete(this.map.keys().next().value!);
    return s;
  }
}
