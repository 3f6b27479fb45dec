/**
 * @module web/ClusterPanel
 *
 * The workloads as a service map: namespaces as boxes, workloads and
 * Services inside, one edge per workload → Service port coloured by the
 * engine's verdict (allowed, denied, allowed at L4 but judged per request
 * by the L7 proxy), laid out by elkjs (layered, left to right). Under it,
 * the same verdicts as a table.
 */
import { useEffect, useState } from 'react';
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import { api, type Buffers } from './api';
import type { ClusterEdge, ClusterNode } from './types';

const elk = new ELK();
const NODE_W = 150;
const NODE_H = 40;

/** One drawn edge: a workload → Service pair with the verdict of each of its ports. */
interface PairEdge { from: string; to: string; ports: ClusterEdge[]; verdict: 'allow' | 'deny' | 'l7' | 'some' }
interface Laid { graph: ElkNode; edges: (PairEdge & { points: { x: number; y: number }[] })[] }

/** Ports of one pair drawn as one edge: green when all are allowed, amber when L7 judges one, red when all are denied, dashed green when some are. */
function pairs(edges: ClusterEdge[]): PairEdge[] {
  const by = new Map<string, ClusterEdge[]>();
  for (const e of edges) by.set(`${e.from}|${e.to}`, [...(by.get(`${e.from}|${e.to}`) ?? []), e]);
  return [...by.values()].map((ports) => {
    const denied = ports.filter((p) => p.verdict === 'deny').length;
    const verdict = denied === ports.length ? 'deny' : ports.some((p) => p.verdict === 'l7') ? 'l7' : denied > 0 ? 'some' : 'allow';
    return { from: ports[0]!.from, to: ports[0]!.to, ports, verdict };
  });
}

async function layout(nodes: ClusterNode[], edges: PairEdge[]): Promise<Laid> {
  const byNs = new Map<string, ClusterNode[]>();
  for (const n of nodes) byNs.set(n.namespace, [...(byNs.get(n.namespace) ?? []), n]);
  const elkEdges: ElkExtendedEdge[] = edges.map((e, i) => ({ id: `e${i}`, sources: [e.from], targets: [e.to] }));
  const graph = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered', 'elk.direction': 'RIGHT', 'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.json.edgeCoords': 'ROOT', 'elk.json.shapeCoords': 'ROOT', 'elk.spacing.nodeNode': '24', 'elk.layered.spacing.nodeNodeBetweenLayers': '70',
      'elk.edgeRouting': 'ORTHOGONAL',
    },
    children: [...byNs].map(([ns, list]) => ({
      id: `ns:${ns}`, layoutOptions: { 'elk.padding': '[top=32,left=14,bottom=14,right=14]' }, labels: [{ text: ns }],
      children: list.map((n) => ({ id: n.id, width: NODE_W, height: NODE_H })),
    })),
    edges: elkEdges,
  });
  const laidEdges = (graph.edges ?? []) as ElkExtendedEdge[];
  return {
    graph,
    edges: edges.map((e, i) => {
      const s = laidEdges[i]?.sections?.[0];
      return { ...e, points: s ? [s.startPoint, ...(s.bendPoints ?? []), s.endPoint] : [] };
    }),
  };
}

export function ClusterPanel({ buffers, revision }: { buffers: () => Buffers; revision: number }) {
  const [data, setData] = useState<{ nodes: ClusterNode[]; edges: ClusterEdge[]; truncated: boolean } | undefined>();
  const [laid, setLaid] = useState<Laid | undefined>();
  // Denied pairs are most pairs in a locked-down cluster: the map shows what may talk unless asked.
  const [showDenied, setShowDenied] = useState(false);
  const [error, setError] = useState('');

  useEffect(() => {
    api.cluster(buffers()).then(setData, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [buffers, revision]);
  useEffect(() => {
    if (!data) return;
    const edges = pairs(data.edges).filter((e) => showDenied || e.verdict !== 'deny');
    layout(data.nodes, edges).then(setLaid, (e: unknown) => setError(`layout failed: ${String(e)}`));
  }, [data, showDenied]);

  if (error) return <div className="form-error" role="alert">{error}</div>;
  if (!data || !laid) return <p className="muted">Laying out the cluster…</p>;
  const nodeById = new Map(data.nodes.map((n) => [n.id, n]));
  const w = laid.graph.width ?? 400;
  const h = laid.graph.height ?? 300;
  const cols = [...new Set(data.edges.map((e) => `${e.to}:${e.port}/${e.protocol}`))];
  const rows = [...new Set(data.edges.map((e) => e.from))];
  const cell = new Map(data.edges.map((e) => [`${e.from}|${e.to}:${e.port}/${e.protocol}`, e]));
  return (
    <div className="cluster">
      <div className="row">
        <span className="legend"><i className="l allow" /> allowed <i className="l some" /> some ports <i className="l l7" /> L7-restricted <i className="l deny" /> denied</span>
        <label className="check"><input type="checkbox" checked={showDenied} onChange={(e) => setShowDenied(e.target.checked)} aria-label="Show denied edges" /> show denied</label>
        {data.truncated && <span className="muted">(large cluster: map cut)</span>}
      </div>
      <svg className="map" viewBox={`0 0 ${w} ${h}`} style={{ maxWidth: `${Math.max(w, 300)}px` }} role="img" aria-label={`Service map of ${data.nodes.length} workloads and Services`}>
        <defs>
          {['allow', 'deny', 'l7'].map((v) => (
            <marker key={v} id={`m-${v}`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" className={`arrowhead ${v}`} /></marker>
          ))}
        </defs>
        {(laid.graph.children ?? []).map((ns) => (
          <g key={ns.id} className="ns">
            <rect x={ns.x} y={ns.y} width={ns.width} height={ns.height} rx={12} />
            <text x={(ns.x ?? 0) + 12} y={(ns.y ?? 0) + 20} className="ns-label">namespace {ns.labels?.[0]?.text}</text>
            {(ns.children ?? []).map((c) => {
              const n = nodeById.get(c.id)!;
              return (
                <g key={c.id} className={`node ${n.kind}`}>
                  <rect x={c.x} y={c.y} width={c.width} height={c.height} rx={n.kind === 'service' ? 20 : 6} />
                  <text x={(c.x ?? 0) + NODE_W / 2} y={(c.y ?? 0) + 17} textAnchor="middle" className="node-kind">{n.kind === 'service' ? 'Service' : `${n.pods} pod${n.pods === 1 ? '' : 's'}`}</text>
                  <text x={(c.x ?? 0) + NODE_W / 2} y={(c.y ?? 0) + 32} textAnchor="middle" className="node-name">{n.name}</text>
                </g>
              );
            })}
          </g>
        ))}
        {laid.edges.map((e, i) => e.points.length > 1 && (
          <g key={i} className={`map-edge ${e.verdict}`}>
            <polyline points={e.points.map((p) => `${p.x},${p.y}`).join(' ')} markerEnd={`url(#m-${e.verdict === 'some' ? 'allow' : e.verdict})`}>
              <title>{e.ports.map((p) => `${e.from} → ${e.to}:${p.port}/${p.protocol}: ${p.verdict === 'l7' ? 'allowed, L7 rules judge each request' : p.reason}`).join('\n')}</title>
            </polyline>
            <text x={e.points[0]!.x + 6} y={e.points[0]!.y - 4} className="edge-port">
              {e.ports.map((p) => `${p.port}${p.verdict === 'deny' ? '✗' : p.verdict === 'l7' ? '⚑' : ''}`).join(' ')}
            </text>
          </g>
        ))}
      </svg>
      <h4>Verdicts (workload → Service port)</h4>
      <div className="table-scroll">
        <table className="grid matrix" aria-label="Verdict of each workload to each Service port">
          <thead><tr><th>from \ to</th>{cols.map((c) => <th key={c}>{c.replace(/^svc:/, '')}</th>)}</tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r}><th>{r}</th>{cols.map((c) => {
                const e = cell.get(`${r}|${c}`);
                return <td key={c} title={e?.reason}>{e ? <span className={`chip ${e.verdict}`}>{e.verdict === 'l7' ? 'L7' : e.verdict}</span> : ''}</td>;
              })}</tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
