// A split virtqueue (virtio 1.x, 2.7): the driver offers chains of buffer
// descriptors on the available ring, the device hands them back on the used
// ring. All three areas sit in one run of zeroed pages (physical address ==
// kernel address), so they are handed to the device as-is:
//
//   0                 descriptor table: size x Descriptor (16 bytes each)
//   16 size           available ring: RingHeader, ring[size] u16, used_event u16
//   next 4 KiB        used ring: RingHeader, ring[size] UsedElement, avail_event u16
//
//   Descriptor (16 bytes)            RingHeader (4 bytes)   UsedElement (8 bytes)
//    0 +------------------------+     0 +-----------+        0 +------------+
//      | address u64 (physical) |       | flags u16 |          | id u32     |  the chain's head
//    8 | length u32             |     2 | index u16 |        4 | length u32 |  bytes the device wrote
//   12 | flags u16              |     4 +-----------+        8 +------------+
//   14 | next u16               |
//   16 +------------------------+
//
// Free descriptors form a list linked through `next`, so taking n of them
// yields a chain already linked in order. Indexes are free-running u16
// counters; a ring slot is the index modulo the size (a power of two).
//
// Ordering: the available index is written with mmioWrite16, whose barrier
// (aarch64 DMB before the store) makes the descriptors and the ring entry
// visible to the device first; the used index is read with mmioRead16,
// whose barrier (DMB after the load) keeps the reads of the used entries
// behind it. On x86_64 both are plain moves, ordered by the memory model.
//
// Not thread-safe by itself: the owner calls it with interrupts disabled
// (one CPU), from threads and from its interrupt handler alike.

import { mmioRead16, mmioWrite16, memoryBarrier } from "../../arch";
import { pages, PAGE_SIZE, USE_LARGE } from "../../kernel/mm/pages";

/** Descriptor flags. */
export const DESCRIPTOR_NEXT: u16 = 1;
/** The device writes this buffer (a read from the device's point of view: data in). */
export const DESCRIPTOR_WRITE: u16 = 2;
/** Used-ring flag: the device does not need notifications now. */
const USED_NO_NOTIFY: u16 = 1;
/** Available-ring flag: the driver does not need interrupts now (a hint the device may ignore). */
const AVAILABLE_NO_INTERRUPT: u16 = 1;
/** A queue of more than this is not asked for: 3 pages of rings are plenty for a disk. */
export const MAX_QUEUE_SIZE: u32 = 256;
/** Returned by takeUsed when the device has handed nothing back. */
export const NOTHING_USED: i64 = -1;

@unmanaged
export class Descriptor {
  address: u64;
  length: u32;
  flags: u16;
  next: u16;
}

/** The start of both rings; their entries follow it. */
@unmanaged
class RingHeader {
  flags: u16;
  /** Free-running: where the writer of the ring puts its next entry. */
  index: u16;
}

@unmanaged
class UsedElement {
  id: u32;
  length: u32;
}

const DESCRIPTOR_BYTES: usize = offsetof<Descriptor>();
const RING_HEADER_BYTES: usize = offsetof<RingHeader>();
const USED_ELEMENT_BYTES: usize = offsetof<UsedElement>();
/** An available ring entry, and the event index after either ring, are u16. */
const RING_U16_BYTES: usize = sizeof<u16>();
const RING_FLAGS: usize = offsetof<RingHeader>("flags");
const RING_INDEX: usize = offsetof<RingHeader>("index");

export class Virtqueue {
  /** The page run holding all three areas. */
  area: usize = 0;
  descriptors: usize = 0;
  available: usize = 0;
  used: usize = 0;
  freeHead: u32 = 0;
  freeCount: u32 = 0;
  /** The next available index to publish. */
  availableIndex: u16 = 0;
  /** The used index seen last: entries before it were taken. */
  lastUsed: u16 = 0;

  constructor(public index: u32, public size: u32) {}

  /** Bytes of pages the areas need for `size` entries. */
  static bytesFor(size: u32): usize {
    return Virtqueue.usedOffset(size) + RING_HEADER_BYTES + <usize>size * USED_ELEMENT_BYTES + RING_U16_BYTES;
  }

  private static usedOffset(size: u32): usize {
    const availableEnd = <usize>size * DESCRIPTOR_BYTES + RING_HEADER_BYTES + <usize>(size + 1) * RING_U16_BYTES;
    return (availableEnd + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
  }

  /** Allocates and links the areas; false when memory is short. */
  allocate(): bool {
    const frames = <u32>((Virtqueue.bytesFor(this.size) + PAGE_SIZE - 1) / PAGE_SIZE);
    this.area = pages.allocZeroed(frames, USE_LARGE);
    if (this.area == 0) return false;
    this.descriptors = this.area;
    this.available = this.area + <usize>this.size * DESCRIPTOR_BYTES;
    this.used = this.area + Virtqueue.usedOffset(this.size);
    for (let i: u32 = 0; i < this.size; i++) this.descriptor(i).next = <u16>(i + 1);
    this.freeHead = 0;
    this.freeCount = this.size;
    return true;
  }

  /** Gives the pages back (only once the device no longer uses them: after a reset). */
  release(): void {
    if (this.area != 0) pages.free(this.area);
    this.area = 0;
  }

  descriptor(index: u32): Descriptor {
    return changetype<Descriptor>(this.descriptors + <usize>index * DESCRIPTOR_BYTES);
  }

  /** Takes `count` free descriptors, linked in order; returns the head, or -1 if too few are free. */
  takeChain(count: u32): i32 {
    if (count == 0 || count > this.freeCount) return -1;
    const head = this.freeHead;
    let last = head;
    for (let i: u32 = 1; i < count; i++) last = this.descriptor(last).next;
    this.freeHead = this.descriptor(last).next;
    this.freeCount -= count;
    for (let at = head, i: u32 = 0; i < count; i++) {
      const entry = this.descriptor(at);
      entry.flags = i + 1 < count ? DESCRIPTOR_NEXT : 0;
      at = entry.next;
    }
    return <i32>head;
  }

  /** Fills descriptor `index` (keeping its link), marking it device-writable if `deviceWrites`. */
  setBuffer(index: u32, address: u64, length: u32, deviceWrites: bool): void {
    const entry = this.descriptor(index);
    entry.address = address;
    entry.length = length;
    entry.flags = (entry.flags & DESCRIPTOR_NEXT) | (deviceWrites ? DESCRIPTOR_WRITE : 0);
  }

  /** The descriptor after `index` in its chain. */
  nextOf(index: u32): u32 {
    return this.descriptor(index).next;
  }

  /** Returns the chain starting at `head` to the free list. */
  freeChain(head: u32): void {
    let last = head;
    let count: u32 = 1;
    while ((this.descriptor(last).flags & DESCRIPTOR_NEXT) != 0 && count < this.size) {
      last = this.descriptor(last).next;
      count++;
    }
    this.descriptor(last).next = <u16>this.freeHead;
    this.freeHead = head;
    this.freeCount += count;
  }

  /** Offers the chain at `head` to the device; returns true if the device wants a notification. */
  publish(head: u32): bool {
    const slot = <usize>(this.availableIndex & <u16>(this.size - 1));
    store<u16>(this.available + RING_HEADER_BYTES + slot * RING_U16_BYTES, <u16>head);
    this.availableIndex++;
    mmioWrite16(this.available + RING_INDEX, this.availableIndex);
    memoryBarrier(); // the index out before the flag is read: else a device that just asked to be told is missed
    return (mmioRead16(this.used + RING_FLAGS) & USED_NO_NOTIFY) == 0;
  }

  /** Asks the device not to interrupt when it uses this queue's buffers (a hint: it still may), or to again. */
  suppressInterrupts(suppress: bool): void {
    mmioWrite16(this.available + RING_FLAGS, suppress ? AVAILABLE_NO_INTERRUPT : 0);
  }

  /**
   * The next chain the device handed back, as head | written bytes << 32,
   * or NOTHING_USED.
   */
  takeUsed(): i64 {
    const deviceIndex = <u16>mmioRead16(this.used + RING_INDEX);
    if (deviceIndex == this.lastUsed) return NOTHING_USED;
    const slot = <usize>(this.lastUsed & <u16>(this.size - 1));
    const element = changetype<UsedElement>(this.used + RING_HEADER_BYTES + slot * USED_ELEMENT_BYTES);
    this.lastUsed++;
    return <i64>(<u64>element.id | (<u64>element.length << 32));
  }
}
