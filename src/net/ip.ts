/**
 * @module net/ip
 *
 * IP addresses and CIDR prefixes, parsed as strictly as Go's `net/netip`
 * (which Cilium uses): dotted-quad IPv4 with no leading zeros, RFC 4291 IPv6,
 * no zones. Addresses are held as bigints so IPv4 and IPv6 share one code
 * path; IPv4 occupies the low 32 bits.
 */
import ipaddr from 'ipaddr.js';

export type IpFamily = 4 | 6;

export interface IpAddress {
  readonly family: IpFamily;
  /** The address as an unsigned integer (32 or 128 bits). */
  readonly value: bigint;
}

export interface CidrPrefix {
  readonly family: IpFamily;
  /** Network address with host bits cleared. */
  readonly network: bigint;
  readonly bits: number;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Parses an IP address; `undefined` when it is not one. */
export function parseIp(text: string): IpAddress | undefined {
  if (IPV4.test(text)) {
    let v = 0n;
    for (const part of text.split('.')) v = (v << 8n) | BigInt(Number(part));
    return { family: 4, value: v };
  }
  if (text.includes(':') && !text.includes('%') && ipaddr.IPv6.isValid(text)) {
    const parts = ipaddr.IPv6.parse(text).parts;
    let v = 0n;
    for (const p of parts) v = (v << 16n) | BigInt(p);
    return { family: 6, value: v };
  }
  return undefined;
}

/** Number of bits in an address of the family. */
export function familyBits(f: IpFamily): number {
  return f === 4 ? 32 : 128;
}

function mask(family: IpFamily, bits: number): bigint {
  const total = BigInt(familyBits(family));
  const all = (1n << total) - 1n;
  return bits === 0 ? 0n : (all >> (total - BigInt(bits))) << (total - BigInt(bits));
}

/**
 * Parses `addr/bits`. With `allowBareIp`, a plain address means a host
 * prefix (/32 or /128), as Cilium's `fromCIDR`/`toCIDR` accept.
 */
export function parseCidr(text: string, allowBareIp = false): CidrPrefix | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) {
    if (!allowBareIp) return undefined;
    const ip = parseIp(text);
    return ip && { family: ip.family, network: ip.value, bits: familyBits(ip.family) };
  }
  const ip = parseIp(text.slice(0, slash));
  const bitsText = text.slice(slash + 1);
  if (!ip || !/^(0|[1-9]\d{0,2})$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > familyBits(ip.family)) return undefined;
  return { family: ip.family, network: ip.value & mask(ip.family, bits), bits };
}

/** True when `ip` lies inside `prefix`. */
export function cidrContains(prefix: CidrPrefix, ip: IpAddress): boolean {
  return prefix.family === ip.family && (ip.value & mask(prefix.family, prefix.bits)) === prefix.network;
}

/** True when `inner` is equal to or inside `outer`. */
export function cidrContainsCidr(outer: CidrPrefix, inner: CidrPrefix): boolean {
  return (
    outer.family === inner.family &&
    inner.bits >= outer.bits &&
    (inner.network & mask(outer.family, outer.bits)) === outer.network
  );
}

/** Canonical text of an address (IPv6 compressed as RFC 5952). */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    const v = Number(ip.value);
    return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
  }
  const parts: number[] = [];
  for (let i = 7; i >= 0; i--) parts.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  return new ipaddr.IPv6(parts).toRFC5952String();
}

/** Canonical text of a prefix, e.g. `10.0.0.0/8`. */
export function formatCidr(c: CidrPrefix): string {
  return `${formatIp({ family: c.family, value: c.network })}/${c.bits}`;
}

/** The address `offset` places after the prefix's network address. */
export function nthAddress(c: CidrPrefix, offset: bigint): IpAddress {
  return { family: c.family, value: c.network + offset };
}
