// virtio-blk (virtio 1.x, 5.2): a disk behind one virtqueue.
//
// A request is a chain of three descriptors: the 16-byte header (type,
// reserved, sector), the data (the caller's own buffer: kernel memory is
// physical memory, so there is no bounce copy; absent for a flush) and the
// status byte the device writes. Headers and status bytes live in one page,
// one 32-byte slot per request, a RequestMemory:
//
//   slot + 0   type u32 (IN 0, OUT 1, FLUSH 4)   slot + 16  status u8 (OK 0, IOERR 1, UNSUPP 2)
//   slot + 4   reserved u32                      slot + 17  (padding to 32)
//   slot + 8   sector u64
//
// Up to MAX_SLOTS requests are in flight, shared by every thread that uses
// the disk: a caller takes a slot (waiting on a semaphore when all are
// busy), publishes its chain and blocks on the slot's own semaphore, which
// the interrupt handler releases once the device hands the chain back. A
// large transfer is cut into requests of at most maxRequestSectors (and
// the device's size_max), several of them in flight at once.
//
// Errors: a status other than OK is -EIO. A request the device has not
// answered after REQUEST_DEADLINE_NS is -EIO too, and the disk is then
// failed: reset, so it can no longer write into buffers handed back to
// their owners; every request in flight and every later one fails with
// -EIO. Nothing here panics or waits without a deadline.

import { registerDisk, diskCount } from "../block/index";
import { setInterrupts } from "../../arch";
import { BlockDevice } from "../block/device";
import { EIO, EINVAL, EROFS, ENODEV, ENOMEM } from "../../kernel/errno";
import { pages, USE_LARGE } from "../../kernel/mm/pages";
import { Semaphore } from "../../kernel/sched/sync";
import { wake } from "../../kernel/sched/index";
import { now } from "../../kernel/time/index";
import { VirtioTransport } from "./transport";
import { Virtqueue } from "./queue";
import { negotiate, createQueue, startQueue, markReady, failDevice } from "./setup";
import { fail, lastFailure } from "../../kernel/failure";
import { listen, drainQueue } from "./interrupts";

const FEATURE_SIZE_MAX: u64 = 1 << 1;
const FEATURE_SEG_MAX: u64 = 1 << 2;
const FEATURE_READ_ONLY: u64 = 1 << 5;
const FEATURE_FLUSH: u64 = 1 << 9;
const WANTED_FEATURES: u64 = FEATURE_SIZE_MAX | FEATURE_SEG_MAX | FEATURE_READ_ONLY | FEATURE_FLUSH;

const CONFIG_CAPACITY: u32 = 0;
const CONFIG_SIZE_MAX: u32 = 8;

const REQUEST_IN: u32 = 0;
const REQUEST_OUT: u32 = 1;
const REQUEST_FLUSH: u32 = 4;
const STATUS_OK: u32 = 0;
/** What a status byte holds until the device writes it. */
const STATUS_UNWRITTEN: u8 = 0xff;

const SECTOR_BYTES: u32 = 512;
/** What the device reads and writes of one request, at its slot's `memory` (the diagram above). */
@unmanaged
class RequestMemory {
  type: u32;
  reserved: u32;
  sector: u64;
  /** Written by the device; the header the device reads ends before it. */
  status: u8;
}

/** Slots are this far apart: RequestMemory rounded up. */
const SLOT_BYTES: usize = 32;
const STATUS_OFFSET: usize = offsetof<RequestMemory>("status");
const HEADER_BYTES: u32 = <u32>STATUS_OFFSET;
/** Requests in flight per disk (3 descriptors each; one page of slots holds 128). */
const MAX_SLOTS: u32 = 32;
/** The largest request sent, in sectors (256 KiB), unless the device's size_max is smaller. */
const MAX_REQUEST_SECTORS: u32 = 512;
/** How long a request may take before the disk is declared failed: 10 s. */
export const REQUEST_DEADLINE_NS: u64 = 10_000_000_000;
/** A waiter also looks at the used ring itself this often, in case an interrupt was lost. */
const POLL_INTERVAL_NS: u64 = 1_000_000_000;
const WANTED_QUEUE_SIZE: u32 = 128;
const NO_SLOT: i32 = -1;

/** One request's bookkeeping; its header and status byte are at `memory`. */
class Slot {
  done: Semaphore = new Semaphore(0);
  busy: bool = false;
  finished: bool = false;
  head: u32 = 0;
  /** The next slot the same transfer is waiting for, NO_SLOT at the end. */
  nextOwned: i32 = NO_SLOT;
  constructor(public memory: usize) {}

  bytes(): RequestMemory {
    return changetype<RequestMemory>(this.memory);
  }
}

export class VirtioBlockDevice extends BlockDevice {
  queue: Virtqueue = changetype<Virtqueue>(0);
  slots: Slot[] = [];
  slotMemory: usize = 0;
  freeSlots: Semaphore = new Semaphore(0);
  /** Per descriptor index: the slot whose chain starts there. */
  slotOfHead: StaticArray<i32> = new StaticArray<i32>(0);
  maxRequestSectors: u32 = MAX_REQUEST_SECTORS;
  hasFlush: bool = false;
  failed: bool = false;
  /** Requests sent and requests that ended in an error, since start. */
  requests: u64 = 0;
  errors: u64 = 0;

  constructor(name: string, public transport: VirtioTransport) {
    super(name, SECTOR_BYTES, 0, false);
  }

  /** Negotiates, reads the configuration, sets up the queue and interrupt; 0, or -errno with what went wrong (kernel/failure.ts). */
  start(): i32 {
    const negotiated = negotiate(this.transport, WANTED_FEATURES);
    if (negotiated < 0) return negotiated;
    const features = this.transport.features;
    this.sectors = this.transport.configRead64(CONFIG_CAPACITY);
    this.readOnly = (features & FEATURE_READ_ONLY) != 0;
    this.hasFlush = (features & FEATURE_FLUSH) != 0;
    if ((features & FEATURE_SIZE_MAX) != 0) {
      const sizeMax = this.transport.configRead32(CONFIG_SIZE_MAX) / SECTOR_BYTES;
      if (sizeMax >= 1) this.maxRequestSectors = min<u32>(this.maxRequestSectors, sizeMax);
    }
    const queue = createQueue(this.transport, 0, WANTED_QUEUE_SIZE);
    if (queue === null) return lastFailure();
    this.queue = queue;
    const slotCount = min<u32>(MAX_SLOTS, queue.size / 3);
    if (slotCount == 0) return failDevice(this.transport, ENODEV, "queue 0 is too small for one request");
    this.slotMemory = pages.allocZeroed(1, USE_LARGE);
    if (this.slotMemory == 0) return failDevice(this.transport, ENOMEM, "out of memory for request headers");
    for (let i: u32 = 0; i < slotCount; i++) this.slots.push(new Slot(this.slotMemory + <usize>i * SLOT_BYTES));
    this.freeSlots = new Semaphore(slotCount);
    this.slotOfHead = new StaticArray<i32>(<i32>queue.size);
    const line = listen(this.transport, queue, changetype<usize>(this), onChainUsed);
    if (line < 0) return failDevice(this.transport, ENODEV, "its interrupt could not be attached (error " + line.toString() + ")");
    const started = startQueue(this.transport, queue);
    if (started < 0) return started;
    if (!markReady(this.transport)) return fail(ENODEV, "the device failed when told the driver is ready");
    return 0;
  }

  read(sector: u64, buffer: usize, count: u32): i32 {
    return this.transfer(REQUEST_IN, sector, buffer, count);
  }

  write(sector: u64, buffer: usize, count: u32): i32 {
    if (this.readOnly) return -EROFS;
    return this.transfer(REQUEST_OUT, sector, buffer, count);
  }

  /** Asks the device to make completed writes durable; 0 at once if it has no cache to flush (no VIRTIO_BLK_F_FLUSH). */
  flush(): i32 {
    if (!this.hasFlush || this.readOnly) return 0;
    if (this.failed) return -EIO;
    const slot = this.takeSlot();
    if (slot == NO_SLOT) return -EIO;
    this.submit(slot, REQUEST_FLUSH, 0, 0, 0);
    return this.finish(slot);
  }

  /** Reads or writes `count` sectors as requests of at most maxRequestSectors, several in flight. */
  private transfer(type: u32, sector: u64, buffer: usize, count: u32): i32 {
    if (!this.holds(sector, count)) return -EINVAL;
    if (count == 0) return 0;
    if (this.failed) return -EIO;
    let result = 0;
    let oldest = NO_SLOT;
    let newest = NO_SLOT;
    let done: u32 = 0;
    while (done < count || oldest != NO_SLOT) {
      let slot = done < count ? this.tryTakeSlot() : NO_SLOT;
      if (slot == NO_SLOT && oldest != NO_SLOT) {
        // Nothing free, or nothing left to send: collect the oldest request.
        const finished = oldest;
        oldest = this.slots[finished].nextOwned;
        if (oldest == NO_SLOT) newest = NO_SLOT;
        const status = this.finish(finished);
        if (status < 0 && result == 0) result = status;
        continue;
      }
      if (slot == NO_SLOT) slot = this.takeSlot();
      if (slot == NO_SLOT) return result < 0 ? result : -EIO;
      const length = min<u32>(count - done, this.maxRequestSectors);
      this.submit(slot, type, sector + <u64>done, buffer + <usize>done * SECTOR_BYTES, length);
      done += length;
      this.slots[slot].nextOwned = NO_SLOT;
      if (newest != NO_SLOT) this.slots[newest].nextOwned = slot;
      else oldest = slot;
      newest = slot;
    }
    return result;
  }

  private tryTakeSlot(): i32 {
    if (this.freeSlots.tryAcquire() < 0) return NO_SLOT;
    return this.claimSlot();
  }

  /** Waits for a free slot (bounded by the request deadline); NO_SLOT if the disk failed meanwhile. */
  private takeSlot(): i32 {
    if (this.freeSlots.acquire(now() + REQUEST_DEADLINE_NS) < 0) return NO_SLOT;
    return this.claimSlot();
  }

  /** Marks a free slot busy; the caller holds one unit of freeSlots. */
  private claimSlot(): i32 {
    const enabled = setInterrupts(0);
    let found = NO_SLOT;
    for (let i = 0; i < this.slots.length; i++) {
      if (!this.slots[i].busy) {
        found = i;
        this.slots[i].busy = true;
        break;
      }
    }
    setInterrupts(enabled);
    return found;
  }

  /** Builds and publishes the chain for one request in `slot`. */
  private submit(slot: i32, type: u32, sector: u64, buffer: usize, count: u32): void {
    const request = this.slots[slot];
    const header = request.memory;
    const bytes = request.bytes();
    bytes.type = type;
    bytes.reserved = 0;
    bytes.sector = sector;
    bytes.status = STATUS_UNWRITTEN;
    const enabled = setInterrupts(0);
    request.finished = false;
    this.requests++;
    if (this.failed) {
      request.finished = true;
      setInterrupts(enabled);
      return;
    }
    const hasData = count != 0;
    // Slots x 3 <= queue size, so a busy slot always finds its descriptors.
    const head = <u32>this.queue.takeChain(hasData ? 3 : 2);
    let at = head;
    this.queue.setBuffer(at, <u64>header, HEADER_BYTES, false);
    if (hasData) {
      at = this.queue.nextOf(at);
      this.queue.setBuffer(at, <u64>buffer, count * SECTOR_BYTES, type == REQUEST_IN);
    }
    at = this.queue.nextOf(at);
    this.queue.setBuffer(at, <u64>(header + STATUS_OFFSET), 1, true);
    request.head = head;
    this.slotOfHead[<i32>head] = slot;
    if (this.queue.publish(head)) this.transport.notify(this.queue.index);
    setInterrupts(enabled);
  }

  /** Waits for the request in `slot`, frees the slot, and returns 0 or -EIO. */
  private finish(slot: i32): i32 {
    const request = this.slots[slot];
    const deadline = now() + REQUEST_DEADLINE_NS;
    while (!request.finished) {
      const step = now() + POLL_INTERVAL_NS;
      if (request.done.acquire(step < deadline ? step : deadline) == 0) break;
      const enabled = setInterrupts(0);
      drainQueue(this.queue, changetype<usize>(this), onChainUsed);
      if (!request.finished && now() >= deadline) this.failDevice();
      setInterrupts(enabled);
    }
    request.done.tryAcquire(); // a release that came after the wait gave up
    const ok = !this.failed && <u32>request.bytes().status == STATUS_OK;
    const enabled = setInterrupts(0);
    request.busy = false;
    if (!ok) this.errors++;
    setInterrupts(enabled);
    if (!this.failed) this.freeSlots.release();
    return ok ? 0 : -EIO;
  }

  /** The device stopped answering: reset it and fail every request in flight (interrupts disabled). */
  private failDevice(): void {
    if (this.failed) return;
    this.failed = true;
    this.transport.reset();
    for (let i = 0; i < this.slots.length; i++) {
      const request = this.slots[i];
      if (request.busy && !request.finished) {
        request.finished = true;
        releaseWithoutSwitching(request.done);
      }
    }
    // Threads waiting for a slot would give up only at their deadline: wake them now.
    while (this.freeSlots.waiters.head !== null) releaseWithoutSwitching(this.freeSlots);
  }

  /** Called from the interrupt handler for each chain the device returned. */
  completed(head: u32): void {
    if (head >= <u32>this.slotOfHead.length) return;
    const slot = this.slotOfHead[<i32>head];
    if (slot < 0 || slot >= this.slots.length) return;
    const request = this.slots[slot];
    if (!request.busy || request.finished || request.head != head) return;
    this.queue.freeChain(head);
    this.slotOfHead[<i32>head] = NO_SLOT;
    request.finished = true;
    request.done.release();
  }
}

/** Semaphore.release without its preemption point, so that failDevice stays one critical section. */
function releaseWithoutSwitching(semaphore: Semaphore): void {
  const first = semaphore.waiters.head;
  if (first !== null) wake(first, 0);
  else semaphore.count++;
}

function onChainUsed(owner: usize, head: u32, written: u32): void {
  changetype<VirtioBlockDevice>(owner).completed(head);
}

/** Brings up the virtio-blk device behind `transport` as `name`: the device, or null with the reason recorded (kernel/failure.ts). */
export function openVirtioBlock(name: string, transport: VirtioTransport): VirtioBlockDevice | null {
  const device = new VirtioBlockDevice(name, transport);
  return device.start() < 0 ? null : device;
}

/** The virtio-blk driver (drivers/virtio registerVirtioDriver): starts the disk and registers it as vda, vdb, ...; 0 or -errno. */
export function attachVirtioBlock(transport: VirtioTransport): i32 {
  const disk = openVirtioBlock(diskName(diskCount()), transport);
  if (disk === null) return lastFailure();
  registerDisk(disk);
  return 0;
}

/** vda ... vdz, then vd26 ... */
function diskName(index: i32): string {
  return index < 26 ? "vd" + String.fromCharCode(0x61 + index) : "vd" + index.toString();
}
