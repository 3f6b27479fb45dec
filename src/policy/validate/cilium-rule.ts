/**
 * @module policy/validate/cilium-rule
 *
 * Semantic checks of one Cilium rule (a `spec` or an item of `specs`), as
 * Cilium 1.18's `(*Rule).Sanitize` makes them, plus warnings for rules that
 * Cilium accepts but that almost certainly do not say what their author meant.
 */
import type { FieldPath } from '../../manifest/object.js';
import { PEER_FIELD_NAMES, type CiliumRuleSpec, type EgressDenyRuleSpec, type EgressRuleSpec, type IngressDenyRuleSpec, type IngressRuleSpec } from '../schema/cilium.js';
import { checkSelector } from './labels.js';
import { checkFqdnSelector } from './fqdn.js';
import { checkIcmps, checkPortCount, checkPortProtocol, checkPortRule, l7Kinds } from './ports.js';
import { formatPath } from '../../manifest/object.js';
import { checkCidrList, checkCidrRules, checkPeerCombination, checkSelectors, checkServices, PEER_FIELDS } from './peers.js';
import { ciliumRejects, type Reporter } from './reporter.js';
import { UNREAD_WHEN_EMPTY, voidingEmptyLists } from '../peer-lists.js';

export interface RuleContext {
  /** CiliumClusterwideNetworkPolicy (nodeSelector allowed) or CiliumNetworkPolicy. */
  readonly clusterwide: boolean;
  /** True for `spec`, false for an item of `specs` (Cilium checks nodeSelector only in `spec`). */
  readonly isSpec: boolean;
}

type AnyElement = IngressRuleSpec | IngressDenyRuleSpec | EgressRuleSpec | EgressDenyRuleSpec;

export function checkCiliumRule(r: Reporter, rule: CiliumRuleSpec, path: FieldPath, ctx: RuleContext): void {
  const hasEndpoint = rule.endpointSelector !== undefined;
  const hasNode = rule.nodeSelector !== undefined;
  if (!hasEndpoint && !hasNode) {
    r.error(path, 'no-subject', 'the rule selects no endpoints: it needs endpointSelector' + (ctx.clusterwide ? ' or nodeSelector' : ''),
      ciliumRejects('rule must have one of EndpointSelector or NodeSelector', 'add endpointSelector: {} to select every pod' + (ctx.clusterwide ? '' : ' of the namespace')), 'key');
  }
  if (hasEndpoint && hasNode) {
    r.error([...path, 'nodeSelector'], 'both-subjects', 'a rule cannot have both endpointSelector and nodeSelector',
      ciliumRejects('rule cannot have both EndpointSelector and NodeSelector', 'split it into a pod rule and a host rule'), 'key');
  }
  if (hasNode && !ctx.clusterwide) {
    if (ctx.isSpec) {
      r.error([...path, 'nodeSelector'], 'node-selector-in-cnp', 'nodeSelector (host policy) is allowed only in a CiliumClusterwideNetworkPolicy',
        ciliumRejects('rule cannot have NodeSelector', 'move this rule to a CiliumClusterwideNetworkPolicy'), 'key');
    } else {
      r.warn([...path, 'nodeSelector'], 'node-selector-in-cnp', 'nodeSelector in a CiliumNetworkPolicy never matches: host policies must be CiliumClusterwideNetworkPolicies',
        'move this rule to a CiliumClusterwideNetworkPolicy', 'key');
    }
  }
  checkSelector(r, rule.endpointSelector, [...path, 'endpointSelector'], true);
  checkSelector(r, rule.nodeSelector, [...path, 'nodeSelector'], true);

  const lists = ['ingress', 'ingressDeny', 'egress', 'egressDeny'] as const;
  if (lists.every((k) => (rule[k]?.length ?? 0) === 0)) {
    const empty = lists.find((k) => rule[k] !== undefined);
    r.error(empty ? [...path, empty] : path, 'rule-without-sections',
      empty ? `${empty} is an empty list, so the rule has no ingress or egress rules` : 'the rule has no ingress, ingressDeny, egress or egressDeny section',
      ciliumRejects('rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny', 'add rules; to deny all traffic in a direction write ingress: [{}]'), 'key');
  }
  if (rule.enableDefaultDeny) {
    for (const dir of ['ingress', 'egress'] as const) {
      const has = (rule[dir]?.length ?? 0) + (rule[`${dir}Deny`]?.length ?? 0) > 0;
      if (rule.enableDefaultDeny[dir] !== undefined && !has) {
        r.warn([...path, 'enableDefaultDeny', dir], 'default-deny-without-rules', `enableDefaultDeny.${dir} has no effect: the rule has no ${dir} rules`, `add ${dir} rules, or remove enableDefaultDeny.${dir}`);
      }
    }
  }
  const host = hasNode && !hasEndpoint;
  (rule.ingress ?? []).forEach((e, i) => checkElement(r, e, [...path, 'ingress', i], true, false, host));
  (rule.ingressDeny ?? []).forEach((e, i) => checkElement(r, e, [...path, 'ingressDeny', i], true, true, host));
  (rule.egress ?? []).forEach((e, i) => checkElement(r, e, [...path, 'egress', i], false, false, host));
  (rule.egressDeny ?? []).forEach((e, i) => checkElement(r, e, [...path, 'egressDeny', i], false, true, host));
  checkParserConflicts(r, rule.ingress ?? [], [...path, 'ingress']);
  checkParserConflicts(r, rule.egress ?? [], [...path, 'egress']);
  checkPitfalls(r, rule.ingress ?? [], [...path, 'ingress'], true, false);
  checkPitfalls(r, rule.ingressDeny ?? [], [...path, 'ingressDeny'], true, true);
  checkPitfalls(r, rule.egress ?? [], [...path, 'egress'], false, false);
  checkPitfalls(r, rule.egressDeny ?? [], [...path, 'egressDeny'], false, true);
}

function checkElement(r: Reporter, e: AnyElement, path: FieldPath, ingress: boolean, deny: boolean, host: boolean): void {
  const el = e as Readonly<Record<string, unknown>>;
  checkPeerCombination(r, el, path, ingress);
  const dir = ingress ? 'from' : 'to';
  // Field names written out once, and each field's path only when the field is there.
  const f = PEER_FIELD_NAMES[dir];
  if (el[f.Endpoints] !== undefined) checkSelectors(r, el[f.Endpoints] as never, [...path, f.Endpoints]);
  if (el[f.Requires] !== undefined) checkSelectors(r, el[f.Requires] as never, [...path, f.Requires]);
  if (el[f.Nodes] !== undefined) checkSelectors(r, el[f.Nodes] as never, [...path, f.Nodes]);
  if (((el[f.Nodes] as unknown[] | undefined)?.length ?? 0) > 0) {
    r.error([...path, f.Nodes], 'nodes-need-flag', `${f.Nodes} works only when the Cilium agent runs with enable-node-selector-labels=true (off by default)`,
      ciliumRejects('FromNodes/ToNodes rules can only be applied when the "enable-node-selector-labels" flag is set', `use ${dir}Entities: [remote-node] (and host) instead, or enable the flag`), 'key');
  }
  if (el[f.CIDR]) checkCidrList(r, el[f.CIDR] as string[], [...path, f.CIDR]);
  if (el[f.CIDRSet]) checkCidrRules(r, el[f.CIDRSet] as never, [...path, f.CIDRSet]);
  if (!ingress && el.toServices) checkServices(r, el.toServices as never, [...path, 'toServices']);
  if (!ingress && !deny && el.toFQDNs) (el.toFQDNs as never[]).forEach((q, i) => checkFqdnSelector(r, q, [...path, 'toFQDNs', i], 'toFQDNs'));
  if (((el[f.Groups] as unknown[] | undefined)?.length ?? 0) > 0) {
    r.warn([...path, f.Groups], 'groups-unsupported', `${f.Groups} (AWS security groups) is resolved by the Cilium operator from the cloud; polis cannot evaluate it offline`, 'polis treats it as selecting nothing', 'key');
  }

  const toPorts = (el.toPorts as AnyElement['toPorts']) ?? [];
  const icmps = (el.icmps as AnyElement['icmps']) ?? [];
  if (toPorts.length > 0 && icmps.length > 0) {
    r.error([...path, 'icmps'], 'icmps-with-toports', 'icmps and toPorts cannot be in the same rule',
      ciliumRejects('the ICMPs block may only be present without ToPorts. Define a separate rule to use ToPorts', 'put icmps in a rule of its own (its own "- ")'), 'key');
  }
  checkIcmps(r, icmps, [...path, 'icmps']);
  toPorts.forEach((pr, i) => {
    const p = [...path, 'toPorts', i];
    if (deny) {
      checkPortCount(r, pr.ports ?? [], p);
      (pr.ports ?? []).forEach((pp, j) => checkPortProtocol(r, pp, [...p, 'ports', j], false));
    } else checkPortRule(r, pr, p, { ingress, deny, host });
  });
}

/**
 * Rules Cilium accepts that rarely mean what they say. The classic one is a
 * stray "-" before toPorts, which turns "port 443 from this CIDR" into two
 * elements: "anything from this CIDR" and "port 443 from anyone". Its
 * signature: an element with a peer and no ports, followed by one with ports
 * and no peer.
 */
function checkPitfalls(r: Reporter, list: readonly AnyElement[], path: FieldPath, ingress: boolean, deny: boolean): void {
  const dir = ingress ? 'from' : 'to';
  const peersOf = (el: AnyElement) => Object.keys(el).filter((k) => k.startsWith(dir) && !k.endsWith('Requires') && k !== 'toPorts');
  const hasPorts = (el: AnyElement) => (el.toPorts?.length ?? 0) > 0 || (el.icmps?.length ?? 0) > 0;
  list.forEach((el, i) => {
    const prev = list[i - 1];
    if (prev && peersOf(el).length === 0 && hasPorts(el) && peersOf(prev).length > 0 && !hasPorts(prev)) {
      const field = (el.toPorts?.length ?? 0) > 0 ? 'toPorts' : 'icmps';
      const verb = deny ? 'denies' : 'allows';
      r.warn([...path, i, field], deny ? 'deny-from-anyone' : 'ports-from-anyone',
        `"- ${field}" starts a rule of its own: it ${verb} these ports ${ingress ? 'from' : 'to'} anyone, and the rule before it ${verb} every port ${ingress ? 'from' : 'to'} its ${peersOf(prev).join('/')}`,
        `to limit ${peersOf(prev).join('/')} to these ports, remove the "- " before ${field} and indent it under the previous rule`, 'key');
    }
    const rec = el as Readonly<Record<string, unknown>>;
    for (const f of peersOf(el)) {
      if (!UNREAD_WHEN_EMPTY.has(f) || !Array.isArray(rec[f]) || (rec[f] as unknown[]).length !== 0) continue;
      // Cilium adds no selector for them and so reads the element as if they were absent.
      r.warn([...path, i, f], 'empty-peer-list', `${f} is an empty list, which Cilium reads as not written${hasPorts(el) && peersOf(el).length === 1 ? `: this rule ${verb(deny)} these ports ${dir} every peer` : ''}`,
        `remove it, or list ${f === 'toFQDNs' ? 'names' : f === 'toServices' ? 'Services' : 'groups'}`, 'key');
    }
    // Without the cluster, as written: a toServices that fills a list is not seen here (the verdict counts it).
    for (const f of voidingEmptyLists(rec, ingress)) {
      const others = peersOf(el).filter((g) => g !== f && Array.isArray(rec[g]) && (rec[g] as unknown[]).length > 0);
      r.warn([...path, i, f], 'empty-peer-list', `${f} is an empty list, which selects no peer: this rule ${verb(deny)} nothing${others.length ? ` (not even its ${others.join('/')}: Cilium drops every peer of a rule with an empty ${f})` : ''}`,
        `remove it, or list peers (${f}: [{}] would select ${f.endsWith('Endpoints') ? 'all pods of the namespace' : 'everything'})`, 'key');
    }
  });
}

function verb(deny: boolean): string {
  return deny ? 'denies' : 'allows';
}

/**
 * Cilium keeps one L4 filter per port and direction, and in it one L7 parser
 * per peer selector: port rules of one direction that put different L7
 * protocols on the same port for the same selector cannot be merged
 * (`pkg/policy/l4.go: mergePortProto`, "cannot merge conflicting L7 parsers";
 * pkg/policy/rule_test.go TestMergeIdenticalAllowAllL3AndMismatchingParsers,
 * l4_filter_test.go TestL3SelectingEndpointAndL3AllowAllMergeConflictingL7).
 * Different selectors may carry different parsers on one port: l4_filter_test.go
 * (search-index blob id 54100874399) TestL3SelectingEndpointAndL3AllowAllMergeDifferentL7,
 * cases 9A/9B, has `id=b` with Kafka beside `{}` with HTTP on 80/TCP as valid.
 * Selectors are compared as written (a rule without peers is the wildcard `{}`),
 * so two spellings of one selector are not caught.
 *
 * Valid is not predictable, though: the port's proxy redirect is one per
 * (port, listener), `ProxyID(endpoint, ingress, protocol, port, listener)`,
 * and every selector's map entry takes its port (`EndpointPolicy.LookupRedirectPort`).
 * The endpoint creates it with the parser of the first redirecting
 * per-selector policy it meets (`pkg/endpoint/bpf.go addNewRedirects` skips
 * a proxy ID it already has), and it meets them by ranging over the Go map
 * `L4Filter.PerSelectorPolicies` (`pkg/policy/resolve.go forEachRedirectFilter`),
 * whose order Go randomises. So one proxy, HTTP or Kafka as chance has it,
 * gets every peer's traffic on the port: a warning, and polis's L7 verdicts
 * there are a guess (conformance rows 9A/9B say which parts are not).
 */
function checkParserConflicts(r: Reporter, list: readonly (IngressRuleSpec | EgressRuleSpec)[], path: FieldPath): void {
  const seen = new Map<string, { kind: string; path: FieldPath }>();
  const byPort = new Map<string, { kind: string; path: FieldPath; warned: boolean }>();
  // A rule element's peers as written; an element naming none is the wildcard.
  const selectorsOf = (e: IngressRuleSpec | EgressRuleSpec): string[] => {
    const element = e as Readonly<Record<string, unknown>>;
    const fields = PEER_FIELDS.filter((f) => element[f] !== undefined);
    if (fields.length === 0) return ['Endpoints {}'];
    return fields.flatMap((f) => (Array.isArray(element[f]) ? (element[f] as unknown[]) : []).map((item) => `${f.replace(/^(from|to)/, '')} ${JSON.stringify(item)}`));
  };
  list.forEach((e, i) => {
    // Written out only for an element with L7 rules (most have none).
    let selectors: string[] | undefined;
    (e.toPorts ?? []).forEach((pr, j) => {
      if (!pr.rules) return;
      const kinds = l7Kinds(pr.rules);
      if (kinds.length !== 1) return; // none, or already refused as mixed
      const kind = kinds[0]!;
      selectors ??= selectorsOf(e);
      const at = [...path, i, 'toPorts', j, 'rules'];
      for (const pp of pr.ports ?? []) {
        const protos = !pp.protocol || pp.protocol.toUpperCase() === 'ANY' ? ['TCP', 'UDP', 'SCTP'] : [pp.protocol.toUpperCase()];
        for (const proto of protos) {
          const port = `${String(pp.port).toLowerCase()}/${proto}`;
          if (!pr.listener) {
            const other = byPort.get(port);
            if (!other) byPort.set(port, { kind, path: at, warned: false });
            else if (other.kind !== kind && !other.warned && !selectors.some((sel) => seen.get(`${port} ${sel}`)?.kind === other.kind)) {
              other.warned = true;
              r.warn(at, 'l7-parsers-share-port', `port ${port} has ${kind} rules here and ${other.kind} rules at ${formatPath(other.path)}: Cilium gives the port one proxy, of whichever of the two protocols it reads first (Go map order), for every peer`,
                `put the ${kind} and ${other.kind} rules on different ports. Depending on the regeneration, the ${kind} or the ${other.kind} rules are enforced and the other protocol's traffic on this port fails; polis cannot tell which, so its L7 verdicts here are a guess`);
            }
          }
          for (const selector of selectors) {
            const key = `${port} ${selector}`;
            const first = seen.get(key);
            if (!first) seen.set(key, { kind, path: at });
            else if (first.kind !== kind) {
              r.error(at, 'conflicting-l7-parsers', `port ${port} has ${kind} rules here and ${first.kind} rules at ${formatPath(first.path)} for the same peers: one port takes one L7 protocol per peer selector`,
                'use one L7 protocol per port and peer selector. Cilium accepts the policy but fails to compute the policy of every endpoint it selects ("cannot merge conflicting L7 parsers"), so none of it is applied');
              return;
            }
          }
        }
      }
    });
  });
}
