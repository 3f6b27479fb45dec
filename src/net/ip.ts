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

/** Parses an IP address; `undefined` when it is not one. */
export function parseIp(text: string): IpAddress | undefined {
  const v4 = ipv4Value(text);
  if (v4 >= 0) return { family: 4, value: BigInt(v4) };
  if (text.includes(':') && !text.includes('%') && ipaddr.IPv6.isValid(text)) {
    const parts = ipaddr.IPv6.parse(text).parts;
    let v = 0n;
    for (const p of parts) v = (v << 16n) | BigInt(p);
    return { family: 6, value: v };
  }
  return undefined;
}

/**
 * A dotted-quad IPv4 address as a number, -1 when `text` is not one: four
 * decimal octets of at most 255 without leading zeros and nothing else
 * (`/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(…)){3}$/`, Go's `netip`), read by
 * character codes, since a cluster's pod addresses are parsed by the ten thousand.
 */
export function ipv4Value(text: string): number {
  const n = text.length;
  if (n < 7 || n > 15) return -1;
  let value = 0;
  let i = 0;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (text.charCodeAt(i) !== 46 /* . */) return -1;
      i++;
    }
    const start = i;
    let x = 0;
    while (i < n) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      x = x * 10 + c;
      i++;
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || x > 255 || (digits > 1 && text.charCodeAt(start) === 48)) return -1;
    value = value * 256 + x;
  }
  return i === n ? value : -1;
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
  if (ip.family === 4) return formatIpv4(Number(ip.value));
  const parts: number[] = [];
  for (let i = 7; i >= 0; i--) parts.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  return new ipaddr.IPv6(parts).toRFC5952String();
}

/** Dotted-quad text of an IPv4 address held as a number (0 … 2³²−1). */
export function formatIpv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** Canonical text of a prefix, e.g. `10.0.0.0/8`. */
export function formatCidr(c: CidrPrefix): string {
  return `${formatIp({ family: c.family, value: c.network })}/${c.bits}`;
}

/** The address `offset` places after the prefix's network address. */
export function nthAddress(c: CidrPrefix, offset: bigint): IpAddress {
  return { family: c.family, value: c.network + offset };
}
