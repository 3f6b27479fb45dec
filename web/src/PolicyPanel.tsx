/**
 * @module web/PolicyPanel
 *
 * The policy under the cursor as the Network Policy Editor draws it: the
 * selected endpoints in the middle, ingress peers on the left, egress peers
 * on the right, ports and L7 rules on the edges, denies in red, each side's
 * default-deny state, and the pods each selector selects. Every peer and
 * port is a link to its YAML. Below, the builder actions, each one a single
 * undoable change to the buffer.
 */
import { useState } from 'react';
import type { Reveal } from './App';
import { applyAction, type BuilderAction } from './builder';
import type { PeerView, PolicyView, SideView } from './types';

interface Props {
  policies: PolicyView[];
  file: string;
  cursor: number;
  reveal: Reveal;
  docText: () => string;
  apply: (c: { from: number; to: number; insert: string }, label: string) => void;
}

const KIND_TAG: Record<string, string> = {
  endpoints: 'pods', entities: 'entity', cidr: 'CIDR', cidrSet: 'CIDR', fqdn: 'FQDN', services: 'service', nodes: 'nodes', groups: 'group', 'k8s-peer': 'peer', all: 'any',
};

export function PolicyPanel({ policies, file, cursor, reveal, docText, apply }: Props) {
  const inFile = policies.filter((p) => p.at.file === file);
  const policy = inFile.find((p) => cursor >= p.at.from && cursor <= p.at.to) ?? inFile[0];
  return (
    <div className="policy-panel">
      {!policy ? (
        <p className="empty">No policy under the cursor in <strong>{file}</strong>. Put the cursor in a CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy or NetworkPolicy to see its diagram (a YAML document with syntax errors is not drawn: see Problems).</p>
      ) : (
        <>
          <div className="policy-title">
            <span className="kind">{policy.kind}</span>
            <button type="button" className="link" onClick={() => reveal(policy.at.file, policy.at.from, policy.at.from)}>{policy.namespace ? `${policy.namespace}/` : ''}{policy.name}</button>
            {!policy.valid && <span className="badge err">refused by Cilium: enforces nothing</span>}
          </div>
          {policy.rules.map((r, i) => <Diagram key={i} rule={r} reveal={reveal} />)}
          {policy.rules.length === 0 && <p className="empty">Cilium refuses this policy as written (see Problems), so it enforces nothing and there is nothing to draw. Fix the errors to see its diagram.</p>}
          <Builder policy={policy} cursor={cursor} docText={docText} apply={apply} />
        </>
      )}
    </div>
  );
}

const W = 900;
const COL = 210;
const ROW = 62;

/** A selector as people write it: `tier=backend`, without Cilium's label sources or the implied namespace. */
export function selectorText(s: string): string {
  const parts = s.replace(/^[a-zA-Z]+(?:Endpoints|Entities|CIDR|CIDRSet|FQDNs|Services|Nodes|Groups): /, '').split(/,\s*/)
    .filter((x) => !/^(?:k8s:|any:)?io\.kubernetes\.pod\.namespace[=:]/.test(x))
    .map((x) => x.replace(/^(any|k8s):/, ''));
  return parts.join(', ') || 'all pods';
}
const nsOf = (s: string) => /(?:^|[\s,:])io\.kubernetes\.pod\.namespace[=:] ?([^,\s]+)/.exec(s)?.[1];
const portsText = (p: PeerView) => (p.ports.length === 0 ? 'all ports' : [...new Set(p.ports.map((x) => x.text + (x.l7 ? ` ${x.l7}` : '')))].join(', '));

function Diagram({ rule, reveal }: { rule: PolicyView['rules'][number]; reveal: Reveal }) {
  const inPeers = rule.ingress?.peers ?? [];
  const outPeers = rule.egress?.peers ?? [];
  const rows = Math.max(inPeers.length, outPeers.length, 1);
  const H = 70 + rows * ROW + 20;
  const cx = W / 2;
  const cw = 200;
  const ch = Math.max(70, 34 + Math.min(rule.subject.pods.length, 4) * 15);
  const cy = 60 + (rows * ROW) / 2;
  const peerY = (i: number, n: number) => 60 + (rows * ROW - n * ROW) / 2 + i * ROW + ROW / 2;
  // Edges meet the selected endpoints spread along its side, so their arrows stay apart.
  const spread = (i: number, n: number) => cy - ch / 2 + ((i + 1) * ch) / (n + 1);
  const ns = nsOf(rule.subject.text);
  return (
    <svg className="diagram" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Policy diagram: ${inPeers.length} ingress and ${outPeers.length} egress peers`}>
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" className="arrowhead" /></marker>
        <marker id="arrow-deny" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" className="arrowhead deny" /></marker>
      </defs>
      <SideHeader x={COL / 2 + 10} side={rule.ingress} name="Ingress" reveal={reveal} />
      <SideHeader x={W - COL / 2 - 10} side={rule.egress} name="Egress" reveal={reveal} />
      {inPeers.map((p, i) => <Edge key={`ie${i}`} x1={10 + COL} y1={peerY(i, inPeers.length)} x2={cx - cw / 2} y2={spread(i, inPeers.length)} peer={p} reveal={reveal} side="in" />)}
      {outPeers.map((p, i) => <Edge key={`ee${i}`} x1={cx + cw / 2} y1={spread(i, outPeers.length)} x2={W - 10 - COL} y2={peerY(i, outPeers.length)} peer={p} reveal={reveal} side="out" />)}
      {inPeers.map((p, i) => <Peer key={`i${i}`} x={10} y={peerY(i, inPeers.length) - 22} peer={p} reveal={reveal} />)}
      {outPeers.map((p, i) => <Peer key={`e${i}`} x={W - 10 - COL} y={peerY(i, outPeers.length) - 22} peer={p} reveal={reveal} />)}
      <g className="subject" role="button" tabIndex={0} aria-label={`Selected endpoints ${rule.subject.text}`}
        onClick={() => reveal(rule.subject.at.file, rule.subject.at.from, rule.subject.at.to)}
        onKeyDown={(e) => e.key === 'Enter' && reveal(rule.subject.at.file, rule.subject.at.from, rule.subject.at.to)}>
        <rect x={cx - cw / 2} y={cy - ch / 2} width={cw} height={ch} rx={10} />
        <text x={cx} y={cy - ch / 2 + 20} textAnchor="middle" className="subject-label">{short(selectorText(rule.subject.text), 26)}{ns ? ` in ${short(ns, 10)}` : ''}</text>
        <title>{rule.subject.text}</title>
        {rule.subject.pods.slice(0, 4).map((p, i) => <text key={p} x={cx} y={cy - ch / 2 + 38 + i * 15} textAnchor="middle" className="pod">{short(p, 27)}</text>)}
        {rule.subject.pods.length > 4 && <text x={cx} y={cy + ch / 2 - 6} textAnchor="middle" className="pod">+{rule.subject.pods.length - 4} more</text>}
        {rule.subject.pods.length === 0 && <text x={cx} y={cy + 8} textAnchor="middle" className="pod warn">selects no pod</text>}
      </g>
    </svg>
  );
}

function SideHeader({ x, side, name, reveal }: { x: number; side: SideView | undefined; name: string; reveal: Reveal }) {
  const state = !side ? 'no rules: not enforced by this policy' : side.defaultDeny ? 'default deny' : 'default deny off';
  return (
    <g className={`side-head ${side ? (side.defaultDeny ? 'deny' : 'open') : 'none'}`} role={side ? 'button' : undefined} tabIndex={side ? 0 : undefined}
      onClick={() => side && reveal(side.at.file, side.at.from, side.at.to)}>
      <text x={x} y={22} textAnchor="middle" className="side-name">{name}</text>
      <text x={x} y={40} textAnchor="middle" className="side-state">{state}</text>
    </g>
  );
}

function Peer({ x, y, peer, reveal }: { x: number; y: number; peer: PeerView; reveal: Reveal }) {
  const pods = peer.pods ? (peer.pods.length === 1 ? peer.pods[0]! : `${peer.pods.length} pods`) : '';
  return (
    <g className={`peer ${peer.deny ? 'deny' : ''} k-${peer.kind}`} role="button" tabIndex={0} aria-label={`${peer.deny ? 'Deny' : 'Allow'} peer ${peer.label}`}
      onClick={() => reveal(peer.at.file, peer.at.from, peer.at.to)} onKeyDown={(e) => e.key === 'Enter' && reveal(peer.at.file, peer.at.from, peer.at.to)}>
      <rect x={x} y={y} width={COL} height={44} rx={8} />
      <text x={x + 10} y={y + 17} className="peer-tag">{(KIND_TAG[peer.kind] ?? peer.kind).toUpperCase()}{peer.deny ? ' · DENY' : ''}</text>
      <text x={x + 10} y={y + 35} className="peer-label">{short(peer.kind === 'endpoints' || peer.kind === 'k8s-peer' ? `${selectorText(peer.label)}${nsOf(peer.label) ? ` in ${nsOf(peer.label)}` : ''}` : peer.label.replace(/^[a-zA-Z]+: /, ''), 25)}</text>
      {pods && <text x={x + COL - 8} y={y + 17} textAnchor="end" className="peer-pods">{short(pods, 18)}</text>}
      <title>{peer.label}{peer.pods ? `\nselects: ${peer.pods.join(', ') || 'no pod'}` : ''}</title>
    </g>
  );
}

function Edge({ x1, y1, x2, y2, peer, reveal, side }: { x1: number; y1: number; x2: number; y2: number; peer: PeerView; reveal: Reveal; side: 'in' | 'out' }) {
  const label = portsText(peer);
  const mx = (x1 + x2) / 2;
  const target = peer.ports[0]?.at ?? peer.at;
  const shown = short(label, 19);
  const w = shown.length * 6.7 + 14;
  // The pill sits on the edge beside its peer, where the peers are a row apart and so never overlap.
  const px = side === 'in' ? x1 + 6 : x2 - 6 - w;
  const py = side === 'in' ? y1 : y2;
  return (
    <g className={`edge ${peer.deny ? 'deny' : ''}`}>
      <path d={`M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`} markerEnd={`url(#${peer.deny ? 'arrow-deny' : 'arrow'})`} />
      <g role="button" tabIndex={0} aria-label={`Ports ${label}`} onClick={() => reveal(target.file, target.from, target.to)}
        onKeyDown={(e) => e.key === 'Enter' && reveal(target.file, target.from, target.to)}>
        <rect x={px} y={py - 10} width={w} height={20} rx={10} className="port-pill" />
        <text x={px + w / 2} y={py + 4} textAnchor="middle" className="port-label">{shown}</text>
        <title>{label}</title>
      </g>
    </g>
  );
}

const short = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

type Form = { action: string; a: string; b: string; port: string };
const ACTIONS: { id: string; label: string; fields: [string?, string?]; port: boolean }[] = [
  { id: 'allow-from-pods', label: 'Allow from pods', fields: ['labels (key=value, …)'], port: true },
  { id: 'allow-from-namespace', label: 'Allow from namespace', fields: ['namespace'], port: true },
  { id: 'allow-from-world', label: 'Allow from world', fields: [], port: true },
  { id: 'allow-to-pods', label: 'Allow to pods', fields: ['labels (key=value, …)'], port: true },
  { id: 'allow-to-cidr', label: 'Allow to CIDR', fields: ['CIDR'], port: true },
  { id: 'allow-to-fqdn', label: 'Allow to FQDN', fields: ['DNS name'], port: true },
  { id: 'allow-kube-dns', label: 'Allow kube-dns', fields: [], port: false },
  { id: 'toggle-ingress', label: 'Toggle default deny (ingress)', fields: [], port: false },
  { id: 'toggle-egress', label: 'Toggle default deny (egress)', fields: [], port: false },
  { id: 'deny-world', label: 'Deny from world', fields: [], port: false },
  { id: 'add-http', label: 'Add HTTP rule', fields: ['method', 'path (regex)'], port: true },
];

function labelsOf(s: string): Record<string, string> {
  return Object.fromEntries(s.split(',').map((x) => x.trim()).filter(Boolean).map((x) => { const [k, ...v] = x.split('='); return [k!.trim(), v.join('=').trim()]; }));
}

function toAction(f: Form): BuilderAction | string {
  const port = f.port.trim() === '' ? undefined : Number(f.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) return 'the port must be a number from 1 to 65535';
  const p = port === undefined ? {} : { port };
  switch (f.action) {
    case 'allow-from-pods': return Object.keys(labelsOf(f.a)).length ? { kind: 'allow-from-pods', labels: labelsOf(f.a), ...p } : 'give labels as key=value';
    case 'allow-to-pods': return Object.keys(labelsOf(f.a)).length ? { kind: 'allow-to-pods', labels: labelsOf(f.a), ...p } : 'give labels as key=value';
    case 'allow-from-namespace': return f.a.trim() ? { kind: 'allow-from-namespace', namespace: f.a.trim(), ...p } : 'give a namespace';
    case 'allow-from-world': return { kind: 'allow-from-world', ...p };
    case 'allow-to-cidr': return f.a.trim() ? { kind: 'allow-to-cidr', cidr: f.a.trim(), ...p } : 'give a CIDR such as 10.0.0.0/8';
    case 'allow-to-fqdn': return f.a.trim() ? { kind: 'allow-to-fqdn', name: f.a.trim(), ...p } : 'give a DNS name';
    case 'allow-kube-dns': return { kind: 'allow-kube-dns' };
    case 'toggle-ingress': return { kind: 'toggle-default-deny', direction: 'ingress' };
    case 'toggle-egress': return { kind: 'toggle-default-deny', direction: 'egress' };
    case 'deny-world': return { kind: 'add-deny', direction: 'ingress', entity: 'world' };
    case 'add-http': return { kind: 'add-http-rule', method: f.a.trim() || 'GET', path: f.b.trim() || '/', ...p };
    default: return 'pick an action';
  }
}

function Builder({ policy, cursor, docText, apply }: { policy: PolicyView; cursor: number; docText: () => string; apply: Props['apply'] }) {
  const [form, setForm] = useState<Form>({ action: 'allow-from-pods', a: '', b: '', port: '' });
  const [error, setError] = useState('');
  const def = ACTIONS.find((x) => x.id === form.action)!;
  const run = () => {
    const action = toAction(form);
    if (typeof action === 'string') return setError(action);
    const at = cursor >= policy.at.from && cursor <= policy.at.to ? cursor : policy.at.from;
    const change = applyAction(docText(), at, action);
    if (!change) return setError('this action needs a CiliumNetworkPolicy without YAML errors under the cursor');
    setError('');
    apply(change, `${def.label}: written into ${policy.name} (Ctrl+Z undoes it)`);
  };
  return (
    <form className="builder" aria-label="Policy builder" onSubmit={(e) => { e.preventDefault(); run(); }}>
      <div className="builder-head">Builder <span className="muted">writes YAML into the buffer; undo with Ctrl+Z</span></div>
      <div className="row wrap">
        <label>Action
          <select value={form.action} onChange={(e) => setForm({ ...form, action: e.target.value, a: e.target.value === 'add-http' ? 'GET' : '', b: '' })} aria-label="Builder action">
            {ACTIONS.map((a) => <option key={a.id} value={a.id}>{a.label}</option>)}
          </select>
        </label>
        {def.fields[0] && <label>{def.fields[0]}<input value={form.a} onChange={(e) => setForm({ ...form, a: e.target.value })} aria-label={def.fields[0]} /></label>}
        {def.fields[1] && <label>{def.fields[1]}<input value={form.b} onChange={(e) => setForm({ ...form, b: e.target.value })} aria-label={def.fields[1]} /></label>}
        {def.port && <label>port<input className="port" value={form.port} onChange={(e) => setForm({ ...form, port: e.target.value })} aria-label="Port" placeholder="any" /></label>}
        <button type="submit" className="btn">Apply</button>
      </div>
      {error && <div className="form-error" role="alert">{error}</div>}
    </form>
  );
}
