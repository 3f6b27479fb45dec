/**
 * @module engine/classes
 *
 * Equivalence classes that make whole-cluster questions cheap (issue 11):
 * the port classes (ranges of ports no rule tells apart) and the endpoint
 * classes (pods the policy cannot tell apart, as subjects or as peers). A
 * matrix asks `verdict` once per class pair and port class instead of once
 * per pod pair and port, and gets the same answers.
 *
 * Port classes are cut at every edge a verdict can see: the ends of every
 * range a rule names (named ports at every number a pod gives the name) and
 * the aligned power-of-two blocks Cilium splits a range into, since the
 * precedence of overlapping allows follows the block's prefix length
 * (`engine/ports.ts`). Within a class every port has the same coverage and
 * rank in every entry, so the same outcome.
 */
import type { Pod } from '../model/types.js';
import type { L4Protocol, NormalizedRule } from '../policy/rule.js';

/** A range of ports of one protocol that every rule treats alike. */
export interface PortClass {
  readonly protocol: L4Protocol;
  readonly from: number;
  readonly to: number;
}

export const PORT_PROTOCOLS: readonly L4Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** Adds the class edges of [from, to]: its ends and the edges of its aligned blocks. */
function cutRange(cuts: Set<number>, from: number, to: number): void {
  let start = from;
  while (start <= to) {
    let size = start === 0 ? 65536 : start & -start;
    while (start + size - 1 > to) size >>= 1;
    cuts.add(Math.max(1, start));
    start += size;
  }
  if (to < 65535) cuts.add(to + 1);
}

/** The port classes of TCP, UDP and SCTP under these rules, in order; a protocol no rule names is one class. */
export function portClasses(rules: readonly NormalizedRule[], pods: readonly Pod[], protocols: readonly L4Protocol[] = PORT_PROTOCOLS): PortClass[] {
  const cuts = new Map<L4Protocol, Set<number>>(protocols.map((p) => [p, new Set([1])]));
  const named = new Map<string, Set<number>>();
  for (const pod of pods) {
    for (const cp of pod.ports) {
      if (!cp.name) continue;
      const key = `${cp.name.toLowerCase()}/${cp.protocol}`;
      (named.get(key) ?? named.set(key, new Set()).get(key)!).add(cp.containerPort);
    }
  }
  for (const r of rules) {
    for (const dir of ['ingress', 'egress'] as const) {
      for (const e of r[dir]?.entries ?? []) {
        if (e.ports.kind !== 'ports') continue;
        for (const p of e.ports.ports) {
          const set = cuts.get(p.protocol);
          if (!set) continue;
          if (typeof p.port === 'number') cutRange(set, p.port, p.port === 0 ? 65535 : Math.max(p.port, p.endPort));
          else for (const n of named.get(`${p.port.toLowerCase()}/${p.protocol}`) ?? []) cutRange(set, n, Math.max(n, p.endPort));
        }
      }
    }
  }
  const out: PortClass[] = [];
  for (const protocol of protocols) {
    const starts = [...cuts.get(protocol)!].sort((a, b) => a - b);
    starts.forEach((from, i) => out.push({ protocol, from, to: (starts[i + 1] ?? 65536) - 1 }));
  }
  return out;
}
