// virtio-net (virtio 1.x, 5.1): an Ethernet device behind two virtqueues,
// receiveq (index 0) and transmitq (index 1), as a NetworkDevice for the
// stack (kernel/net/device.ts).
//
// Every frame, both ways, follows a 12-byte NetHeader (virtio 1.x always
// has num_buffers). The device configuration gives the MAC address
// (VIRTIO_NET_F_MAC, required: a device without one is refused) and the
// link status (VIRTIO_NET_F_STATUS; without it the link counts as up).
//
//   NetHeader (12 bytes)                      configuration
//    0 flags u8 | gsoType u8 | headerLength u16    0 mac[6]
//    4 gsoSize u16 | checksumStart u16             6 status u16 (bit 0 LINK_UP)
//    8 checksumOffset u16 | bufferCount u16
//
// Receive: RECEIVE_BUFFERS buffers of BUFFER_BYTES (a header and a whole
// 1514-byte frame fit), allocated once at start and all offered to the
// device, each for good in the descriptor of its own index. The interrupt
// handler notes each buffer the device fills in a ring of (buffer,
// length) and wakes the stack (wakeNetwork); nextFrame() gives the oldest
// frame in place, after its header, and releaseFrame() offers its buffer
// to the device again. Nothing is allocated or copied on the way in.
// VIRTIO_NET_F_MRG_RXBUF is negotiated (QEMU offers it), but with buffers
// this size a frame takes one: a frame the device spreads over several
// buffers (num_buffers > 1) is dropped, its buffers offered again, and
// counted in receiveDrops, like a frame too short to hold an Ethernet
// header.
//
// Transmit: TRANSMIT_BUFFERS buffers of BUFFER_BYTES, each in its own
// descriptor for good. transmit() copies the frame behind a zeroed header
// into a free one and offers that one-descriptor chain; the buffers the
// device is done with are taken back on the next transmit() and whenever
// the device interrupts. The transmit queue asks for no interrupts until
// every buffer is in flight: then a transmit() says -EAGAIN and the first
// buffer to come back wakes the stack.
//
// Not negotiated: checksum offload (VIRTIO_NET_F_CSUM, GUEST_CSUM), so the
// stack computes every checksum and the device delivers frames with theirs
// complete; segmentation offload; the control queue; multiqueue; MTU.
// Queue state changes with interrupts disabled (one CPU: that is the lock).

import { setInterrupts } from "../../arch";
import { EAGAIN, EINVAL, ENODEV, ENOMEM } from "../../kernel/errno";
import { fail, lastFailure } from "../../kernel/failure";
import { pages, PAGE_SIZE, USE_LARGE } from "../../kernel/mm/pages";
import { NetworkDevice, MacAddress, registerNetworkDevice, wakeNetwork } from "../../kernel/net/device";
import { VirtioTransport } from "./transport";
import { Virtqueue } from "./queue";
import { negotiate, createQueue, startQueue, markReady, failDevice } from "./setup";
import { listen, drainQueue } from "./interrupts";

const FEATURE_MAC: u64 = 1 << 5;
const FEATURE_MERGEABLE_RECEIVE_BUFFERS: u64 = 1 << 15;
const FEATURE_STATUS: u64 = 1 << 16;
const WANTED_FEATURES: u64 = FEATURE_MAC | FEATURE_MERGEABLE_RECEIVE_BUFFERS | FEATURE_STATUS;

const CONFIG_MAC: u32 = 0;
const MAC_BYTES: u32 = 6;
const CONFIG_STATUS: u32 = 6;
const STATUS_LINK_UP: u32 = 1;

const RECEIVE_QUEUE: u32 = 0;
const TRANSMIT_QUEUE: u32 = 1;

/** What precedes every frame in a buffer, both ways (the diagram above). */
@unmanaged
class NetHeader {
  flags: u8;
  gsoType: u8;
  headerLength: u16;
  gsoSize: u16;
  checksumStart: u16;
  checksumOffset: u16;
  /** Receive, with MRG_RXBUF: how many buffers the frame took. */
  bufferCount: u16;
}

const HEADER_BYTES: u32 = <u32>offsetof<NetHeader>();
/** Destination and source MAC, EtherType. */
const ETHERNET_HEADER_BYTES: u32 = 14;
/** One buffer: a header and a 1514-byte frame, rounded up so that two fill a page. */
const BUFFER_BYTES: u32 = 2048;
/** Receive buffers offered to the device (fewer if its queue is smaller). */
const RECEIVE_BUFFERS: u32 = 64;
/** Transmit buffers, one bit each in a u32 (fewer if the queue is smaller). */
const TRANSMIT_BUFFERS: u32 = 32;

export class VirtioNetDevice extends NetworkDevice {
  receiveQueue: Virtqueue = changetype<Virtqueue>(0);
  transmitQueue: Virtqueue = changetype<Virtqueue>(0);
  receiveBuffers: usize = 0;
  transmitBuffers: usize = 0;
  receiveBufferCount: u32 = 0;
  transmitBufferCount: u32 = 0;
  /** Received frames the stack has not released, oldest first: their buffers and lengths (header included). */
  waitingBuffer: StaticArray<u16> = new StaticArray<u16>(0);
  waitingLength: StaticArray<u16> = new StaticArray<u16>(0);
  waitingFirst: u32 = 0;
  waitingCount: u32 = 0;
  /** Receive buffers the device holds now. */
  postedReceiveBuffers: u32 = 0;
  /** Buffers still to come of a frame spread over several, all dropped. */
  buffersToSkip: u32 = 0;
  /** A bit per transmit buffer not in flight. */
  freeTransmitBuffers: u32 = 0;
  /** A transmit() said -EAGAIN: the first buffer back wakes the stack. */
  transmitBlocked: bool = false;

  constructor(public transport: VirtioTransport) {
    super();
  }

  /** Negotiates, reads the MAC, sets up both queues, their buffers and the interrupt; 0 or -errno with the reason. */
  start(): i32 {
    const negotiated = negotiate(this.transport, WANTED_FEATURES);
    if (negotiated < 0) return negotiated;
    if ((this.transport.features & FEATURE_MAC) == 0) return failDevice(this.transport, ENODEV, "the device gives no MAC address (VIRTIO_NET_F_MAC)");
    this.mac = this.readMac();
    const receive = createQueue(this.transport, RECEIVE_QUEUE, RECEIVE_BUFFERS);
    if (receive === null) return lastFailure();
    const transmit = createQueue(this.transport, TRANSMIT_QUEUE, TRANSMIT_BUFFERS);
    if (transmit === null) return lastFailure();
    this.receiveQueue = receive;
    this.transmitQueue = transmit;
    this.receiveBufferCount = receive.size;
    this.transmitBufferCount = transmit.size;
    this.receiveBuffers = allocateBuffers(receive.size);
    this.transmitBuffers = allocateBuffers(transmit.size);
    if (this.receiveBuffers == 0 || this.transmitBuffers == 0) return failDevice(this.transport, ENOMEM, "out of memory for its buffers");
    this.waitingBuffer = new StaticArray<u16>(<i32>receive.size);
    this.waitingLength = new StaticArray<u16>(<i32>receive.size);
    // A fresh queue hands out descriptors 0, 1, 2, ...: descriptor i carries buffer i for good.
    for (let i: u32 = 0; i < receive.size; i++) {
      if (receive.takeChain(1) != <i32>i) return failDevice(this.transport, ENODEV, "receive descriptors out of order");
      receive.setBuffer(i, <u64>this.receiveBuffer(i), BUFFER_BYTES, true);
    }
    for (let i: u32 = 0; i < transmit.size; i++) {
      if (transmit.takeChain(1) != <i32>i) return failDevice(this.transport, ENODEV, "transmit descriptors out of order");
    }
    this.freeTransmitBuffers = <u32>((<u64>1 << transmit.size) - 1);
    transmit.suppressInterrupts(true);

    const owner = changetype<usize>(this);
    let line = listen(this.transport, receive, owner, onReceived);
    if (line >= 0) line = listen(this.transport, transmit, owner, onTransmitted);
    if (line < 0) return failDevice(this.transport, ENODEV, "its interrupt could not be attached (error " + line.toString() + ")");
    let started = startQueue(this.transport, receive);
    if (started == 0) started = startQueue(this.transport, transmit);
    if (started < 0) return started;
    // Every receive buffer goes to the device before DRIVER_OK; the notification may only come after it.
    for (let i: u32 = 0; i < receive.size; i++) receive.publish(i);
    this.postedReceiveBuffers = receive.size;
    if (!markReady(this.transport)) return fail(ENODEV, "the device failed when told the driver is ready");
    this.transport.notify(RECEIVE_QUEUE);
    return 0;
  }

  private readMac(): MacAddress {
    let mac: MacAddress = 0;
    for (let i: u32 = 0; i < MAC_BYTES; i++) mac = (mac << 8) | <u64>this.transport.configRead8(CONFIG_MAC + i);
    return mac;
  }

  get linkUp(): bool {
    if ((this.transport.features & FEATURE_STATUS) == 0) return true;
    return (this.transport.configRead16(CONFIG_STATUS) & STATUS_LINK_UP) != 0;
  }

  receiveBuffer(index: u32): usize {
    return this.receiveBuffers + <usize>index * BUFFER_BYTES;
  }

  transmitBuffer(index: u32): usize {
    return this.transmitBuffers + <usize>index * BUFFER_BYTES;
  }

  transmit(frame: usize, length: u32): i32 {
    if (length < ETHERNET_HEADER_BYTES || length > ETHERNET_HEADER_BYTES + this.mtu) return -EINVAL;
    const enabled = setInterrupts(0);
    const owner = changetype<usize>(this);
    drainQueue(this.transmitQueue, owner, onTransmittedPolled);
    if (this.freeTransmitBuffers == 0) {
      // Ask for an interrupt when one comes back, then look once more: one may have come back meanwhile.
      this.transmitQueue.suppressInterrupts(false);
      drainQueue(this.transmitQueue, owner, onTransmittedPolled);
      if (this.freeTransmitBuffers == 0) {
        this.transmitBlocked = true;
        setInterrupts(enabled);
        return -EAGAIN;
      }
      this.transmitQueue.suppressInterrupts(true);
    }
    this.transmitBlocked = false;
    const index = ctz<u32>(this.freeTransmitBuffers);
    this.freeTransmitBuffers &= ~(<u32>1 << index);
    const buffer = this.transmitBuffer(index);
    memory.fill(buffer, 0, HEADER_BYTES);
    memory.copy(buffer + HEADER_BYTES, frame, length);
    this.transmitQueue.setBuffer(index, <u64>buffer, HEADER_BYTES + length, false);
    if (this.transmitQueue.publish(index)) this.transport.notify(TRANSMIT_QUEUE);
    setInterrupts(enabled);
    return 0;
  }

  nextFrame(): usize {
    const enabled = setInterrupts(0);
    // In case an interrupt was lost: the used ring is the truth.
    if (this.waitingCount == 0) drainQueue(this.receiveQueue, changetype<usize>(this), onReceivedPolled);
    let frame: usize = 0;
    if (this.waitingCount != 0) {
      frame = this.receiveBuffer(this.waitingBuffer[this.waitingFirst]) + HEADER_BYTES;
      this.frameLength = <u32>this.waitingLength[this.waitingFirst] - HEADER_BYTES;
    }
    setInterrupts(enabled);
    return frame;
  }

  releaseFrame(): void {
    const enabled = setInterrupts(0);
    if (this.waitingCount != 0) {
      const buffer = this.waitingBuffer[this.waitingFirst];
      this.waitingFirst = (this.waitingFirst + 1) % this.receiveBufferCount;
      this.waitingCount--;
      this.postReceiveBuffer(buffer);
    }
    setInterrupts(enabled);
  }

  /** Transmit buffers not in flight, after taking back those the device is done with. */
  idleTransmitBuffers(): u32 {
    const enabled = setInterrupts(0);
    drainQueue(this.transmitQueue, changetype<usize>(this), onTransmittedPolled);
    const idle = <u32>popcnt<u32>(this.freeTransmitBuffers);
    setInterrupts(enabled);
    return idle;
  }

  /** Receive buffers neither the device's nor holding a frame waiting for release: 0 unless one leaked. */
  lostReceiveBuffers(): u32 {
    const enabled = setInterrupts(0);
    const lost = this.receiveBufferCount - this.postedReceiveBuffers - this.waitingCount;
    setInterrupts(enabled);
    return lost;
  }

  /** Offers receive buffer `index` to the device again (interrupts disabled). */
  private postReceiveBuffer(index: u32): void {
    this.postedReceiveBuffers++;
    if (this.receiveQueue.publish(index)) this.transport.notify(RECEIVE_QUEUE);
  }

  /** The device filled receive buffer `head` with `written` bytes (interrupts disabled); true if a frame now waits. */
  received(head: u32, written: u32): bool {
    if (head >= this.receiveBufferCount) return false; // not a chain of ours: the device is confused
    this.postedReceiveBuffers--;
    if (this.buffersToSkip != 0) {
      // The rest of a frame already dropped: no header of its own.
      this.buffersToSkip--;
      this.postReceiveBuffer(head);
      return false;
    }
    let spread: u32 = 1;
    if ((this.transport.features & FEATURE_MERGEABLE_RECEIVE_BUFFERS) != 0) {
      spread = max<u32>(changetype<NetHeader>(this.receiveBuffer(head)).bufferCount, 1);
    }
    if (spread > 1 || written < HEADER_BYTES + ETHERNET_HEADER_BYTES || written > BUFFER_BYTES) {
      this.buffersToSkip = spread - 1;
      this.receiveDrops++;
      this.postReceiveBuffer(head);
      return false;
    }
    const slot = (this.waitingFirst + this.waitingCount) % this.receiveBufferCount;
    this.waitingBuffer[slot] = <u16>head;
    this.waitingLength[slot] = <u16>written;
    this.waitingCount++;
    return true;
  }

  /** The device is done with transmit buffer `head` (interrupts disabled); true if a transmit() waits for one. */
  transmitted(head: u32): bool {
    if (head >= this.transmitBufferCount) return false;
    this.freeTransmitBuffers |= <u32>1 << head;
    if (!this.transmitBlocked) return false;
    this.transmitBlocked = false;
    this.transmitQueue.suppressInterrupts(true);
    return true;
  }
}

/** `count` buffers of BUFFER_BYTES in one run of pages, or 0. */
function allocateBuffers(count: u32): usize {
  return pages.allocZeroed(<u32>((<usize>count * BUFFER_BYTES + PAGE_SIZE - 1) / PAGE_SIZE), USE_LARGE);
}

// From the interrupt handler, which wakes the stack; and polled by the stack's own calls, which need no wake-up.
function onReceived(owner: usize, head: u32, written: u32): void {
  if (changetype<VirtioNetDevice>(owner).received(head, written)) wakeNetwork();
}
function onReceivedPolled(owner: usize, head: u32, written: u32): void {
  changetype<VirtioNetDevice>(owner).received(head, written);
}
function onTransmitted(owner: usize, head: u32, written: u32): void {
  if (changetype<VirtioNetDevice>(owner).transmitted(head)) wakeNetwork();
}
function onTransmittedPolled(owner: usize, head: u32, written: u32): void {
  changetype<VirtioNetDevice>(owner).transmitted(head);
}

/** The virtio-net driver (drivers/virtio registerVirtioDriver): starts the device and registers it as eth0, eth1, ...; 0 or -errno. */
export function attachVirtioNet(transport: VirtioTransport): i32 {
  const device = new VirtioNetDevice(transport);
  const result = device.start();
  if (result < 0) return result;
  registerNetworkDevice(device);
  return 0;
}
