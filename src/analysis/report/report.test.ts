/**
 * The CI reports: SARIF from lint, validate and test validates against the
 * SARIF 2.1.0 schema (vendored in testdata/sarif with its source), results
 * sit on the lines of the findings with the rule metadata; JUnit XML counts
 * the failures.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { main } from '../../cli/main.js';
import { memoryIO } from '../../cli/io.js';

const schema = JSON.parse(readFileSync('testdata/sarif/sarif-schema-2.1.0.json', 'utf8')) as object;
// ajv-draft-04 is CommonJS: its class is the default export of the required module.
const Ajv = (createRequire(import.meta.url)('ajv-draft-04') as { default: new (o: object) => { compile(s: object): ValidateFunction } }).default;
const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(schema);

async function polis(...argv: string[]) {
  const io = memoryIO('');
  const code = await main(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

function assertSarif(text: string) {
  const log = JSON.parse(text) as { version: string; runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; ruleIndex: number; locations?: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[] }[] }[] };
  const ok = validate(log);
  assert.ok(ok, JSON.stringify(validate.errors?.slice(0, 5), null, 2));
  assert.equal(log.version, '2.1.0');
  const run = log.runs[0]!;
  for (const r of run.results) assert.equal(run.tool.driver.rules[r.ruleIndex]!.id, r.ruleId, 'ruleIndex points at the rule');
  return run;
}

describe('SARIF 2.1.0', () => {
  test('lint: valid against the schema; the stray "-" on its line with the rule\'s explanation', async () => {
    const r = await polis('lint', '-f', 'examples/broken/combining-stray-dash.yaml', '-o', 'sarif');
    assert.equal(r.code, 1);
    const run = assertSarif(r.out);
    const res = run.results.find((x) => x.ruleId === 'port-rule-without-peer')!;
    assert.deepEqual(res.locations![0]!.physicalLocation.region, { startLine: 19, startColumn: 5 });
    assert.equal(res.locations![0]!.physicalLocation.artifactLocation.uri, 'examples/broken/combining-stray-dash.yaml');
    assert.ok(run.tool.driver.rules.some((x) => x.id === 'dns-blocked'), 'every rule that ran is described, also those that found nothing');
  });
  test('lint on the demo, validate on an invalid file, test with a failing case: all valid', async () => {
    assertSarif((await polis('lint', '-f', 'examples/demo', '-o', 'sarif')).out);
    const v = await polis('validate', '-f', 'examples/broken/story5-invalid-cidr.yaml', '-o', 'sarif');
    assert.equal(v.code, 1);
    assert.ok(assertSarif(v.out).results.length > 0);
    const t = await polis('test', '-f', 'examples/demo/app.yaml', '--tests', 'examples/demo/connectivity-test.yaml', '-o', 'sarif');
    assert.equal(t.code, 1, 'without policies some deny cases fail');
    assert.ok(assertSarif(t.out).results.every((x) => x.ruleId === 'connectivity-test-failed'));
  });
  test('a hand-broken log fails the schema (the check has teeth)', () => {
    assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: {} }, results: [] }] }), false);
  });
});

describe('JUnit XML', () => {
  test('lint: one failure per warning, a passing case per clean file', async () => {
    const r = await polis('lint', '-f', 'examples/broken/combining-stray-dash.yaml', '-f', 'examples/demo/app.yaml', '-o', 'junit');
    assert.match(r.out, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="polis lint" tests="\d+" failures="2"/);
    assert.match(r.out, /<failure message="the &quot;-&quot; before toPorts starts a rule of its own/);
    assert.match(r.out, /name="examples\/demo\/app.yaml: no findings"/);
  });
  test('validate: errors are failures', async () => {
    const r = await polis('validate', '-f', 'examples/broken/story5-invalid-cidr.yaml', '-o', 'junit');
    assert.match(r.out, /failures="1"/);
  });
});
