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
