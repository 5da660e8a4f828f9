// virtio-9p (device type 9): a channel to a 9P2000.L server on the host
// (QEMU's built-in one, `-fsdev local` + `-device virtio-9p-*`). The device
// names itself with a mount tag (its configuration: tag_len u16, then the
// tag's bytes, with VIRTIO_9P_F_MOUNT_TAG). One queue carries requests:
// each is a chain of two buffers, the T-message the device reads and room
// for the R-message it writes. The client (fs/9p) calls transact with both;
// requests take turns here (one in flight; concurrent requests are for
// later), and a request the device has not answered by its deadline fails
// the device for good (-EIO) rather than hang the caller.

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
/** Bytes of each of the request and reply buffers: the largest msize this driver offers. */
export const CHANNEL_BYTES: u32 = 64 << 10;
/** How long one request may take before the device is declared failed: 60 s (host I/O may be slow). */
const REQUEST_DEADLINE_NS: u64 = 60_000_000_000;
const WANTED_QUEUE_SIZE: u32 = 8;

export class VirtioNinePDevice {
  queue: Virtqueue = changetype<Virtqueue>(0);
  tag: string = "";
  /** Where requests are built and replies land: CHANNEL_BYTES each, physically contiguous. */
  request: usize = 0;
  reply: usize = 0;
  idle: Semaphore = new Semaphore(1);
  channel: OneRequest = changetype<OneRequest>(0);

  constructor(public transport: VirtioTransport) {}

  /** Failed for good (a request passed its deadline): every request is -EIO at once. */
  get failed(): bool {
    return changetype<usize>(this.channel) != 0 && this.channel.failed;
  }

  /** Negotiates, reads the mount tag, sets up the queue, buffers and interrupt; 0 or -errno with the reason. */
  start(): i32 {
    const negotiated = negotiate(this.transport, FEATURE_MOUNT_TAG);
    if (negotiated < 0) return negotiated;
    if ((this.transport.features & FEATURE_MOUNT_TAG) == 0) return failDevice(this.transport, ENODEV, "the 9p device names no mount tag");
    this.tag = this.readTag();
    const queue = createQueue(this.transport, 0, WANTED_QUEUE_SIZE);
    if (queue === null) return lastFailure();
    this.queue = queue;
    const frames = CHANNEL_BYTES / <u32>PAGE_SIZE;
    this.request = pages.alloc(frames, USE_LARGE);
    this.reply = pages.alloc(frames, USE_LARGE);
    if (this.request == 0 || this.reply == 0) return failDevice(this.transport, ENOMEM, "out of memory for its buffers");
    this.channel = new OneRequest(this.transport, queue, REQUEST_DEADLINE_NS);
    const line = this.channel.listen();
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

  /** Takes the channel: the caller then builds its request in `request` (a 60 s wait at most); 0 or -EIO. */
  acquire(): i32 {
    if (this.failed) return -EIO;
    return this.idle.acquire(now() + REQUEST_DEADLINE_NS) < 0 ? -EIO : 0;
  }

  release(): void {
    this.idle.release();
  }

  /**
   * Sends the `length` bytes of `request` and waits for the reply in
   * `reply`; the bytes the device wrote, or -EIO. The caller holds the
   * channel (acquire).
   */
  transact(length: u32): i64 {
    if (this.failed || length == 0 || length > CHANNEL_BYTES) return -EIO;
    const enabled = setInterrupts(0);
    const head = this.queue.takeChain(2);
    if (head < 0) {
      setInterrupts(enabled);
      return -EIO;
    }
    this.queue.setBuffer(<u32>head, <u64>this.request, length, false);
    this.queue.setBuffer(this.queue.nextOf(<u32>head), <u64>this.reply, CHANNEL_BYTES, true);
    const written = this.channel.send(<u32>head, enabled);
    return written < 0 ? written : <i64>min<i64>(written, <i64>CHANNEL_BYTES);
  }
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
