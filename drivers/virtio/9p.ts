// virtio-9p (device type 9): a channel to a 9P2000.L server on the host
// (QEMU's built-in one, `-fsdev local` + `-device virtio-9p-*`). The device
// names itself with a mount tag (its configuration: tag_len u16, then the
// tag's bytes, with VIRTIO_9P_F_MOUNT_TAG). One queue carries requests:
// each is a chain of the T-message the device reads and room for the
// R-message it writes.
//
// SLOT_COUNT requests may be in flight at once, from as many threads: each
// slot has its own request and reply buffers (SLOT_BYTES each) and waits
// for its own chain. File data never passes through those buffers: a read
// or write hands the caller's buffer to the device as a further descriptor
// of the chain (the 9p header in the slot's buffer, the payload in place),
// so the largest message is not bounded by them. A request the device has
// not answered by its deadline fails the device for good (-EIO for every
// request, waiting or later) rather than hang the caller.

import { setInterrupts } from "../../arch";
import { EIO, ENODEV, ENOMEM } from "../../kernel/errno";
import { fail, lastFailure } from "../../kernel/failure";
import { pages, PAGE_SIZE, USE_LARGE } from "../../kernel/mm/pages";
import { Semaphore } from "../../kernel/sched/sync";
import { now } from "../../kernel/time/index";
import { VirtioTransport } from "./transport";
import { Virtqueue } from "./queue";
import { negotiate, createQueue, startQueue, markReady, failDevice } from "./setup";
import { OneRequest } from "./one-request";

/** The virtio device type of a 9p transport. */
export const DEVICE_9P: u32 = 9;
/** The device offers its mount tag in the configuration space. */
const FEATURE_MOUNT_TAG: u64 = 1 << 0;
const CONFIG_TAG_LENGTH: u32 = 0;
const CONFIG_TAG: u32 = 2;
/** Requests in flight at once. */
export const SLOT_COUNT: u32 = 4;
/** Bytes of each slot's request and reply buffers: every message but a payload fits. */
export const SLOT_BYTES: u32 = 8 << 10;
/** How long one request may take before the device is declared failed: 60 s (host I/O may be slow). */
const REQUEST_DEADLINE_NS: u64 = 60_000_000_000;
/** Descriptors: four per request at most (header and payload, each way). */
const WANTED_QUEUE_SIZE: u32 = 4 * SLOT_COUNT;

/** One request's place: its buffers and the wait for its chain. */
export class NinePSlot {
  constructor(public index: u32, public request: usize, public reply: usize, public channel: OneRequest) {}
}

export class VirtioNinePDevice {
  queue: Virtqueue = changetype<Virtqueue>(0);
  tag: string = "";
  slots: NinePSlot[] = [];
  /** Counts the free slots; `busy` has a bit per slot taken. */
  free: Semaphore = new Semaphore(SLOT_COUNT);
  busy: u32 = 0;
  failed: bool = false;

  constructor(public transport: VirtioTransport) {}

  /** Negotiates, reads the mount tag, sets up the queue, slots and interrupt; 0 or -errno with the reason. */
  start(): i32 {
    const negotiated = negotiate(this.transport, FEATURE_MOUNT_TAG);
    if (negotiated < 0) return negotiated;
    if ((this.transport.features & FEATURE_MOUNT_TAG) == 0) return failDevice(this.transport, ENODEV, "the 9p device names no mount tag");
    this.tag = this.readTag();
    const queue = createQueue(this.transport, 0, WANTED_QUEUE_SIZE);
    if (queue === null) return lastFailure();
    this.queue = queue;
    const frames = 2 * SLOT_BYTES / <u32>PAGE_SIZE;
    for (let i: u32 = 0; i < SLOT_COUNT; i++) {
      const buffers = pages.alloc(frames, USE_LARGE);
      if (buffers == 0) return failDevice(this.transport, ENOMEM, "out of memory for its buffers");
      const channel = new OneRequest(this.transport, queue, REQUEST_DEADLINE_NS);
      channel.dispatchOwner = changetype<usize>(this);
      channel.dispatch = onChainUsed;
      this.slots.push(new NinePSlot(i, buffers, buffers + SLOT_BYTES, channel));
    }
    const line = this.slots[0].channel.listen();
    if (line < 0) return failDevice(this.transport, ENODEV, "its interrupt could not be attached (error " + line.toString() + ")");
    const started = startQueue(this.transport, queue);
    if (started < 0) return started;
    if (!markReady(this.transport)) return fail(ENODEV, "the device failed when told the driver is ready");
    return 0;
  }

  private readTag(): string {
    const length = min<u32>(this.transport.configRead16(CONFIG_TAG_LENGTH), 255);
    const bytes = heap.alloc(max<u32>(length, 1));
    for (let i: u32 = 0; i < length; i++) store<u8>(bytes + i, <u8>this.transport.configRead8(CONFIG_TAG + i));
    const tag = String.UTF8.decodeUnsafe(bytes, length);
    heap.free(bytes);
    return tag;
  }

  /** Takes a free slot (waiting 60 s at most for one); its index, or -EIO. */
  acquire(): i32 {
    if (this.failed || this.free.acquire(now() + REQUEST_DEADLINE_NS) < 0) return -EIO;
    const enabled = setInterrupts(0);
    const index = ctz<u32>(~this.busy);
    this.busy |= 1 << index;
    setInterrupts(enabled);
    return <i32>index;
  }

  release(index: u32): void {
    const enabled = setInterrupts(0);
    this.busy &= ~(1 << index);
    setInterrupts(enabled);
    this.free.release();
  }

  /**
   * Sends slot `index`'s request (`length` bytes) followed by `sendLength`
   * bytes at `send`, and waits for the reply: its first `replyRoom` bytes
   * into the slot's reply buffer, the rest into `receive` (`receiveLength`
   * bytes at most). The bytes the device wrote, or -EIO.
   */
  transact(index: u32, length: u32, send: usize, sendLength: u32, replyRoom: u32, receive: usize, receiveLength: u32): i64 {
    if (this.failed || length == 0 || length > SLOT_BYTES || replyRoom == 0 || replyRoom > SLOT_BYTES) return -EIO;
    const slot = this.slots[index];
    const count: u32 = 2 + (sendLength != 0 ? 1 : 0) + (receiveLength != 0 ? 1 : 0);
    const enabled = setInterrupts(0);
    const head = this.queue.takeChain(count);
    if (head < 0) {
      setInterrupts(enabled);
      return -EIO; // cannot happen: the slots never need more descriptors than the queue has
    }
    let at = <u32>head;
    this.queue.setBuffer(at, <u64>slot.request, length, false);
    if (sendLength != 0) {
      at = this.queue.nextOf(at);
      this.queue.setBuffer(at, <u64>send, sendLength, false);
    }
    at = this.queue.nextOf(at);
    this.queue.setBuffer(at, <u64>slot.reply, replyRoom, true);
    if (receiveLength != 0) {
      at = this.queue.nextOf(at);
      this.queue.setBuffer(at, <u64>receive, receiveLength, true);
    }
    const written = slot.channel.send(<u32>head, enabled);
    if (written < 0) {
      this.failAll();
      return -EIO;
    }
    return min<i64>(written, <i64>replyRoom + <i64>receiveLength);
  }

  /** One request failed the device: every other one fails too, now rather than at its own deadline. */
  private failAll(): void {
    const enabled = setInterrupts(0);
    this.failed = true;
    for (let i = 0; i < this.slots.length; i++) this.slots[i].channel.abandon();
    setInterrupts(enabled);
  }

  /** A chain came back: to the slot that sent it (interrupts disabled). */
  completed(head: u32, written: u32): void {
    for (let i = 0; i < this.slots.length; i++) this.slots[i].channel.completed(head, written);
  }
}

function onChainUsed(owner: usize, head: u32, written: u32): void {
  changetype<VirtioNinePDevice>(owner).completed(head, written);
}

let devices: VirtioNinePDevice[] | null = null;

/** The virtio-9p driver (drivers/virtio registerVirtioDriver): starts the device and lists it by its tag; 0 or -errno. */
export function attachVirtioNineP(transport: VirtioTransport): i32 {
  const device = new VirtioNinePDevice(transport);
  const result = device.start();
  if (result < 0) return result;
  if (devices === null) devices = [];
  devices!.push(device);
  return 0;
}

/** The 9p devices brought up so far (drivers/virtio probeVirtio), in discovery order. */
export function ninePDevices(): VirtioNinePDevice[] {
  return devices === null ? [] : devices!.slice(0);
}

/** The 9p device with mount tag `tag`, or null. */
export function ninePDevice(tag: string): VirtioNinePDevice | null {
  const all = devices;
  if (all === null) return null;
  for (let i = 0; i < all.length; i++) if (all[i].tag == tag) return all[i];
  return null;
}
