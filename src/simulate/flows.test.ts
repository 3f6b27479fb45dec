/**
 * The flows a simulated command produces, by kind of event: each compact
 * line must have the shape of the real lines quoted in reference/hubble.md
 * (§4.1, from cilium's printer_test.go, the Cilium docs and real exports),
 * every flow must survive the jsonpb writer and reader unchanged, and whole
 * sequences are compared with golden files in testdata/simulate/ (refresh
 * with `UPDATE_GOLDEN=1`).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { encodeFlowResponse } from '../hubble/encode.js';
import { parseLine } from '../hubble/parse-line.js';
import { formatCompact } from '../hubble/printer-compact.js';
import type { Flow } from '../hubble/flow.js';
import { VirtualCluster } from './virtual-cluster.js';
import { FlowLog } from './flow-log.js';

const read = (p: string) => ({ path: p, text: readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8') });
const APP = read('examples/demo/app.yaml');
const DB_POLICY = read('examples/stories/1-database-lockdown/database-policy.yaml');
const DENY_ALL = read('examples/stories/1-database-lockdown/database-deny-all.yaml');
const BACKEND_DNS = read('examples/stories/3-backend-dns-egress/backend-policy.yaml');
const BACKEND_L7 = read('examples/stories/5-docs-l7-vpn/backend-policy.yaml');
const DENY_RULE = {
  path: 'deny.yaml',
  text: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: no-db, namespace: default}\nspec:\n  endpointSelector: {matchLabels: {tier: frontend}}\n  egressDeny:\n    - toEndpoints: [{matchLabels: {tier: database}}]\n',
};

const OPTIONS = { dns: { 'example.com': ['93.184.215.14'], 'storage.cloud.google.com': ['142.250.74.59'] } };
const lines = (flows: readonly Flow[], opts = {}) => flows.map((f) => formatCompact({ flow: f }, opts).replace(/\n$/, ''));
const run = (policies: { path: string; text: string }[], pod: string, argv: string[]) => new VirtualCluster([APP, ...policies], OPTIONS).exec(pod, argv);

const TIME = String.raw`[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d\.\d{3}`;
const POD = (ns: string, name: string) => String.raw`${ns}/${name}-[a-z0-9]+-[a-z0-9]{5}:\d+ \(ID:\d+\)`;
const shape = (s: string) => new RegExp(`^${TIME}: ${s}$`);
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function has(ls: readonly string[], re: RegExp, what: string): void {
  assert.ok(ls.some((l) => re.test(l)), `${what}: no line matches ${re}\n${ls.join('\n')}`);
}

describe('each kind of event has the shape of the real lines (reference/hubble.md §4.1)', () => {
  test('trace to-endpoint, both ways, with TCP flags of handshake, data and teardown (cf. the knp article\'s 9 lines)', () => {
    const ls = lines(run([], 'deploy/backend', ['curl', '-s', 'database/PING']).flows).filter((l) => l.includes(':7379'));
    const fwd = (flags: string) => shape(`${POD('default', 'backend')} -> ${POD('default', 'database')} to-endpoint FORWARDED ${esc(`(TCP Flags: ${flags})`)}`);
    const rev = (flags: string) => shape(`${POD('default', 'backend')} <- ${POD('default', 'database')} to-endpoint FORWARDED ${esc(`(TCP Flags: ${flags})`)}`);
    const expected = [fwd('SYN'), rev('SYN, ACK'), fwd('ACK'), fwd('ACK, PSH'), rev('ACK, PSH'), fwd('ACK, FIN'), rev('ACK, FIN'), fwd('ACK')];
    assert.equal(ls.length, expected.length, ls.join('\n'));
    ls.forEach((l, i) => assert.match(l, expected[i]!));
  });

  test('no policy-verdict events where no policy selects either end', () => {
    assert.ok(!lines(run([], 'deploy/backend', ['curl', '-s', 'database/PING']).flows).some((l) => l.includes('policy-verdict')));
  });

  test('policy-verdict ALLOWED with its match type, on the enforcing side', () => {
    const ls = lines(run([DB_POLICY], 'deploy/backend', ['curl', '-s', 'database/PING']).flows);
    has(ls, shape(`${POD('default', 'backend')} -> ${POD('default', 'database')} policy-verdict:L3-L4 INGRESS ALLOWED \\(TCP Flags: SYN\\)`), 'ingress verdict');
  });

  test('default deny: policy-verdict:none DENIED and "Policy denied DROPPED" (133) for every retransmitted SYN, arrow <>', () => {
    const r = run([DENY_ALL], 'deploy/backend', ['curl', '-s', '-m', '10', 'database/PING']);
    const ls = lines(r.flows).filter((l) => l.includes(':7379'));
    const verdict = shape(`${POD('default', 'backend')} <> ${POD('default', 'database')} policy-verdict:none INGRESS DENIED \\(TCP Flags: SYN\\)`);
    const drop = shape(`${POD('default', 'backend')} <> ${POD('default', 'database')} Policy denied DROPPED \\(TCP Flags: SYN\\)`);
    // SYNs at 0, 1, 3 and 7 s before -m 10 runs out.
    assert.deepEqual(ls.map((l) => (verdict.test(l) ? 'V' : drop.test(l) ? 'D' : l)), ['V', 'D', 'V', 'D', 'V', 'D', 'V', 'D']);
    assert.deepEqual(ls.filter((_, i) => i % 2 === 1).map((l) => l.slice(7, 15)), ['12:00:00', '12:00:01', '12:00:03', '12:00:07']);
    const drops = r.flows.filter((f) => f.verdict === 'DROPPED' && f.eventType?.type === 1);
    assert.ok(drops.every((f) => f.dropReason === 133 && f.dropReasonDesc === 'POLICY_DENIED' && f.isReply === undefined && f.trafficDirection === 'INGRESS'));
  });

  test('a deny rule: policy-verdict:L3-Only EGRESS DENIED and "Policy denied by denylist DROPPED" (181), named in egress_denied_by', () => {
    // By address: a deny rule turns egress default deny on too, so the frontend's DNS lookup would be dropped first.
    const r = run([DENY_RULE], 'deploy/frontend', ['curl', '-s', '-m', '1', '10.244.1.4:7379/PING']);
    const ls = lines(r.flows);
    has(ls, shape(`${POD('default', 'frontend')} <> ${POD('default', 'database')} policy-verdict:L3-Only EGRESS DENIED \\(TCP Flags: SYN\\)`), 'deny verdict');
    has(ls, shape(`${POD('default', 'frontend')} <> ${POD('default', 'database')} Policy denied by denylist DROPPED \\(TCP Flags: SYN\\)`), 'denylist drop');
    const pv = r.flows.find((f) => f.eventType?.type === 5)!;
    assert.deepEqual(pv.egressDeniedBy?.map((p) => [p.kind, p.namespace, p.name]), [['CiliumNetworkPolicy', 'default', 'no-db']]);
    assert.equal(pv.dropReason, 181);
    has(lines(r.flows, { policyNames: true }), /policy-verdict:L3-Only EGRESS DENIED BY no-db \(CiliumNetworkPolicy\) \(TCP Flags: SYN\)$/, '--print-policy-names');
  });

  test('ingress_allowed_by names the policy (printed with --print-policy-names)', () => {
    const r = run([DB_POLICY], 'deploy/backend', ['curl', '-s', 'database/PING']);
    const pv = r.flows.find((f) => f.eventType?.type === 5 && f.trafficDirection === 'INGRESS')!;
    assert.deepEqual(pv.ingressAllowedBy?.map((p) => [p.kind, p.name, p.labels?.includes('k8s:io.cilium.k8s.policy.name=database-policy')]), [['CiliumNetworkPolicy', 'database-policy', true]]);
    has(lines(r.flows, { policyNames: true }), /policy-verdict:L3-L4 INGRESS ALLOWED BY database-policy \(CiliumNetworkPolicy\) \(TCP Flags: SYN\)$/, 'policy names');
  });

  test('DNS through the proxy: REDIRECTED verdict, to-proxy, dns-request / dns-response proxy with IPs and TTL', () => {
    const r = run([BACKEND_DNS], 'deploy/backend', ['nslookup', 'storage.cloud.google.com.']);
    const ls = lines(r.flows);
    const dns = String.raw`kube-system/coredns-[a-z0-9]+-[a-z0-9]{5}:53 \(ID:\d+\)`;
    has(ls, shape(`${POD('default', 'backend')} -> ${dns} policy-verdict:L3-L4 EGRESS ALLOWED \\(UDP\\)`), 'redirected verdict');
    assert.equal(r.flows.find((f) => f.eventType?.type === 5)?.verdict, 'REDIRECTED');
    has(ls, shape(`${POD('default', 'backend')} -> ${dns} to-proxy FORWARDED \\(UDP\\)`), 'to-proxy');
    has(ls, shape(`${POD('default', 'backend')} -> ${dns} dns-request proxy FORWARDED \\(DNS Query storage\\.cloud\\.google\\.com\\. A\\)`), 'request');
    has(ls, shape(`${POD('default', 'backend')} <- ${dns} dns-response proxy FORWARDED \\(DNS Answer "142\\.250\\.74\\.59" TTL: 300 \\(Proxy storage\\.cloud\\.google\\.com\\. A\\)\\)`), 'response');
  });

  test('a cluster name answers with TTL 30; a missing one NXDOMAIN with TTL 4294967295, as the real exports show', () => {
    const ls = lines(run([BACKEND_DNS], 'deploy/backend', ['curl', '-s', 'database/PING']).flows);
    has(ls, /dns-response proxy FORWARDED \(DNS Answer "10\.\d+\.\d+\.\d+" TTL: 30 \(Proxy database\.default\.svc\.cluster\.local\. A\)\)$/, 'cluster answer');
    const ext = lines(run([BACKEND_DNS], 'deploy/backend', ['curl', '-s', 'storage.cloud.google.com']).flows);
    has(ext, /dns-response proxy FORWARDED \(DNS Answer RCode: Non-Existent Domain TTL: 4294967295 \(Proxy storage\.cloud\.google\.com\.default\.svc\.cluster\.local\. A\)\)$/, 'NXDOMAIN');
  });

  test('DNS refused by the proxy: dns-request DROPPED', () => {
    const narrow = { path: 'n.yaml', text: BACKEND_DNS.text.replace(/dns:\n(\s+)- matchPattern: "\*"/, 'dns:\n$1- matchPattern: "*.cloud.google.com"') };
    has(lines(run([narrow], 'deploy/backend', ['nslookup', 'example.com.']).flows), /dns-request proxy DROPPED \(DNS Query example\.com\. A\)$/, 'refused');
  });

  test('DNS without a DNS rule: plain UDP, to-overlay to the control-plane node, to-endpoint there', () => {
    const r = run([], 'deploy/backend', ['nslookup', 'database.default.svc.cluster.local.']);
    const overlay = r.flows.find((f) => f.traceObservationPoint === 'TO_OVERLAY' && !f.isReply)!;
    assert.equal(overlay.nodeName, 'kind-worker');
    const arrive = r.flows.find((f) => f.traceObservationPoint === 'TO_ENDPOINT' && !f.isReply)!;
    assert.equal(arrive.nodeName, 'kind-control-plane');
    has(lines(r.flows), shape(`${POD('default', 'backend')} -> kube-system/coredns-[a-z0-9]+-[a-z0-9]{5}:53 \\(ID:\\d+\\) to-overlay FORWARDED \\(UDP\\)`), 'to-overlay');
  });

  test('egress to the world: world peer printed by its DNS name, identity (world), to-stack on the way out', () => {
    const ls = lines(run([], 'deploy/backend', ['curl', '-s', 'example.com']).flows);
    has(ls, shape(`${POD('default', 'backend')} -> 93\\.184\\.215\\.14:80 \\(world\\) to-stack FORWARDED \\(TCP Flags: SYN\\)`), 'to-stack');
    const viaProxy = lines(run([BACKEND_DNS], 'deploy/backend', ['curl', '-s', '-m', '2', 'example.com']).flows);
    has(viaProxy, shape(`${POD('default', 'backend')} <> example\\.com:80 \\(world\\) policy-verdict:none EGRESS DENIED \\(TCP Flags: SYN\\)`), 'tutorial story 3 line');
  });

  test('HTTP through the ingress proxy: to-proxy, http-request, http-response with status and latency', () => {
    const r = run([BACKEND_L7], 'world:172.27.224.3', ['curl', '-s', 'http://10.244.1.2/docs']);
    const ls = lines(r.flows);
    has(ls, /^.*: 172\.27\.224\.3:\d+ \(ID:\d+\) -> default\/backend-\S+:80 \(ID:\d+\) to-proxy FORWARDED \(TCP Flags: SYN\)$/, 'to-proxy');
    has(ls, /: 172\.27\.224\.3:\d+ \(ID:\d+\) -> default\/backend-\S+:80 \(ID:\d+\) http-request FORWARDED \(HTTP\/1\.1 GET http:\/\/10\.244\.1\.2\/docs\)$/, 'request');
    has(ls, /: 172\.27\.224\.3:\d+ \(ID:\d+\) <- default\/backend-\S+:80 \(ID:\d+\) http-response FORWARDED \(HTTP\/1\.1 200 \d+ms \(GET http:\/\/10\.244\.1\.2\/docs\)\)$/, 'response');
    const resp = r.flows.find((f) => f.l7?.type === 'RESPONSE')!;
    assert.ok(Number(resp.l7?.latencyNs) > 0);
    assert.equal(resp.isReply, true);
    const denied = lines(run([BACKEND_L7], 'world:172.27.224.3', ['curl', '-s', 'http://10.244.1.2/admin']).flows);
    has(denied, /http-request DROPPED \(HTTP\/1\.1 GET http:\/\/10\.244\.1\.2\/admin\)$/, 'L7 drop');
    has(denied, /http-response FORWARDED \(HTTP\/1\.1 403 \d+ms \(GET http:\/\/10\.244\.1\.2\/admin\)\)$/, '403');
  });

  test('ICMP: EchoRequest and EchoReply, no ports', () => {
    const ls = lines(run([], 'deploy/backend', ['ping', '-c', '1', '10.244.1.4']).flows);
    has(ls, shape(`default/backend-\\S+ \\(ID:\\d+\\) -> default/database-\\S+ \\(ID:\\d+\\) to-endpoint FORWARDED \\(ICMPv4 EchoRequest\\)`), 'request');
    has(ls, shape(`default/backend-\\S+ \\(ID:\\d+\\) <- default/database-\\S+ \\(ID:\\d+\\) to-endpoint FORWARDED \\(ICMPv4 EchoReply\\)`), 'reply');
  });
});

describe('flows are plain hubble Flow values', () => {
  test('every flow of a busy scenario survives the jsonpb writer and reader', () => {
    const vc = new VirtualCluster([APP, BACKEND_L7, DB_POLICY], OPTIONS);
    vc.exec('deploy/backend', ['curl', '-s', 'database/PING']);
    vc.exec('deploy/backend', ['curl', '-s', '-m', '2', 'example.com']);
    vc.exec('world:172.27.224.3', ['curl', '-s', 'http://10.244.1.2/admin']);
    vc.exec('deploy/frontend', ['ping', '-c', '1', '10.244.1.4']);
    const flows = vc.flows.all();
    assert.ok(flows.length > 40);
    for (const f of flows) {
      const line = encodeFlowResponse({ flow: f, ...(f.nodeName ? { nodeName: f.nodeName } : {}), ...(f.time ? { time: f.time } : {}) });
      const back = parseLine(line);
      assert.equal(back.kind, 'records', line);
      if (back.kind === 'records') assert.deepEqual(back.records[0]!.flow, f, line);
    }
  });

  test('golden: the tutorial\'s story 1 commands, every event (testdata/simulate/story1.compact.txt)', () => {
    const vc = new VirtualCluster([APP], { ...OPTIONS, now: new Date('2024-03-14T13:55:24Z'), responses: [{ pod: 'default/database', path: '/PING', body: '{"PING":[true,"PONG"]}' }] });
    vc.exec('deploy/backend', ['curl', '-s', 'database/PING']);
    vc.apply([DENY_ALL]);
    vc.exec('deploy/backend', ['curl', '-s', '-m', '5', 'database/PING']);
    vc.apply([DB_POLICY]);
    vc.exec('deploy/backend', ['curl', '-s', 'database/PING']);
    vc.exec('deploy/database', ['busybox', 'wget', '-O', '-', 'frontend']);
    const got = lines(vc.flows.all(), { policyNames: true }).join('\n') + '\n';
    const file = new URL('../../testdata/simulate/story1.compact.txt', import.meta.url);
    if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(file)) writeFileSync(file, got);
    assert.equal(got, readFileSync(file, 'utf8'));
  });
});

describe('the flow log keeps what Hubble keeps', () => {
  test('a ring of 4095 flows by default, oldest dropped first; subscribers see every flow', () => {
    const log = new FlowLog();
    assert.equal(log.capacity, 4095);
    const seen: number[] = [];
    const stop = log.subscribe((f) => seen.push(f.time!.seconds));
    for (let i = 0; i < 5000; i++) log.push({ time: { seconds: i, nanos: 0 } });
    stop();
    log.push({ time: { seconds: 9999, nanos: 0 } });
    assert.equal(log.size, 4095);
    assert.equal(log.seenFlows, 5001);
    assert.equal(log.all()[0]!.time!.seconds, 5001 - 4095);
    assert.equal(log.all().at(-1)!.time!.seconds, 9999);
    assert.equal(seen.length, 5000, 'unsubscribed listeners hear nothing more');
  });
});
