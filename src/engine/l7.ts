/**
 * @module engine/l7
 *
 * What the proxies decide once a connection is redirected (semantics.md
 * §5): Envoy matches HTTP requests (method, path, host as anchored RE2,
 * headers exactly) and answers 403 "Access denied" when none matches; the
 * DNS proxy answers REFUSED for names no DNS rule allows; Kafka requests
 * are judged by API key, version, client ID and topic. A request is
 * allowed when any allow entry covering the peer and port either has no
 * L7 rules of its own (an implicit allow-all) or has a rule that matches.
 */
import type { Direction, DnsRule, HttpRule, KafkaRule, L7Rules } from '../policy/rule.js';
import { fullMatch } from '../util/re2.js';
import type { HttpRequest, KafkaRequest } from './types.js';

/**
 * The Host a request that names none is judged by: at egress the name the
 * destination was looked up by (or its address), at ingress its address.
 */
export function defaultHost(direction: Direction, dst: { readonly text: string; readonly fqdn?: string }): string {
  return direction === 'egress' ? (dst.fqdn ?? dst.text) : dst.text;
}

export function httpRuleMatches(rule: HttpRule, req: HttpRequest, defaultHost: string): boolean {
  if (rule.method && !fullMatch(rule.method, req.method)) return false;
  if (rule.path && !fullMatch(rule.path, req.path)) return false;
  if (rule.host && !fullMatch(rule.host, req.host ?? defaultHost)) return false;
  const headers = new Map(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  for (const h of rule.headers) {
    const v = headers.get(h.name.toLowerCase());
    if (v === undefined || (h.value !== undefined && v !== h.value)) return false;
  }
  return true;
}

/**
 * Whether the DNS proxy lets a query for `query` through under `rule`. A
 * `matchPattern: "*"` lets every name through, even one with characters no
 * pattern matches (`a+b.example.com.`): GeneratePattern (pkg/fqdn/dnsproxy/proxy.go)
 * gives the selector `matchpattern.MatchAllAnchoredPattern`, `(?:)`, as soon
 * as one pattern is `*`, and CheckAllowed allows on that pattern without
 * matching; the restricted `*` regexp of ToAnchoredRegexp is for `toFQDNs` only.
 */
export function dnsRuleMatches(rule: DnsRule, query: string): boolean {
  return rule.matchAll === true || rule.matches(query);
}

export function kafkaRuleMatches(rule: KafkaRule, req: KafkaRequest): boolean {
  if (rule.apiKeys && !rule.apiKeys.has(req.apiKey.toLowerCase())) return false;
  if (rule.apiVersion !== undefined && req.apiVersion !== rule.apiVersion) return false;
  if (rule.clientID !== undefined && req.clientID !== rule.clientID) return false;
  // A request with several topics is allowed only if all are allowed; requests without topics pass the topic test.
  if (rule.topic !== undefined && (req.topics ?? []).some((t) => t !== rule.topic)) return false;
  return true;
}

/**
 * Whether a TLS server name (SNI, lower-case) is one a `serverNames` entry
 * allows (`pkg/policy/api/l4.go PortRule.ServerNames`: "TLS must be present
 * and one of the provided SNIs must be indicated in the TLS handshake";
 * semantics.md §5.9): equal ignoring case, or under a leading `*.` (exactly
 * one more label) or `**.` (one or more labels).
 */
export function serverNameMatches(pattern: string, sni: string): boolean {
  const name = sni.toLowerCase().replace(/\.$/, '');
  const p = pattern.toLowerCase().replace(/\.$/, '');
  if (p.startsWith('**.')) return name.endsWith(p.slice(2)) && name.length > p.length - 2;
  if (p.startsWith('*.')) {
    const rest = p.slice(1);
    return name.endsWith(rest) && name.length > rest.length && !name.slice(0, name.length - rest.length).includes('.');
  }
  return name === p;
}

/** The first rule of `l7` that matches the request, or undefined. */
export function matchingL7Rule(l7: L7Rules, req: { http?: HttpRequest; dns?: string; kafka?: KafkaRequest }, defaultHost: string): { text: string } | undefined {
  switch (l7.kind) {
    case 'http':
      return req.http ? l7.rules.find((r) => httpRuleMatches(r, req.http!, defaultHost)) : undefined;
    case 'dns':
      return req.dns !== undefined ? l7.rules.find((r) => dnsRuleMatches(r, req.dns!)) : undefined;
    case 'kafka':
      return req.kafka ? l7.rules.find((r) => kafkaRuleMatches(r, req.kafka!)) : undefined;
    case 'l7proto':
      return undefined;
  }
}
