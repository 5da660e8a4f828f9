// Host names to addresses, for apps (sock_getaddrinfo) and the kernel.
//
//   resolveHost(name, numericOnly, ipv6, out)   the count of addresses put at
//                                               `out` (16 bytes each, room for
//                                               MAX_ADDRESSES), or a RESOLVE_*
//                                               reason
//
// Addresses are written as kernel/net/ip.ts pairs store them: an IPv6
// address's 16 bytes, an IPv4 one mapped (::ffff:a.b.c.d). `ipv6` asks for
// IPv6 addresses (DNS type AAAA), else IPv4 ones (type A). A numeric address
// is its own answer when it is of the family asked for, RESOLVE_NO_FAMILY
// when not; "localhost" is 127.0.0.1 or ::1. Other names go to the DNS stub
// resolver (kernel/net/dns.ts) when the stack has a name server
// (ip=...,dns=ADDR, or DHCP's); without one they are RESOLVE_NO_SERVER.

import { numericAddress } from "./address-text";
import { get32 } from "./buffers";
import { dnsResolve } from "./dns";
import { DNS_TYPE_A, DNS_TYPE_AAAA } from "./dns-codes";
import { ipv4MappedLow, storeAddress } from "./ipv6-address";

/** The most addresses one answer gives. */
export const MAX_ADDRESSES: i32 = 8;
/** No such name (DNS NXDOMAIN, or a name that cannot be one). */
export const RESOLVE_NO_NAME: i32 = -1;
/** The name exists but has no address of the family asked for. */
export const RESOLVE_NO_DATA: i32 = -2;
/** The name server did not answer in time, or failed (SERVFAIL): try again later. */
export const RESOLVE_TRY_AGAIN: i32 = -3;
/** There is no network, or no name server to ask. */
export const RESOLVE_NO_SERVER: i32 = -4;
/** The name is a numeric address of the other family. */
export const RESOLVE_NO_FAMILY: i32 = -5;

const LOOPBACK: u32 = 0x7f000001;
/** ::1's low half (its last byte is 1). */
const LOOPBACK6_LOW: u64 = 0x0100_0000_0000_0000;

/** Writes the loopback address of the family (127.0.0.1, mapped, or ::1) at `out`. */
export function storeLoopback(out: usize, ipv6: bool): void {
  storeAddress(out, 0, ipv6 ? LOOPBACK6_LOW : ipv4MappedLow(LOOPBACK));
}

export function resolveHost(name: string, numericOnly: bool, ipv6: bool, out: usize): i32 {
  const numeric = memory.data(16);
  const kind = numericAddress(name, numeric);
  if (kind == 4 || kind == 6) {
    if ((kind == 6) != ipv6) return RESOLVE_NO_FAMILY;
    if (kind == 6) memory.copy(out, numeric, 16);
    else storeAddress(out, 0, ipv4MappedLow(get32(numeric)));
    return 1;
  }
  if (numericOnly) return RESOLVE_NO_NAME;
  if (name == "localhost" || name == "localhost.") {
    storeLoopback(out, ipv6);
    return 1;
  }
  return dnsResolve(name, ipv6 ? DNS_TYPE_AAAA : DNS_TYPE_A, out);
}
