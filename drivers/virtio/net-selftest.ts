// The network device self-test (`selftest=net`, test profile): raw Ethernet
// frames on the first network device, no IP stack. Under QEMU's user
// network (slirp), whose gateway 10.0.2.2 answers ARP for itself as
// 52:55:0a:00:02:02, it asks who has 10.0.2.2 (telling 10.0.2.15, the
// guest address slirp expects), then sends FLOOD_FRAMES more requests, more
// than there are transmit buffers (their reclaim) and receive buffers
// (their refill), and counts the answers.
// Prints, for the host to compare (test/boot/net.test.ts):
//
//   net: eth0 mac 52:54:00:12:34:56 link up
//   net: arp 10.0.2.2 is 52:55:0a:00:02:02
//   net: 100 more requests sent, 100 answered
//
// then the usual `selftest net: N passed, M failed`. On a virtio-net
// device it also checks that every transmit buffer came back, no receive
// buffer was lost (each is the device's or holds a frame not yet
// released) and nothing was dropped.

import { printLine } from "../../kernel/console";
import { EAGAIN } from "../../kernel/errno";
import { NetworkDevice, MacAddress, networkDevices, useNetworkWaker } from "../../kernel/net/device";
import { sleepUntil } from "../../kernel/sched/index";
import { Semaphore } from "../../kernel/sched/sync";
import { beginSelfTest, check, endSelfTest } from "../../kernel/selftest/check";
import { now } from "../../kernel/time/index";
import { VirtioNetDevice } from "./net";

const GUEST_ADDRESS: u32 = 0x0a00_020f; // 10.0.2.15
const GATEWAY_ADDRESS: u32 = 0x0a00_0202; // 10.0.2.2
const FLOOD_FRAMES: u32 = 100;
const MILLISECOND_NS: u64 = 1_000_000;
/** How long the gateway has to answer, and the flood to be sent, answered and its buffers back. */
const DEADLINE_NS: u64 = 5_000 * MILLISECOND_NS;

// An ARP request for IPv4 over Ethernet, padded to Ethernet's shortest frame:
//
//    0 destination MAC (6)            14 hardware type u16 (1)     16 protocol type u16 (0x0800)
//    6 source MAC (6)                 18 hardware length u8 (6)    19 protocol length u8 (4)
//   12 EtherType u16 (0x0806)         20 operation u16 (1 request, 2 reply)
//                                     22 sender MAC (6)            28 sender IPv4 (4)
//                                     32 target MAC (6)            38 target IPv4 (4)
//   42 zeros up to 60
//
// Multi-byte fields are big-endian.
const ETHER_DESTINATION: usize = 0;
const ETHER_SOURCE: usize = 6;
const ETHER_TYPE: usize = 12;
const ARP_HARDWARE_TYPE: usize = 14;
const ARP_PROTOCOL_TYPE: usize = 16;
const ARP_HARDWARE_LENGTH: usize = 18;
const ARP_PROTOCOL_LENGTH: usize = 19;
const ARP_OPERATION: usize = 20;
const ARP_SENDER_MAC: usize = 22;
const ARP_SENDER_ADDRESS: usize = 28;
const ARP_TARGET_MAC: usize = 32;
const ARP_TARGET_ADDRESS: usize = 38;
const ARP_END: u32 = 42;
const FRAME_BYTES: u32 = 60;
const ETHERTYPE_ARP: u16 = 0x0806;
const ETHERTYPE_IPV4: u16 = 0x0800;
const HARDWARE_ETHERNET: u16 = 1;
const OPERATION_REQUEST: u16 = 1;
const OPERATION_REPLY: u16 = 2;
const BROADCAST: MacAddress = 0xffff_ffff_ffff;

/** Released by the driver's wake-ups (wakeNetwork): a frame arrived or a transmit buffer came back. */
let arrivals: Semaphore = changetype<Semaphore>(0);
/** Who answered last, for the report. */
let gatewayMac: MacAddress = 0;

export function runNetSelfTest(probe: () => void): bool {
  beginSelfTest();
  probe();
  const devices = networkDevices();
  check("net: a network device was found", devices.length > 0);
  if (devices.length == 0) return endSelfTest("net");
  const device = devices[0];
  const up = device.linkUp;
  printLine("net: " + device.name + " mac " + macText(device.mac) + " link " + (up ? "up" : "down"));
  check("net: the link is up", up);
  arrivals = new Semaphore(0);
  useNetworkWaker(onArrival);

  const request = heap.alloc(FRAME_BYTES);
  writeArpRequest(request, device.mac);
  const deadline = now() + DEADLINE_NS;
  check("net: the ARP request was accepted for transmit", device.transmit(request, FRAME_BYTES) == 0);
  const answered = collectReplies(device, 1, deadline);
  if (answered > 0) printLine("net: arp " + addressText(GATEWAY_ADDRESS) + " is " + macText(gatewayMac));
  check("net: the gateway answered the ARP request", answered == 1);

  const floodDeadline = now() + DEADLINE_NS;
  let sent: u32 = 0;
  let replies: u32 = 0;
  while (sent < FLOOD_FRAMES && now() < floodDeadline) {
    const result = device.transmit(request, FRAME_BYTES);
    if (result == 0) sent++;
    else if (result == -EAGAIN) arrivals.acquire(min<u64>(now() + MILLISECOND_NS, floodDeadline));
    else break;
    replies += takeReplies(device);
  }
  if (replies < sent) replies += collectReplies(device, sent - replies, floodDeadline);
  printLine("net: " + sent.toString() + " more requests sent, " + replies.toString() + " answered");
  check("net: " + FLOOD_FRAMES.toString() + " more frames accepted for transmit", sent == FLOOD_FRAMES);
  check("net: every request answered once", replies == sent);
  if (device instanceof VirtioNetDevice) checkBuffers(changetype<VirtioNetDevice>(device), floodDeadline);
  heap.free(request);
  return endSelfTest("net");
}

/** Every transmit buffer comes back by `deadline`; no receive buffer is lost; nothing was dropped. */
function checkBuffers(device: VirtioNetDevice, deadline: u64): void {
  while (device.idleTransmitBuffers() < device.transmitBufferCount && now() < deadline) sleepUntil(now() + MILLISECOND_NS);
  check("net: every transmit buffer came back", device.idleTransmitBuffers() == device.transmitBufferCount);
  takeReplies(device);
  check("net: every receive buffer is offered again", device.lostReceiveBuffers() == 0);
  check("net: no frame dropped", device.receiveDrops == 0);
}

function onArrival(): void {
  arrivals.release();
}

/** Waits until `wanted` ARP replies from the gateway arrived or `deadline` passed; how many did. */
function collectReplies(device: NetworkDevice, wanted: u32, deadline: u64): u32 {
  let count: u32 = 0;
  while (true) {
    count += takeReplies(device);
    if (count >= wanted || now() >= deadline) return count;
    arrivals.acquire(min<u64>(now() + 10 * MILLISECOND_NS, deadline));
  }
}

/** Takes every frame waiting; how many were the gateway's ARP replies to us. */
function takeReplies(device: NetworkDevice): u32 {
  let count: u32 = 0;
  let frame = device.nextFrame();
  while (frame != 0) {
    if (isGatewayReply(frame, device.frameLength, device.mac)) {
      gatewayMac = loadMac(frame + ARP_SENDER_MAC);
      count++;
    }
    device.releaseFrame();
    frame = device.nextFrame();
  }
  return count;
}

function writeArpRequest(frame: usize, mac: MacAddress): void {
  memory.fill(frame, 0, FRAME_BYTES);
  storeMac(frame + ETHER_DESTINATION, BROADCAST);
  storeMac(frame + ETHER_SOURCE, mac);
  storeBigEndian16(frame + ETHER_TYPE, ETHERTYPE_ARP);
  storeBigEndian16(frame + ARP_HARDWARE_TYPE, HARDWARE_ETHERNET);
  storeBigEndian16(frame + ARP_PROTOCOL_TYPE, ETHERTYPE_IPV4);
  store<u8>(frame + ARP_HARDWARE_LENGTH, 6);
  store<u8>(frame + ARP_PROTOCOL_LENGTH, 4);
  storeBigEndian16(frame + ARP_OPERATION, OPERATION_REQUEST);
  storeMac(frame + ARP_SENDER_MAC, mac);
  storeBigEndian32(frame + ARP_SENDER_ADDRESS, GUEST_ADDRESS);
  storeBigEndian32(frame + ARP_TARGET_ADDRESS, GATEWAY_ADDRESS);
}

function isGatewayReply(frame: usize, length: u32, mac: MacAddress): bool {
  return length >= ARP_END
    && loadMac(frame + ETHER_DESTINATION) == mac
    && loadBigEndian16(frame + ETHER_TYPE) == ETHERTYPE_ARP
    && loadBigEndian16(frame + ARP_OPERATION) == OPERATION_REPLY
    && loadBigEndian32(frame + ARP_SENDER_ADDRESS) == GATEWAY_ADDRESS
    && loadMac(frame + ARP_TARGET_MAC) == mac
    && loadBigEndian32(frame + ARP_TARGET_ADDRESS) == GUEST_ADDRESS;
}

@inline function storeBigEndian16(at: usize, value: u16): void {
  store<u16>(at, bswap<u16>(value));
}
@inline function loadBigEndian16(at: usize): u16 {
  return bswap<u16>(load<u16>(at));
}
@inline function storeBigEndian32(at: usize, value: u32): void {
  store<u32>(at, bswap<u32>(value));
}
@inline function loadBigEndian32(at: usize): u32 {
  return bswap<u32>(load<u32>(at));
}

function storeMac(at: usize, mac: MacAddress): void {
  for (let i = 0; i < 6; i++) store<u8>(at + <usize>i, <u8>(mac >> <u64>(40 - 8 * i)));
}
function loadMac(at: usize): MacAddress {
  let mac: MacAddress = 0;
  for (let i = 0; i < 6; i++) mac = (mac << 8) | <u64>load<u8>(at + <usize>i);
  return mac;
}

/** 52:54:00:12:34:56 */
function macText(mac: MacAddress): string {
  let text = "";
  for (let i = 0; i < 6; i++) {
    if (i > 0) text += ":";
    text += (<u32>(mac >> <u64>(40 - 8 * i)) & 0xff).toString(16).padStart(2, "0");
  }
  return text;
}

/** 10.0.2.2 */
function addressText(address: u32): string {
  return (address >> 24).toString() + "." + ((address >> 16) & 0xff).toString() + "." + ((address >> 8) & 0xff).toString() + "." + (address & 0xff).toString();
}
