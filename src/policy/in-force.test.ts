/**
 * Which definition is in force when one policy name is defined more than
 * once: the last one the API server stores (kubectl apply applies documents
 * in order, each replacing the stored object of its name), and the warning
 * `validate` gives about the others.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadWorkspace } from '../workspace/load.js';
import { policiesInForce } from './in-force.js';
import { validatePolicies } from './validate/index.js';
import { loadManifests } from '../manifest/load.js';

const cnp = (name: string, body: string, ns = 'namespace: default', kind = 'CiliumNetworkPolicy') =>
  `apiVersion: cilium.io/v2\nkind: ${kind}\nmetadata:\n  name: ${name}\n  ${ns}\nspec:\n  endpointSelector: {}\n  ${body}\n`;
const knp = (name: string, cidr: string) =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: default\nspec:\n  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: ${cidr}}}]}]\n`;
const GOOD_A = 'ingress: [{fromEntities: [world]}]';
const GOOD_B = 'ingress: [{fromEntities: [cluster]}]';
/** Stored by the API server (the CRD schema passes), refused by Cilium (`Rule.Sanitize`: two kinds of L3 peer in one rule). */
const CILIUM_REFUSES = 'ingress: [{fromCIDR: [10.0.0.0/8], fromEndpoints: [{}]}]';
// The CRD types CIDR `format: cidr` (pkg/policy/api/cidr.go): the API server refuses a CIDR that is not one.
const BAD_CIDR = 'ingress: [{fromCIDR: [1.2.3]}]';
/** Refused by the API server: not the CRD's shape. */
const API_REFUSES = 'ingress: [{fromEntitys: [world]}]';

/** The documents joined by `---`; each document is 8 lines long, so document i starts on line 9i+1. */
const docs = (...d: string[]) => d.join('---\n');
function resolve(text: string) {
  const { policies } = validatePolicies(loadManifests([{ path: 'p.yaml', text }]).objects);
  const r = policiesInForce(policies);
  const line = (p: (typeof policies)[number]) => p.object.location.line;
  return { inForce: r.inForce.map(line), superseded: r.superseded.map((s) => [line(s.policy), line(s.inForce), s.why]) };
}

describe('policiesInForce', () => {
  const rows: { name: string; text: string; inForce: number[]; superseded: unknown[] }[] = [
    { name: 'distinct names: all in force', text: docs(cnp('a', GOOD_A), cnp('b', GOOD_B)), inForce: [1, 10], superseded: [] },
    { name: 'two valid definitions: the last', text: docs(cnp('a', GOOD_A), cnp('a', GOOD_B)), inForce: [10], superseded: [[1, 10, 'later']] },
    { name: 'three definitions: the last, in input order', text: docs(cnp('a', GOOD_A), cnp('b', GOOD_A), cnp('a', GOOD_B), cnp('a', GOOD_A)), inForce: [10, 28], superseded: [[1, 28, 'later'], [19, 28, 'later']] },
    { name: 'the last is refused by the API server: the one before stays', text: docs(cnp('a', GOOD_A), cnp('a', API_REFUSES)), inForce: [1], superseded: [[10, 1, 'refused']] },
    { name: 'the last has a CIDR that is not one: the API server refuses it (CRD format: cidr), the one before stays', text: docs(cnp('a', GOOD_A), cnp('a', BAD_CIDR)), inForce: [1], superseded: [[10, 1, 'refused']] },
    { name: 'the last is stored but refused by Cilium: it replaces the first (and enforces nothing)', text: docs(cnp('a', GOOD_A), cnp('a', CILIUM_REFUSES)), inForce: [10], superseded: [[1, 10, 'later']] },
    { name: 'NetworkPolicy: an invalid CIDR is refused by the API server (its validation), so the first stays', text: docs(knp('a', '10.0.0.0/8'), knp('a', '10.0.0.0/33')), inForce: [1], superseded: [[10, 1, 'refused']] },
    { name: 'none stored: the last (which enforces nothing)', text: docs(cnp('a', API_REFUSES), cnp('a', API_REFUSES)), inForce: [10], superseded: [[1, 10, 'later']] },
    { name: 'namespace left out is "default"', text: docs(cnp('a', GOOD_A), cnp('a', GOOD_B, '# no namespace')), inForce: [10], superseded: [[1, 10, 'later']] },
    { name: 'other namespace: another object', text: docs(cnp('a', GOOD_A), cnp('a', GOOD_B, 'namespace: prod')), inForce: [1, 10], superseded: [] },
    { name: 'CNP and NetworkPolicy of one name: two objects', text: docs(cnp('a', GOOD_A), knp('a', '10.0.0.0/8')), inForce: [1, 10], superseded: [] },
    {
      name: 'cluster-wide: metadata.namespace means nothing, one object',
      text: docs(cnp('a', GOOD_A, 'namespace: x', 'CiliumClusterwideNetworkPolicy'), cnp('a', GOOD_B, 'namespace: y', 'CiliumClusterwideNetworkPolicy')),
      inForce: [10], superseded: [[1, 10, 'later']],
    },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const r = resolve(row.text);
      assert.deepEqual(r.inForce, row.inForce, 'in force');
      assert.deepEqual(r.superseded, row.superseded, 'superseded');
    });
  }
});

describe('the duplicate warning and the workspace agree', () => {
  test('the warning is at the replaced definition and names the one in force by file:line', () => {
    const ws = loadWorkspace([{ path: 'p.yaml', text: docs(cnp('a', GOOD_A), cnp('a', GOOD_B)) }]);
    const dups = ws.diagnostics.filter((d) => d.code === 'duplicate-object');
    assert.equal(dups.length, 1, 'one warning, from the policy layer only');
    const [d] = dups;
    assert.equal(d?.severity, 'warning');
    assert.deepEqual([d?.location?.file, d?.location?.line, d?.path], ['p.yaml', 4, 'metadata.name']);
    assert.equal(d?.message, 'CiliumNetworkPolicy default/a is defined more than once: the definition at p.yaml:10 is in force, not this one (kubectl apply keeps the last definition it can store)');
    assert.deepEqual(ws.policies.map((p) => p.object.location.line), [10], 'later layers see only the definition in force');
  });

  test('the definition in force is one Cilium refuses: the warning says the policy enforces nothing', () => {
    const ws = loadWorkspace([{ path: 'p.yaml', text: docs(cnp('a', GOOD_A), cnp('a', CILIUM_REFUSES)) }]);
    const d = ws.diagnostics.find((x) => x.code === 'duplicate-object');
    assert.match(d!.message, /the definition at p\.yaml:10 is in force, not this one \(kubectl apply keeps the last definition it can store\); Cilium refuses that one, so the policy enforces nothing$/);
    assert.deepEqual(ws.policies.map((p) => [p.object.location.line, p.valid]), [[10, false]]);
  });

  test('a later definition the API server refuses: the earlier stays, and the warning says why', () => {
    const ws = loadWorkspace([{ path: 'p.yaml', text: docs(cnp('a', GOOD_A), cnp('a', API_REFUSES)) }]);
    const d = ws.diagnostics.find((x) => x.code === 'duplicate-object');
    assert.equal(d?.location?.line, 13);
    assert.match(d!.message, /the API server refuses this later definition \(see its errors\), so the one at p\.yaml:1 stays in force$/);
    assert.ok(ws.diagnostics.some((x) => x.code === 'unknown-field'), 'its own errors are still reported');
    assert.deepEqual(ws.policies.map((p) => [p.object.location.line, p.valid]), [[1, true]]);
  });
});
