/**
 * @module web/TryItPanel
 *
 * "Try it": a source, a destination, a port and optionally an HTTP request
 * or a DNS name, and the engine's verdict with the chain of rules behind
 * each side. Each rule links to its line in the editor.
 */
import { useEffect, useState } from 'react';
import { api, type Buffers } from './api';
import type { Reveal } from './App';
import type { Endpoints, ExplainPair, RuleMatch, SideResult } from './types';

export function TryItPanel({ buffers, reveal }: { buffers: () => Buffers; reveal: Reveal }) {
  const [eps, setEps] = useState<Endpoints>({ workloads: [], services: [], dns: {} });
  const [from, setFrom] = useState('default/frontend');
  const [to, setTo] = useState('svc:default/backend');
  const [port, setPort] = useState('80');
  const [protocol, setProtocol] = useState('TCP');
  const [useHttp, setUseHttp] = useState(false);
  const [method, setMethod] = useState('GET');
  const [path, setPath] = useState('/');
  const [dns, setDns] = useState('');
  const [answer, setAnswer] = useState<ExplainPair[] | undefined>();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.endpoints(buffers()).then(setEps, () => undefined);
  }, [buffers]);

  const ask = async () => {
    setBusy(true);
    setError('');
    try {
      const q: Record<string, unknown> = { buffers: buffers(), from: from.trim(), to: to.trim(), protocol };
      if (port.trim()) q.port = Number(port);
      if (useHttp) q.http = { method, path };
      if (dns.trim()) q.dns = dns.trim();
      const r = await api.explain(q);
      setAnswer(r.pairs);
    } catch (e) {
      setAnswer(undefined);
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const targets = [...eps.workloads, ...eps.services.map((s) => s.id), ...Object.keys(eps.dns).map((d) => `fqdn:${d}`)];
  const denied = answer?.find((p) => p.explanation.verdict === 'deny');
  const shown = denied ?? answer?.[0];
  return (
    <div className="tryit">
      <form className="row wrap" aria-label="Ask a verdict" onSubmit={(e) => { e.preventDefault(); void ask(); }}>
        <label>From<input list="sources" value={from} onChange={(e) => setFrom(e.target.value)} aria-label="Source" /></label>
        <label>To<input list="targets" value={to} onChange={(e) => setTo(e.target.value)} aria-label="Destination" /></label>
        <label>Port<input className="port" value={port} onChange={(e) => setPort(e.target.value)} aria-label="Port" /></label>
        <label>Protocol
          <select value={protocol} onChange={(e) => setProtocol(e.target.value)} aria-label="Protocol">
            {['TCP', 'UDP', 'SCTP', 'ICMP'].map((p) => <option key={p}>{p}</option>)}
          </select>
        </label>
        <label className="check"><input type="checkbox" checked={useHttp} onChange={(e) => setUseHttp(e.target.checked)} aria-label="Send an HTTP request" /> HTTP</label>
        {useHttp && <label>Method<input className="short" value={method} onChange={(e) => setMethod(e.target.value)} aria-label="HTTP method" /></label>}
        {useHttp && <label>Path<input value={path} onChange={(e) => setPath(e.target.value)} aria-label="HTTP path" /></label>}
        <label>DNS query<input value={dns} placeholder="optional" onChange={(e) => setDns(e.target.value)} aria-label="DNS name" /></label>
        <button type="submit" className="btn" disabled={busy}>Check</button>
        <datalist id="sources">{eps.workloads.map((w) => <option key={w} value={w} />)}</datalist>
        <datalist id="targets">{targets.map((w) => <option key={w} value={w} />)}</datalist>
      </form>
      {error && <div className="form-error" role="alert">{error}</div>}
      {shown && (
        <div className="verdict-card">
          <div className={`verdict ${shown.explanation.verdict}`} data-testid="verdict">{shown.explanation.verdict === 'allow' ? 'ALLOWED' : 'DENIED'}</div>
          <div className="verdict-what">
            <div>{shown.explanation.source.endpoint} → {shown.explanation.destination.endpoint}{shown.explanation.destination.port !== undefined ? `:${shown.explanation.destination.port}` : ''}/{shown.explanation.protocol}</div>
            <div className="reason">{shown.explanation.reason}</div>
            {answer && answer.length > 1 && <div className="muted">{answer.length} (source, destination) pairs; {answer.filter((p) => p.explanation.verdict === 'deny').length} denied{denied ? ': showing the first denied' : ''}</div>}
          </div>
        </div>
      )}
      {shown && (
        <div className="sides">
          <Side side={shown.explanation.egress} name="Egress" at="source" reveal={reveal} />
          <Side side={shown.explanation.ingress} name="Ingress" at="destination" reveal={reveal} />
          {shown.explanation.l7 && (
            <div className={`side-card ${shown.explanation.l7.allowed ? 'allow' : 'deny'}`}>
              <h4>L7 {shown.explanation.l7.protocol.toUpperCase()} ({shown.explanation.l7.direction} proxy)</h4>
              <p>{shown.explanation.l7.allowed ? 'allowed' : `denied → ${shown.explanation.l7.response ?? ''}`}: {shown.explanation.l7.detail}</p>
              <Rules rules={shown.explanation.l7.decidedBy} reveal={reveal} />
            </div>
          )}
        </div>
      )}
      {shown && <details className="raw"><summary>As <code>polis explain</code> prints it</summary><pre>{shown.text}</pre></details>}
    </div>
  );
}

function Side({ side, name, at, reveal }: { side: SideResult | undefined; name: string; at: string; reveal: Reveal }) {
  if (!side) return <div className="side-card none"><h4>{name}</h4><p className="muted">not reached or not a Cilium endpoint</p></div>;
  return (
    <div className={`side-card ${side.verdict}`}>
      <h4>{name} at the {at} <span className={`chip ${side.verdict}`}>{side.verdict}</span></h4>
      <p className="muted">{side.endpoint} · {side.enforced ? `policy enforced (${side.matchType})` : 'no policy selects it: everything allowed'}{side.dropReason ? ` · ${side.dropReason}` : ''}</p>
      {side.decidedBy.length > 0 && <><div className="sub">decided by</div><Rules rules={side.decidedBy} reveal={reveal} /></>}
      {side.verdict === 'deny' && side.decidedBy.length === 0 && side.enforcedBy.length > 0 && (
        <><div className="sub">default deny: no rule allows it; enforced by</div><Rules rules={side.enforcedBy} reveal={reveal} /></>
      )}
      {side.nearMisses.length > 0 && (
        <><div className="sub">closest rules</div>
          <ul className="rules">{side.nearMisses.map((n, i) => <li key={i}><RuleLink r={n.rule} reveal={reveal} /><div className="muted">{n.detail}</div></li>)}</ul></>
      )}
    </div>
  );
}

function Rules({ rules, reveal }: { rules: RuleMatch[]; reveal: Reveal }) {
  return <ul className="rules">{rules.map((r, i) => <li key={i}><RuleLink r={r} reveal={reveal} /></li>)}</ul>;
}

function RuleLink({ r, reveal }: { r: RuleMatch; reveal: Reveal }) {
  const what = r.synthetic ? r.synthetic : `${r.policy ? `${r.policy.namespace ? `${r.policy.namespace}/` : ''}${r.policy.name}` : ''} ${r.path ?? ''}`;
  return (
    <span className={`rule ${r.deny ? 'deny' : ''}`}>
      {r.deny ? '✗ ' : '✓ '}{what} <span className="muted">{r.peer} · {r.ports}</span>{' '}
      {r.location && (
        <button type="button" className="link" onClick={() => reveal(r.location!.file, r.location!.offset, r.location!.endOffset)} aria-label={`Open ${r.location.file} line ${r.location.line}`}>
          {r.location.file}:{r.location.line}
        </button>
      )}
    </span>
  );
}
