/**
 * The virtual cluster as kubectl and the `polis serve` API server drive it:
 * apply and delete by kind, namespace and name, pods that keep their names
 * and addresses across changes, a policy applied between two commands
 * changing the next verdict, the API server refusing what its schema
 * refuses, and the ways a pod is named for exec.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { VirtualCluster } from './virtual-cluster.js';
import { parseScenarios, runScenario, execLine } from './scenario.js';

const read = (p: string) => ({ path: p, text: readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8') });
const APP = read('examples/demo/app.yaml');
const DENY_ALL = read('examples/stories/1-database-lockdown/database-deny-all.yaml');
const DB_POLICY = read('examples/stories/1-database-lockdown/database-policy.yaml');
const ipsOf = (vc: VirtualCluster) => new Map(vc.session.workspace.cluster.pods.map((p) => [`${p.namespace}/${p.name}`, `${p.ip}@${p.nodeName}`]));

describe('VirtualCluster', () => {
  test('a policy applied between two commands changes the next verdict; deleting it restores the first', () => {
    const vc = new VirtualCluster([APP]);
    assert.equal(vc.exec('deploy/backend', ['curl', '-s', '-m', '2', 'database']).exitCode, 0);
    assert.deepEqual(vc.apply([DENY_ALL]).filter((d) => d.severity === 'error'), []);
    assert.equal(vc.exec('deploy/backend', ['curl', '-s', '-m', '2', 'database']).exitCode, 28);
    vc.delete([DENY_ALL]);
    assert.equal(vc.exec('deploy/backend', ['curl', '-s', '-m', '2', 'database']).exitCode, 0);
  });

  test('kubectl apply semantics: an object of the same kind, namespace and name is replaced, not duplicated', () => {
    const vc = new VirtualCluster([APP, DENY_ALL]);
    vc.apply([DB_POLICY]);
    assert.equal(vc.session.workspace.policies.length, 1);
    assert.deepEqual(vc.lastChanges.map((c) => [c.resource, c.name, c.changed]), [['ciliumnetworkpolicy.cilium.io', 'database-policy', true]]);
    vc.apply([DB_POLICY]);
    assert.deepEqual(vc.lastChanges.map((c) => c.changed), [false], 'the same text again is unchanged');
    assert.equal(vc.exec('deploy/backend', ['curl', '-s', '-m', '2', 'database']).exitCode, 0, 'the second version allows the backend');
  });

  test('pods keep their names, nodes and addresses while objects are applied and deleted', () => {
    const vc = new VirtualCluster([APP]);
    const before = ipsOf(vc);
    const early = { path: 'aaa.yaml', text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: aaa, namespace: default}\nspec:\n  replicas: 3\n  selector: {matchLabels: {app: aaa}}\n  template:\n    metadata: {labels: {app: aaa}}\n    spec: {containers: [{name: c, image: x}]}\n' };
    vc.apply([early]);
    const after = ipsOf(vc);
    for (const [pod, where] of before) assert.equal(after.get(pod), where, `${pod} moved`);
    assert.equal(after.size, before.size + 3);
    vc.delete([early]);
    assert.deepEqual(ipsOf(vc), before);
  });

  test('setSources replaces the whole state and returns the load diagnostics', () => {
    const vc = new VirtualCluster([APP, DENY_ALL]);
    const d = vc.setSources([APP, read('examples/broken/story5-invalid-cidr.yaml')]);
    assert.ok(d.some((x) => x.severity === 'error' && /172\.224\.3\/32/.test(x.message)));
    assert.equal(vc.session.workspace.policies.some((p) => p.ref.name === 'database-policy'), false);
  });

  test('the API server refuses what breaks the CRD schema: not stored, the previous version stays in force', () => {
    const vc = new VirtualCluster([APP, DENY_ALL]);
    const broken = { path: 'bad.yaml', text: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: database-policy, namespace: default}\nspec: 42\n' };
    const d = vc.apply([broken]);
    assert.ok(d.some((x) => VirtualCluster.refusedByApiServer(x)));
    assert.equal(vc.exec('deploy/backend', ['curl', '-s', '-m', '2', 'database']).exitCode, 28, 'deny-all is still in force');
  });

  test('deleting what is not there is a warning, as kubectl reports NotFound', () => {
    const vc = new VirtualCluster([APP]);
    assert.ok(vc.delete([DENY_ALL]).some((d) => d.code === 'not-found'));
  });

  test('exec names a pod as kubectl does, or answers NotFound (exit 1)', () => {
    const vc = new VirtualCluster([APP]);
    const pod = vc.session.workspace.cluster.pods.find((p) => p.owner.name === 'backend')!;
    for (const ref of [pod.name, `default/${pod.name}`, 'deploy/backend', 'deployment/backend', 'default/deploy/backend', 'default/backend']) {
      assert.equal(vc.exec(ref, ['hostname']).stdout, `${pod.name}\n`, ref);
    }
    const r = vc.exec('ghost', ['true']);
    assert.deepEqual([r.exitCode, r.stderr], [1, 'Error from server (NotFound): pods "ghost" not found\n']);
    assert.equal(vc.exec('world:203.0.113.9', ['hostname']).stdout, 'localhost\n');
  });

  test('a command on a node (node:NAME) runs as the node\'s host: reserved identity 1 on its own node (pkg/identity/numericidentity.go ReservedIdentityHost)', () => {
    const vc = new VirtualCluster([APP]);
    const db = vc.session.workspace.cluster.pods.find((p) => p.owner.name === 'database')!;
    const r = vc.exec(`node:${db.nodeName}`, ['curl', '-s', '-m', '1', `http://${db.ip}:7379/PING`]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.flows[0]!.source!.identity, 1);
    assert.equal(r.flows[0]!.ip!.destination, db.ip);
  });

  test('the virtual clock starts at --now and is the same on every run', () => {
    const a = new VirtualCluster([APP], { now: new Date('2024-03-14T13:55:24Z') });
    const b = new VirtualCluster([APP], { now: new Date('2024-03-14T13:55:24Z') });
    const ra = a.exec('deploy/backend', ['curl', '-s', 'database']);
    const rb = b.exec('deploy/backend', ['curl', '-s', 'database']);
    assert.deepEqual(ra.flows, rb.flows);
    assert.equal(ra.startedAt, '2024-03-14T13:55:24.000Z');
  });

  test('flows.subscribe streams each flow as it happens (what `polis serve` follows)', () => {
    const vc = new VirtualCluster([APP]);
    const got: string[] = [];
    const stop = vc.flows.subscribe((f) => got.push(f.uuid ?? ''));
    const r = vc.exec('deploy/backend', ['curl', '-s', 'database']);
    stop();
    assert.deepEqual(got, r.flows.map((f) => f.uuid));
    assert.equal(new Set(got).size, got.length, 'uuids are unique');
  });

  test('toFQDNs works for names with a made-up address too: the engine learns the names its selectors match', () => {
    const vc = new VirtualCluster([APP, read('examples/stories/3-backend-dns-egress/backend-policy.yaml')]);
    assert.equal(vc.exec('deploy/backend', ['curl', '-s', '-m', '2', 'api.github.com']).exitCode, 28, 'not *.cloud.google.com');
    const r = vc.exec('deploy/backend', ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'pubsub.cloud.google.com']); // one label under *.cloud.google.com (a * never spans a dot)
    assert.deepEqual([r.exitCode, r.stdout], [0, '200']);
    // A policy applied later that selects an earlier name: the name is known to it too.
    const later = { path: 'gh.yaml', text: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: gh, namespace: default}\nspec:\n  endpointSelector: {matchLabels: {tier: backend}}\n  egress:\n    - toFQDNs: [{matchName: api.github.com}]\n' };
    vc.apply([later]);
    assert.equal(vc.exec('deploy/backend', ['curl', '-s', '-m', '2', '-o', '/dev/null', '-w', '%{http_code}', 'api.github.com']).stdout, '200');
  });

  test('external names without an answer get a stable address in 198.18.0.0/15, and the same one every time', () => {
    const vc = new VirtualCluster([APP]);
    const a = vc.exec('deploy/backend', ['dig', '+short', 'api.github.com']).stdout;
    assert.match(a, /^198\.1[89]\.\d+\.\d+\n$/);
    assert.equal(new VirtualCluster([APP]).exec('deploy/backend', ['dig', '+short', 'api.github.com']).stdout, a);
  });
});

describe('scenarios', () => {
  test('kubectl exec lines: -n, -it, -c and -- are understood', () => {
    assert.deepEqual(execLine(['kubectl', 'exec', '-it', 'curl', '-n', 'galaxy', '--', 'curl', '-s', 'x']), { pod: 'galaxy/curl', argv: ['curl', '-s', 'x'] });
    assert.deepEqual(execLine(['kubectl', 'exec', 'deploy/backend', '-c', 'api', '--', 'ls']), { pod: 'deploy/backend', argv: ['ls'] });
    assert.deepEqual(execLine(['kubectl', 'exec', '-n', 'x', 'deploy/y', '--', 'ls']), { pod: 'x/deploy/y', argv: ['ls'] });
    assert.deepEqual(execLine(['curl', 'x'], 'default/a'), { pod: 'default/a', argv: ['curl', 'x'] });
  });

  test('a misspelt field, two actions in one step and bad observe flags are errors at their line', () => {
    const text = 'apiVersion: polis.dev/v1alpha1\nkind: Scenario\nmetadata: {name: s}\nspec:\n  steps:\n    - run: a b\n      expct: {exitCode: 0}\n    - {run: a b, observe: ""}\n    - observe: --frobnicate x\n';
    const { diagnostics } = parseScenarios({ path: 's.yaml', text });
    const lines = diagnostics.map((d) => `${d.location?.line}: ${d.message}`);
    assert.ok(lines.some((l) => l.startsWith('7:') && /expct/.test(l)), lines.join('\n'));
    const fixed = text.replace('expct', 'expect');
    const again = parseScenarios({ path: 's.yaml', text: fixed }).diagnostics.map((d) => `${d.location?.line}: ${d.message}`);
    assert.ok(again.some((l) => l.startsWith('8:') && /one thing/.test(l)), again.join('\n'));
    assert.ok(again.some((l) => l.startsWith('9:') && /frobnicate/.test(l)), again.join('\n'));
  });

  test('a failed expectation stops the run at its step, with what was expected and what came', () => {
    const text = 'apiVersion: polis.dev/v1alpha1\nkind: Scenario\nmetadata: {name: s}\nspec:\n  steps:\n    - apply: examples/demo/app.yaml\n    - run: deploy/frontend curl -s -o /dev/null -w "%{http_code}" backend\n      expect: {stdout: "403"}\n    - run: deploy/frontend true\n';
    const { scenarios } = parseScenarios({ path: 's.yaml', text });
    const r = runScenario(scenarios[0]!, (p) => ({ sources: [read(p)] }));
    assert.equal(r.passed, false);
    assert.equal(r.steps.length, 2);
    assert.equal(r.steps[1]!.step.location.line, 7);
    assert.deepEqual(r.steps[1]!.failures, ['expected stdout "403", got "200"']);
  });

  for (const file of ['examples/tutorial/scenario.yaml', 'examples/knp-echo/scenario.yaml']) {
    test(`the seed scenario ${file} passes, every step`, () => {
      const { scenarios, diagnostics } = parseScenarios(read(file));
      assert.deepEqual(diagnostics, []);
      const dir = file.slice(0, file.lastIndexOf('/') + 1);
      const r = runScenario(scenarios[0]!, (p) => {
        const path = new URL(p, `file:///${dir}`).pathname.slice(1);
        try {
          return { sources: [read(path)] };
        } catch {
          return { error: `cannot read ${path}` };
        }
      });
      const failed = r.steps.find((s) => s.failures.length > 0);
      assert.equal(failed, undefined, failed ? `${failed.step.location.line}: ${failed.failures.join('\n')}\n${failed.transcript}` : '');
      assert.equal(r.steps.length, scenarios[0]!.steps.length);
    });
  }
});
