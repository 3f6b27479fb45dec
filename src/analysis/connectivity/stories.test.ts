/**
 * The user-story test files in examples/stories/: every one parses and every
 * endpoint resolves against the demo app. (Their verdicts need the real
 * engine; the expected verdicts and their reasons are in the files' comments.)
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadWorkspace } from '../../workspace/load.js';
import { parseConnectivityTests } from './parse.js';
import { resolveCase } from './resolve.js';

const STORIES = 'examples/stories';
const read = (path: string) => ({ path, text: readFileSync(path, 'utf8') });

describe('examples/stories/*/connectivity-test.yaml', () => {
  for (const story of readdirSync(STORIES).sort()) {
    test(story, () => {
      const dir = join(STORIES, story);
      const manifests = [read('examples/demo/app.yaml'), ...readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => read(join(dir, f)))];
      const ws = loadWorkspace(manifests);
      assert.deepEqual(ws.diagnostics.filter((d) => d.severity === 'error'), []);
      const parsed = parseConnectivityTests([read(join(dir, 'connectivity-test.yaml'))]);
      assert.deepEqual(parsed.diagnostics, []);
      assert.equal(parsed.tests.length, 1);
      const t = parsed.tests[0]!;
      assert.ok(t.cases.length >= 8, 'each story has a real test');
      for (const c of t.cases) {
        const r = resolveCase(c, ws.cluster, t.dns);
        assert.ok(r.ok, `${c.name}: ${JSON.stringify(!r.ok && r.diagnostics.map((d) => d.message))}`);
      }
    });
  }
});
