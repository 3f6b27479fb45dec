/**
 * The diagram's builder actions write YAML that polis validates without
 * error and that the engine reads as meant: each action is applied to a demo
 * policy and the verdict it should change is asked before and after.
 * Cilium semantics cited: toFQDNs needs a DNS rule through the proxy
 * (docs: policy/language "DNS based" — "the toFQDNs rule only applies to
 * names resolved through the DNS proxy"); enableDefaultDeny (cilium
 * pkg/policy/api/rule.go EnableDefaultDeny).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyAction, applyChange, type BuilderAction } from '../../web/src/builder.js';
import { keyPathAt } from '../../web/src/yaml-path.js';
import { Session, checkConnection, type ConnectionRequest } from '../../src/usecases/index.js';
import { hasErrors } from '../../src/diagnostics/diagnostic.js';

const DEMO = fileURLToPath(new URL('../../examples/demo/', import.meta.url));
const demo = readdirSync(DEMO).filter((f) => f.endsWith('.yaml') && !f.includes('connectivity')).map((f) => ({ path: f, text: readFileSync(join(DEMO, f), 'utf8') }));

function edited(file: string, action: BuilderAction, also?: [string, BuilderAction]): { text: string; session: Session } {
  const apply = (file: string, action: BuilderAction) => {
    const src = demo.find((s) => s.path === file)!;
    const change = applyAction(src.text, src.text.indexOf('spec:'), action);
    assert.ok(change, 'the action applies to the policy under the cursor');
    return applyChange(src.text, change);
  };
  const text = apply(file, action);
  const other = also ? { path: also[0], text: apply(...also) } : undefined;
  const session = Session.load(demo.map((s) => (s.path === file ? { path: file, text } : s.path === other?.path ? other : s)));
  const errors = session.workspace.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(hasErrors(errors), false, `${JSON.stringify(errors)}\n${text}`);
  return { text, session };
}

const verdict = (s: Session, req: ConnectionRequest) => {
  const a = checkConnection(s, req);
  assert.ok(a.ok, JSON.stringify(a));
  return a.pairs.every((p) => p.answer.verdict === 'allow') ? 'allow' : 'deny';
};
const before = Session.load(demo);

describe('builder actions', () => {
  // The demo's frontend limits its egress too: the pod-to-pod cases open both ends, with two actions.
  const cases: [string, string, BuilderAction, ConnectionRequest, [string, BuilderAction]?][] = [
    ['allow from pods with labels (and to them)', 'database-policy.yaml', { kind: 'allow-from-pods', labels: { tier: 'frontend' }, port: 7379 }, { from: 'default/frontend', to: 'default/database', traffic: { port: 7379 } }, ['frontend-policy.yaml', { kind: 'allow-to-pods', labels: { tier: 'database' }, port: 7379 }]],
    ['allow from world', 'database-policy.yaml', { kind: 'allow-from-world', port: 7379 }, { from: 'ip:198.51.100.20', to: 'default/database', traffic: { port: 7379 } }],
    ['allow to a CIDR', 'database-policy.yaml', { kind: 'allow-to-cidr', cidr: '192.0.2.0/24', port: 443 }, { from: 'default/database', to: 'ip:192.0.2.7', traffic: { port: 443 } }],
    ['allow kube-dns (DNS through the proxy)', 'database-policy.yaml', { kind: 'allow-kube-dns' }, { from: 'default/database', to: 'svc:kube-system/kube-dns', traffic: { port: 53, protocol: 'UDP', dns: 'example.com' } }],
    ['toggle default deny of ingress off', 'database-policy.yaml', { kind: 'toggle-default-deny', direction: 'ingress' }, { from: 'default/frontend', to: 'default/database', traffic: { port: 7379 } }, ['frontend-policy.yaml', { kind: 'toggle-default-deny', direction: 'egress' }]],
  ];
  for (const [name, file, action, req, also] of cases) {
    test(`${name}: denied before, allowed after`, () => {
      assert.equal(verdict(before, req), 'deny');
      assert.equal(verdict(edited(file, action, also).session, req), 'allow');
    });
  }

  test('allow to an FQDN adds the DNS rule it needs, once', () => {
    const { text } = edited('database-policy.yaml', { kind: 'allow-to-fqdn', name: 'api.example.com', port: 443 });
    assert.match(text, /matchName: api\.example\.com/);
    assert.equal(text.match(/kube-dns/g)?.length, 1);
    // backend-policy already has a kube-dns rule: not added again.
    const b = edited('backend-policy.yaml', { kind: 'allow-to-fqdn', name: 'api.example.com', port: 443 }).text;
    assert.equal(b.match(/kube-dns/g)?.length, 1);
  });

  test('add a deny: ingressDeny from world wins over the allow (deny first)', () => {
    const req = { from: 'ip:198.51.100.20', to: 'default/frontend', traffic: { port: 80 } };
    assert.equal(verdict(before, req), 'allow');
    assert.equal(verdict(edited('frontend-policy.yaml', { kind: 'add-deny', direction: 'ingress', entity: 'world' }).session, req), 'deny');
  });

  test('add an HTTP rule narrows the port it lands on to that request', () => {
    const req = (path: string): ConnectionRequest => ({ from: 'default/frontend', to: 'default/backend', traffic: { port: 80, http: { method: 'GET', path } } });
    assert.equal(verdict(before, req('/admin')), 'allow');
    const { session } = edited('backend-policy.yaml', { kind: 'add-http-rule', method: 'GET', path: '/api/.*', port: 80 });
    assert.equal(verdict(session, req('/api/users')), 'allow');
    assert.equal(verdict(session, req('/admin')), 'deny');
  });

  test('the change is the smallest edit: text before the policy and its comments stay untouched', () => {
    const src = demo.find((s) => s.path === 'database-policy.yaml')!;
    const c = applyAction(src.text, src.text.indexOf('spec:'), { kind: 'allow-from-world' })!;
    assert.ok(c.from > src.text.indexOf('ingress:'));
    assert.ok(applyChange(src.text, c).startsWith(src.text.slice(0, src.text.indexOf('egress:'))));
  });

  test('no policy under the cursor: no change', () => {
    const app = demo.find((s) => s.path === 'app.yaml')!;
    assert.equal(applyAction(app.text, 10, { kind: 'allow-from-world' }), undefined);
  });
});

describe('key path at the cursor (schema completion)', () => {
  const doc = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
spec:
  ingress:
    - fromEndpoints:
        - matchLabels: {a: b}
      toP
---
kind: NetworkPolicy
spec:
  `.split('\n');
  const cases: [string, number, number, string[], string][] = [
    ['a key beside fromEndpoints in an ingress item', 6, 6, ['spec', 'ingress'], 'CiliumNetworkPolicy'],
    ['a key inside fromEndpoints', 5, 10, ['spec', 'ingress', 'fromEndpoints'], 'CiliumNetworkPolicy'],
    ['a top-level key', 2, 0, [], 'CiliumNetworkPolicy'],
    ['the second document has its own kind and path', 10, 2, ['spec'], 'NetworkPolicy'],
  ];
  for (const [name, row, indent, path, kind] of cases) {
    test(name, () => assert.deepEqual(keyPathAt(doc, row, indent), { path, kind }));
  }
});
