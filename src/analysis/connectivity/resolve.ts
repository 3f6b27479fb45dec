/**
 * @module analysis/connectivity/resolve
 *
 * Looks a case's endpoints up in the cluster and turns the case into the
 * engine's questions: one {@link ConnectionQuery} per (source, destination)
 * pair. A workload stands for all of its pods and a name for all of its
 * addresses, because a policy that lets one replica through but not another
 * is a bug the test should catch. An endpoint that names nothing is an
 * input error at its line — never a silent deny.
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { ConnectionQuery, Peer, ServiceTarget } from '../../engine/types.js';
import type { Cluster, Service } from '../../model/types.js';
import type { L4Protocol } from '../../policy/rule.js';
import { suggest } from '../../util/suggest.js';
import type { EndpointRef } from './endpoint-ref.js';
import type { CaseField, TestCase } from './types.js';

/** Where a DNS case goes when it names no `to`: the cluster DNS, as a pod's resolv.conf says. */
export const KUBE_DNS: EndpointRef = { kind: 'service', namespace: 'kube-system', name: 'kube-dns', text: 'svc:kube-system/kube-dns' };

/** One engine question, with the two ends named for a reason line. */
export interface Probe {
  readonly query: ConnectionQuery;
  readonly fromLabel: string;
  readonly toLabel: string;
}

/** A case ready to run: protocol and port settled, every pair spelled out. */
export interface ResolvedCase {
  readonly case: TestCase;
  readonly to: EndpointRef;
  readonly protocol: L4Protocol;
  readonly port?: number;
  readonly probes: readonly Probe[];
}

export type ResolveResult =
  | { readonly ok: true; readonly value: ResolvedCase }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

type Target = Peer | ServiceTarget;
interface Ends { readonly peers: readonly Target[]; readonly service?: Service }

/** Resolves one case against `cluster`; `dns` is the test's `spec.dns` (lower-case names). */
export function resolveCase(c: TestCase, cluster: Cluster, dns: ReadonlyMap<string, readonly string[]>): ResolveResult {
  const diagnostics: Diagnostic[] = [];
  const error = (field: CaseField, code: string, message: string, hint?: string) =>
    diagnostics.push({ code, severity: 'error', location: c.locate(field), object: `ConnectivityTest ${c.test}`, message, ...(hint ? { hint } : {}) });

  const to = c.to ?? KUBE_DNS;
  const src = lookup(c.from, cluster, dns, (code, m, h) => error('from', code, m, h));
  const dst = lookup(to, cluster, dns, (code, m, h) => error('to', code, m, h));
  if (!src || !dst) return { ok: false, diagnostics };

  let protocol: L4Protocol = c.protocol ?? (c.dns !== undefined ? 'UDP' : 'TCP');
  let port = c.port ?? (c.dns !== undefined ? 53 : undefined);
  if (dst.service) {
    // A Service is reached on one of its ports; the engine maps it to the target port.
    const svc = dst.service;
    // With neither port nor protocol written, the Service's first port decides both.
    const wanted = c.protocol ?? (c.dns !== undefined ? 'UDP' : port !== undefined ? 'TCP' : undefined);
    const fits = wanted ? svc.ports.filter((p) => p.protocol === wanted) : svc.ports;
    const chosen = port === undefined ? fits[0] : fits.find((p) => p.port === port);
    if (!chosen) {
      const has = svc.ports.map((p) => `${p.port}/${p.protocol}`).join(', ') || 'no ports';
      const what = port === undefined ? (wanted ? `${wanted} port` : undefined) : `port ${port}/${protocol}`;
      error(c.port === undefined ? 'to' : 'port', 'not-a-service-port', what ? `Service ${svc.namespace}/${svc.name} has no ${what} (it has ${has})` : `Service ${svc.namespace}/${svc.name} has no ports`,
        'a Service is reached on its own port (spec.ports[].port), not on the target port');
      return { ok: false, diagnostics };
    }
    port = chosen.port;
    protocol = chosen.protocol;
  }
  const icmp = protocol === 'ICMP' || protocol === 'ICMPv6';
  const probes: Probe[] = [];
  for (const from of src.peers) {
    for (const target of dst.peers) {
      probes.push({
        fromLabel: label(from), toLabel: label(target),
        query: {
          from: from as Peer, to: target, protocol,
          ...(!icmp && port !== undefined ? { port } : {}),
          ...(c.icmpType !== undefined ? { icmpType: c.icmpType } : {}),
          ...(c.http ? { http: c.http } : {}),
          ...(c.dns !== undefined ? { dns: c.dns } : {}),
          ...(c.kafka ? { kafka: c.kafka } : {}),
        },
      });
    }
  }
  return { ok: true, value: { case: c, to, protocol, ...(icmp ? {} : { port }), probes } };
}

type Fail = (code: string, message: string, hint?: string) => void;

function lookup(ref: EndpointRef, cluster: Cluster, dns: ReadonlyMap<string, readonly string[]>, fail: Fail): Ends | undefined {
  switch (ref.kind) {
    case 'ip':
      return { peers: [{ kind: 'ip', ip: ref.ip }] };
    case 'fqdn': {
      const answers = dns.get(ref.name);
      if (!answers || answers.length === 0) {
        fail('no-dns-answer', `${ref.name} has no address in spec.dns`, `add it: spec.dns: {${ref.name}: [203.0.113.10]} (polis resolves no names outside the cluster)`);
        return undefined;
      }
      return { peers: answers.map((ip) => ({ kind: 'fqdn' as const, name: ref.name, ip })) };
    }
    case 'service': {
      const svc = cluster.services.find((s) => s.namespace === ref.namespace && s.name === ref.name);
      if (!svc) {
        const names = cluster.services.filter((s) => s.namespace === ref.namespace).map((s) => s.name);
        fail('unknown-endpoint', `no Service ${ref.namespace}/${ref.name} in the cluster`, hintFor(ref, names, cluster));
        return undefined;
      }
      return { peers: [{ kind: 'service', service: svc }], service: svc };
    }
    case 'workload': {
      const inNs = cluster.pods.filter((p) => p.namespace === ref.namespace);
      const exact = inNs.find((p) => p.name === ref.name);
      // An exact pod name wins; otherwise the pods a workload (Deployment, StatefulSet, …) made.
      const pods = exact ? [exact] : inNs.filter((p) => p.owner.kind !== 'Pod' && p.owner.name === ref.name);
      if (pods.length === 0) {
        const names = [...new Set([...inNs.filter((p) => p.owner.kind !== 'Pod').map((p) => p.owner.name), ...inNs.map((p) => p.name)])];
        fail('unknown-endpoint', `no pod or workload ${ref.namespace}/${ref.name} in the cluster`, hintFor(ref, names, cluster));
        return undefined;
      }
      return { peers: pods.map((pod) => ({ kind: 'pod' as const, pod })) };
    }
  }
}

function hintFor(ref: { namespace: string; name: string }, names: readonly string[], cluster: Cluster): string {
  if (!cluster.namespaces.some((n) => n.name === ref.namespace)) {
    const ns = suggest(ref.namespace, cluster.namespaces.map((n) => n.name));
    return ns ? `there is no namespace ${ref.namespace}; did you mean ${ns}?` : `there is no namespace ${ref.namespace}; check -f names the manifests that create it`;
  }
  const guess = suggest(ref.name, names);
  if (guess) return `did you mean ${ref.namespace}/${guess}?`;
  return names.length ? `${ref.namespace} has: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''}` : `${ref.namespace} has nothing of that kind; check -f names the manifests that create it`;
}

function label(t: Target): string {
  switch (t.kind) {
    case 'pod': return `${t.pod.namespace}/${t.pod.name}`;
    case 'ip': return t.ip;
    case 'fqdn': return `${t.name} (${t.ip})`;
    case 'service': return `svc:${t.service.namespace}/${t.service.name}`;
  }
}
