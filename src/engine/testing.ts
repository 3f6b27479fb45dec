/**
 * Test fixture for engine semantics (not exported from the package): a small
 * cluster and a way to ask for verdicts with short endpoint names.
 */
import { loadWorkspace } from '../workspace/load.js';
import { compileEngine, type PolicyEngine } from './engine.js';
import { normalizePolicies } from '../policy/normalize/index.js';
import { ReferenceEngine } from './reference.js';
import { isProblem, type ConnectionQuery, type EngineOptions, type Explanation, type HttpRequest, type Peer, type Verdict } from './types.js';
import type { L4Protocol } from '../policy/rule.js';

/**
 * Pods: default/a (app=a, named port http=8080), default/b (app=b, env=prod),
 * other/c (app=c; namespace other has team=x), kube-system DNS (built in).
 * Service default/svc-b → b, port 80 → 8080.
 */
export const FIXTURE = `
apiVersion: v1
kind: Namespace
metadata: {name: other, labels: {team: x}}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: default, labels: {app: a}}
spec:
  containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: default, labels: {app: b, env: prod}}
spec:
  containers: [{name: c, ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: c, namespace: other, labels: {app: c}}
---
apiVersion: v1
kind: Service
metadata: {name: svc-b, namespace: default, labels: {expose: "yes"}}
spec:
  selector: {app: b}
  ports: [{port: 80, targetPort: 8080}]
`;

export interface Ask {
  from: string;
  to: string;
  port?: number;
  protocol?: L4Protocol;
  icmpType?: number;
  http?: HttpRequest;
  dns?: string;
  /** The TLS server name (SNI) of the handshake. */
  sni?: string;
}

/** The three evaluators a semantic question is put to. */
export interface Evaluators {
  readonly engine: PolicyEngine;
  readonly reference: ReferenceEngine;
}

/** `a`, `b`, `other/c`, `ip:1.2.3.4`, `svc:svc-b`, `fqdn:name=ip`, `node:kind-worker`, `node:kind-control-plane`. */
export function explainAsk(policies: string, ask: Ask, options: EngineOptions = {}): Explanation {
  const engine = engineFor(policies, options);
  const e = engine.explain(query(engine, ask));
  if (isProblem(e)) throw new Error(e.problem);
  return e;
}

/** The compact verdict of each evaluator: [verdict, reference]. */
export function verdicts(policies: string, ask: Ask, options: EngineOptions = {}): [Verdict, Verdict] {
  const { engine, reference } = evaluatorsFor(policies, options);
  const v = engine.verdict(query(engine, ask));
  const r = reference.verdict(query(reference, ask));
  if (isProblem(v)) throw new Error(v.problem);
  if (isProblem(r)) throw new Error(r.problem);
  return [v, r];
}

const cache = new Map<string, Evaluators>();
export function evaluatorsFor(policies: string, options: EngineOptions = {}): Evaluators {
  const key = JSON.stringify([policies, options]);
  let e = cache.get(key);
  if (!e) {
    const ws = loadWorkspace([{ path: 'fixture.yaml', text: FIXTURE }, { path: 'policy.yaml', text: policies }]);
    const errors = ws.diagnostics.filter((d) => d.severity === 'error' && d.location?.file === 'fixture.yaml');
    if (errors.length) throw new Error(`fixture: ${errors[0]!.message}`);
    e = { engine: compileEngine(ws, options), reference: new ReferenceEngine({ cluster: ws.cluster, policies: normalizePolicies(ws.policies, ws.cluster) }, options) };
    if (cache.size > 500) cache.clear();
    cache.set(key, e);
  }
  return e;
}

export function engineFor(policies: string, options: EngineOptions = {}): PolicyEngine {
  return evaluatorsFor(policies, options).engine;
}

export function query(engine: PolicyEngine, ask: Ask): ConnectionQuery {
  const cluster = engine.cluster;
  const peer = (s: string): Peer => {
    if (s.startsWith('ip:')) return { kind: 'ip', ip: s.slice(3) };
    if (s.startsWith('podip:')) return { kind: 'ip', ip: cluster.pods.find((p) => p.name === s.slice(6))!.ip };
    if (s.startsWith('clusterip:')) return { kind: 'ip', ip: cluster.services.find((x) => x.name === s.slice(10))!.clusterIP };
    if (s.startsWith('node:')) return { kind: 'ip', ip: cluster.nodes.find((n) => n.name === s.slice(5))!.ip };
    if (s.startsWith('fqdn:')) {
      const [name, ip] = s.slice(5).split('=');
      return { kind: 'fqdn', name: name!, ip: ip! };
    }
    const [ns, name] = s.includes('/') ? s.split('/') : ['default', s];
    const pod = cluster.pods.find((p) => p.namespace === ns && p.name === name);
    if (!pod) throw new Error(`no pod ${s}`);
    return { kind: 'pod', pod };
  };
  const to = ask.to.startsWith('svc:')
    ? { kind: 'service' as const, service: cluster.services.find((s) => s.name === ask.to.slice(4))! }
    : peer(ask.to);
  return {
    from: peer(ask.from), to,
    ...(ask.port !== undefined ? { port: ask.port } : {}),
    ...(ask.protocol ? { protocol: ask.protocol } : {}),
    ...(ask.icmpType !== undefined ? { icmpType: ask.icmpType } : {}),
    ...(ask.http ? { http: ask.http } : {}),
    ...(ask.dns !== undefined ? { dns: ask.dns } : {}),
    ...(ask.sni !== undefined ? { tls: { serverName: ask.sni } } : {}),
  };
}

/** A CNP in namespace `default` with the given spec body (YAML, indented 2). */
export function cnp(name: string, spec: string, namespace = 'default'): string {
  return `---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;
}

export function ccnp(name: string, spec: string): string {
  return `---\napiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;
}

export function knp(name: string, spec: string, namespace = 'default'): string {
  return `---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;
}
