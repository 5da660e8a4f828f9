// virtio-rng, the entropy device (virtio 1.x, 5.4): one queue (requestq,
// index 0) of device-writable buffers that the device fills with random
// bytes. No feature bits, no configuration. QEMU backs it with the host's
// /dev/urandom (rng-random) unless told otherwise.
//
// One request is in flight at a time: a caller takes the device (a
// semaphore of one unit), offers the bounce page (one 4 KiB page owned by
// the driver, so the device never writes into a caller's buffer), and
// blocks until the device hands the buffer back, then copies out what the
// device wrote (it may write less than asked, never nothing) and erases it
// from the page. read() repeats until the caller's length is filled.
//
// Errors: a request the device has not answered after REQUEST_DEADLINE_NS,
// or answered with no bytes, is -EIO; on a deadline the device is reset
// (so it can no longer write into the page) and failed for good: later
// reads fail at once, and kernel/random.ts moves to its next source.
//
// attachVirtioRng is the driver drivers/virtio calls for the device type:
// it starts the device and registers it as an entropy source
// (kernel/entropy.ts). Devices are probed lazily: kernel/random.ts asks for
// its sources on first use.

import { setInterrupts } from "../../arch";
import { EIO, ENOSYS, ENODEV, ENOMEM } from "../../kernel/errno";
import { EntropySource, registerEntropySource, RANK_DEVICE } from "../../kernel/entropy";
import { pages, PAGE_SIZE, USE_LARGE } from "../../kernel/mm/pages";
import { Semaphore } from "../../kernel/sched/sync";
import { now } from "../../kernel/time/index";
import { VirtioTransport } from "./transport";
import { Virtqueue } from "./queue";
import { negotiate, createQueue, startQueue, markReady, failDevice } from "./setup";
import { fail, lastFailure } from "../../kernel/failure";
import { OneRequest } from "./one-request";

/** The virtio device type of an entropy source. */
export const DEVICE_ENTROPY: u32 = 4;
/** How long one request may take before the device is declared failed: 10 s. */
export const RNG_DEADLINE_NS: u64 = 10_000_000_000;
/** One request at a time needs one descriptor; a small queue is plenty. */
const WANTED_QUEUE_SIZE: u32 = 8;
const BOUNCE_BYTES: u32 = <u32>PAGE_SIZE;

export class VirtioRngDevice {
  queue: Virtqueue = changetype<Virtqueue>(0);
  channel: OneRequest = changetype<OneRequest>(0);
  bounce: usize = 0;
  /** One unit: the right to have the one request in flight. */
  idle: Semaphore = new Semaphore(1);
  /** Requests sent, and bytes the device gave, since start. */
  requests: u64 = 0;
  bytes: u64 = 0;

  constructor(public transport: VirtioTransport) {}

  /** Failed for good (a request passed its deadline): reads are -EIO at once. */
  get failed(): bool {
    return changetype<usize>(this.channel) != 0 && this.channel.failed;
  }

  /** Where the device is, for messages. */
  get name(): string {
    return this.transport.name;
  }

  /** Negotiates, sets up the queue, the bounce page and the interrupt; 0, or -errno with what went wrong (kernel/failure.ts). */
  start(): i32 {
    const negotiated = negotiate(this.transport, 0);
    if (negotiated < 0) return negotiated;
    const queue = createQueue(this.transport, 0, WANTED_QUEUE_SIZE);
    if (queue === null) return lastFailure();
    this.queue = queue;
    this.bounce = pages.allocZeroed(1, USE_LARGE);
    if (this.bounce == 0) return failDevice(this.transport, ENOMEM, "out of memory for its buffer");
    this.channel = new OneRequest(this.transport, queue, RNG_DEADLINE_NS);
    const line = this.channel.listen();
    if (line < 0) return failDevice(this.transport, ENODEV, "its interrupt could not be attached (error " + line.toString() + ")");
    const started = startQueue(this.transport, queue);
    if (started < 0) return started;
    if (!markReady(this.transport)) return fail(ENODEV, "the device failed when told the driver is ready");
    return 0;
  }

  /**
   * Fills `length` bytes at `buffer` with the device's random bytes,
   * blocking the calling thread; 0, or -EIO if the device failed (nothing
   * is promised about the buffer then).
   */
  read(buffer: usize, length: usize): i32 {
    let done: usize = 0;
    while (done < length) {
      if (this.failed) return -EIO;
      if (this.idle.acquire(now() + RNG_DEADLINE_NS) < 0) return -EIO;
      const wanted = <u32>min<usize>(length - done, <usize>BOUNCE_BYTES);
      const got = this.request(wanted);
      if (got > 0) {
        memory.copy(buffer + done, this.bounce, <usize>got);
        memory.fill(this.bounce, 0, <usize>got);
        done += <usize>got;
      }
      this.idle.release();
      if (got <= 0) return -EIO;
    }
    return 0;
  }

  /** Offers `wanted` bytes of the bounce page and waits; the bytes written, or -EIO. The caller holds `idle`. */
  private request(wanted: u32): i32 {
    const enabled = setInterrupts(0);
    const head = this.queue.takeChain(1);
    if (head < 0 || this.failed) {
      setInterrupts(enabled);
      return -EIO;
    }
    this.queue.setBuffer(<u32>head, <u64>this.bounce, wanted, true);
    this.requests++;
    const written = <u32>min<i64>(this.channel.send(<u32>head, enabled), <i64>wanted);
    if (this.failed) return -EIO;
    this.bytes += written;
    return written == 0 ? -EIO : <i32>written;
  }
}

let firstDevice: VirtioRngDevice | null = null;

/** The virtio-rng driver (drivers/virtio registerVirtioDriver): starts the device and registers it as an entropy source; 0 or -errno. */
export function attachVirtioRng(transport: VirtioTransport): i32 {
  const device = new VirtioRngDevice(transport);
  const result = device.start();
  if (result < 0) return result;
  if (firstDevice === null) firstDevice = device;
  registerEntropySource(new VirtioEntropy(device));
  return 0;
}

/** The first virtio entropy device brought up, or null (for reports and the self-test). */
export function virtioRngDevice(): VirtioRngDevice | null {
  return firstDevice;
}

/** A device as kernel/random sees it: a failed device steps aside for the next source. */
class VirtioEntropy extends EntropySource {
  constructor(public device: VirtioRngDevice) {
    super("virtio-rng", RANK_DEVICE);
  }
  read(buffer: usize, length: usize): i32 {
    return this.device.failed ? -ENOSYS : this.device.read(buffer, length);
  }
}
