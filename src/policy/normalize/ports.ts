/**
 * @module policy/normalize/ports
 *
 * `toPorts` and `icmps` into {@link PortEntry} lists (`pkg/policy/rule.go:
 * mergeIngress/mergeEgress`, `l4.go: createL4Filter`): protocol ANY (or none)
 * stands for TCP, UDP and SCTP, never ICMP; `endPort` not above `port` means
 * the single port; named ports stay names until a pod resolves them; L7
 * rules are compiled here once (RE2 for HTTP, anchored FQDN matchers for DNS).
 */
import type { FieldPath } from '../../manifest/object.js';
import { compileRe2, type Re2 } from '../../util/re2.js';
import { headerRule } from '../http-header.js';
import { icmpTypeNumber } from '../icmp.js';
import { parsePortString } from '../ports.js';
import type { DnsRule, HttpRule, KafkaRule, L4Protocol, L7Rules, PortEntry, PortSet } from '../rule.js';
import type { IcmpRuleSpec, L7RulesSpec, PortProtocolSpec } from '../schema/cilium.js';
import { fqdnMatcher, fqdnSelectorText } from './fqdn.js';

interface PortRuleLike {
  readonly ports?: readonly PortProtocolSpec[];
  readonly rules?: L7RulesSpec;
  readonly serverNames?: readonly string[];
}

/**
 * The port set of a rule element. No toPorts and no icmps, absent or empty
 * lists alike, is L3-only: every port, ICMP included (`pkg/policy/rule.go
 * mergeIngress/mergeEgress`: `toPorts.Len() == 0 && icmp.Len() == 0`, and Go
 * reads `toPorts: []` as a slice of length 0).
 */
export function portSet(toPorts: readonly PortRuleLike[] | undefined, icmps: readonly IcmpRuleSpec[] | undefined, path: FieldPath): PortSet {
  if ((toPorts?.length ?? 0) === 0 && (icmps?.length ?? 0) === 0) return { kind: 'all' };
  const ports: PortEntry[] = [];
  (toPorts ?? []).forEach((pr, i) => {
    const l7 = compileL7(pr.rules);
    const serverNames = pr.serverNames?.map((s) => s.toLowerCase());
    const prPath = [...path, 'toPorts', i];
    // A port rule without ports (`{}`, `{ports: []}`, or L7 rules alone) adds no filter: Cilium
    // makes one per entry of `ports` (rule.go: `for _, p := range r.GetPortProtocols()`), so it
    // allows nothing, though the element still puts the direction under enforcement.
    (pr.ports ?? []).forEach((pp, j) => {
      const parsed = parsePortString(pp.port ?? '');
      if (parsed.kind === 'invalid') return; // validation reported it; Cilium refuses the policy
      const protos: L4Protocol[] = pp.protocol === undefined || pp.protocol === 'ANY' ? ['TCP', 'UDP', 'SCTP'] : [pp.protocol];
      const port = parsed.kind === 'number' ? parsed.port : parsed.name;
      const endPort = parsed.kind === 'number' ? (parsed.port === 0 ? 65535 : Math.max(parsed.port, pp.endPort ?? 0)) : (pp.endPort ?? 0);
      const range = parsed.kind === 'number' && endPort > parsed.port && parsed.port !== 0 ? `${parsed.port}-${endPort}` : parsed.kind === 'number' ? (parsed.port === 0 ? 'all ports' : String(parsed.port)) : parsed.name;
      for (const protocol of protos) {
        // L7 parsers other than DNS attach only to TCP (l4.go: createL4Filter).
        const portL7 = l7 && (l7.kind === 'dns' || protocol === 'TCP') ? l7 : undefined;
        ports.push({
          protocol, port, endPort,
          ...(portL7 ? { l7: portL7 } : {}),
          ...(serverNames?.length ? { serverNames } : {}),
          path: [...prPath, 'ports', j], text: `${range}/${pp.protocol ?? 'ANY'}`,
        });
      }
    });
  });
  (icmps ?? []).forEach((rule, i) => {
    (rule.fields ?? []).forEach((f, j) => {
      const family = f.family ?? 'IPv4';
      const type = icmpTypeNumber(f.type, family);
      if (type === undefined) return;
      ports.push({ protocol: family === 'IPv4' ? 'ICMP' : 'ICMPv6', port: type, endPort: type, path: [...path, 'icmps', i, 'fields', j], text: `${family === 'IPv4' ? 'ICMP' : 'ICMPv6'} type ${String(f.type)}` });
    });
  });
  return { kind: 'ports', ports };
}

/** Kafka `role` shorthands (`kafka.go`): the API keys each role allows. */
const KAFKA_ROLES: Readonly<Record<string, readonly string[]>> = {
  produce: ['produce', 'metadata', 'apiversions'],
  consume: ['fetch', 'offsets', 'metadata', 'offsetcommit', 'offsetfetch', 'findcoordinator', 'joingroup', 'heartbeat', 'leavegroup', 'syncgroup', 'apiversions'],
};

function compileL7(rules: L7RulesSpec | undefined): L7Rules | undefined {
  if (!rules) return undefined;
  if (rules.http?.length) {
    const out: HttpRule[] = [];
    for (const h of rules.http) {
      const re = (s: string | undefined): Re2 | undefined | null => {
        if (s === undefined) return undefined;
        const c = compileRe2(s);
        return c.ok ? c.re : null;
      };
      const method = re(h.method);
      const path = re(h.path);
      const host = re(h.host);
      if (method === null || path === null || host === null) continue; // invalid: reported by validation
      const headers = [
        ...(h.headers ?? []).map(headerRule),
        ...(h.headerMatches ?? []).filter((m) => m.mismatch === undefined).map((m) => (m.value !== undefined ? { name: m.name, value: m.value } : { name: m.name })),
      ];
      const text = [h.method && `method ${h.method}`, h.path && `path ${h.path}`, h.host && `host ${h.host}`, ...(h.headers ?? []).map((x) => `header ${x}`)].filter(Boolean).join(', ') || 'any request';
      out.push({ ...(method ? { method } : {}), ...(path ? { path } : {}), ...(host ? { host } : {}), headers, text });
    }
    return { kind: 'http', rules: out };
  }
  if (rules.dns?.length) {
    const out: DnsRule[] = [];
    for (const d of rules.dns) {
      const m = fqdnMatcher(d);
      if (m) out.push({ matches: m, text: fqdnSelectorText(d), ...(d.matchPattern === '*' ? { matchAll: true as const } : {}) });
    }
    return { kind: 'dns', rules: out };
  }
  if (rules.kafka?.length) {
    const out: KafkaRule[] = rules.kafka.map((k) => {
      const keys = k.role ? KAFKA_ROLES[k.role.toLowerCase()] : k.apiKey ? [k.apiKey.toLowerCase()] : undefined;
      return {
        apiKeys: keys ? new Set(keys) : undefined,
        ...(k.apiVersion ? { apiVersion: Number(k.apiVersion) } : {}),
        ...(k.clientID ? { clientID: k.clientID } : {}),
        ...(k.topic ? { topic: k.topic } : {}),
        text: Object.entries(k).map(([a, b]) => `${a}=${b}`).join(', ') || 'any request',
      };
    });
    return { kind: 'kafka', rules: out };
  }
  if (rules.l7proto) return { kind: 'l7proto', proto: rules.l7proto };
  return undefined;
}
