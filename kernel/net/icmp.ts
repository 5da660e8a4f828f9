// ICMP (RFC 792): echo requests to our address are answered (unless they
// come from a broadcast, multicast or unspecified source); echo replies are
// counted (for ping from a test or a self-test); other messages are dropped
// and counted.
//
//    0 | type | code | checksum 2 | identifier 2 | sequence 2 | data ...
//    8: type 8 echo request, 0 echo reply
//
// No error messages are sent (no port unreachable, no time exceeded).

import { get8, get16, put8, put16, checksumAdd, checksumFinish } from "./buffers";
import { Stack } from "./stack";
import { ipv4Send, IP_PAYLOAD, IP_HEADER, PROTOCOL_ICMP, BROADCAST_ADDRESS } from "./ipv4";
import { ICMP_TRUNCATED, ICMP_BAD_CHECKSUM, ICMP_UNHANDLED, ICMP_ECHOES_ANSWERED, ICMP_ECHO_REPLIES } from "./counters";

const ICMP_HEADER: u32 = 8;
const TYPE: usize = 0;
const CODE: usize = 1;
const CHECKSUM: usize = 2;
const IDENTIFIER: usize = 4;
const SEQUENCE: usize = 6;
const ECHO_REPLY: u32 = 0;
const ECHO_REQUEST: u32 = 8;

export function icmpInput(stack: Stack, source: u32, destination: u32, packet: usize, length: u32): void {
  const counters = stack.counters;
  if (length < ICMP_HEADER) return counters.drop(ICMP_TRUNCATED);
  if (checksumFinish(checksumAdd(0, packet, length)) != 0) return counters.drop(ICMP_BAD_CHECKSUM);
  const type = get8(packet + TYPE);
  if (type == ECHO_REQUEST && get8(packet + CODE) == 0 && destination == stack.config.address) {
    if (length > stack.device.mtu - IP_HEADER) return counters.drop(ICMP_UNHANDLED); // no room in one frame
    // No answers to a broadcast, multicast or unspecified source: the stack reflects nothing at a network.
    if (source == 0 || source == BROADCAST_ADDRESS || source >> 28 >= 0xe || source == stack.config.broadcast) {
      return counters.drop(ICMP_UNHANDLED);
    }
    const reply = stack.frame + IP_PAYLOAD;
    memory.copy(reply, packet, length);
    put8(reply + TYPE, ECHO_REPLY);
    put16(reply + CHECKSUM, 0);
    put16(reply + CHECKSUM, checksumFinish(checksumAdd(0, reply, length)));
    counters.bump(ICMP_ECHOES_ANSWERED);
    ipv4Send(stack, source, PROTOCOL_ICMP, length);
    return;
  }
  if (type == ECHO_REPLY) {
    counters.bump(ICMP_ECHO_REPLIES);
    stack.lastEchoReply = (get16(packet + IDENTIFIER) << 16) | get16(packet + SEQUENCE);
    return;
  }
  counters.drop(ICMP_UNHANDLED);
}

/** Sends an echo request with `dataLength` bytes of a counting pattern (at most the MTU less 28). */
export function icmpEcho(stack: Stack, destination: u32, identifier: u32, sequence: u32, dataLength: u32): void {
  const packet = stack.frame + IP_PAYLOAD;
  put8(packet + TYPE, ECHO_REQUEST);
  put8(packet + CODE, 0);
  put16(packet + CHECKSUM, 0);
  put16(packet + IDENTIFIER, identifier);
  put16(packet + SEQUENCE, sequence);
  for (let i: u32 = 0; i < dataLength; i++) put8(packet + ICMP_HEADER + i, i & 0xff);
  put16(packet + CHECKSUM, checksumFinish(checksumAdd(0, packet, ICMP_HEADER + dataLength)));
  ipv4Send(stack, destination, PROTOCOL_ICMP, ICMP_HEADER + dataLength);
}
