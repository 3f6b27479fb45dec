/**
 * One semantic suite, three evaluators (STYLE (e)): on random policies over
 * the fixture cluster — CNP, CCNP and NetworkPolicy; allow and deny; named
 * ports, ranges and ICMP; entities, CIDRs with except, Services and FQDNs;
 * authentication; HTTP and DNS rules — `verdict`, `explain` and the
 * rule-by-rule reference must give the same verdict, side and drop reason
 * for pod, address, Service and external-name destinations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluatorsFor, query, type Ask } from './testing.js';
import { isProblem } from './types.js';
import type { L4Protocol } from '../policy/rule.js';

const DNS_RULE = 'toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}], toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*.example.com"}]}}]';
const subject = fc.constantFrom('{}', '{matchLabels: {app: a}}', '{matchLabels: {app: b}}', '{matchLabels: {env: prod}}', '{matchExpressions: [{key: app, operator: In, values: [a, c]}]}');
const peer = (dir: 'from' | 'to') => fc.constantFrom(
  '', `${dir}Endpoints: [{}]`, `${dir}Endpoints: [{matchLabels: {app: a}}]`, `${dir}Endpoints: [{matchLabels: {app: b}}]`,
  `${dir}Endpoints: [{matchLabels: {app: c, k8s:io.kubernetes.pod.namespace: other}}]`, `${dir}Endpoints: [{matchLabels: {io.cilium.k8s.namespace.labels.team: x}}]`,
  `${dir}Entities: [cluster]`, `${dir}Entities: [world]`, `${dir}Entities: [all]`, `${dir}Entities: [host, remote-node]`, `${dir}Endpoints: []`,
  `${dir}Endpoints: [{matchExpressions: [{key: app, operator: NotIn, values: [a]}]}]`,
  `${dir}CIDR: [198.51.100.0/24]`, `${dir}CIDRSet: [{cidr: 198.51.100.0/24, except: [198.51.100.0/28]}]`, `${dir}CIDR: [0.0.0.0/0]`,
  ...(dir === 'to' ? ['toFQDNs: [{matchPattern: "*.example.com"}]', 'toServices: [{k8sService: {serviceName: svc-b, namespace: default}}]'] : []),
);
const ports = fc.constantFrom('', 'toPorts: [{ports: [{port: "80", protocol: TCP}]}]', 'toPorts: [{ports: [{port: "8080"}]}]', 'toPorts: [{ports: [{port: http, protocol: TCP}]}]',
  'toPorts: [{ports: [{port: http}]}]', 'toPorts: [{ports: [{port: dns, protocol: UDP}]}]', 'toPorts: [{ports: [{port: "8000", endPort: 8090, protocol: TCP}]}]',
  'toPorts: [{ports: [{port: "0", protocol: UDP}]}]', 'icmps: [{fields: [{type: 8}]}]', 'toPorts: [{ports: [{port: "443", protocol: TCP}]}]',
  'toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {http: [{method: GET, path: "/docs.*"}]}}]');
const auth = fc.constantFrom('', '', 'authentication: {mode: required}', 'authentication: {mode: disabled}');
const element = (dir: 'from' | 'to', deny: boolean) => fc.tuple(peer(dir), ports, deny ? fc.constant('') : auth).map(([p, q, a]) => {
  // Deny rules have no L7 and no authentication (schema); keep the generator within what validates.
  const portPart = deny && q.includes('rules:') ? 'toPorts: [{ports: [{port: "8080", protocol: TCP}]}]' : q;
  const fields = [p, portPart, a].filter(Boolean);
  return `    - {${fields.join(', ')}}`;
});
const section = (name: string, dir: 'from' | 'to', deny: boolean) =>
  fc.array(element(dir, deny), { minLength: 1, maxLength: 3 }).map((els) => `  ${name}:\n${els.join('\n')}${name === 'egress' ? `\n    - {${DNS_RULE}}` : ''}`);
const cilium = fc.tuple(
  subject,
  fc.option(section('ingress', 'from', false), { nil: undefined }), fc.option(section('ingressDeny', 'from', true), { nil: undefined }),
  fc.option(section('egress', 'to', false), { nil: undefined }), fc.option(section('egressDeny', 'to', true), { nil: undefined }),
  fc.option(fc.record({ ingress: fc.boolean(), egress: fc.boolean() }), { nil: undefined }),
  fc.boolean(), fc.nat(1_000_000),
).map(([sub, i, id, e, ed, dd, clusterwide, n]) => {
  const body = [i, id, e, ed].filter(Boolean);
  if (body.length === 0) return '';
  const kind = clusterwide ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy';
  const dds = dd ? `  enableDefaultDeny: {ingress: ${dd.ingress}, egress: ${dd.egress}}\n` : '';
  return `---\napiVersion: cilium.io/v2\nkind: ${kind}\nmetadata: {name: p${n}${clusterwide ? '' : ', namespace: default'}}\nspec:\n  endpointSelector: ${sub}\n${dds}${body.join('\n')}\n`;
});
const knpPeer = fc.constantFrom('', '{podSelector: {matchLabels: {app: a}}}', '{namespaceSelector: {matchLabels: {team: x}}}', '{namespaceSelector: {}}',
  '{ipBlock: {cidr: 198.51.100.0/24, except: [198.51.100.0/28]}}', '{namespaceSelector: {}, podSelector: {matchLabels: {app: c}}}');
const knpPorts = fc.constantFrom('', '[{port: 8080}]', '[{port: http}]', '[{port: 53, protocol: UDP}]', '[{port: 8000, endPort: 8090}]');
const knpRule = (dir: 'from' | 'to') => fc.tuple(knpPeer, knpPorts).map(([p, q]) => `    - {${[p ? `${dir}: [${p}]` : '', q ? `ports: ${q}` : ''].filter(Boolean).join(', ')}}`);
const networkPolicy = fc.tuple(
  fc.constantFrom('{}', '{matchLabels: {app: a}}', '{matchLabels: {app: b}}'), fc.subarray(['Ingress', 'Egress'] as const),
  fc.array(knpRule('from'), { maxLength: 2 }), fc.array(knpRule('to'), { maxLength: 2 }), fc.nat(1_000_000),
).map(([sel, types, ing, eg, n]) => {
  const parts = [`  podSelector: ${sel}`];
  if (types.length) parts.push(`  policyTypes: [${types.join(', ')}]`);
  if (ing.length) parts.push(`  ingress:\n${ing.join('\n')}`);
  if (eg.length) parts.push(`  egress:\n${eg.join('\n')}`);
  return `---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: n${n}, namespace: default}\nspec:\n${parts.join('\n')}\n`;
});

const ends = ['a', 'b', 'other/c'];
const probe: fc.Arbitrary<Ask> = fc.oneof(
  fc.record({
    from: fc.constantFrom(...ends, 'ip:198.51.100.7', 'ip:198.51.100.3', 'node:kind-worker', 'node:kind-control-plane'),
    to: fc.constantFrom(...ends), protocol: fc.constantFrom<L4Protocol>('TCP', 'UDP', 'ICMP'), port: fc.constantFrom(80, 8080, 8085, 443, 53),
  }),
  fc.record({
    from: fc.constantFrom(...ends),
    to: fc.constantFrom('ip:198.51.100.7', 'ip:198.51.100.3', 'ip:203.0.113.9', 'fqdn:api.example.com=203.0.113.10', 'fqdn:other.org=203.0.113.20', 'node:kind-worker'),
    protocol: fc.constantFrom<L4Protocol>('TCP', 'UDP'), port: fc.constantFrom(80, 443, 8080),
  }),
  fc.record({ from: fc.constantFrom(...ends), to: fc.constant('svc:svc-b'), protocol: fc.constant<L4Protocol>('TCP'), port: fc.constant(80) }),
  fc.record({ from: fc.constantFrom(...ends), to: fc.constantFrom('b', 'svc:svc-b'), port: fc.constantFrom(80, 8080), http: fc.constantFrom({ method: 'GET', path: '/docs/x' }, { method: 'POST', path: '/admin' }) }),
  fc.record({ from: fc.constantFrom(...ends), to: fc.constant('svc:kube-dns'), protocol: fc.constant<L4Protocol>('UDP'), port: fc.constant(53), dns: fc.constantFrom('api.example.com', 'evil.org') }),
).map((p: Ask): Ask => (p.protocol === 'ICMP' ? { from: p.from, to: p.to, protocol: 'ICMP', icmpType: 8 } : p));

const OPTIONS = { dns: { 'api.example.com': ['203.0.113.10'], 'other.org': ['203.0.113.20'] } };
let compared = 0;

test('verdict = explain = reference evaluator on random policies (2,000+ questions)', () => {
  fc.assert(fc.property(
    fc.array(fc.oneof({ weight: 3, arbitrary: cilium }, { weight: 1, arbitrary: networkPolicy }), { maxLength: 4 }),
    fc.array(probe, { minLength: 4, maxLength: 8 }),
    fc.constantFrom<'default' | 'always'>('default', 'default', 'default', 'always'),
    (policies, probes, policyEnforcement) => {
      const text = policies.join('');
      const options = { ...OPTIONS, ...(policyEnforcement === 'always' ? { policyEnforcement } : {}) };
      const { engine, reference } = evaluatorsFor(text, options);
      for (const p of probes) {
        const v = engine.verdict(query(engine, p));
        const e = engine.explain(query(engine, p));
        const r = reference.verdict(query(reference, p));
        if (isProblem(v) || isProblem(e) || isProblem(r)) {
          assert.ok(isProblem(v) && isProblem(e) && isProblem(r), `one evaluator could not answer ${JSON.stringify(p)}`);
          continue;
        }
        compared++;
        const where = `${JSON.stringify(p)} (${policyEnforcement})\n${text}`;
        assert.equal(v.verdict, r.verdict, `verdict vs reference for ${where}\nverdict: ${v.reason}\nreference: ${r.reason}`);
        assert.equal(e.verdict, v.verdict, `explain vs verdict for ${where}`);
        assert.equal(v.deniedAt, r.deniedAt, `side for ${where}`);
        assert.equal(v.dropReason, r.dropReason, `drop reason for ${where}`);
        assert.deepEqual([v.egressMatch, v.ingressMatch], [r.egressMatch, r.ingressMatch], `match types for ${where}`);
        assert.equal(e.reason.endsWith(v.reason.replace(/^.*backends (allow|deny) it[^;]*; /, '')), true, `explain's reason line ends with verdict's: ${e.reason} / ${v.reason}`);
      }
    },
  ), { numRuns: 400, seed: 20261130 });
  assert.ok(compared >= 2000, `only ${compared} questions compared`);
});
