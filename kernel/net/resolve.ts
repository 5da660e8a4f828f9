// Host names to IPv4 addresses, for apps (sock_getaddrinfo) and the kernel.
//
//   resolveHost(name, numericOnly, out)   the count of addresses (u32
//                                         each) put at `out` (room for
//                                         MAX_ADDRESSES), or a RESOLVE_*
//                                         reason
//
// A dotted quad is its own answer; an IPv6 address is RESOLVE_NO_FAMILY
// (the stack speaks IPv4 only); "localhost" is 127.0.0.1. Other names
// go to the DNS stub resolver (kernel/net/dns.ts) when the stack has a
// name server (ip=...,dns=ADDR, or DHCP's); without one they are
// RESOLVE_NO_SERVER.

import { numericAddress } from "./address-text";
import { get32 } from "./buffers";
import { dnsResolve } from "./dns";

/** The most addresses one answer gives. */
export const MAX_ADDRESSES: i32 = 8;
/** No such name (DNS NXDOMAIN, or a name that cannot be one). */
export const RESOLVE_NO_NAME: i32 = -1;
/** The name exists but has no IPv4 address. */
export const RESOLVE_NO_DATA: i32 = -2;
/** The name server did not answer in time, or failed (SERVFAIL): try again later. */
export const RESOLVE_TRY_AGAIN: i32 = -3;
/** There is no network, or no name server to ask. */
export const RESOLVE_NO_SERVER: i32 = -4;
/** The name is an IPv6 address, which the stack cannot use. */
export const RESOLVE_NO_FAMILY: i32 = -5;

const LOOPBACK: u32 = 0x7f000001;

export function resolveHost(name: string, numericOnly: bool, out: usize): i32 {
  const numeric = memory.data(16);
  const kind = numericAddress(name, numeric);
  if (kind == 4) {
    store<u32>(out, get32(numeric));
    return 1;
  }
  if (kind == 6) return RESOLVE_NO_FAMILY;
  if (numericOnly) return RESOLVE_NO_NAME;
  if (name == "localhost" || name == "localhost.") {
    store<u32>(out, LOOPBACK);
    return 1;
  }
  return dnsResolve(name, out);
}
