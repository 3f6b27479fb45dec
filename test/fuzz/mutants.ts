/**
 * @module test/fuzz/mutants
 *
 * Builds the fuzzer's inputs: for a command and an index, one mutant of the
 * examples (examples/demo, examples/stories, examples/knp-echo,
 * examples/broken), of their ConnectivityTest files, or of the Hubble
 * exports in testdata/hubble, with the command line that runs it. About a
 * quarter of the mutants also get mutated flags (ports, protocols,
 * endpoints, durations, filters). A mutant is a function of (seed, command,
 * index) alone, so a report line is enough to rebuild it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { Rng } from './rng.js';
import { gzipMutant, hostileScalar, mutateJsonLinesOnce, mutateYamlOnce, type Mutation } from './mutate.js';
import { BOOLEAN_FILTER_FLAGS, VALUE_FILTER_FLAGS } from '../../src/hubble/index.js';

export const FUZZ_COMMANDS = ['validate', 'get', 'explain', 'test', 'observe'] as const;
export type FuzzCommand = (typeof FUZZ_COMMANDS)[number];

/** Placeholder for the folder a mutant's files are written to. */
export const DIR = '$DIR';

export interface Mutant {
  readonly command: FuzzCommand;
  readonly index: number;
  /** Files to write under the run folder (paths relative to it). */
  readonly files: readonly { readonly name: string; readonly bytes: Buffer }[];
  /** The command line, with {@link DIR} for the run folder. */
  readonly argv: readonly string[];
  /** Whether the command line was mutated (then a usage error is a fine answer). */
  readonly flagsMutated: boolean;
  /** What was done, in order. */
  readonly did: readonly Mutation[];
}

interface ManifestBase {
  readonly name: string;
  readonly manifests: readonly string[];
  readonly tests?: string;
  readonly questions: readonly (readonly string[])[];
}

interface Corpus {
  readonly bases: readonly ManifestBase[];
  readonly yamlTexts: readonly string[];
  readonly endpoints: readonly string[];
  readonly flowFiles: readonly { readonly path: string; readonly lines: readonly string[] }[];
  readonly flowTexts: readonly string[];
  readonly flowValues: Readonly<Record<'namespace' | 'pod' | 'ip' | 'port' | 'label' | 'fqdn' | 'node', readonly string[]>>;
}

const yamlIn = (dir: string) => readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f));

/** explain flags for each case of a ConnectivityTest file that has a destination. */
function questionsOf(testsPath: string): string[][] {
  const doc = load(readFileSync(testsPath, 'utf8')) as { spec?: { dns?: Record<string, string[]>; cases?: Record<string, unknown>[] } };
  const answers = Object.entries(doc.spec?.dns ?? {}).flatMap(([name, ips]) => ips.map((ip) => ['--dns-answer', `${name}=${ip}`])).flat();
  const out: string[][] = [];
  for (const c of doc.spec?.cases ?? []) {
    if (typeof c['from'] !== 'string' || typeof c['to'] !== 'string') continue;
    const q = ['--from', c['from'], '--to', c['to']];
    if (c['port'] !== undefined) q.push('--port', String(c['port']));
    if (typeof c['protocol'] === 'string') q.push('--protocol', c['protocol']);
    if (c['icmpType'] !== undefined) q.push('--icmp-type', String(c['icmpType']));
    const http = c['http'] as { method?: string; path?: string } | undefined;
    if (http?.method) q.push('--http-method', http.method);
    if (http?.path) q.push('--http-path', http.path);
    out.push([...q, ...answers]);
  }
  return out;
}

let corpus: Corpus | undefined;

/** The examples and exports, read once. */
export function loadCorpus(): Corpus {
  if (corpus) return corpus;
  const notTests = (f: string) => !f.endsWith('connectivity-test.yaml');
  const demoTests = 'examples/demo/connectivity-test.yaml';
  const bases: ManifestBase[] = [
    { name: 'demo', manifests: yamlIn('examples/demo').filter(notTests), tests: demoTests, questions: questionsOf(demoTests) },
    ...readdirSync('examples/stories').sort().map((s) => {
      const dir = join('examples/stories', s);
      const tests = join(dir, 'connectivity-test.yaml');
      return { name: s, manifests: ['examples/demo/app.yaml', ...yamlIn(dir).filter(notTests)], tests, questions: questionsOf(tests) };
    }),
    { name: 'knp-echo', manifests: yamlIn('examples/knp-echo').filter(notTests), tests: 'examples/knp-echo/connectivity-test.yaml', questions: questionsOf('examples/knp-echo/connectivity-test.yaml') },
    ...yamlIn('examples/broken').map((f) => ({ name: f, manifests: ['examples/demo/app.yaml', f], questions: questionsOf(demoTests) })),
  ];
  const yamlTexts = [...new Set(bases.flatMap((b) => [...b.manifests, ...(b.tests ? [b.tests] : [])]))].map((p) => readFileSync(p, 'utf8'));
  const endpoints = [...new Set(bases.flatMap((b) => b.questions.flatMap((q) => [q[1]!, q[3]!])))];
  const flowFiles = readdirSync('testdata/hubble').filter((f) => f.endsWith('.jsonl')).sort().map((f) => {
    const path = join('testdata/hubble', f);
    return { path, lines: readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '') };
  });
  const values = { namespace: new Set<string>(), pod: new Set<string>(), ip: new Set<string>(), port: new Set<string>(), label: new Set<string>(), fqdn: new Set<string>(), node: new Set<string>() };
  for (const f of flowFiles) {
    for (const line of f.lines.slice(0, 40)) {
      const flow = (JSON.parse(line) as { flow?: Record<string, unknown> }).flow ?? {};
      for (const side of ['source', 'destination'] as const) {
        const ep = flow[side] as { namespace?: string; pod_name?: string; labels?: string[] } | undefined;
        if (ep?.namespace) values.namespace.add(ep.namespace);
        if (ep?.namespace && ep.pod_name) values.pod.add(`${ep.namespace}/${ep.pod_name}`);
        for (const l of ep?.labels?.slice(0, 2) ?? []) values.label.add(l);
      }
      const ip = flow['IP'] as { source?: string } | undefined;
      if (ip?.source) values.ip.add(ip.source);
      const names = flow['destination_names'] as string[] | undefined;
      for (const n of names ?? []) values.fqdn.add(n);
      if (typeof flow['node_name'] === 'string') values.node.add(flow['node_name']);
    }
  }
  values.port.add('53').add('80').add('9080');
  const flowValues = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, [...v]])) as unknown as Corpus['flowValues'];
  corpus = { bases, yamlTexts, endpoints, flowFiles, flowTexts: flowFiles.map((f) => f.lines.slice(0, 20).join('\n')), flowValues };
  return corpus;
}

/** How many mutations a mutant gets: usually one or two, sometimes many. */
function mutationCount(rng: Rng): number {
  return rng.weighted([[50, 1], [25, 2], [15, rng.range(3, 5)], [10, rng.range(6, 12)]]);
}

// ---------------------------------------------------------------- flags

type ValueGen = (rng: Rng, c: Corpus) => string;

const generic: ValueGen = (rng) => rng.weighted<() => string>([
  [4, () => hostileScalar(rng)],
  [1, () => rng.pick(['', '-', '--', '-f', ' ', '=', '\u001b[31mred', 'a\nb', '\0', '\u202e'])],
])();

const ports: ValueGen = (rng) => rng.pick(['80', '0', '65535', '65536', '-1', '99999999999999999999', '80/TCP', '53/udp', '1/ICMP', '80/', '/TCP', ' 80 ', '8080/SCTP', '1e3', '0x50', '80/TCP/UDP', '7379', '443', '53']);
const protocols: ValueGen = (rng) => rng.pick(['TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6', 'tcp', 'ICMPV6', 'ANY', '', 'constructor']);
const endpoints: ValueGen = (rng, c) => rng.chance(0.6) ? rng.pick(c.endpoints) : rng.pick([
  '', 'default/', '/x', 'svc:', 'ip:', 'ip:::1', 'ip:0.0.0.0', 'ip:255.255.255.255', 'ip:10.96.0.10', 'ip:10.244.1.5', 'fqdn:', 'fqdn:*', 'fqdn:__proto__',
  'fqdn:constructor', '__proto__/constructor', 'kube-system/coredns', 'svc:kube-system/kube-dns', 'default/' + 'a'.repeat(5000), 'toString', 'a/b/c',
  'svc:default/frontend', 'frontend.default.svc.cluster.local', 'ip:1.2.3', 'ip:fe80::1%eth0', 'default/frontend\u001b[2J',
]);
const cidrs: ValueGen = (rng) => rng.pick(['10.244.0.0/16', 'garbage', '0.0.0.0/0', '::/0', '10.0.0.0/33', '10.96.0.0/12', '1.2.3.4/32', 'fd00::/8', '', '10.244.0.0']);
const durations: ValueGen = (rng) => rng.pick(['5m', '0s', '-5m', '9999999999h', '2562047h', '2562048h', '1.5h', '2021-06-16T16:52:13Z', '2021-06-16T16:52:13.5Z', 'yesterday', '1e9h', '', '1h1h', '9'.repeat(400) + 'h', '2021-02-30T00:00:00Z', '0001-01-01T00:00:00Z']);
const counts: ValueGen = (rng) => rng.pick(['0', '1', '5', '-1', 'x', '99999999999999999999', '1.5', '']);
const globs: ValueGen = (rng, c) => rng.chance(0.5) ? rng.pick([...c.flowValues.fqdn, ...c.flowValues.pod, ...c.flowValues.node]) : rng.pick([
  '*', '**', '*a*a*a*a*a*a*a*a*a*a*a*a*b', '*.com', '.', '', '[', '(', '\\', 'default/', '/x', 'a'.repeat(10_000), '*'.repeat(1000), '?*?*?*?*', 'ns/*', '{a,b}',
]);

function choice(...xs: string[]): ValueGen {
  return (rng) => rng.pick(xs);
}

/** Value flags of each command and what to put in them; `null` for a flag without value. */
const FLAGS: Readonly<Record<FuzzCommand, Readonly<Record<string, ValueGen | null>>>> = (() => {
  const input = { '--pod-cidr': cidrs, '--service-cidr': cidrs, '--cluster-name': generic, '-R': null, '-f': choice(`${DIR}/m`, `${DIR}/t.yaml`, `${DIR}/missing`, '-', DIR) } as const;
  const engine = { '--policy-enforcement': choice('default', 'always', 'never', 'sometimes', ''), '--host-firewall': null } as const;
  const observe: Record<string, ValueGen | null> = {
    '-o': choice('compact', 'dict', 'table', 'json', 'jsonpb', 'xml', ''), '--time-format': choice('StampMilli', 'RFC3339', 'RFC3339Nano', 'RFC1123Z', 'YearMonthDay', 'Kitchen', ''),
    '--color': choice('auto', 'always', 'never', 'sometimes'), '--first': counts, '--last': counts, '--all': null, '--since': durations, '--until': durations,
    '--print-node-name': null, '--print-policy-names': null, '--numeric': null, '--input-file': choice(`${DIR}/flows`, `${DIR}/missing`, DIR, ''),
  };
  for (const f of VALUE_FILTER_FLAGS) {
    observe[`--${f}`] = /fqdn|pod|node-name|workload|service/.test(f) ? globs
      : /port/.test(f) ? ports
        : /ip/.test(f) && f !== 'ip-version' ? (rng, c) => rng.chance(0.5) ? rng.pick(c.flowValues.ip) : rng.pick(['10.0.0.0/8', '::1', '1.2.3', '0.0.0.0/0', 'x', '10.0.0.1/33'])
          : /label/.test(f) ? (rng, c) => rng.chance(0.5) ? rng.pick(c.flowValues.label) : rng.pick(['app in (a,b)', 'app=', '!app', 'a,b', '(', 'k8s:app notin ()', 'x'.repeat(5000)])
            : /namespace/.test(f) ? (rng, c) => rng.chance(0.6) ? rng.pick(c.flowValues.namespace) : generic(rng, c)
              : f === 'type' ? choice('trace', 'drop', 'l7', 'trace:to-endpoint', 'agent', 'constructor', 'trace:constructor', '999', '')
                : f === 'verdict' ? choice('FORWARDED', 'DROPPED', 'AUDIT', 'forwarded', 'x')
                  : f === 'http-status' ? choice('200', '2+', '5+', '600', 'x', '')
                    : f === 'protocol' ? choice('tcp', 'udp', 'icmp', 'http', 'dns', 'x')
                      : generic;
  }
  for (const f of BOOLEAN_FILTER_FLAGS) observe[`--${f}`] = null;
  return {
    validate: { ...input, '-o': choice('text', 'json', 'xml'), '-q': null },
    get: { ...input, '-o': choice('table', 'json', 'yaml', 'xml') },
    explain: {
      ...input, ...engine, '--from': endpoints, '--to': endpoints, '--port': ports, '--protocol': protocols,
      '--icmp-type': choice('8', '0', '255', '256', '-1', 'EchoRequest', 'echo-request', '__proto__', 'constructor', 'x', '128'),
      '--http-method': choice('GET', 'POST', 'get', '', '__proto__', 'G E T', 'x'.repeat(5000)),
      '--http-path': choice('/', '/docs', '', 'docs', '/a/../b', '/%00', '/\u001b[2J', '/' + 'a'.repeat(10_000), '/docs.*', '(', '['),
      '--http-host': choice('example.com', '', '__proto__', '*'), '--http-header': choice('Host: x', 'x', ':v', 'a:b', '__proto__: x', 'constructor:1', 'X-A:'),
      '--dns': choice('example.com', '', '*.x', '__proto__', '.', '..', 'echo.echo.svc.cluster.local', 'x'.repeat(300)),
      '--dns-answer': choice('api.example.com=203.0.113.10', 'x=', '=1.2.3.4', '__proto__=1.2.3.4', 'constructor=::1', 'a=b=c', 'x.com=1.2.3', 'storage.cloud.google.com=203.0.113.10'),
      '-o': choice('text', 'json', 'xml'),
    },
    test: { ...input, ...engine, '--tests': choice(`${DIR}/t.yaml`, `${DIR}/m`, `${DIR}/missing.yaml`, DIR), '-o': choice('text', 'json', 'junit', 'xml') },
    observe,
  };
})();

/** 1-3 changes to a command line: a value replaced or bit-flipped, a flag dropped, repeated or added, an unknown one. */
function mutateFlags(rng: Rng, c: Corpus, command: FuzzCommand, argv: string[], did: Mutation[]): string[] {
  const flags = FLAGS[command];
  const out = [...argv];
  const n = rng.range(1, 3);
  for (let k = 0; k < n; k++) {
    const valueAt = out.flatMap((a, i) => (i > 0 && a.startsWith('-') && flags[a] && i + 1 < out.length ? [i + 1] : []));
    const op = rng.weighted<string>([[5, 'value'], [1, 'flip'], [1, 'drop'], [1, 'repeat'], [4, 'add'], [1, 'unknown']]);
    if ((op === 'value' || op === 'flip' || op === 'drop' || op === 'repeat') && valueAt.length === 0) continue;
    const i = valueAt.length ? rng.pick(valueAt) : 0;
    const flag = out[i - 1]!;
    switch (op) {
      case 'value': {
        const gen = flags[flag]!;
        out[i] = rng.chance(0.8) ? gen(rng, c) : generic(rng, c);
        did.push(`flag ${flag} := ${JSON.stringify(out[i]).slice(0, 60)}`);
        break;
      }
      case 'flip': {
        const b = Buffer.from(out[i]!);
        if (b.length) {
          const j = rng.int(b.length);
          b[j] = b[j]! ^ (1 << rng.int(7));
        }
        out[i] = b.toString('utf8');
        did.push(`flag ${flag} flipped to ${JSON.stringify(out[i]).slice(0, 60)}`);
        break;
      }
      case 'drop':
        out.splice(i - 1, 2);
        did.push(`drop ${flag}`);
        break;
      case 'repeat':
        out.push(flag, out[i]!);
        did.push(`repeat ${flag}`);
        break;
      case 'add': {
        const name = rng.pick(Object.keys(flags));
        const gen = flags[name];
        const added = gen ? [name, gen(rng, c)] : [name];
        out.splice(rng.range(1, out.length), 0, ...added);
        did.push(`add ${added.map((a) => JSON.stringify(a).slice(0, 60)).join(' ')}`);
        break;
      }
      default: {
        const extra = rng.pick(['--frobnicate', '-Z', 'stray', '--', '--from=', '--port=80', '-fq', '--no-color', '-']);
        out.splice(rng.range(1, out.length), 0, extra);
        did.push(`add ${JSON.stringify(extra)}`);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- mutants

function manifestMutant(rng: Rng, c: Corpus, command: Exclude<FuzzCommand, 'observe'>, index: number): Mutant {
  const withTests = c.bases.filter((b) => b.tests);
  const base = command === 'test' ? rng.pick(withTests) : rng.pick(c.bases);
  const files = base.manifests.map((p) => ({ name: `m/${p.replace(/\//g, '_')}`, bytes: readFileSync(p) }));
  if (command === 'test') files.push({ name: 't.yaml', bytes: readFileSync(base.tests!) });
  const did: Mutation[] = [`base ${base.name}`];
  const flagsMutated = rng.chance(0.25);
  if (!flagsMutated || rng.chance(0.5)) {
    const n = mutationCount(rng);
    for (let k = 0; k < n; k++) {
      // For test, the tests file is half of what gets mutated.
      const f = command === 'test' && rng.chance(0.5) ? files[files.length - 1]! : rng.pick(command === 'test' ? files.slice(0, -1) : files);
      const m = mutateYamlOnce(rng, f.bytes, c.yamlTexts);
      (f as { bytes: Buffer }).bytes = m.bytes;
      did.push(`${f.name}: ${m.did}`);
    }
  }
  const m = `${DIR}/m`;
  let argv: string[];
  switch (command) {
    case 'validate':
      argv = ['validate', '-f', m, ...rng.pick([[], ['-o', 'json'], ['-q']])];
      break;
    case 'get':
      argv = ['get', rng.pick(['pods', 'services', 'policies', 'identities', 'namespaces', 'nodes']), '-f', m, ...rng.pick([[], [], ['-o', 'json'], ['-o', 'yaml']])];
      break;
    case 'explain':
      argv = ['explain', '-f', m, ...rng.pick(base.questions), ...rng.pick([[], [], ['-o', 'json']])];
      break;
    case 'test':
      argv = ['test', '-f', m, '--tests', `${DIR}/t.yaml`, ...rng.pick([[], [], ['-o', 'json'], ['-o', 'junit']])];
      break;
  }
  if (flagsMutated) argv = mutateFlags(rng, c, command, argv, did);
  return { command, index, files, argv, flagsMutated, did };
}

function observeMutant(rng: Rng, c: Corpus, index: number): Mutant {
  const f = rng.pick(c.flowFiles);
  // A window of the export keeps runs short; now and then the whole file.
  const whole = rng.chance(0.03);
  const start = whole ? 0 : rng.int(f.lines.length);
  const lines = whole ? f.lines : f.lines.slice(start, start + rng.range(1, 40));
  const did: Mutation[] = [`base ${f.path} lines ${start + 1}-${start + lines.length}`];
  let bytes: Buffer = Buffer.from(lines.join('\n') + (rng.chance(0.9) ? '\n' : ''));
  const flagsMutated = rng.chance(0.25);
  if (!flagsMutated || rng.chance(0.5)) {
    const n = mutationCount(rng);
    for (let k = 0; k < n; k++) {
      const m = mutateJsonLinesOnce(rng, bytes, c.flowTexts);
      bytes = m.bytes;
      did.push(m.did);
    }
  }
  if (rng.chance(0.15)) {
    const z = gzipMutant(rng, bytes);
    bytes = z.bytes;
    did.push(z.did);
  }
  // Flags that are fine alone: the run must then never be a usage error.
  const v = c.flowValues;
  const safe: (() => string[])[] = [
    () => ['-o', rng.pick(['compact', 'dict', 'table', 'json', 'jsonpb'])], () => ['--print-node-name'], () => ['--numeric'], () => ['--print-policy-names'],
    () => ['--time-format', rng.pick(['RFC3339Nano', 'RFC1123Z', 'YearMonthDay'])], () => [rng.pick(['--first', '--last']), String(rng.range(0, 10))],
    () => ['--namespace', rng.pick(v.namespace)], () => ['--pod', rng.pick(v.pod)], () => ['--verdict', rng.pick(['FORWARDED', 'DROPPED'])],
    () => ['--protocol', rng.pick(['tcp', 'udp', 'dns', 'http', 'icmp'])], () => ['--port', rng.pick(v.port)], () => ['--type', rng.pick(['trace', 'l7', 'drop'])],
    () => ['--http-status', rng.pick(['200', '2+', '404'])], () => ['--label', rng.pick(v.label)], () => ['--ip', rng.pick(v.ip)], () => ['--since', '2000-01-01T00:00:00Z'],
    () => ['--not', '--verdict', 'DROPPED'], () => ['--to-fqdn', '*.com'], () => ['--node-name', rng.pick(v.node)],
  ];
  let argv = ['observe', '--input-file', `${DIR}/flows`];
  // One output flag and at most one filter, so no two of them conflict.
  argv.push(...safe[0]!());
  if (rng.chance(0.6)) argv.push(...rng.pick(safe.slice(1))());
  if (flagsMutated) argv = mutateFlags(rng, c, 'observe', argv, did);
  return { command: 'observe', index, files: [{ name: 'flows', bytes }], argv, flagsMutated, did };
}

/** The mutant `index` of `command` under `seed`. */
export function makeMutant(seed: number, command: FuzzCommand, index: number): Mutant {
  const rng = Rng.for(seed, command, index);
  const c = loadCorpus();
  return command === 'observe' ? observeMutant(rng, c, index) : manifestMutant(rng, c, command, index);
}
