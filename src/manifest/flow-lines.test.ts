/**
 * The fast path for one-line flow mappings must never change what a
 * document means: every document here is loaded with the fast path (runs
 * of 2 lines or more) and without it, and the objects, the noted starts of
 * every list item and the diagnostics must be the same.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifests, type LoadOptions } from './load.js';
import { readFlowLines } from './flow-lines.js';
import { seededRandom } from '../util/random.js';

const HEAD = 'apiVersion: polis.dev/v1alpha1\nkind: ConnectivityTest\nmetadata: {name: t}\nspec:\n  cases:\n';

/** Loads `text` both ways and returns what can be compared. */
function both(text: string) {
  const view = (options: LoadOptions) => {
    const r = loadManifests([{ path: 'x.yaml', text }], options);
    return {
      values: r.objects.map((o) => o.value),
      starts: r.objects.map((o) => {
        const out: unknown[] = [];
        const walk = (v: unknown): void => {
          if (typeof v !== 'object' || v === null) return;
          out.push(o.startOf(v)?.offset ?? null);
          for (const x of Object.values(v)) walk(x);
        };
        walk(o.value);
        return out;
      }),
      diagnostics: r.diagnostics.map((d) => [d.code, d.location?.line, d.location?.col, d.message]),
    };
  };
  return { fast: view({ flowLineRun: 2 }), slow: view({ flowLineRun: Number.POSITIVE_INFINITY }) };
}

function assertSame(text: string) {
  const { fast, slow } = both(text);
  assert.deepEqual(fast, slow, text);
  return fast;
}

describe('flow-line lists read like js-yaml reads them', () => {
  const cases = (lines: string[], indent = '    ') => HEAD + lines.map((l) => `${indent}${l}\n`).join('');
  const table: [string, string][] = [
    ['plain cases', cases(['- {from: ns-1/app-1, to: ns-2/app-2, port: 8080, expect: allow}', '- {from: a/b, to: svc:c/d, port: 443, expect: deny}', '- { from: ip:10.0.0.1, to: fqdn:api.example.com, port: 1, expect: allow }'])],
    ['compact list at the key indent', cases(['- {from: ns-1/app-1, to: ns-2/app-2, port: 8080, expect: allow}', '- {from: a/b, to: svc:c/d, port: 443, expect: deny}'], '  ')],
    ['two runs around a block item', cases(['- {from: ns-1/app-1, to: ns-2/app-2, port: 8080, expect: allow}', '- {from: a/b, to: svc:c/d, port: 443, expect: deny}', '- from: x/y', '  to: z/w', '  expect: allow', '- {from: ns-1/app-1, to: ns-2/app-2, port: 80, expect: allow}', '- {from: a/b, to: svc:c/d, port: 443, expect: deny}'])],
    ['comments and blank lines between items', cases(['- {from: ns-1/app-1, to: ns-2/app-2, port: 8080, expect: allow}', '', '# a comment', '- {from: a/b, to: svc:c/d, port: 443, expect: deny}', '- {from: a/b, to: svc:c/d, port: 444, expect: deny}'])],
    ['values that are not strings', cases(['- {from: ns-1/app-1, to: ns-2/app-2, port: 0x1F, expect: allow}', '- {from: true, to: null, port: 010, expect: allow}', '- {from: -5, to: .5, port: 1e3, expect: allow}', '- {from: 1_000, to: .inf, port: -0, expect: allow}'])],
    ['indicators and odd scalars', cases(['- {from: "@x", to: a, port: 1, expect: allow}', "- {from: a:b, to: 'http://x', port: 1, expect: allow}", '- {from: :x, to: a, port: 1, expect: allow}', '- {from: a, to: b, port: 1, expect: allow} # trailing', '- {from: a, to: b, port: 1, expect: allow, }', '- {from: a, from: b, port: 1, expect: allow}', '- {__proto__: a, to: b, port: 1, expect: allow}'])],
    ['a list inside a block scalar', `${HEAD}    - {from: a/b, to: c/d, port: 80, expect: allow}\nnotes: |\n  - {from: ns-1/app-1, to: ns-2/app-2, port: 8080, expect: allow}\n  - {from: ns-1/app-1, to: ns-2/app-2, port: 8081, expect: allow}\n`],
    ['a list inside a quoted string', `${HEAD}    - {from: a/b, to: c/d, port: 80, expect: allow}\nnotes: "first\n  - {from: ns-1/app-1, to: ns-2/app-2, port: 8080, expect: allow}\n  - {from: ns-1/app-1, to: ns-2/app-2, port: 8081, expect: allow}\n  last"\n`],
    ['a list inside a flow sequence', `${HEAD}    - {from: a/b, to: c/d, port: 80, expect: allow}\nnotes: [\n  - {from: ns-1/app-1, to: ns-2/app-2, port: 8080, expect: allow},\n  - {from: ns-1/app-1, to: ns-2/app-2, port: 8081, expect: allow}\n  ]\n`],
    ['a document that is a list', '- {from: ns-1/app-1, to: ns-2/app-2, port: 8080, expect: allow}\n- {from: ns-1/app-1, to: ns-2/app-2, port: 8081, expect: allow}\n'],
    ['two documents', `${cases(['- {from: ns-1/app-1, to: ns-2/app-2, port: 8080, expect: allow}', '- {from: a/b, to: svc:c/d, port: 443, expect: deny}'])}---\n${cases(['- {from: ns-1/app-1, to: ns-2/app-2, port: 8080, expect: deny}', '- {from: a/b, to: svc:c/d, port: 443, expect: deny}'])}`],
    ['a syntax error after the list', `${cases(['- {from: ns-1/app-1, to: ns-2/app-2, port: 8080, expect: allow}', '- {from: a/b, to: svc:c/d, port: 443, expect: deny}'])}  dns: {a: [1.2.3.4}\n`],
    ['lines of two indents', `${HEAD}    - {from: ns-1/app-1, to: ns-2/app-2, port: 8080, expect: allow}\n    - {from: ns-1/app-1, to: ns-2/app-2, port: 8081, expect: allow}\n      - {from: ns-1/app-1, to: ns-2/app-2, port: 8082, expect: allow}\n      - {from: ns-1/app-1, to: ns-2/app-2, port: 8083, expect: allow}\n`],
  ];
  for (const [name, text] of table) test(name, () => void assertSame(text));

  test('the fast path does run on a plain suite (and gives the items their starts)', () => {
    const text = cases(['- {from: ns-1/app-1, to: ns-2/app-2, port: 8080, expect: allow}', '- {from: a/b, to: svc:c/d, port: 443, expect: deny}']);
    const flow = readFlowLines(text, 2);
    assert.equal(flow?.runs.length, 1);
    assert.ok(flow!.skeleton.length < text.length);
    assert.equal(flow!.original(flow!.skeleton.length), text.length, "the end of the skeleton is the end of the text");
    assert.deepEqual(flow!.runs[0]!.items[1], { from: 'a/b', to: 'svc:c/d', port: 443, expect: 'deny' });
    const fast = assertSame(text);
    const starts = fast.starts[0]!;
    assert.deepEqual(starts.slice(-2).map((s) => typeof s), ['number', 'number'], 'both items have their start');
  });

  test('random lines from a grammar of awkward tokens (2,000 documents)', () => {
    const keys = ['from', 'to', 'port', 'expect', 'x-y', 'a.b', '_k', 'true', 'Null', '1', '__proto__'];
    const values = ['ns/a', 'svc:a/b', 'ip:10.0.0.1', 'a:b:c', 'x:', '8080', '0', '007', '0x10', '-1', '1.5', '.5', 'true', 'False', 'NULL', 'null-ish', '~', '@at', ':c', '/p', 'a#b', 'a #b', '"q"', "'q'", '[x]', '{}', 'a,b', 'http://h/p', ''];
    const rnd = seededRandom(3);
    const pick = <T>(list: readonly T[]): T => list[rnd(list.length)]!;
    let fastRuns = 0;
    for (let d = 0; d < 2000; d++) {
      const lines: string[] = [];
      for (let i = 0; i < 4; i++) {
        // Mostly plain tokens, so that many lines take the fast path and some are awkward.
        const token = (list: readonly string[]) => (pick([0, 1, 2, 3, 4]) < 3 ? pick(list.slice(0, 6)) : pick(list));
        const names = new Set(Array.from({ length: 2 + ((d + i) % 3) }, () => token(keys)));
        const pairs = [...names].map((k) => `${k}: ${token(values)}`);
        lines.push(`- {${pairs.join(pick([', ', ',', ' , ']))}}${pick(['', '', ' ', ' # c'])}`);
      }
      const text = cases(lines, pick(['    ', '  ', '      ']));
      if (readFlowLines(text, 2)) fastRuns++;
      assertSame(text);
    }
    assert.ok(fastRuns > 50, `the fast path ran on only ${fastRuns} documents`);
  });
});
