/**
 * @module analysis/matrix/format
 *
 * The matrix for people and tools: a truth table in text (`.` allowed, `X`
 * denied, `L7` allowed with L7 rules filtering, `~` some ports, `A` held for
 * mutual authentication; a legend and the ports of every `~` cell), JSON,
 * Markdown, CSV, Graphviz dot, and SVG laid out by ELK (elkjs), grouped by
 * namespace with edges labelled by ports.
 */
import type { PortClass } from '../../engine/classes.js';
import { text as xml } from '../connectivity/format-junit.js';
import { PortState, type Matrix, type MatrixEndpoint } from './matrix.js';

const L7_NAME: Readonly<Partial<Record<PortState, string>>> = {
  [PortState.Http]: 'HTTP', [PortState.Dns]: 'DNS', [PortState.Kafka]: 'Kafka', [PortState.L7Other]: 'L7', [PortState.Auth]: 'auth',
};

/** The one-symbol summary of a cell. */
export function symbolOf(states: Uint8Array | undefined): string {
  if (!states) return '-';
  let allowed = 0;
  let l7 = 0;
  let auth = 0;
  for (const s of states) {
    if (s === PortState.Auth) auth++;
    else if (s !== PortState.Denied) {
      allowed++;
      if (s !== PortState.Allowed) l7++;
    }
  }
  if (allowed === 0) return auth > 0 && auth === states.length ? 'A' : 'X';
  if (allowed === states.length) return l7 ? 'L7' : '.';
  return '~';
}

/** `80/TCP, 53/UDP (DNS), 8080-8090/TCP (HTTP)`; `all` when every port of every protocol is allowed; `none`. */
export function describeCell(states: Uint8Array | undefined, ports: readonly PortClass[]): string {
  if (!states) return 'no Cilium endpoint on either side';
  if (states.every((s) => s === PortState.Allowed)) return 'all';
  const parts: string[] = [];
  let k = 0;
  while (k < ports.length) {
    const s = states[k]!;
    const start = ports[k]!;
    let end = start;
    while (k + 1 < ports.length && states[k + 1] === s && ports[k + 1]!.protocol === start.protocol && ports[k + 1]!.from === end.to + 1) end = ports[++k]!;
    k++;
    if (s === PortState.Denied) continue;
    const whole = start.from === 1 && end.to === 65535;
    const range = whole ? 'all' : start.from === end.to ? String(start.from) : `${start.from}-${end.to}`;
    parts.push(`${range}/${start.protocol}${L7_NAME[s as PortState] ? ` (${L7_NAME[s as PortState]})` : ''}`);
  }
  return parts.join(', ') || 'none';
}

const LEGEND = 'Legend: . allowed on every port   X denied   L7 allowed, L7 rules filter requests   ~ some ports (listed below)   A waits for mutual authentication   - no Cilium endpoint on either side';

export function formatMatrixText(m: Matrix): string {
  const out: string[] = [];
  const width = Math.max(6, ...m.sources.map((s) => s.name.length));
  const colW = Math.max(3, String(m.destinations.length).length + 1);
  const numbers = m.destinations.map((_, j) => String(j + 1).padStart(colW));
  out.push(`${'FROM \\ TO'.padEnd(width + 1)}${numbers.join('')}`);
  const some: string[] = [];
  m.sources.forEach((s, i) => {
    const row = m.destinations.map((d, j) => {
      const c = m.cell(i, j);
      const sym = symbolOf(c);
      if (sym === '~' || sym === 'L7' || sym === 'A') some.push(`  ${s.name} → ${d.name}: ${describeCell(c, m.ports)}`);
      return sym.padStart(colW);
    });
    out.push(`${s.name.padEnd(width + 1)}${row.join('')}`);
  });
  out.push('');
  out.push('TO: ' + m.destinations.map((d, j) => `${j + 1} ${d.name}`).join(', '));
  out.push(LEGEND);
  if (some.length) out.push('', 'Allowed ports where not all are:', ...some);
  out.push('', `${m.ports.length} port classes (${describePorts(m.ports)}); ${m.questions} verdicts asked`);
  return out.join('\n') + '\n';
}

function describePorts(ports: readonly PortClass[]): string {
  const by = new Map<string, number>();
  for (const p of ports) by.set(p.protocol, (by.get(p.protocol) ?? 0) + 1);
  return [...by].map(([p, n]) => `${n} ${p}`).join(', ');
}

export function matrixToJson(m: Matrix): object {
  const cells: object[] = [];
  m.sources.forEach((s, i) => m.destinations.forEach((d, j) => {
    const c = m.cell(i, j);
    if (!c) return;
    cells.push({ from: s.name, to: d.name, symbol: symbolOf(c), allowed: describeCell(c, m.ports) });
  }));
  const endpoint = (e: MatrixEndpoint) => ({ name: e.name, kind: e.kind, ...(e.namespace ? { namespace: e.namespace } : {}), ...(e.pods.length ? { pods: e.pods.map((p) => `${p.namespace}/${p.name}`) } : {}) });
  return {
    by: m.by,
    portClasses: m.ports.map((p) => `${p.from === p.to ? p.from : `${p.from}-${p.to}`}/${p.protocol}`),
    sources: m.sources.map(endpoint),
    destinations: m.destinations.map(endpoint),
    cells,
    verdictsAsked: m.questions,
  };
}

const mdEscape = (s: string) => s.replace(/\|/g, '\\|');

export function formatMatrixMarkdown(m: Matrix): string {
  const out = [`| from \\ to | ${m.destinations.map((d) => `\`${mdEscape(d.name)}\``).join(' | ')} |`, `|---|${m.destinations.map(() => ':-:').join('|')}|`];
  const some: string[] = [];
  m.sources.forEach((s, i) => {
    out.push(`| \`${mdEscape(s.name)}\` | ${m.destinations.map((d, j) => {
      const c = m.cell(i, j);
      const sym = symbolOf(c);
      if (sym === '~' || sym === 'L7' || sym === 'A') some.push(`- \`${s.name}\` → \`${d.name}\`: ${describeCell(c, m.ports)}`);
      return sym === '~' ? '~' : sym;
    }).join(' | ')} |`);
  });
  out.push('', `${LEGEND.replace('Legend:', '**Legend:**')}`);
  if (some.length) out.push('', '<details><summary>Allowed ports where not all are</summary>', '', ...some, '', '</details>');
  return out.join('\n') + '\n';
}

const csvField = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function formatMatrixCsv(m: Matrix): string {
  const out = ['from,to,symbol,allowed'];
  m.sources.forEach((s, i) => m.destinations.forEach((d, j) => {
    const c = m.cell(i, j);
    if (c) out.push([s.name, d.name, symbolOf(c), describeCell(c, m.ports)].map(csvField).join(','));
  }));
  return out.join('\n') + '\n';
}

/** Every endpoint that appears on either side, once, with a graph id. */
function graphNodes(m: Matrix): { id: string; e: MatrixEndpoint }[] {
  const seen = new Map<string, MatrixEndpoint>();
  for (const e of [...m.sources, ...m.destinations]) if (!seen.has(e.name)) seen.set(e.name, e);
  return [...seen.values()].map((e, i) => ({ id: `n${i}`, e }));
}

function graphEdges(m: Matrix, ids: ReadonlyMap<string, string>): { from: string; to: string; label: string; l7: boolean }[] {
  const out: { from: string; to: string; label: string; l7: boolean }[] = [];
  m.sources.forEach((s, i) => m.destinations.forEach((d, j) => {
    const c = m.cell(i, j);
    const sym = symbolOf(c);
    if (sym === 'X' || sym === '-') return;
    out.push({ from: ids.get(s.name)!, to: ids.get(d.name)!, label: describeCell(c, m.ports), l7: sym === 'L7' || c!.some((x) => x !== PortState.Allowed && x !== PortState.Denied) });
  }));
  return out;
}

const dotString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function formatMatrixDot(m: Matrix): string {
  const nodes = graphNodes(m);
  const ids = new Map(nodes.map((n) => [n.e.name, n.id]));
  const out = ['digraph polis_matrix {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];'];
  const byNs = new Map<string, typeof nodes>();
  for (const n of nodes) {
    const ns = n.e.namespace ?? '';
    (byNs.get(ns) ?? byNs.set(ns, []).get(ns)!).push(n);
  }
  let k = 0;
  for (const [ns, ns_nodes] of byNs) {
    if (ns) out.push(`  subgraph cluster_${k++} {`, `    label=${dotString(`namespace ${ns}`)};`);
    for (const n of ns_nodes) out.push(`${ns ? '    ' : '  '}${n.id} [label=${dotString(n.e.name)}${n.e.kind !== 'pods' ? ', shape=ellipse' : ''}];`);
    if (ns) out.push('  }');
  }
  for (const e of graphEdges(m, ids)) out.push(`  ${e.from} -> ${e.to} [label=${dotString(e.label)}${e.l7 ? ', style=dashed' : ''}];`);
  out.push('}');
  return out.join('\n') + '\n';
}

interface ElkNode {
  id: string;
  width?: number;
  height?: number;
  x?: number;
  y?: number;
  labels?: { text: string; width?: number; height?: number; x?: number; y?: number }[];
  children?: ElkNode[];
  edges?: ElkEdge[];
  layoutOptions?: Record<string, string>;
}
interface ElkEdge {
  id: string;
  sources: string[];
  targets: string[];
  labels?: { text: string; width: number; height: number; x?: number; y?: number }[];
  sections?: { startPoint: { x: number; y: number }; endPoint: { x: number; y: number }; bendPoints?: { x: number; y: number }[] }[];
  container?: string;
}

const CHAR_W = 7;

/** The matrix as an SVG graph: ELK's layered layout, namespaces as boxes around their workloads. */
export async function formatMatrixSvg(m: Matrix): Promise<string> {
  // elkjs is CommonJS: the layout class is the default export of the bundle (no web worker in Node).
  const mod = (await import('elkjs/lib/elk.bundled.js')) as unknown as { default: new () => { layout(g: object): Promise<unknown> } };
  const elk = new mod.default();
  const nodes = graphNodes(m);
  const ids = new Map(nodes.map((n) => [n.e.name, n.id]));
  const leaf = (id: string, name: string): ElkNode => ({ id, width: Math.max(60, name.length * CHAR_W + 16), height: 28, labels: [{ text: name }] });
  const byNs = new Map<string, ElkNode[]>();
  const top: ElkNode[] = [];
  for (const n of nodes) {
    if (!n.e.namespace) top.push(leaf(n.id, n.e.name));
    else (byNs.get(n.e.namespace) ?? byNs.set(n.e.namespace, []).get(n.e.namespace)!).push(leaf(n.id, n.e.name));
  }
  let k = 0;
  for (const [ns, children] of byNs) top.push({ id: `ns${k++}`, labels: [{ text: `namespace ${ns}` }], children, layoutOptions: { 'elk.padding': '[top=28,left=12,bottom=12,right=12]' } });
  const edges: ElkEdge[] = graphEdges(m, ids).map((e, i) => ({ id: `e${i}`, sources: [e.from], targets: [e.to], labels: [{ text: e.label, width: e.label.length * 6, height: 12 }] }));
  const l7 = new Set(graphEdges(m, ids).flatMap((e, i) => (e.l7 ? [`e${i}`] : [])));
  const graph = await elk.layout({
    id: 'root', children: top, edges,
    layoutOptions: { 'elk.algorithm': 'layered', 'elk.direction': 'RIGHT', 'elk.hierarchyHandling': 'INCLUDE_CHILDREN', 'elk.spacing.nodeNode': '24', 'elk.layered.spacing.nodeNodeBetweenLayers': '60', 'elk.edgeLabels.inline': 'false' },
  }) as unknown as ElkNode & { width: number; height: number };
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(graph.width)}" height="${Math.ceil(graph.height)}" viewBox="0 0 ${Math.ceil(graph.width)} ${Math.ceil(graph.height)}" font-family="Helvetica, Arial, sans-serif" font-size="12">`];
  out.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>');
  // ELK gives child coordinates relative to their parent; edges relative to their container.
  const offsets = new Map<string, { x: number; y: number }>([['root', { x: 0, y: 0 }]]);
  const drawNode = (n: ElkNode, ox: number, oy: number) => {
    const x = ox + (n.x ?? 0);
    const y = oy + (n.y ?? 0);
    offsets.set(n.id, { x, y });
    const label = n.labels?.[0]?.text ?? '';
    if (n.children) {
      out.push(`<rect x="${x}" y="${y}" width="${n.width}" height="${n.height}" rx="6" fill="#f4f6fb" stroke="#99a"/>`);
      out.push(`<text x="${x + 8}" y="${y + 17}" font-weight="bold">${xml(label)}</text>`);
      for (const c of n.children) drawNode(c, x, y);
    } else {
      out.push(`<rect x="${x}" y="${y}" width="${n.width}" height="${n.height}" rx="4" fill="#fff" stroke="#335"/>`);
      out.push(`<text x="${x + (n.width ?? 0) / 2}" y="${y + 18}" text-anchor="middle">${xml(label)}</text>`);
    }
  };
  for (const n of graph.children ?? []) drawNode(n, 0, 0);
  for (const e of (graph as unknown as { edges: ElkEdge[] }).edges ?? []) {
    const o = offsets.get(e.container ?? 'root') ?? { x: 0, y: 0 };
    for (const s of e.sections ?? []) {
      const pts = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint].map((p) => `${(p.x + o.x).toFixed(1)},${(p.y + o.y).toFixed(1)}`).join(' ');
      out.push(`<polyline points="${pts}" fill="none" stroke="#555" marker-end="url(#arrow)"${l7.has(e.id) ? ' stroke-dasharray="5,3"' : ''}/>`);
    }
    const lab = e.labels?.[0];
    if (lab && lab.x !== undefined && lab.y !== undefined) out.push(`<text x="${(lab.x + o.x).toFixed(1)}" y="${(lab.y + o.y + 10).toFixed(1)}" font-size="10" fill="#333">${xml(lab.text)}</text>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

