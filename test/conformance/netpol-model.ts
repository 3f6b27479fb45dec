/**
 * @module test/conformance/netpol-model
 *
 * The cluster of the upstream Kubernetes NetworkPolicy e2e suite
 * (kubernetes/kubernetes test/e2e/network/netpol: model.go, kubemanager.go,
 * reachability.go, truthtable.go), rebuilt as the manifests `kubectl apply`
 * would take, so polis can be judged on the same 9x9 truth tables a real
 * Cilium cluster is judged on.
 *
 * What it mirrors, and why:
 * - namespaces x, y, z under framework-style random names (`netpol-x-4821`):
 *   policies must find them through `kubernetes.io/metadata.name`, as upstream
 *   does (kubemanager.go creates them with no other label);
 * - pods a, b, c labelled `pod: NAME`, one container per (port, protocol) the
 *   test serves, named `cont-80-tcp` with the container port `serve-80-tcp`
 *   (model.go Container.Name / PortName): the named-port cases rely on them;
 * - one Service per pod, `s-NS-POD`, one port per container, no targetPort
 *   (so it is the port itself): probes connect to the Service's ClusterIP
 *   (probe.go: `addrTo: job.PodTo.ServiceIP`), not to the pod IP;
 * - the truth table (reachability.go): default connected, the helpers
 *   Expect / ExpectAllIngress / ExpectAllEgress / ExpectPeer, loopback ignored
 *   (network_policy.go `ignoreLoopback = true`), printed as truthtable.go
 *   prints it (`.` connected, `X` blocked).
 */

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type NsBase = 'x' | 'y' | 'z';
export type PodBase = 'a' | 'b' | 'c';

export const NS_BASES: readonly NsBase[] = ['x', 'y', 'z'];
export const POD_BASES: readonly PodBase[] = ['a', 'b', 'c'];

/** The namespaces' real names: the framework appends a random suffix to `netpol-x`. */
export const NS: Readonly<Record<NsBase, string>> = { x: 'netpol-x-4821', y: 'netpol-y-1937', z: 'netpol-z-6054' };

/** The label upstream selects namespaces by (network_policy.go namespaceLabelKey). */
export const NAMESPACE_LABEL_KEY = 'kubernetes.io/metadata.name';

/** `x/a`: a pod as the truth table names it (by base names). */
export type PodKey = `${NsBase}/${PodBase}`;

export const ALL_PODS: readonly PodKey[] = NS_BASES.flatMap((n) => POD_BASES.map((p) => `${n}/${p}` as PodKey));

export function serviceName(ns: NsBase, pod: PodBase): string {
  return `s-${NS[ns]}-${pod}`;
}

export interface ModelOptions {
  readonly protocols: readonly Protocol[];
  readonly ports: readonly number[];
  /** Labels added to namespaces after creation (AddNamespaceLabel). */
  readonly namespaceLabels?: Partial<Record<NsBase, Readonly<Record<string, string>>>>;
  /** Labels added to pods after creation (AddPodLabels). */
  readonly podLabels?: Partial<Record<PodKey, Readonly<Record<string, string>>>>;
}

/** The namespaces, pods and services of the model as one multi-document YAML text (JSON documents). */
export function modelManifests(o: ModelOptions): string {
  const docs: object[] = [];
  for (const n of NS_BASES) {
    const extra = o.namespaceLabels?.[n];
    docs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS[n], ...(extra ? { labels: { ...extra } } : {}) } });
  }
  for (const n of NS_BASES) {
    for (const p of POD_BASES) {
      const containers = o.ports.flatMap((port) => o.protocols.map((protocol) => ({
        name: `cont-${port}-${protocol.toLowerCase()}`,
        image: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
        ports: [{ containerPort: port, name: `serve-${port}-${protocol.toLowerCase()}`, protocol }],
      })));
      docs.push({
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: p, namespace: NS[n], labels: { pod: p, ...o.podLabels?.[`${n}/${p}`] } },
        spec: { terminationGracePeriodSeconds: 0, containers },
      });
      docs.push({
        apiVersion: 'v1', kind: 'Service',
        metadata: { name: serviceName(n, p), namespace: NS[n] },
        spec: {
          selector: { pod: p },
          ports: o.ports.flatMap((port) => o.protocols.map((protocol) => ({ name: `service-port-${protocol.toLowerCase()}-${port}`, protocol, port }))),
        },
      });
    }
  }
  return docs.map((d) => JSON.stringify(d)).join('\n---\n') + '\n';
}

/** A pod matcher as reachability.go's Peer: an absent field matches everything. */
export interface Peer {
  readonly ns?: NsBase;
  readonly pod?: PodBase;
}

function matches(peer: Peer, key: PodKey): boolean {
  const [n, p] = key.split('/') as [NsBase, PodBase];
  return (peer.ns === undefined || peer.ns === n) && (peer.pod === undefined || peer.pod === p);
}

/** The expected truth table of one probe round (reachability.go Reachability.Expected). */
export class Reachability {
  private readonly cells = new Map<string, boolean>();

  constructor(defaultConnected = true) {
    for (const f of ALL_PODS) for (const t of ALL_PODS) this.cells.set(`${f}>${t}`, defaultConnected);
  }

  get(from: PodKey, to: PodKey): boolean {
    return this.cells.get(`${from}>${to}`)!;
  }

  expect(from: PodKey, to: PodKey, connected: boolean): this {
    this.cells.set(`${from}>${to}`, connected);
    return this;
  }

  /** Everything into `pod` (every source). */
  expectAllIngress(pod: PodKey, connected: boolean): this {
    for (const f of ALL_PODS) this.expect(f, pod, connected);
    return this;
  }

  /** Everything out of `pod` (every destination). */
  expectAllEgress(pod: PodKey, connected: boolean): this {
    for (const t of ALL_PODS) this.expect(pod, t, connected);
    return this;
  }

  expectPeer(from: Peer, to: Peer, connected: boolean): this {
    for (const f of ALL_PODS) if (matches(from, f)) for (const t of ALL_PODS) if (matches(to, t)) this.expect(f, t, connected);
    return this;
  }
}

/** A truth table as truthtable.go PrettyPrint writes it: `.` true, `X` false; `cell` gives each entry. */
export function printTable(cell: (from: PodKey, to: PodKey) => string): string {
  const rows = [['-', ...ALL_PODS].join('\t')];
  for (const f of ALL_PODS) rows.push([f, ...ALL_PODS.map((t) => cell(f, t))].join('\t'));
  return rows.join('\n');
}

/** The number of wrong cells, loopback ignored, and the three tables upstream prints on failure. */
export function compareTables(expected: Reachability, observed: (from: PodKey, to: PodKey) => boolean): { wrong: PodKey[][]; report: string } {
  const wrong: PodKey[][] = [];
  for (const f of ALL_PODS) for (const t of ALL_PODS) if (f !== t && expected.get(f, t) !== observed(f, t)) wrong.push([f, t]);
  const mark = (b: boolean): string => (b ? '.' : 'X');
  const report = [
    'expected:', printTable((f, t) => mark(expected.get(f, t))),
    'observed:', printTable((f, t) => mark(observed(f, t))),
    'comparison (X = wrong, loopback ignored):', printTable((f, t) => (f === t ? '.' : mark(expected.get(f, t) === observed(f, t)))),
  ].join('\n');
  return { wrong, report };
}
