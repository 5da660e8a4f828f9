// The stack's counters: what came in and went out, and why every dropped
// frame or segment was dropped (one reason each; `dropped` is their sum).
// Tests read them by index, a report by name (counterName).

// Traffic.
export const FRAMES_IN = 0;
export const FRAMES_OUT = 1;
export const TCP_SEGMENTS_IN = 2;
export const TCP_SEGMENTS_OUT = 3;
export const TCP_RETRANSMIT_TIMEOUTS = 4;
export const TCP_FAST_RETRANSMITS = 5;
export const TCP_PROBES = 6;
export const TCP_RESETS_SENT = 7;
export const TCP_RESETS_RECEIVED = 8;
export const TCP_OUT_OF_ORDER = 9;
export const TCP_ABORTS = 10;
export const TCP_SYN_QUEUE_OVERFLOW = 11;
export const ARP_REQUESTS_SENT = 12;
export const ARP_REPLIES_SENT = 13;
export const ICMP_ECHOES_ANSWERED = 14;
export const ICMP_ECHO_REPLIES = 15;
export const UDP_DELIVERED = 16;
export const TCP_DELAYED_ACKS = 17;
export const DHCP_LEASES = 18;
// Drop reasons (each also counts in DROPPED).
export const DROPPED = 19;
export const ETHERNET_TRUNCATED = 20;
export const ETHERNET_NOT_FOR_US = 21;
export const ETHERNET_UNKNOWN_TYPE = 22;
export const ARP_MALFORMED = 23;
export const ARP_NOT_FOR_US = 24;
export const ARP_UNRESOLVED = 25;
export const ARP_QUEUE_FULL = 26;
export const IP_TRUNCATED = 27;
export const IP_BAD_VERSION = 28;
export const IP_BAD_HEADER_LENGTH = 29;
export const IP_BAD_LENGTH = 30;
export const IP_BAD_CHECKSUM = 31;
export const IP_TTL_ZERO = 32;
export const IP_FRAGMENT = 33;
export const IP_NOT_FOR_US = 34;
export const IP_UNKNOWN_PROTOCOL = 35;
export const IP_NO_ROUTE = 36;
export const ICMP_TRUNCATED = 37;
export const ICMP_BAD_CHECKSUM = 38;
export const ICMP_UNHANDLED = 39;
export const UDP_TRUNCATED = 40;
export const UDP_BAD_LENGTH = 41;
export const UDP_BAD_CHECKSUM = 42;
export const UDP_NO_PORT = 43;
export const TCP_TRUNCATED = 44;
export const TCP_BAD_HEADER_LENGTH = 45;
export const TCP_BAD_CHECKSUM = 46;
export const TCP_BAD_OPTION = 47;
export const TCP_BAD_ADDRESS = 48;
export const TCP_NO_LISTENER = 49;
export const TCP_OUTSIDE_WINDOW = 50;
export const TCP_BAD_ACK = 51;
export const TCP_BAD_FLAGS = 52;
export const TCP_BACKLOG_FULL = 53;
export const TCP_OUT_OF_ORDER_FULL = 54;
export const TCP_AFTER_CLOSE = 55;
export const NO_BUFFER = 56;
export const TRANSMIT_FAILED = 57;
export const DHCP_MALFORMED = 58;
export const UDP_QUEUE_FULL = 59;
export const UDP_WRONG_PEER = 60;
// IPv6 neighbor discovery (nd.ts): traffic, then drop reasons.
export const ND_SOLICITATIONS_SENT = 61;
export const ND_ADVERTISEMENTS_SENT = 62;
export const ND_ROUTER_SOLICITATIONS_SENT = 63;
export const ND_ROUTER_ADVERTISEMENTS = 64;
export const ND_ADDRESSES_CONFIGURED = 65;
export const ND_MALFORMED = 66;
export const ND_UNRESOLVED = 67;
export const ND_QUEUE_FULL = 68;
export const ND_DUPLICATE_ADDRESS = 69;
export const COUNTER_COUNT = 70;

const NAMES: StaticArray<string> = [
  "frames.in", "frames.out", "tcp.segments.in", "tcp.segments.out", "tcp.retransmit.timeouts",
  "tcp.fast.retransmits", "tcp.probes", "tcp.resets.sent", "tcp.resets.received", "tcp.out.of.order",
  "tcp.aborts", "tcp.syn.queue.overflow", "arp.requests.sent", "arp.replies.sent", "icmp.echoes.answered",
  "icmp.echo.replies", "udp.delivered", "tcp.delayed.acks", "dhcp.leases", "dropped",
  "ethernet.truncated", "ethernet.not.for.us", "ethernet.unknown.type",
  "arp.malformed", "arp.not.for.us", "arp.unresolved", "arp.queue.full",
  "ip.truncated", "ip.bad.version", "ip.bad.header.length", "ip.bad.length", "ip.bad.checksum", "ip.ttl.zero",
  "ip.fragment", "ip.not.for.us", "ip.unknown.protocol", "ip.no.route",
  "icmp.truncated", "icmp.bad.checksum", "icmp.unhandled",
  "udp.truncated", "udp.bad.length", "udp.bad.checksum", "udp.no.port",
  "tcp.truncated", "tcp.bad.header.length", "tcp.bad.checksum", "tcp.bad.option", "tcp.bad.address",
  "tcp.no.listener", "tcp.outside.window", "tcp.bad.ack", "tcp.bad.flags", "tcp.backlog.full",
  "tcp.out.of.order.full", "tcp.after.close", "no.buffer", "transmit.failed", "dhcp.malformed",
  "udp.queue.full", "udp.wrong.peer",
  "nd.solicitations.sent", "nd.advertisements.sent", "nd.router.solicitations.sent", "nd.router.advertisements",
  "nd.addresses.configured", "nd.malformed", "nd.unresolved", "nd.queue.full", "nd.duplicate.address",
];

/** The counter's name, as a report prints it ("ip.bad.checksum"). */
export function counterName(index: i32): string {
  return index >= 0 && index < COUNTER_COUNT ? NAMES[index] : "";
}

export class Counters {
  values: StaticArray<u64> = new StaticArray<u64>(COUNTER_COUNT);

  constructor() {
    // The kernel's runtime does not clear new blocks, nor does StaticArray under it.
    memory.fill(changetype<usize>(this.values), 0, <usize>COUNTER_COUNT << 3);
  }

  get(index: i32): u64 {
    return this.values[index];
  }

  bump(index: i32): void {
    this.values[index]++;
  }

  /** Counts a drop for `reason` (and in DROPPED). */
  drop(reason: i32): void {
    this.values[reason]++;
    this.values[DROPPED]++;
  }

  free(): void {
    heap.free(changetype<usize>(this.values));
  }
}
