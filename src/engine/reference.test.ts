/**
 * One semantic suite, two evaluators (STYLE (e)): on random policies over the
 * fixture cluster, the compiled engine — both its explained path and its
 * bulk path — must agree with the rule-by-rule reference evaluator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { engineFor, query } from './testing.js';
import { referenceAllows } from './reference.js';
import type { L4Protocol } from '../policy/rule.js';

const subject = fc.constantFrom('{}', '{matchLabels: {app: a}}', '{matchLabels: {app: b}}', '{matchLabels: {env: prod}}');
const peer = (dir: 'from' | 'to') => fc.constantFrom(
  '', `${dir}Endpoints: [{}]`, `${dir}Endpoints: [{matchLabels: {app: a}}]`, `${dir}Endpoints: [{matchLabels: {app: b}}]`,
  `${dir}Endpoints: [{matchLabels: {app: c, k8s:io.kubernetes.pod.namespace: other}}]`, `${dir}Entities: [cluster]`, `${dir}Entities: [world]`,
  `${dir}Entities: [all]`, `${dir}Endpoints: []`, `${dir}Endpoints: [{matchExpressions: [{key: app, operator: NotIn, values: [a]}]}]`,
);
const ports = fc.constantFrom('', 'toPorts: [{ports: [{port: "80", protocol: TCP}]}]', 'toPorts: [{ports: [{port: "80"}]}]',
  'toPorts: [{ports: [{port: "70", endPort: 90, protocol: TCP}]}]', 'toPorts: [{ports: [{port: "0", protocol: UDP}]}]', 'icmps: [{fields: [{type: 8}]}]');
const element = (dir: 'from' | 'to') => fc.tuple(peer(dir), ports).map(([p, q]) => `    - {${[p, q].filter(Boolean).join(', ')}}`);
const section = (name: string, dir: 'from' | 'to') => fc.array(element(dir), { minLength: 1, maxLength: 3 }).map((els) => `  ${name}:\n${els.join('\n')}`);
const rule = fc.tuple(
  subject,
  fc.option(section('ingress', 'from'), { nil: undefined }), fc.option(section('ingressDeny', 'from'), { nil: undefined }),
  fc.option(section('egress', 'to'), { nil: undefined }), fc.option(section('egressDeny', 'to'), { nil: undefined }),
  fc.option(fc.record({ ingress: fc.boolean(), egress: fc.boolean() }), { nil: undefined }),
  fc.boolean(),
).map(([sub, ...rest]) => {
  const [i, id, e, ed, dd, clusterwide] = rest;
  const body = [i, id, e, ed].filter(Boolean);
  if (body.length === 0) return '';
  const kind = clusterwide ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy';
  const dds = dd ? `  enableDefaultDeny: {ingress: ${dd.ingress}, egress: ${dd.egress}}\n` : '';
  return `---\napiVersion: cilium.io/v2\nkind: ${kind}\nmetadata: {name: p${Math.random().toString(36).slice(2, 8)}${clusterwide ? '' : ', namespace: default'}}\nspec:\n  endpointSelector: ${sub}\n${dds}${body.join('\n')}\n`;
});

const pods = ['a', 'b', 'other/c'];
const probe = fc.record({
  from: fc.constantFrom(...pods), to: fc.constantFrom(...pods),
  protocol: fc.constantFrom<L4Protocol>('TCP', 'UDP', 'ICMP'), port: fc.constantFrom(80, 85, 443, 53),
});

test('compiled engine = reference evaluator on random policies', () => {
  fc.assert(fc.property(fc.array(rule, { maxLength: 4 }), fc.array(probe, { minLength: 1, maxLength: 6 }), (policies, probes) => {
    const engine = engineFor(policies.join(''));
    for (const p of probes) {
      const from = engine.table.identityOfPod(podRef(p.from))!;
      const to = engine.table.identityOfPod(podRef(p.to))!;
      const port = p.protocol === 'ICMP' ? 8 : p.port;
      const ref = referenceAllows(engine.normalized.rules, engine.table, from, to, p.protocol, port);
      const fast = engine.allowsBetween(from, to, p.protocol, port);
      const full = engine.evaluate(query(engine, { from: p.from, to: p.to, protocol: p.protocol, ...(p.protocol === 'ICMP' ? { icmpType: 8 } : { port }) }));
      assert.equal(fast, ref, `bulk path vs reference for ${JSON.stringify(p)}\n${policies.join('')}`);
      assert.equal(full.verdict === 'allow', ref, `explained path vs reference for ${JSON.stringify(p)}: ${full.reason}\n${policies.join('')}`);
    }
  }), { numRuns: 300 });
});

function podRef(s: string) {
  const [namespace, name] = s.includes('/') ? s.split('/') : ['default', s];
  return { namespace: namespace!, name: name! };
}
