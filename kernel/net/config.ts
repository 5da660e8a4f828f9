// A stack's configuration: its IPv4 address, prefix and gateway, the TCP
// buffer sizes and timers, and its memory limit; and the kernel options
// `ip=ADDR/PREFIX,GATEWAY` (or `ip=dhcp`) and `ip6=on|off|ADDR/PREFIX[,ROUTER]`
// that fill one in.
//
// Addresses are u32 in host order: 10.0.2.15 is 0x0a00020f.

import { fail } from "../failure";
import { EINVAL } from "../errno";
import { parseIpv6Address } from "./address-text";
import { loadHigh, loadLow, isMulticast, isLinkLocal, isUnspecified } from "./ipv6-address";

const SECOND: u64 = 1_000_000_000;

export class NetConfig {
  address: u32 = 0;
  /** Network prefix length, 1..30 (32 and 31 leave no room for a gateway). */
  prefix: u32 = 24;
  /** The router for destinations off the local network; 0 for none. */
  gateway: u32 = 0;
  /** Bytes of each TCP connection's send buffer and of its receive buffer. */
  sendBufferBytes: u32 = 64 << 10;
  receiveBufferBytes: u32 = 64 << 10;
  /** Maximum segment lifetime: TIME_WAIT lasts twice this (RFC 9293 says 2 minutes; a unikernel restarts fast, so 30 s). */
  mslNanoseconds: u64 = 30 * SECOND;
  /** The most the stack holds at once (buffers, connections, queued frames). */
  memoryLimit: u64 = 32 << 20;
  /** ip6=on (the default): IPv6 beside IPv4 (nd.ts); ip6=off leaves it out. */
  ipv6: bool = true;
  /** ip6=ADDR/PREFIX[,ROUTER]: a static global address (as ipv6-address.ts loads it) in place of autoconfiguration. */
  ipv6Static: bool = false;
  ipv6High: u64 = 0;
  ipv6Low: u64 = 0;
  ipv6Prefix: u32 = 64;
  /** The static default router, (0, 0) for none: then router advertisements may still name one. */
  ipv6RouterHigh: u64 = 0;
  ipv6RouterLow: u64 = 0;
  /** ip=dhcp: the address comes from a DHCP server (dhcp.ts). */
  useDhcp: bool = false;
  /** The name server the DNS stub resolver asks (dns.ts), 0 for none: ip=...,dns=ADDR[:PORT], or DHCP's. */
  dnsServer: u32 = 0;
  dnsPort: u32 = 53;
  /** The command line named the name server (a DHCP lease's does not replace it). */
  dnsGiven: bool = false;
  /** Mixed into initial sequence numbers (RFC 6528): random in the kernel, fixed in tests. */
  secret: u64 = 0;

  /** The netmask as a u32 (prefix 24: 0xffffff00). */
  get netmask(): u32 {
    return this.prefix == 0 ? 0 : <u32>(0xffff_ffff << (32 - this.prefix));
  }

  /** Whether `address` is on the local network (reached without the gateway). */
  onLink(address: u32): bool {
    return (address & this.netmask) == (this.address & this.netmask);
  }

  /** The local network's broadcast address. */
  get broadcast(): u32 {
    return this.address | ~this.netmask;
  }
}

/** The decimal number at text[start, end) if it is one from `low` to `high`, else -1. */
function decimalIn(text: string, start: i32, end: i32, low: i64, high: i64): i64 {
  if (end <= start || end - start > 10) return -1;
  let value: i64 = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    value = value * 10 + <i64>(c - 0x30);
  }
  return value >= low && value <= high ? value : -1;
}

/** Dotted-quad text at text[start, end) as a u32, or -1. */
export function parseAddress(text: string, start: i32, end: i32): i64 {
  let value: u64 = 0;
  let part: i32 = -1;
  let parts = 0;
  for (let i = start; i <= end; i++) {
    const c = i < end ? text.charCodeAt(i) : 0x2e; // a final '.' closes the last part
    if (c >= 0x30 && c <= 0x39) {
      part = part < 0 ? c - 0x30 : part * 10 + (c - 0x30);
      if (part > 255) return -1;
    } else if (c == 0x2e) {
      if (part < 0) return -1;
      value = (value << 8) | <u64>part;
      part = -1;
      parts++;
    } else {
      return -1;
    }
  }
  return parts == 4 ? <i64>value : -1;
}

/** Dotted-quad text for `address` (a fresh string). */
export function formatAddress(address: u32): string {
  return (address >> 24).toString() + "." + ((address >> 16) & 255).toString() + "." + ((address >> 8) & 255).toString() + "." + (address & 255).toString();
}

const IP_USAGE = "ip= needs ADDR/PREFIX,GATEWAY or dhcp, then optionally ,dns=ADDR[:PORT], e.g. ip=10.0.2.15/24,10.0.2.2,dns=10.0.2.3";

/** Reads `ip=` text into `config`: 0, or -EINVAL with the reason. `dhcp` asks for DHCP. */
export function parseIpOption(text: string, config: NetConfig): i32 {
  const dns = text.indexOf(",dns=");
  if (dns >= 0) {
    const given = parseDnsServer(text, dns + 5, config);
    if (given < 0) return given;
    text = text.substring(0, dns);
  }
  if (text == "dhcp") {
    config.useDhcp = true;
    config.address = 0;
    config.gateway = 0;
    return 0;
  }
  const slash = text.indexOf("/");
  const comma = text.indexOf(",");
  if (slash < 0 || comma < slash) return fail(EINVAL, IP_USAGE);
  const address = parseAddress(text, 0, slash);
  if (address < 0) return fail(EINVAL, "ip=: the address is not a dotted quad (" + IP_USAGE + ")");
  const prefix = decimalIn(text, slash + 1, comma, 1, 30);
  if (prefix < 0) return fail(EINVAL, "ip=: the prefix is not a number from 1 to 30");
  const gateway = parseAddress(text, comma + 1, text.length);
  if (gateway < 0) return fail(EINVAL, "ip=: the gateway is not a dotted quad (" + IP_USAGE + ")");
  config.useDhcp = false;
  config.address = <u32>address;
  config.prefix = <u32>prefix;
  config.gateway = <u32>gateway;
  if (!config.onLink(<u32>gateway)) return fail(EINVAL, "ip=: the gateway is not on the address's network");
  const host = <u32>address & ~config.netmask;
  if (host == 0 || host == ~config.netmask) return fail(EINVAL, "ip=: the address is the network's own or its broadcast address");
  if (<u32>gateway == <u32>address) return fail(EINVAL, "ip=: the gateway is the address itself");
  return 0;
}

/** The ADDR[:PORT] of ip=...,dns= at text[start...] into config; 0 or -EINVAL with the reason. */
function parseDnsServer(text: string, start: i32, config: NetConfig): i32 {
  const colon = text.indexOf(":", start);
  const end = colon < 0 ? text.length : colon;
  const server = parseAddress(text, start, end);
  if (server <= 0) return fail(EINVAL, "ip=...,dns=: the name server is not a dotted quad (" + IP_USAGE + ")");
  const port = colon < 0 ? 53 : decimalIn(text, colon + 1, text.length, 1, 65535);
  if (port < 0) return fail(EINVAL, "ip=...,dns=ADDR:PORT: the port is not a number from 1 to 65535");
  config.dnsServer = <u32>server;
  config.dnsPort = <u32>port;
  config.dnsGiven = true;
  return 0;
}

const IP6_USAGE = "ip6= takes on, off, or ADDR/PREFIX[,ROUTER] (e.g. ip6=2001:db8::15/64,fe80::1)";

/** Reads `ip6=` text into `config`: on, off, or a static address with its prefix length and optionally a default router; 0 or -EINVAL with the reason. */
export function parseIp6Option(text: string, config: NetConfig): i32 {
  if (text == "on" || text == "off") {
    config.ipv6 = text == "on";
    config.ipv6Static = false;
    return 0;
  }
  const slash = text.indexOf("/");
  if (slash < 0) return fail(EINVAL, IP6_USAGE);
  let comma = text.indexOf(",", slash);
  if (comma < 0) comma = text.length;
  const address = heap.alloc(16);
  const parsed = parseIpv6Address(text, 0, slash, address);
  const high = loadHigh(address);
  const low = loadLow(address);
  const routerGiven = comma < text.length;
  const router = !routerGiven || parseIpv6Address(text, comma + 1, text.length, address);
  const routerHigh = routerGiven ? loadHigh(address) : 0;
  const routerLow = routerGiven ? loadLow(address) : 0;
  heap.free(address);
  if (!parsed) return fail(EINVAL, "ip6=: the address is not an IPv6 address (" + IP6_USAGE + ")");
  if (isMulticast(high) || isLinkLocal(high) || isUnspecified(high, low)) return fail(EINVAL, "ip6=: the address must be a global unicast one (the link-local one comes from the MAC)");
  const prefix = decimalIn(text, slash + 1, comma, 1, 128);
  if (prefix < 0) return fail(EINVAL, "ip6=: the prefix is not a number from 1 to 128");
  if (!router || isMulticast(routerHigh) || (routerGiven && isUnspecified(routerHigh, routerLow))) {
    return fail(EINVAL, "ip6=: the router is not a unicast IPv6 address (" + IP6_USAGE + ")");
  }
  config.ipv6 = true;
  config.ipv6Static = true;
  config.ipv6High = high;
  config.ipv6Low = low;
  config.ipv6Prefix = <u32>prefix;
  config.ipv6RouterHigh = routerHigh;
  config.ipv6RouterLow = routerLow;
  return 0;
}
