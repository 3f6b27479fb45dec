/**
 * The three output formats, as golden strings; JUnit XML is also checked
 * for well-formedness with hostile names (quotes, <, &, control characters).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatJson } from './format-json.js';
import { formatJunit } from './format-junit.js';
import { formatText } from './format-text.js';
import { mkResult } from './testing.js';

const loc = (file: string, line: number) => ({ file, line, col: 7, offset: 0, endOffset: 0 });
const RESULTS = [
  mkResult({ name: 'admin reaches web' }),
  mkResult({
    name: 'no ping', to: 'shop/db', port: undefined, protocol: 'ICMP', icmpType: 8, expect: 'deny', verdict: 'allow', pass: false,
    reason: 'allowed by CiliumNetworkPolicy shop/db', pairs: 2, location: loc('tests.yaml', 12),
  }),
  mkResult({ test: 'other', name: 'dns', to: 'svc:kube-system/kube-dns', port: 53, protocol: 'UDP', dns: 'example.com', location: loc('more.yaml', 3) }),
];
/** Named after their traffic, as run.ts names a case without a name: the text line says it once. */
const UNNAMED = [
  mkResult({ name: 'shop/admin -> shop/db 5432/TCP', to: 'shop/db', port: 5432 }),
  mkResult({ name: 'shop/admin -> svc:kube-system/kube-dns DNS example.com 53/UDP', to: 'svc:kube-system/kube-dns', port: 53, protocol: 'UDP', dns: 'example.com' }),
];

describe('formatText', () => {
  test('golden', () => {
    assert.equal(formatText([...RESULTS, ...UNNAMED]), [
      'PASS admin reaches web: shop/admin -> svc:shop/web 80/TCP: expected allow, got allow (fake: port 80 is allowed)',
      'FAIL tests.yaml:12: no ping: shop/admin -> shop/db ICMP/8: expected deny, got allow (allowed by CiliumNetworkPolicy shop/db)',
      'PASS dns: shop/admin -> svc:kube-system/kube-dns DNS example.com 53/UDP: expected allow, got allow (fake: port 80 is allowed)',
      'PASS shop/admin -> shop/db 5432/TCP: expected allow, got allow (fake: port 80 is allowed)',
      'PASS shop/admin -> svc:kube-system/kube-dns DNS example.com 53/UDP: expected allow, got allow (fake: port 80 is allowed)',
      '4 passed, 1 failed',
      '',
    ].join('\n'));
  });
  test('no results: the summary alone', () => assert.equal(formatText([]), '0 passed, 0 failed\n'));
});

describe('formatJson', () => {
  test('golden', () => {
    const j = JSON.parse(formatJson(RESULTS)) as unknown;
    assert.deepEqual(j, {
      results: [
        { name: 'admin reaches web', from: 'shop/admin', to: 'svc:shop/web', port: 80, protocol: 'TCP', expect: 'allow', verdict: 'allow', pass: true, reason: 'fake: port 80 is allowed', test: 'shop', file: 'tests.yaml', line: 7, pairs: 1 },
        { name: 'no ping', from: 'shop/admin', to: 'shop/db', port: null, protocol: 'ICMP', expect: 'deny', verdict: 'allow', pass: false, reason: 'allowed by CiliumNetworkPolicy shop/db', test: 'shop', file: 'tests.yaml', line: 12, icmpType: 8, pairs: 2 },
        { name: 'dns', from: 'shop/admin', to: 'svc:kube-system/kube-dns', port: 53, protocol: 'UDP', expect: 'allow', verdict: 'allow', pass: true, reason: 'fake: port 80 is allowed', test: 'other', file: 'more.yaml', line: 3, dns: 'example.com', pairs: 1 },
      ],
      summary: { passed: 2, failed: 1 },
    });
  });
  test('the issue\'s keys come first, in its order', () => {
    const first = (JSON.parse(formatJson(RESULTS)) as { results: object[] }).results[0]!;
    assert.deepEqual(Object.keys(first).slice(0, 9), ['name', 'from', 'to', 'port', 'protocol', 'expect', 'verdict', 'pass', 'reason']);
  });
  test('one result per line; a failing case carries its explanation', () => {
    const failing = mkResult({ name: 'f', expect: 'deny', pass: false, explanation: 'allowed by CiliumNetworkPolicy shop/web (policy.yaml:4)' });
    const text = formatJson([RESULTS[0]!, failing]);
    const lines = text.split('\n');
    assert.equal(lines.filter((l) => l.trimStart().startsWith('{"name"')).length, 2);
    const parsed = JSON.parse(text) as { results: { explanation?: string }[] };
    assert.equal(parsed.results[0]!.explanation, undefined);
    assert.equal(parsed.results[1]!.explanation, 'allowed by CiliumNetworkPolicy shop/web (policy.yaml:4)');
  });
  test('one line per result across chunks, whatever the strings hold', () => {
    // Rows are stringified in chunks and split where one ends and the next begins: text that
    // looks like that boundary inside a name must not split a line.
    const tricky = mkResult({ name: 'a"},{"name":"b', reason: '},{"name"' });
    const many = Array.from({ length: 5000 }, (_, i) => (i % 1000 === 0 ? tricky : mkResult({ name: `case ${i}` })));
    const text = formatJson(many);
    const rows = text.split('\n').filter((l) => l.startsWith('    {'));
    assert.equal(rows.length, 5000);
    assert.deepEqual(rows.map((l) => (JSON.parse(l.replace(/,$/, '')) as { name: string }).name), many.map((r) => r.name));
  });
  test('no results: still a document', () => assert.deepEqual(JSON.parse(formatJson([])), { results: [], summary: { passed: 0, failed: 0 } }));
});

describe('formatJunit', () => {
  test('golden: one testsuite per file, failures with a message', () => {
    assert.equal(formatJunit(RESULTS), `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="polis test" tests="3" failures="1" errors="0">
  <testsuite name="tests.yaml" tests="2" failures="1" errors="0" skipped="0">
    <testcase classname="shop" name="admin reaches web" file="tests.yaml" line="7"/>
    <testcase classname="shop" name="no ping" file="tests.yaml" line="12">
      <failure message="expected deny, got allow: allowed by CiliumNetworkPolicy shop/db" type="ConnectivityTestFailure">shop/admin -&gt; shop/db ICMP/8
expected deny, got allow
allowed by CiliumNetworkPolicy shop/db
at tests.yaml:12:7</failure>
    </testcase>
  </testsuite>
  <testsuite name="more.yaml" tests="1" failures="0" errors="0" skipped="0">
    <testcase classname="other" name="dns" file="more.yaml" line="3"/>
  </testsuite>
</testsuites>
`);
  });

  test('escapes everything a user can write, and stays well-formed', () => {
    const nasty = 'a "quoted" <tag> & \'apos\' ]]> \u0001bell\ttab\nline';
    const xml = formatJunit([mkResult({ test: nasty, name: nasty, reason: nasty, pass: false, verdict: 'deny', location: loc(`dir/${nasty}.yaml`, 1) })]);
    assertWellFormed(xml);
    assert.match(xml, /classname="a &quot;quoted&quot; &lt;tag&gt; &amp; 'apos' \]\]&gt; \uFFFDbell&#9;tab&#10;line"/);
    assert.ok(!xml.includes(']]>'));
    assert.ok(!xml.includes('\u0001'));
  });

  test('the golden document is well-formed', () => assertWellFormed(formatJunit(RESULTS)));

  test('the well-formedness check itself rejects broken XML', () => {
    const head = '<?xml version="1.0" encoding="UTF-8"?>\n';
    for (const bad of ['<a b="<"/>', '<a>&</a>', '<a><b></a></b>', '<a>', '<a/><b/>', '<a>\u0001</a>']) {
      assert.throws(() => assertWellFormed(head + bad), `accepted ${bad}`);
    }
  });
});

/**
 * A small XML 1.0 well-formedness check, enough for what formatJunit emits:
 * balanced tags, quoted attributes without raw `<` or `&`, entity references
 * only of the predefined or numeric kind, no characters XML forbids.
 */
function assertWellFormed(xml: string): void {
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n'));
  assert.doesNotMatch(xml, /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u, 'forbidden character');
  const body = xml.slice(xml.indexOf('?>') + 2);
  const stack: string[] = [];
  let rootSeen = false;
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/gy;
  for (let m = token.exec(body); m; m = token.exec(body)) {
    const [, close, name, attrs, selfClose, text, stray] = m;
    assert.equal(stray, undefined, `stray < at ${m.index}: ${body.slice(m.index, m.index + 40)}`);
    for (const chunk of [attrs ?? '', text ?? '']) {
      for (const amp of chunk.matchAll(/&([^;]*);?/g)) assert.match(amp[0], /^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);$/, `bad reference ${amp[0]}`);
    }
    if (text !== undefined) {
      assert.ok(!text.includes('>') || !text.includes(']]>'));
      if (stack.length === 0) assert.match(text, /^\s*$/, 'text outside the root element');
      continue;
    }
    if (close) {
      assert.equal(stack.pop(), name, `mismatched </${name}>`);
      continue;
    }
    if (stack.length === 0) {
      assert.ok(!rootSeen, 'a second root element');
      rootSeen = true;
    }
    if (!selfClose) stack.push(name!);
  }
  assert.equal(token.lastIndex === 0 || token.lastIndex === body.length, true, 'trailing garbage');
  assert.deepEqual(stack, [], 'unclosed elements');
}
