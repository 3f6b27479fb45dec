/**
 * The exit-code table is one table (issue 8): the README prints
 * `EXIT_CODE_TABLE`, and every command, run in-process through `main()`,
 * exits with the table's code in each situation of its column. Every cell
 * that has a code has at least one scenario here, and no scenario exists for
 * a cell without one, so a row added to the table without a run (or a run
 * without a row) fails.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main.js';
import { memoryIO, type CliIO } from './io.js';
import { COMMANDS, EXIT_CODE_TABLE, exitCodeFor, exitCodeTableMarkdown, type CommandName, type Situation } from './exit-codes.js';

const dir = mkdtempSync(join(tmpdir(), 'polis-exit-'));
const file = (name: string, text: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const DEMO = 'examples/demo';
const APP = 'examples/demo/app.yaml';
const INVALID = 'examples/broken/story5-invalid-cidr.yaml';
const DEMO_TESTS = 'examples/demo/connectivity-test.yaml';
const FLOWS = 'testdata/hubble/cilium-hubble-otel__basic-sample-10-flows.jsonl';
const MISSING = join(dir, 'no-such-file.yaml');
const testFile = (cases: string) => `apiVersion: polis.dev/v1alpha1\nkind: ConnectivityTest\nmetadata: {name: t}\nspec:\n  cases:\n${cases}`;
// With only app.yaml (no policies) or with the invalid policy (it enforces nothing), the frontend reaches the backend.
const ALLOW = file('allow.yaml', testFile('    - {from: default/frontend, to: default/backend, port: 80, expect: allow}\n'));
const WRONG = file('wrong.yaml', testFile('    - {from: default/frontend, to: default/backend, port: 80, expect: deny}\n'));
const UNKNOWN_FIELD = file('unknown-field.yaml', testFile('    - {from: default/frontend, to: default/backend, port: 80, expct: allow}\n'));
const GHOST = file('ghost.yaml', testFile('    - {from: default/ghost, to: default/backend, port: 80, expect: allow}\n'));
const NOT_A_TEST = file('not-a-test.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n');
const COMMENTS = file('comments.yaml', '# nothing here\n');
const JUNK = file('junk.jsonl', 'not a flow\n{"neither": 1}\n');
const COMPACT = file('compact.txt', 'Jun 16 16:52:13.136: 10.0.2.16:15020 (ID:25339) -> 10.0.2.1:42044 (host) to-stack FORWARDED (TCP Flags: ACK)\n');
const TRAILING = file('trailing.jsonl.gz', Buffer.concat([gzipSync(readFileSync(FLOWS)), Buffer.from('xyz')]));
const CUT = file('cut.jsonl.gz', gzipSync(readFileSync(FLOWS)).subarray(0, 600));
const TCP_FLOWS = 'testdata/hubble/cilium-hubble-otel__basic-sample-400-tcp-flows.jsonl';
const DENY_BOOKINFO = file('deny-bookinfo.yaml', 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: deny-all, namespace: bookinfo}\nspec:\n  endpointSelector: {}\n  ingress:\n    - {}\n');
const TAKEN = join(dir, 'taken');
mkdirSync(TAKEN, { recursive: true });
writeFileSync(join(TAKEN, 'kube-system.kube-dns.yaml'), '# mine\n');
const EXPLAIN = ['--from', 'default/frontend', '--to', 'default/backend', '--port', '80'];
const STORY3 = 'examples/stories/3-backend-dns-egress';
const LOCKDOWN = 'examples/stories/1-database-lockdown';
const BAD_CONFIG = file('lint-config.yaml', 'disabled: [dns-blocked]\n');
const scenarioFile = (name: string, steps: string) => file(name, `apiVersion: polis.dev/v1alpha1\nkind: Scenario\nmetadata: {name: s}\nspec:\n  steps:\n    - apply: ${join(process.cwd(), APP)}\n${steps}`);
const SCENARIO_OK = scenarioFile('scenario-ok.yaml', '    - run: deploy/frontend curl -s -o /dev/null -w "%{http_code}" backend\n      expect: {exitCode: 0, stdout: "200"}\n');
const SCENARIO_WRONG = scenarioFile('scenario-wrong.yaml', '    - run: deploy/frontend curl -s -o /dev/null -w "%{http_code}" backend\n      expect: {stdout: "000"}\n');
const SCENARIO_BAD = scenarioFile('scenario-bad.yaml', '    - run: deploy/frontend curl backend\n      expct: {exitCode: 0}\n');
const RUN = ['run', '-f', APP, '--'];

interface Scenario {
  readonly name: string;
  readonly argv: readonly string[];
  readonly stdin?: string;
  /** Run with an IO whose stdout throws, standing in for any unexpected exception inside a command. */
  readonly throwingOut?: true;
  readonly out?: RegExp;
  readonly err?: RegExp;
}

const internal = (argv: string[]): Scenario[] => [{ name: 'stdout throws', argv, throwingOut: true, err: /polis: internal error: stdout exploded\nThis is a bug in polis/ }];

/** For each situation and command: runs that put the command in that situation. */
const SCENARIOS: Readonly<Record<Situation, Partial<Record<CommandName, readonly Scenario[]>>>> = {
  'success': {
    validate: [{ name: 'the demo', argv: ['validate', '-f', DEMO], out: /\nvalid\n$/ }, { name: 'warnings only', argv: ['validate', '-f', 'examples/broken/combining-stray-dash.yaml'], out: /warning:/ }],
    get: [{ name: 'pods of the demo', argv: ['get', 'pods', '-f', DEMO], out: /^NAMESPACE/ }, { name: 'identities', argv: ['get', 'identities', '-f', DEMO] }],
    explain: [
      { name: 'ALLOWED', argv: ['explain', '-f', DEMO, ...EXPLAIN], out: /^ALLOWED / },
      { name: 'DENIED', argv: ['explain', '-f', DEMO, '--from', 'default/frontend', '--to', 'svc:default/database', '--port', '80'], out: /^DENIED / },
    ],
    test: [{ name: 'the demo passes', argv: ['test', '-f', DEMO, '--tests', DEMO_TESTS], out: /0 failed\n$/ }],
    lint: [{ name: 'the fixed "Combining Policies"', argv: ['lint', '-f', 'examples/broken/combining-fixed.yaml'], out: /0 errors, 0 warnings/ }, { name: 'notes only', argv: ['lint', '-f', STORY3], out: /0 warnings, \d+ notes?/ }],
    matrix: [{ name: 'the demo', argv: ['matrix', '-f', DEMO], out: /^FROM \\ TO/ }, { name: 'as SVG', argv: ['matrix', '-f', DEMO, '-o', 'svg', '--port', '80/TCP'], out: /^<svg / }],
    diff: [{ name: 'a version against itself', argv: ['diff', '--old', DEMO, '--new', DEMO], out: /no change/ }],
    run: [
      { name: 'curl through the Service', argv: [...RUN, 'deploy/frontend', 'curl', '-s', 'backend/api'], out: /^\{"pod":"default\/backend-/ },
      { name: 'the manifests have errors: the command still runs', argv: ['run', '-f', APP, '-f', INVALID, '--', 'deploy/frontend', 'echo', 'hi'], out: /^hi\n$/, err: /warning: the manifests have 1 error/ },
      { name: 'a scenario that passes', argv: ['run', '--scenario', SCENARIO_OK], out: /\$ kubectl apply -f .*\ndeployment.apps\/frontend created\n/ },
    ],
    observe: [
      { name: 'ten flows', argv: ['observe', '--input-file', FLOWS], err: /read 10 lines: 10 flows/ },
      { name: 'skipped lines beside flows, as hubble skips them', argv: ['observe', '--input-file', '-'], stdin: `garbage\n${readFileSync(FLOWS, 'utf8')}`, err: /1 skipped \(1 invalid JSON\)/ },
      { name: 'a filter that matches nothing', argv: ['observe', '--input-file', FLOWS, '--pod', 'nosuch/pod'], out: /^$/ },
    ],
    generate: [
      { name: 'policies on stdout, proven', argv: ['generate', '--flows', FLOWS], out: /kind: CiliumNetworkPolicy/, err: /proof: 1 of 1 observed connections allowed/ },
      { name: 'one file per policy', argv: ['generate', '--flows', TCP_FLOWS, '-o', join(dir, 'fresh')], out: /^$/, err: /wrote 6 files/ },
      { name: 'over existing files with --force', argv: ['generate', '--flows', FLOWS, '-o', TAKEN, '--force'], err: /wrote 1 file/ },
    ],
    replay: [{ name: 'no policy: everything allowed', argv: ['replay', '--flows', TCP_FLOWS, '-f', APP], out: /13 observed connections: 13 allowed, 0 denied\n$/ }],
  },
  'case-failed': {
    run: [{ name: 'a scenario step expects what does not happen', argv: ['run', '--scenario', SCENARIO_WRONG], err: /scenario-wrong.yaml:\d+:\d+: expected stdout "000", got "200"/ }],
    test: [{ name: 'a case expecting deny where the policies allow', argv: ['test', '-f', APP, '--tests', WRONG], out: /0 passed, 1 failed\n$/ }],
  },
  'lint-findings': {
    lint: [{ name: 'the stray "-"', argv: ['lint', '-f', 'examples/broken/combining-stray-dash.yaml'], out: /:19:5: warning: .*port-rule-without-peer/ }],
  },
  'not-found': {
    get: [{ name: 'a pod name that names nothing', argv: ['get', 'pods', 'nosuch', '-f', DEMO], err: /NotFound\): pods "nosuch" not found/ }],
  },
  'changes': {
    diff: [{ name: 'story 1: the database opened to the backend', argv: ['diff', '--old', `${APP},${LOCKDOWN}/database-deny-all.yaml`, '--new', `${APP},${LOCKDOWN}/database-policy.yaml`], out: /3 newly allowed/ }],
  },
  'connection-denied': {
    replay: [{ name: 'a deny-all ingress in bookinfo', argv: ['replay', '--flows', TCP_FLOWS, '-f', DENY_BOOKINFO], out: /DENIED [\s\S]*deny-bookinfo\.yaml:\d+: CiliumNetworkPolicy bookinfo\/deny-all/ }],
  },
  'invalid-manifests': {
    generate: [{ name: '--existing with an invalid policy', argv: ['generate', '--flows', FLOWS, '--existing', INVALID], out: /CiliumNetworkPolicy/, err: /is not a valid CIDR/ }],
    replay: [{ name: 'an invalid policy enforces nothing', argv: ['replay', '--flows', FLOWS, '-f', INVALID], out: /1 allowed, 0 denied/, err: /is not a valid CIDR/ }],
    validate: [{ name: 'an invalid CIDR', argv: ['validate', '-f', INVALID], out: /is not a valid CIDR/ }],
    get: [{ name: 'the listing is still printed', argv: ['get', 'policies', '-f', APP, '-f', INVALID], out: /backend-policy\s+1\s+NO/, err: /is not a valid CIDR/ }],
    explain: [{ name: 'the verdict is still given', argv: ['explain', '-f', APP, '-f', INVALID, ...EXPLAIN], out: /^ALLOWED /, err: /^warning: the manifests have 1 error/ }],
    test: [{ name: 'every case passes, still 1', argv: ['test', '-f', APP, '-f', INVALID, '--tests', ALLOW], out: /1 passed, 0 failed\n$/, err: /warning: the manifests have 1 error/ }],
    lint: [{ name: 'linted anyway', argv: ['lint', '-f', APP, '-f', INVALID], err: /the manifests have 1 error/ }],
    matrix: [{ name: 'the matrix is still given', argv: ['matrix', '-f', APP, '-f', INVALID], out: /^FROM/, err: /the manifests have 1 error/ }],
    diff: [{ name: 'diffed anyway', argv: ['diff', '--old', APP, '--new', INVALID], err: /the manifests have 1 error/ }],
  },
  'invalid-tests': {
    run: [{ name: 'a misspelt field in a scenario', argv: ['run', '--scenario', SCENARIO_BAD], err: /expct/ }],
    test: [
      { name: 'an unknown field', argv: ['test', '-f', DEMO, '--tests', UNKNOWN_FIELD], err: /unknown field "expct"[\s\S]*no tests were run/ },
      { name: 'an endpoint that names nothing', argv: ['test', '-f', DEMO, '--tests', GHOST], err: /default\/ghost[\s\S]*no tests were run/ },
      { name: 'a manifest as the tests', argv: ['test', '-f', DEMO, '--tests', NOT_A_TEST], err: /Namespace is not a ConnectivityTest/ },
      { name: 'no ConnectivityTest at all', argv: ['test', '-f', DEMO, '--tests', COMMENTS], err: /no ConnectivityTest found/ },
    ],
  },
  'command-failed': {
    run: [
      { name: 'wget cannot resolve the name', argv: [...RUN, 'deploy/database', 'busybox', 'wget', '-O', '-', 'nosuch'], err: /^wget: bad address 'nosuch'\n$/ },
      { name: 'a pod that is not there, as kubectl says', argv: [...RUN, 'ghost', 'true'], err: /Error from server \(NotFound\): pods "ghost" not found/ },
    ],
  },
  'no-flows': {
    observe: [
      { name: 'no line is a flow', argv: ['observe', '--input-file', JUNK], err: /no flows in .*junk\.jsonl: no line is a Hubble flow/ },
      { name: 'text output of hubble observe', argv: ['observe', '--input-file', COMPACT], err: /hubble observe -o jsonpb/ },
      { name: 'an empty input', argv: ['observe', '--input-file', '-'], stdin: '', err: /the input is empty/ },
      { name: 'gzip with trailing bytes: the flows before are printed', argv: ['observe', '--input-file', TRAILING], out: /\S/, err: /3 bytes after the last complete gzip member/ },
      { name: 'gzip cut short', argv: ['observe', '--input-file', CUT], err: /gzip data is cut short/ },
    ],
    generate: [
      { name: 'no line is a flow', argv: ['generate', '--flows', JUNK], err: /no flow in the input/ },
      { name: 'an empty input', argv: ['generate', '--flows', '-'], stdin: '', err: /no flow in the input/ },
      { name: 'gzip cut short: policies from the flows before', argv: ['generate', '--flows', CUT], err: /gzip data is cut short/ },
    ],
    replay: [{ name: 'no line is a flow', argv: ['replay', '--flows', JUNK, '-f', APP], err: /no flow in the input/ }],
  },
  'bad-flag': {
    run: [
      { name: 'no command', argv: ['run', '-f', APP], err: /no command given/ },
      { name: 'a bad --now', argv: ['run', '-f', APP, '--now', 'yesterday', '--', 'deploy/frontend', 'true'], err: /--now "yesterday" is not a time/ },
      { name: 'no -f', argv: ['run', '--', 'deploy/frontend', 'true'], err: /no input/ },
    ],
    validate: [
      { name: 'no -f', argv: ['validate'], err: /no input/ },
      { name: 'an unknown output format', argv: ['validate', '-o', 'xml', '-f', DEMO] },
      { name: 'an unknown option', argv: ['validate', '-f', DEMO, '--frobnicate'], err: /unknown option/ },
      { name: 'an unknown command', argv: ['frobnicate'] },
      { name: '--pod-cidr garbage', argv: ['validate', '-f', DEMO, '--pod-cidr', 'garbage'], err: /"garbage" is not a CIDR/ },
    ],
    get: [
      { name: 'an unknown resource', argv: ['get', 'secrets', '-f', DEMO] },
      { name: '--pod-cidr garbage', argv: ['get', 'pods', '-f', DEMO, '--pod-cidr', 'garbage'], err: /"garbage" is not a CIDR/ },
      { name: 'no -f', argv: ['get', 'pods'], err: /no input/ },
    ],
    explain: [
      { name: '--service-cidr garbage', argv: ['explain', '-f', DEMO, ...EXPLAIN, '--service-cidr', 'garbage'], err: /"garbage" is not a CIDR/ },
      { name: '--port 0', argv: ['explain', '-f', DEMO, '--from', 'default/frontend', '--to', 'default/backend', '--port', '0'], err: /a port is a number from 1 to 65535/ },
      { name: 'contradicting protocols', argv: ['explain', '-f', DEMO, ...EXPLAIN.slice(0, 4), '--port', '80/TCP', '--protocol', 'UDP'] },
      { name: '--to missing', argv: ['explain', '-f', DEMO, '--from', 'default/frontend'], err: /--to/ },
      { name: 'an endpoint that is no endpoint', argv: ['explain', '-f', DEMO, '--from', 'a/b/c/d', '--to', 'default/backend'] },
    ],
    test: [
      { name: 'no --tests', argv: ['test', '-f', DEMO], err: /no tests/ },
      { name: 'an unknown output format', argv: ['test', '-f', DEMO, '--tests', DEMO_TESTS, '-o', 'xml'] },
      { name: '--pod-cidr garbage', argv: ['test', '-f', DEMO, '--tests', DEMO_TESTS, '--pod-cidr', 'garbage'], err: /"garbage" is not a CIDR/ },
    ],
    observe: [
      { name: 'no --input-file', argv: ['observe'], err: /--input-file/ },
      { name: 'a duration too large for a date', argv: ['observe', '--input-file', FLOWS, '--since', '9999999999999999h'], err: /duration out of range/ },
      { name: 'an unknown output format', argv: ['observe', '--input-file', FLOWS, '-o', 'xml'] },
      { name: 'an unknown type', argv: ['observe', '--input-file', FLOWS, '--type', 'constructor'] },
      { name: '--first and --last', argv: ['observe', '--input-file', FLOWS, '--first', '1', '--last', '1'] },
    ],
    lint: [
      { name: 'an unknown rule', argv: ['lint', '-f', DEMO, '--disable', 'dns-blokced'], err: /did you mean "dns-blocked"/ },
      { name: 'a bad config file', argv: ['lint', '-f', DEMO, '--config', BAD_CONFIG], err: /unknown field "disabled"/ },
      { name: 'no -f', argv: ['lint'], err: /no input/ },
    ],
    matrix: [
      { name: '--port 0', argv: ['matrix', '-f', DEMO, '--port', '0'], err: /is not a port/ },
      { name: '-n and -A', argv: ['matrix', '-f', DEMO, '-n', 'default', '-A'], err: /contradict/ },
      { name: 'an unknown grouping', argv: ['matrix', '-f', DEMO, '--by', 'team'] },
    ],
    diff: [
      { name: 'no --new', argv: ['diff', '--old', DEMO], err: /--old PATH --new PATH/ },
      { name: 'not git:REV:PATH', argv: ['diff', '--old', 'git:nopath', '--new', DEMO], err: /is not git:REVISION:PATH/ },
    ],
    generate: [
      { name: 'no --flows', argv: ['generate'], err: /no flows/ },
      { name: '--cidr-prefix 40', argv: ['generate', '--flows', FLOWS, '--cidr-prefix', '40'], err: /expected 0 to 32/ },
      { name: 'an unknown --kind', argv: ['generate', '--flows', FLOWS, '--kind', 'Policy'] },
      { name: '-o over an existing file without --force: nothing is written', argv: ['generate', '--flows', FLOWS, '-o', TAKEN], err: /would be overwritten[\s\S]*--force/ },
      { name: 'a malformed ClickHouse URL', argv: ['generate', '--flows', 'clickhouse://localhost:8123/nodot'], err: /expected DB\.TABLE/ },
    ],
    replay: [
      { name: 'no -f', argv: ['replay', '--flows', FLOWS], err: /no policies/ },
      { name: 'an unknown output format', argv: ['replay', '--flows', FLOWS, '-f', APP, '-o', 'xml'] },
      { name: '--workers 0', argv: ['replay', '--flows', FLOWS, '-f', APP, '--workers', '0'], err: /--workers/ },
    ],
  },
  'unknown-endpoint': {
    explain: [
      { name: 'a pod that does not exist', argv: ['explain', '-f', DEMO, '--from', 'default/nosuch', '--to', 'default/backend', '--port', '80'], err: /nosuch/ },
      { name: 'a Service as the source', argv: ['explain', '-f', DEMO, '--from', 'svc:default/backend', '--to', 'default/database', '--port', '7379'], err: /a Service never sends traffic/ },
      { name: 'fqdn: without --dns-answer', argv: ['explain', '-f', DEMO, '--from', 'default/frontend', '--to', 'fqdn:api.example.com', '--port', '443'], err: /--dns-answer/ },
      { name: 'with invalid manifests too: the higher code', argv: ['explain', '-f', APP, '-f', INVALID, '--from', 'default/nosuch', '--to', 'default/backend', '--port', '80'] },
    ],
  },
  'unreadable': {
    run: [{ name: 'a missing manifest', argv: ['run', '-f', MISSING, '--', 'x', 'true'], err: /does not exist/ }, { name: 'a missing scenario', argv: ['run', '--scenario', MISSING], err: /does not exist/ }],
    validate: [
      { name: 'the only path', argv: ['validate', '-f', MISSING], err: /does not exist/ },
      { name: 'one path of two: the other is still checked', argv: ['validate', '-f', DEMO, '-f', MISSING], out: /does not exist[\s\S]*5 files/ },
    ],
    get: [{ name: 'the only path', argv: ['get', 'pods', '-f', MISSING] }, { name: 'one path of two', argv: ['get', 'pods', '-f', DEMO, '-f', MISSING], err: /does not exist/ }],
    explain: [
      { name: 'the only path', argv: ['explain', '-f', MISSING, ...EXPLAIN] },
      { name: 'one path of two: no answer from part of the input', argv: ['explain', '-f', DEMO, '-f', MISSING, ...EXPLAIN], out: /^$/, err: /does not exist/ },
    ],
    test: [
      { name: 'the manifests', argv: ['test', '-f', MISSING, '--tests', DEMO_TESTS] },
      { name: 'the tests', argv: ['test', '-f', DEMO, '--tests', MISSING], err: /does not exist/ },
    ],
    lint: [{ name: 'the manifests', argv: ['lint', '-f', MISSING] }, { name: 'the config file', argv: ['lint', '-f', DEMO, '--config', MISSING], err: /does not exist/ }],
    matrix: [{ name: 'the only path', argv: ['matrix', '-f', MISSING] }],
    diff: [{ name: 'the old version', argv: ['diff', '--old', MISSING, '--new', DEMO], err: /does not exist/ }, { name: 'a revision git does not know', argv: ['diff', '--old', 'git:no-such-revision-xyz:examples/demo', '--new', DEMO], err: /cannot read git:no-such-revision-xyz/ }],
    observe: [
      { name: 'a missing file', argv: ['observe', '--input-file', MISSING], err: /no such file/ },
      { name: 'a folder', argv: ['observe', '--input-file', dir], err: /is a directory/ },
      { name: 'a path with a NUL byte', argv: ['observe', '--input-file', '\0'], err: /null bytes/ },
    ],
    generate: [
      { name: 'a missing flows file', argv: ['generate', '--flows', MISSING], err: /no such file/ },
      { name: 'a missing --existing', argv: ['generate', '--flows', FLOWS, '--existing', MISSING], err: /does not exist/ },
      { name: 'a ClickHouse nobody listens on', argv: ['generate', '--flows', 'clickhouse://127.0.0.1:1/db.flows'], err: /cannot reach ClickHouse/ },
    ],
    replay: [
      { name: 'missing policies', argv: ['replay', '--flows', FLOWS, '-f', MISSING], err: /does not exist/ },
      { name: 'a missing flows file', argv: ['replay', '--flows', MISSING, '-f', APP], err: /no such file/ },
    ],
  },
  'internal-error': {
    validate: internal(['validate', '-f', DEMO]),
    get: internal(['get', 'pods', '-f', DEMO]),
    explain: internal(['explain', '-f', DEMO, ...EXPLAIN]),
    test: internal(['test', '-f', DEMO, '--tests', DEMO_TESTS]),
    observe: internal(['observe', '--input-file', FLOWS]),
    lint: internal(['lint', '-f', DEMO]),
    matrix: internal(['matrix', '-f', DEMO]),
    diff: internal(['diff', '--old', DEMO, '--new', DEMO]),
    generate: internal(['generate', '--flows', FLOWS]),
    replay: internal(['replay', '--flows', FLOWS, '-f', APP]),
    run: internal(['run', '-f', APP, '--', 'deploy/frontend', 'echo', 'hi']),
  },
};

async function run(s: Scenario) {
  const io = memoryIO(s.stdin ?? '');
  const used: CliIO = s.throwingOut ? { ...io, out: () => { throw new Error('stdout exploded'); } } : io;
  const code = await main(s.argv, used);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('every command exits as the table says, in every situation', () => {
  for (const row of EXIT_CODE_TABLE) {
    for (const command of COMMANDS) {
      const expected = row.codes[command];
      const scenarios = SCENARIOS[row.situation][command] ?? [];
      if (expected === undefined) {
        test(`${command}: ${row.situation} does not arise`, () => assert.equal(scenarios.length, 0, 'a scenario for a cell without a code'));
        continue;
      }
      test(`${command}: ${row.situation} has a run`, () => assert.ok(scenarios.length > 0, `no scenario for ${command} / ${row.situation}`));
      for (const s of scenarios) {
        test(`${command}: ${row.situation}: ${s.name} → ${expected}`, async () => {
          const r = await run(s);
          const shown = `stdout:\n${r.out}\nstderr:\n${r.err}`;
          assert.equal(r.code, expected, shown);
          if (row.situation !== 'internal-error') assert.doesNotMatch(r.err + r.out, /internal error/, shown);
          assert.doesNotMatch(r.err + r.out, /^\s+at .*:\d+:\d+\)?$/m, 'no stack trace');
          if (s.out) assert.match(r.out, s.out, shown);
          if (s.err) assert.match(r.err, s.err, shown);
        });
      }
    }
  }
});

test('the README\'s exit-code table is the code\'s table', () => {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('### Exit codes')).split('\n');
  const start = section.findIndex((l) => l.startsWith('|'));
  const table: string[] = [];
  for (let i = start; i >= 0 && section[i]?.startsWith('|'); i++) table.push(section[i]!);
  const cells = (l: string) => l.slice(1, -1).split('|').map((c) => c.trim());
  const [head, , ...rows] = table;
  const commands = cells(head!).slice(1).map((c) => c.replace(/`/g, ''));
  assert.deepEqual(commands, [...COMMANDS], 'the README table has one column per command, in order');
  const parsed = rows.map((l) => {
    const [text, ...codes] = cells(l);
    return { text, codes: Object.fromEntries(commands.flatMap((c, i) => (codes[i] === '–' ? [] : [[c, Number(codes[i])]]))) };
  });
  const expected = EXIT_CODE_TABLE.map((r) => ({ text: r.text, codes: { ...r.codes } }));
  assert.deepEqual(parsed, expected, `paste this table into README.md:\n${exitCodeTableMarkdown()}`);
});

test('several situations in one run: the highest code wins; a situation outside a command\'s column is a bug', () => {
  assert.equal(exitCodeFor('test', 'case-failed', 'invalid-manifests'), 1);
  assert.equal(exitCodeFor('validate', 'invalid-manifests', 'unreadable'), 2);
  assert.equal(exitCodeFor('explain'), 0);
  assert.throws(() => exitCodeFor('observe', 'invalid-manifests'), /observe has no code for invalid-manifests/);
});
