/**
 * @module policy/icmp
 *
 * ICMP type names Cilium accepts in `icmps[].fields[].type`, per family
 * (`pkg/policy/api/icmp.go`). Only the type is ever matched, never the code.
 */

const IPV4: Readonly<Record<string, number>> = {
  EchoReply: 0, DestinationUnreachable: 3, Redirect: 5, Echo: 8, EchoRequest: 8, RouterAdvertisement: 9,
  RouterSelection: 10, TimeExceeded: 11, ParameterProblem: 12, Timestamp: 13, TimestampReply: 14, Photuris: 40,
  ExtendedEchoRequest: 42, ExtendedEchoReply: 43,
};

const IPV6: Readonly<Record<string, number>> = {
  DestinationUnreachable: 1, PacketTooBig: 2, TimeExceeded: 3, ParameterProblem: 4, EchoRequest: 128, EchoReply: 129,
  MulticastListenerQuery: 130, MulticastListenerReport: 131, MulticastListenerDone: 132, RouterSolicitation: 133,
  RouterAdvertisement: 134, NeighborSolicitation: 135, NeighborAdvertisement: 136, RedirectMessage: 137,
  RouterRenumbering: 138, ICMPNodeInformationQuery: 139, ICMPNodeInformationResponse: 140,
  InverseNeighborDiscoverySolicitation: 141, InverseNeighborDiscoveryAdvertisement: 142,
  HomeAgentAddressDiscoveryRequest: 144, HomeAgentAddressDiscoveryReply: 145, MobilePrefixSolicitation: 146,
  MobilePrefixAdvertisement: 147, DuplicateAddressRequestCodeSuffix: 157, DuplicateAddressConfirmationCodeSuffix: 158,
  ExtendedEchoRequest: 160, ExtendedEchoReply: 161,
};

export type IcmpFamily = 'IPv4' | 'IPv6';

/** The numeric type for a number or a family-specific name; undefined when invalid. */
export function icmpTypeNumber(type: number | string, family: IcmpFamily): number | undefined {
  if (typeof type === 'number') return Number.isInteger(type) && type >= 0 && type <= 255 ? type : undefined;
  if (/^\d{1,3}$/.test(type)) return icmpTypeNumber(Number(type), family);
  const table = family === 'IPv4' ? IPV4 : IPV6;
  return Object.hasOwn(table, type) ? table[type] : undefined;
}

/** The name of a type number in a family (first alias), for display. */
export function icmpTypeName(type: number, family: IcmpFamily): string | undefined {
  const table = family === 'IPv4' ? IPV4 : IPV6;
  return Object.keys(table).find((k) => table[k] === type);
}
