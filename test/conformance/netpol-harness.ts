/**
 * @module test/conformance/netpol-harness
 *
 * The harness of the NetworkPolicy truth-table conformance files
 * (netpol-e2e.test.ts for kubernetes/kubernetes network_policy.go,
 * cyclonus.test.ts for the cyclonus generator): NetworkPolicy objects built as
 * upstream's policies.go builds them, a row as a list of steps (create,
 * update, delete policies, relabel namespaces or pods) each validated on one or
 * more (port, protocol), and `runCase`, which applies them to the 3x3 model of
 * netpol-model.ts and probes every (pod, pod) pair through the destination's
 * Service ClusterIP. Each cell is asked of the compiled `verdict` (through the
 * use case `polis test` calls), of `explain` and of the rule-by-rule reference
 * evaluator, which must all agree; a wrong cell prints the three tables
 * upstream prints. Shared so that both suites are judged the same way.
 */
import assert from 'node:assert/strict';
import { Session, checkConnection, explainConnection } from '../../src/usecases/index.js';
import { ReferenceEngine } from '../../src/engine/reference.js';
import { isProblem } from '../../src/engine/types.js';
import { normalizePolicies } from '../../src/policy/normalize/index.js';
import {
  ALL_PODS, NAMESPACE_LABEL_KEY, NS, Reachability, compareTables, modelManifests, serviceName,
  type ModelOptions, type NsBase, type PodBase, type PodKey, type Protocol,
} from './netpol-model.js';

// --- NetworkPolicy objects, built as network_policy.go builds them (policies.go helpers) ---

export interface Requirement { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }
export interface Selector { matchLabels?: Record<string, string>; matchExpressions?: Requirement[] }
export interface NetpolPeer { podSelector?: Selector; namespaceSelector?: Selector; ipBlock?: { cidr: string; except?: string[] } }
export interface NetpolPort { protocol?: Protocol; port?: number | string; endPort?: number }
export interface IngressRule { from?: NetpolPeer[]; ports?: NetpolPort[] }
export interface EgressRule { to?: NetpolPeer[]; ports?: NetpolPort[] }
export interface NetworkPolicy {
  name: string;
  spec: { podSelector: Selector; policyTypes: ('Ingress' | 'Egress')[]; ingress?: IngressRule[]; egress?: EgressRule[] };
}

/**
 * GenNetworkPolicyWithNameAndPodSelector + SetSpecIngressRules / SetSpecEgressRules:
 * giving a direction (even with no rule) lists it in policyTypes, in the order given.
 */
export function gen(name: string, podSelector: Selector, rules: { ingress?: IngressRule[]; egress?: EgressRule[] }, policyTypes?: ('Ingress' | 'Egress')[]): NetworkPolicy {
  const types: ('Ingress' | 'Egress')[] = policyTypes ?? [];
  if (!policyTypes) for (const k of Object.keys(rules)) types.push(k === 'ingress' ? 'Ingress' : 'Egress');
  return { name, spec: { podSelector, policyTypes: types, ...rules } };
}
/** GenNetworkPolicyWithNameAndPodMatchLabel. */
export const genMatch = (name: string, labels: Record<string, string>, rules: { ingress?: IngressRule[]; egress?: EgressRule[] }, policyTypes?: ('Ingress' | 'Egress')[]): NetworkPolicy =>
  gen(name, { matchLabels: labels }, rules, policyTypes);

export const podA = { pod: 'a' };
export const nsIs = (n: NsBase): Selector => ({ matchLabels: { [NAMESPACE_LABEL_KEY]: NS[n] } });
export const nsExpr = (operator: 'In' | 'NotIn', ...n: NsBase[]): Selector => ({ matchExpressions: [{ key: NAMESPACE_LABEL_KEY, operator, values: n.map((b) => NS[b]) }] });
export const pods = (p: PodBase): Selector => ({ matchLabels: { pod: p } });

/** What a policy can depend on: pod IPs (ipBlock cases), read from the loaded cluster as upstream reads pod.Status.PodIP. */
export interface Ctx { ip(pod: PodKey): string }
export interface Placed { ns: NsBase; policy: NetworkPolicy }
export type PolicyStep = Placed | ((ctx: Ctx) => Placed);

export interface Validation {
  port: number;
  protocol: Protocol;
  /** The upstream expectation, on a table that starts all-connected (NewReachability(..., true)). */
  expect: (r: Reachability) => void;
  /** What Cilium does instead, when the row has a `ciliumDifference`. */
  cilium?: (r: Reachability) => void;
}

export interface Step {
  create?: PolicyStep[];
  update?: PolicyStep[];
  /** k8s.cleanNetworkPolicies: delete every policy of the three namespaces. */
  cleanPolicies?: true;
  addNamespaceLabels?: [NsBase, Record<string, string>];
  addPodLabels?: [PodKey, Record<string, string>];
  validate: Validation[];
}

export interface Case {
  /** The ginkgo Describe/Context the test sits in. */
  context: string;
  /** The upstream `f.It` text. */
  it: string;
  protocols: Protocol[];
  ports: number[];
  steps: Step[];
  /** Labels the namespaces carry from the start (cyclonus labels them `ns: x`, model.go). */
  namespaceLabels?: Partial<Record<NsBase, Record<string, string>>>;
  /** Behaviour Cilium does not have: the upstream or Cilium link that says so. */
  ciliumDifference?: { links: string[]; why: string; explained: RegExp };
}

// --- the harness: kubectl apply, then probe every pair through the Service ClusterIP ---

export function policyManifest({ ns, policy }: Placed): string {
  return JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: policy.name, namespace: NS[ns] }, spec: policy.spec });
}

export function load(model: ModelOptions, policies: readonly Placed[]): Session {
  const sources = [{ path: 'netpol-model.yaml', text: modelManifests(model) }];
  if (policies.length) sources.push({ path: 'netpol-policies.yaml', text: policies.map(policyManifest).join('\n---\n') + '\n' });
  const session = Session.load(sources);
  const errors = session.workspace.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], 'the manifests load without errors, as the API server accepts them');
  return session;
}

export function podIPs(session: Session): Map<PodKey, string> {
  const out = new Map<PodKey, string>();
  for (const key of ALL_PODS) {
    const [n, p] = key.split('/') as [NsBase, PodBase];
    const pod = session.workspace.cluster.pods.find((q) => q.namespace === NS[n] && q.name === p);
    assert.ok(pod, `pod ${key} is in the cluster`);
    out.set(key, pod.ip);
  }
  return out;
}

/** One probe round: every (from, to) pair, `agnhost connect SERVICE_IP:PORT --protocol=…` (kubemanager.go probeConnectivity). */
export function probe(session: Session, port: number, protocol: Protocol): { connected: (f: PodKey, t: PodKey) => boolean; reason: (f: PodKey, t: PodKey) => string } {
  const results = new Map<string, { allowed: boolean; reason: string }>();
  const { cluster, policies } = session.workspace;
  const reference = new ReferenceEngine({ cluster, policies: normalizePolicies(policies, cluster) });
  for (const f of ALL_PODS) {
    const [fn, fp] = f.split('/') as [NsBase, PodBase];
    for (const t of ALL_PODS) {
      const [tn, tp] = t.split('/') as [NsBase, PodBase];
      const svc = session.workspace.cluster.services.find((s) => s.namespace === NS[tn] && s.name === serviceName(tn, tp));
      assert.ok(svc, `service of ${t} exists`);
      const answer = checkConnection(session, { from: `${NS[fn]}/${fp}`, to: `ip:${svc.clusterIP}`, traffic: { port, protocol } });
      if (!answer.ok) assert.fail(`${f} → ${t}: ${answer.diagnostics.map((d) => d.message).join('; ')}`);
      assert.equal(answer.pairs.length, 1);
      const v = answer.pairs[0]!.answer;
      // The rules a person is shown must give the same decision as the compiled verdict.
      const why = explainConnection(session, { from: `${NS[fn]}/${fp}`, to: `ip:${svc.clusterIP}`, traffic: { port, protocol } });
      assert.ok(why.ok);
      assert.equal(why.pairs[0]!.answer.verdict, v.verdict, `${f} → ${t} ${protocol}/${port}: explain agrees with verdict`);
      // And so must the rule-by-rule reference evaluator (src/engine/reference.ts).
      const source = cluster.pods.find((q) => q.namespace === NS[fn] && q.name === fp)!;
      const r = reference.verdict({ from: { kind: 'pod', pod: source }, to: { kind: 'service', service: svc }, port, protocol });
      assert.ok(!isProblem(r));
      assert.equal(r.verdict, v.verdict, `${f} → ${t} ${protocol}/${port}: the reference evaluator agrees with verdict`);
      results.set(`${f}>${t}`, { allowed: v.verdict === 'allow', reason: v.reason });
    }
  }
  return { connected: (f, t) => results.get(`${f}>${t}`)!.allowed, reason: (f, t) => results.get(`${f}>${t}`)!.reason };
}

export function runCase(c: Case): void {
  const model = { protocols: c.protocols, ports: c.ports, namespaceLabels: { ...c.namespaceLabels } as Partial<Record<NsBase, Record<string, string>>>, podLabels: {} as Partial<Record<PodKey, Record<string, string>>> };
  const ips = podIPs(load(model, []));
  const ctx: Ctx = { ip: (pod) => ips.get(pod)! };
  const inForce = new Map<string, Placed>();
  c.steps.forEach((step, i) => {
    for (const s of step.create ?? []) {
      const placed = typeof s === 'function' ? s(ctx) : s;
      const key = `${placed.ns}/${placed.policy.name}`;
      assert.ok(!inForce.has(key), `step ${i + 1}: create ${key}: it already exists`);
      inForce.set(key, placed);
    }
    for (const s of step.update ?? []) {
      const placed = typeof s === 'function' ? s(ctx) : s;
      const key = `${placed.ns}/${placed.policy.name}`;
      assert.ok(inForce.has(key), `step ${i + 1}: update ${key}: not found`);
      inForce.set(key, placed);
    }
    if (step.cleanPolicies) inForce.clear();
    if (step.addNamespaceLabels) {
      const [n, labels] = step.addNamespaceLabels;
      model.namespaceLabels[n] = { ...model.namespaceLabels[n], ...labels };
    }
    if (step.addPodLabels) {
      const [p, labels] = step.addPodLabels;
      model.podLabels[p] = { ...model.podLabels[p], ...labels };
    }
    const session = load(model, [...inForce.values()]);
    // Pod IPs do not move when policies or labels change: the ipBlock policies above still name the same pods.
    assert.deepEqual(podIPs(session), ips, `step ${i + 1}: pod IPs are stable`);
    for (const v of step.validate) {
      const expected = new Reachability(true);
      (c.ciliumDifference && v.cilium ? v.cilium : v.expect)(expected);
      if (c.ciliumDifference && v.cilium) {
        // The difference is real: Cilium's table is not upstream's.
        const upstream = new Reachability(true);
        v.expect(upstream);
        const differing = compareTables(upstream, (f, t) => expected.get(f, t)).wrong;
        assert.ok(differing.length > 0, 'the Cilium table differs from the upstream one');
        // Where they differ, the explanation says why Cilium drops it.
        for (const [f, t] of differing) {
          const [fn, fp] = f!.split('/') as [NsBase, PodBase];
          const [tn, tp] = t!.split('/') as [NsBase, PodBase];
          const why = explainConnection(session, { from: `${NS[fn]}/${fp}`, to: `svc:${NS[tn]}/${serviceName(tn, tp)}`, traffic: { port: v.port, protocol: v.protocol } });
          assert.ok(why.ok);
          const details = [why.pairs[0]!.answer.egress, why.pairs[0]!.answer.ingress].flatMap((side) => side?.nearMisses.map((m) => m.detail) ?? []);
          assert.ok(details.some((d) => c.ciliumDifference!.explained.test(d)), `${f} → ${t}: the explanation says why Cilium differs\n${details.join('\n')}`);
        }
      }
      const observed = probe(session, v.port, v.protocol);
      const { wrong, report } = compareTables(expected, observed.connected);
      if (wrong.length) {
        const reasons = wrong.slice(0, 6).map(([f, t]) => `  ${f} → ${t}: polis says ${observed.connected(f!, t!) ? 'allowed' : 'blocked'} (${observed.reason(f!, t!)})`).join('\n');
        assert.fail(`step ${i + 1}, ${v.protocol}/${v.port}: ${wrong.length} wrong results in the reachability matrix\n${report}\n${reasons}`);
      }
    }
  });
}
