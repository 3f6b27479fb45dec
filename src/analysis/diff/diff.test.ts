/**
 * The semantic diff on adding, removing and changing each kind of rule
 * (table), identities matched by labels and names rather than numbers, and
 * `git:REV:PATH` through the CLI.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from '../../usecases/session.js';
import { diffSessions } from '../../usecases/diff.js';
import { main } from '../../cli/main.js';
import { memoryIO } from '../../cli/io.js';

const deploy = (name: string, port: number, ns = 'default') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, ports: [{containerPort: ${port}}]}]}
`;
const APP = [deploy('web', 8080), deploy('api', 9000), deploy('db', 5432)].join('---\n');
const cnp = (name: string, spec: string) => `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: ${name}, namespace: default}\nspec:\n${spec}`;
const API_FROM_WEB = (port: string, extra = '') => cnp('api', `  endpointSelector: {matchLabels: {app: api}}\n  ingress:\n    - fromEndpoints: [{matchLabels: {app: web}}]\n      toPorts: [{ports: [{port: "${port}", protocol: TCP}]${extra}}]\n`);

function diff(before: string, after: string) {
  const s = (p: string) => Session.load([{ path: 'app.yaml', text: APP }, { path: 'p.yaml', text: p }]);
  const d = diffSessions(s(before), s(after));
  return d.changes.map((c) => `${c.kind} ${c.from} → ${c.to} ${c.ports}`);
}

interface Case {
  readonly name: string;
  readonly before: string;
  readonly after: string;
  /** Changes expected (exactly, or only these among others with `some`). */
  readonly expect: readonly string[];
  readonly some?: true;
  readonly reason?: RegExp;
}

const CASES: readonly Case[] = [
  {
    name: 'adding an allow rule (fromEndpoints): newly allowed; the policy also turns default deny on for the others',
    before: '', after: API_FROM_WEB('9000'), some: true,
    expect: ['allowed default/web → default/api 9000/TCP'.replace('allowed', 'denied').replace('9000/TCP', '1-8999/TCP')],
  },
  {
    name: 'adding a second rule to an enforced policy: newly allowed on its port only',
    before: API_FROM_WEB('9000'),
    after: cnp('api', '  endpointSelector: {matchLabels: {app: api}}\n  ingress:\n    - fromEndpoints: [{matchLabels: {app: web}}]\n      toPorts: [{ports: [{port: "9000", protocol: TCP}]}]\n    - fromEndpoints: [{matchLabels: {app: db}}]\n      toPorts: [{ports: [{port: "9000", protocol: TCP}]}]\n'),
    expect: ['allowed default/db → default/api 9000/TCP'], reason: /spec\.ingress\[1\]/,
  },
  {
    name: 'removing that rule: newly denied, the old rule named on the before side',
    before: cnp('api', '  endpointSelector: {matchLabels: {app: api}}\n  ingress:\n    - fromEndpoints: [{matchLabels: {app: web}}]\n      toPorts: [{ports: [{port: "9000", protocol: TCP}]}]\n    - fromEndpoints: [{matchLabels: {app: db}}]\n      toPorts: [{ports: [{port: "9000", protocol: TCP}]}]\n'),
    after: API_FROM_WEB('9000'),
    expect: ['denied default/db → default/api 9000/TCP'],
  },
  {
    name: 'changing a port: the old one denied, the new one allowed',
    before: API_FROM_WEB('9000'), after: API_FROM_WEB('9001'),
    expect: ['denied default/web → default/api 9000/TCP', 'allowed default/web → default/api 9001/TCP'],
  },
  {
    name: 'changing a port to a range',
    before: API_FROM_WEB('9000'), after: API_FROM_WEB('9000').replace('protocol: TCP}', 'endPort: 9003, protocol: TCP}'),
    expect: ['allowed default/web → default/api 9001-9003/TCP'],
  },
  {
    name: 'adding a deny rule (ingressDeny wins over allows)',
    before: API_FROM_WEB('9000'),
    after: `${API_FROM_WEB('9000')}  ingressDeny:\n    - fromEndpoints: [{matchLabels: {app: web}}]\n      toPorts: [{ports: [{port: "9000", protocol: TCP}]}]\n`,
    expect: ['denied default/web → default/api 9000/TCP'], reason: /deny rule CiliumNetworkPolicy default\/api spec\.ingressDeny\[0\]/,
  },
  {
    name: 'adding HTTP rules to an L4 allow: L7 filtering changed',
    before: API_FROM_WEB('9000'), after: API_FROM_WEB('9000', ', rules: {http: [{method: GET}]}'),
    expect: ['l7 default/web → default/api 9000/TCP'],
  },
  {
    name: 'adding a CIDR rule: the CIDR (world before) newly allowed',
    before: API_FROM_WEB('9000'),
    after: `${API_FROM_WEB('9000')}    - fromCIDR: [203.0.113.0/24]\n      toPorts: [{ports: [{port: "9000", protocol: TCP}]}]\n`,
    expect: ['allowed 203.0.113.0/24 → default/api 9000/TCP'],
  },
  {
    name: 'adding an entity rule (fromEntities: world): the world and every CIDR end',
    before: API_FROM_WEB('9000'),
    after: `${API_FROM_WEB('9000')}    - fromEntities: [world]\n      toPorts: [{ports: [{port: "9000", protocol: TCP}]}]\n`,
    expect: ['allowed world → default/api 9000/TCP'],
  },
  {
    name: 'adding toFQDNs with its DNS rule: the name newly reachable',
    before: cnp('web', '  endpointSelector: {matchLabels: {app: web}}\n  egress:\n    - toEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]\n      toPorts: [{ports: [{port: "53", protocol: UDP}], rules: {dns: [{matchPattern: "*"}]}}]\n'),
    after: cnp('web', '  endpointSelector: {matchLabels: {app: web}}\n  egress:\n    - toEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]\n      toPorts: [{ports: [{port: "53", protocol: UDP}], rules: {dns: [{matchPattern: "*"}]}}]\n    - toFQDNs: [{matchName: api.example.com}]\n      toPorts: [{ports: [{port: "443", protocol: TCP}]}]\n'),
    expect: ['allowed default/web → fqdn:api.example.com 443/TCP'],
  },
  {
    name: 'changing a NetworkPolicy port (Kubernetes NetworkPolicy as Cilium translates it)',
    before: 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: n, namespace: default}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n    - from: [{podSelector: {matchLabels: {app: api}}}]\n      ports: [{port: 5432}]\n',
    after: 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: n, namespace: default}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress:\n    - from: [{podSelector: {matchLabels: {app: api}}}]\n      ports: [{port: 5433}]\n',
    expect: ['denied default/api → default/db 5432/TCP', 'allowed default/api → default/db 5433/TCP'],
  },
  {
    name: 'removing a whole egress section: egress no longer enforced, everything it blocked allowed',
    before: cnp('web', '  endpointSelector: {matchLabels: {app: web}}\n  egress:\n    - toEndpoints: [{matchLabels: {app: api}}]\n'),
    after: '',
    expect: ['allowed default/web → default/db all/TCP'], some: true,
  },
];

describe('diff on adding, removing and changing each kind of rule', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const got = diff(c.before, c.after);
      if (c.some) for (const e of c.expect) assert.ok(got.includes(e), `${e} not in ${JSON.stringify(got, null, 1)}`);
      else assert.deepEqual(got, c.expect);
      if (c.reason) {
        const s = (p: string) => Session.load([{ path: 'app.yaml', text: APP }, { path: 'p.yaml', text: p }]);
        const d = diffSessions(s(c.before), s(c.after));
        const r = d.changes[0]!.reasons();
        assert.match(`${r.before} | ${r.after}`, c.reason);
        assert.equal(d.changes[0]!.location()?.file, 'p.yaml');
      }
    });
  }
  test('no change: nothing', () => assert.deepEqual(diff(API_FROM_WEB('9000'), API_FROM_WEB('9000')), []));
});

describe('identities are matched by labels and names, not numbers', () => {
  test('a workload added before the others shifts every identity number, yet only it is reported', () => {
    const before = Session.load([{ path: 'app.yaml', text: APP }, { path: 'p.yaml', text: API_FROM_WEB('9000') }]);
    const after = Session.load([{ path: 'a.yaml', text: deploy('aaa', 1) }, { path: 'app.yaml', text: APP }, { path: 'p.yaml', text: API_FROM_WEB('9000') }]);
    const d = diffSessions(before, after);
    assert.deepEqual(d.added, ['default/aaa']);
    assert.deepEqual(d.changes.filter((c) => c.from !== 'default/aaa' && c.to !== 'default/aaa').map((c) => `${c.from} → ${c.to}`), []);
  });
});

describe('polis diff with git:REV:PATH', () => {
  test('the committed demo against the work tree: no change, exit 0', async () => {
    const io = memoryIO('');
    const code = await main(['diff', '--old', 'git:HEAD:examples/demo', '--new', 'examples/demo'], io);
    assert.equal(code, 0, io.stderr());
    assert.match(io.stdout(), /no change/);
  });
});
