// IPv4 (RFC 791): the header checks on arrival, and sending one packet.
//
//    0 +----------------------------+
//      | version 4 | IHL (words)    |   IHL 5..15
//    1 | type of service            |
//    2 | total length             2 |   header and payload; the frame may be longer (padding)
//    4 | identification           2 |
//    6 | flags | fragment offset  2 |   0x4000 don't fragment, 0x2000 more fragments
//    8 | time to live               |
//    9 | protocol                   |   1 ICMP, 6 TCP, 17 UDP
//   10 | header checksum          2 |
//   12 | source address           4 |
//   16 | destination address      4 |
//   20 | options (skipped) ...      |
//
// A packet is dropped and counted when its version is not 4, its IHL is
// short or runs past the frame, its total length does not fit the frame, its
// header checksum fails, its TTL is 0, or it is a fragment (the stack does no
// reassembly: fragments are dropped and counted), or when it is addressed to
// neither us nor a broadcast address (anything goes while we have no
// address: a DHCP server may answer to the address it offers). Packets are sent whole with Don't
// Fragment set; the protocols above keep within the MTU (no fragmentation on
// send). The next hop is the destination on the local network, else the
// gateway.

import { get8, get16, get32, put8, put16, put32, checksumAdd, checksumFinish } from "./buffers";
import { ETHERNET_HEADER, ETHERTYPE_IPV4, BROADCAST_MAC, writeEthernetHeader } from "./ethernet";
import { Stack } from "./stack";
import { icmpInput } from "./icmp";
import { udpInput } from "./udp";
import { tcpInput } from "./tcp-input";
import { ipv4MappedLow } from "./ipv6-address";
import {
  IP_TRUNCATED, IP_BAD_VERSION, IP_BAD_HEADER_LENGTH, IP_BAD_LENGTH, IP_BAD_CHECKSUM, IP_TTL_ZERO, IP_FRAGMENT,
  IP_NOT_FOR_US, IP_UNKNOWN_PROTOCOL, IP_NO_ROUTE,
} from "./counters";

export const IP_HEADER: u32 = 20;
/** Where a protocol writes its packet in the stack's frame before ipv4Send. */
export const IP_PAYLOAD: usize = <usize>(ETHERNET_HEADER + IP_HEADER);
export const PROTOCOL_ICMP: u32 = 1;
export const PROTOCOL_TCP: u32 = 6;
export const PROTOCOL_UDP: u32 = 17;
export const BROADCAST_ADDRESS: u32 = 0xffff_ffff;

const VERSION_IHL: usize = 0;
const TOTAL_LENGTH: usize = 2;
const IDENTIFICATION: usize = 4;
const FRAGMENT: usize = 6;
const TTL: usize = 8;
const PROTOCOL: usize = 9;
const CHECKSUM: usize = 10;
const SOURCE: usize = 12;
const DESTINATION: usize = 16;
const DONT_FRAGMENT: u32 = 0x4000;
const MORE_FRAGMENTS: u32 = 0x2000;
const OFFSET_MASK: u32 = 0x1fff;
const DEFAULT_TTL: u32 = 64;

/** An IPv4 packet: a frame's payload of `length` bytes at `packet`. */
export function ipv4Input(stack: Stack, packet: usize, length: u32): void {
  const counters = stack.counters;
  if (length < IP_HEADER) return counters.drop(IP_TRUNCATED);
  const versionIhl = get8(packet + VERSION_IHL);
  if (versionIhl >> 4 != 4) return counters.drop(IP_BAD_VERSION);
  const headerLength = (versionIhl & 15) << 2;
  if (headerLength < IP_HEADER || headerLength > length) return counters.drop(IP_BAD_HEADER_LENGTH);
  const total = get16(packet + TOTAL_LENGTH);
  if (total < headerLength || total > length) return counters.drop(IP_BAD_LENGTH);
  if (checksumFinish(checksumAdd(0, packet, headerLength)) != 0) return counters.drop(IP_BAD_CHECKSUM);
  if (get8(packet + TTL) == 0) return counters.drop(IP_TTL_ZERO);
  const fragment = get16(packet + FRAGMENT);
  if ((fragment & MORE_FRAGMENTS) != 0 || (fragment & OFFSET_MASK) != 0) return counters.drop(IP_FRAGMENT);
  const source = get32(packet + SOURCE);
  const destination = get32(packet + DESTINATION);
  const config = stack.config;
  const broadcast = destination == BROADCAST_ADDRESS || destination == config.broadcast;
  // Without an address yet (DHCP), a reply may come addressed to the one on offer.
  if (destination != config.address && !broadcast && config.address != 0) return counters.drop(IP_NOT_FOR_US);
  const payload = packet + headerLength;
  const payloadLength = total - headerLength;
  const protocol = get8(packet + PROTOCOL);
  // TCP and UDP name addresses of either family one way (ip.ts): an IPv4 one mapped.
  if (protocol == PROTOCOL_TCP) return tcpInput(stack, 0, ipv4MappedLow(source), 0, ipv4MappedLow(destination), payload, payloadLength);
  if (protocol == PROTOCOL_UDP) return udpInput(stack, 0, ipv4MappedLow(source), 0, ipv4MappedLow(destination), payload, payloadLength);
  if (protocol == PROTOCOL_ICMP) return icmpInput(stack, source, destination, payload, payloadLength);
  counters.drop(IP_UNKNOWN_PROTOCOL);
}

/**
 * Sends the `payloadLength` bytes a protocol wrote at stack.frame +
 * IP_PAYLOAD (at most the MTU less IP_HEADER) to `destination`.
 */
export function ipv4Send(stack: Stack, destination: u32, protocol: u32, payloadLength: u32): void {
  const frame = stack.frame;
  const packet = frame + ETHERNET_HEADER;
  const config = stack.config;
  put8(packet + VERSION_IHL, 0x45);
  put8(packet + 1, 0);
  put16(packet + TOTAL_LENGTH, IP_HEADER + payloadLength);
  put16(packet + IDENTIFICATION, stack.nextIpId++ & 0xffff);
  put16(packet + FRAGMENT, DONT_FRAGMENT);
  put8(packet + TTL, DEFAULT_TTL);
  put8(packet + PROTOCOL, protocol);
  put16(packet + CHECKSUM, 0);
  put32(packet + SOURCE, config.address);
  put32(packet + DESTINATION, destination);
  put16(packet + CHECKSUM, checksumFinish(checksumAdd(0, packet, IP_HEADER)));
  const length = ETHERNET_HEADER + IP_HEADER + payloadLength;
  if (destination == BROADCAST_ADDRESS || destination == config.broadcast) {
    writeEthernetHeader(frame, BROADCAST_MAC, stack.mac, ETHERTYPE_IPV4);
    stack.transmit(frame, length);
    return;
  }
  writeEthernetHeader(frame, 0, stack.mac, ETHERTYPE_IPV4);
  let nextHop = destination;
  if (!config.onLink(destination)) {
    if (config.gateway == 0) return stack.counters.drop(IP_NO_ROUTE);
    nextHop = config.gateway;
  }
  stack.arp.send(nextHop, frame, length);
}
