/**
 * Loading and validating 10,000 objects (goal: well under a second), beside
 * the naive way: parsing every document with the position-keeping YAML parser.
 */
import { parseAllDocuments } from 'yaml';
import { loadWorkspace } from '../src/workspace/load.js';
import { bestOf, report } from './harness.js';
import { generateManifests } from './generate.js';

export function run(): void {
  const text = generateManifests(10_000);
  const sources = [{ path: 'bench.yaml', text }];
  let objects = 0;
  let errors = 0;
  const polis = bestOf(3, () => {
    const ws = loadWorkspace(sources);
    objects = ws.objects.length;
    errors = ws.diagnostics.filter((d) => d.severity === 'error').length;
  });
  const naive = bestOf(3, () => {
    for (const d of parseAllDocuments(text) as unknown as { toJS(): unknown }[]) d.toJS();
  });
  console.log(`load+model+validate: ${objects.toLocaleString('en-US')} objects (${(text.length / 1e6).toFixed(1)} MB), ${errors} errors`);
  report('load+validate 10,000 objects', { value: polis, unit: 'ms' }, { value: naive, unit: 'ms', name: 'YAML parse with positions only, no validation' }, false);
}
