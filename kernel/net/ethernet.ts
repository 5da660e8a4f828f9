// Ethernet II framing (IEEE 802.3 with an EtherType). The device strips and
// adds the preamble and FCS; frames here start at the destination address.
//
//    0 +-------------------+
//      | destination MAC 6 |
//    6 | source MAC      6 |
//   12 | EtherType       2 |   0x0800 IPv4, 0x0806 ARP, 0x86dd IPv6; 802.1Q tags are not understood
//   14 +-------------------+
//      | payload ...       |
//
// A frame is taken when it is addressed to our MAC, to the broadcast
// address, or to the multicast address of an IPv6 group we are in (nd.ts
// says which); anything else is dropped and counted.

import { get16, put16 } from "./buffers";
import { MacAddress } from "./device";

export const ETHERNET_HEADER: u32 = 14;
export const ETHERTYPE_IPV4: u32 = 0x0800;
export const ETHERTYPE_ARP: u32 = 0x0806;
export const ETHERTYPE_IPV6: u32 = 0x86dd;
export const BROADCAST_MAC: MacAddress = 0xffff_ffff_ffff;

const DESTINATION: usize = 0;
const SOURCE: usize = 6;
const TYPE: usize = 12;

/** The six bytes at `p` as a MacAddress. */
export function readMac(p: usize): MacAddress {
  return (<u64>get16(p) << 32) | (<u64>get16(p + 2) << 16) | <u64>get16(p + 4);
}

export function writeMac(p: usize, mac: MacAddress): void {
  put16(p, <u32>(mac >> 32) & 0xffff);
  put16(p + 2, <u32>(mac >> 16) & 0xffff);
  put16(p + 4, <u32>mac & 0xffff);
}

export function frameDestination(frame: usize): MacAddress {
  return readMac(frame + DESTINATION);
}

export function frameSource(frame: usize): MacAddress {
  return readMac(frame + SOURCE);
}

export function frameType(frame: usize): u32 {
  return get16(frame + TYPE);
}

/** Writes the header of a frame from `source` to `destination` carrying `type`. */
export function writeEthernetHeader(frame: usize, destination: MacAddress, source: MacAddress, type: u32): void {
  writeMac(frame + DESTINATION, destination);
  writeMac(frame + SOURCE, source);
  put16(frame + TYPE, type);
}

/** Fills in the destination of a frame whose other fields are written. */
export function setFrameDestination(frame: usize, destination: MacAddress): void {
  writeMac(frame + DESTINATION, destination);
}
