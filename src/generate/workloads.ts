/**
 * @module generate/workloads
 *
 * Pod identities (stable label sets) grouped into workloads, the unit a
 * generated policy selects. A workload is a namespace plus the labels people
 * use to name an application (`app.kubernetes.io/name|instance|component`,
 * `app`, `k8s-app`, `tier`), so `reviews` v1, v2 and v3 are one workload;
 * a pod with none of these keeps all its stable labels. Names are derived
 * from those labels (never from pod names) and made unique per namespace.
 */
import { cmp, parseEndpointKey } from './observed.js';

/** Label keys that name an application, in the order they name it. */
export const WORKLOAD_LABELS = ['app.kubernetes.io/name', 'app', 'k8s-app', 'app.kubernetes.io/instance', 'app.kubernetes.io/component', 'tier'] as const;

export interface Workload {
  /** `namespace/name`, unique. */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  /** The labels its policy selects it by. */
  readonly selector: Readonly<Record<string, string>>;
  /** Endpoint keys of its pod identities, sorted. */
  readonly members: readonly string[];
}

function selectorOf(labels: Readonly<Record<string, string>>): Record<string, string> {
  const sel: Record<string, string> = {};
  for (const k of WORKLOAD_LABELS) if (labels[k] !== undefined) sel[k] = labels[k];
  return Object.keys(sel).length > 0 ? sel : { ...labels };
}

/** A DNS-1123 subdomain name for metadata.name. */
export function dnsName(text: string): string {
  const n = text.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').slice(0, 200);
  return n === '' ? 'workload' : n;
}

function baseName(sel: Readonly<Record<string, string>>): string {
  for (const k of WORKLOAD_LABELS) if (sel[k]) return dnsName(sel[k]);
  return dnsName(Object.keys(sel).sort().map((k) => sel[k]).join('-'));
}

/** Groups pod endpoint keys into workloads; returns the workload of each key. */
export function groupWorkloads(podKeys: Iterable<string>): Map<string, Workload> {
  const groups = new Map<string, { namespace: string; selector: Record<string, string>; members: string[] }>();
  for (const key of [...podKeys].sort(cmp)) {
    const e = parseEndpointKey(key);
    if (e.kind !== 'pod') continue;
    const selector = selectorOf(e.labels);
    const gk = `${e.namespace}\t${Object.keys(selector).sort().map((k) => `${k}=${selector[k]}`).join('\t')}`;
    let g = groups.get(gk);
    if (!g) groups.set(gk, (g = { namespace: e.namespace, selector, members: [] }));
    g.members.push(key);
  }
  const byKey = new Map<string, Workload>();
  const used = new Set<string>();
  for (const gk of [...groups.keys()].sort(cmp)) {
    const g = groups.get(gk)!;
    const base = baseName(g.selector);
    let name = base;
    for (let i = 2; used.has(`${g.namespace}/${name}`); i++) name = `${base}-${i}`;
    used.add(`${g.namespace}/${name}`);
    const w: Workload = { id: `${g.namespace}/${name}`, namespace: g.namespace, name, selector: g.selector, members: g.members };
    for (const m of g.members) byKey.set(m, w);
  }
  return byKey;
}
