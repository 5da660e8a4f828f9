// IPv6 neighbor discovery (RFC 4861) and stateless address
// autoconfiguration (RFC 4862) for one interface: its addresses, its
// default router, and the cache of its neighbors' MAC addresses
// (neighbors.ts, asked with neighbor solicitations).
//
//   link-local   fe80:: and the MAC's modified EUI-64 identifier, from the start
//   global       a router advertisement's /64 prefix with the A flag, and the same identifier
//   router       the advertisement's (link-local) source, while its router lifetime lasts
//   static       ip6=ADDR/PREFIX[,ROUTER] gives the global address (and router) instead
//
// At start the interface probes its link-local address (duplicate address
// detection: a neighbor solicitation from the unspecified address carrying
// a random nonce, RFC 7527, so that a probe looped back is known for ours)
// and asks for routers (a router solicitation, up to three, four seconds
// apart, until an advertisement comes). Addresses are used at once
// (optimistic, RFC 4429): a neighbor advertising one of them, or probing
// for it, is counted as a duplicate (nd.duplicate.address); a global
// address is then given up, a link-local one is defended.
//
// Messages (after the ICMPv6 type, code and checksum; options follow):
//   133 router solicitation     4 reserved                                  options from 8
//   134 router advertisement    hop limit, flags, router lifetime 2, reachable 4, retrans 4   options from 16
//   135 neighbor solicitation   4 reserved, target 16                       options from 24
//   136 neighbor advertisement  flags (R S O) and 3 reserved, target 16     options from 24
// Options: type, length in units of 8 bytes (0 is malformed), data:
//   1 source link-layer address, 2 target link-layer address (6 bytes each),
//   3 prefix information (prefix length, flags L A, valid and preferred lifetimes, 4 reserved, prefix 16),
//   14 nonce.
// Every message must come with hop limit 255 (from the link itself) and
// code 0, and be long enough for its fields and options; else it is dropped
// and counted (nd.malformed).

import { get8, get16, get32, put8, put16, put32 } from "./buffers";
import { MacAddress } from "./device";
import { readMac, writeMac } from "./ethernet";
import { Stack } from "./stack";
import { Neighbor, NeighborCache } from "./neighbors";
import { sendIcmpv6 } from "./icmpv6";
import { IP6_PAYLOAD, HOP_LIMIT, SOURCE, DESTINATION } from "./ipv6";
import {
  LINK_LOCAL_HIGH, LINK_MULTICAST_HIGH, ALL_NODES_LOW, ALL_ROUTERS_LOW, loadHigh, loadLow, storeAddress, isMulticast, isLinkLocal,
  isUnspecified, interfaceId, solicitedNodeLow, multicastMac,
} from "./ipv6-address";
import {
  ND_MALFORMED, ND_UNRESOLVED, ND_QUEUE_FULL, ND_SOLICITATIONS_SENT, ND_ADVERTISEMENTS_SENT, ND_ROUTER_SOLICITATIONS_SENT,
  ND_ROUTER_ADVERTISEMENTS, ND_ADDRESSES_CONFIGURED, ND_DUPLICATE_ADDRESS, ICMP_UNHANDLED,
} from "./counters";

const SECOND: u64 = 1_000_000_000;
const ROUTER_SOLICITATIONS: u32 = 3;
const ROUTER_SOLICITATION_INTERVAL: u64 = 4 * SECOND;
const ND_HOP_LIMIT: u32 = 255;
const INFINITE_LIFETIME: u32 = 0xffff_ffff;

const ROUTER_SOLICITATION: u32 = 133;
const ROUTER_ADVERTISEMENT: u32 = 134;
const NEIGHBOR_SOLICITATION: u32 = 135;
const NEIGHBOR_ADVERTISEMENT: u32 = 136;
const RS_OPTIONS: u32 = 8;
const RA_OPTIONS: u32 = 16;
const NEIGHBOR_OPTIONS: u32 = 24;
const TARGET: usize = 8;
const ROUTER_LIFETIME: usize = 6;
const FLAG_ROUTER: u32 = 0x80;
const FLAG_SOLICITED: u32 = 0x40;
const FLAG_OVERRIDE: u32 = 0x20;

const OPTION_SOURCE_MAC: u32 = 1;
const OPTION_TARGET_MAC: u32 = 2;
const OPTION_PREFIX: u32 = 3;
const OPTION_NONCE: u32 = 14;
const PREFIX_OPTION_BYTES: u32 = 32;
const PREFIX_AUTONOMOUS: u32 = 0x40;

/** What a message's options held (read by readOptions). */
class Options {
  sourceMac: MacAddress = 0;
  targetMac: MacAddress = 0;
  /** Offset of the first usable prefix information option, or 0. */
  prefix: u32 = 0;
  nonce: u64 = 0;
}

/** The first `bits` (1-64) bits of a half as ipv6-address.ts loads it. */
function prefixMask(bits: u32): u64 {
  return bswap<u64>(<u64>-1 << (64 - <u64>bits));
}

/** writeAddress's addresses. */
export const IPV6_LINK_LOCAL: u32 = 0;
export const IPV6_GLOBAL: u32 = 1;
export const IPV6_ROUTER: u32 = 2;

export class NeighborDiscovery extends NeighborCache {
  linkLocalLow: u64;
  /** The global address (0, 0 until a router advertises a prefix) and when it expires (u64.MAX_VALUE: never). */
  globalHigh: u64 = 0;
  globalLow: u64 = 0;
  globalUntil: u64 = 0;
  /** The global address's prefix length: 64 from an advertisement, ip6='s when static. */
  globalPrefix: u32 = 64;
  /** The default router (link-local) and when its lifetime ends (0: none). */
  routerHigh: u64 = 0;
  routerLow: u64 = 0;
  routerUntil: u64 = 0;
  /** Router solicitations sent, and when the next is due (0: none). */
  solicitations: u32 = 0;
  solicitAt: u64 = 0;

  /** Whether it is still asking for routers, none having answered yet. */
  get solicitingRouters(): bool {
    return this.solicitAt != 0;
  }
  /** The nonce of our duplicate address probes. */
  nonce: u64;
  options: Options = new Options();

  constructor(stack: Stack) {
    super(stack, ND_UNRESOLVED, ND_QUEUE_FULL);
    this.linkLocalLow = interfaceId(stack.mac);
    this.nonce = (stack.config.secret ^ 0x5a5a_5a5a_5a5a) & 0xffff_ffff_ffff;
    const config = stack.config;
    if (config.ipv6Static) {
      this.globalHigh = config.ipv6High;
      this.globalLow = config.ipv6Low;
      this.globalUntil = u64.MAX_VALUE;
      this.globalPrefix = config.ipv6Prefix;
      if ((config.ipv6RouterHigh | config.ipv6RouterLow) != 0) {
        this.routerHigh = config.ipv6RouterHigh;
        this.routerLow = config.ipv6RouterLow;
        this.routerUntil = u64.MAX_VALUE;
      }
    }
  }

  /** Probes our addresses, and asks for routers unless ip6= gave one. */
  start(): void {
    this.probe(this.linkLocalLow, LINK_LOCAL_HIGH);
    if (this.globalHigh != 0) this.probe(this.globalLow, this.globalHigh);
    if (this.routerUntil != u64.MAX_VALUE) this.solicitRouters(this.stack.clock.now());
  }

  /** Whether a packet to (high, low) is for us: one of our addresses, the all-nodes group, or one of their solicited-node groups. */
  accepts(high: u64, low: u64): bool {
    if (high == LINK_MULTICAST_HIGH) {
      return low == ALL_NODES_LOW || low == solicitedNodeLow(this.linkLocalLow) || (this.globalHigh != 0 && low == solicitedNodeLow(this.globalLow));
    }
    return this.isOurs(high, low);
  }

  /** Whether a frame to the multicast MAC `mac` is for one of the groups accepts() takes. */
  acceptsMac(mac: MacAddress): bool {
    return mac == multicastMac(ALL_NODES_LOW) || mac == multicastMac(solicitedNodeLow(this.linkLocalLow)) ||
      (this.globalHigh != 0 && mac == multicastMac(solicitedNodeLow(this.globalLow)));
  }

  isOurs(high: u64, low: u64): bool {
    return (high == LINK_LOCAL_HIGH && low == this.linkLocalLow) || (this.globalHigh != 0 && high == this.globalHigh && low == this.globalLow);
  }

  /** Whether (high, low) is in the global address's prefix: reached without the router. */
  onLink(high: u64, low: u64): bool {
    if (this.globalHigh == 0) return false;
    const bits = this.globalPrefix;
    if (bits <= 64) return ((high ^ this.globalHigh) & prefixMask(bits)) == 0;
    return high == this.globalHigh && ((low ^ this.globalLow) & prefixMask(bits - 64)) == 0;
  }

  hasRouter(): bool {
    return this.routerUntil != 0;
  }

  /** Writes address `which` (IPV6_LINK_LOCAL, IPV6_GLOBAL, IPV6_ROUTER) as 16 bytes at `into`; whether there is one. */
  writeAddress(which: u32, into: usize): bool {
    if (which == IPV6_LINK_LOCAL) storeAddress(into, LINK_LOCAL_HIGH, this.linkLocalLow);
    else if (which == IPV6_GLOBAL) storeAddress(into, this.globalHigh, this.globalLow);
    else storeAddress(into, this.routerHigh, this.routerLow);
    return which == IPV6_LINK_LOCAL || (which == IPV6_GLOBAL ? this.globalHigh != 0 : this.hasRouter());
  }

  /** The source address for a destination: the global one beyond the link, else the link-local one. */
  sourceHigh(destinationHigh: u64): u64 {
    return this.useGlobal(destinationHigh) ? this.globalHigh : LINK_LOCAL_HIGH;
  }

  sourceLow(destinationHigh: u64): u64 {
    return this.useGlobal(destinationHigh) ? this.globalLow : this.linkLocalLow;
  }

  private useGlobal(destinationHigh: u64): bool {
    return this.globalHigh != 0 && !isLinkLocal(destinationHigh) && !isMulticast(destinationHigh);
  }

  /** A neighbor discovery message (ICMPv6 type 133-137) of `length` bytes at `packet`, in the packet whose header is at `header`. */
  input(type: u32, header: usize, packet: usize, length: u32): void {
    const counters = this.stack.counters;
    if (get8(header + HOP_LIMIT) != ND_HOP_LIMIT || get8(packet + 1) != 0) return counters.drop(ND_MALFORMED);
    if (type == ROUTER_ADVERTISEMENT) return this.routerAdvertisement(header, packet, length);
    if (type == NEIGHBOR_SOLICITATION) return this.neighborSolicitation(header, packet, length);
    if (type == NEIGHBOR_ADVERTISEMENT) return this.neighborAdvertisement(header, packet, length);
    counters.drop(ICMP_UNHANDLED); // router solicitations (we route nothing) and redirects
  }

  private routerAdvertisement(header: usize, packet: usize, length: u32): void {
    const stack = this.stack;
    const sourceHigh = loadHigh(header + SOURCE);
    const sourceLow = loadLow(header + SOURCE);
    if (length < RA_OPTIONS || !isLinkLocal(sourceHigh) || !this.readOptions(packet, RA_OPTIONS, length)) return stack.counters.drop(ND_MALFORMED);
    stack.counters.bump(ND_ROUTER_ADVERTISEMENTS);
    const now = stack.clock.now();
    if (this.solicitAt != 0) stack.changed(); // calls waiting for a route (index.ts) look again
    this.solicitAt = 0;
    const options = this.options;
    if (options.sourceMac != 0) this.learn(sourceHigh, sourceLow, options.sourceMac, true);
    const lifetime = get16(packet + ROUTER_LIFETIME);
    if (this.routerUntil == u64.MAX_VALUE) {
      // ip6= named the router: advertisements do not replace it
    } else if (lifetime != 0) {
      this.routerHigh = sourceHigh;
      this.routerLow = sourceLow;
      this.routerUntil = now + <u64>lifetime * SECOND;
    } else if (this.routerHigh == sourceHigh && this.routerLow == sourceLow) {
      this.routerUntil = 0;
    }
    if (options.prefix != 0) this.takePrefix(packet + options.prefix, now);
  }

  /** A prefix information option (checked by readOptions): a /64 with the A flag gives the global address. */
  private takePrefix(option: usize, now: u64): void {
    if (this.stack.config.ipv6Static) return;
    const prefixHigh = loadHigh(option + 16);
    const valid = get32(option + 4);
    if (get8(option + 2) != 64 || (get8(option + 3) & PREFIX_AUTONOMOUS) == 0 || valid < get32(option + 8)) return;
    if (isLinkLocal(prefixHigh) || isMulticast(prefixHigh)) return;
    if (this.globalHigh != 0 && this.globalHigh != prefixHigh) return; // one global address
    const fresh = this.globalHigh == 0;
    if (valid == 0) {
      if (!fresh) this.globalUntil = now; // RFC 4862 5.5.3 e) would keep it two hours; a unikernel's lease is short
      return;
    }
    this.globalHigh = prefixHigh;
    this.globalLow = this.linkLocalLow;
    this.globalUntil = valid == INFINITE_LIFETIME ? u64.MAX_VALUE : now + <u64>valid * SECOND;
    if (fresh) {
      this.stack.counters.bump(ND_ADDRESSES_CONFIGURED);
      this.stack.changed();
      this.probe(this.globalLow, this.globalHigh);
    }
  }

  private neighborSolicitation(header: usize, packet: usize, length: u32): void {
    const stack = this.stack;
    const counters = stack.counters;
    if (length < NEIGHBOR_OPTIONS || !this.readOptions(packet, NEIGHBOR_OPTIONS, length)) return counters.drop(ND_MALFORMED);
    const targetHigh = loadHigh(packet + TARGET);
    const targetLow = loadLow(packet + TARGET);
    const sourceHigh = loadHigh(header + SOURCE);
    const sourceLow = loadLow(header + SOURCE);
    const probe = isUnspecified(sourceHigh, sourceLow);
    const options = this.options;
    if (isMulticast(targetHigh) || (probe && (options.sourceMac != 0 || loadHigh(header + DESTINATION) != LINK_MULTICAST_HIGH))) {
      return counters.drop(ND_MALFORMED);
    }
    if (!this.isOurs(targetHigh, targetLow)) return counters.drop(ICMP_UNHANDLED);
    if (probe) {
      if (options.nonce == this.nonce) return; // our own probe, looped back
      counters.bump(ND_DUPLICATE_ADDRESS);
      if (this.conflict(targetHigh, targetLow)) return;
      this.advertise(targetHigh, targetLow, LINK_MULTICAST_HIGH, ALL_NODES_LOW, FLAG_OVERRIDE);
      return;
    }
    if (options.sourceMac != 0) this.learn(sourceHigh, sourceLow, options.sourceMac, true);
    this.advertise(targetHigh, targetLow, sourceHigh, sourceLow, FLAG_SOLICITED | FLAG_OVERRIDE);
  }

  private neighborAdvertisement(header: usize, packet: usize, length: u32): void {
    const counters = this.stack.counters;
    if (length < NEIGHBOR_OPTIONS || !this.readOptions(packet, NEIGHBOR_OPTIONS, length)) return counters.drop(ND_MALFORMED);
    const targetHigh = loadHigh(packet + TARGET);
    const targetLow = loadLow(packet + TARGET);
    const solicited = (get8(packet + 4) & FLAG_SOLICITED) != 0;
    if (isMulticast(targetHigh) || (solicited && isMulticast(loadHigh(header + DESTINATION)))) return counters.drop(ND_MALFORMED);
    if (this.isOurs(targetHigh, targetLow)) {
      counters.bump(ND_DUPLICATE_ADDRESS);
      this.conflict(targetHigh, targetLow);
      return;
    }
    const mac = this.options.targetMac;
    if (mac != 0) this.learn(targetHigh, targetLow, mac, false);
  }

  /** Another node has (or wants) our address: a global one is given up (true); a link-local one is kept and defended. */
  private conflict(high: u64, low: u64): bool {
    if (high == LINK_LOCAL_HIGH && low == this.linkLocalLow) return false;
    this.dropGlobal();
    return true;
  }

  private dropGlobal(): void {
    this.globalHigh = 0;
    this.globalLow = 0;
    this.globalUntil = 0;
  }

  /**
   * Reads the options from `offset` to `length` into this.options; false
   * when one is malformed (length 0, past the end, a link-layer address not
   * 8 bytes, a prefix option not 32).
   */
  private readOptions(packet: usize, offset: u32, length: u32): bool {
    const options = this.options;
    options.sourceMac = 0;
    options.targetMac = 0;
    options.prefix = 0;
    options.nonce = 0;
    while (offset < length) {
      if (length - offset < 2) return false;
      const type = get8(packet + offset);
      const bytes = get8(packet + offset + 1) << 3;
      if (bytes == 0 || bytes > length - offset) return false;
      const at = packet + offset;
      if (type == OPTION_SOURCE_MAC || type == OPTION_TARGET_MAC) {
        if (bytes != 8) return false;
        const mac = readMac(at + 2);
        if (mac == 0 || (mac >> 40) & 1) return false; // a multicast or zero MAC is no neighbor's
        if (type == OPTION_SOURCE_MAC) options.sourceMac = mac;
        else options.targetMac = mac;
      } else if (type == OPTION_PREFIX) {
        if (bytes != PREFIX_OPTION_BYTES) return false;
        if (options.prefix == 0) options.prefix = offset;
      } else if (type == OPTION_NONCE && bytes == 8) {
        options.nonce = (<u64>get16(at + 2) << 32) | <u64>get32(at + 4);
      }
      offset += bytes;
    }
    return true;
  }

  /** Asks for the MAC of a neighbor (neighbors.ts calls this). */
  solicit(entry: Neighbor): void {
    const packet = this.stack.frame + IP6_PAYLOAD;
    this.writeSolicitation(packet, entry.high, entry.low);
    put8(packet + NEIGHBOR_OPTIONS, OPTION_SOURCE_MAC);
    put8(packet + NEIGHBOR_OPTIONS + 1, 1);
    writeMac(packet + NEIGHBOR_OPTIONS + 2, this.stack.mac);
    this.stack.counters.bump(ND_SOLICITATIONS_SENT);
    sendIcmpv6(this.stack, this.sourceHigh(entry.high), this.sourceLow(entry.high), LINK_MULTICAST_HIGH, solicitedNodeLow(entry.low), NEIGHBOR_OPTIONS + 8, ND_HOP_LIMIT);
  }

  /** Duplicate address detection's probe for one of our addresses: from ::, with our nonce. */
  private probe(low: u64, high: u64): void {
    const packet = this.stack.frame + IP6_PAYLOAD;
    this.writeSolicitation(packet, high, low);
    put8(packet + NEIGHBOR_OPTIONS, OPTION_NONCE);
    put8(packet + NEIGHBOR_OPTIONS + 1, 1);
    put16(packet + NEIGHBOR_OPTIONS + 2, <u32>(this.nonce >> 32));
    put32(packet + NEIGHBOR_OPTIONS + 4, <u32>this.nonce);
    this.stack.counters.bump(ND_SOLICITATIONS_SENT);
    sendIcmpv6(this.stack, 0, 0, LINK_MULTICAST_HIGH, solicitedNodeLow(low), NEIGHBOR_OPTIONS + 8, ND_HOP_LIMIT);
  }

  private writeSolicitation(packet: usize, targetHigh: u64, targetLow: u64): void {
    put8(packet, NEIGHBOR_SOLICITATION);
    put8(packet + 1, 0);
    put32(packet + 4, 0);
    storeAddress(packet + TARGET, targetHigh, targetLow);
  }

  /** A neighbor advertisement for our address (targetHigh, targetLow) to (high, low), with our MAC. */
  private advertise(targetHigh: u64, targetLow: u64, high: u64, low: u64, flags: u32): void {
    const packet = this.stack.frame + IP6_PAYLOAD;
    put8(packet, NEIGHBOR_ADVERTISEMENT);
    put8(packet + 1, 0);
    put32(packet + 4, flags << 24);
    storeAddress(packet + TARGET, targetHigh, targetLow);
    put8(packet + NEIGHBOR_OPTIONS, OPTION_TARGET_MAC);
    put8(packet + NEIGHBOR_OPTIONS + 1, 1);
    writeMac(packet + NEIGHBOR_OPTIONS + 2, this.stack.mac);
    this.stack.counters.bump(ND_ADVERTISEMENTS_SENT);
    sendIcmpv6(this.stack, targetHigh, targetLow, high, low, NEIGHBOR_OPTIONS + 8, ND_HOP_LIMIT);
  }

  private solicitRouters(now: u64): void {
    if (this.solicitations >= ROUTER_SOLICITATIONS) {
      this.solicitAt = 0;
      this.stack.changed(); // no router answered: calls waiting for one give up
      return;
    }
    this.solicitations++;
    this.solicitAt = now + ROUTER_SOLICITATION_INTERVAL;
    const packet = this.stack.frame + IP6_PAYLOAD;
    put8(packet, ROUTER_SOLICITATION);
    put8(packet + 1, 0);
    put32(packet + 4, 0);
    put8(packet + RS_OPTIONS, OPTION_SOURCE_MAC);
    put8(packet + RS_OPTIONS + 1, 1);
    writeMac(packet + RS_OPTIONS + 2, this.stack.mac);
    this.stack.counters.bump(ND_ROUTER_SOLICITATIONS_SENT);
    sendIcmpv6(this.stack, LINK_LOCAL_HIGH, this.linkLocalLow, LINK_MULTICAST_HIGH, ALL_ROUTERS_LOW, RS_OPTIONS + 8, ND_HOP_LIMIT);
  }

  nextDeadline(): u64 {
    let deadline = super.nextDeadline();
    if (this.solicitAt != 0 && this.solicitAt < deadline) deadline = this.solicitAt;
    if (this.routerUntil != 0 && this.routerUntil < deadline) deadline = this.routerUntil;
    if (this.globalHigh != 0 && this.globalUntil < deadline) deadline = this.globalUntil;
    return deadline;
  }

  runTimers(now: u64): void {
    super.runTimers(now);
    if (this.solicitAt != 0 && now >= this.solicitAt) this.solicitRouters(now);
    if (this.routerUntil != 0 && now >= this.routerUntil) this.routerUntil = 0;
    if (this.globalHigh != 0 && now >= this.globalUntil) this.dropGlobal();
  }
}
