import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { loadManifests } from '../src/manifest/load.js';
export function run(): void {
  const text = readFileSync('/tmp/pt/cluster.yaml', 'utf8');
  for (let r = 0; r < 3; r++) {
    let t0 = performance.now();
    yaml.loadAll(text);
    const a = performance.now() - t0;
    t0 = performance.now();
    const docs = text.split(/^---$/m);
    for (const d of docs) yaml.load(d);
    const b = performance.now() - t0;
    t0 = performance.now();
    loadManifests([{ path: 'c.yaml', text }]);
    const c = performance.now() - t0;
    console.log(`js-yaml loadAll ${a.toFixed(0)} ms; per-doc load ${b.toFixed(0)} ms; loadManifests ${c.toFixed(0)} ms`);
  }
}
