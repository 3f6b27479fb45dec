/**
 * @module engine/ports
 *
 * Port matching and the precedence of more specific ports. Cilium keys its
 * policy map by (protocol, port prefix): a range becomes aligned
 * power-of-two blocks, and when two allow entries cover a port the one with
 * the longer prefix wins (`bpf/lib/policy.h`, `pkg/policy/types/types.go`;
 * semantics.md §4.5). We compute that prefix length instead of expanding
 * ranges into keys.
 */
import type { L4Protocol, PortEntry } from '../policy/rule.js';

/** Prefix length of the aligned block of [from, to] that contains `port` (16 for a single port). */
export function coveringPrefixLength(from: number, to: number, port: number): number {
  let start = from;
  while (start <= to) {
    // Largest aligned block starting at `start` that fits in [start, to].
    let size = start === 0 ? 65536 : start & -start;
    while (start + size - 1 > to) size >>= 1;
    if (port < start + size) return 16 - Math.log2(size);
    start += size;
  }
  return 16;
}

/** A port number of a named port on a pod, for a protocol. */
export type NamedPortResolver = (name: string, protocol: L4Protocol) => number | undefined;

/**
 * Whether a port entry covers (protocol, port), and with what key
 * specificity: 8 (protocol) + port prefix bits. `undefined` when it does not cover.
 */
export function portEntryCovers(e: PortEntry, protocol: L4Protocol, port: number, resolveName: NamedPortResolver): number | undefined {
  if (e.protocol !== protocol) return undefined;
  let from: number;
  let to: number;
  if (typeof e.port === 'string') {
    const n = resolveName(e.port, protocol);
    if (n === undefined) return undefined; // an unresolvable name allows nothing (semantics.md §4.4)
    from = n;
    to = Math.max(n, e.endPort);
  } else {
    from = e.port;
    to = e.endPort;
  }
  if (from === 0 && to === 65535) return 8;
  if (port < from || port > to) return undefined;
  return 8 + coveringPrefixLength(from, to, port);
}
