/**
 * Explanations describe the decision `verdict` took (never re-take it), cite
 * rules with file:line, and stay readable and cheap when hundreds of rules
 * apply: the first few are cited, the rest counted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatExplanation } from '../analysis/explain/format.js';
import { ccnp, cnp, engineFor, explainAsk, knp, query, verdicts } from './testing.js';
import { CITED } from './types.js';

test('hundreds of rules: the first are cited, the rest counted', () => {
  const many = Array.from({ length: CITED + 5 }, (_, i) => ccnp(`team-${i}`, 'endpointSelector: {matchLabels: {app: b}}\ningress:\n  - fromEntities: [cluster]')).join('');
  const e = explainAsk(many, { from: 'a', to: 'b', port: 8080 });
  assert.equal(e.verdict, 'allow');
  assert.equal(e.ingress?.decidedBy.length, CITED);
  assert.deepEqual(e.ingress?.omitted, { decidedBy: 5, enforcedBy: 5 });
  assert.equal(e.ingress?.enforcedBy.length, CITED);
  assert.match(formatExplanation(e), /\+ 5 more rule elements allow it too/);
  assert.equal(e.ingress?.decidedBy[0]?.location?.file, 'policy.yaml');
});

test('the explanation states the verdict and side that verdict gives', () => {
  const policies = cnp('p', 'endpointSelector: {matchLabels: {app: b}}\ningress:\n  - fromEndpoints: [{matchLabels: {app: c}}]');
  const e = explainAsk(policies, { from: 'a', to: 'b', port: 8080 });
  const [v] = verdicts(policies, { from: 'a', to: 'b', port: 8080 });
  assert.equal(e.verdict, v.verdict);
  assert.equal(e.reason, v.reason);
  assert.equal(e.ingress?.dropReason, v.dropReason);
  assert.equal(e.ingress?.nearMisses[0]?.mismatch, 'peer');
  assert.match(e.ingress?.nearMisses[0]?.detail ?? '', /is not selected by fromEndpoints: app=c/);
});

test('an empty element - {} is said to select no peer', () => {
  const e = explainAsk(cnp('p', 'endpointSelector: {matchLabels: {app: b}}\ningress:\n  - {}'), { from: 'a', to: 'b', port: 8080 });
  assert.equal(e.verdict, 'deny');
  assert.match(e.ingress?.nearMisses[0]?.rule.peer ?? '', /selects nobody/);
});

test('an entity written once is printed once', () => {
  // `world` stands for world-ipv4 and world-ipv6 selectors inside; the user wrote one word.
  const e = explainAsk(cnp('p', 'endpointSelector: {matchLabels: {app: b}}\ningress:\n  - fromEntities: [world]'), { from: 'ip:198.51.100.7', to: 'b', port: 8080 });
  assert.equal(e.verdict, 'allow');
  assert.equal(e.ingress?.decidedBy[0]?.peer.match(/world/g)?.length, 1, e.ingress?.decidedBy[0]?.peer);
});

test('a Service reports every backend: a canary locked down alone is never hidden', () => {
  // svc-b selects app=b; a canary with app=b and track=canary joins it; only the canary denies ingress.
  const canary = '---\napiVersion: v1\nkind: Pod\nmetadata: {name: b-canary, namespace: default, labels: {app: b, track: canary}}\nspec:\n  containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]\n';
  const policies = canary + cnp('lock', 'endpointSelector: {matchLabels: {track: canary}}\ningress:\n  - {}');
  const [v, r] = verdicts(policies, { from: 'a', to: 'svc:svc-b', port: 80 });
  assert.equal(v.verdict, 'deny');
  assert.deepEqual(v.backends, { total: 2, allowed: 1, denied: ['default/b-canary'] });
  assert.match(v.reason, /^1 of 2 backends deny it \(default\/b-canary\); denied at ingress/);
  assert.deepEqual(r.backends, v.backends, 'the reference sees the same backends');
  const e = explainAsk(policies, { from: 'a', to: 'svc:svc-b', port: 80 });
  assert.equal(e.destination.endpoint, 'default/b-canary', 'the explanation is of the backend that denies');
  assert.deepEqual(e.backends?.map((b) => [b.endpoint, b.port, b.verdict]), [['default/b', 8080, 'allow'], ['default/b-canary', 8080, 'deny']]);
  assert.match(formatExplanation(e), /the Service has 2 backends/);
  const allowed = verdicts('', { from: 'a', to: 'svc:svc-b', port: 80 })[0];
  assert.deepEqual(allowed.backends, { total: 1, allowed: 1, denied: [] });
});

test('a pod not selected by a CIDR holding its IP is told why (cilium/cilium#9209; k8s e2e ipBlock tests Cilium skips)', () => {
  const fromCidr = cnp('p', 'endpointSelector: {matchLabels: {app: b}}\ningress:\n  - fromCIDR: [10.0.0.0/8]');
  const e = explainAsk(fromCidr, { from: 'a', to: 'b', port: 8080 });
  assert.equal(e.verdict, 'deny');
  assert.match(e.ingress?.nearMisses[0]?.detail ?? '', /is not selected by fromCIDR: 10\.0\.0\.0\/8; Cilium never selects a pod by a CIDR or ipBlock.*cilium\/cilium#9209/);
  const ipBlock = knp('p', `podSelector: {matchLabels: {app: a}}\npolicyTypes: [Egress]\negress:\n  - to: [{ipBlock: {cidr: 0.0.0.0/4, except: [10.0.0.1/32]}}]`);
  const k = explainAsk(ipBlock, { from: 'a', to: 'b', port: 8080 });
  assert.equal(k.verdict, 'deny');
  assert.match(k.egress?.nearMisses[0]?.detail ?? '', /ipBlock: 0\.0\.0\.0\/4 except 10\.0\.0\.1\/32; Cilium never selects a pod/);
  // An address outside the cluster is not a pod: no such note.
  const world = explainAsk(fromCidr, { from: 'ip:198.51.100.7', to: 'b', port: 8080 });
  assert.doesNotMatch(world.ingress?.nearMisses[0]?.detail ?? '', /never selects a pod/);
});

test("positions: 'lines' cites every rule at the file:line of the full explanation", () => {
  // Block and flow styles, a deny, a near miss, an L7 rule and a Kubernetes policy: each citation
  // comes from the fast reader's notes in one mode and from the careful parse in the other.
  const policies = [
    cnp('allow', 'endpointSelector: {matchLabels: {app: b}}\ningress:\n  # c\n  - fromEndpoints:\n      - matchLabels: {app: a}\n    toPorts: [{ports: [{port: "8080"}], rules: {http: [{method: GET}]}}]\n  - {fromEntities: [cluster], toPorts: [{ports: [{port: "9090"}]}]}'),
    ccnp('deny', 'endpointSelector: {matchLabels: {app: b}}\ningressDeny: [{fromEntities: [world]}]'),
    knp('np', 'podSelector: {matchLabels: {app: a}}\npolicyTypes: [Egress]\negress:\n- to:\n  - podSelector: {matchLabels: {app: c}}'),
  ].join('');
  const asks = [
    { from: 'a', to: 'b', port: 8080, http: { method: 'GET', path: '/' } }, { from: 'a', to: 'b', port: 8080, http: { method: 'POST', path: '/' } },
    { from: 'a', to: 'b', port: 7070 }, { from: 'ip:1.2.3.4', to: 'b', port: 8080 }, { from: 'a', to: 'other/c', port: 80 }, { from: 'other/c', to: 'b', port: 9090 },
  ];
  const engine = engineFor(policies);
  let cited = 0;
  for (const ask of asks) {
    const full = engine.explain(query(engine, ask));
    const lines = engine.explain(query(engine, ask), { positions: 'lines' });
    const strip = (x: unknown): unknown => JSON.parse(JSON.stringify(x, (k, v: unknown) => {
      if (k !== 'location' || typeof v !== 'object' || v === null) return v;
      cited++;
      const { file, line } = v as { file: string; line: number };
      return { file, line };
    }));
    assert.deepEqual(strip(lines), strip(full), JSON.stringify(ask));
  }
  assert.ok(cited > 20, `${cited} citations compared`);
});
