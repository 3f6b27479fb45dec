/**
 * Test helpers for validation tables (not exported from the package).
 */
import { loadWorkspace } from '../../workspace/load.js';
import type { Diagnostic } from '../../diagnostics/diagnostic.js';

/** Indents every line of `body` by `n` spaces. */
function indent(body: string, n: number): string {
  return body.split('\n').map((l) => (l.trim() ? ' '.repeat(n) + l : l)).join('\n');
}

/** A CiliumNetworkPolicy whose `spec` is `specBody` (YAML, unindented). Header is 6 lines. */
export function cnp(specBody: string, kind = 'CiliumNetworkPolicy'): string {
  return `apiVersion: cilium.io/v2\nkind: ${kind}\nmetadata:\n  name: p\n  namespace: default\nspec:\n${indent(specBody.trim(), 2)}\n`;
}

/** A NetworkPolicy whose `spec` is `specBody`. */
export function knp(specBody: string): string {
  return `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: default\nspec:\n${indent(specBody.trim(), 2)}\n`;
}

/** Diagnostics (errors and warnings) of one file. */
export function diagnose(text: string): Diagnostic[] {
  return loadWorkspace([{ path: 'p.yaml', text }]).diagnostics.filter((d) => d.severity !== 'info');
}
