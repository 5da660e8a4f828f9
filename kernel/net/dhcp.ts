// A DHCP client (RFC 2131) for a stack with no address yet: it finds a
// server, takes a lease and keeps it.
//
//   INIT -> SELECTING   DISCOVER broadcast (the reply asked broadcast too)
//   SELECTING -> REQUESTING   on the first OFFER: REQUEST for its address
//   REQUESTING -> BOUND  on ACK: address, prefix (option 1), gateway (3), lease (51),
//                        the first name server (6) unless ip=...,dns= named one
//   BOUND -> RENEWING    at T1 (half the lease): REQUEST to the server
//   RENEWING -> REBINDING at T2 (7/8): REQUEST broadcast
//   any -> SELECTING     when the lease runs out (the address goes)
//   any -> INIT          on NAK (the address goes); SELECTING again 2 s later
//
// Requests are sent again after 2 s, then 4, 8, 16 and 16 s; a REQUEST
// unanswered five times starts over. Replies are checked: the BOOTP reply
// op, Ethernet and our MAC, our transaction id, the magic cookie, and
// options that stay inside the message (a malformed one is dropped and
// counted, dhcp.malformed).
//
//    0 op | htype | hlen | hops     4 xid      8 secs | flags (0x8000 broadcast)
//   12 ciaddr  16 yiaddr  20 siaddr  24 giaddr  28 chaddr (16)  44 sname (64)  108 file (128)
//  236 magic cookie 99.130.83.99   240 options: code, length, value ...; 0 pad, 255 end

import { get8, get32, put8, put16, put32 } from "./buffers";
import { readMac, writeMac } from "./ethernet";
import { Stack } from "./stack";
import { UdpReceiver, udpBind, udpSend } from "./udp";
import { ipv4MappedLow, isIpv4Mapped } from "./ipv6-address";
import { BROADCAST_ADDRESS } from "./ipv4";
import { DHCP_MALFORMED, DHCP_LEASES } from "./counters";

export const DHCP_CLIENT_PORT: u32 = 68;
export const DHCP_SERVER_PORT: u32 = 67;
export const DHCP_INIT = 0;
export const DHCP_SELECTING = 1;
export const DHCP_REQUESTING = 2;
export const DHCP_BOUND = 3;
export const DHCP_RENEWING = 4;
export const DHCP_REBINDING = 5;

const SECOND: u64 = 1_000_000_000;
const FIRST_RETRY: u64 = 2 * SECOND;
const LAST_RETRY: u64 = 16 * SECOND;
const REQUEST_TRIES: u32 = 5;
const DEFAULT_LEASE: u32 = 3600;
const MESSAGE_BYTES: u32 = 300;
const OPTIONS: usize = 240;
const MAGIC: u32 = 0x63825363;
const DISCOVER: u32 = 1;
const OFFER: u32 = 2;
const REQUEST: u32 = 3;
const ACK: u32 = 5;
const NAK: u32 = 6;
const OPTION_PAD: u32 = 0;
const OPTION_MASK: u32 = 1;
const OPTION_ROUTER: u32 = 3;
const OPTION_DNS: u32 = 6;
const OPTION_REQUESTED: u32 = 50;
const OPTION_LEASE: u32 = 51;
const OPTION_TYPE: u32 = 53;
const OPTION_SERVER: u32 = 54;
const OPTION_PARAMETERS: u32 = 55;
const OPTION_END: u32 = 255;

/** What a reply's options said (0: absent). */
class ReplyOptions {
  type: u32 = 0;
  mask: u32 = 0;
  hasMask: bool = false;
  router: u32 = 0;
  lease: u32 = 0;
  server: u32 = 0;
  dns: u32 = 0;
}

export class DhcpClient extends UdpReceiver {
  state: i32 = DHCP_INIT;
  xid: u32;
  /** The offer taken, the server that made it. */
  offered: u32 = 0;
  server: u32 = 0;
  /** When to send again, or to move on (T1, T2, the lease's end). */
  deadline: u64 = 0;
  retry: u64 = FIRST_RETRY;
  tries: u32 = 0;
  leaseEnd: u64 = 0;
  rebindAt: u64 = 0;
  /** Where a message is built: the client's own 300 bytes. */
  message: usize;
  replies: ReplyOptions = new ReplyOptions();

  constructor(public stack: Stack) {
    super();
    this.xid = <u32>(stack.config.secret ^ (stack.config.secret >> 32)) ^ 0x5a5a_0000;
    this.message = heap.alloc(MESSAGE_BYTES);
  }

  /** Binds port 68 and sends the first DISCOVER: 0, or -errno. */
  start(): i32 {
    const bound = udpBind(this.stack, DHCP_CLIENT_PORT, this);
    if (bound < 0) return bound;
    this.restart();
    return 0;
  }

  get bound(): bool {
    return this.state >= DHCP_BOUND;
  }

  free(): void {
    heap.free(this.message);
    heap.free(changetype<usize>(this.replies));
  }

  /** Gives up the address (if any). */
  private drop(): void {
    const config = this.stack.config;
    if (config.address != 0) this.stack.changed();
    config.address = 0;
    config.gateway = 0;
  }

  private restart(): void {
    this.drop();
    this.state = DHCP_SELECTING;
    this.xid++;
    this.tries = 0;
    this.retry = FIRST_RETRY;
    this.send(DISCOVER, BROADCAST_ADDRESS);
  }

  runTimers(now: u64): void {
    if (this.deadline == 0 || now < this.deadline) return;
    const state = this.state;
    if (state == DHCP_INIT) {
      this.restart();
    } else if (state == DHCP_SELECTING) {
      this.send(DISCOVER, BROADCAST_ADDRESS);
    } else if (state == DHCP_REQUESTING) {
      if (this.tries >= REQUEST_TRIES) return this.restart();
      this.send(REQUEST, BROADCAST_ADDRESS);
    } else if (now >= this.leaseEnd && state >= DHCP_BOUND) {
      this.restart();
    } else if (state == DHCP_BOUND || state == DHCP_RENEWING && now < this.rebindAt) {
      this.state = DHCP_RENEWING;
      this.send(REQUEST, this.server);
      this.deadline = min<u64>(this.deadline, this.rebindAt);
    } else {
      this.state = DHCP_REBINDING;
      this.send(REQUEST, BROADCAST_ADDRESS);
      this.deadline = min<u64>(this.deadline, this.leaseEnd);
    }
  }

  /** Builds and sends one message, and sets the retry deadline. */
  private send(type: u32, to: u32): void {
    const stack = this.stack;
    const m = this.message;
    memory.fill(m, 0, MESSAGE_BYTES);
    put8(m, 1);
    put8(m + 1, 1);
    put8(m + 2, 6);
    put32(m + 4, this.xid);
    const renewing = this.state == DHCP_RENEWING || this.state == DHCP_REBINDING;
    if (!renewing) put16(m + 10, 0x8000); // answer by broadcast: we cannot take unicast yet
    if (renewing) put32(m + 12, stack.config.address);
    writeMac(m + 28, stack.mac);
    put32(m + 236, MAGIC);
    let at = m + OPTIONS;
    put8(at, OPTION_TYPE);
    put8(at + 1, 1);
    put8(at + 2, type);
    at += 3;
    if (type == REQUEST && !renewing) {
      put8(at, OPTION_REQUESTED);
      put8(at + 1, 4);
      put32(at + 2, this.offered);
      put8(at + 6, OPTION_SERVER);
      put8(at + 7, 4);
      put32(at + 8, this.server);
      at += 12;
    }
    put8(at, OPTION_PARAMETERS);
    put8(at + 1, 4);
    put8(at + 2, OPTION_MASK);
    put8(at + 3, OPTION_ROUTER);
    put8(at + 4, OPTION_LEASE);
    put8(at + 5, OPTION_DNS);
    put8(at + 6, OPTION_END);
    udpSend(stack, DHCP_CLIENT_PORT, 0, ipv4MappedLow(to), DHCP_SERVER_PORT, m, MESSAGE_BYTES);
    this.tries++;
    this.deadline = stack.clock.now() + this.retry;
    this.retry = min<u64>(this.retry * 2, LAST_RETRY);
  }

  receive(stack: Stack, sourceHigh: u64, sourceLow: u64, sourcePort: u32, port: u32, data: usize, length: u32): void {
    if (!isIpv4Mapped(sourceHigh, sourceLow)) return stack.counters.drop(DHCP_MALFORMED); // DHCP is IPv4's
    if (length < OPTIONS || get8(data) != 2 || get8(data + 1) != 1 || get8(data + 2) != 6 || get32(data + 236) != MAGIC) {
      return stack.counters.drop(DHCP_MALFORMED);
    }
    if (get32(data + 4) != this.xid || readMac(data + 28) != stack.mac) return; // another client's
    const o = this.replies;
    if (!this.readOptions(data, length, o)) return stack.counters.drop(DHCP_MALFORMED);
    const yiaddr = get32(data + 16);
    if (o.type == OFFER && this.state == DHCP_SELECTING) {
      if (yiaddr == 0 || o.server == 0) return stack.counters.drop(DHCP_MALFORMED);
      this.offered = yiaddr;
      this.server = o.server;
      this.state = DHCP_REQUESTING;
      this.tries = 0;
      this.retry = FIRST_RETRY;
      this.send(REQUEST, BROADCAST_ADDRESS);
    } else if (o.type == ACK && this.state >= DHCP_REQUESTING) {
      if (yiaddr == 0) return stack.counters.drop(DHCP_MALFORMED);
      this.bind(yiaddr, o);
    } else if (o.type == NAK && this.state >= DHCP_REQUESTING) {
      // Start over, after a pause: a server that refuses everything must not make us spin.
      this.drop();
      this.state = DHCP_INIT;
      this.deadline = stack.clock.now() + FIRST_RETRY;
    }
  }

  private bind(address: u32, o: ReplyOptions): void {
    const stack = this.stack;
    const config = stack.config;
    let prefix: u32 = 24;
    if (o.hasMask) prefix = <u32>popcnt<u32>(o.mask);
    if (prefix < 1 || prefix > 30) prefix = 24;
    config.address = address;
    config.prefix = prefix;
    config.gateway = o.router != 0 && config.onLink(o.router) ? o.router : 0;
    if (o.server != 0) this.server = o.server;
    if (o.dns != 0 && !config.dnsGiven) config.dnsServer = o.dns; // ip=...,dns= wins over the lease's
    const lease = <u64>(o.lease == 0 ? DEFAULT_LEASE : o.lease) * SECOND;
    const now = stack.clock.now();
    this.state = DHCP_BOUND;
    this.leaseEnd = now + lease;
    this.rebindAt = now + lease / 8 * 7;
    this.deadline = now + lease / 2;
    this.tries = 0;
    this.retry = FIRST_RETRY;
    stack.counters.bump(DHCP_LEASES);
    stack.changed();
  }

  /** Reads the options into `o`; false when one runs past the message. */
  private readOptions(data: usize, length: u32, o: ReplyOptions): bool {
    o.type = 0;
    o.hasMask = false;
    o.router = 0;
    o.lease = 0;
    o.server = 0;
    o.dns = 0;
    let at: u32 = <u32>OPTIONS;
    while (at < length) {
      const code = get8(data + at);
      if (code == OPTION_END) return o.type != 0;
      if (code == OPTION_PAD) {
        at++;
        continue;
      }
      if (at + 1 >= length) return false;
      const size = get8(data + at + 1);
      const value = data + at + 2;
      if (at + 2 + size > length) return false;
      if (code == OPTION_TYPE && size == 1) o.type = get8(value);
      else if (code == OPTION_MASK && size == 4) {
        o.mask = get32(value);
        o.hasMask = true;
      } else if (code == OPTION_ROUTER && size >= 4) o.router = get32(value);
      else if (code == OPTION_LEASE && size == 4) o.lease = get32(value);
      else if (code == OPTION_SERVER && size == 4) o.server = get32(value);
      else if (code == OPTION_DNS && size >= 4) o.dns = get32(value);
      at += 2 + size;
    }
    return o.type != 0; // no end option, but nothing ran over
  }
}
