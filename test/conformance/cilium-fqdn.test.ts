/**
 * Conformance: DNS name matching and validation of `toFQDNs` and DNS rules,
 * from cilium/cilium (Apache-2.0; rows re-typed, no code vendored):
 * - pkg/fqdn/matchpattern/matchpattern_test.go (TestAnchoredMatchPatternMatching,
 *   TestMatchPatternSanitize), the version stored at blob id 2831098850 of the
 *   search index, read beside the matchpattern.go of the 1.18 line (blob id
 *   408415387: `*` is `[-a-zA-Z0-9_]*`, only a pattern that is exactly `*` matches
 *   every name);
 * - pkg/policy/api/fqdn_test.go (TestFQDNSelectorSanitize, TestPortRuleDNSSanitize),
 *   commit 026740195c43504fcf9e1fd6b8c92754d45c0f5d, and the CRD patterns of
 *   pkg/policy/api/fqdn.go (blob id 124660976).
 *
 * A matching row is asked twice, through the two places Cilium uses a
 * pattern: the DNS proxy (`rules.dns`: the query is allowed or REFUSED) and
 * `toFQDNs` (a connection to an address the name resolved to is allowed or
 * dropped). Each answer comes from the use case checkConnection, and
 * explainConnection and the rule-by-rule reference evaluator must agree.
 * Upstream matches regexps against names written with the trailing dot the
 * proxy sees on the wire; polis is asked the same names.
 *
 * Rows of the newest test with `**` (a wildcard over several labels) are
 * `unsupported`: that syntax came after the 1.18 line polis follows
 * (cilium/cilium#42871, 2025-11; semantics.md §4.11), and in 1.18 `**` is
 * two `*`s.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConnectionRequest, Session } from '../../src/usecases/index.js';
import type { ConnectionQuery } from '../../src/engine/types.js';
import { answerOfAll, loadWorld, type World } from './three-ways.js';
import { loadWorkspace } from '../../src/workspace/load.js';

const CLIENT = 'apiVersion: v1\nkind: Pod\nmetadata: {name: client, namespace: default, labels: {app: client}}\n';
const ADDRESS = '203.0.113.5';

function policy(selector: string): string {
  return `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: default}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egress:
  - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]
    toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [${selector}]}}]
  - toFQDNs: [${selector}]
`;
}

function world(selector: string): World {
  return loadWorld([{ path: 'client.yaml', text: CLIENT }, { path: 'policy.yaml', text: policy(selector) }], `${selector} is accepted`);
}

/** One request through the use cases and the reference evaluator; returns whether it is allowed. */
function allowed(w: World, req: ConnectionRequest, q: (session: Session) => ConnectionQuery, what: string): boolean {
  return answerOfAll(w, req, q(w.session), what, req.dnsAnswers!).verdict === 'allow';
}

/** The DNS proxy's answer to a query for `name` (with its trailing dot, as on the wire). */
function dnsAllowed(w: World, name: string): boolean {
  const req: ConnectionRequest = { from: 'default/client', to: 'svc:kube-system/kube-dns', traffic: { port: 53, protocol: 'UDP', dns: name }, dnsAnswers: new Map() };
  return allowed(w, req, (s) => ({
    from: { kind: 'pod', pod: s.workspace.cluster.pods.find((p) => p.name === 'client')! },
    to: { kind: 'service', service: s.workspace.cluster.services.find((x) => x.name === 'kube-dns')! },
    port: 53, protocol: 'UDP', dns: name,
  }), `DNS query ${JSON.stringify(name)}`);
}

/** toFQDNs: a TCP connection to the address `name` resolved to. */
function fqdnAllowed(w: World, name: string): boolean {
  const bare = name.toLowerCase().replace(/\.$/, '');
  const req: ConnectionRequest = { from: 'default/client', to: `fqdn:${bare}`, traffic: { port: 443 }, dnsAnswers: new Map([[bare, [ADDRESS]]]) };
  return allowed(w, req, (s) => ({ from: { kind: 'pod', pod: s.workspace.cluster.pods.find((p) => p.name === 'client')! }, to: { kind: 'fqdn', name: bare, ip: ADDRESS }, port: 443 }), `toFQDNs ${name}`);
}

interface MatchRow {
  pattern: string;
  accept: string[];
  reject: string[];
  /** Names of the row left out, with the reason. */
  leftOut?: Record<string, string>;
  /** The whole row cannot be put to polis. */
  unsupported?: string;
}

const NOT_ON_WIRE = 'not a name the DNS proxy sees: a query name always ends in "." (the root is "."), so "" and dotless names are regexp inputs only';
const POST_118 = 'post-1.18 `**` wildcard (cilium/cilium#42871); in 1.18 `**` is two `*`';

/** TestAnchoredMatchPatternMatching. */
const MATCHING: readonly MatchRow[] = [
  { pattern: 'cilium.io.', accept: ['cilium.io.'], reject: ['anysub.cilium.io.', 'anysub.ci.io.', 'anysub.ciliumandmore.io.'], leftOut: { '': NOT_ON_WIRE } },
  { pattern: '*.cilium.io.', accept: ['anysub.cilium.io.'], reject: ['cilium.io.', 'anysub.ci.io.', 'anysub.ciliumandmore.io.'], leftOut: { '': NOT_ON_WIRE } },
  { pattern: '*.ci*.io.', accept: ['anysub.cilium.io.', 'anysub.ci.io.', 'anysub.ciliumandmore.io.'], reject: ['ci.io.', 'cilium.io.', 'service.namesace.svc.cluster.local.'], leftOut: { '': NOT_ON_WIRE, 'ci.io': 'asked as ci.io. (on the wire)' } },
  // The rejected names of `*` start with an empty label, which no query on the wire can (a zero length ends the
  // name), and the DNS proxy does not use this regexp for `*` at all: GeneratePattern gives it `(?:)`, which lets
  // every name through (cilium-dnsproxy.test.ts). They are regexp inputs only.
  {
    pattern: '*', accept: ['.', 'io.', 'cilium.io.', 'svc.cluster.local.', 'service.namesace.svc.cluster.local.', '_foobar._tcp.cilium.io.'],
    reject: [], leftOut: { '': NOT_ON_WIRE, 'cilium.io': NOT_ON_WIRE, '.io.': NOT_ON_WIRE, '.cilium.io.': NOT_ON_WIRE, '.svc.cluster.local.': NOT_ON_WIRE },
  },
  { pattern: '.', accept: ['.'], reject: ['.io.', '.cilium.io'], unsupported: 'the CRD refuses matchPattern "." (kubebuilder Pattern `^([-a-zA-Z0-9_*]+[.]?)+$` in pkg/policy/api/fqdn.go), so no policy can carry it' },
  { pattern: '_foobar._tcp.cilium.io.', accept: ['_foobar._tcp.cilium.io.'], reject: ['_tcp.cilium.io.', 'cilium.io.'], leftOut: { '': NOT_ON_WIRE } },
  { pattern: '*.*.cilium.io.', accept: ['_foobar._tcp.cilium.io.'], reject: [], leftOut: { '': NOT_ON_WIRE } },
  ...['**.cilium.io.', '*.**.cilium.io.', '**.ci*.io.', '**.*.io.', '*.**.io.', '**', '**.', '1.**.*io.', 'subdomain.**.*ili*.io.', '1.**.cilium.io.', '*.1.**.cilium.io.']
    .map((pattern): MatchRow => ({ pattern, accept: [], reject: [], unsupported: POST_118 })),
  // TestMatchPatternSanitize, as what each sanitized pattern matches (ToRegex: Sanitize, then ToAnchoredRegexp):
  // "*" stays the match-all; "*." stays "*.", which is not "*": one label and nothing more; "*.com" gains its dot.
  { pattern: '*.', accept: ['.', 'io.', 'localhost.', '_tcp.'], reject: ['cilium.io.', 'a.b.'] },
  { pattern: '*.com', accept: ['example.com.', 'example.com'], reject: ['com.', 'a.example.com.', 'example.community.'] },
  // Case: ToAnchoredRegexp lower-cases the pattern, the proxy the query name.
  { pattern: '*.CILIUM.io', accept: ['www.cilium.io.', 'WWW.Cilium.IO.'], reject: ['cilium.io.'] },
];

describe('cilium pkg/fqdn/matchpattern/matchpattern_test.go TestAnchoredMatchPatternMatching (+ TestMatchPatternSanitize)', () => {
  for (const row of MATCHING) {
    test(`${row.pattern}${row.unsupported ? ` (unsupported: ${row.unsupported})` : ''}`, { skip: row.unsupported ? `unsupported: ${row.unsupported}` : false }, () => {
      const w = world(`{matchPattern: "${row.pattern}"}`);
      for (const name of row.accept) {
        assert.equal(dnsAllowed(w, name), true, `DNS ${name} accepted by ${row.pattern}`);
        // toFQDNs needs an address for the name; "." has none.
        if (name !== '.') assert.equal(fqdnAllowed(w, name), true, `toFQDNs ${name} accepted by ${row.pattern}`);
      }
      for (const name of row.reject) assert.equal(dnsAllowed(w, name), false, `DNS ${name} rejected by ${row.pattern}`);
      // toFQDNs only of names an answer can carry (no empty label).
      for (const name of row.reject.filter((n) => !/^\.|\.\./.test(n))) assert.equal(fqdnAllowed(w, name), false, `toFQDNs ${name} rejected by ${row.pattern}`);
    });
  }
  test('matchName is matched as a literal name: trailing dot and case do not matter (ToRegex: dns.FQDN, then ToAnchoredRegexp)', () => {
    const w = world('{matchName: "Cilium.IO"}');
    for (const name of ['cilium.io.', 'CILIUM.io.', 'cilium.io']) assert.equal(dnsAllowed(w, name), true, name);
    for (const name of ['www.cilium.io.', 'cilium.io.com.']) assert.equal(dnsAllowed(w, name), false, name);
    assert.equal(fqdnAllowed(w, 'cilium.io'), true);
    assert.equal(fqdnAllowed(w, 'www.cilium.io'), false);
  });
});

// --- what the API server and the agent accept ---

type Sel = { matchName?: string; matchPattern?: string };
const sel = (s: Sel) => `{${Object.entries(s).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')}}`;

function accepted(where: 'toFQDNs' | 'dns', s: Sel): { ok: boolean; messages: string[] } {
  const body = where === 'toFQDNs'
    ? `  - toFQDNs: [${sel(s)}]`
    : `  - toEndpoints: [{}]\n    toPorts: [{ports: [{port: "53", protocol: UDP}], rules: {dns: [${sel(s)}]}}]`;
  const text = `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p, namespace: default}\nspec:\n  endpointSelector: {}\n  egress:\n${body}\n`;
  const errors = loadWorkspace([{ path: 'p.yaml', text }]).diagnostics.filter((d) => d.severity === 'error');
  return { ok: errors.length === 0, messages: errors.map((e) => e.message) };
}

const VALID: readonly Sel[] = [
  { matchName: 'cilium.io.' }, { matchName: 'get-cilium.io.' }, { matchName: 'foo.cilium.io.' }, { matchName: 'cilium.io' }, { matchName: '_cilium.io' },
  { matchPattern: '*.cilium.io' }, { matchPattern: '*._cilium.io' }, { matchPattern: '*cilium.io' }, { matchPattern: 'cilium.io' },
];

describe('cilium pkg/policy/api/fqdn_test.go TestFQDNSelectorSanitize / TestPortRuleDNSSanitize', () => {
  for (const where of ['toFQDNs', 'dns'] as const) {
    for (const s of VALID) test(`${where}: ${sel(s)} is accepted`, () => assert.deepEqual(accepted(where, s), { ok: true, messages: [] }));
    for (const s of [{ matchName: 'a{1,2}.cilium.io.' }, { matchPattern: '[a-z]*.cilium.io.' }, { matchName: 'a{1,2}.cilium.io.', matchPattern: '[a-z]*.cilium.io.' }]) {
      test(`${where}: ${sel(s)} is refused`, () => assert.equal(accepted(where, s).ok, false));
    }
  }
  // Refused since cilium/cilium#7963 (2019): FQDNSelector.sanitize (blob ids 124660976, 10400553528); no field wins.
  // cilium/cilium#32814 (2024) adds the same as a CRD oneOf, so the API server refuses it first (the main-line CRD,
  // pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnetworkpolicies.yaml at commit 02904c9b, toFQDNs items).
  test('toFQDNs: matchName and matchPattern together are refused ("only one of MatchName or MatchPattern is allowed in an FQDNSelector")', () => {
    assert.equal(accepted('toFQDNs', { matchName: 'cilium.io', matchPattern: '*cilium.io' }).ok, false);
  });
  // The same oneOf is on rules.dns items (PortRuleDNS is `type PortRuleDNS FQDNSelector`), and a oneOf of two
  // `required` lists also refuses a selector with neither field. The markers (+kubebuilder:validation:OneOf on both
  // fields) are in pkg/policy/api/fqdn.go at 1.17 and 1.18.0-pre.3 (vendored by cilium-cli 7a84943d4 / 6e65fa094);
  // the rendered CRD is read at index id 59368307855 (rules.dns items: oneOf required matchName | matchPattern).
  test('rules.dns with matchName and matchPattern is refused by the CRD oneOf', () => {
    assert.equal(accepted('dns', { matchName: 'cilium.io', matchPattern: '*cilium.io' }).ok, false);
  });
  for (const where of ['toFQDNs', 'dns'] as const) {
    test(`${where} with neither field is refused by the CRD oneOf`, () => assert.equal(accepted(where, {}).ok, false));
  }
});

describe('cilium pkg/policy/api/fqdn.go CRD validation (kubebuilder Pattern and MaxLength)', () => {
  // matchName `^([-a-zA-Z0-9_]+[.]?)+$`, matchPattern `^([-a-zA-Z0-9_*]+[.]?)+$`: no empty label, not the root alone.
  const rows: [Sel, boolean][] = [
    [{ matchPattern: '.' }, false], [{ matchName: '.' }, false], [{ matchName: 'a..b' }, false], [{ matchPattern: '*..io' }, false],
    [{ matchName: '.cilium.io' }, false], [{ matchPattern: '.*' }, false],
    [{ matchPattern: '*' }, true], [{ matchPattern: '*.' }, true], [{ matchName: 'cilium.io.' }, true],
    [{ matchName: 'a'.repeat(255) }, true], [{ matchName: 'a'.repeat(256) }, false],
  ];
  for (const where of ['toFQDNs', 'dns'] as const) {
    for (const [s, ok] of rows) {
      test(`${where}: ${sel(s).slice(0, 60)} is ${ok ? 'accepted' : 'refused'}`, () => assert.equal(accepted(where, s).ok, ok, accepted(where, s).messages.join('; ')));
    }
  }
});
