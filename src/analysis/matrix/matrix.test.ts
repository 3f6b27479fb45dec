/**
 * The connectivity matrix against tables computed by hand: the seed demo
 * after its five user stories (examples/demo = examples/stories 1–5
 * applied), a grouping by namespace, a port restriction; and the shape of
 * each output format.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { Session } from '../../usecases/session.js';
import { connectivityMatrix } from '../../usecases/matrix.js';
import { describeCell, formatMatrixCsv, formatMatrixDot, formatMatrixMarkdown, formatMatrixSvg, formatMatrixText, matrixToJson, symbolOf } from './format.js';
import type { Matrix, MatrixOptions } from './matrix.js';

const demo = () => Session.load(readdirSync('examples/demo').filter((f) => f.endsWith('.yaml')).map((f) => ({ path: `examples/demo/${f}`, text: readFileSync(`examples/demo/${f}`, 'utf8') })));

function grid(m: Matrix): string[] {
  return m.sources.map((s, i) => `${s.name.padEnd(20)} ${m.destinations.map((_, j) => symbolOf(m.cell(i, j)).padStart(2)).join(' ')}`);
}
const cellOf = (m: Matrix, from: string, to: string) => describeCell(m.cell(m.sources.findIndex((s) => s.name === from), m.destinations.findIndex((d) => d.name === to)), m.ports);

describe('the seed demo after the five user stories', () => {
  const m = connectivityMatrix(demo());

  test('endpoints: the three tiers and kube-dns, the world, the two CIDRs and the FQDN the policies name, the nodes', () => {
    assert.deepEqual(m.destinations.map((d) => d.name), [
      'default/backend', 'default/database', 'default/frontend', 'kube-system/coredns',
      'world', '102.213.50.174/32', '172.27.224.3/32', 'fqdn:polis-matrix.cloud.google.com', 'host', 'remote-node', 'kube-apiserver',
    ]);
  });

  // Worked out from the policies: frontend takes the world on 443 and 80/TCP (story 4) and may call the
  // backend on 80 and DNS; the backend takes the frontend on 80 and GET /docs from the VPN 172.27.224.3 (story 5),
  // may reach the database on 7379, *.cloud.google.com on 80/443 once learnt through its DNS rule (story 3);
  // the database takes the backend on 7379 and 102.213.50.174 on 443 (story 2) and sends nothing: `egress: [{}]`
  // is default deny with no peer (story 1). CoreDNS has no policy; the node reaches every local pod (allow-localhost).
  // All demo pods run on kind-worker, CoreDNS on the control plane: no remote node for the demo pods.
  test('the truth table', () => {
    assert.deepEqual(grid(m), [
      'default/backend       X  ~  X  ~  X  X  X  ~  X  -  X',
      'default/database      X  X  X  X  X  X  X  X  X  -  X',
      'default/frontend      ~  X  X  ~  X  X  X  X  X  -  X',
      'kube-system/coredns   X  X  X  .  .  .  .  .  .  .  -',
      'world                 X  X  ~  .  -  -  -  -  -  -  -',
      '102.213.50.174/32     X  ~  ~  .  -  -  -  -  -  -  -',
      '172.27.224.3/32       ~  X  ~  .  -  -  -  -  -  -  -',
      'host                  .  .  .  .  -  -  -  -  -  -  -',
      'remote-node           -  -  -  .  -  -  -  -  -  -  -',
      'kube-apiserver        X  X  X  -  -  -  -  -  -  -  -',
    ]);
  });

  test('the ports of the partly allowed cells', () => {
    const expected: [string, string, string][] = [
      ['default/frontend', 'default/backend', '80/TCP, 80/UDP, 80/SCTP'],
      ['default/frontend', 'kube-system/coredns', '53/UDP (DNS)'],
      ['default/backend', 'default/database', '7379/TCP, 7379/UDP, 7379/SCTP'],
      ['default/backend', 'kube-system/coredns', '53/UDP (DNS)'],
      ['default/backend', 'fqdn:polis-matrix.cloud.google.com', '80/TCP, 443/TCP, 80/UDP, 443/UDP, 80/SCTP, 443/SCTP'],
      ['world', 'default/frontend', '80/TCP, 443/TCP, 443/UDP, 443/SCTP'],
      ['102.213.50.174/32', 'default/database', '443/TCP, 443/UDP, 443/SCTP'],
      ['172.27.224.3/32', 'default/backend', '80/TCP (HTTP)'],
      ['host', 'default/database', 'all'],
    ];
    for (const [from, to, ports] of expected) assert.equal(cellOf(m, from, to), ports, `${from} → ${to}`);
  });

  test('questions are asked per class, not per pod pair and port', () => {
    // 6 demo pods + 2 CoreDNS; 23 port classes.
    assert.equal(m.ports.length, 23);
    assert.ok(m.questions < 2000, `${m.questions} verdicts`);
  });
});

describe('options', () => {
  test('--port 80: one column per port asked', () => {
    const m = connectivityMatrix(demo(), { ports: [{ protocol: 'TCP', from: 80, to: 80 }] });
    assert.equal(m.ports.length, 1);
    assert.equal(symbolOf(m.cell(m.sources.findIndex((s) => s.name === 'default/frontend'), 0)), '.');
    assert.equal(cellOf(m, '172.27.224.3/32', 'default/backend'), '80/TCP (HTTP)');
    assert.equal(symbolOf(m.cell(m.sources.findIndex((s) => s.name === '172.27.224.3/32'), 0)), 'L7');
  });
  test('--by namespace: a namespace is allowed a port only if every pod pair is', () => {
    const m = connectivityMatrix(demo(), { by: 'namespace' } satisfies MatrixOptions);
    assert.deepEqual(m.sources.slice(0, 2).map((s) => s.name), ['default', 'kube-system']);
    assert.equal(symbolOf(m.cell(0, 0)), 'X', 'the database may reach nobody, so default → default is denied');
  });
  test('-n: only that namespace\'s pods', () => {
    const m = connectivityMatrix(demo(), { namespaces: ['default'] });
    assert.ok(!m.sources.some((s) => s.name.startsWith('kube-system/')));
  });
});

describe('formats', () => {
  const m = connectivityMatrix(demo());
  test('text: table, numbered columns, legend, partly allowed cells', () => {
    const t = formatMatrixText(m);
    assert.match(t, /^FROM \\ TO\s+1\s+2/);
    assert.match(t, /TO: 1 default\/backend, 2 default\/database/);
    assert.match(t, /Legend: \. allowed/);
    assert.match(t, /default\/frontend → default\/backend: 80\/TCP, 80\/UDP, 80\/SCTP/);
  });
  test('json, md, csv, dot', () => {
    const j = matrixToJson(m) as { cells: { from: string; to: string; symbol: string; allowed: string }[] };
    assert.deepEqual(j.cells.find((c) => c.from === 'world' && c.to === 'default/frontend'), { from: 'world', to: 'default/frontend', symbol: '~', allowed: '80/TCP, 443/TCP, 443/UDP, 443/SCTP' });
    assert.match(formatMatrixMarkdown(m), /^\| from \\ to \| `default\/backend` \|/);
    assert.match(formatMatrixMarkdown(m), /<details><summary>/);
    assert.match(formatMatrixCsv(m), /^from,to,symbol,allowed\ndefault\/backend,default\/backend,X,none\n/);
    assert.match(formatMatrixCsv(m), /\nworld,default\/frontend,~,"80\/TCP, 443\/TCP, 443\/UDP, 443\/SCTP"\n/);
    const dot = formatMatrixDot(m);
    assert.match(dot, /subgraph cluster_0 \{\n    label="namespace default";/);
    assert.match(dot, /-> n\d+ \[label="80\/TCP \(HTTP\)", style=dashed\]/);
  });
  test('svg: laid out by ELK, a box per endpoint and per namespace', async () => {
    const svg = await formatMatrixSvg(m);
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="\d+" height="\d+"/);
    assert.equal((svg.match(/<rect /g) ?? []).length, 11 + 2, 'eleven endpoints, two namespaces');
    assert.ok((svg.match(/<polyline /g) ?? []).length >= 10);
    assert.match(svg, />namespace default</);
  });
});
