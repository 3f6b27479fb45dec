/**
 * @module engine/reason
 *
 * The one-line reason of a verdict, written from the deciding entries alone
 * (policy name and field path, never a file position), so that `verdict`
 * can build it once per distinct decision and share it.
 */
import { formatPath } from '../manifest/object.js';
import { formatPolicyRef } from '../policy/types.js';
import type { CompiledEntry, SideOutcome } from './compile.js';
import { serverNamesText, type L7Outcome } from './side.js';
import type { Verdict } from './types.js';

export const SELF_REASON = 'allowed: a pod talking to its own address never leaves its network namespace, so no policy applies';

/** `CiliumNetworkPolicy default/db spec.ingress[0]`, or what Cilium's own entries stand for. */
export function entryName(c: CompiledEntry | undefined): string {
  if (!c) return 'no rule';
  if (c.synthetic === 'allow-localhost') return 'allow-localhost (the node may always reach its pods)';
  if (c.synthetic === 'default-allow') return 'no rule asks for default deny';
  const e = c.entry!;
  return `${formatPolicyRef(e.origin.policy)} ${formatPath(e.origin.path)}`;
}

function sideName(s: SideOutcome): string {
  return s.enforced ? entryName(s.entry) : 'no policy selects it';
}

/** What the client sees when the proxy refuses a request. */
export function l7Response(protocol: L7Outcome['protocol']): string {
  if (protocol === 'tls') return 'TLS handshake reset (server name not allowed)';
  return protocol === 'http' ? '403 Access denied' : protocol === 'dns' ? 'REFUSED' : 'Kafka error (topic authorization failed)';
}

/** The verdict of a decided connection (sides absent where no endpoint enforces policy). */
export function reasonLine(egress: SideOutcome | undefined, ingress: SideOutcome | undefined, l7: L7Outcome | undefined): Verdict {
  const v = decide(egress, ingress, l7);
  // The proxy restricts requests only where the redirecting entry filters (not visibility-only, §5.4).
  const proxied = v.verdict === 'allow' ? [egress, ingress].find((s) => s?.redirect && s.entry && !s.entry.l7VisibilityOnly && s.port?.l7) : undefined;
  const redirect = v.verdict === 'allow' && (egress?.redirect === true || ingress?.redirect === true);
  return {
    ...v, ...(redirect ? { redirect } : {}), ...(egress ? { egressMatch: egress.matchType } : {}), ...(ingress ? { ingressMatch: ingress.matchType } : {}),
    ...(proxied ? { l7: proxied.port!.l7!.kind } : {}),
    ...(egress?.enforced ? { egressEnforced: true } : {}),
    ...(ingress?.enforced ? { ingressEnforced: true } : {}),
    ...(egress?.redirect && egress.verdict === 'allow' ? { egressRedirect: true } : {}),
    ...(ingress?.redirect && ingress.verdict === 'allow' ? { ingressRedirect: true } : {}),
  };
}

function decide(egress: SideOutcome | undefined, ingress: SideOutcome | undefined, l7: L7Outcome | undefined): Verdict {
  const denied = egress?.verdict === 'deny' ? egress : ingress?.verdict === 'deny' ? ingress : undefined;
  if (denied) {
    const at = denied.direction;
    const base = { verdict: 'deny', deniedAt: at, dropReason: denied.dropReason! } as const;
    if (denied.dropReason === 'POLICY_DENY') return { ...base, reason: `denied at ${at} by deny rule ${entryName(denied.entry)}` };
    if (denied.dropReason === 'AUTH_REQUIRED') return { ...base, reason: `dropped at ${at}: ${entryName(denied.entry)} requires mutual authentication` };
    return { ...base, reason: `denied at ${at}: default deny, no rule allows it` };
  }
  if (l7 && !l7.allowed) {
    const redirect = l7.direction === 'egress' ? egress : ingress;
    if (l7.protocol === 'tls') {
      return { verdict: 'deny', deniedAt: 'l7', reason: `denied at L7 (${l7.direction} proxy) by ${entryName(redirect?.entry)}: an SNI filter applies and the TLS server name is none of its serverNames → ${l7Response('tls')}` };
    }
    return {
      verdict: 'deny', deniedAt: 'l7',
      reason: `denied at L7 (${l7.direction} proxy) by ${entryName(redirect?.entry)}: the request matches none of its ${l7.protocol.toUpperCase()} rules → ${l7Response(l7.protocol)}`,
    };
  }
  const parts: string[] = [];
  if (egress) parts.push(`egress: ${sideName(egress)}`);
  if (ingress) parts.push(`ingress: ${sideName(ingress)}`);
  if (l7) parts.push(`L7: ${l7.why === 'rule' ? `matches ${l7.ruleText}` : l7.why === 'sni' ? `an SNI filter applies and the TLS server name passes it (${l7.ruleText})` : l7.why === 'host' ? 'the local host is always allowed' : 'every request is allowed'}`);
  else {
    // Nothing was sent to judge, but the proxy will check the TLS handshake (§5.9): say so.
    const sni = [egress, ingress].flatMap((s) => (s?.verdict === 'allow' && s.port?.serverNames ? [serverNamesText(s.port.serverNames)] : []));
    if (sni.length) parts.push(`L7: an SNI filter applies (${sni.join('; ')}): a TLS handshake naming another server is reset`);
  }
  return { verdict: 'allow', reason: `allowed (${parts.join('; ') || 'no Cilium endpoint on either side'})` };
}

/**
 * The verdict of a connection to a Service from those of its backends
 * (`endpoints`, in the same order): a deny if any backend denies (the load
 * balancer may pick it), with the reason of the first that does and a
 * count of who denies, so a canary locked down alone is never hidden.
 */
export function serviceVerdict(verdicts: readonly Verdict[], endpoints: readonly string[]): Verdict {
  const denied = endpoints.filter((_, i) => verdicts[i]!.verdict === 'deny');
  const shown = verdicts.find((v) => v.verdict === 'deny') ?? verdicts[0]!;
  const summary = verdicts.length === 1 ? '' : denied.length === 0 ? `all ${verdicts.length} backends allow it; ` : `${denied.length} of ${verdicts.length} backends deny it (${denied.join(', ')}); `;
  // Allowed through a proxy when any backend's allow redirects (the first backend alone may not).
  const redirect = denied.length === 0 && verdicts.some((v) => v.redirect === true);
  return { ...shown, ...(redirect ? { redirect } : {}), reason: summary + shown.reason, backends: { total: verdicts.length, allowed: verdicts.length - denied.length, denied } };
}
