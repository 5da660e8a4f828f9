// ICMPv6 (RFC 4443): echo requests to our unicast addresses are answered,
// echo replies are counted (for ping from a test or a self-test), neighbor
// discovery's messages (types 133-137) go to nd.ts, and everything else is
// dropped and counted. No error messages are sent.
//
//    0 | type | code | checksum 2 | identifier 2 | sequence 2 | data ...   (echo)
//    128 echo request, 129 echo reply
//
// The checksum covers the IPv6 pseudo-header (ipv6.ts pseudoHeaderSum6).

import { get8, get16, put8, put16, checksumAdd, checksumFinish } from "./buffers";
import { Stack } from "./stack";
import { writeIpv6Header, ipv6Transmit, pseudoHeaderSum6, IP6_PAYLOAD, IP6_HEADER, NEXT_ICMPV6, DEFAULT_HOP_LIMIT, SOURCE, DESTINATION } from "./ipv6";
import { isMulticast, isUnspecified, loadHigh, loadLow } from "./ipv6-address";
import { ICMP_TRUNCATED, ICMP_BAD_CHECKSUM, ICMP_UNHANDLED, ICMP_ECHOES_ANSWERED, ICMP_ECHO_REPLIES } from "./counters";

const ECHO_HEADER: u32 = 8;
const CHECKSUM: usize = 2;
const IDENTIFIER: usize = 4;
const SEQUENCE: usize = 6;
const ECHO_REQUEST: u32 = 128;
const ECHO_REPLY: u32 = 129;
const FIRST_ND_TYPE: u32 = 133;
const LAST_ND_TYPE: u32 = 137;

/** An ICMPv6 message of `length` bytes at `packet`, in the IPv6 packet whose header is at `header`. */
export function icmpv6Input(stack: Stack, header: usize, packet: usize, length: u32): void {
  const counters = stack.counters;
  if (length < 4) return counters.drop(ICMP_TRUNCATED);
  if (checksumFinish(pseudoHeaderSum6(header, NEXT_ICMPV6, length) + checksumAdd(0, packet, length)) != 0) {
    return counters.drop(ICMP_BAD_CHECKSUM);
  }
  const type = get8(packet);
  if (type >= FIRST_ND_TYPE && type <= LAST_ND_TYPE) return stack.nd!.input(type, header, packet, length);
  if (type == ECHO_REQUEST && get8(packet + 1) == 0 && length >= ECHO_HEADER) {
    const sourceHigh = loadHigh(header + SOURCE);
    const sourceLow = loadLow(header + SOURCE);
    const destinationHigh = loadHigh(header + DESTINATION);
    const destinationLow = loadLow(header + DESTINATION);
    // Only to a unicast address of ours, from one that can be answered.
    if (isMulticast(destinationHigh) || isUnspecified(sourceHigh, sourceLow)) return counters.drop(ICMP_UNHANDLED);
    if (length > stack.device.mtu - IP6_HEADER) return counters.drop(ICMP_UNHANDLED); // no room in one frame
    const reply = stack.frame + IP6_PAYLOAD;
    memory.copy(reply, packet, length);
    put8(reply, ECHO_REPLY);
    counters.bump(ICMP_ECHOES_ANSWERED);
    sendIcmpv6(stack, destinationHigh, destinationLow, sourceHigh, sourceLow, length, DEFAULT_HOP_LIMIT);
    return;
  }
  if (type == ECHO_REPLY && length >= ECHO_HEADER) {
    counters.bump(ICMP_ECHO_REPLIES);
    stack.lastEchoReply = (get16(packet + IDENTIFIER) << 16) | get16(packet + SEQUENCE);
    stack.changed();
    return;
  }
  counters.drop(ICMP_UNHANDLED);
}

/**
 * Sends the ICMPv6 message of `length` bytes written at stack.frame +
 * IP6_PAYLOAD (its checksum field is filled in here).
 */
export function sendIcmpv6(stack: Stack, sourceHigh: u64, sourceLow: u64, high: u64, low: u64, length: u32, hopLimit: u32): void {
  const header = writeIpv6Header(stack, sourceHigh, sourceLow, high, low, NEXT_ICMPV6, length, hopLimit);
  const packet = header + IP6_HEADER;
  put16(packet + CHECKSUM, 0);
  put16(packet + CHECKSUM, checksumFinish(pseudoHeaderSum6(header, NEXT_ICMPV6, length) + checksumAdd(0, packet, length)));
  ipv6Transmit(stack, length);
}

/** Sends an echo request with `dataLength` bytes of a counting pattern, from the address nd.ts picks for the destination. */
export function icmpv6Echo(stack: Stack, high: u64, low: u64, identifier: u32, sequence: u32, dataLength: u32): void {
  const nd = stack.nd;
  if (nd === null) return;
  const packet = stack.frame + IP6_PAYLOAD;
  put8(packet, ECHO_REQUEST);
  put8(packet + 1, 0);
  put16(packet + IDENTIFIER, identifier);
  put16(packet + SEQUENCE, sequence);
  for (let i: u32 = 0; i < dataLength; i++) put8(packet + ECHO_HEADER + i, i & 0xff);
  sendIcmpv6(stack, nd.sourceHigh(high), nd.sourceLow(high), high, low, ECHO_HEADER + dataLength, DEFAULT_HOP_LIMIT);
}
