/**
 * @module cli/commands/get
 *
 * `polis get [pods|services|policies|identities|namespaces|nodes] -f PATH...`: shows how
 * polis understood the files, as kubectl-like tables or as JSON/YAML.
 */
import { Argument, Option } from 'commander';
import { stringify } from 'yaml';
import { formatDiagnostic } from '../../diagnostics/format.js';
import type { Workspace } from '../../workspace/load.js';
import { formatPolicyRef } from '../../policy/types.js';
import { formatTable } from '../../util/table.js';
import { listIdentities, Session } from '../../usecases/index.js';
import { exitCodeFor, type Situation } from '../exit-codes.js';
import { addInputOptions, loadInput, type InputOptions } from '../input.js';
import type { RegisterCommand } from './index.js';

const RESOURCES = ['pods', 'services', 'policies', 'identities', 'namespaces', 'nodes'] as const;
type Resource = (typeof RESOURCES)[number];

interface GetOptions extends InputOptions {
  output: 'table' | 'json' | 'yaml';
}

const labelText = (l: Readonly<Record<string, string>>) => Object.entries(l).map(([k, v]) => `${k}=${v}`).join(',') || '<none>';

/** Table rows and plain data for each resource. */
const views: Record<Resource, (ws: Workspace) => { headers: string[]; rows: string[][]; data: unknown[] }> = {
  pods: (ws) => ({
    headers: ['NAMESPACE', 'NAME', 'IP', 'NODE', 'OWNER', 'LABELS'],
    rows: ws.cluster.pods.map((p) => [p.namespace, p.name, p.ip, p.nodeName, `${p.owner.kind}/${p.owner.name}`, labelText(p.labels)]),
    data: ws.cluster.pods.map(({ origin: _o, ...p }) => p),
  }),
  services: (ws) => ({
    headers: ['NAMESPACE', 'NAME', 'TYPE', 'CLUSTER-IP', 'PORT(S)', 'SELECTOR'],
    rows: ws.cluster.services.map((s) => [
      s.namespace, s.name, s.type, s.clusterIP,
      s.ports.map((p) => `${p.port}${p.targetPort !== p.port ? `:${p.targetPort}` : ''}/${p.protocol}`).join(',') || '<none>',
      s.selector ? labelText(s.selector) : '<none>',
    ]),
    data: ws.cluster.services.map(({ origin: _o, ...s }) => s),
  }),
  policies: (ws) => ({
    headers: ['KIND', 'NAMESPACE', 'NAME', 'RULES', 'VALID', 'SOURCE'],
    rows: ws.policies.map((p) => [
      p.kind, p.ref.namespace ?? '<cluster>', p.ref.name,
      String(p.kind === 'NetworkPolicy' ? 1 : p.rules.length), p.valid ? 'yes' : 'NO',
      `${p.object.location.file}:${p.object.location.line}`,
    ]),
    data: ws.policies.map((p) => ({ policy: formatPolicyRef(p.ref), ...p.ref, valid: p.valid, file: p.object.location.file, line: p.object.location.line, spec: p.spec })),
  }),
  identities: (ws) => {
    // The engine's own table: the identities verdicts use, CIDR identities of the policies included.
    const ids = listIdentities(new Session(ws));
    return {
      headers: ['ID', 'NAME', 'PODS', 'LABELS'],
      rows: ids.map((i) => [String(i.id), i.name, String(i.pods.length), i.labels.join(',')]),
      data: [...ids],
    };
  },
  namespaces: (ws) => ({
    headers: ['NAME', 'DECLARED', 'LABELS'],
    rows: ws.cluster.namespaces.map((n) => [n.name, n.implicit ? 'no' : 'yes', labelText(n.labels)]),
    data: ws.cluster.namespaces.map(({ origin: _o, ...n }) => n),
  }),
  nodes: (ws) => ({
    headers: ['NAME', 'ROLE', 'INTERNAL-IP', 'POD-CIDR'],
    rows: ws.cluster.nodes.map((n) => [n.name, n.controlPlane ? 'control-plane' : 'worker', n.ip, n.podCIDR]),
    data: ws.cluster.nodes.map(({ origin: _o, ...n }) => n),
  }),
};

export const registerGet: RegisterCommand = (program, io, setExit) => {
  addInputOptions(program.command('get'))
    .description('show the cluster model polis built from the files')
    .addArgument(new Argument('[resource]', 'what to list').choices(RESOURCES).default('pods'))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json', 'yaml']).default('table'))
    .action(async (resource: Resource, opts: GetOptions) => {
      const loaded = await loadInput(opts, io);
      if (!loaded.ok) {
        io.err(`polis get: ${loaded.message}\n`);
        return setExit(exitCodeFor('get', loaded.situation));
      }
      const ws = loaded.workspace;
      const errors = [...loaded.readProblems, ...ws.diagnostics].filter((d) => d.severity === 'error');
      const texts = new Map(ws.sources.map((s) => [s.path, s.text]));
      for (const d of errors) io.err(formatDiagnostic(d, texts) + '\n');
      const view = views[resource](ws);
      if (opts.output === 'json') io.out(JSON.stringify(view.data, null, 2) + '\n');
      else if (opts.output === 'yaml') io.out(stringify(view.data));
      else io.out(view.rows.length ? formatTable(view.headers, view.rows) : `No ${resource} found.\n`);
      const situations: Situation[] = [];
      if (loaded.readProblems.length) situations.push('unreadable');
      if (ws.diagnostics.some((d) => d.severity === 'error')) situations.push('invalid-manifests');
      setExit(exitCodeFor('get', ...situations));
    });
};
