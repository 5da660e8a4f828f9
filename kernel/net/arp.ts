// ARP (RFC 826): IPv4 addresses to MAC addresses on the local network.
//
//    0 +---------------------+
//      | hardware type 1   2 |   Ethernet
//    2 | protocol 0x0800   2 |   IPv4
//    4 | hlen 6 | plen 4     |
//    6 | operation         2 |   1 request, 2 reply
//    8 | sender MAC        6 |
//   14 | sender IPv4       4 |
//   18 | target MAC        6 |
//   24 | target IPv4       4 |
//   28 +---------------------+
//
// The cache and its timers are neighbors.ts's (ARP asks again every second,
// three times; an answer lasts a minute). Requests for our address are
// answered, and teach us the asker's address (RFC 826's merge: a sender
// already cached is refreshed by any packet, a new one is added only when
// the packet was for us).

import { get16, get32, put16, put32, get8 } from "./buffers";
import { ETHERNET_HEADER, ETHERTYPE_ARP, BROADCAST_MAC, readMac, writeMac, writeEthernetHeader } from "./ethernet";
import { MacAddress } from "./device";
import { Stack } from "./stack";
import { Neighbor, NeighborCache } from "./neighbors";
import { ARP_MALFORMED, ARP_NOT_FOR_US, ARP_UNRESOLVED, ARP_QUEUE_FULL, ARP_REQUESTS_SENT, ARP_REPLIES_SENT } from "./counters";

export const ARP_PACKET: u32 = 28;
const HARDWARE: usize = 0;
const PROTOCOL: usize = 2;
const LENGTHS: usize = 4;
const OPERATION: usize = 6;
const SENDER_MAC: usize = 8;
const SENDER_IP: usize = 14;
const TARGET_MAC: usize = 18;
const TARGET_IP: usize = 24;
const OP_REQUEST: u32 = 1;
const OP_REPLY: u32 = 2;

export class ArpCache extends NeighborCache {
  constructor(stack: Stack) {
    super(stack, ARP_UNRESOLVED, ARP_QUEUE_FULL);
  }

  /** The MAC for `address` if cached and resolved, else 0. */
  lookupAddress(address: u32): MacAddress {
    return this.lookup(0, <u64>address);
  }

  /**
   * Sends the frame (its Ethernet header written but for the destination) to
   * `nextHop`: at once if its address is known, else after asking for it.
   */
  send(nextHop: u32, frame: usize, length: u32): void {
    this.sendTo(0, <u64>nextHop, frame, length);
  }

  /** An ARP packet of `length` bytes at `packet`. */
  input(packet: usize, length: u32): void {
    const stack = this.stack;
    if (length < ARP_PACKET || get16(packet + HARDWARE) != 1 || get16(packet + PROTOCOL) != 0x0800 ||
        get8(packet + LENGTHS) != 6 || get8(packet + LENGTHS + 1) != 4) {
      return stack.counters.drop(ARP_MALFORMED);
    }
    const operation = get16(packet + OPERATION);
    if (operation != OP_REQUEST && operation != OP_REPLY) return stack.counters.drop(ARP_MALFORMED);
    const senderMac = readMac(packet + SENDER_MAC);
    const senderIp = get32(packet + SENDER_IP);
    const targetIp = get32(packet + TARGET_IP);
    if (senderMac == BROADCAST_MAC || senderMac == 0 || (senderMac >> 40) & 1) return stack.counters.drop(ARP_MALFORMED);
    const forUs = targetIp == stack.config.address;
    this.learn(0, <u64>senderIp, senderMac, forUs && senderIp != 0 && senderIp != stack.config.address);
    if (!forUs) return stack.counters.drop(ARP_NOT_FOR_US);
    if (operation == OP_REQUEST) this.reply(senderMac, senderIp);
  }

  solicit(entry: Neighbor): void {
    this.stack.counters.bump(ARP_REQUESTS_SENT);
    this.emit(OP_REQUEST, BROADCAST_MAC, 0, <u32>entry.low);
  }

  private reply(mac: MacAddress, address: u32): void {
    this.stack.counters.bump(ARP_REPLIES_SENT);
    this.emit(OP_REPLY, mac, mac, address);
  }

  private emit(operation: u32, frameTo: MacAddress, targetMac: MacAddress, targetIp: u32): void {
    const stack = this.stack;
    const frame = stack.frame;
    const packet = frame + ETHERNET_HEADER;
    writeEthernetHeader(frame, frameTo, stack.mac, ETHERTYPE_ARP);
    put16(packet + HARDWARE, 1);
    put16(packet + PROTOCOL, 0x0800);
    store<u8>(packet + LENGTHS, 6);
    store<u8>(packet + LENGTHS + 1, 4);
    put16(packet + OPERATION, operation);
    writeMac(packet + SENDER_MAC, stack.mac);
    put32(packet + SENDER_IP, stack.config.address);
    writeMac(packet + TARGET_MAC, targetMac);
    put32(packet + TARGET_IP, targetIp);
    stack.transmit(frame, ETHERNET_HEADER + ARP_PACKET);
  }
}
