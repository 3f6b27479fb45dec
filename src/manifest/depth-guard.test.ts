/**
 * The nesting guard that runs before the YAML parsers: it must pass text
 * (block and quoted scalars, comments, plain scalars) and must catch every
 * nesting a parser would recurse into, wherever it hides (issue 8).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { load as jsYamlLoad } from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { findExcessiveNesting } from './depth-guard.js';
import { loadManifests } from './load.js';

const deep = '['.repeat(100_000);
const cm = (data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n${data}`;

const textCases: { name: string; text: string }[] = [
  { name: '600 [ inside a | block scalar', text: cm(`  x: |\n    ${'['.repeat(600)}\n  y: z\n`) },
  { name: '600 { inside a folded >- block scalar in a sequence', text: `a:\n- >-\n  ${'{'.repeat(600)}\n\n  more\n- b\n` },
  { name: 'a block scalar with an explicit indentation indicator', text: cm(`  x: |2\n      ${'['.repeat(600)}\n  y: z\n`) },
  { name: 'a block scalar whose content lines are indented 600 spaces', text: cm(`  x: |\n${' '.repeat(600)}text\n  y: z\n`) },
  { name: 'a top-level block scalar after ---', text: `--- |\n${'['.repeat(600)}\n` },
  { name: 'brackets in a double-quoted string over two lines', text: cm(`  x: "a ${'['.repeat(300)}\n    ${'['.repeat(300)} b"\n`) },
  { name: 'brackets in a single-quoted string with escaped quotes', text: cm(`  x: 'it''s ${'['.repeat(600)}'\n`) },
  { name: 'brackets in a block plain scalar', text: cm(`  x: see ${'['.repeat(600)}\n`) },
  { name: 'brackets in a comment after a space', text: `a: b # ${'{'.repeat(600)}\n` },
];
for (const c of textCases) {
  test(`text is not nesting: ${c.name}`, () => {
    assert.equal(findExcessiveNesting(c.text), -1);
    const r = loadManifests([{ path: 'x.yaml', text: c.text }]);
    assert.deepEqual(r.diagnostics.filter((d) => d.code === 'too-deep'), []);
  });
}

test('the text of a 600-[ block scalar is loaded as written', () => {
  const r = loadManifests([{ path: 'x.yaml', text: cm(`  x: |\n    ${'['.repeat(600)}\n`) }]);
  assert.deepEqual(r.diagnostics, []);
  assert.equal((r.objects[0]!.value.data as Record<string, string>).x, `${'['.repeat(600)}\n`);
});

// Each hides deep flow nesting behind something a naive scan skips; each reached the parsers' stack.
const hiddenCases: { name: string; text: string }[] = [
  { name: '# inside a flow plain scalar is not a comment: [a#[[[…', text: `x: [a#${deep}\n` },
  { name: "' inside a flow plain scalar is not a quote: [a'[[[…", text: `x: [a'${deep}\n` },
  { name: '" inside a block plain scalar, then : starts a value', text: `x: a"b: ${deep}\n` },
  { name: 'a quote on a line that continues a plain scalar', text: `key: a\n  'x b: ${deep}\n` },
  { name: 'a | on a line that continues a plain scalar', text: `key: a\n  |\n  b: ${deep}\n` },
  { name: 'a multi-line quoted scalar ends at an unindent', text: `key: "a\nb: ${deep}\n` },
  { name: 'a block scalar ends at a less indented line', text: `a: |\n  text\nb: ${deep}\n` },
  { name: 'a block scalar ends at a document marker', text: `--- |\n  text\n---\n${deep}\n` },
  { name: 'explicit indentation: a line indented less than the indicator is not content', text: `a: |4\n  ${deep}\n` },
  { name: 'a tab-only line is not blank inside a block scalar', text: `a: |\n  t\n\t${deep}\n` },
  { name: 'deep nesting in the second document', text: `a: b\n---\nc: ${deep}\n` },
  { name: 'deep nesting after a BOM', text: `\ufeff${deep}\n` },
  { name: 'a line of 20,000 "- "', text: `a:\n${'- '.repeat(20_000)}x\n` },
  // Found by the property test below against an earlier guard: eemeli/yaml reads on after errors.
  { name: 'a plain scalar may start with "," and continue over a "|" line', text: `,|1\n  ]|2\n   a: ${deep}\n` },
  { name: 'a plain scalar right after a quoted one continues on the next lines', text: `"a"x\n  |\n  b: ${deep}\n` },
  { name: 'block nesting after an unindent inside a flow collection', text: `{\n${Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}a:\n`).join('')}` },
  { name: '"- " indicators in a row inside a flow collection', text: `[? \n  ${'- '.repeat(20_000)}x]\n` },
  { name: 'a % line at the start is a directive, not a plain scalar before a quote', text: `%: '\n   ${deep}\n` },
  { name: '"? " markers on a line that may continue a plain scalar', text: `key:\n  v\n ...\n${'? '.repeat(20_000)}x\n` },
  { name: '? keys nesting', text: `${'? '.repeat(20_000)}x\n` },
];
for (const c of hiddenCases) {
  test(`nesting is found: ${c.name}`, () => {
    assert.ok(findExcessiveNesting(c.text) >= 0);
    const t0 = performance.now();
    const r = loadManifests([{ path: 'x.yaml', text: c.text }]);
    assert.ok(performance.now() - t0 < 1_000, 'no parser ran on it');
    assert.ok(r.diagnostics.some((d) => d.code === 'too-deep'), JSON.stringify(r.diagnostics.map((d) => d.message)));
    assert.ok(!r.diagnostics.some((d) => /call stack/i.test(d.message)));
  });
}

/** True when either parser runs out of stack on `text`. */
function overflowsAParser(text: string): boolean {
  const overflow = (e: unknown) => e instanceof RangeError || /call stack/i.test(String(e));
  try {
    jsYamlLoad(text);
  } catch (e) {
    if (overflow(e)) return true;
  }
  try {
    for (const d of parseAllDocuments(text, { prettyErrors: false }) as unknown as { errors: { message: string }[]; toJS(): unknown }[]) {
      if (d.errors.some((e) => /call stack/i.test(e.message))) return true;
      d.toJS();
    }
  } catch (e) {
    if (overflow(e)) return true;
  }
  return false;
}

test('property: when the guard passes a text, neither parser runs out of stack on it', () => {
  // YAML-ish fragments around 20,000 opening brackets: whatever the guard skips must be text to both parsers.
  const pieces = ['[', ']', '{', '}', ',', "'", '"', '#', ' ', '  ', '\n', '\n  ', '\n    ', '|', '>', '|2', ':', ': ', '- ', '? ', 'a', 'key: ',
    '\\', '&x ', '*x', '!t ', '---\n', '\t', '"a"', "'b'", '\r\n', '- |\n', 'k: |\n', "key: a\n  '", 'key:\n  ', '>+\n  ', '...\n', 'a#', ' #', "''", ':x',
    '|1\n', '|2', '%', '@', 'x:y', '-x', '\n   ', '\n ', '%YAML 1.2\n', '\ufeff'];
  const staircase = Array.from({ length: 600 }, (_, i) => `${' '.repeat(i)}a:\n`).join('');
  const deepRun = fc.constantFrom('[', '{', '[a,', '{a: ', '- ', '? ').map((s) => s.repeat(20_000)).chain((run) => fc.constantFrom(run, staircase));
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 12 }), fc.nat(12), deepRun, (parts, at, run) => {
      const text = [...parts.slice(0, at), run, ...parts.slice(at)].join('');
      if (findExcessiveNesting(text) >= 0) return true;
      return !overflowsAParser(text);
    }),
    { numRuns: 400, seed: 8 },
  );
});
