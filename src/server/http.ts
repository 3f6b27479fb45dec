/**
 * @module server/http
 *
 * The HTTP side of `polis serve`: routes `/version`, discovery, OpenAPI,
 * the resource paths (`/api/v1/...`, `/apis/GROUP/VERSION/...`) with
 * content negotiation (Table for `kubectl get`, JSON otherwise), watch
 * streams, and `/hubble/flows` (the flows as JSON lines). The request body
 * is bounded; every failure, including a body that is not JSON or YAML, is
 * a Kubernetes `Status`, and no request can take the process down.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { encodeFlowResponse } from '../hubble/encode.js';
import { findExcessiveNesting, MAX_NESTING } from '../manifest/depth-guard.js';
import type { Flow } from '../hubble/flow.js';
import { flowRecord } from './backend.js';
import { selector, type PatchType, type VirtualApi } from './cluster.js';
import { aggregatedDiscovery, apiGroupList, apiGroupOf, apiResourceList, apiVersions, OpenApi, versionInfo } from './discovery.js';
import { jsonPatch, mergePatch, type Json } from './patch.js';
import { decodeKubeProtobuf } from './protobuf.js';
import { resourceByPlural, type KubeObject, type ResourceType } from './resources.js';
import { ApiError, badRequest } from './status.js';
import { tableOf } from './table.js';

/** Kubernetes' own limit on a request body (apiserver `MaxRequestBodyBytes`, 3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface HttpContext {
  readonly api: VirtualApi;
  readonly openapi: OpenApi;
  /** The URL clients use, for `/api`'s serverAddressByClientCIDRs. */
  readonly address: () => string;
  /** Live streams (watch, follow) to end on shutdown. */
  readonly streams: Set<ServerResponse>;
}

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

export function sendError(res: ServerResponse, e: unknown): void {
  const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', `Internal error occurred: ${e instanceof Error ? e.message : String(e)}`);
  sendJson(res, err.code, err.toStatus());
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reject(new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${MAX_BODY_BYTES}`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${MAX_BODY_BYTES}`));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The body as JSON (or YAML, which kubectl's apply-patch+yaml and `application/yaml` bodies may be). */
function parseBody(body: Buffer, contentType: string): Json {
  if (/protobuf|cbor/.test(contentType)) {
    const decoded = /protobuf/.test(contentType) ? decodeKubeProtobuf(body) : undefined;
    if (decoded) return decoded as Json;
    throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
  }
  const text = body.toString('utf8');
  if (!text.trim()) throw badRequest('the request body is empty');
  // Patching and field ownership walk objects recursively: refuse absurd nesting as the manifest loader does.
  if (findExcessiveNesting(text) >= 0) throw badRequest(`the request body is nested deeper than ${MAX_NESTING} levels`);
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    if (!/yaml/.test(contentType)) throw badRequest(`the request body is not valid JSON: ${(e as Error).message}`);
  }
  try {
    return parseYaml(text, { maxAliasCount: 100 }) as Json;
  } catch (e) {
    throw badRequest(`the request body is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
}

const PATCH_TYPES: Record<string, PatchType> = {
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/json-patch+json': 'json',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

/** Which discovery form the client takes first (client-go offers v2, then v2beta1, then plain JSON). */
function discoveryVariant(accept: string): 'v2' | 'v2beta1' | undefined {
  for (const part of accept.split(',')) {
    if (!/as=APIGroupDiscoveryList/.test(part) || !/g=apidiscovery\.k8s\.io/.test(part)) continue;
    if (/v=v2beta1/.test(part)) return 'v2beta1';
    if (/v=v2(;|$)/.test(part.trim() + ';')) return 'v2';
  }
  return undefined;
}

const wantsTable = (accept: string) => /as=Table/.test(accept);

interface ResourcePath {
  readonly resource: ResourceType;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

/** `/api/v1/namespaces/NS/pods/NAME/exec` and friends; undefined when the path names no served resource. */
export function parseResourcePath(segments: readonly string[]): ResourcePath | ApiError | undefined {
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api') [group, version, rest] = ['', segments[1] ?? '', segments.slice(2)];
  else if (segments[0] === 'apis') [group, version, rest] = [segments[1] ?? '', segments[2] ?? '', segments.slice(3)];
  else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  if (!plural) return undefined;
  const resource = resourceByPlural(group, version, plural);
  if (!resource || extra.length) return new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  if (subresource && !resource.subresources.includes(subresource)) return new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  if (namespace !== undefined && !resource.namespaced) return new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  return { resource, ...(namespace !== undefined ? { namespace } : {}), ...(name ? { name } : {}), ...(subresource ? { subresource } : {}) };
}

/** The field manager of a write: `?fieldManager=`, else the user agent's program name, as the apiserver does. */
function managerOf(req: IncomingMessage, q: URLSearchParams): string {
  const m = q.get('fieldManager');
  if (m) return m;
  const ua = req.headers['user-agent'] ?? 'unknown';
  return ua.split('/')[0] || 'unknown';
}

export async function handle(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const q = url.searchParams;
  let segments: string[];
  try {
    segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw badRequest(`the path ${JSON.stringify(url.pathname)} is not a valid URL path`);
  }
  const method = req.method ?? 'GET';
  const accept = String(req.headers.accept ?? '');
  const path = url.pathname.replace(/\/+$/, '') || '/';

  if (method === 'GET') {
    switch (path) {
      case '/version': return sendJson(res, 200, versionInfo());
      case '/healthz': case '/livez': case '/readyz':
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        return void res.end('ok');
      case '/api': case '/apis': {
        const variant = discoveryVariant(accept);
        if (variant) {
          return sendJson(res, 200, aggregatedDiscovery(path === '/api', variant), `application/json;g=apidiscovery.k8s.io;v=${variant};as=APIGroupDiscoveryList`);
        }
        return sendJson(res, 200, path === '/api' ? apiVersions(ctx.address()) : apiGroupList());
      }
      case '/openapi/v3': return sendJson(res, 200, ctx.openapi.index());
      case '/hubble/flows': return hubbleFlows(ctx, res, q);
    }
    if (segments[0] === 'openapi' && segments[1] === 'v3') {
      const doc = ctx.openapi.document(segments.slice(2).join('/'));
      if (!doc) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      const immutable = q.get('hash') === doc.hash;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(doc.text), 'Cache-Control': immutable ? 'public, immutable' : 'no-cache, private', Etag: `"${doc.hash}"` });
      return void res.end(doc.text);
    }
    if (segments[0] === 'api' && segments.length === 2) {
      const list = apiResourceList('', segments[1] as string);
      if (list) return sendJson(res, 200, list);
    }
    if (segments[0] === 'apis' && segments.length === 2) {
      const g = apiGroupOf(segments[1] as string);
      if (g) return sendJson(res, 200, g);
    }
    if (segments[0] === 'apis' && segments.length === 3) {
      const list = apiResourceList(segments[1] as string, segments[2] as string);
      if (list) return sendJson(res, 200, list);
    }
  }

  const rp = parseResourcePath(segments);
  if (rp === undefined) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  if (rp instanceof ApiError) throw rp;
  const { resource: r, name, subresource } = rp;
  const ns = r.namespaced ? (rp.namespace ?? (name || method === 'POST' ? 'default' : undefined)) : '';
  const api = ctx.api;
  const now = Date.now();

  if (subresource === 'log') {
    api.get(r, ns ?? 'default', name as string);
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    return void res.end('');
  }
  if (subresource === 'exec') {
    throw new ApiError(400, 'BadRequest', 'Upgrade request required');
  }
  if (subresource === 'scale' || subresource === 'status') return subresourceRequest(ctx, req, res, r, ns ?? 'default', name as string, subresource, method, managerOf(req, q));

  const write = () => ({ manager: managerOf(req, q), dryRun: q.getAll('dryRun').includes('All') || q.get('dryRun') === 'All', force: q.get('force') === 'true' });
  switch (method) {
    case 'GET': {
      if (q.get('watch') === 'true' || q.get('watch') === '1') return watch(ctx, req, res, r, ns, name, q, wantsTable(accept));
      if (name) {
        const obj = api.get(r, ns ?? 'default', name);
        return sendJson(res, 200, wantsTable(accept) ? tableOf(r, [obj], api.store.resourceVersion, now, q.get('includeObject')) : obj);
      }
      let items = api.list(r, ns, { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined });
      const limit = Number(q.get('limit') ?? 0);
      const cont = Number(q.get('continue') ?? 0) || 0;
      let next: string | undefined;
      if (limit > 0 && Number.isInteger(limit)) {
        if (cont + limit < items.length) next = String(cont + limit);
        items = items.slice(cont, cont + limit);
      }
      const metadata = { resourceVersion: api.store.resourceVersion, ...(next ? { continue: next, remainingItemCount: 0 } : {}) };
      if (wantsTable(accept)) return sendJson(res, 200, { ...tableOf(r, items, api.store.resourceVersion, now, q.get('includeObject')), metadata });
      return sendJson(res, 200, { kind: `${r.kind}List`, apiVersion: r.group ? `${r.group}/${r.version}` : r.version, metadata, items });
    }
    case 'POST': {
      if (name) throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
      const body = parseBody(await readBody(req), String(req.headers['content-type'] ?? '')) as KubeObject;
      return sendJson(res, 201, api.create(r, ns ?? 'default', body, write()));
    }
    case 'PUT': {
      if (!name) throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
      const body = parseBody(await readBody(req), String(req.headers['content-type'] ?? '')) as KubeObject;
      return sendJson(res, 200, api.update(r, ns ?? 'default', name, body, write()));
    }
    case 'PATCH': {
      if (!name) throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
      const ct = String(req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
      const type = PATCH_TYPES[ct];
      if (!type) throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${Object.keys(PATCH_TYPES).join(', ')}`);
      if (type === 'strategic' && !r.builtin) {
        throw new ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
      }
      const body = parseBody(await readBody(req), ct);
      const out = api.patch(r, ns ?? 'default', name, type, body, write());
      return sendJson(res, out.created ? 201 : 200, out.object);
    }
    case 'DELETE': {
      if (!name) {
        const gone = api.deleteCollection(r, ns, { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined });
        return sendJson(res, 200, { kind: `${r.kind}List`, apiVersion: r.group ? `${r.group}/${r.version}` : r.version, metadata: {}, items: gone });
      }
      await readBody(req);
      return sendJson(res, 200, api.delete(r, ns ?? 'default', name));
    }
    default:
      throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  }
}

function watch(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, r: ResourceType, ns: string | undefined, name: string | undefined, q: URLSearchParams, table: boolean): void {
  const fieldSelector = [q.get('fieldSelector'), name ? `metadata.name=${name}` : undefined].filter(Boolean).join(',') || undefined;
  const opts = { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector };
  // Parse the selectors now, so a bad one is a Status, not a broken stream.
  const selects = selector(opts);
  const initial = ctx.api.list(r, ns, opts);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  // A watch may send nothing for minutes: the client must see the response start now.
  res.flushHeaders();
  ctx.streams.add(res);
  let headers = true;
  const send = (type: string, object: KubeObject) => {
    if (res.destroyed) return;
    let out: unknown = object;
    if (table) {
      out = tableOf(r, [object], String(object.metadata?.resourceVersion ?? ''), Date.now(), q.get('includeObject'), headers);
      headers = false;
    }
    res.write(`${JSON.stringify({ type, object: out })}\n`);
  };
  const rv = q.get('resourceVersion');
  const since = rv && rv !== '0' ? Number(rv) : undefined;
  if (since === undefined) for (const o of initial) send('ADDED', o);
  const unwatch = ctx.api.store.watch({
    resource: r, ...(ns !== undefined ? { namespace: ns } : {}),
    send: (type, object) => {
      if (selects(object)) send(type, object);
    },
  }, since !== undefined && Number.isInteger(since) ? since : undefined);
  if (!unwatch) {
    // 410 Gone inside the stream, as the apiserver does: the client lists again.
    res.end(`${JSON.stringify({ type: 'ERROR', object: new ApiError(410, 'Expired', `too old resource version: ${rv}`).toStatus() })}\n`);
    ctx.streams.delete(res);
    return;
  }
  const timeout = Math.min(Number(q.get('timeoutSeconds') ?? 1800) || 1800, 3600);
  const timer = setTimeout(() => res.end(), timeout * 1000);
  const close = () => {
    clearTimeout(timer);
    unwatch();
    ctx.streams.delete(res);
  };
  res.on('close', close);
  req.on('close', close);
}

/** `GET /hubble/flows`: the flows as `GetFlowsResponse` JSON lines; `?follow=true` streams new ones. */
function hubbleFlows(ctx: HttpContext, res: ServerResponse, q: URLSearchParams): void {
  const flows = ctx.api.backend.flows;
  const follow = q.get('follow') === 'true';
  const line = (f: Flow) => `${encodeFlowResponse(flowRecord(f))}\n`;
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  for (const f of flows.all()) res.write(line(f));
  if (!follow) return void res.end();
  ctx.streams.add(res);
  const off = flows.subscribe((f) => res.write(line(f)));
  res.on('close', () => {
    off();
    ctx.streams.delete(res);
  });
}

/** `autoscaling/v1` Scale of a workload (what `kubectl scale` reads and patches). */
function scaleOf(o: KubeObject): KubeObject {
  const labels = o.spec?.selector?.matchLabels ?? {};
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: o.metadata?.name, namespace: o.metadata?.namespace, uid: o.metadata?.uid, resourceVersion: o.metadata?.resourceVersion, creationTimestamp: o.metadata?.creationTimestamp },
    spec: { replicas: o.spec?.replicas ?? 1 },
    status: { replicas: o.status?.replicas ?? 0, selector: Object.entries(labels).map(([k, v]) => `${k}=${String(v)}`).join(',') },
  };
}

/** `/scale` and `/status`: read the part, write it back into the object (status writes are the cluster's own, so they are refused). */
async function subresourceRequest(
  ctx: HttpContext, req: IncomingMessage, res: ServerResponse, r: ResourceType, ns: string, name: string, sub: 'scale' | 'status', method: string, manager: string,
): Promise<void> {
  const obj = ctx.api.get(r, ns, name);
  if (method === 'GET') return sendJson(res, 200, sub === 'scale' ? scaleOf(obj) : obj);
  if (sub === 'status') throw new ApiError(405, 'MethodNotAllowed', 'the virtual cluster writes status itself');
  if (method !== 'PATCH' && method !== 'PUT') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const ct = String(req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  const body = parseBody(await readBody(req), ct);
  let scale: KubeObject;
  if (method === 'PUT') scale = body as KubeObject;
  else {
    const type = PATCH_TYPES[ct];
    if (!type || type === 'apply') throw new ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/json-patch+json');
    scale = (type === 'json' ? jsonPatch(scaleOf(obj) as Json, body) : mergePatch(scaleOf(obj) as Json, body)) as KubeObject;
  }
  const replicas = scale?.spec?.replicas;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw new ApiError(422, 'Invalid', `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, { name, group: 'autoscaling', kind: 'Scale', causes: [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: 'must be greater than or equal to 0' }] });
  }
  const out = ctx.api.patch(r, ns, name, 'merge', { spec: { replicas } }, { manager });
  return sendJson(res, 200, scaleOf(out.object));
}
