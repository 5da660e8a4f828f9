// Either IP version, as TCP and UDP see it. Transport addresses are one
// form, a (high, low) pair of u64 (ipv6-address.ts), an IPv4 address being
// its mapped form ::ffff:a.b.c.d, so a connection's four-tuple compares the
// same way whichever family carries it. This file turns such a pair into
// the family's work:
//
//   pseudoHeaderSum   the checksum pseudo-header's sum; the same words serve
//                     both families (a mapped address adds two 0xffff words,
//                     which are zero in ones' complement arithmetic)
//   payloadAt         where the transport writes its packet in the frame
//   payloadRoom       the most a packet may hold (MTU less the IP header)
//   ipSend            sends what the transport wrote, by the family's route
//   localAddress      the source address for a destination (localHigh/Low)
//   checkDestination  whether an app may send to an address (0 or -errno)
//   isUnicastPair     whether an arriving segment's addresses are ones a
//                     connection may have (not broadcast, multicast, unset)

import { Stack } from "./stack";
import { ipv4Send, IP_PAYLOAD, IP_HEADER, BROADCAST_ADDRESS } from "./ipv4";
import { writeIpv6Header, ipv6Transmit, IP6_PAYLOAD, IP6_HEADER, DEFAULT_HOP_LIMIT } from "./ipv6";
import { isIpv4Mapped, ipv4OfMapped, ipv4MappedLow, isMulticast, isLinkLocal, isUnspecified } from "./ipv6-address";
import { EACCES, EINVAL, ENETUNREACH } from "../errno";

/** The sum of a half's four 16-bit words, each read in network order. */
function wordSum(half: u64): u64 {
  const swapped = bswap<u64>(half);
  return (swapped >> 48) + ((swapped >> 32) & 0xffff) + ((swapped >> 16) & 0xffff) + (swapped & 0xffff);
}

/** The checksum sum of the TCP/UDP pseudo-header (RFC 9293 3.1, RFC 8200 8.1) for either family. */
export function pseudoHeaderSum(
  sourceHigh: u64, sourceLow: u64, destinationHigh: u64, destinationLow: u64, protocol: u32, length: u32,
): u64 {
  return wordSum(sourceHigh) + wordSum(sourceLow) + wordSum(destinationHigh) + wordSum(destinationLow) +
    <u64>protocol + <u64>(length >> 16) + <u64>(length & 0xffff);
}

/** Where a packet to (high, low) is written in the stack's frame before ipSend. */
export function payloadAt(stack: Stack, high: u64, low: u64): usize {
  return stack.frame + (isIpv4Mapped(high, low) ? IP_PAYLOAD : IP6_PAYLOAD);
}

/** The largest packet the link carries to (high, low) in one frame. */
export function payloadRoom(stack: Stack, high: u64, low: u64): u32 {
  return stack.device.mtu - (isIpv4Mapped(high, low) ? IP_HEADER : IP6_HEADER);
}

/** Sends the `length` bytes written at payloadAt(destination) from `source` to `destination`. */
export function ipSend(
  stack: Stack, sourceHigh: u64, sourceLow: u64, high: u64, low: u64, protocol: u32, length: u32,
): void {
  if (isIpv4Mapped(high, low)) return ipv4Send(stack, ipv4OfMapped(low), protocol, length);
  writeIpv6Header(stack, sourceHigh, sourceLow, high, low, protocol, length, DEFAULT_HOP_LIMIT);
  ipv6Transmit(stack, length);
}

/** What localAddress chose. */
export let localHigh: u64 = 0;
export let localLow: u64 = 0;

/** Chooses the source address for sending to (high, low) into localHigh/localLow. */
export function localAddress(stack: Stack, high: u64, low: u64): void {
  if (isIpv4Mapped(high, low)) {
    localHigh = 0;
    localLow = ipv4MappedLow(stack.config.address);
    return;
  }
  const nd = stack.nd;
  localHigh = nd === null ? 0 : nd.sourceHigh(high);
  localLow = nd === null ? 0 : nd.sourceLow(high);
}

/**
 * Whether the stack may send to (high, low), port `port`: 0, -EINVAL (port
 * 0, an unspecified or multicast address), -EACCES (an IPv4 broadcast, which
 * needs SO_BROADCAST), -ENETUNREACH (no route: no gateway or router, or IPv6
 * is off).
 */
export function checkDestination(stack: Stack, high: u64, low: u64, port: u32): i32 {
  if (port == 0 || port > 0xffff) return -EINVAL;
  if (isIpv4Mapped(high, low)) {
    const config = stack.config;
    const address = ipv4OfMapped(low);
    if (address == BROADCAST_ADDRESS || (config.broadcast != 0 && address == config.broadcast)) return -EACCES;
    if (address == 0 || address >> 28 >= 0xe) return -EINVAL;
    if (!config.onLink(address) && config.gateway == 0) return -ENETUNREACH;
    return 0;
  }
  if (isUnspecified(high, low) || isMulticast(high)) return -EINVAL;
  const nd = stack.nd;
  if (nd === null) return -ENETUNREACH;
  if (!isLinkLocal(high) && !nd.onLink(high, low) && !nd.hasRouter()) return -ENETUNREACH;
  return 0;
}

/** Whether a segment from `source` to `destination` can belong to a connection: both unicast, the destination ours. */
export function isUnicastPair(stack: Stack, sourceHigh: u64, sourceLow: u64, high: u64, low: u64): bool {
  if (isIpv4Mapped(high, low)) {
    if (!isIpv4Mapped(sourceHigh, sourceLow)) return false;
    const source = ipv4OfMapped(sourceLow);
    return ipv4OfMapped(low) == stack.config.address && source != 0 && source != BROADCAST_ADDRESS && source >> 28 != 0xe;
  }
  // ipv6.ts took the packet only for one of our addresses or groups.
  return !isMulticast(high) && !isUnspecified(sourceHigh, sourceLow) && !isMulticast(sourceHigh) &&
    !isIpv4Mapped(sourceHigh, sourceLow);
}
