/**
 * @module analysis/lint/checks
 *
 * One function per lint rule. Two kinds: rules about how the YAML is shaped
 * read the loaded policies and their positions (a stray "-" is a fact of the
 * text, not of a verdict); rules about what a policy does ask the engine
 * (`verdict`, `explain`, which pods a selector selects, which rules enforce
 * on a pod), so no policy semantics is re-decided here. Each finding points
 * at the field the user wrote, with a fix.
 */
import type { Diagnostic, SourceLocation } from '../../diagnostics/diagnostic.js';
import { isProblem, type InspectableEngine as Engine } from '../../engine/types.js';
import type { FieldPath, ManifestObject } from '../../manifest/object.js';
import { formatPath } from '../../manifest/object.js';
import type { Pod, Service } from '../../model/types.js';
import { cidrContains, cidrContainsCidr, parseCidr, parseIp, type CidrPrefix } from '../../net/ip.js';
import type { Direction, NormalizedRule, PeerSelector, PolicyEntry, PortEntry } from '../../policy/rule.js';
import { formatPolicyRef, type LoadedPolicy } from '../../policy/types.js';
import type { Workspace } from '../../workspace/load.js';

export interface LintContext {
  readonly workspace: Workspace;
  readonly engine: Engine;
}

/** A finding before configuration (severity overrides, suppression) is applied. */
export interface Finding {
  readonly rule: string;
  readonly message: string;
  readonly fix: string;
  readonly location: SourceLocation;
  readonly object: ManifestObject;
  readonly path: FieldPath;
}

export type Check = (ctx: LintContext) => Finding[];

const finding = (rule: string, object: ManifestObject, path: FieldPath, message: string, fix: string, at: 'key' | 'value' = 'key'): Finding => ({
  rule, message, fix, object, path, location: object.locate(path, at),
});

/** The plain value at a field path. */
export function valueAt(root: unknown, path: FieldPath): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** The location of the "- " that starts list item `path` (the item's own position starts at its first key). */
function dashOf(ws: Workspace, object: ManifestObject, path: FieldPath): SourceLocation {
  const loc = object.locate(path, 'value');
  const text = ws.sources.find((s) => s.path === loc.file)?.text;
  if (!text) return loc;
  let i = loc.offset - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
  if (i < 0 || text[i] !== '-') return loc;
  const back = loc.offset - i;
  return { ...loc, col: Math.max(1, loc.col - back), offset: i, endOffset: i + 1 };
}

const ciliumPolicies = (ws: Workspace) => ws.policies.filter((p): p is Extract<LoadedPolicy, { kind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy' }> => p.kind !== 'NetworkPolicy');

// ---------------------------------------------------------------- YAML shape

const SECTIONS = [['ingress', 'from'], ['ingressDeny', 'from'], ['egress', 'to'], ['egressDeny', 'to']] as const;

/** The seed's stray "-": an item with peers and no ports followed by one with ports and no peers. */
export const portRuleWithoutPeer: Check = ({ workspace: ws }) => {
  const out: Finding[] = [];
  const report = (object: ManifestObject, path: FieldPath, field: string, peers: string, dir: string) => {
    out.push({
      rule: 'port-rule-without-peer', object, path: [...path, field], location: dashOf(ws, object, path),
      message: `the "-" before ${field} starts a rule of its own: it allows these ports ${dir} anyone, and the rule before it allows every port ${dir} its ${peers}`,
      fix: `remove the "-" before ${field} and indent ${field} under the previous item, so that one rule says "${peers} on these ports"`,
    });
  };
  for (const p of ws.policies) {
    const v = p.object.value;
    if (p.kind === 'NetworkPolicy') {
      for (const [section, peerKey] of [['ingress', 'from'], ['egress', 'to']] as const) {
        const list = valueAt(v, ['spec', section]);
        if (!Array.isArray(list)) continue;
        list.forEach((el: unknown, i) => {
          const prev = list[i - 1] as Record<string, unknown> | undefined;
          const cur = el as Record<string, unknown> | null;
          if (!prev || !cur || typeof cur !== 'object' || typeof prev !== 'object') return;
          if (cur[peerKey] === undefined && Array.isArray(cur.ports) && cur.ports.length > 0 && Array.isArray(prev[peerKey]) && prev.ports === undefined) {
            report(p.object, ['spec', section, i], 'ports', peerKey, peerKey);
          }
        });
      }
      continue;
    }
    for (const r of p.rules) {
      for (const [section, dir] of SECTIONS) {
        const list = valueAt(v, [...r.path, section]);
        if (!Array.isArray(list)) continue;
        const peersOf = (el: Record<string, unknown>) => Object.keys(el).filter((k) => k.startsWith(dir) && !k.endsWith('Requires') && k !== 'toPorts');
        const hasPorts = (el: Record<string, unknown>) => (Array.isArray(el.toPorts) && el.toPorts.length > 0) || (Array.isArray(el.icmps) && el.icmps.length > 0);
        list.forEach((el: unknown, i) => {
          const prev = list[i - 1] as Record<string, unknown> | undefined;
          const cur = el as Record<string, unknown> | null;
          if (!prev || !cur || typeof cur !== 'object' || typeof prev !== 'object') return;
          if (peersOf(cur).length === 0 && hasPorts(cur) && peersOf(prev).length > 0 && !hasPorts(prev)) {
            report(p.object, [...r.path, section, i], Array.isArray(cur.toPorts) && cur.toPorts.length ? 'toPorts' : 'icmps', peersOf(prev).join('/'), dir);
          }
        });
      }
    }
  }
  return out;
};

/** Every port rule (`toPorts[j]`) of every rule element of a Cilium policy as written, with its path. */
function rawPortRules(ws: Workspace): { object: ManifestObject; rulePath: FieldPath; path: FieldPath; value: unknown }[] {
  const out: { object: ManifestObject; rulePath: FieldPath; path: FieldPath; value: unknown }[] = [];
  for (const p of ciliumPolicies(ws)) {
    for (const r of p.rules) {
      for (const [section] of SECTIONS) {
        const list = valueAt(p.object.value, [...r.path, section]);
        if (!Array.isArray(list)) continue;
        list.forEach((el: unknown, i) => {
          const toPorts = valueAt(el, ['toPorts']);
          if (Array.isArray(toPorts)) toPorts.forEach((value: unknown, j) => out.push({ object: p.object, rulePath: r.path, path: [...r.path, section, i, 'toPorts', j], value }));
        });
      }
    }
  }
  return out;
}

/** Port rules over Cilium's limit of 40 ports (`rule_validation.go`: "too many ports, the max is 40"). */
export const tooManyPorts: Check = ({ workspace: ws }) => rawPortRules(ws).flatMap(({ object, path, value }) => {
  const ports = valueAt(value, ['ports']);
  if (!Array.isArray(ports) || ports.length <= 40) return [];
  return [finding('too-many-ports', object, [...path, 'ports'], `this port rule lists ${ports.length} ports; Cilium accepts at most 40 and refuses the whole policy`, 'split the ports over several port rules (each its own "- ports:"), or use port ranges with endPort')];
});

const NS_KEYS = new Set(['io.kubernetes.pod.namespace', 'k8s:io.kubernetes.pod.namespace', 'any:io.kubernetes.pod.namespace']);

/** Keys of a label selector (matchLabels and matchExpressions), each with its path and value(s). */
function selectorKeys(sel: unknown, path: FieldPath): { key: string; values: readonly string[]; path: FieldPath }[] {
  const out: { key: string; values: readonly string[]; path: FieldPath }[] = [];
  const ml = valueAt(sel, ['matchLabels']);
  if (ml && typeof ml === 'object') for (const [k, v] of Object.entries(ml)) out.push({ key: k, values: [String(v)], path: [...path, 'matchLabels', k] });
  const me = valueAt(sel, ['matchExpressions']);
  if (Array.isArray(me)) {
    me.forEach((e: unknown, i) => {
      const key = valueAt(e, ['key']);
      const values = valueAt(e, ['values']);
      if (typeof key === 'string') out.push({ key, values: Array.isArray(values) ? values.map(String) : [], path: [...path, 'matchExpressions', i, 'key'] });
    });
  }
  return out;
}

/** A namespace label in a CNP endpointSelector (semantics.md §2.2: CNP subjects are pinned to the policy's namespace). */
export const namespaceInCnpSelector: Check = ({ workspace: ws }) => {
  const out: Finding[] = [];
  for (const p of ciliumPolicies(ws)) {
    if (p.kind !== 'CiliumNetworkPolicy') continue;
    for (const r of p.rules) {
      for (const k of selectorKeys(valueAt(p.object.value, [...r.path, 'endpointSelector']), [...r.path, 'endpointSelector'])) {
        const nsKey = NS_KEYS.has(k.key) || k.key.replace(/^(k8s|any):/, '').startsWith('io.cilium.k8s.namespace.labels.');
        if (!nsKey) continue;
        out.push(finding('namespace-in-cnp-selector', p.object, k.path,
          `${k.key} in the endpointSelector of a CiliumNetworkPolicy: it only ever selects pods of its own namespace ${p.ref.namespace ?? 'default'}, so this term is overwritten, redundant or makes the selector match nothing`,
          `remove ${k.key}; to select pods of other namespaces use a CiliumClusterwideNetworkPolicy, or put the policy in that namespace`));
      }
    }
  }
  return out;
};

/** io.kubernetes.pod.namespace in a CCNP whose value is a namespace label's value, not a namespace's name. */
export const ccnpNamespaceName: Check = ({ workspace: ws }) => {
  const out: Finding[] = [];
  const names = new Set(ws.cluster.namespaces.map((n) => n.name));
  for (const p of ciliumPolicies(ws)) {
    if (p.kind !== 'CiliumClusterwideNetworkPolicy') continue;
    for (const r of p.rules) {
      const selectors: FieldPath[] = [[...r.path, 'endpointSelector']];
      for (const [section, dir] of SECTIONS) {
        const list = valueAt(p.object.value, [...r.path, section]);
        if (Array.isArray(list)) list.forEach((el: unknown, i) => {
          const eps = valueAt(el, [`${dir}Endpoints`]);
          if (Array.isArray(eps)) eps.forEach((_s, j) => selectors.push([...r.path, section, i, `${dir}Endpoints`, j]));
        });
      }
      for (const sp of selectors) {
        for (const k of selectorKeys(valueAt(p.object.value, sp), sp)) {
          if (!NS_KEYS.has(k.key)) continue;
          for (const value of k.values) {
            if (names.has(value)) continue;
            const ns = ws.cluster.namespaces.find((n) => Object.entries(n.labels).some(([lk, lv]) => lv === value && lk !== 'kubernetes.io/metadata.name'));
            if (!ns) continue;
            const labelKey = Object.entries(ns.labels).find(([lk, lv]) => lv === value && lk !== 'kubernetes.io/metadata.name')![0];
            out.push(finding('ccnp-namespace-name', p.object, k.path,
              `${k.key}: ${value} names no namespace, but ${value} is the value of the label ${labelKey} of namespace ${ns.name}: this selects nothing`,
              `to select namespaces by label write io.cilium.k8s.namespace.labels.${labelKey}: ${value}`));
          }
        }
      }
    }
  }
  return out;
};

/**
 * HTTP rules in host policies: Cilium does not redirect host traffic to the
 * proxy (it refuses L7 on host ingress outright, so this reads the policies
 * as written: a refused policy is not among the engine's rules).
 */
export const httpInHostPolicy: Check = ({ workspace: ws }) => rawPortRules(ws).flatMap(({ object, rulePath, path, value }) => {
  if (valueAt(object.value, [...rulePath, 'nodeSelector']) === undefined || valueAt(value, ['rules', 'http']) === undefined) return [];
  return [finding('http-in-host-policy', object, [...path, 'rules', 'http'], 'HTTP rules in a host policy (nodeSelector) filter nothing: host traffic is not redirected to the L7 proxy (on ingress Cilium refuses the whole policy)', 'remove the rules; enforce HTTP rules in a policy with an endpointSelector on the pods that serve it')];
});

/** `enableDefaultDeny: false` for a direction that has L7 rules: they only give visibility (1.18 `ensureWildcard`). */
export const l7WithoutDefaultDeny: Check = ({ engine }) => {
  const out: Finding[] = [];
  for (const rule of engine.rules()) {
    for (const dir of ['ingress', 'egress'] as const) {
      const d = rule[dir];
      if (!d || d.defaultDeny) continue;
      for (const e of d.entries) {
        for (const p of portsOf(e)) {
          if (!p.l7) continue;
          out.push(finding('l7-without-default-deny', e.origin.object, [...rule.origin.path, 'enableDefaultDeny', dir],
            `enableDefaultDeny.${dir} is false, so the ${p.l7.kind.toUpperCase()} rules at ${formatPath(dropPortIndex(p.path))} only give visibility: no request is refused`,
            `remove enableDefaultDeny.${dir}: false (default deny is what makes L7 rules filter), or drop the L7 rules if visibility is all you want`, 'key'));
        }
      }
    }
  }
  return dedupe(out);
};

// ---------------------------------------------------------------- cluster facts

/** A policy in a namespace no Namespace object declares and no pod runs in. */
export const unknownNamespace: Check = ({ workspace: ws }) => {
  const declared = new Set(ws.cluster.namespaces.filter((n) => !n.implicit).map((n) => n.name));
  const used = new Set([...ws.cluster.pods.map((p) => p.namespace), ...ws.cluster.services.map((s) => s.namespace), 'default', 'kube-system']);
  const out: Finding[] = [];
  for (const p of ws.policies) {
    const ns = p.ref.namespace;
    if (!ns || declared.has(ns) || used.has(ns)) continue;
    out.push(finding('unknown-namespace', p.object, ['metadata', 'namespace'], `namespace ${ns} is not declared and no workload runs in it: kubectl apply fails ("namespaces \\"${ns}\\" not found") or the policy protects nothing`, `check the spelling of ${ns}, or add its Namespace object to the manifests`));
  }
  return out;
};

/** Subject and peer selectors that select no pod of the cluster given. */
export const selectsNothing: Check = ({ workspace: ws, engine }) => {
  const out: Finding[] = [];
  // Only the built-in kube-dns pods: the files hold policies alone, so "selects no pod" would say nothing.
  if (!ws.cluster.pods.some((p) => p.origin)) return out;
  for (const rule of engine.rules()) {
    if (rule.subject.kind !== 'endpoints') continue;
    const o = rule.origin.object;
    const isKnp = rule.origin.policy.kind === 'NetworkPolicy';
    if (engine.podsSelectedBy(rule.subject.selector).length === 0) {
      const field = isKnp ? 'podSelector' : 'endpointSelector';
      out.push(finding('selects-nothing', o, [...rule.origin.path, field], `the ${field} of ${formatPolicyRef(rule.origin.policy)} selects no pod${rule.namespace ? ` in namespace ${rule.namespace}` : ''}: the policy protects nothing`, 'check the labels against the pods (polis get pods --show-labels), and the namespace of the policy'));
    }
    for (const dir of ['ingress', 'egress'] as const) {
      for (const e of rule[dir]?.entries ?? []) {
        if (e.peers.kind !== 'selectors') continue;
        for (const s of e.peers.selectors) {
          if (s.kind !== 'endpoints' && !(s.kind === 'k8s-peer' && s.path[s.path.length - 1] !== 'ipBlock')) continue;
          if (engine.podsSelectedBy(s.selector).length > 0) continue;
          out.push(finding('selects-nothing', o, s.path, `${s.text} selects no pod in the cluster given: this rule allows nothing`, 'check the labels (and the namespace term: in a CiliumNetworkPolicy a peer selector without io.kubernetes.pod.namespace means the policy\'s own namespace)', 'value'));
        }
      }
    }
  }
  return dedupe(out);
};

/** The CIDR of a CIDR peer as written (fromCIDR item, CIDRSet item, ipBlock). */
function cidrOfPeer(object: ManifestObject, s: PeerSelector): { prefix: CidrPrefix; text: string } | undefined {
  const v = valueAt(object.value, s.path);
  const text = typeof v === 'string' ? v : typeof valueAt(v, ['cidr']) === 'string' ? (valueAt(v, ['cidr']) as string) : undefined;
  if (!text) return undefined;
  const prefix = parseCidr(text, true);
  return prefix ? { prefix, text } : undefined;
}

const overlaps = (a: CidrPrefix, b: CidrPrefix) => cidrContainsCidr(a, b) || cidrContainsCidr(b, a);

/** CIDR peers that cover the pod or service CIDR, or aim at a ClusterIP (semantics.md §3.4: CIDR identities never match pods). */
export const cidrChecks: Check = ({ workspace: ws, engine }) => {
  const out: Finding[] = [];
  const pod = parseCidr(ws.cluster.podCIDR);
  const svc = parseCidr(ws.cluster.serviceCIDR);
  for (const rule of engine.rules()) {
    for (const dir of ['ingress', 'egress'] as const) {
      for (const e of rule[dir]?.entries ?? []) {
        if (e.peers.kind !== 'selectors') continue;
        for (const s of e.peers.selectors) {
          const isCidr = s.kind === 'cidr' || s.kind === 'cidrSet' || (s.kind === 'k8s-peer' && s.path[s.path.length - 1] === 'ipBlock');
          if (!isCidr) continue;
          const c = cidrOfPeer(e.origin.object, s);
          if (!c || c.prefix.bits === 0) continue; // 0.0.0.0/0 means "the world", which is how Cilium reads it
          const service = ws.cluster.services.find((sv) => sv.clusterIP && sv.clusterIP !== 'None' && parseIp(sv.clusterIP) && cidrContains(c.prefix, parseIp(sv.clusterIP)!));
          if (service && svc && cidrContainsCidr(svc, c.prefix)) {
            out.push(finding('cidr-targets-clusterip', e.origin.object, s.path, `${c.text} is aimed at the ClusterIP of Service ${service.namespace}/${service.name}: policy is checked after the ClusterIP is translated to a backend pod, so this never matches`, `select the Service's pods instead (${dir === 'egress' ? 'toEndpoints with its selector, or toServices' : 'fromEndpoints'}${serviceSelectorText(service)})`, 'value'));
            continue;
          }
          const covered = [pod && overlaps(c.prefix, pod) ? `the pod CIDR ${ws.cluster.podCIDR}` : '', svc && overlaps(c.prefix, svc) ? `the service CIDR ${ws.cluster.serviceCIDR}` : ''].filter(Boolean);
          if (covered.length) {
            out.push(finding('cidr-covers-cluster', e.origin.object, s.path, `${c.text} covers ${covered.join(' and ')}: CIDR rules never match pods or ClusterIPs, so that part of it matches nothing`, `select pods with ${dir === 'egress' ? 'toEndpoints' : 'fromEndpoints'} (or namespaceSelector/podSelector in a NetworkPolicy); keep CIDRs for addresses outside the cluster`, 'value'));
          }
        }
      }
    }
  }
  return dedupe(out);
};

function serviceSelectorText(s: Service): string {
  return s.selector ? `: ${Object.entries(s.selector).map(([k, v]) => `${k}=${v}`).join(',')}` : '';
}

// ---------------------------------------------------------------- container ports

/** The pods a port entry is about: ingress → the pods the rule protects; egress → endpoint peers. */
function targetPods(engine: Engine, rule: NormalizedRule, dir: Direction, e: PolicyEntry): readonly Pod[] | undefined {
  if (rule.subject.kind !== 'endpoints') return undefined;
  if (dir === 'ingress') return engine.podsSelectedBy(rule.subject.selector);
  if (e.peers.kind !== 'selectors' || e.peers.selectors.length === 0) return undefined;
  if (!e.peers.selectors.every((s) => s.kind === 'endpoints' || (s.kind === 'k8s-peer' && s.path[s.path.length - 1] !== 'ipBlock'))) return undefined;
  return e.peers.selectors.flatMap((s) => engine.podsSelectedBy(s.selector));
}

/** Port without protocol where the pods declare the port for TCP only; and ports no container declares. */
export const containerPortChecks: Check = ({ engine }) => {
  const out: Finding[] = [];
  for (const rule of engine.rules()) {
    for (const dir of ['ingress', 'egress'] as const) {
      for (const e of rule[dir]?.entries ?? []) {
        if (e.deny || e.ports.kind !== 'ports') continue;
        const pods = targetPods(engine, rule, dir, e);
        // Without declared ports we cannot know what the pods listen on: say nothing.
        if (!pods || pods.length === 0 || pods.some((p) => p.ports.length === 0)) continue;
        const seen = new Set<string>();
        for (const p of e.ports.ports) {
          const key = formatPath(p.path);
          if (seen.has(key) || p.protocol === 'ICMP' || p.protocol === 'ICMPv6') continue;
          seen.add(key);
          const whom = dir === 'ingress' ? 'the pods it protects' : 'the pods it reaches';
          const raw = valueAt(e.origin.object.value, p.path);
          const declared = pods.flatMap((pod) => pod.ports.filter((cp) => (typeof p.port === 'string' ? cp.name?.toLowerCase() === p.port.toLowerCase() : p.port === 0 || (cp.containerPort >= p.port && cp.containerPort <= p.endPort))));
          if (declared.length === 0 && p.port !== 0) {
            const example = [...new Set(pods.flatMap((pod) => pod.ports.map((cp) => `${cp.containerPort}/${cp.protocol}`)))].slice(0, 4).join(', ');
            out.push(finding('port-not-listening', e.origin.object, [...p.path, 'port'], `port ${typeof p.port === 'string' ? p.port : p.text.split('/')[0]} is declared by no container of ${whom} (they declare ${example})`, 'write the container port (a Service\'s targetPort), not the Service port: policy is checked after Service translation', 'value'));
            continue;
          }
          const protocolWritten = raw !== null && typeof raw === 'object' && (raw as Record<string, unknown>).protocol !== undefined && (raw as Record<string, unknown>).protocol !== 'ANY';
          if (!protocolWritten && rule.origin.policy.kind !== 'NetworkPolicy' && declared.length > 0 && declared.every((cp) => cp.protocol === 'TCP')) {
            out.push(finding('port-any-protocol', e.origin.object, [...p.path, 'port'], `port ${p.text.split('/')[0]} has no protocol, so it allows UDP and SCTP too, but ${whom} declare it for TCP only`, 'add protocol: TCP', 'value'));
          }
        }
      }
    }
  }
  return dedupe(out);
};

// ---------------------------------------------------------------- verdicts

/** One pod per identity among `pods` (a verdict between pods is a function of their identities and ports). */
function representatives(pods: readonly Pod[], limit = 50): Pod[] {
  const byKey = new Map<string, Pod>();
  for (const p of pods) {
    const key = `${p.namespace}|${Object.entries(p.labels).filter(([k]) => k !== 'pod-template-hash').sort().join(',')}`;
    if (!byKey.has(key)) byKey.set(key, p);
    if (byKey.size >= limit) break;
  }
  return [...byKey.values()];
}

const workloadOf = (p: Pod) => `${p.namespace}/${p.owner.kind === 'Pod' ? p.name : p.owner.name}`;

function kubeDns(ws: Workspace): Service | undefined {
  return ws.cluster.services.find((s) => s.namespace === 'kube-system' && s.name === 'kube-dns');
}

/** Pods whose egress is default-deny and that cannot reach kube-dns on 53/UDP. */
export const dnsBlocked: Check = ({ workspace: ws, engine }) => {
  const dns = kubeDns(ws);
  if (!dns || !dns.ports.some((p) => p.port === 53 && p.protocol === 'UDP')) return [];
  const byPolicy = new Map<string, { rule: NormalizedRule; workloads: Set<string> }>();
  for (const pod of representatives(ws.cluster.pods.filter((p) => !p.hostNetwork && p.namespace !== 'kube-system'), 5000)) {
    const enforcing = engine.enforcementOf(pod).egress.filter((r) => r.egress?.defaultDeny);
    if (enforcing.length === 0) continue;
    const v = engine.verdict({ from: { kind: 'pod', pod }, to: { kind: 'service', service: dns }, protocol: 'UDP', port: 53 });
    if (isProblem(v) || v.verdict === 'allow') continue;
    const rule = enforcing[0]!;
    const key = `${rule.origin.object.file}|${formatPath(rule.origin.path)}|${rule.origin.object.location.offset}`;
    const entry = byPolicy.get(key) ?? byPolicy.set(key, { rule, workloads: new Set() }).get(key)!;
    for (const p of ws.cluster.pods) if (p.namespace === pod.namespace && sameLabels(p, pod)) entry.workloads.add(workloadOf(p));
  }
  return [...byPolicy.values()].map(({ rule, workloads }) => finding('dns-blocked', rule.origin.object, [...rule.origin.path, 'egress'],
    `${formatPolicyRef(rule.origin.policy)} makes egress of ${[...workloads].join(', ')} default-deny, and no rule lets it reach kube-dns on 53/UDP: every DNS lookup fails`,
    'add an egress rule: toEndpoints [{matchLabels: {io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}] with toPorts [{ports: [{port: "53", protocol: UDP}], rules: {dns: [{matchPattern: "*"}]}}]'));
};

function sameLabels(a: Pod, b: Pod): boolean {
  const ka = Object.entries(a.labels).filter(([k]) => k !== 'pod-template-hash').sort().join(',');
  const kb = Object.entries(b.labels).filter(([k]) => k !== 'pod-template-hash').sort().join(',');
  return ka === kb;
}

/** toFQDNs peers whose names the selected pods cannot learn: their DNS lookups are not proxied and allowed. */
export const fqdnNotLearnt: Check = ({ workspace: ws, engine }) => {
  const dns = kubeDns(ws);
  const out: Finding[] = [];
  for (const rule of engine.rules()) {
    if (rule.subject.kind !== 'endpoints') continue;
    for (const e of rule.egress?.entries ?? []) {
      if (e.deny || e.peers.kind !== 'selectors') continue;
      for (const s of e.peers.selectors) {
        if (s.kind !== 'fqdn') continue;
        const name = s.text.replace(/^toFQDNs: /, '').replace(/\*/g, 'polis-lint');
        const pods = representatives(engine.podsSelectedBy(rule.subject.selector));
        const blind = pods.filter((pod) => {
          if (!dns) return true;
          const x = engine.explain({ from: { kind: 'pod', pod }, to: { kind: 'service', service: dns }, protocol: 'UDP', port: 53, dns: name });
          return isProblem(x) || x.verdict !== 'allow' || !x.l7 || x.l7.protocol !== 'dns' || x.l7.direction !== 'egress';
        });
        if (blind.length === 0) continue;
        out.push(finding('fqdn-not-learnt', e.origin.object, s.path,
          `${s.text}: the lookups of ${[...new Set(blind.map(workloadOf))].join(', ')} do not go through Cilium's DNS proxy (no allowed egress rule to kube-dns with rules: dns), so the name is never learnt and this rule never matches`,
          'add an egress rule to kube-dns on 53/UDP with rules: {dns: [{matchPattern: "*"}]} to the same pods', 'value'));
      }
    }
  }
  return dedupe(out);
};

/** A port of the entry to ask about (the first single port, else the start of its first range). */
function askPort(e: PolicyEntry): { protocol: 'TCP' | 'UDP' | 'SCTP'; port: number } | undefined {
  if (e.ports.kind === 'all') return { protocol: 'TCP', port: 80 };
  for (const p of e.ports.ports) {
    if (typeof p.port !== 'number' || p.protocol === 'ICMP' || p.protocol === 'ICMPv6') continue;
    return { protocol: p.protocol, port: p.port === 0 ? 80 : p.port };
  }
  return undefined;
}

/** The ports a pod's containers declare (TCP/UDP/SCTP), as questions. */
function declaredPorts(pod: Pod): { protocol: 'TCP' | 'UDP' | 'SCTP'; port: number }[] {
  return pod.ports.map((p) => ({ protocol: p.protocol, port: p.containerPort }));
}

/** Allowed at one side, denied at the other, between pods. */
export const oneSidedAllow: Check = ({ engine }) => {
  const out: Finding[] = [];
  for (const rule of engine.rules()) {
    if (rule.subject.kind !== 'endpoints') continue;
    const subjects = representatives(engine.podsSelectedBy(rule.subject.selector));
    for (const dir of ['ingress', 'egress'] as const) {
      for (const e of rule[dir]?.entries ?? []) {
        if (e.deny || e.peers.kind !== 'selectors') continue;
        const peerSels = e.peers.selectors.filter((s) => s.kind === 'endpoints' || (s.kind === 'k8s-peer' && s.path[s.path.length - 1] !== 'ipBlock'));
        if (peerSels.length === 0) continue;
        const peers = representatives(peerSels.flatMap((s) => engine.podsSelectedBy(s.selector)));
        const blocked = new Set<string>();
        let by = '';
        let asked = '';
        for (const me of subjects) {
          for (const other of peers) {
            if (me === other) continue;
            const [from, to] = dir === 'ingress' ? [other, me] : [me, other];
            // An L3 rule (every port) is one-sided only if no port the destination declares gets through.
            const asks = e.ports.kind === 'all' ? declaredPorts(to) : [askPort(e)].filter((a) => a !== undefined);
            if (asks.length === 0) continue;
            const vs = asks.map((a) => engine.verdict({ from: { kind: 'pod', pod: from }, to: { kind: 'pod', pod: to }, ...a }));
            if (!vs.every((v) => !isProblem(v) && v.verdict === 'deny' && v.deniedAt === (dir === 'ingress' ? 'egress' : 'ingress'))) continue;
            blocked.add(`${workloadOf(from)} → ${workloadOf(to)}`);
            by ||= (vs[0] as { reason: string }).reason;
            asked ||= asks.map((a) => `${a.port}/${a.protocol}`).join(', ');
          }
        }
        if (blocked.size === 0) continue;
        const other = dir === 'ingress' ? 'egress of the source' : 'ingress of the destination';
        out.push(finding('one-sided-allow', e.origin.object, e.origin.path,
          `this ${dir} rule allows ${asked} for ${[...blocked].slice(0, 3).join(', ')}${blocked.size > 3 ? ` and ${blocked.size - 3} more` : ''}, but the ${other} denies it (${by})`,
          `allow it on the other side too (an ${dir === 'ingress' ? 'egress' : 'ingress'} rule in a policy selecting the ${dir === 'ingress' ? 'sources' : 'destinations'}), or remove this rule`, 'value'));
      }
    }
  }
  return out;
};

/** L7 rules that filter nothing because another rule allows the same peer and port without them. */
export const l7WithoutEffect: Check = ({ engine }) => {
  const out: Finding[] = [];
  for (const rule of engine.rules()) {
    if (rule.subject.kind !== 'endpoints') continue;
    for (const dir of ['ingress', 'egress'] as const) {
      const d = rule[dir];
      if (!d || !d.defaultDeny) continue;
      for (const e of d.entries) {
        if (e.deny || e.ports.kind !== 'ports' || e.peers.kind !== 'selectors') continue;
        const http = e.ports.ports.find((p) => p.l7?.kind === 'http' && typeof p.port === 'number' && p.port !== 0);
        if (!http) continue;
        const peerSels = e.peers.selectors.filter((s) => s.kind === 'endpoints' || s.kind === 'k8s-peer');
        const peers = representatives(peerSels.flatMap((s) => engine.podsSelectedBy(s.selector)), 10);
        const subjects = representatives(engine.podsSelectedBy(rule.subject.selector), 10);
        let hit: string | undefined;
        for (const me of subjects) {
          for (const other of peers) {
            if (me === other || hit) continue;
            const [from, to] = dir === 'ingress' ? [other, me] : [me, other];
            // A request no sane rule matches: if it passes, the L7 rules filter nothing.
            const x = engine.explain({ from: { kind: 'pod', pod: from }, to: { kind: 'pod', pod: to }, protocol: 'TCP', port: http.port as number, http: { method: 'POLIS-LINT-PROBE', path: '/polis-lint-probe\u0001' } });
            if (isProblem(x) || x.verdict !== 'allow' || !x.l7 || x.l7.direction !== dir) continue;
            const by = x.l7.decidedBy[0];
            hit = by?.location ? `${by.policy ? formatPolicyRef(by.policy) : ''} ${by.path ?? ''} (${by.location.file}:${by.location.line})`.trim() : x.l7.detail;
          }
        }
        if (!hit) continue;
        out.push(finding('l7-without-effect', e.origin.object, [...dropPortIndex(http.path), 'rules'],
          `these HTTP rules filter nothing: ${hit} allows the same peer on port ${http.port} without L7 rules, so every request passes`,
          'remove the L4-only allow for this peer and port, or add the same L7 rules to it', 'key'));
      }
    }
  }
  return dedupe(out);
};

/** Pods no policy selects in either direction (opt-in). */
export const unselectedPod: Check = ({ workspace: ws, engine }) => {
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const pod of ws.cluster.pods) {
    if (pod.hostNetwork || pod.namespace === 'kube-system' || !pod.origin) continue;
    const w = workloadOf(pod);
    if (seen.has(w)) continue;
    const e = engine.enforcementOf(pod);
    if (e.ingress.length || e.egress.length) continue;
    seen.add(w);
    const object = ws.objects.find((o) => o.location.file === pod.origin!.file && o.location.offset === pod.origin!.offset);
    if (!object) continue;
    out.push(finding('unselected-pod', object, ['metadata', 'name'], `no policy selects ${w}: all traffic to and from it is allowed`, 'add a policy selecting it (a default-deny with the connections it needs)', 'value'));
  }
  return out;
};

/** NetworkPolicy and Cilium policy selecting the same pods (info). */
export const mixedPolicyKinds: Check = ({ workspace: ws, engine }) => {
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const pod of representatives(ws.cluster.pods.filter((p) => !p.hostNetwork), 5000)) {
    const e = engine.enforcementOf(pod);
    const rules = [...e.ingress, ...e.egress];
    const knp = rules.find((r) => r.origin.policy.kind === 'NetworkPolicy');
    const cnp = rules.find((r) => r.origin.policy.kind !== 'NetworkPolicy');
    if (!knp || !cnp) continue;
    const key = `${formatPolicyRef(knp.origin.policy)}|${formatPolicyRef(cnp.origin.policy)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(finding('mixed-policy-kinds', knp.origin.object, ['spec', 'podSelector'], `${formatPolicyRef(knp.origin.policy)} and ${formatPolicyRef(cnp.origin.policy)} both select ${workloadOf(pod)}: their allows add up, and a reader of one misses the other`, 'express the rules of this workload in one kind of policy'));
  }
  return out;
};

/**
 * Allow entries every connection of which a broader entry of the same
 * subjects also allows (opt-in): asked by explaining a connection the entry
 * covers and seeing whether another entry is listed first as deciding.
 */
export const shadowedRule: Check = ({ engine }) => {
  const out: Finding[] = [];
  for (const rule of engine.rules()) {
    if (rule.subject.kind !== 'endpoints') continue;
    const subjects = representatives(engine.podsSelectedBy(rule.subject.selector), 5);
    for (const dir of ['ingress', 'egress'] as const) {
      for (const e of rule[dir]?.entries ?? []) {
        if (e.deny || e.peers.kind !== 'selectors') continue;
        const ask = askPort(e);
        const peerSels = e.peers.selectors.filter((s) => s.kind === 'endpoints');
        if (!ask || peerSels.length === 0) continue;
        const peers = representatives(peerSels.flatMap((s) => engine.podsSelectedBy(s.selector)), 5);
        let shadowedBy: string | undefined;
        let all = peers.length > 0 && subjects.length > 0;
        for (const me of subjects) {
          for (const other of peers) {
            if (me === other) continue;
            const [from, to] = dir === 'ingress' ? [other, me] : [me, other];
            const x = engine.explain({ from: { kind: 'pod', pod: from }, to: { kind: 'pod', pod: to }, ...ask });
            const side = isProblem(x) ? undefined : dir === 'ingress' ? x.ingress : x.egress;
            const cites = side?.decidedBy ?? [];
            const mine = cites.some((c) => c.location && c.path === formatPath(e.origin.path) && c.policy && formatPolicyRef(c.policy) === formatPolicyRef(e.origin.policy));
            const winner = cites[0];
            if (!mine || !winner || winner.path === formatPath(e.origin.path)) all = false;
            else shadowedBy ??= `${winner.policy ? formatPolicyRef(winner.policy) : ''} ${winner.path ?? ''}`.trim();
          }
        }
        if (!all || !shadowedBy) continue;
        out.push(finding('shadowed-rule', e.origin.object, e.origin.path, `every connection this rule allows that polis tried is already allowed by the broader ${shadowedBy}`, 'remove one of the two, or narrow the broader rule', 'value'));
      }
    }
  }
  return out;
};

function portsOf(e: PolicyEntry): readonly PortEntry[] {
  return e.ports.kind === 'ports' ? e.ports.ports : [];
}

/** `…toPorts[i].ports[j]` → `…toPorts[i]` (where `rules` lives). */
function dropPortIndex(path: FieldPath): FieldPath {
  const i = path.lastIndexOf('ports');
  return i > 0 && path[i - 2] === 'toPorts' ? path.slice(0, i) : path;
}

/** One finding per rule and place (ANY ports normalise to three entries, rules to several identities). */
function dedupe(fs: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return fs.filter((f) => {
    const k = `${f.rule}|${f.location.file}|${f.location.offset}|${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Elements whose toServices generated no peer but which have ports: normalisation marks them `all` with a reason (pkg/policy/rule.go mergeEgress). */
export const toServicesAnyPeer: Check = ({ engine }) => {
  const out: Finding[] = [];
  for (const rule of engine.rules()) {
    for (const e of rule.egress?.entries ?? []) {
      if (e.peers.kind !== 'all' || !e.peers.why) continue;
      out.push(finding('toservices-any-peer', e.origin.object, [...e.origin.path, 'toServices'],
        `this ${e.deny ? 'deny ' : ''}rule applies to every peer on its ports: ${e.peers.why}`,
        e.deny ? 'deny the Service\'s pods with toEndpoints (its selector) instead' : 'name an existing Service that has a selector or endpoints, or select the peers with toEndpoints / toCIDRSet'));
    }
  }
  return out;
};

/** Every check, by rule id. */
export const CHECKS: Readonly<Record<string, Check>> = {
  'port-rule-without-peer': portRuleWithoutPeer,
  'dns-blocked': dnsBlocked,
  'fqdn-not-learnt': fqdnNotLearnt,
  'port-any-protocol': containerPortChecks,
  'port-not-listening': containerPortChecks,
  'one-sided-allow': oneSidedAllow,
  'selects-nothing': selectsNothing,
  'unknown-namespace': unknownNamespace,
  'namespace-in-cnp-selector': namespaceInCnpSelector,
  'ccnp-namespace-name': ccnpNamespaceName,
  'cidr-covers-cluster': cidrChecks,
  'cidr-targets-clusterip': cidrChecks,
  'toservices-any-peer': toServicesAnyPeer,
  'l7-without-effect': l7WithoutEffect,
  'http-in-host-policy': httpInHostPolicy,
  'l7-without-default-deny': l7WithoutDefaultDeny,
  'too-many-ports': tooManyPorts,
  'shadowed-rule': shadowedRule,
  'unselected-pod': unselectedPod,
  'mixed-policy-kinds': mixedPolicyKinds,
};

export type { Diagnostic };
