/**
 * Each lint rule with a case that fires and one that does not (table), the
 * seed tutorial's "Combining Policies" pitfall at the line of its stray "-",
 * and the configuration: --enable/--disable, severity overrides, the config
 * file, suppression by annotation.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Session } from '../../usecases/session.js';
import { lintWorkspace, parseLintConfig, type LintConfig } from './lint.js';
import { LINT_RULES } from './rules.js';

/** Two workloads in default (web listens on 8080/TCP, api on 9000/TCP), one in ns shop (team=blue). */
const APP = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: blue}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, ports: [{containerPort: 9000}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: cart, namespace: shop, labels: {app: cart}}
spec: {containers: [{name: c, ports: [{containerPort: 7000, protocol: TCP}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: default}
spec: {selector: {app: api}, clusterIP: 10.96.100.10, ports: [{port: 80, targetPort: 9000}]}
`;

const DNS = `
    - toEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]
      toPorts: [{ports: [{port: "53", protocol: UDP}], rules: {dns: [{matchPattern: "*"}]}}]`;

const cnp = (name: string, spec: string, meta = '') => `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: ${name}, namespace: default${meta}}\nspec:\n${spec}`;

function lint(policies: string, ...configs: LintConfig[]) {
  const s = Session.load([{ path: 'app.yaml', text: APP }, { path: 'p.yaml', text: policies }]);
  return lintWorkspace(s.workspace, s.inspectable(), ...configs).findings;
}

interface Case {
  readonly rule: string;
  readonly fires: string;
  readonly quiet: string;
  /** Line of the finding in p.yaml. */
  readonly line?: number;
}

// Each pair differs only in what the rule is about.
const CASES: readonly Case[] = [
  {
    rule: 'port-rule-without-peer', line: 8,
    fires: cnp('p', '  endpointSelector: {matchLabels: {app: web}}\n  egress:\n    - toCIDRSet: [{cidr: 192.168.1.22/32}]\n    - toPorts: [{ports: [{port: "443", protocol: TCP}]}]\n'),
    quiet: cnp('p', '  endpointSelector: {matchLabels: {app: web}}\n  egress:\n    - toCIDRSet: [{cidr: 192.168.1.22/32}]\n      toPorts: [{ports: [{port: "443", protocol: TCP}]}]\n'),
  },
  {
    // The same pitfall in a NetworkPolicy: "- ports" beside "- from".
    rule: 'port-rule-without-peer', line: 8,
    fires: 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: n, namespace: default}\nspec:\n  podSelector: {matchLabels: {app: api}}\n  ingress:\n    - from: [{podSelector: {matchLabels: {app: web}}}]\n    - ports: [{port: 9000}]\n',
    quiet: 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: n, namespace: default}\nspec:\n  podSelector: {matchLabels: {app: api}}\n  ingress:\n    - from: [{podSelector: {matchLabels: {app: web}}}]\n      ports: [{port: 9000}]\n',
  },
  {
    rule: 'dns-blocked', line: 6,
    fires: cnp('p', '  endpointSelector: {matchLabels: {app: web}}\n  egress:\n    - toEndpoints: [{matchLabels: {app: api}}]\n'),
    quiet: cnp('p', `  endpointSelector: {matchLabels: {app: web}}\n  egress:\n    - toEndpoints: [{matchLabels: {app: api}}]${DNS}\n`),
  },
  {
    // Semantics: names are learnt only from DNS answers the proxy saw (docs: "DNS Proxy"; semantics.md §5.3).
    rule: 'fqdn-not-learnt', line: 7,
    fires: cnp('p', '  endpointSelector: {matchLabels: {app: web}}\n  egress:\n    - toFQDNs: [{matchName: api.example.com}]\n    - toEndpoints: [{matchLabels: {io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]\n      toPorts: [{ports: [{port: "53", protocol: UDP}]}]\n'),
    quiet: cnp('p', `  endpointSelector: {matchLabels: {app: web}}\n  egress:\n    - toFQDNs: [{matchName: api.example.com}]${DNS}\n`),
  },
  {
    rule: 'port-any-protocol', line: 8,
    fires: cnp('p', '  endpointSelector: {matchLabels: {app: api}}\n  ingress:\n    - fromEndpoints: [{matchLabels: {app: web}}]\n      toPorts: [{ports: [{port: "9000"}]}]\n'),
    quiet: cnp('p', '  endpointSelector: {matchLabels: {app: api}}\n  ingress:\n    - fromEndpoints: [{matchLabels: {app: web}}]\n      toPorts: [{ports: [{port: "9000", protocol: TCP}]}]\n'),
  },
  {
    // Policy is checked after Service translation, on the target port (semantics.md §4.10).
    rule: 'port-not-listening', line: 8,
    fires: cnp('p', '  endpointSelector: {matchLabels: {app: api}}\n  ingress:\n    - fromEndpoints: [{matchLabels: {app: web}}]\n      toPorts: [{ports: [{port: "80", protocol: TCP}]}]\n'),
    quiet: cnp('p', '  endpointSelector: {matchLabels: {app: api}}\n  ingress:\n    - fromEndpoints: [{matchLabels: {app: web}}]\n      toPorts: [{ports: [{port: "9000", protocol: TCP}]}]\n'),
  },
  {
    rule: 'one-sided-allow', line: 7,
    fires: cnp('p', `  endpointSelector: {matchLabels: {app: web}}\n  egress:\n    - toEndpoints: [{matchLabels: {app: api}}]\n      toPorts: [{ports: [{port: "9000", protocol: TCP}]}]${DNS}\n---\n${cnp('q', '  endpointSelector: {matchLabels: {app: api}}\n  ingress:\n    - fromEndpoints: [{matchLabels: {app: cart}}]\n')}`),
    quiet: cnp('p', `  endpointSelector: {matchLabels: {app: web}}\n  egress:\n    - toEndpoints: [{matchLabels: {app: api}}]\n      toPorts: [{ports: [{port: "9000", protocol: TCP}]}]${DNS}\n---\n${cnp('q', '  endpointSelector: {matchLabels: {app: api}}\n  ingress:\n    - fromEndpoints: [{matchLabels: {app: web}}]\n')}`),
  },
  {
    rule: 'selects-nothing', line: 5,
    fires: cnp('p', '  endpointSelector: {matchLabels: {app: wbe}}\n  ingress:\n    - fromEndpoints: [{matchLabels: {app: api}}]\n'),
    quiet: cnp('p', '  endpointSelector: {matchLabels: {app: web}}\n  ingress:\n    - fromEndpoints: [{matchLabels: {app: api}}]\n'),
  },
  {
    // A CNP peer selector without a namespace term means the policy's own namespace (semantics.md §2.3): cart is in shop.
    rule: 'selects-nothing', line: 7,
    fires: cnp('p', '  endpointSelector: {matchLabels: {app: web}}\n  ingress:\n    - fromEndpoints: [{matchLabels: {app: cart}}]\n'),
    quiet: cnp('p', '  endpointSelector: {matchLabels: {app: web}}\n  ingress:\n    - fromEndpoints: [{matchLabels: {app: cart, io.kubernetes.pod.namespace: shop}}]\n'),
  },
  {
    rule: 'unknown-namespace', line: 3,
    fires: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p, namespace: shpo}\nspec:\n  endpointSelector: {}\n  ingress: [{}]\n',
    quiet: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  endpointSelector: {}\n  ingress: [{}]\n',
  },
  {
    // utils.go ParseToCiliumRule: a CNP's endpointSelector is pinned to its namespace (semantics.md §2.2).
    rule: 'namespace-in-cnp-selector', line: 5,
    fires: cnp('p', '  endpointSelector: {matchLabels: {app: web, io.kubernetes.pod.namespace: shop}}\n  ingress: [{}]\n'),
    quiet: cnp('p', '  endpointSelector: {matchLabels: {app: web}}\n  ingress: [{}]\n'),
  },
  {
    rule: 'ccnp-namespace-name', line: 5,
    fires: 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: c}\nspec:\n  endpointSelector: {matchLabels: {io.kubernetes.pod.namespace: blue}}\n  ingress: [{}]\n',
    quiet: 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: c}\nspec:\n  endpointSelector: {matchLabels: {io.kubernetes.pod.namespace: shop}}\n  ingress: [{}]\n',
  },
  {
    // CIDR identities never match pods (semantics.md §3.4, Cilium docs layer3 "CIDR-based").
    rule: 'cidr-covers-cluster', line: 7,
    fires: cnp('p', `  endpointSelector: {matchLabels: {app: web}}\n  egress:\n    - toCIDR: [10.0.0.0/8]${DNS}\n`),
    quiet: cnp('p', `  endpointSelector: {matchLabels: {app: web}}\n  egress:\n    - toCIDR: [192.168.0.0/16]${DNS}\n`),
  },
  {
    rule: 'cidr-targets-clusterip', line: 7,
    fires: cnp('p', `  endpointSelector: {matchLabels: {app: web}}\n  egress:\n    - toCIDR: [10.96.100.10/32]${DNS}\n`),
    quiet: cnp('p', `  endpointSelector: {matchLabels: {app: web}}\n  egress:\n    - toEndpoints: [{matchLabels: {app: api}}]${DNS}\n`),
  },
  {
    // pkg/policy/k8s/service.go processRule generates no peer, rule.go mergeEgress makes the ports a wildcard (cilium#20067).
    rule: 'toservices-any-peer', line: 7,
    fires: cnp('p', '  endpointSelector: {matchLabels: {app: web}}\n  egress:\n    - toServices: [{k8sService: {serviceName: nosuch, namespace: default}}]\n      toPorts: [{ports: [{port: "443", protocol: TCP}]}]\n'),
    quiet: cnp('p', '  endpointSelector: {matchLabels: {app: web}}\n  egress:\n    - toServices: [{k8sService: {serviceName: nosuch, namespace: default}}]\n'),
  },
  {
    // side.ts decideL7 (§5.4): a covering allow without L7 rules lets every request through.
    rule: 'l7-without-effect', line: 10,
    fires: cnp('p', '  endpointSelector: {matchLabels: {app: api}}\n  ingress:\n    - fromEndpoints: [{matchLabels: {app: web}}]\n      toPorts:\n        - ports: [{port: "9000", protocol: TCP}]\n          rules: {http: [{method: GET}]}\n    - fromEndpoints: [{matchLabels: {app: web}}]\n      toPorts: [{ports: [{port: "9000", protocol: TCP}]}]\n'),
    quiet: cnp('p', '  endpointSelector: {matchLabels: {app: api}}\n  ingress:\n    - fromEndpoints: [{matchLabels: {app: web}}]\n      toPorts:\n        - ports: [{port: "9000", protocol: TCP}]\n          rules: {http: [{method: GET}]}\n'),
  },
  {
    rule: 'http-in-host-policy', line: 9,
    fires: 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: h}\nspec:\n  nodeSelector: {}\n  ingress:\n    - toPorts:\n        - ports: [{port: "80", protocol: TCP}]\n          rules: {http: [{method: GET}]}\n',
    quiet: 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: h}\nspec:\n  nodeSelector: {}\n  ingress:\n    - toPorts:\n        - ports: [{port: "80", protocol: TCP}]\n',
  },
  {
    // 1.18 ensureWildcard: without default deny the L7 rules are visibility only.
    rule: 'l7-without-default-deny', line: 6,
    fires: cnp('p', '  endpointSelector: {matchLabels: {app: api}}\n  enableDefaultDeny: {ingress: false}\n  ingress:\n    - fromEndpoints: [{matchLabels: {app: web}}]\n      toPorts:\n        - ports: [{port: "9000", protocol: TCP}]\n          rules: {http: [{method: GET}]}\n'),
    quiet: cnp('p', '  endpointSelector: {matchLabels: {app: api}}\n  ingress:\n    - fromEndpoints: [{matchLabels: {app: web}}]\n      toPorts:\n        - ports: [{port: "9000", protocol: TCP}]\n          rules: {http: [{method: GET}]}\n'),
  },
  {
    // rule_validation.go: "too many ports, the max is 40".
    rule: 'too-many-ports', line: 8,
    fires: cnp('p', `  endpointSelector: {matchLabels: {app: api}}\n  ingress:\n    - toPorts:\n        - ports:\n${Array.from({ length: 41 }, (_, i) => `            - {port: "${9000 + i}", protocol: TCP}\n`).join('')}`),
    quiet: cnp('p', `  endpointSelector: {matchLabels: {app: api}}\n  ingress:\n    - toPorts:\n        - ports:\n${Array.from({ length: 40 }, (_, i) => `            - {port: "${9000 + i}", protocol: TCP}\n`).join('')}`),
  },
  {
    rule: 'shadowed-rule', line: 9,
    fires: cnp('p', '  endpointSelector: {matchLabels: {app: api}}\n  ingress:\n    - fromEndpoints: [{}]\n      toPorts: [{ports: [{port: "9000", protocol: TCP}]}]\n    - fromEndpoints: [{matchLabels: {app: web}}]\n      toPorts: [{ports: [{port: "9000", protocol: TCP}]}]\n'),
    quiet: cnp('p', '  endpointSelector: {matchLabels: {app: api}}\n  ingress:\n    - fromEndpoints: [{matchLabels: {app: web}}]\n      toPorts: [{ports: [{port: "9000", protocol: TCP}]}]\n'),
  },
  {
    rule: 'unselected-pod',
    fires: cnp('p', '  endpointSelector: {matchLabels: {app: api}}\n  ingress: [{}]\n'),
    quiet: 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: all}\nspec:\n  endpointSelector: {}\n  ingress: [{fromEntities: [all]}]\n',
  },
  {
    rule: 'mixed-policy-kinds', line: 5,
    fires: `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: n, namespace: default}\nspec:\n  podSelector: {matchLabels: {app: api}}\n  ingress: [{}]\n---\n${cnp('p', '  endpointSelector: {matchLabels: {app: api}}\n  ingress: [{}]\n')}`,
    quiet: `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: n, namespace: default}\nspec:\n  podSelector: {matchLabels: {app: api}}\n  ingress: [{}]\n---\n${cnp('p', '  endpointSelector: {matchLabels: {app: web}}\n  ingress: [{}]\n')}`,
  },
];

describe('lint rules: each fires on its case and not on the fixed one', () => {
  for (const c of CASES) {
    const config = { enable: [c.rule] };
    test(`${c.rule}: fires${c.line ? ` at line ${c.line}` : ''}`, () => {
      const fs = lint(c.fires, config).filter((f) => f.code === c.rule);
      assert.ok(fs.length > 0, `expected ${c.rule}; got ${JSON.stringify(lint(c.fires, config).map((f) => `${f.code}: ${f.message}`))}`);
      const f = fs[0]!;
      assert.ok(f.hint && f.message && f.location, 'a finding has a message, a fix and a place');
      if (c.line) assert.equal(f.location!.line, c.line, f.message);
    });
    test(`${c.rule}: quiet on the fixed case`, () => {
      const fs = lint(c.quiet, config).filter((f) => f.code === c.rule);
      assert.deepEqual(fs.map((f) => f.message), []);
    });
  }
  test('every rule of the catalogue has a case', () => {
    const covered = new Set(CASES.map((c) => c.rule));
    assert.deepEqual(LINT_RULES.map((r) => r.id).filter((id) => !covered.has(id)), []);
  });
});

describe('the seed tutorial\'s "Combining Policies"', () => {
  const run = (file: string) => {
    const s = Session.load([{ path: file, text: readFileSync(file, 'utf8') }]);
    return lintWorkspace(s.workspace, s.inspectable()).findings.filter((f) => f.code === 'port-rule-without-peer');
  };
  test('the stray "-" is flagged at its own line and column', () => {
    const fs = run('examples/broken/combining-stray-dash.yaml');
    assert.equal(fs.length, 1);
    // Line 19 is "    - toPorts:"; the "-" is in column 5.
    assert.equal(readFileSync('examples/broken/combining-stray-dash.yaml', 'utf8').split('\n')[18], '    - toPorts:');
    assert.deepEqual([fs[0]!.location!.line, fs[0]!.location!.col], [19, 5]);
    assert.match(fs[0]!.hint!, /remove the "-" before toPorts/);
  });
  test('its fixed version is not', () => {
    assert.deepEqual(run('examples/broken/combining-fixed.yaml'), []);
  });
});

describe('configuration', () => {
  const STRAY = CASES[0]!.fires;
  test('--disable turns a rule off, --enable an opt-in rule on; the later config wins', () => {
    assert.ok(lint(STRAY).some((f) => f.code === 'port-rule-without-peer'));
    assert.ok(!lint(STRAY, { disable: ['port-rule-without-peer'] }).some((f) => f.code === 'port-rule-without-peer'));
    assert.ok(lint(STRAY, { disable: ['port-rule-without-peer'] }, { enable: ['port-rule-without-peer'] }).some((f) => f.code === 'port-rule-without-peer'));
    assert.ok(!lint(CASES.find((c) => c.rule === 'unselected-pod')!.fires).some((f) => f.code === 'unselected-pod'), 'opt-in rules are off by default');
  });
  test('severity overrides', () => {
    const f = lint(STRAY, { severity: { 'port-rule-without-peer': 'error' } }).find((x) => x.code === 'port-rule-without-peer');
    assert.equal(f?.severity, 'error');
  });
  test('the config file: YAML, unknown rules suggested', () => {
    assert.deepEqual(parseLintConfig('enable: [shadowed-rule]\ndisable: [dns-blocked]\nseverity: {one-sided-allow: error}\n'), { config: { enable: ['shadowed-rule'], disable: ['dns-blocked'], severity: { 'one-sided-allow': 'error' } } });
    const bad = parseLintConfig('disable: [dns-blokced]\n');
    assert.ok('problem' in bad && /did you mean "dns-blocked"/.test(bad.problem));
    assert.ok('problem' in parseLintConfig('disabled: [dns-blocked]\n'));
    assert.ok('problem' in parseLintConfig('severity: {dns-blocked: fatal}\n'));
  });
  test('an annotation on the object suppresses the rules it names, or all', () => {
    const annotated = (a: string) => STRAY.replace('namespace: default}', `namespace: default, annotations: {polis.dev/lint-disable: "${a}"}}`);
    assert.ok(!lint(annotated('port-rule-without-peer')).some((f) => f.code === 'port-rule-without-peer'));
    assert.ok(!lint(annotated('all')).some((f) => f.code === 'port-rule-without-peer'));
    assert.ok(lint(annotated('dns-blocked')).some((f) => f.code === 'port-rule-without-peer'));
  });
});
