/**
 * @module cli/commands/validate
 *
 * `polis validate -f PATH...`: prints every problem of every file; the exit
 * code follows `cli/exit-codes.ts` (0 valid, 1 errors, 2 usage or a path
 * that cannot be read).
 */
import { Option } from 'commander';
import { toJunit, toSarif } from '../../analysis/report/report.js';
import { diagnosticsToJson, formatDiagnostic } from '../../diagnostics/format.js';
import { formatPolicyRef } from '../../policy/types.js';
import { exitCodeFor, type Situation } from '../exit-codes.js';
import { addInputOptions, loadInput, type InputOptions } from '../input.js';
import type { RegisterCommand } from './index.js';

interface ValidateOptions extends InputOptions {
  output: 'text' | 'json' | 'junit' | 'sarif';
  quiet?: boolean;
}

export const registerValidate: RegisterCommand = (program, io, setExit) => {
  addInputOptions(program.command('validate'))
    .description('check manifests and policies; print every problem with file:line:col')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'junit', 'sarif']).default('text'))
    .option('-q, --quiet', 'print only errors and warnings, no notes or summary')
    .action(async (opts: ValidateOptions) => {
      const loaded = await loadInput(opts, io);
      if (!loaded.ok) {
        io.err(`polis validate: ${loaded.message}\n`);
        return setExit(exitCodeFor('validate', loaded.situation));
      }
      const { workspace: ws, readProblems } = loaded;
      const diags = [...readProblems, ...ws.diagnostics];
      const errors = diags.filter((d) => d.severity === 'error').length;
      const warnings = diags.filter((d) => d.severity === 'warning').length;
      const report = { command: 'polis validate', rules: [], findings: diags.filter((d) => d.severity !== 'info'), files: ws.sources.map((s) => s.path) };
      if (opts.output === 'sarif') io.out(JSON.stringify(toSarif(report), null, 2) + '\n');
      else if (opts.output === 'junit') io.out(toJunit(report));
      else if (opts.output === 'json') {
        io.out(JSON.stringify({
          valid: errors === 0,
          files: ws.sources.map((s) => s.path),
          objects: ws.objects.length,
          policies: ws.policies.map((p) => ({ policy: formatPolicyRef(p.ref), valid: p.valid, file: p.object.location.file, line: p.object.location.line })),
          summary: { errors, warnings },
          diagnostics: diagnosticsToJson(diags),
        }, null, 2) + '\n');
      } else {
        const texts = new Map(ws.sources.map((s) => [s.path, s.text]));
        const shown = opts.quiet ? diags.filter((d) => d.severity !== 'info') : diags;
        for (const d of shown) io.out(formatDiagnostic(d, texts) + '\n');
        if (!opts.quiet) {
          const invalid = ws.policies.filter((p) => !p.valid);
          const plural = (n: number, w: string, ws = `${w}s`) => `${n} ${n === 1 ? w : ws}`;
          io.out(`${shown.length ? '\n' : ''}${plural(ws.sources.length, 'file')}, ${plural(ws.objects.length, 'object')}, ${plural(ws.policies.length, 'policy', 'policies')}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}\n`);
          for (const p of invalid) io.out(`  ${formatPolicyRef(p.ref)} is invalid: kubectl apply refuses it or Cilium ignores it, so none of it is enforced\n`);
          if (errors === 0) io.out('valid\n');
        }
      }
      const situations: Situation[] = [];
      if (readProblems.length) situations.push('unreadable');
      if (ws.diagnostics.some((d) => d.severity === 'error')) situations.push('invalid-manifests');
      setExit(exitCodeFor('validate', ...situations));
    });
};
