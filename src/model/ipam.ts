/**
 * @module model/ipam
 *
 * Deterministic address allocation: pod IPs from each node's pod CIDR,
 * service cluster IPs from the service CIDR, as a cluster's IPAM would hand
 * them out. Addresses the user fixed (status.podIP, spec.clusterIP) are
 * reserved first so allocation never collides with them.
 */
import { parseCidr, formatIp, formatIpv4, nthAddress, familyBits, type CidrPrefix } from '../net/ip.js';
import { fnv32a } from './names.js';

/** Hands out addresses from one prefix, skipping reserved ones. */
export class AddressPool {
  private readonly used = new Set<string>();
  private next: bigint;
  private readonly size: bigint;
  /** IPv4 pools count in numbers (a pod IP each, 10,000 of them): the network and the next offset. */
  private readonly network4: number;
  private next4: number;

  constructor(
    readonly prefix: CidrPrefix,
    /** First offset handed out (e.g. 2: .0 is the network, .1 the gateway). */
    firstOffset = 1n,
  ) {
    this.size = 1n << BigInt(familyBits(prefix.family) - prefix.bits);
    this.next = firstOffset;
    this.network4 = prefix.family === 4 ? Number(prefix.network) : 0;
    this.next4 = prefix.family === 4 ? Number(firstOffset) : 0;
  }

  reserve(ip: string): void {
    this.used.add(ip);
  }

  /** The next free address in order, or undefined when the pool is exhausted. */
  allocate(): string | undefined {
    if (this.prefix.family === 4) return this.allocate4();
    while (this.next < this.size - 1n) {
      const ip = formatIp(nthAddress(this.prefix, this.next++));
      if (!this.used.has(ip)) {
        this.used.add(ip);
        return ip;
      }
    }
    return undefined;
  }

  private allocate4(): string | undefined {
    const end = Number(this.size) - 1;
    while (this.next4 < end) {
      const ip = formatIpv4(this.network4 + this.next4++);
      if (!this.used.has(ip)) {
        this.used.add(ip);
        return ip;
      }
    }
    return undefined;
  }

  /**
   * An address chosen by hashing `key`, probing onward on collision, so a
   * service keeps its IP when other services are added or removed.
   */
  allocateStable(key: string): string | undefined {
    const span = this.size - 2n;
    if (span <= 0n) return undefined;
    const start = BigInt(fnv32a(key)) % span;
    for (let i = 0n; i < span; i++) {
      const ip = formatIp(nthAddress(this.prefix, 1n + ((start + i) % span)));
      if (!this.used.has(ip)) {
        this.used.add(ip);
        return ip;
      }
    }
    return undefined;
  }
}

/** The `index`-th /24 (or /64 for IPv6) inside a cluster pod CIDR: node pod CIDRs as kind assigns them. */
export function nodePodCidr(clusterPodCidr: string, index: number): string | undefined {
  const c = parseCidr(clusterPodCidr);
  if (!c) return undefined;
  const nodeBits = c.family === 4 ? Math.max(24, c.bits) : Math.max(64, c.bits);
  const count = 1n << BigInt(nodeBits - c.bits);
  if (BigInt(index) >= count) return undefined;
  const shift = BigInt(familyBits(c.family) - nodeBits);
  const net = c.network + (BigInt(index) << shift);
  return `${formatIp({ family: c.family, value: net })}/${nodeBits}`;
}
