/**
 * Shared by the conformance files that port cilium/cilium pkg/policy tests
 * asserting a MapState (the BPF policy map of one endpoint and direction):
 * what the datapath does with such a map, written down from bpf/lib/policy.h
 * (`__policy_can_access`, `__policy_check`), never from polis. A row's
 * expected map goes in, the verdict a packet gets comes out; the row then
 * checks polis against that verdict.
 */
import type { DropReason } from '../../src/engine/types.js';
import type { L4Protocol } from '../../src/policy/rule.js';

/**
 * One MapState key and entry. `id` is the peer identity, `'*'` the wildcard
 * identity 0. No protocol: every protocol and port; no port: every port of
 * the protocol; `bits`: a port prefix (`WithPortProtoPrefix`, 16 = one port,
 * 10 = a block of 64), 16 when absent.
 */
export interface MapEntry<Id extends string = string> {
  id: Id | '*';
  proto?: L4Protocol;
  port?: number;
  bits?: number;
  deny?: boolean;
  proxy?: boolean;
  /** Auth type (1 spire, 2 always-fail) and whether it is explicit (`withExplicitAuth`) or derived (`withDerivedAuth`). */
  auth?: { type: number; explicit: boolean };
}

export interface Expected { verdict: 'allow' | 'deny'; dropReason?: DropReason; redirect: boolean }

/** LPM prefix length of a key: 0 all, 8 protocol, 8 + port bits (`pkg/policy/types/policyentry.go`). */
export const prefixOf = (e: MapEntry) => (e.proto === undefined ? 0 : e.port === undefined ? 8 : 8 + (e.bits ?? 16));

function covers(e: MapEntry, proto: L4Protocol, port: number): boolean {
  if (e.proto === undefined) return true;
  if (e.proto !== proto) return false;
  if (e.port === undefined) return true;
  const shift = 16 - (e.bits ?? 16);
  return port >> shift === e.port >> shift;
}

function lpm(entries: readonly MapEntry[], id: string, proto: L4Protocol, port: number): MapEntry | undefined {
  let best: MapEntry | undefined;
  for (const e of entries) if (e.id === id && covers(e, proto, port) && (!best || prefixOf(e) > prefixOf(best))) best = e;
  return best;
}

/** bpf/lib/policy.h `__policy_can_access` + `__policy_check` over the entries of one direction, for a packet of peer `id`. */
export function datapathLookup(entries: readonly MapEntry[], id: string, proto: L4Protocol, port: number): Expected {
  const l3 = lpm(entries, id, proto, port);
  const l4 = id === '*' ? undefined : lpm(entries, '*', proto, port);
  let chosen: MapEntry | undefined;
  let other: MapEntry | undefined;
  if (l3?.deny) chosen = l3;
  else if (l4 && (l4.deny || !l3 || Number(!!l4.proxy) > Number(!!l3.proxy) || (!!l4.proxy === !!l3.proxy && prefixOf(l4) > prefixOf(l3)))) [chosen, other] = [l4, l3];
  else if (l3) [chosen, other] = [l3, l4];
  if (!chosen) return { verdict: 'deny', dropReason: 'POLICY_DENIED', redirect: false };
  if (chosen.deny) return { verdict: 'deny', dropReason: 'POLICY_DENY', redirect: false };
  let auth = chosen.auth?.type ?? 0;
  if (other && (other.auth?.type ?? 0) > auth && !chosen.auth?.explicit) auth = other.auth!.type;
  if (auth) return { verdict: 'deny', dropReason: 'AUTH_REQUIRED', redirect: false };
  return { verdict: 'allow', redirect: !!chosen.proxy };
}
