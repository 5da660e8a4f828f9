// Block devices: what a disk driver offers filesystems.
//
// A BlockDevice reads and writes whole sectors, blocking the calling thread
// until the device is done; a failed request returns -EIO, never panics or
// hangs. Drivers (drivers/virtio/blk.ts) subclass it; MemoryBlockDevice serves
// an image that is already in memory (the initrd, host tests).

import { EIO, EINVAL, EROFS } from "../../kernel/errno";

export class BlockDevice {
  constructor(
    public name: string,
    /** Bytes per sector (512 for virtio-blk). */
    public sectorSize: u32,
    public sectors: u64,
    public readOnly: bool,
  ) {}

  /** Reads `count` sectors from `sector` into `buffer`; 0 or -errno. */
  read(sector: u64, buffer: usize, count: u32): i32 {
    return -EIO;
  }
  write(sector: u64, buffer: usize, count: u32): i32 {
    return this.readOnly ? -EROFS : -EIO;
  }
  /** Makes completed writes durable. */
  flush(): i32 {
    return 0;
  }

  /** True if [sector, sector + count) lies on the device. */
  holds(sector: u64, count: u32): bool {
    return sector <= this.sectors && <u64>count <= this.sectors - sector;
  }

  /**
   * The address of the device's bytes if they already sit in memory (an
   * initrd), so a filesystem can use file data in place; 0 otherwise.
   */
  memoryAddress(): usize {
    return 0;
  }
}

/** A read-only device over bytes already in memory. */
export class MemoryBlockDevice extends BlockDevice {
  constructor(name: string, public base: usize, public size: u64) {
    super(name, 512, size / 512, true);
  }

  read(sector: u64, buffer: usize, count: u32): i32 {
    if (!this.holds(sector, count)) return -EINVAL;
    memory.copy(buffer, this.base + <usize>(sector * 512), <usize>count * 512);
    return 0;
  }

  memoryAddress(): usize {
    return this.base;
  }
}
