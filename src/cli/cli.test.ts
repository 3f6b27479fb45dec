/**
 * The `polis` command in-process: exit codes, output formats, stdin, and the
 * tutorial's examples, including the broken ones.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main.js';
import { memoryIO } from './io.js';

async function run(args: string[], stdin = '') {
  const io = memoryIO(stdin);
  const code = await main(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('polis validate', () => {
  test('the demo is valid', async () => {
    const r = await run(['validate', '-f', 'examples/demo']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^5 files, 10 objects, 3 policies: 0 errors, 0 warnings$/m);
    assert.match(r.out, /0 errors, 0 warnings\nvalid\n$/);
  });

  for (const story of ['1-database-lockdown', '2-database-vpn-cidr', '3-backend-dns-egress', '4-frontend-world-tcp', '5-docs-l7-vpn']) {
    test(`story ${story} is valid`, async () => {
      const r = await run(['validate', '-f', 'examples/demo/app.yaml', '-f', `examples/stories/${story}`]);
      assert.equal(r.code, 0, r.out);
    });
  }

  test('tutorial story 5 as printed: the invalid CIDR, at its line and column', async () => {
    const r = await run(['validate', '-f', 'examples/broken/story5-invalid-cidr.yaml']);
    assert.equal(r.code, 1);
    assert.match(r.out, /^examples\/broken\/story5-invalid-cidr\.yaml:18:15: error: 172\.224\.3\/32 is not a valid CIDR \(at spec\.ingress\[1\]\.fromCIDRSet\[0\]\.cidr\) \[invalid-cidr\]$/m);
    assert.match(r.out, /hint: an IPv4 address has four numbers/);
    assert.match(r.out, /CiliumNetworkPolicy default\/backend-policy is invalid/);
  });

  test('"Combining Policies" as printed: misindented YAML', async () => {
    const r = await run(['validate', '-f', 'examples/broken/combining-misindented.yaml']);
    assert.equal(r.code, 1);
    assert.match(r.out, /combining-misindented\.yaml:15:\d+: error: invalid YAML: /);
  });

  test('"Combining Policies" with the stray "-": valid, with a warning', async () => {
    const r = await run(['validate', '-f', 'examples/broken/combining-stray-dash.yaml']);
    assert.equal(r.code, 0);
    assert.match(r.out, /:19:7: warning: "- toPorts" starts a rule of its own/);
  });

  test('every problem is printed, not just the first', async () => {
    const r = await run(['validate', '-f', '-'], 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p}\nspec:\n  endpointSelector: {}\n  ingress:\n    - fromCIDR: [1.2.3]\n      toPort: []\n    - fromEntities: [world]\n      fromEndpoints: [{}]\n');
    assert.equal(r.code, 1);
    assert.match(r.out, /<stdin>:8:7: error: unknown field "toPort" \(did you mean "toPorts"\?\)/);
    assert.match(r.out, /<stdin>:7:18: error: 1\.2\.3 is not a valid CIDR/);
    assert.match(r.out, /<stdin>:9:7: error: fromEndpoints and fromEntities cannot be combined/);
    assert.match(r.out, /3 errors/);
  });

  test('-o json', async () => {
    const r = await run(['validate', '-o', 'json', '-f', 'examples/broken/story5-invalid-cidr.yaml']);
    const j = JSON.parse(r.out) as { valid: boolean; diagnostics: { code: string; line: number; col: number; path: string }[] };
    assert.equal(j.valid, false);
    assert.deepEqual(j.diagnostics.map((d) => [d.code, d.line, d.col, d.path]), [['invalid-cidr', 18, 15, 'spec.ingress[1].fromCIDRSet[0].cidr']]);
  });

  test('usage errors exit 2', async () => {
    assert.equal((await run(['validate'])).code, 2);
    assert.equal((await run(['validate', '-f', 'no/such/file.yaml'])).code, 2);
    assert.equal((await run(['validate', '-o', 'xml', '-f', 'examples/demo'])).code, 2);
    assert.equal((await run(['frobnicate'])).code, 2);
  });

  test('folders, -R, and skipped kinds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polis-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'a.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n');
    writeFileSync(join(dir, 'notes.txt'), 'not a manifest');
    writeFileSync(join(dir, 'sub', 'b.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n');
    const flat = await run(['validate', '-f', dir]);
    assert.match(flat.out, /1 file, 1 object/);
    assert.match(flat.out, /info: ConfigMap "c" is not used by polis and was skipped/);
    const deep = await run(['validate', '-R', '-f', dir]);
    assert.match(deep.out, /2 files, 2 objects/);
  });

  test('binary and empty files are reported, never crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polis-'));
    writeFileSync(join(dir, 'bin.yaml'), Buffer.from([0, 1, 2, 255, 0]));
    writeFileSync(join(dir, 'empty.yaml'), '');
    const r = await run(['validate', '-f', dir]);
    assert.equal(r.code, 1);
    assert.match(r.out, /bin\.yaml:1:1: error: file contains NUL bytes/);
    assert.equal(r.err, '');
  });
});

describe('polis get', () => {
  test('pods table', async () => {
    const r = await run(['get', 'pods', '-f', 'examples/demo']);
    assert.equal(r.code, 0);
    const lines = r.out.trimEnd().split('\n');
    assert.match(lines[0]!, /^NAMESPACE\s+NAME\s+IP\s+NODE\s+IDENTITY\s+OWNER$/);
    assert.equal(lines.length, 1 + 8);
    assert.match(r.out, /default\s+backend-\S+\s+10\.244\.1\.\d+\s+kind-worker\s+25\d\s+Deployment\/backend\n/);
  });

  test('services, policies, namespaces, nodes', async () => {
    assert.match((await run(['get', 'services', '-o', 'wide', '-f', 'examples/demo'])).out, /default\s+database\s+ClusterIP\s+\S+\s+80:7379\/TCP\s+tier=database/);
    assert.match((await run(['get', 'policies', '-f', 'examples/demo'])).out, /CiliumNetworkPolicy\s+default\s+backend-policy\s+1\s+yes\s+examples\/demo\/backend-policy\.yaml:6/);
    assert.match((await run(['get', 'namespaces', '--show-labels', '-f', 'examples/demo'])).out, /kube-system\s+no\s+kubernetes\.io\/metadata\.name=kube-system/);
    assert.match((await run(['get', 'nodes', '-f', 'examples/demo'])).out, /kind-worker\s+worker\s+172\.18\.0\.3\s+10\.244\.1\.0\/24/);
  });

  test('identities: reserved ones, then one per distinct label set', async () => {
    const r = await run(['get', 'identities', '-f', 'examples/demo']);
    assert.match(r.out, /^2\s+world\s+0\s+reserved:world$/m);
    assert.match(r.out, /^25\d\s+ID:25\d\s+2\s+.*k8s:tier=database$/m);
    assert.equal(r.out.match(/^25\d /gm)?.length, 4, 'backend, database, frontend, coredns');
    // The engine's table: the CIDR identities of the demo's two fromCIDR rules too (issue 7: 14, not 12).
    assert.equal(r.out.match(/^16777\d+\s+ID:16777\d+\s+0\s+cidr:/gm)?.length, 2);
  });

  test('-o json and -o yaml', async () => {
    const pods = JSON.parse((await run(['get', 'pods', '-o', 'json', '-f', 'examples/demo'])).out) as { name: string }[];
    assert.equal(pods.length, 8);
    assert.match((await run(['get', 'pods', '-o', 'yaml', '-f', 'examples/demo'])).out, /^- name: backend-/);
  });

  test('kubectl habits: short names, -n, -l, names, -o name and wide, --show-labels, -f a,b', async () => {
    const short = await run(['get', 'po', '-n', 'default', '-l', 'tier in (frontend,backend)', '-o', 'name', '-f', 'examples/demo/app.yaml,examples/demo/backend-policy.yaml']);
    assert.equal(short.code, 0, short.err);
    assert.match(short.out, /^(pod\/(frontend|backend)-\S+\n){4}$/);
    const cnp = await run(['get', 'cnp', 'backend-policy', '-f', 'examples/demo']);
    assert.match(cnp.out, /^KIND[^\n]+\nCiliumNetworkPolicy\s+default\s+backend-policy\s/);
    assert.equal(cnp.out.trimEnd().split('\n').length, 2);
    const cep = await run(['get', 'cep', '-n', 'default', '-f', 'examples/demo']);
    assert.match(cep.out, /database-\S+\s+25\d\s+true\s+true\s+10\.244\./);
    const wide = await run(['get', 'pods', '-o', 'wide', '-f', 'examples/demo']);
    assert.match(wide.out.split('\n')[0]!, /IDENTITY\s+OWNER\s+SERVICE-ACCOUNT\s+HOST-NETWORK\s+LABELS$/);
    for (const alias of ['svc', 'deploy', 'ns', 'no', 'netpol', 'ccnp', 'identity']) assert.equal((await run(['get', alias, '-f', 'examples/demo'])).code, 0, alias);
    assert.match((await run(['get', 'deploy', '-f', 'examples/demo'])).out, /default\s+frontend\s+2\s+examples\/demo\/app\.yaml:\d+/);
    const none = await run(['get', 'netpol', '-f', 'examples/demo']);
    assert.equal(none.out, 'No resources found.\n');
  });

  test('unknown resource is a usage error, with the nearest name', async () => {
    assert.match((await run(['get', 'servics', '-f', 'examples/demo'])).err, /did you mean "service"\?/);
    assert.equal((await run(['get', 'secrets', '-f', 'examples/demo'])).code, 2);
  });
});

describe('polis test on the tutorial (real engine)', () => {
  const stories = ['1-database-lockdown', '2-database-vpn-cidr', '3-backend-dns-egress', '4-frontend-world-tcp', '5-docs-l7-vpn'];
  for (const story of stories) {
    test(`user story ${story}: every case passes`, async () => {
      const policy = story.startsWith('1-') ? `examples/stories/${story}/database-policy.yaml` : `examples/stories/${story}`;
      const r = await run(['test', '-f', 'examples/demo/app.yaml', '-f', policy, '--tests', `examples/stories/${story}/connectivity-test.yaml`]);
      assert.equal(r.code, 0, r.out + r.err);
      assert.match(r.out, /^\d+ passed, 0 failed$/m);
    });
  }

  test('story 1 deny-all step: even the backend is denied', async () => {
    const r = await run(['test', '-o', 'json', '-f', 'examples/demo/app.yaml', '-f', 'examples/stories/1-database-lockdown/database-deny-all.yaml', '--tests', 'examples/stories/1-database-lockdown/connectivity-test.yaml']);
    const j = JSON.parse(r.out) as { results: { name: string; verdict: string }[] };
    const backend = j.results.find((x) => /backend/.test(x.name) && /database/.test(x.name));
    assert.equal(backend?.verdict, 'deny');
  });
});

describe('polis explain', () => {
  test('an allowed connection through a service: both sides with the rule and its file:line', async () => {
    const r = await run(['explain', '-f', 'examples/demo', '--from', 'default/backend', '--to', 'svc:default/database', '--port', '80']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^ALLOWED {2}default\/backend-\S+ → default\/database-\S+:7379\/TCP$/m);
    assert.match(r.out, /^egress at default\/backend-\S+ \(ID:\d+ → peer ID:\d+\): ALLOWED {2}policy-verdict:L3-L4 EGRESS$/m);
    assert.match(r.out, /✓ CiliumNetworkPolicy default\/backend-policy {2}spec\.egress\[0\] \(examples\/demo\/backend-policy\.yaml:\d+\)/);
    assert.match(r.out, /✓ CiliumNetworkPolicy default\/database-policy {2}spec\.ingress\[0\] \(examples\/demo\/database-policy\.yaml:\d+\)/);
  });

  test('a default deny names the policy that enforces it and the closest rule (why not)', async () => {
    const r = await run(['explain', '-f', 'examples/demo', '--from', 'ip:203.0.113.9', '--to', 'default/database', '--port', '7379']);
    assert.match(r.out, /^DENIED /);
    assert.match(r.out, /Policy denied: default deny/);
    assert.match(r.out, /default deny: CiliumNetworkPolicy default\/database-policy \(examples\/demo\/database-policy\.yaml:\d+\) selects this endpoint for ingress/);
    assert.match(r.out, /peer 203\.0\.113\.9 \(world\) is not selected by fromEndpoints: tier=backend/);
  });

  test('an HTTP request denied at L7 gets 403', async () => {
    const r = await run(['explain', '-f', 'examples/demo', '--from', 'ip:172.27.224.3', '--to', 'default/backend', '--port', '80', '--http-method', 'GET', '--http-path', '/admin']);
    assert.match(r.out, /L7 \(HTTP, ingress proxy\): denied → 403 Access denied: GET \/admin matches none of the HTTP rules/);
  });

  test('-o json gives the same as data', async () => {
    const r = await run(['explain', '-o', 'json', '-f', 'examples/demo', '--from', 'default/frontend', '--to', 'default/backend', '--port', '80']);
    const j = JSON.parse(r.out) as { verdict: string; explanation: { ingress: { decidedBy: { path: string; location: { line: number } }[] } } };
    assert.equal(j.verdict, 'allow');
    assert.equal(j.explanation.ingress.decidedBy[0]?.path, 'spec.ingress[0]');
    assert.ok(j.explanation.ingress.decidedBy[0]!.location.line > 1);
  });

  test('exit codes as the README gives them: 0 for any verdict, also DENIED; 1 with invalid manifests, the verdict still given', async () => {
    const deny = await run(['explain', '-f', 'examples/demo', '--from', 'ip:203.0.113.9', '--to', 'default/database', '--port', '7379']);
    assert.match(deny.out, /^DENIED /);
    assert.equal(deny.code, 0);
    const invalid = await run(['explain', '-f', 'examples/demo/app.yaml', '-f', 'examples/broken/story5-invalid-cidr.yaml', '--from', 'default/frontend', '--to', 'default/backend', '--port', '80']);
    assert.equal(invalid.code, 1);
    assert.match(invalid.out, /^ALLOWED /);
    assert.match(invalid.err, /^warning: the manifests have 1 error\(s\)/m);
    assert.equal((await run(['explain', '-f', 'examples/demo', '--from', 'default/frontend'])).code, 2, 'a required flag missing');
    assert.equal((await run(['explain', '-f', 'no/such/dir', '--from', 'default/frontend', '--to', 'default/backend', '--port', '80'])).code, 2, 'nothing could be read');
  });

  test('an endpoint that names nothing is a usage error, not a deny', async () => {
    const r = await run(['explain', '-f', 'examples/demo', '--from', 'default/nosuch', '--to', 'default/backend', '--port', '80']);
    assert.equal(r.code, 2);
    assert.match(r.err, /nosuch/);
    assert.equal((await run(['explain', '-f', 'examples/demo', '--from', 'nonsense', '--to', 'default/backend'])).code, 2);
  });

  test('a service by DNS name or ClusterIP: the backend decides, as with svc:', async () => {
    const svc = await run(['explain', '-f', 'examples/demo', '--from', 'default/frontend', '--to', 'svc:default/database', '--port', '80']);
    assert.match(svc.out, /^DENIED {2}default\/frontend-\S+ → default\/database-\S+:7379\/TCP$/m);
    for (const to of ['database', 'database.default', 'database.default.svc.cluster.local', 'ip:10.96.0.10']) {
      const r = await run(['explain', '-f', 'examples/demo', '--from', 'default/frontend', '--to', to, ...(to.startsWith('ip:') ? ['--port', '53/UDP'] : ['--port', '80'])]);
      assert.equal(r.code, 0, `${to}: ${r.err}`);
      if (!to.startsWith('ip:')) assert.equal(r.out, svc.out, to);
      else assert.match(r.out, /→ kube-system\/coredns-\S+:53\/UDP$/m, 'kube-dns, not world');
    }
  });

  test('a Service as the source is a usage error with a hint', async () => {
    for (const from of ['svc:default/backend', 'backend.default', 'ip:10.96.0.10']) {
      const r = await run(['explain', '-f', 'examples/demo', '--from', from, '--to', 'default/database', '--port', '7379']);
      assert.equal(r.code, 2, from);
      assert.match(r.err, /is a Service, and a Service never sends traffic/);
      assert.match(r.err, /hint: name a pod or workload as the source, e.g. (default\/backend|kube-system\/coredns)/);
    }
  });
});

describe('polis explain: flags that cannot describe one connection are usage errors', () => {
  const base = ['explain', '-f', 'examples/demo', '--from', 'default/frontend', '--to', 'default/backend'];
  const rows: { name: string; flags: string[]; err: RegExp }[] = [
    { name: 'port 0', flags: ['--port', '0'], err: /--port 0: a port is a number from 1 to 65535/ },
    { name: 'port above 65535', flags: ['--port', '65536'], err: /--port 65536: a port is a number from 1 to 65535/ },
    { name: 'not a port', flags: ['--port', 'http'], err: /--port http is not a port such as 80 or 53\/UDP/ },
    { name: '80/TCP with --protocol UDP', flags: ['--port', '80/TCP', '--protocol', 'UDP'], err: /--port 80\/TCP says TCP but --protocol says UDP; give the protocol once/ },
    { name: 'a port on ICMP', flags: ['--port', '80', '--protocol', 'ICMP'], err: /--port does not go with --protocol ICMP: ICMP has no ports/ },
    { name: 'ICMP after the slash', flags: ['--port', '80/ICMP'], err: /ICMP has no ports/ },
    { name: 'an unknown protocol after the slash', flags: ['--port', '80/QUIC'], err: /the protocol after \/ is TCP, UDP or SCTP/ },
    { name: 'an ICMP type on TCP', flags: ['--port', '80', '--icmp-type', '8'], err: /--icmp-type goes with --protocol ICMP or ICMPv6/ },
    { name: 'an unknown ICMP type', flags: ['--protocol', 'ICMP', '--icmp-type', 'Ping'], err: /--icmp-type Ping is not an IPv4 ICMP type/ },
    { name: 'HTTP over UDP', flags: ['--port', '80/UDP', '--http-path', '/'], err: /an HTTP request .* goes over TCP, not UDP/ },
    { name: 'a DNS answer that is not an address', flags: ['--port', '80', '--dns-answer', 'x.com=1.2.3'], err: /--dns-answer x\.com=1\.2\.3: "1\.2\.3" is not an IP address/ },
    { name: 'a DNS answer without =', flags: ['--port', '80', '--dns-answer', 'x.com'], err: /--dns-answer x\.com must look like NAME=IP/ },
  ];
  for (const row of rows) {
    test(row.name, async () => {
      const r = await run([...base, ...row.flags]);
      assert.equal(r.code, 2, r.out);
      assert.match(r.err, row.err);
      assert.equal(r.out, '', 'no verdict for a question that was not asked');
    });
  }

  test('the protocol written twice, the same, is fine; lower case after the slash too', async () => {
    for (const flags of [['--port', '80/TCP', '--protocol', 'TCP'], ['--port', '80/tcp']]) {
      const r = await run([...base, ...flags]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^ALLOWED .*:80\/TCP$/m);
    }
  });

  test('a ping needs no port', async () => {
    const r = await run([...base, '--protocol', 'ICMP']);
    assert.equal(r.code, 0, r.err);
  });
});

describe('polis explain: DNS answers', () => {
  const base = ['explain', '-f', 'examples/demo', '--from', 'default/frontend', '--to', 'fqdn:api.example.com', '--port', '443'];
  test('a name without an answer: the hint names the flag explain takes, and following it works', async () => {
    const r = await run(base);
    assert.equal(r.code, 2);
    assert.match(r.err, /api\.example\.com has no address: give one with --dns-answer \[no-dns-answer\]/);
    assert.match(r.err, /hint: add --dns-answer api\.example\.com=203\.0\.113\.10/);
    assert.doesNotMatch(r.err, /spec\.dns/);
    const followed = await run([...base, '--dns-answer', 'api.example.com=203.0.113.10']);
    assert.equal(followed.code, 0, followed.err);
    assert.match(followed.out, /^DENIED {2}default\/frontend-\S+ → api\.example\.com:443\/TCP$/m, 'a verdict, not a usage error');
  });
});

describe('one policy name defined twice: validate and explain agree that the last definition is in force', () => {
  const pods = 'apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: default, labels: {app: a}}\nspec: {containers: [{name: c, image: x}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: default, labels: {app: b}}\nspec: {containers: [{name: c, image: x}]}\n';
  const policy = (from: string) => `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: lock-b, namespace: default}\nspec:\n  endpointSelector: {matchLabels: {app: b}}\n  ingress:\n    - fromEndpoints: [{matchLabels: {app: ${from}}}]\n`;
  const setup = (...policies: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'polis-'));
    writeFileSync(join(dir, 'pods.yaml'), pods);
    policies.forEach((p, i) => writeFileSync(join(dir, `${i + 1}-policy.yaml`), p));
    return dir;
  };
  const explain = (dir: string) => run(['explain', '-f', dir, '--from', 'default/a', '--to', 'default/b', '--port', '80']);

  test('first allows a, the later one does not: validate names the later as in force, explain denies by it', async () => {
    const dir = setup(policy('a'), policy('nobody'));
    const v = await run(['validate', '-f', dir]);
    assert.equal(v.code, 0, 'a duplicate is a warning');
    const second = `${join(dir, '2-policy.yaml')}:1`;
    assert.ok(v.out.includes(`1-policy.yaml:3:18: warning: CiliumNetworkPolicy default/lock-b is defined more than once: the definition at ${second} is in force, not this one`), v.out);
    assert.match(v.out, /3 files, 4 objects, 1 policy: 0 errors, 1 warning/);
    const e = await explain(dir);
    assert.equal(e.code, 0, e.err);
    assert.match(e.out, /^DENIED /);
    assert.ok(e.out.includes(`CiliumNetworkPolicy default/lock-b (${join(dir, '2-policy.yaml')}:`), e.out);
    assert.ok(!e.out.includes('1-policy.yaml'), 'the replaced definition plays no part');
    assert.ok(e.err.includes(`note: ${join(dir, '1-policy.yaml')}:3: CiliumNetworkPolicy default/lock-b is defined more than once: the definition at ${second} is in force`), e.err);
  });

  test('in the other order, the other verdict: the order of the input decides, as with kubectl apply', async () => {
    const e = await explain(setup(policy('nobody'), policy('a')));
    assert.match(e.out, /^ALLOWED /);
    assert.match(e.out, /✓ CiliumNetworkPolicy default\/lock-b {2}spec\.ingress\[0\] \(\S+2-policy\.yaml:\d+\)/);
  });

  test('a later definition the API server refuses does not replace the earlier one', async () => {
    const dir = setup(policy('a'), policy('nobody').replace('fromEndpoints', 'fromEndpoint'));
    const v = await run(['validate', '-f', dir]);
    assert.equal(v.code, 1);
    assert.match(v.out, /unknown field "fromEndpoint"/);
    assert.ok(v.out.includes(`the API server refuses this later definition (see its errors), so the one at ${join(dir, '1-policy.yaml')}:1 stays in force`), v.out);
    const e = await explain(dir);
    assert.match(e.out, /^ALLOWED /);
    assert.match(e.out, /\S+1-policy\.yaml:\d+\)/);
  });
});

describe('agent settings', () => {
  test('--policy-enforcement always denies where no policy selects', async () => {
    const args = ['explain', '-f', 'examples/demo/app.yaml', '--from', 'default/frontend', '--to', 'default/backend', '--port', '80'];
    assert.match((await run(args)).out, /^ALLOWED/);
    assert.match((await run([...args, '--policy-enforcement', 'always'])).out, /^DENIED/);
  });

  test('--host-firewall enforces host policies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polis-'));
    writeFileSync(join(dir, 'host.yaml'), 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: lock-host}\nspec:\n  nodeSelector: {}\n  egress:\n    - {}\n');
    const args = ['explain', '-f', 'examples/demo/app.yaml', '-f', join(dir, 'host.yaml'), '--from', 'ip:172.18.0.3', '--to', 'default/backend', '--port', '80'];
    assert.match((await run(args)).out, /^ALLOWED/);
    assert.match((await run([...args, '--host-firewall'])).out, /^DENIED/);
  });

  test('--sni: a TLS server name is judged against serverNames (pkg/policy/api/l4.go PortRule.ServerNames)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polis-'));
    writeFileSync(join(dir, 'sni.yaml'), 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: sni, namespace: default}\nspec:\n  endpointSelector: {matchLabels: {tier: backend}}\n  egress:\n    - toCIDR: [198.51.100.0/24]\n      toPorts: [{ports: [{port: "443", protocol: TCP}], serverNames: [api.example.com]}]\n');
    const args = ['explain', '-f', 'examples/demo/app.yaml', '-f', join(dir, 'sni.yaml'), '--from', 'default/backend', '--to', 'ip:198.51.100.7', '--port', '443'];
    assert.match((await run(args)).out, /^ALLOWED[^]*SNI filter applies/);
    assert.match((await run([...args, '--sni', 'api.example.com'])).out, /^ALLOWED/);
    assert.match((await run([...args, '--sni', 'evil.example'])).out, /^DENIED[^]*SNI filter/);
  });

  test('--policy-cidr-match-mode nodes lets a CIDR rule select a node (Cilium policy-cidr-match-mode, cilium/cilium#28421)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polis-'));
    writeFileSync(join(dir, 'cidr.yaml'), 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: from-nodes, namespace: default}\nspec:\n  endpointSelector: {matchLabels: {tier: backend}}\n  ingress:\n    - fromCIDR: [172.18.0.0/16]\n');
    const args = ['explain', '-f', 'examples/demo/app.yaml', '-f', join(dir, 'cidr.yaml'), '--from', 'ip:172.18.0.2', '--to', 'default/backend', '--port', '80'];
    assert.match((await run(args)).out, /^DENIED/);
    assert.match((await run([...args, '--policy-cidr-match-mode', 'nodes'])).out, /^ALLOWED/);
  });
});

describe('polis --version and --help', () => {
  test('--version prints the version and loads no command module', async () => {
    const { commandsFor } = await import('./commands/index.js');
    assert.deepEqual(await commandsFor(['--version']), []);
    assert.equal((await commandsFor(['test', '-f', 'x'])).length, 1);
    const r = await run(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.out, '0.1.0\n');
  });
  test('--help lists every command', async () => {
    const { COMMAND_ENTRIES } = await import('./commands/index.js');
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    for (const c of COMMAND_ENTRIES) assert.match(r.out, new RegExp(`^  ${c.name}\\b`, 'm'), c.name);
  });
});
