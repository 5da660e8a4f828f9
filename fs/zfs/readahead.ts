// Read-ahead for small file data blocks. Files written one after another
// lie one after another on the device, so a directory of small files is
// read as a run of small, nearly adjacent blocks; each device_read is a
// round trip to the disk, which costs more than the bytes. A file data
// block of at most WINDOW / 4 bytes that the pool's window does not hold
// refills the window with WINDOW bytes from the block's start, and later
// reads inside it are copied from memory. Larger blocks, and metadata
// (whose ditto copies lie elsewhere anyway), go straight to the device.
//
// The window belongs to one mounted pool (pool.ts) and holds the device's
// bytes as read, unchecked: every block is checked after it is taken from
// here exactly as after a direct read. If the window's read fails (a bad
// sector past the block), the block is read alone, so damage nearby never
// costs a good block.

import { deviceRead, deviceSize } from "./host";
import { readDevice } from "./label";
import { Stats } from "./stats";

export const WINDOW: i32 = 256 << 10;

export class ReadAhead {
  device: i32 = -1;
  start: i64 = 0;
  length: i32 = 0;
  data: Uint8Array | null = null;

  /** Whether [offset, offset + length) of `device` is in the window. */
  holds(device: i32, offset: i64, length: i32): bool {
    return device == this.device && offset >= this.start && offset + <i64>length <= this.start + <i64>this.length;
  }
}

/** `length` bytes at `offset` of `device` (a block), through `window`; null if the device refuses. */
export function readBlockBytes(window: ReadAhead, device: i32, offset: i64, length: i32, stats: Stats): Uint8Array | null {
  if (length > WINDOW / 4 || length <= 0) return readDevice(device, offset, length, stats);
  if (!window.holds(device, offset, length)) {
    const take = <i32>min<i64>(<i64>WINDOW, deviceSize(device) - offset);
    if (take < length) return readDevice(device, offset, length, stats);
    if (window.data === null) window.data = new Uint8Array(WINDOW);
    window.length = 0;
    stats.deviceReads++;
    stats.bytesRead += <u64>take;
    if (deviceRead(device, offset, window.data!.dataStart, take) < 0) {
      stats.deviceErrors++;
      return readDevice(device, offset, length, stats);
    }
    window.device = device;
    window.start = offset;
    window.length = take;
  }
  const out = new Uint8Array(length);
  memory.copy(out.dataStart, window.data!.dataStart + <usize>(offset - window.start), <usize>length);
  return out;
}
