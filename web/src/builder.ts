/**
 * @module web/builder
 *
 * The diagram's builder actions: each one rewrites one policy document of a
 * YAML file and returns the smallest text change that does it, which the
 * editor applies as a single (undoable) transaction. Pure functions over text
 * (no DOM), so they are tested in Node beside the API. They only write YAML:
 * what the result means is for the engine to say, through validate and the
 * diagram, like any hand edit.
 */
import { isMap, isSeq, parseAllDocuments, type Document } from 'yaml';

export interface TextChange {
  readonly from: number;
  readonly to: number;
  readonly insert: string;
}

export type Direction = 'ingress' | 'egress';

/** A builder action: what to add, in words a person picks from a menu. */
export type BuilderAction =
  | { readonly kind: 'allow-from-pods'; readonly labels: Readonly<Record<string, string>>; readonly port?: number }
  | { readonly kind: 'allow-from-namespace'; readonly namespace: string; readonly port?: number }
  | { readonly kind: 'allow-from-world'; readonly port?: number }
  | { readonly kind: 'allow-to-pods'; readonly labels: Readonly<Record<string, string>>; readonly port?: number }
  | { readonly kind: 'allow-to-cidr'; readonly cidr: string; readonly port?: number }
  | { readonly kind: 'allow-to-fqdn'; readonly name: string; readonly port?: number }
  | { readonly kind: 'allow-kube-dns' }
  | { readonly kind: 'toggle-default-deny'; readonly direction: Direction }
  | { readonly kind: 'add-deny'; readonly direction: Direction; readonly entity: string }
  | { readonly kind: 'add-http-rule'; readonly method: string; readonly path: string; readonly port?: number };

const ports = (port: number | undefined, protocol = 'TCP') => (port === undefined ? {} : { toPorts: [{ ports: [{ port: String(port), protocol }] }] });

/** kube-dns as Cilium's docs select it, with the DNS proxy rule toFQDNs needs to learn names. */
const KUBE_DNS_RULE = {
  toEndpoints: [{ matchLabels: { 'io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
  toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
};

/**
 * Applies `action` to the policy document at `offset` of `text` (the one
 * under the cursor). Returns undefined when no CiliumNetworkPolicy or
 * CiliumClusterwideNetworkPolicy document holds the offset.
 */
export function applyAction(text: string, offset: number, action: BuilderAction): TextChange | undefined {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return undefined;
  let start = 0;
  for (const doc of docs) {
    const end = doc.range[2];
    if (offset >= start && offset <= end || doc === docs[docs.length - 1]) {
      const kind = doc.get('kind');
      if (offset >= start && offset <= end && (kind === 'CiliumNetworkPolicy' || kind === 'CiliumClusterwideNetworkPolicy')) {
        if (doc.errors.length > 0) return undefined;
        mutate(doc, action);
        return minimal(text, start, end, doc.toString());
      }
    }
    start = end;
  }
  return undefined;
}

function append(doc: Document, path: (string | number)[], value: unknown): void {
  const node = doc.getIn(path, true);
  if (isSeq(node)) node.add(doc.createNode(value));
  else doc.setIn(path, doc.createNode([value]));
}

function mutate(doc: Document, a: BuilderAction): void {
  switch (a.kind) {
    case 'allow-from-pods':
      return append(doc, ['spec', 'ingress'], { fromEndpoints: [{ matchLabels: { ...a.labels } }], ...ports(a.port) });
    case 'allow-from-namespace':
      return append(doc, ['spec', 'ingress'], { fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': a.namespace } }], ...ports(a.port) });
    case 'allow-from-world':
      return append(doc, ['spec', 'ingress'], { fromEntities: ['world'], ...ports(a.port) });
    case 'allow-to-pods':
      return append(doc, ['spec', 'egress'], { toEndpoints: [{ matchLabels: { ...a.labels } }], ...ports(a.port) });
    case 'allow-to-cidr':
      return append(doc, ['spec', 'egress'], { toCIDR: [a.cidr], ...ports(a.port) });
    case 'allow-to-fqdn':
      // toFQDNs only works for names the pod resolved through the DNS proxy: add the kube-dns rule unless one is there.
      append(doc, ['spec', 'egress'], { toFQDNs: [{ matchName: a.name }], ...ports(a.port) });
      if (!hasKubeDnsRule(doc)) append(doc, ['spec', 'egress'], KUBE_DNS_RULE);
      return;
    case 'allow-kube-dns':
      if (!hasKubeDnsRule(doc)) append(doc, ['spec', 'egress'], KUBE_DNS_RULE);
      return;
    case 'toggle-default-deny': {
      const cur = doc.getIn(['spec', 'enableDefaultDeny', a.direction]);
      // Absent means true once the section exists (Cilium `EnableDefaultDeny`): the toggle writes the other value.
      doc.setIn(['spec', 'enableDefaultDeny', a.direction], cur === false);
      if (doc.getIn(['spec', a.direction]) === undefined) doc.setIn(['spec', a.direction], doc.createNode([]));
      return;
    }
    case 'add-deny':
      return append(doc, ['spec', a.direction === 'ingress' ? 'ingressDeny' : 'egressDeny'], { [a.direction === 'ingress' ? 'fromEntities' : 'toEntities']: [a.entity] });
    case 'add-http-rule': {
      const rules = doc.getIn(['spec', 'ingress'], true);
      const rule = { method: a.method, path: a.path };
      if (isSeq(rules)) {
        // Onto the first ingress element with the port (or with any port), so the rule narrows what is already allowed.
        for (const [i, el] of rules.items.entries()) {
          const tp = isMap(el) ? el.getIn(['toPorts', 0, 'ports'], true) : undefined;
          if (!isSeq(tp)) continue;
          const p = tp.items.map((x) => (isMap(x) ? String(x.get('port')) : ''));
          if (a.port !== undefined && !p.includes(String(a.port))) continue;
          // Cilium refuses HTTP rules on a port of protocol ANY (the default): the port becomes TCP.
          for (const x of tp.items) if (isMap(x) && (x.get('protocol') ?? 'ANY') === 'ANY') x.set('protocol', 'TCP');
          append(doc, ['spec', 'ingress', i, 'toPorts', 0, 'rules', 'http'], rule);
          return;
        }
      }
      append(doc, ['spec', 'ingress'], { toPorts: [{ ports: [{ port: String(a.port ?? 80), protocol: 'TCP' }], rules: { http: [rule] } }] });
      return;
    }
  }
}

function hasKubeDnsRule(doc: Document): boolean {
  const egress = doc.getIn(['spec', 'egress']);
  return JSON.stringify(egress ?? '').includes('kube-dns');
}

/** The change from `text[start, end)` to `next`, cut to what differs, so the cursor and undo stay where the user is. */
function minimal(text: string, start: number, end: number, next: string): TextChange {
  const old = text.slice(start, end);
  // A document at the end of the file keeps the file's ending.
  if (!old.endsWith('\n') && next.endsWith('\n')) next = next.slice(0, -1);
  let p = 0;
  while (p < old.length && p < next.length && old[p] === next[p]) p++;
  let s = 0;
  while (s < old.length - p && s < next.length - p && old[old.length - 1 - s] === next[next.length - 1 - s]) s++;
  return { from: start + p, to: end - s, insert: next.slice(p, next.length - s) };
}

/** The text after a change (for tests and the diagram's preview). */
export function applyChange(text: string, c: TextChange): string {
  return text.slice(0, c.from) + c.insert + text.slice(c.to);
}
