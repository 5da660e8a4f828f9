// UDP (RFC 768): datagrams to and from bound ports, through a callback
// object (the DHCP client's, and udp-sockets.ts's for apps), over either IP
// version (addresses are ip.ts pairs).
//
//    0 | source port 2 | destination port 2 | length 2 | checksum 2 | data ...
//
// A datagram is dropped and counted when it is shorter than its header, its
// length field does not fit the packet, its checksum (when not 0) fails, or
// nothing is bound to its port (no ICMP port unreachable is sent). Sent
// datagrams always carry a checksum.

import { get16, put16, checksumAdd, checksumFinish } from "./buffers";
import { Stack } from "./stack";
import { PROTOCOL_UDP } from "./ipv4";
import { isIpv4Mapped } from "./ipv6-address";
import { pseudoHeaderSum, payloadAt, payloadRoom, ipSend, localAddress, localHigh, localLow } from "./ip";
import { UDP_TRUNCATED, UDP_BAD_LENGTH, UDP_BAD_CHECKSUM, UDP_NO_PORT, UDP_DELIVERED } from "./counters";
import { EADDRINUSE, EMSGSIZE, ENOENT, ENOMEM } from "../errno";

export const UDP_HEADER: u32 = 8;
const SOURCE_PORT: usize = 0;
const DESTINATION_PORT: usize = 2;
const LENGTH: usize = 4;
const CHECKSUM: usize = 6;

/** What a bound port hands datagrams to; extend it and override receive(). */
export class UdpReceiver {
  /** A datagram of `length` bytes at `data` (valid during the call only) from (sourceHigh, sourceLow):`sourcePort` to `port`. */
  receive(stack: Stack, sourceHigh: u64, sourceLow: u64, sourcePort: u32, port: u32, data: usize, length: u32): void {
    unreachable();
  }
}

export class UdpBinding {
  next: UdpBinding | null = null;
  constructor(public port: u32, public receiver: UdpReceiver) {}
}

const BINDING_BYTES: u64 = offsetof<UdpBinding>() + 8;

export function udpInput(
  stack: Stack, sourceHigh: u64, sourceLow: u64, destinationHigh: u64, destinationLow: u64, packet: usize, length: u32,
): void {
  const counters = stack.counters;
  if (length < UDP_HEADER) return counters.drop(UDP_TRUNCATED);
  const datagramLength = get16(packet + LENGTH);
  if (datagramLength < UDP_HEADER || datagramLength > length) return counters.drop(UDP_BAD_LENGTH);
  // A checksum of 0 means none over IPv4; over IPv6 it is required (RFC 8200 8.1).
  const checksum = get16(packet + CHECKSUM);
  if (checksum == 0 && !isIpv4Mapped(destinationHigh, destinationLow)) return counters.drop(UDP_BAD_CHECKSUM);
  if (checksum != 0) {
    const pseudo = pseudoHeaderSum(sourceHigh, sourceLow, destinationHigh, destinationLow, PROTOCOL_UDP, datagramLength);
    const sum = checksumAdd(pseudo, packet, datagramLength);
    if (checksumFinish(sum) != 0) return counters.drop(UDP_BAD_CHECKSUM);
  }
  const port = get16(packet + DESTINATION_PORT);
  let binding = stack.udpBindings;
  while (binding !== null && binding.port != port) binding = binding.next;
  if (binding === null) return counters.drop(UDP_NO_PORT);
  counters.bump(UDP_DELIVERED);
  binding.receiver.receive(
    stack, sourceHigh, sourceLow, get16(packet + SOURCE_PORT), port, packet + UDP_HEADER, datagramLength - UDP_HEADER,
  );
}

/** Binds `port` to `receiver`: 0, -EADDRINUSE, -ENOMEM. */
export function udpBind(stack: Stack, port: u32, receiver: UdpReceiver): i32 {
  let binding = stack.udpBindings;
  while (binding !== null) {
    if (binding.port == port) return -EADDRINUSE;
    binding = binding.next;
  }
  if (!stack.budget.allows(BINDING_BYTES)) return -ENOMEM;
  const made = new UdpBinding(port, receiver);
  stack.budget.count(BINDING_BYTES);
  made.next = stack.udpBindings;
  stack.udpBindings = made;
  return 0;
}

/** Unbinds `port`: 0 or -ENOENT. */
export function udpUnbind(stack: Stack, port: u32): i32 {
  let before: UdpBinding | null = null;
  let binding = stack.udpBindings;
  while (binding !== null && binding.port != port) {
    before = binding;
    binding = binding.next;
  }
  if (binding === null) return -ENOENT;
  if (before === null) stack.udpBindings = binding.next;
  else before.next = binding.next;
  stack.budget.release(changetype<usize>(binding), BINDING_BYTES);
  return 0;
}

/** Sends `length` bytes from `data` as one datagram to (high, low):`port`: 0, or -EMSGSIZE past the MTU. */
export function udpSend(stack: Stack, sourcePort: u32, high: u64, low: u64, port: u32, data: usize, length: u32): i32 {
  if (length > payloadRoom(stack, high, low) - UDP_HEADER) return -EMSGSIZE;
  const packet = payloadAt(stack, high, low);
  const total = UDP_HEADER + length;
  put16(packet + SOURCE_PORT, sourcePort);
  put16(packet + DESTINATION_PORT, port);
  put16(packet + LENGTH, total);
  put16(packet + CHECKSUM, 0);
  memory.copy(packet + UDP_HEADER, data, length);
  localAddress(stack, high, low);
  const sourceHigh = localHigh;
  const sourceLow = localLow;
  const pseudo = pseudoHeaderSum(sourceHigh, sourceLow, high, low, PROTOCOL_UDP, total);
  let checksum = checksumFinish(checksumAdd(pseudo, packet, total));
  if (checksum == 0) checksum = 0xffff;
  put16(packet + CHECKSUM, checksum);
  ipSend(stack, sourceHigh, sourceLow, high, low, PROTOCOL_UDP, total);
  return 0;
}
