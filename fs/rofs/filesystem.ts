// A mounted ROFS volume: the device, the superblock's numbers, the verified
// metadata, and the one way file data is fetched (fetchStored, through the
// image cache for short reads from a disk).
//
// Ownership: the filesystem owns its metadata copy (none when the image is
// in memory: the metadata is then used in place) and its root vnode; both
// go at unmount. Other vnodes are owned by whoever looked them up (the VFS
// cache); their block buffers go at release().

import { BlockDevice } from "../../drivers/block/device";
import { FileSystem, Vnode, SpaceStat } from "../vfs/node";
import { EIO } from "../../kernel/errno";
import { RofsVnode } from "./vnode";
import { ImageCache, CHUNK_BYTES, NOT_CACHED } from "./image-cache";
import { inodeAt, inodeType } from "./metadata";

/** Released vnodes kept per filesystem for their next lookup (a power of two). */
const SPARE_SLOTS: u32 = 32;

export class RofsFileSystem extends FileSystem {
  /** The image's bytes in memory (an initrd), or 0 if they must be read from the device. */
  imageAddress: usize = 0;
  imageSize: u64 = 0;
  inodeCount: u32 = 0;
  blockShift: u32 = 0;
  /** Where the verified metadata sits in memory. */
  metadata: usize = 0;
  metadataOffset: u64 = 0;
  metadataSize: u32 = 0;
  metadataChecksum: u32 = 0;
  /** The heap block holding the metadata copy (0 when used in place). */
  metadataBlock: usize = 0;
  dataOffset: u64 = 0;
  rootNode: RofsVnode | null = null;
  /**
   * Vnodes the VFS let go of, kept for the next lookup of their inode: a
   * direct-mapped table of SPARE_SLOTS pointers by inode (made on first use),
   * the newest released vnode taking its slot.
   */
  private spares: usize = 0;
  /** Recently read chunks of an image on a disk (made on the first short read). */
  private cache: ImageCache | null = null;

  constructor(public disk: BlockDevice) {
    super("rofs", true);
    this.namesFixed = true; // an image: nothing renames, adds or removes a name
  }

  get blockSize(): u32 {
    return <u32>1 << this.blockShift;
  }

  /** An image: its size in blocks and its inodes, nothing free. */
  statfs(out: SpaceStat): i32 {
    const size = <u64>this.blockSize;
    out.blockSize = <u32>size;
    out.blocks = (this.imageSize + size - 1) / size;
    out.freeBlocks = 0;
    out.availableBlocks = 0;
    out.files = <u64>this.inodeCount;
    out.freeFiles = 0;
    return 0;
  }

  /** Bytes a buffer given to fetchStored must hold for a block of `length` stored bytes. */
  stagingBytes(length: u32): usize {
    return <usize>length + 2 * <usize>this.disk.sectorSize;
  }

  /**
   * The address of `length` stored bytes at image offset `offset`: in place
   * for an in-memory image, else copied into `staging` (which holds
   * stagingBytes(length)) and pointed at there: out of the image cache for
   * reads shorter than its chunks (small files), from the device for the
   * rest or when `direct`. Returns the address, or -EIO if the device failed.
   */
  fetchStored(offset: u64, length: u32, staging: usize, direct: bool = false): i64 {
    if (this.imageAddress != 0) return <i64>(this.imageAddress + <usize>offset);
    if (!direct && <usize>length < CHUNK_BYTES) {
      if (this.cache === null) this.cache = new ImageCache(this.disk, this.imageSize);
      const copied = this.cache!.copy(offset, <usize>length, staging);
      if (copied < 0) return -EIO;
      if (copied != NOT_CACHED) return <i64>staging;
    }
    const sectorSize = <u64>this.disk.sectorSize;
    const first = offset / sectorSize;
    const end = (offset + <u64>length + sectorSize - 1) / sectorSize;
    if (end > first && this.disk.read(first, staging, <u32>(end - first)) < 0) return -EIO;
    return <i64>(staging + <usize>(offset - first * sectorSize));
  }

  /** A vnode for inode `inode` (a valid number: mount checked every reference). */
  vnode(inode: u32): RofsVnode {
    if (inode == 0 && this.rootNode !== null) return this.rootNode!;
    if (this.spares != 0) {
      const slot = this.spareSlot(inode);
      const kept = changetype<RofsVnode | null>(load<usize>(slot));
      if (kept !== null && kept.inode == <u64>inode) {
        store<usize>(slot, 0);
        return kept;
      }
    }
    return new RofsVnode(this, inode, inodeType(inodeAt(this.metadata, inode)));
  }

  /**
   * Keeps a vnode the VFS released (its references, parent and cache link
   * already cleared) for the next lookup of its inode; the vnode that held
   * its slot is freed.
   */
  keep(node: RofsVnode): void {
    if (this.spares == 0) {
      const bytes = <usize>SPARE_SLOTS << alignof<usize>();
      this.spares = heap.alloc(bytes);
      memory.fill(this.spares, 0, bytes);
    }
    const slot = this.spareSlot(<u32>node.inode);
    const old = load<usize>(slot);
    if (old != 0) changetype<RofsVnode>(old).discard();
    store<usize>(slot, changetype<usize>(node));
  }

  /** Where the spare table keeps a vnode of inode `inode` (the table exists). */
  private spareSlot(inode: u32): usize {
    return this.spares + (<usize>(inode & (SPARE_SLOTS - 1)) << alignof<usize>());
  }

  root(): Vnode {
    return this.rootNode!;
  }

  unmount(): void {
    if (this.spares != 0) {
      for (let i: u32 = 0; i < SPARE_SLOTS; i++) {
        const kept = load<usize>(this.spareSlot(i));
        if (kept != 0) changetype<RofsVnode>(kept).discard();
      }
      heap.free(this.spares);
      this.spares = 0;
    }
    const root = this.rootNode;
    if (root !== null) {
      root.discard();
      heap.free(changetype<usize>(root));
      this.rootNode = null;
    }
    const cache = this.cache;
    if (cache !== null) {
      cache.release();
      heap.free(changetype<usize>(cache));
      this.cache = null;
    }
    if (this.metadataBlock != 0) heap.free(this.metadataBlock);
    this.metadataBlock = 0;
    this.metadata = 0;
  }
}
