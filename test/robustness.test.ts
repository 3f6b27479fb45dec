/**
 * Wrong types in every field: every field of the tutorial's policies (and of
 * a workload) is replaced in turn by values of each wrong type. polis must
 * report a diagnostic and never throw, hang or crash.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { loadWorkspace } from '../src/workspace/load.js';

const files = ['examples/demo/backend-policy.yaml', 'examples/demo/frontend-policy.yaml', 'examples/demo/app.yaml'];
const wrongValues: unknown[] = [42, 'text', true, null, [], [1, 'x'], {}, { unexpected: 1 }, -1, 1e309 === Infinity ? 99999999999 : 0];

function* paths(v: unknown, prefix: (string | number)[] = []): Generator<(string | number)[]> {
  if (prefix.length) yield prefix;
  if (Array.isArray(v)) for (let i = 0; i < v.length; i++) yield* paths(v[i], [...prefix, i]);
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) yield* paths((v as Record<string, unknown>)[k], [...prefix, k]);
}

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let holder = copy;
  for (const seg of path.slice(0, -1)) holder = holder[seg] as Record<string | number, unknown>;
  holder[path[path.length - 1]!] = value;
  return copy;
}

for (const file of files) {
  test(`every field of ${file} with every wrong type`, () => {
    const docs = (readFileSync(file, 'utf8').split(/^---$/m)).map((d) => load(d));
    let runs = 0;
    for (const doc of docs) {
      for (const path of paths(doc)) {
        for (const wrong of wrongValues) {
          const mutated = setAt(doc, path, wrong);
          const ws = loadWorkspace([{ path: 'm.json', text: JSON.stringify(mutated) }]);
          runs++;
          // Either still valid (the wrong value happened to fit) or explained by a diagnostic with a position.
          for (const d of ws.diagnostics) {
            assert.ok(d.message.length > 0);
            if (d.severity === 'error') assert.ok(d.location, `${d.code} has no location`);
          }
        }
      }
    }
    assert.ok(runs > 100);
  });
}
