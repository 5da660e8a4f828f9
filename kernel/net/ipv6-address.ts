// IPv6 addresses (RFC 4291) as the stack keeps them: a pair of u64, the
// address's first and last 8 bytes as loaded from memory (little-endian on
// every machine Wisp runs on, and in wasm), so equal addresses are equal
// pairs and an address is stored back with two stores. The constants below
// are such loads: the link-local prefix fe80::/64 is the bytes fe 80 0 … 0,
// whose load is 0x80fe.
//
//   interfaceId(mac)          the modified EUI-64 identifier (RFC 4291 2.5.1)
//   solicitedNodeLow(low)     ff02::1:ffXX:XXXX for an address's last 24 bits
//   multicastMac(low)         33:33 and the address's last 32 bits (RFC 2464 7)
//   formatIpv6(high, low)     RFC 5952 text; printIpv6 prints it without allocating
//   ipv4MappedLow(address)    ::ffff:a.b.c.d (RFC 4291 2.5.5.2), the form TCP and
//                             UDP give IPv4 addresses so one pair names either family

import { MacAddress } from "./device";
import { putByte } from "../console";
import { formatUnsigned } from "../format";

export const LINK_LOCAL_HIGH: u64 = 0x80fe;
/** ff02::/16 with the rest of the first half 0: all-nodes, all-routers and solicited-node groups. */
export const LINK_MULTICAST_HIGH: u64 = 0x02ff;
export const ALL_NODES_LOW: u64 = 0x0100_0000_0000_0000;
export const ALL_ROUTERS_LOW: u64 = 0x0200_0000_0000_0000;
const SOLICITED_NODE_LOW: u64 = 0x0000_00ff_0100_0000;
const LAST_24_BITS: u64 = 0xffff_ff00_0000_0000;

@inline export function loadHigh(p: usize): u64 {
  return load<u64>(p);
}
@inline export function loadLow(p: usize): u64 {
  return load<u64>(p, 8);
}
@inline export function storeAddress(p: usize, high: u64, low: u64): void {
  store<u64>(p, high);
  store<u64>(p, low, 8);
}

/** The low half of ::ffff:a.b.c.d for an IPv4 address as the stack keeps it (10.0.2.2 is 0x0a000202); the high half is 0. */
@inline export function ipv4MappedLow(address: u32): u64 {
  return (<u64>bswap<u32>(address) << 32) | 0xffff_0000;
}
/** Whether (high, low) is an IPv4-mapped address. */
@inline export function isIpv4Mapped(high: u64, low: u64): bool {
  return high == 0 && (low & 0xffff_ffff) == 0xffff_0000;
}
/** The IPv4 address inside a mapped low half. */
@inline export function ipv4OfMapped(low: u64): u32 {
  return bswap<u32>(<u32>(low >> 32));
}

/** The unspecified address of either family: :: or ::ffff:0.0.0.0. */
@inline export function isAnyAddress(high: u64, low: u64): bool {
  return high == 0 && (low == 0 || low == 0xffff_0000);
}

/** ff00::/8 */
@inline export function isMulticast(high: u64): bool {
  return (high & 0xff) == 0xff;
}
/** fe80::/10 */
@inline export function isLinkLocal(high: u64): bool {
  return (high & 0xc0ff) == 0x80fe;
}
@inline export function isUnspecified(high: u64, low: u64): bool {
  return (high | low) == 0;
}

/** The solicited-node group (high half LINK_MULTICAST_HIGH) of an address with this low half. */
export function solicitedNodeLow(low: u64): u64 {
  return SOLICITED_NODE_LOW | (low & LAST_24_BITS);
}

/** Whether two low halves share their last 24 bits (and so a solicited-node group). */
export function sameSolicitedNode(a: u64, b: u64): bool {
  return ((a ^ b) & LAST_24_BITS) == 0;
}

/** The Ethernet multicast address of the IPv6 group with this low half. */
export function multicastMac(low: u64): MacAddress {
  return 0x3333_0000_0000 | <u64>bswap<u32>(<u32>(low >> 32));
}

/** The modified EUI-64 interface identifier of a MAC (its universal/local bit flipped, ff:fe in the middle), as a low half. */
export function interfaceId(mac: MacAddress): u64 {
  const first = <u64>((mac >> 40) ^ 0x02) & 0xff;
  const bytes: u64 = (first << 56) | (((mac >> 32) & 0xff) << 48) | (((mac >> 24) & 0xff) << 40) | (<u64>0xfffe << 24) |
    (mac & 0xff_ffff);
  return bswap<u64>(bytes);
}

/** Group `i` (0-7) of the address, as its text shows it. */
export function ipv6Group(high: u64, low: u64, i: i32): u32 {
  const half = i < 4 ? high : low;
  return <u32>bswap<u16>(<u16>(half >> (<u64>(i & 3) << 4)));
}

/** Where RFC 5952 writes "::": the longest run of two or more zero groups (the first of equals), as start << 8 | length; 0 for none. */
function zeroRun(high: u64, low: u64): u32 {
  let best: u32 = 0;
  for (let i = 0; i < 8; ) {
    if (ipv6Group(high, low, i) != 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && ipv6Group(high, low, j) == 0) j++;
    if (j - i >= 2 && <u32>(j - i) > (best & 0xff)) best = (<u32>i << 8) | <u32>(j - i);
    i = j;
  }
  return best;
}

/** 8 groups of up to 4 hex digits and 7 colons. */
const TEXT_BYTES: i32 = 39;
const text = memory.data(TEXT_BYTES);
const COLON: u8 = 0x3a;

/** Writes the address's text in RFC 5952's form at `text`: lowercase, no leading zeros, the longest run of two or more zero groups as "::"; its length. */
function writeIpv6(high: u64, low: u64): i32 {
  const run = zeroRun(high, low);
  const skipFrom = run == 0 ? 8 : <i32>(run >> 8);
  const skipTo = skipFrom + <i32>(run & 0xff);
  let length = 0;
  for (let i = 0; i < 8; i++) {
    if (i == skipFrom) {
      store<u8>(text + <usize>length, COLON);
      store<u8>(text + <usize>length + 1, COLON);
      length += 2;
      i = skipTo - 1;
      continue;
    }
    if (i > 0 && i != skipTo) {
      store<u8>(text + <usize>length, COLON);
      length++;
    }
    length += formatUnsigned(text + <usize>length, <u64>ipv6Group(high, low, i), 16);
  }
  return length;
}

/** The address's RFC 5952 text (writeIpv6) as a string. */
export function formatIpv6(high: u64, low: u64): string {
  return String.UTF8.decodeUnsafe(text, <usize>writeIpv6(high, low));
}

/** Prints the address's RFC 5952 text, allocating nothing. */
export function printIpv6(high: u64, low: u64): void {
  const length = writeIpv6(high, low);
  for (let i = 0; i < length; i++) putByte(<u32>load<u8>(text + <usize>i));
}
