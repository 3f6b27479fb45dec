/**
 * @module cli/commands/get
 *
 * `polis get RESOURCE [NAME...] -f PATH... [-n NS | -A] [-l SELECTOR]
 * [--show-labels] [-o wide|name|json|yaml]`: shows how polis understood the
 * files, with kubectl's habits: its resource names and short names (`po`,
 * `svc`, `deploy`, `ns`, `no`, `netpol`, `cnp`, `ccnp`, `cep`, `identity`),
 * names as arguments, label selectors. With no cluster context there is no
 * current namespace, so every namespace is listed unless `-n` says one.
 */
import { Argument, Option } from 'commander';
import { stringify } from 'yaml';
import { formatDiagnostic } from '../../diagnostics/format.js';
import type { Workspace } from '../../workspace/load.js';
import { formatPolicyRef, type PolicyKind } from '../../policy/types.js';
import { formatTable } from '../../util/table.js';
import { suggest } from '../../util/suggest.js';
import { parseLabelSelector, selectorMatches } from '../../hubble/filter/label-selector.js';
// The use-case modules themselves, not the barrel: a command loads only what it runs.
import { listIdentities } from '../../usecases/identities.js';
import { Session } from '../../usecases/session.js';
import { exitCodeFor, type Situation } from '../exit-codes.js';
import { addInputOptions, loadInput, type InputOptions } from '../input.js';
import type { RegisterCommand } from './index.js';

type Labels = Readonly<Record<string, string>>;

/** One listed object: what filters and `-o name` need, its table row and its data. */
interface Item {
  readonly namespace?: string;
  readonly name: string;
  readonly labels: Labels;
  readonly row: readonly string[];
  readonly wide?: readonly string[];
  readonly data: unknown;
}

interface View {
  /** kubectl's singular resource name, for `-o name` (`pod/web-0`) and messages. */
  readonly kind: string;
  readonly namespaced: boolean;
  readonly headers: readonly string[];
  readonly wideHeaders?: readonly string[];
  readonly items: (ws: Workspace, session: Session) => Item[];
}

const labelText = (l: Labels) => Object.entries(l).map(([k, v]) => `${k}=${v}`).join(',') || '<none>';

const policyView = (kinds: readonly PolicyKind[], kind: string): View => ({
  kind, namespaced: !(kinds.length === 1 && kinds[0] === 'CiliumClusterwideNetworkPolicy'),
  headers: ['KIND', 'NAMESPACE', 'NAME', 'RULES', 'VALID', 'SOURCE'],
  items: (ws) => ws.policies.filter((p) => kinds.includes(p.kind)).map((p) => ({
    ...(p.ref.namespace ? { namespace: p.ref.namespace } : {}), name: p.ref.name,
    labels: ((p.object.value.metadata as { labels?: Labels } | undefined)?.labels) ?? {},
    row: [p.kind, p.ref.namespace ?? '<cluster>', p.ref.name, String(p.kind === 'NetworkPolicy' ? 1 : p.rules.length), p.valid ? 'yes' : 'NO', `${p.object.location.file}:${p.object.location.line}`],
    data: { policy: formatPolicyRef(p.ref), ...p.ref, valid: p.valid, file: p.object.location.file, line: p.object.location.line, spec: p.spec },
  })),
});

/** The identity number of every pod (`ns/name`), from the engine's own table. */
function podIdentities(session: Session): Map<string, number> {
  return new Map(listIdentities(session).flatMap((i) => i.pods.map((p) => [p, i.id] as const)));
}

const VIEWS: Readonly<Record<string, View>> = {
  pods: {
    kind: 'pod', namespaced: true,
    headers: ['NAMESPACE', 'NAME', 'IP', 'NODE', 'IDENTITY', 'OWNER'], wideHeaders: ['SERVICE-ACCOUNT', 'HOST-NETWORK'],
    items: (ws, session) => {
      const ids = podIdentities(session);
      return ws.cluster.pods.map(({ origin: _o, ...p }) => ({
        namespace: p.namespace, name: p.name, labels: p.labels,
        row: [p.namespace, p.name, p.ip, p.nodeName, p.hostNetwork ? '<host>' : String(ids.get(`${p.namespace}/${p.name}`) ?? '<none>'), `${p.owner.kind}/${p.owner.name}`],
        wide: [p.serviceAccount, p.hostNetwork ? 'yes' : 'no'],
        data: { ...p, identity: ids.get(`${p.namespace}/${p.name}`) },
      }));
    },
  },
  services: {
    kind: 'service', namespaced: true,
    headers: ['NAMESPACE', 'NAME', 'TYPE', 'CLUSTER-IP', 'PORT(S)'], wideHeaders: ['SELECTOR'],
    items: (ws) => ws.cluster.services.map(({ origin: _o, ...s }) => ({
      namespace: s.namespace, name: s.name, labels: s.labels ?? {},
      row: [s.namespace, s.name, s.type, s.clusterIP, s.ports.map((p) => `${p.port}${p.targetPort !== p.port ? `:${p.targetPort}` : ''}/${p.protocol}`).join(',') || '<none>'],
      wide: [s.selector ? labelText(s.selector) : '<none>'],
      data: s,
    })),
  },
  deployments: {
    kind: 'deployment', namespaced: true,
    headers: ['NAMESPACE', 'NAME', 'PODS', 'SOURCE'],
    items: (ws) => ws.objects.filter((o) => o.kind === 'Deployment').map((o) => {
      const pods = ws.cluster.pods.filter((p) => p.namespace === (o.namespace ?? 'default') && p.owner.kind === 'Deployment' && p.owner.name === o.name).length;
      return {
        namespace: o.namespace ?? 'default', name: o.name, labels: ((o.value.metadata as { labels?: Labels } | undefined)?.labels) ?? {},
        row: [o.namespace ?? 'default', o.name, String(pods), `${o.location.file}:${o.location.line}`],
        data: { namespace: o.namespace ?? 'default', name: o.name, pods, file: o.location.file, line: o.location.line },
      };
    }),
  },
  policies: policyView(['NetworkPolicy', 'CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'], 'policy'),
  networkpolicies: policyView(['NetworkPolicy'], 'networkpolicy'),
  ciliumnetworkpolicies: policyView(['CiliumNetworkPolicy'], 'ciliumnetworkpolicy'),
  ciliumclusterwidenetworkpolicies: policyView(['CiliumClusterwideNetworkPolicy'], 'ciliumclusterwidenetworkpolicy'),
  ciliumendpoints: {
    kind: 'ciliumendpoint', namespaced: true,
    headers: ['NAMESPACE', 'NAME', 'SECURITY IDENTITY', 'INGRESS ENFORCEMENT', 'EGRESS ENFORCEMENT', 'IPV4'],
    items: (ws, session) => {
      const ids = podIdentities(session);
      const engine = session.inspectable();
      return ws.cluster.pods.filter((p) => !p.hostNetwork).map((p) => {
        const e = engine.enforcementOf(p);
        const id = ids.get(`${p.namespace}/${p.name}`);
        return {
          namespace: p.namespace, name: p.name, labels: p.labels,
          row: [p.namespace, p.name, String(id ?? '<none>'), e.ingress.length ? 'true' : 'false', e.egress.length ? 'true' : 'false', p.ip],
          data: { namespace: p.namespace, name: p.name, identity: id, ingressEnforcement: e.ingress.length > 0, egressEnforcement: e.egress.length > 0, ip: p.ip },
        };
      });
    },
  },
  identities: {
    kind: 'ciliumidentity', namespaced: false,
    headers: ['ID', 'NAME', 'PODS', 'LABELS'],
    items: (_ws, session) => listIdentities(session).map((i) => ({
      name: String(i.id), labels: {}, row: [String(i.id), i.name, String(i.pods.length), i.labels.join(',')], data: i,
    })),
  },
  namespaces: {
    kind: 'namespace', namespaced: false,
    headers: ['NAME', 'DECLARED'],
    items: (ws) => ws.cluster.namespaces.map(({ origin: _o, ...n }) => ({ name: n.name, labels: n.labels, row: [n.name, n.implicit ? 'no' : 'yes'], data: n })),
  },
  nodes: {
    kind: 'node', namespaced: false,
    headers: ['NAME', 'ROLE', 'INTERNAL-IP', 'POD-CIDR'],
    items: (ws) => ws.cluster.nodes.map(({ origin: _o, ...n }) => ({ name: n.name, labels: n.labels, row: [n.name, n.controlPlane ? 'control-plane' : 'worker', n.ip, n.podCIDR], data: n })),
  },
};

/** kubectl's names for each resource: plural, singular, short names (and polis' own `policies`). */
const ALIASES: Readonly<Record<string, string>> = {
  po: 'pods', pod: 'pods', pods: 'pods',
  svc: 'services', service: 'services', services: 'services',
  deploy: 'deployments', deployment: 'deployments', deployments: 'deployments',
  ns: 'namespaces', namespace: 'namespaces', namespaces: 'namespaces',
  no: 'nodes', node: 'nodes', nodes: 'nodes',
  netpol: 'networkpolicies', networkpolicy: 'networkpolicies', networkpolicies: 'networkpolicies',
  cnp: 'ciliumnetworkpolicies', ciliumnetworkpolicy: 'ciliumnetworkpolicies', ciliumnetworkpolicies: 'ciliumnetworkpolicies',
  ccnp: 'ciliumclusterwidenetworkpolicies', ciliumclusterwidenetworkpolicy: 'ciliumclusterwidenetworkpolicies', ciliumclusterwidenetworkpolicies: 'ciliumclusterwidenetworkpolicies',
  cep: 'ciliumendpoints', ciliumendpoint: 'ciliumendpoints', ciliumendpoints: 'ciliumendpoints',
  identity: 'identities', identities: 'identities', ciliumidentity: 'identities', ciliumidentities: 'identities',
  policy: 'policies', policies: 'policies',
};

interface GetOptions extends InputOptions {
  output: 'table' | 'wide' | 'name' | 'json' | 'yaml';
  namespace?: string;
  allNamespaces?: boolean;
  selector?: string;
  showLabels?: boolean;
}

export const registerGet: RegisterCommand = (program, io, setExit) => {
  addInputOptions(program.command('get'))
    .description('show the cluster model polis built from the files (kubectl resource names, short names, -n/-A/-l)')
    .addArgument(new Argument('[resource]', `what to list: ${Object.keys(VIEWS).join(', ')} (or kubectl's short names: po, svc, deploy, ns, no, netpol, cnp, ccnp, cep, identity)`).default('pods'))
    .addArgument(new Argument('[names...]', 'only these objects, by name'))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'wide', 'name', 'json', 'yaml']).default('table'))
    .option('-n, --namespace <ns>', 'only this namespace')
    .option('-A, --all-namespaces', 'every namespace (the default: the files have no current context)')
    .option('-l, --selector <selector>', 'label selector, e.g. app=web,tier!=db or "env in (prod,staging)"')
    .option('--show-labels', 'add a LABELS column')
    .action(async (resourceArg: string, names: string[], opts: GetOptions) => {
      const stop = (message: string, ...s: Situation[]) => {
        io.err(`polis get: ${message}\n`);
        setExit(exitCodeFor('get', ...s));
      };
      // `kubectl get pods,svc` lists several; and names may come as pod/NAME.
      const key = ALIASES[resourceArg.toLowerCase()];
      if (!key) {
        const near = suggest(resourceArg.toLowerCase(), Object.keys(ALIASES));
        return stop(`the server doesn't have a resource type "${resourceArg}"${near ? ` (did you mean "${near}"?)` : ''}; polis knows ${Object.keys(VIEWS).join(', ')}`, 'bad-flag');
      }
      if (opts.namespace && opts.allNamespaces) return stop('-n and -A contradict each other: give one', 'bad-flag');
      const selector = opts.selector !== undefined ? parseLabelSelector(opts.selector) : undefined;
      if (selector && 'error' in selector) return stop(`invalid label selector ${JSON.stringify(opts.selector)}: ${selector.error}`, 'bad-flag');
      const loaded = await loadInput(opts, io);
      if (!loaded.ok) return stop(loaded.message, loaded.situation);
      const ws = loaded.workspace;
      const errors = [...loaded.readProblems, ...ws.diagnostics].filter((d) => d.severity === 'error');
      const texts = new Map(ws.sources.map((s) => [s.path, s.text]));
      for (const d of errors) io.err(formatDiagnostic(d, texts) + '\n');

      const view = VIEWS[key]!;
      let items = view.items(ws, new Session(ws));
      if (opts.namespace && view.namespaced) items = items.filter((i) => i.namespace === opts.namespace);
      if (selector && !('error' in selector)) items = items.filter((i) => selectorMatches(selector, Object.entries(i.labels).map(([k, value]) => ({ source: 'k8s', key: k, value }))));
      const missing: string[] = [];
      if (names.length) {
        const wanted = names.map((n) => n.replace(/^[^/]+\//, ''));
        missing.push(...wanted.filter((n) => !items.some((i) => i.name === n)));
        items = items.filter((i) => wanted.includes(i.name));
      }
      for (const n of missing) io.err(`Error from server (NotFound): ${key} "${n}" not found\n`);

      const data = items.map((i) => i.data);
      const wide = opts.output === 'wide';
      const headers = [...view.headers, ...(wide ? view.wideHeaders ?? [] : []), ...(opts.showLabels || (wide && key === 'pods') ? ['LABELS'] : [])];
      const rows = items.map((i) => [...i.row, ...(wide ? i.wide ?? [] : []), ...(opts.showLabels || (wide && key === 'pods') ? [labelText(i.labels)] : [])]);
      if (opts.output === 'json') io.out(JSON.stringify(data, null, 2) + '\n');
      else if (opts.output === 'yaml') io.out(stringify(data));
      else if (opts.output === 'name') io.out(items.map((i) => `${view.kind}/${i.name}\n`).join(''));
      else if (rows.length) io.out(formatTable([...headers], rows));
      else if (!missing.length) io.out(`No resources found${opts.namespace && view.namespaced ? ` in ${opts.namespace} namespace` : ''}.\n`);
      const situations: Situation[] = [];
      if (loaded.readProblems.length) situations.push('unreadable');
      if (ws.diagnostics.some((d) => d.severity === 'error')) situations.push('invalid-manifests');
      if (missing.length) situations.push('not-found');
      setExit(exitCodeFor('get', ...situations));
    });
};
