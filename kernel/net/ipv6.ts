// IPv6 (RFC 8200): the header checks on arrival, and sending one packet.
//
//    0 +----------------------------------------+
//      | version 6 | traffic class | flow label |   4 bytes
//    4 | payload length                       2 |   the frame may be longer (padding)
//    6 | next header                            |   58 ICMPv6, 6 TCP, 17 UDP
//    7 | hop limit                              |
//    8 | source address                      16 |
//   24 | destination address                 16 |
//   40 +----------------------------------------+
//
// A packet is dropped and counted when it is short, its version is not 6,
// its payload runs past the frame, its source is multicast, it is addressed
// to none of our addresses or groups (nd.ts: ours are the link-local and
// global addresses, the all-nodes group and their solicited-node groups),
// or its next header is one the stack does not take (extension headers
// included: no fragments, no hop-by-hop options). Packets are sent whole;
// ICMPv6 keeps within the link's MTU. The next hop is the destination when
// it is link-local, multicast or in the global address's prefix, else the
// default router (an advertisement's, or ip6='s).

import { get8, get16, put8, put16, checksumAdd } from "./buffers";
import { ETHERNET_HEADER, ETHERTYPE_IPV6, writeEthernetHeader, setFrameDestination } from "./ethernet";
import { Stack } from "./stack";
import { icmpv6Input } from "./icmpv6";
import { tcpInput } from "./tcp-input";
import { udpInput } from "./udp";
import { PROTOCOL_TCP, PROTOCOL_UDP } from "./ipv4";
import { isMulticast, isLinkLocal, multicastMac, loadHigh, loadLow, storeAddress } from "./ipv6-address";
import { IP_TRUNCATED, IP_BAD_VERSION, IP_BAD_LENGTH, IP_NOT_FOR_US, IP_UNKNOWN_PROTOCOL, IP_NO_ROUTE } from "./counters";

export const IP6_HEADER: u32 = 40;
/** Where a protocol writes its packet in the stack's frame before ipv6Send. */
export const IP6_PAYLOAD: usize = <usize>(ETHERNET_HEADER + IP6_HEADER);
export const NEXT_ICMPV6: u32 = 58;
export const DEFAULT_HOP_LIMIT: u32 = 64;

const PAYLOAD_LENGTH: usize = 4;
const NEXT_HEADER: usize = 6;
export const HOP_LIMIT: usize = 7;
export const SOURCE: usize = 8;
export const DESTINATION: usize = 24;

/** The checksum sum of the ICMPv6/TCP/UDP pseudo-header (RFC 8200 8.1) of the packet whose IPv6 header is at `header`. */
export function pseudoHeaderSum6(header: usize, nextHeader: u32, length: u32): u64 {
  return checksumAdd(0, header + SOURCE, 32) + <u64>(length >> 16) + <u64>(length & 0xffff) + <u64>nextHeader;
}

/** An IPv6 packet: a frame's payload of `length` bytes at `packet`. */
export function ipv6Input(stack: Stack, packet: usize, length: u32): void {
  const counters = stack.counters;
  const nd = stack.nd;
  if (nd === null) return; // IPv6 is off: the frame was not taken (stack.ts)
  if (length < IP6_HEADER) return counters.drop(IP_TRUNCATED);
  if (get8(packet) >> 4 != 6) return counters.drop(IP_BAD_VERSION);
  const payloadLength = get16(packet + PAYLOAD_LENGTH);
  if (payloadLength > length - IP6_HEADER) return counters.drop(IP_BAD_LENGTH);
  if (isMulticast(loadHigh(packet + SOURCE))) return counters.drop(IP_NOT_FOR_US);
  if (!nd.accepts(loadHigh(packet + DESTINATION), loadLow(packet + DESTINATION))) return counters.drop(IP_NOT_FOR_US);
  const next = get8(packet + NEXT_HEADER);
  const payload = packet + IP6_HEADER;
  if (next == NEXT_ICMPV6) return icmpv6Input(stack, packet, payload, payloadLength);
  const sourceHigh = loadHigh(packet + SOURCE);
  const sourceLow = loadLow(packet + SOURCE);
  const high = loadHigh(packet + DESTINATION);
  const low = loadLow(packet + DESTINATION);
  if (next == PROTOCOL_TCP) return tcpInput(stack, sourceHigh, sourceLow, high, low, payload, payloadLength);
  if (next == PROTOCOL_UDP) return udpInput(stack, sourceHigh, sourceLow, high, low, payload, payloadLength);
  counters.drop(IP_UNKNOWN_PROTOCOL);
}

/**
 * Sends the `payloadLength` bytes a protocol wrote at stack.frame +
 * IP6_PAYLOAD to (high, low) from (sourceHigh, sourceLow). The checksum
 * inside the payload is the caller's: pseudoHeaderSum6 needs the header,
 * so it is written first (writeIpv6Header), then the payload's checksum,
 * then ipv6Transmit.
 */
export function writeIpv6Header(stack: Stack, sourceHigh: u64, sourceLow: u64, high: u64, low: u64, nextHeader: u32, payloadLength: u32, hopLimit: u32): usize {
  const packet = stack.frame + ETHERNET_HEADER;
  put16(packet, 0x6000);
  put16(packet + 2, 0);
  put16(packet + PAYLOAD_LENGTH, payloadLength);
  put8(packet + NEXT_HEADER, nextHeader);
  put8(packet + HOP_LIMIT, hopLimit);
  storeAddress(packet + SOURCE, sourceHigh, sourceLow);
  storeAddress(packet + DESTINATION, high, low);
  return packet;
}

/** Sends the packet writeIpv6Header and its caller built in the stack's frame. */
export function ipv6Transmit(stack: Stack, payloadLength: u32): void {
  const frame = stack.frame;
  const packet = frame + ETHERNET_HEADER;
  const high = loadHigh(packet + DESTINATION);
  const low = loadLow(packet + DESTINATION);
  const length = ETHERNET_HEADER + IP6_HEADER + payloadLength;
  writeEthernetHeader(frame, 0, stack.mac, ETHERTYPE_IPV6);
  if (isMulticast(high)) {
    setFrameDestination(frame, multicastMac(low));
    stack.transmit(frame, length);
    return;
  }
  const nd = stack.nd!;
  if (isLinkLocal(high) || nd.onLink(high, low)) return nd.sendTo(high, low, frame, length);
  if (!nd.hasRouter()) return stack.counters.drop(IP_NO_ROUTE);
  nd.sendTo(nd.routerHigh, nd.routerLow, frame, length);
}
