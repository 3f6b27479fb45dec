/**
 * @module policy/peer-lists
 *
 * What an explicit empty peer list (`toCIDRSet: []`) does to a rule element,
 * as Cilium reads it: one rule, shared by normalisation (the element then
 * selects nobody) and validation (which warns about it).
 *
 * `Get{Source,Destination}EndpointSelectorsWithRequirements` return nil when
 * `{from,to}Endpoints` or `{from,to}Nodes` is `[]`, or when
 * `SetAggregatedSelectors` gave nil because Entities, CIDR or CIDRSet is `[]`
 * (on egress allow, unless toFQDNs adds selectors after it), and
 * `mergeIngress`/`mergeEgress` return at once for nil: every peer of the
 * element is dropped, its other peer fields too (pkg/policy/api ingress.go,
 * egress.go; rule.go; cilium 1.17 and 1.18.0-pre.3). toFQDNs, toServices and
 * toGroups add no selector when empty and are otherwise unread.
 */
import { PEER_FIELD_NAMES } from './schema/cilium.js';

/** Peer fields whose empty list Cilium reads as not written (SetAggregatedSelectors, processRule, RequiresDerivative). */
export const UNREAD_WHEN_EMPTY: ReadonlySet<string> = new Set(['toFQDNs', 'toServices', 'toGroups', 'fromGroups']);

/**
 * The lists toServices filled before policy was computed: `processRule`
 * (pkg/policy/k8s/service.go) appends a Service's pods to toEndpoints and a
 * selector-less Service's backends to toCIDRSet, so those are no longer empty.
 */
export interface FilledByServices {
  readonly endpoints?: boolean;
  readonly cidrSet?: boolean;
}

/** The fields of `el` whose empty list drops every peer of the element (none: it keeps its peers). */
export function voidingEmptyLists(el: Readonly<Record<string, unknown>>, ingress: boolean, filled: FilledByServices = {}): string[] {
  const f = PEER_FIELD_NAMES[ingress ? 'from' : 'to'];
  const empty = (field: string) => Array.isArray(el[field]) && (el[field] as unknown[]).length === 0;
  const fqdnsListed = !ingress && Array.isArray(el.toFQDNs) && el.toFQDNs.length > 0;
  const out: string[] = [];
  if (empty(f.Endpoints) && !filled.endpoints) out.push(f.Endpoints);
  if (empty(f.Nodes)) out.push(f.Nodes);
  if (!fqdnsListed) {
    if (empty(f.Entities)) out.push(f.Entities);
    if (empty(f.CIDR)) out.push(f.CIDR);
    if (empty(f.CIDRSet) && !filled.cidrSet) out.push(f.CIDRSet);
  }
  return out;
}
