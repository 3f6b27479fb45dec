/**
 * @module analysis/explain/format
 *
 * A verdict as a person reads it: the result, then each side (egress at the
 * source, ingress at the destination) with the rules that decided it and
 * where they are written, and for a default deny the rules that came
 * closest and the field that did not match.
 */
import { formatPolicyRef } from '../../policy/types.js';
import type { SourceLine } from '../../diagnostics/diagnostic.js';
import type { Explanation as FullExplanation, RuleMatch as FullRuleMatch, SideResult as FullSideResult } from '../../engine/types.js';

// Text cites file:line only, so it takes explanations made either way (`positions: 'lines'` or not).
type Explanation = FullExplanation<SourceLine>;
type RuleMatch = FullRuleMatch<SourceLine>;
type SideResult = FullSideResult<SourceLine>;

const where = (m: RuleMatch) => (m.location ? ` (${m.location.file}:${m.location.line})` : '');

function ruleLine(m: RuleMatch, mark: string): string[] {
  if (m.synthetic === 'not-enforced') return [`  ${mark} no policy selects this endpoint for this direction, so everything is allowed`];
  if (m.synthetic === 'allow-localhost') return [`  ${mark} allow-localhost: Cilium always lets the local node (kubelet probes) reach its pods`];
  if (m.synthetic === 'default-allow') return [`  ${mark} no rule here asks for default deny (enableDefaultDeny: false), so Cilium allows what no deny rule denies`];
  return [
    `  ${mark} ${m.deny ? 'deny rule ' : ''}${formatPolicyRef(m.policy!)}  ${m.path}${where(m)}`,
    `      ${m.peer}  ·  ${m.ports}`,
  ];
}

function sideLines(s: SideResult, peerName: (id: number) => string): string[] {
  const arrow = s.direction === 'egress' ? '→' : '←';
  const verdict = s.verdict === 'allow' ? 'ALLOWED' : 'DENIED';
  const event = s.enforced ? `  policy-verdict:${s.matchType} ${s.direction.toUpperCase()}` : '';
  const reason = s.dropReason === 'POLICY_DENIED' ? ' (Policy denied: default deny, no rule allows it)'
    : s.dropReason === 'POLICY_DENY' ? ' (Policy denied by denylist)'
    : s.dropReason === 'AUTH_REQUIRED' ? ' (Authentication required)' : '';
  const out = [`${s.direction} at ${s.endpoint} (${peerName(s.identity)} ${arrow} peer ${peerName(s.peerIdentity)}): ${verdict}${reason}${event}`];
  if (s.verdict === 'allow' || s.dropReason !== 'POLICY_DENIED') {
    s.decidedBy.forEach((m, i) => out.push(...ruleLine(m, s.verdict === 'deny' ? '✗' : i === 0 ? '✓' : '+')));
    if (s.omitted?.decidedBy) out.push(`  + ${s.omitted.decidedBy} more rule element${s.omitted.decidedBy === 1 ? '' : 's'} allow it too`);
    if (s.redirect) out.push('      the connection goes through the L7 proxy');
  } else {
    const by = s.enforcedBy.map((m) => `${formatPolicyRef(m.policy!)}${where(m)}`);
    if (s.omitted?.enforcedBy) by.push(`${s.omitted.enforcedBy} more`);
    out.push(`  default deny: ${by.length ? `${[...new Set(by)].join(', ')} ${by.length === 1 ? 'selects' : 'select'} this endpoint for ${s.direction}` : 'policy enforcement is "always"'}`);
    if (s.nearMisses.length) {
      out.push('  closest rules:');
      for (const n of s.nearMisses) {
        out.push(`  ✗ ${formatPolicyRef(n.rule.policy!)}  ${n.rule.path}${where(n.rule)}`, `      ${n.detail}`);
      }
    } else out.push('  no rule of these policies comes close (none names this peer or this port)');
  }
  return out;
}

/** The explanation as text. */
export function formatExplanation(v: Explanation, peerName: (id: number) => string = (id) => `ID:${id}`): string {
  const dst = `${v.destination.endpoint}${v.destination.port !== undefined ? `:${v.destination.port}` : ''}/${v.protocol}`;
  const out = [`${v.verdict === 'allow' ? 'ALLOWED' : 'DENIED'}  ${v.source.endpoint} → ${dst}`, `  ${v.reason}`, ''];
  if (!v.egress && !v.ingress) out.push('neither end is a Cilium endpoint, so no policy applies', '');
  if (v.egress) out.push(...sideLines(v.egress, peerName), '');
  if (v.ingress) out.push(...sideLines(v.ingress, peerName), '');
  else if (v.egress?.verdict === 'deny') out.push('ingress: not reached (dropped at egress)', '');
  if (v.l7) {
    out.push(`L7 (${v.l7.protocol.toUpperCase()}, ${v.l7.direction} proxy): ${v.l7.allowed ? 'allowed' : `denied → ${v.l7.response}`}: ${v.l7.detail}`);
    for (const m of v.l7.decidedBy) out.push(...ruleLine(m, v.l7.allowed ? '✓' : '✗'));
    out.push('');
  }
  if (v.backends && v.backends.length > 1) {
    out.push(`the Service has ${v.backends.length} backends (Cilium picks one per connection):`);
    for (const b of v.backends) out.push(`  ${b.verdict === 'allow' ? 'ALLOWED' : 'DENIED '}  ${b.endpoint}:${b.port}  ${b.reason}`);
    out.push('');
  }
  return out.join('\n');
}

const located = (m: RuleMatch) => (m.synthetic ? ruleLine(m, '').join('').trim() : `${formatPolicyRef(m.policy!)} ${m.path}${where(m)}`);

/**
 * The rules behind an explanation in one line, with file:line: what a
 * failing connectivity test prints under its result.
 */
export function explanationLine(v: Explanation): string {
  const sides = [v.egress, v.ingress].filter((s): s is SideResult => s !== undefined);
  if (v.l7 && !v.l7.allowed) return `L7 ${v.l7.direction}: ${v.l7.detail}; rules: ${v.l7.decidedBy.map(located).join(', ') || 'none'}`;
  const denied = sides.find((s) => s.verdict === 'deny');
  if (denied) {
    if (denied.dropReason !== 'POLICY_DENIED') return `${denied.direction} of ${denied.endpoint}: ${denied.decidedBy.map(located).join(', ')}`;
    const by = [...new Set(denied.enforcedBy.map(located))].join(', ') || 'policy enforcement "always"';
    const near = denied.nearMisses[0];
    return `default deny at ${denied.direction} of ${denied.endpoint} (selected by ${by})${near ? `; closest: ${located(near.rule)}: ${near.detail}` : ''}`;
  }
  if (sides.length === 0) return v.reason;
  return sides.map((s) => `${s.direction}: ${s.decidedBy[0] ? located(s.decidedBy[0]) : 'allowed'}`).join('; ');
}
