/**
 * @module analysis/connectivity/testing
 * @internal
 *
 * Test doubles for the connectivity-test suites: a fake {@link Engine} with
 * a trivial rule (allow iff the port is 80) and a small cluster. Not
 * exported from the package index and never used by production code; the
 * real verdicts come from `engine/`.
 */
import type { ConnectionQuery, Engine, Explanation, QueryProblem, Verdict } from '../../engine/types.js';
import type { SourceLocation } from '../../diagnostics/diagnostic.js';
import { loadWorkspace, type Workspace } from '../../workspace/load.js';
import type { CaseResult } from './types.js';

export interface FakeEngineOptions {
  /** Extra denies, e.g. one replica of a workload. */
  readonly deny?: (q: ConnectionQuery) => boolean;
  /** Every query the engine was asked, in order. */
  readonly log?: ConnectionQuery[];
}

/**
 * FAKE engine: allows a query iff its port is 80 (so ICMP is always denied),
 * answers a {@link QueryProblem} for destination ip:0.0.0.0.
 */
export function fakeEngine(opts: FakeEngineOptions = {}): Engine {
  const decide = (q: ConnectionQuery): Verdict | QueryProblem => {
    if (q.to.kind === 'ip' && q.to.ip === '0.0.0.0') return { problem: '0.0.0.0 is not a destination' };
    const allow = q.port === 80 && !opts.deny?.(q);
    return allow ? { verdict: 'allow', reason: 'fake: port 80 is allowed' } : { verdict: 'deny', deniedAt: 'ingress', reason: `fake: ${q.port ?? q.protocol} is denied` };
  };
  return {
    verdict(q: ConnectionQuery): Verdict | QueryProblem {
      opts.log?.push(q); // only verdicts are logged: explanations are asked for failures alone
      return decide(q);
    },
    explain(q: ConnectionQuery): Explanation | QueryProblem {
      const v = decide(q);
      if ('problem' in v) return v;
      return { verdict: v.verdict, reason: v.reason, source: { endpoint: 'src', ip: '10.0.0.1' }, destination: { endpoint: 'dst', ip: '10.0.0.2' }, protocol: q.protocol ?? 'TCP' };
    },
    identityName: (id) => `ID:${id}`,
    identities: () => [],
  };
}

/** A namespace `shop` with Deployment `web` (2 pods), StatefulSet `db` (2 pods), bare Pod `admin`, Service `web`. */
export const SHOP_YAML = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: redis}]}
---
apiVersion: v1
kind: Pod
metadata: {name: admin, namespace: shop, labels: {app: admin}}
spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports:
    - {name: http, port: 80, targetPort: 8080}
    - {name: alt, port: 8443, targetPort: 8443}
    - {name: syslog, port: 514, targetPort: 514, protocol: UDP}
`;

/** The {@link SHOP_YAML} workspace (plus kind's built-ins: kube-dns, default/kubernetes). */
export function shopWorkspace(): Workspace {
  return loadWorkspace([{ path: 'shop.yaml', text: SHOP_YAML }]);
}

/** A ConnectivityTest document with the given `spec` body (YAML, indented under `spec:`). */
export function testDoc(spec: string, name = 't'): string {
  return `apiVersion: polis.dev/v1alpha1\nkind: ConnectivityTest\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
}

/** A result with defaults, for formatter tests. */
export function mkResult(r: Partial<CaseResult> & Pick<CaseResult, 'name'>): CaseResult {
  const location: SourceLocation = { file: 'tests.yaml', line: 7, col: 7, offset: 0, endOffset: 0 };
  return {
    test: 'shop', from: 'shop/admin', to: 'svc:shop/web', port: 80, protocol: 'TCP', expect: 'allow',
    verdict: 'allow', pass: true, reason: 'fake: port 80 is allowed', pairs: 1, location, ...r,
  };
}
