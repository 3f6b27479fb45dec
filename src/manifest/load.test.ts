/**
 * Loading manifests: documents, Lists, positions, and hostile input that
 * must become diagnostics, never crashes or hangs.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifests } from './load.js';

const load = (text: string, path = 'x.yaml') => loadManifests([{ path, text }]);

describe('loading documents', () => {
  test('multi-document YAML, empty documents and comment-only documents', () => {
    const r = load('# header\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\n---\n# only a comment\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: x}\n');
    assert.deepEqual(r.objects.map((o) => o.displayName), ['Pod a', 'Service x/s']);
    assert.deepEqual(r.diagnostics, []);
  });

  test('an object after a "---" line starts at its first line, not at the marker', () => {
    const r = load('apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n# about b\n\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n--- # c\r\napiVersion: v1\r\nkind: Namespace\r\nmetadata: {name: c}\n--- {apiVersion: v1, kind: Namespace, metadata: {name: d}}\n');
    assert.deepEqual(r.objects.map((o) => [o.name, o.location.line]), [['a', 1], ['b', 7], ['c', 11], ['d', 14]]);
  });

  test('JSON input', () => {
    const r = load('{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n"}}', 'x.json');
    assert.equal(r.objects[0]?.kind, 'Namespace');
  });

  test('kind: List and v1/List expand their items, keeping item positions', () => {
    const r = load('apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: b}\n');
    assert.deepEqual(r.objects.map((o) => o.name), ['a', 'b']);
    assert.equal(r.objects[1]?.location.line, 7);
    assert.equal(r.objects[1]?.locate(['metadata', 'name']).line, 9);
  });

  test('anchors and aliases are expanded', () => {
    const r = load('apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels: &l {app: web}\n  annotations: *l\n');
    assert.deepEqual((r.objects[0]?.value.metadata as Record<string, unknown>).annotations, { app: 'web' });
  });

  test('locate points at keys and values, falling back to the nearest ancestor', () => {
    const r = load('apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n    - name: c\n');
    const o = r.objects[0]!;
    assert.deepEqual([o.locate(['spec', 'containers', 0, 'name']).line, o.locate(['spec', 'containers', 0, 'name']).col], [7, 13]);
    assert.deepEqual([o.locate(['spec', 'containers'], 'key').line, o.locate(['spec', 'containers'], 'key').col], [6, 3]);
    assert.equal(o.locate(['spec', 'containers', 0, 'ports', 3]).line, 7);
  });

  test('objects without kind or apiVersion', () => {
    const r = load('metadata: {name: a}\n');
    assert.equal(r.diagnostics[0]?.code, 'missing-kind');
    assert.match(r.diagnostics[0]!.message, /object has no kind/);
  });

  test('a scalar document is not an object', () => {
    assert.equal(load('just text\n').diagnostics[0]?.code, 'not-an-object');
  });
});

describe('hostile input', () => {
  test('empty file', () => assert.deepEqual(load(''), { objects: [], diagnostics: [] }));

  test('malformed YAML gets the parser position and a sentence', () => {
    const r = load('apiVersion: v1\nkind: Pod\nmetadata:\n  name: [a\n');
    assert.equal(r.diagnostics[0]?.code, 'yaml-syntax');
    assert.match(r.diagnostics[0]!.message, /^invalid YAML: /);
    assert.ok(r.diagnostics[0]!.location!.line >= 4);
  });

  test('a broken document does not stop the next one', () => {
    const r = load('a: [\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: ok}\n');
    assert.deepEqual(r.objects.map((o) => o.name), ['ok']);
    assert.equal(r.diagnostics.length, 1);
  });

  test('binary data', () => {
    const bin = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
    assert.equal(load(bin).diagnostics[0]?.code, 'binary-file');
  });

  test('YAML bomb (billion laughs)', () => {
    let text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      text += `${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
    }
    const t0 = Date.now();
    const r = load(text);
    assert.equal(r.diagnostics[0]?.code, 'yaml-alias-bomb');
    assert.ok(Date.now() - t0 < 5000);
  });

  test('deep flow nesting', () => {
    const r = load('['.repeat(100_000));
    assert.equal(r.diagnostics[0]?.code, 'too-deep');
  });

  test('deep block nesting with "- - - -"', () => {
    const r = load(`a:\n${'- '.repeat(5000)}x\n`);
    assert.equal(r.diagnostics[0]?.code, 'too-deep');
  });

  test('brackets inside quoted strings and comments do not count', () => {
    const r = load(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  x: "${'['.repeat(2000)}"\n# ${'{'.repeat(2000)}\n`);
    assert.deepEqual(r.diagnostics, []);
  });

  test('a file over the size limit', () => {
    const r = loadManifests([{ path: 'big.yaml', text: 'x'.repeat(2000) }], { maxFileBytes: 1000 });
    assert.equal(r.diagnostics[0]?.code, 'file-too-large');
  });

  test('a 10 MB file of objects loads', () => {
    const doc = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-N\n  labels: {team: a, env: prod}\n---\n';
    const count = Math.ceil((10 * 1024 * 1024) / doc.length);
    const text = Array.from({ length: count }, (_, i) => doc.replace('N', String(i))).join('');
    const r = load(text);
    assert.equal(r.objects.length, count);
    assert.deepEqual(r.diagnostics, []);
  });

  test('a too-deep document is refused alone; the next one loads', () => {
    const r = load(`a: ${'['.repeat(100_000)}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: ok}\n`);
    assert.deepEqual(r.diagnostics.map((d) => [d.code, d.location?.line]), [['too-deep', 1]]);
    assert.deepEqual(r.objects.map((o) => o.name), ['ok']);
  });

  test('an undefined alias is an unknown alias at its position, not a YAML bomb', () => {
    // Issue 8: any error mentioning "alias" was reported as a billion-laughs document.
    for (const anchor of ['', '  other: &a x\n']) {
      const r = load(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n${anchor}  x: *nope\n`);
      assert.equal(r.diagnostics.length, 1);
      const d = r.diagnostics[0]!;
      assert.equal(d.code, 'yaml-unknown-alias');
      assert.equal(d.message, 'unknown alias *nope: no anchor &nope is defined before it');
      assert.deepEqual([d.location?.line, d.location?.col], [anchor ? 6 : 5, 6]);
    }
  });

  test('an alias inside its own anchor\'s value is refused at the alias, as go-yaml does ("anchor \'x\' value contains itself")', () => {
    // Found by the fuzzer (get#568, seed 8): the cyclic object overflowed the stack of every walk over it (the pod-template hash first).
    const cases: [string, number, number][] = [
      ['metadata:\n  name: c\n  x: &x\n    y: *x\n', 6, 8],
      ['metadata: {name: c}\ndata: &d [1, *d]\n', 4, 14],
      ['metadata: {name: c}\nspec: &s\n  <<: *s\n', 5, 7],
    ];
    for (const [body, line, col] of cases) {
      const r = load(`apiVersion: v1\nkind: ConfigMap\n${body}`);
      assert.equal(r.objects.length, 0, body);
      assert.deepEqual(r.diagnostics.map((d) => [d.code, d.location?.line, d.location?.col]), [['yaml-recursive-alias', line, col]], body);
    }
    // An alias after its anchor's value is complete is the ordinary case.
    const fine = load('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: &a x, b: *a}\n');
    assert.deepEqual(fine.diagnostics, []);
    assert.deepEqual(fine.objects[0]?.value['data'], { a: 'x', b: 'x' });
  });
});

test('YAML 1.1 tags (!!binary, !!set, !!omap, !!timestamp) give plain JSON values with a warning, never a Uint8Array, Set, Map or Date', () => {
  // Found by the fuzzer (explain#5204, seed 8): "- !!binary AAAA" as a policy rule was an internal error.
  const r = load('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: !!binary AAAA\n  b: !!set {x: null}\n  c: !!timestamp 2001-01-01\n  d: !!omap [{k: 1}]\n');
  assert.deepEqual(r.objects[0]?.value['data'], { a: 'AAAA', b: { x: null }, c: '2001-01-01', d: [{ k: 1 }] });
  assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.location?.line]), [['warning', 5], ['warning', 6], ['warning', 7], ['warning', 8]]);
  assert.match(r.diagnostics[0]!.message, /Unresolved tag: tag:yaml\.org,2002:binary/);
});

describe('numbers as kubectl reads them, with or without an anchor in the document', () => {
  // sigs.k8s.io/yaml YAMLToJSON -> go-yaml v2 resolve() (goyaml.v2/resolve.go): underscores removed, then
  // strconv.ParseInt(s, 0, 64) / ParseUint, then yamlStyleFloat; YAML 1.2 core would differ on most rows.
  const cases: [string, unknown][] = [
    ['0b1010000', 80], ['0B11', 3], ['-0b101', -5], ['0o17', 15], ['0O17', 15], ['017', 15], ['0777', 511], ['0x1F', 31], ['0X1F', 31],
    ['-0x1F', -31], ['+12', 12], ['1_000', 1000], ['0xFF_FF', 65535], ['08', 8], ['1e3', 1000], ['1.5', 1.5], ['.5', 0.5], ['+.5', 0.5],
    ['18446744073709551615', 18446744073709551615], ['1:20', '1:20'], ['1e400', '1e400'], ['._5', '._5'], ['0x', '0x'],
    ['"0b1"', '0b1'], ['!!str 12', '12'], ['yes', 'yes'], ['True', true], ['~', null], ['2001-12-14', '2001-12-14'],
  ];
  for (const [written, want] of cases) {
    test(`${written} -> ${JSON.stringify(want)}`, () => {
      for (const anchor of ['', '  other: &a x\n']) {
        const r = load(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n${anchor}  x: ${written}\n`);
        assert.deepEqual(r.diagnostics, []);
        assert.deepEqual((r.objects[0]!.value.data as Record<string, unknown>).x, want, anchor ? 'careful parser (anchor present)' : 'fast parser');
      }
    });
  }
});

test('a collection as a mapping key prints no Node process warning', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  try {
    load('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  y: &a b\n  ? [x]\n  : z\n');
    await new Promise((resolve) => setTimeout(resolve, 20)); // process warnings are emitted asynchronously
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings, []);
});

test('a byte order mark before a one-line document is not mistaken for an empty file', () => {
  const r = loadManifests([{ path: 'bom.yaml', text: '\ufeff{apiVersion: v1, kind: Namespace, metadata: {name: bom}}\n' }]);
  assert.deepEqual(r.objects.map((o) => o.name), ['bom']);
  assert.deepEqual(r.diagnostics, []);
});

describe('positions from the fast reader are the careful parser\'s', () => {
  // An anchor anywhere (here in a comment) sends a document down the careful path: the same
  // text loaded both ways must place every key and list item alike.
  const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []);
  const corpus = [...files('examples'), ...files('testdata/cilium-connectivity')];
  test(`keys of mappings and lists, and list items, in ${corpus.length} files`, () => {
    let keys = 0;
    let items = 0;
    for (const path of corpus) {
      const text = readFileSync(path, 'utf8');
      if (/(^|[\s[{,:])&[^\s]/.test(text)) continue;
      const fast = loadManifests([{ path, text }]).objects;
      const careful = loadManifests([{ path, text: `${text}\n# &careful\n` }]).objects;
      assert.equal(fast.length, careful.length, path);
      fast.forEach((o, i) => {
        const c = careful[i]!;
        const walk = (v: unknown, at: (string | number)[]): void => {
          if (typeof v !== 'object' || v === null) return;
          const last = at[at.length - 1];
          if (typeof last === 'string') {
            keys++;
            assert.deepEqual(o.locate(at, 'key'), c.locate(at, 'key'), `${path} ${at.join('.')}`);
          } else if (typeof last === 'number') {
            items++;
            assert.equal(o.lineOf(at).line, c.locate(at).line, `${path} ${at.join('.')}`);
          }
          for (const [k, x] of Object.entries(v)) walk(x, [...at, Array.isArray(v) ? Number(k) : k]);
        };
        walk(o.value, []);
      });
    }
    assert.ok(keys > 1000 && items > 500, `${keys} keys, ${items} items`);
  });
});
