/**
 * @module identity/cidr-labels
 *
 * The `cidr:` label encoding and the labels a CIDR identity carries.
 *
 * Cilium writes a prefix as a label key with every `:` of the address turned
 * into `-` (label-selector keys may not contain `:`), and a `0` added where
 * the key would otherwise start or end with `-`: `::/0` → `0--0/0`,
 * `fd00::/64` → `fd00--0/64` (`pkg/labels/cidr.go: maskedIPToLabel`).
 *
 * Since Cilium 1.16 a CIDR identity carries only **its own** prefix label plus
 * the world label; enclosing prefixes are matched by the prefix-aware label
 * lookup instead (`pkg/labels/cidr.go: GetCIDRLabels`, PR cilium/cilium#30897
 * "Don't expand CIDR labels, match smartly in Labels instead", merged
 * 2024-02, first released in 1.16). Older Cilium expanded every enclosing
 * prefix into its own label.
 */
import { formatIp, parseCidr, type CidrPrefix } from '../net/ip.js';
import type { Label } from './labels.js';

/** The `cidr:` label key of a prefix, e.g. `10.0.0.0/8`, `0--0/0`, `fd00--0/64`. */
export function prefixToCidrLabelKey(p: CidrPrefix): string {
  const addr = formatIp({ family: p.family, value: p.network });
  let out = '';
  for (let i = 0; i < addr.length; i++) {
    const ch = addr[i]!;
    if (ch !== ':') out += ch;
    else if (i === 0) out += '0-';
    else if (i === addr.length - 1) out += '-0';
    else out += '-';
  }
  return `${out}/${p.bits}`;
}

/**
 * Parses a `cidr:` label key back into a prefix (Cilium `LabelToPrefix`:
 * every `-` becomes `:`); `undefined` when it is not a prefix. Host bits are
 * cleared, as `netip.Prefix` containment ignores them.
 */
export function cidrLabelKeyToPrefix(key: string): CidrPrefix | undefined {
  return parseCidr(key.replaceAll('-', ':'));
}

/** The `cidr:<prefix>` label of a prefix. */
export function cidrLabel(p: CidrPrefix): Label {
  return { source: 'cidr', key: prefixToCidrLabelKey(p), value: '' };
}

/**
 * The world label a CIDR identity gets: `reserved:world` in single-stack,
 * `reserved:world-ipv4` / `reserved:world-ipv6` in dual-stack
 * (`pkg/labels/cidr.go: AddWorldLabel`).
 */
export function worldLabelFor(p: CidrPrefix, dualStack: boolean): Label {
  const key = !dualStack ? 'world' : p.family === 4 ? 'world-ipv4' : 'world-ipv6';
  return { source: 'reserved', key, value: '' };
}

/**
 * Labels of the identity for a policy-referenced prefix
 * (`pkg/labels/cidr.go: GetCIDRLabels`): `cidr:<prefix>` plus the world
 * label. A `/0` gets only the world label, which makes it the world identity
 * itself (2, or 9/10 in dual-stack).
 */
export function cidrIdentityLabels(p: CidrPrefix, dualStack: boolean): Label[] {
  return p.bits === 0 ? [worldLabelFor(p, dualStack)] : [cidrLabel(p), worldLabelFor(p, dualStack)];
}
