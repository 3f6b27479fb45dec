/**
 * @module server/discovery
 *
 * What kubectl reads before it does anything: `/version`, API discovery in
 * both forms (aggregated `apidiscovery.k8s.io` v2 and v2beta1, types in
 * kubernetes/api `apidiscovery/v2/types.go`, and the legacy APIVersions /
 * APIGroupList / APIResourceList), and a minimal OpenAPI v3: one PATCH
 * operation per kind carrying `x-kubernetes-group-version-kind` and the
 * `fieldValidation` parameter (what cli-runtime
 * `resource/query_param_verifier_v3.go` looks for to validate on the
 * server), plus schemas with the same extension for `kubectl explain`.
 * Documents are content-addressed (`?hash=`) because kubectl caches them
 * by hash.
 */
import { createHash } from 'node:crypto';
import { KUBERNETES_VERSION } from './cluster.js';
import { crdSchema } from './schemas.js';
import { groupVersion, groupVersions, RESOURCES, VERBS_RW, type ResourceType } from './resources.js';

export function versionInfo(): Record<string, string> {
  return {
    ...KUBERNETES_VERSION, gitCommit: 'polis', gitTreeState: 'clean', buildDate: '2025-04-23T00:00:00Z',
    goVersion: 'go1.24.2', compiler: 'gc', platform: 'linux/amd64',
  };
}

const SUBRESOURCE_KIND: Record<string, string> = { exec: 'PodExecOptions', log: 'Pod' };

function discoveryResource(r: ResourceType): Record<string, unknown> {
  return {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: VERBS_RW,
    ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
    ...(r.categories.length ? { categories: r.categories } : {}),
    ...(r.subresources.length
      ? {
          subresources: r.subresources.map((s) => ({
            subresource: s,
            responseKind: s === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : { group: r.group, version: r.version, kind: SUBRESOURCE_KIND[s] ?? r.kind },
            verbs: s === 'exec' ? ['create', 'get'] : s === 'log' ? ['get'] : ['get', 'patch', 'update'],
          })),
        }
      : {}),
  };
}

/** `APIGroupDiscoveryList` for `/api` (core) or `/apis` (the rest), in the given version (v2 or v2beta1). */
export function aggregatedDiscovery(core: boolean, version: 'v2' | 'v2beta1'): Record<string, unknown> {
  const groups = new Map<string, ResourceType[]>();
  for (const r of RESOURCES) {
    if ((r.group === '') !== core) continue;
    groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  }
  return {
    kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {},
    items: [...groups].map(([group, rs]) => ({
      metadata: { name: group, creationTimestamp: null },
      versions: [{ version: rs[0]?.version, resources: rs.map(discoveryResource), freshness: 'Current' }],
    })),
  };
}

export function apiVersions(address: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: address }] };
}

function apiGroup(group: string): Record<string, unknown> {
  const v = groupVersions().filter((g) => g.group === group);
  const versions = v.map((g) => ({ groupVersion: `${g.group}/${g.version}`, version: g.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(): Record<string, unknown> {
  const names = [...new Set(groupVersions().map((g) => g.group).filter(Boolean))];
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: names.map(apiGroup) };
}

export function apiGroupOf(group: string): Record<string, unknown> | undefined {
  return groupVersions().some((g) => g.group === group) ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group) } : undefined;
}

export function apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
  const rs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (!rs.length) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const r of rs) {
    resources.push({
      name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: VERBS_RW,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}), ...(r.categories.length ? { categories: r.categories } : {}),
    });
    for (const s of r.subresources) {
      resources.push({
        name: `${r.plural}/${s}`, singularName: '', namespaced: r.namespaced, kind: s === 'scale' ? 'Scale' : (SUBRESOURCE_KIND[s] ?? r.kind),
        ...(s === 'scale' ? { group: 'autoscaling', version: 'v1' } : {}), verbs: s === 'exec' ? ['create', 'get'] : s === 'log' ? ['get'] : ['get', 'patch', 'update'],
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

/** OpenAPI v3 documents by path (`api/v1`, `apis/cilium.io/v2`), built once. */
export class OpenApi {
  private readonly docs = new Map<string, { text: string; hash: string }>();

  constructor() {
    for (const g of groupVersions()) {
      const path = g.group ? `apis/${g.group}/${g.version}` : `api/${g.version}`;
      const text = JSON.stringify(document(g.group, g.version));
      this.docs.set(path, { text, hash: createHash('sha512').update(text).digest('hex').slice(0, 128).toUpperCase() });
    }
  }

  index(): Record<string, unknown> {
    return { paths: Object.fromEntries([...this.docs].map(([p, d]) => [p, { serverRelativeURL: `/openapi/v3/${p}?hash=${d.hash}` }])) };
  }

  document(path: string): { text: string; hash: string } | undefined {
    return this.docs.get(path);
  }
}

const schemaName = (r: ResourceType) => `${r.group ? r.group.split('.').reverse().join('.') : 'io.k8s.api.core'}.${r.version}.${r.kind}`;

function document(group: string, version: string): Record<string, unknown> {
  const rs = RESOURCES.filter((r) => r.group === group && r.version === version);
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const r of rs) {
    const gvk = [{ group: r.group, version: r.version, kind: r.kind }];
    const base = `/${r.group ? `apis/${r.group}` : 'api'}/${r.version}/${r.namespaced ? 'namespaces/{namespace}/' : ''}${r.plural}/{name}`;
    paths[base] = {
      patch: {
        operationId: `patch${r.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk[0],
        parameters: [
          { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'force', in: 'query', schema: { type: 'boolean', uniqueItems: true } },
        ],
        responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaName(r)}` } } } } },
      },
    };
    schemas[schemaName(r)] = { ...crdSchema(r.kind, groupVersion(r)), 'x-kubernetes-group-version-kind': gvk };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: KUBERNETES_VERSION.gitVersion }, paths, components: { schemas } };
}
