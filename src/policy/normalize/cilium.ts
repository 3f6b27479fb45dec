/**
 * @module policy/normalize/cilium
 *
 * A CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy rule into the
 * normalised form: subject and peer selectors rewritten as Cilium's agent
 * does, entities and CIDRs as label selectors, toServices resolved against
 * the cluster (1.17+: a Service with a selector selects its pods; one
 * without selects its endpoint IPs), toFQDNs as `fqdn:` selectors.
 */
import { EndpointSelector } from '../../identity/selector.js';
import { entitySelectors } from '../../identity/entities.js';
import { cidrLabel } from '../../identity/cidr-labels.js';
import type { FieldPath } from '../../manifest/object.js';
import type { Cluster } from '../../model/types.js';
import { formatCidr, parseCidr, type CidrPrefix } from '../../net/ip.js';
import type { DirectionRules, NormalizedRule, PeerSelector, PeerSet, PolicyEntry, RuleOrigin } from '../rule.js';
import { PEER_FIELD_NAMES, type CidrRuleSpec, type EgressDenyRuleSpec, type EgressRuleSpec, type IngressDenyRuleSpec, type IngressRuleSpec, type ServiceSelectorSpec } from '../schema/cilium.js';
import type { LabelSelectorSpec } from '../schema/selector.js';
import type { LoadedCiliumPolicy } from '../types.js';
import { fqdnSelectorText } from './fqdn.js';
import { voidingEmptyLists } from '../peer-lists.js';
import { portSet } from './ports.js';
import { cnpSubject, nodePeerSelector, peerSelector, plainSelector, selectorNamesKey, selectorText } from './selectors.js';
import { hasOwnKey, own } from '../../util/record.js';

/** What normalisation learns that the identity layer needs. */
export interface NormalizeContext {
  readonly cluster: Cluster;
  /** Every CIDR a policy names, excepts included: each becomes a CIDR identity. */
  readonly referencedCidrs: Map<string, CidrPrefix>;
  /** Every toFQDNs selector: the names it matches get `fqdn:` identities. */
  readonly fqdnSelectors: Map<string, { matchName?: string; matchPattern?: string }>;
}

type AnyElement = IngressRuleSpec | IngressDenyRuleSpec | EgressRuleSpec | EgressDenyRuleSpec;

export function normalizeCiliumPolicy(policy: LoadedCiliumPolicy, ctx: NormalizeContext): NormalizedRule[] {
  const namespace = policy.kind === 'CiliumNetworkPolicy' ? policy.ref.namespace ?? 'default' : undefined;
  return policy.rules.map(({ rule, path }) => {
    const origin: RuleOrigin = { policy: policy.ref, object: policy.object, path };
    const isNode = rule.nodeSelector !== undefined && rule.endpointSelector === undefined;
    const subjectSpec: LabelSelectorSpec = (isNode ? rule.nodeSelector : rule.endpointSelector) ?? {};
    const subject = isNode || namespace === undefined ? plainSelector(subjectSpec) : cnpSubject(subjectSpec, namespace);
    // matchesPodInit: `HasKey("reserved.init")` over the normalised keys, so `$init` and `reserved.init` count too.
    const selectsInit = selectorNamesKey(subjectSpec, 'reserved', 'init');
    const side: Side = { rule: origin, path, namespace, selectsInit, ctx };
    return {
      origin,
      subject: { kind: isNode ? 'nodes' : 'endpoints', selector: subject },
      namespace,
      ingress: direction(side, rule.ingress, rule.ingressDeny, 'ingress', rule.enableDefaultDeny?.ingress),
      egress: direction(side, rule.egress, rule.egressDeny, 'egress', rule.enableDefaultDeny?.egress),
    } satisfies NormalizedRule;
  });
}

/** What every element of one rule shares. */
interface Side {
  readonly rule: RuleOrigin;
  readonly path: FieldPath;
  readonly namespace: string | undefined;
  readonly selectsInit: boolean;
  readonly ctx: NormalizeContext;
}

function direction(
  s: Side, allow: readonly AnyElement[] | undefined, deny: readonly AnyElement[] | undefined, key: 'ingress' | 'egress', defaultDeny: boolean | undefined,
): DirectionRules | undefined {
  if ((allow?.length ?? 0) + (deny?.length ?? 0) === 0) return undefined;
  const ingress = key === 'ingress';
  const entries: PolicyEntry[] = [];
  const denyKey = ingress ? 'ingressDeny' : 'egressDeny';
  if (deny) for (let i = 0; i < deny.length; i++) entries.push(entry(deny[i]!, [...s.path, denyKey, i], true, ingress, s.rule, s.namespace, s.selectsInit, s.ctx));
  if (allow) for (let i = 0; i < allow.length; i++) entries.push(entry(allow[i]!, [...s.path, key, i], false, ingress, s.rule, s.namespace, s.selectsInit, s.ctx));
  return { defaultDeny: defaultDeny ?? true, entries };
}

function entry(
  e: AnyElement, path: FieldPath, deny: boolean, ingress: boolean, rule: RuleOrigin, namespace: string | undefined, selectsInit: boolean, ctx: NormalizeContext,
): PolicyEntry {
  const el = e as Readonly<Record<string, unknown>>;
  const fn = ingress ? FROM : TO;
  const peers: PeerSelector[] = [];
  const endpoints = el[fn.Endpoints] as readonly LabelSelectorSpec[] | undefined;
  const entities = el[fn.Entities] as readonly string[] | undefined;
  const cidrs = el[fn.CIDR] as readonly string[] | undefined;
  const cidrSets = el[fn.CIDRSet] as readonly CidrRuleSpec[] | undefined;
  const nodes = el[fn.Nodes] as readonly LabelSelectorSpec[] | undefined;
  // Any peer field written, even empty, makes the element name its peers; toGroups
  // only when it lists groups (RequiresDerivative: `len(ToGroups) > 0`, else unread).
  let named = endpoints !== undefined || entities !== undefined || cidrs !== undefined || cidrSets !== undefined || nodes !== undefined || nonEmpty(el[fn.Groups]);

  if (endpoints) {
    for (let i = 0; i < endpoints.length; i++) {
      const s = endpoints[i]!;
      peers.push({ selector: peerSelector(s, namespace, true, selectsInit), kind: 'endpoints', text: `${fn.Endpoints}: ${selectorText(s)}`, path: [...path, fn.Endpoints, i], foldsRequires: true });
    }
  }
  if (entities) {
    for (let i = 0; i < entities.length; i++) {
      const name = entities[i]!;
      for (const selector of entitySelectors(name as never, ctx.cluster.name)) peers.push({ selector, kind: 'entities', text: `${fn.Entities}: ${name}`, path: [...path, fn.Entities, i], foldsRequires: false });
    }
  }
  cidrs?.forEach((c, i) => {
    const prefix = parseCidr(c, true);
    if (prefix) peers.push(...cidrPeers(prefix, [], `${fn.CIDR}: ${c}`, [...path, fn.CIDR, i], 'cidr', ctx));
  });
  cidrSets?.forEach((r, i) => {
    const except = (r.except ?? []).map((x) => parseCidr(x, true)).filter((x): x is CidrPrefix => x !== undefined);
    const exceptText = except.length ? ` except ${r.except!.join(', ')}` : '';
    if (r.cidr !== undefined) {
      const prefix = parseCidr(r.cidr);
      if (prefix) peers.push(...cidrPeers(prefix, except, `${fn.CIDRSet}: ${r.cidr}${exceptText}`, [...path, fn.CIDRSet, i], 'cidrSet', ctx));
      return;
    }
    // A CIDR group selects the prefixes of its externalCIDRs, less the rule's
    // except (pkg/policy/types/selector.go newCIDRRuleSelector: the group's
    // label, with ExceptCIDRs); a group that does not exist selects nothing.
    const groups = (ctx.cluster.cidrGroups ?? []).filter((g) =>
      r.cidrGroupRef !== undefined ? g.name === r.cidrGroupRef : r.cidrGroupSelector !== undefined && k8sSelectorMatches(r.cidrGroupSelector, g.labels));
    const how = r.cidrGroupRef !== undefined ? `cidrGroupRef: ${r.cidrGroupRef}` : `cidrGroupSelector: ${selectorText(r.cidrGroupSelector ?? {})}`;
    for (const g of groups) {
      for (const c of g.cidrs) {
        const prefix = parseCidr(c);
        if (prefix) peers.push(...cidrPeers(prefix, except.filter((x) => x.family === prefix.family), `${fn.CIDRSet}: ${how} (${c})${exceptText}`, [...path, fn.CIDRSet, i], 'cidrSet', ctx));
      }
    }
  });
  nodes?.forEach((s, i) => peers.push({ selector: nodePeerSelector(s), kind: 'nodes', text: `${fn.Nodes}: ${selectorText(s)}`, path: [...path, fn.Nodes, i], foldsRequires: false }));
  let unresolvedServices = false;
  let generatedEndpoints = false, generatedCidrs = false;
  if (!ingress) {
    // toServices selects nothing itself (egress.go getAggregatedSelectors
    // ignores it): pkg/policy/k8s/service.go processRule rewrites it into
    // generated toEndpoints / toCIDRSet entries, for `egress` elements only
    // (never `egressDeny`) and only for the Services it finds. An element
    // it generated nothing for reaches rule.go mergeEgress like one with no
    // peer field: with toPorts/icmps every peer on those ports (the shape of
    // cilium#20067), without them nothing.
    const services = el.toServices as readonly ServiceSelectorSpec[] | undefined;
    const generated = deny ? [] : (services ?? []).flatMap((s, i) => servicePeers(s, [...path, 'toServices', i], ctx));
    if (generated.length > 0) named = true;
    else unresolvedServices = services !== undefined;
    generatedEndpoints = generated.some((p) => p.kind === 'services');
    generatedCidrs = generated.some((p) => p.kind === 'cidr');
    peers.push(...generated);
    if (!deny) {
      const fqdns = el.toFQDNs as readonly { matchName?: string; matchPattern?: string }[] | undefined;
      // An empty toFQDNs adds no selector (SetAggregatedSelectors appends none), so it names no peer.
      if (nonEmpty(fqdns)) named = true;
      fqdns?.forEach((f, i) => {
        const text = fqdnSelectorText(f);
        ctx.fqdnSelectors.set(text, f);
        peers.push({ selector: fqdnSelector(text), kind: 'fqdn', text: `toFQDNs: ${f.matchName ?? f.matchPattern}`, path: [...path, 'toFQDNs', i], foldsRequires: false });
      });
    }
  }
  const written = el[fn.Requires] as readonly LabelSelectorSpec[] | undefined;
  const requires = written === undefined || written.length === 0 ? NO_REQUIRES : written.map((s) => peerSelector(s, namespace, false, selectsInit));
  // No peer field: with ports it applies to every peer; without ports (`- {}`) to none (semantics.md §2.5).
  const hasPorts = (e.toPorts?.length ?? 0) > 0 || (e.icmps?.length ?? 0) > 0;
  // An explicit empty list among the peer fields drops every peer of the element (peer-lists.ts),
  // counted after toServices has filled toEndpoints / toCIDRSet.
  const voided = voidingEmptyLists(el, ingress, { endpoints: generatedEndpoints, cidrSet: generatedCidrs }).length > 0;
  const peerSet: PeerSet = voided ? { kind: 'selectors', selectors: [] }
    : named ? { kind: 'selectors', selectors: peers }
    : hasPorts ? (unresolvedServices ? { kind: 'all', why: deny ? UNTRANSLATED_SERVICES : UNRESOLVED_SERVICES } : { kind: 'all' })
    : { kind: 'selectors', selectors: [] };
  const auth = (e as { authentication?: { mode: string } }).authentication?.mode;
  const origin: RuleOrigin = { policy: rule.policy, object: rule.object, path };
  const ports = portSet(e.toPorts as never, e.icmps, path);
  if (auth === 'disabled' || auth === 'required' || auth === 'test-always-fail') return { origin, deny, peers: peerSet, requires, ports, authentication: auth };
  return { origin, deny, peers: peerSet, requires, ports };
}

function nonEmpty(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0;
}

const FROM = PEER_FIELD_NAMES.from;
const TO = PEER_FIELD_NAMES.to;
const NO_REQUIRES: readonly EndpointSelector[] = Object.freeze([]);
const UNRESOLVED_SERVICES = 'its toServices selects no Service with a selector or endpoints, so Cilium reads the element as ports only (cilium#20067)';
const UNTRANSLATED_SERVICES = 'Cilium translates toServices only in egress, so in egressDeny the element is ports only';

/** The `fqdn:` label selector of a toFQDNs selector. */
export function fqdnSelector(text: string): EndpointSelector {
  return EndpointSelector.fromLabels({ source: 'fqdn', key: text, value: '' });
}

/**
 * A CIDR peer as Cilium 1.17+ builds it: `cidr:<prefix>` (matched
 * prefix-aware) minus each except as a DoesNotExist term. A `/0` stands for
 * the world entity (single-stack, semantics.md §3.6).
 */
function cidrPeers(prefix: CidrPrefix, except: readonly CidrPrefix[], text: string, path: FieldPath, kind: 'cidr' | 'cidrSet', ctx: NormalizeContext): PeerSelector[] {
  for (const c of [prefix, ...except]) if (c.bits > 0) ctx.referencedCidrs.set(formatCidr(c), c);
  let selectors: readonly EndpointSelector[];
  if (prefix.bits === 0) selectors = entitySelectors('world', ctx.cluster.name);
  else selectors = [EndpointSelector.fromLabels(cidrLabel(prefix))];
  const withExcept = selectors.map((s) => except.reduce(
    (acc, x) => acc.withTerm({ kind: 'expression', key: `cidr:${cidrLabel(x).key}`, operator: 'DoesNotExist' }), s));
  return withExcept.map((selector) => ({ selector, kind, text, path, foldsRequires: false }));
}

/**
 * toServices (1.17+, `pkg/policy/k8s/service.go processRule`): an entry with
 * a k8sServiceSelector is matched by it alone, its k8sService unread; an empty
 * namespace in either is every namespace (`serviceSelectorMatches`,
 * `serviceRefMatches`), in a CNP too (utils.go copies toServices as written).
 */
function servicePeers(s: ServiceSelectorSpec, path: FieldPath, ctx: NormalizeContext): PeerSelector[] {
  const out: PeerSelector[] = [];
  const matches = ctx.cluster.services.filter((svc) => {
    if (s.k8sServiceSelector) {
      if (s.k8sServiceSelector.namespace && s.k8sServiceSelector.namespace !== svc.namespace) return false;
      return k8sSelectorMatches(s.k8sServiceSelector.selector, svc.labels);
    }
    if (s.k8sService) {
      return svc.name === s.k8sService.serviceName && (!s.k8sService.namespace || s.k8sService.namespace === svc.namespace);
    }
    return false;
  });
  const text = s.k8sServiceSelector ? 'toServices: selector' : `toServices: ${s.k8sService?.namespace ?? '*'}/${s.k8sService?.serviceName ?? ''}`;
  for (const svc of matches) {
    if (svc.selector) {
      const matchLabels: Record<string, string> = {};
      for (const [k, v] of Object.entries(svc.selector)) matchLabels[`k8s:${k}`] = v;
      matchLabels['k8s:io.kubernetes.pod.namespace'] = svc.namespace;
      // A generated toEndpoints entry: toRequires is folded into it like any (egress.go getDestinationEndpointSelectorsWithRequirements).
      out.push({ selector: EndpointSelector.fromK8s({ matchLabels }), kind: 'services', text: `${text} (${svc.namespace}/${svc.name})`, path, foldsRequires: true });
    } else {
      for (const ip of svc.endpointIPs) {
        const prefix = parseCidr(ip, true);
        if (prefix) out.push(...cidrPeers(prefix, [], `${text} (${svc.namespace}/${svc.name} endpoint ${ip})`, path, 'cidr', ctx));
      }
    }
  }
  return out;
}

/** A Kubernetes label selector over plain labels (a Service's, a CIDR group's). */
function k8sSelectorMatches(sel: LabelSelectorSpec, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(sel.matchLabels ?? {}).every(([k, v]) => own(labels, k) === v) &&
    (sel.matchExpressions ?? []).every((e) => {
      const has = hasOwnKey(labels, e.key);
      const v = own(labels, e.key);
      switch (e.operator) {
        case 'In': return has && (e.values ?? []).includes(v!);
        case 'NotIn': return !has || !(e.values ?? []).includes(v!);
        case 'Exists': return has;
        case 'DoesNotExist': return !has;
      }
      return false;
    });
}
