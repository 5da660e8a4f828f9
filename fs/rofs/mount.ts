// Mounting a ROFS image: read and check the superblock, bring the metadata
// into memory (in place on an in-memory image), check its CRC-32, then
// prove every record sound (validate.ts). Any failure is -errno with a
// detail naming what is wrong (kernel/failure.ts): -EINVAL for what is not a
// ROFS image at all, -EBADMSG for a damaged one, -EIO for a device that
// failed; and nothing stays allocated.

import { EBADMSG, EIO, EINVAL } from "../../kernel/errno";
import { fail } from "../../kernel/failure";
import { BlockDevice } from "../../drivers/block/device";
import { TYPE_DIRECTORY } from "../vfs/node";
import {
  ROFS_MAGIC, ROFS_VERSION, SUPERBLOCK_SIZE, SB_MAGIC, SB_VERSION, SB_CHECKSUM, SB_IMAGE_SIZE,
  SB_INODE_COUNT, SB_BLOCK_SHIFT, SB_METADATA_OFFSET, SB_METADATA_SIZE, SB_METADATA_CHECKSUM,
  SB_DATA_OFFSET, BLOCK_SHIFT_MIN, BLOCK_SHIFT_MAX,
} from "./layout";
import { crc32c } from "../../arch";
import { RofsFileSystem } from "./filesystem";
import { RofsVnode } from "./vnode";
import { validateMetadata } from "./validate";

/** Where mountRofs puts the mounted filesystem. */
export class RofsMount {
  fs: RofsFileSystem | null = null;
}

/** Mounts the ROFS image on `device`: 0 with `out.fs` set, or -errno with why not. */
export function mountRofs(device: BlockDevice, out: RofsMount): i32 {
  out.fs = null;
  const sectorSize = <u64>device.sectorSize;
  if (sectorSize == 0 || sectorSize > 65536) return fail(EBADMSG, "rofs: unsupported sector size " + sectorSize.toString());
  const deviceBytes = device.sectors * sectorSize;
  if (deviceBytes < <u64>SUPERBLOCK_SIZE) return truncated(<u64>SUPERBLOCK_SIZE, deviceBytes);

  const rofs = new RofsFileSystem(device);
  const error = readSuperblock(rofs, deviceBytes);
  if (error == 0) {
    const metadataError = loadMetadata(rofs);
    if (metadataError == 0) {
      const invalid = validateMetadata(rofs);
      if (invalid == 0) {
        rofs.rootNode = new RofsVnode(rofs, 0, TYPE_DIRECTORY);
        out.fs = rofs;
        return 0;
      }
      rofs.unmount();
      heap.free(changetype<usize>(rofs));
      return invalid;
    }
    rofs.unmount();
    heap.free(changetype<usize>(rofs));
    return metadataError;
  }
  heap.free(changetype<usize>(rofs));
  return error;
}

function truncated(needed: u64, has: u64): i32 {
  return fail(EBADMSG, "rofs: truncated image: needs " + needed.toString() + " bytes, device has " + has.toString());
}

function readSuperblock(rofs: RofsFileSystem, deviceBytes: u64): i32 {
  const device = rofs.disk;
  const memoryImage = device.memoryAddress();
  let superblock = memoryImage;
  let block: usize = 0;
  if (memoryImage == 0) {
    const sectors = (<u32>SUPERBLOCK_SIZE + device.sectorSize - 1) / device.sectorSize;
    block = heap.alloc(<usize>sectors * device.sectorSize);
    if (device.read(0, block, sectors) < 0) {
      heap.free(block);
      return fail(EIO, "rofs: I/O error reading the superblock");
    }
    superblock = block;
  }
  const error = checkSuperblock(rofs, superblock, deviceBytes);
  if (block != 0) heap.free(block);
  rofs.imageAddress = memoryImage;
  return error;
}

/** The CRC-32 of the superblock at `superblock` with its checksum field read as zero (what SB_CHECKSUM must hold). */
export function superblockChecksum(superblock: usize): u32 {
  const zero = memory.data(4);
  store<u32>(zero, 0);
  let sum = crc32c(0, superblock, SB_CHECKSUM);
  sum = crc32c(sum, zero, 4);
  return crc32c(sum, superblock + SB_CHECKSUM + 4, SUPERBLOCK_SIZE - SB_CHECKSUM - 4);
}

/** The format version whose checksums were IEEE CRC-32. */
const OLD_CRC_VERSION: u32 = 1;

function checkSuperblock(rofs: RofsFileSystem, superblock: usize, deviceBytes: u64): i32 {
  if (load<u32>(superblock + SB_MAGIC) != <u32>ROFS_MAGIC) return fail(EINVAL, "rofs: bad magic (not a ROFS image)");
  const version = load<u32>(superblock + SB_VERSION);
  if (superblockChecksum(superblock) != load<u32>(superblock + SB_CHECKSUM)) {
    // Version 1 images carry IEEE CRC-32s, which never match: say so rather than call them corrupt.
    if (version == OLD_CRC_VERSION) return fail(EBADMSG, "rofs: version 1 image (CRC-32 checksums): this reader knows version 2; rebuild the image");
    return fail(EBADMSG, "rofs: superblock checksum mismatch");
  }
  if (version != <u32>ROFS_VERSION) {
    return fail(EBADMSG, "rofs: unsupported version " + version.toString() + " (this reader knows " + ROFS_VERSION.toString() + ")");
  }

  const imageSize = load<u64>(superblock + SB_IMAGE_SIZE);
  if (imageSize > deviceBytes) return truncated(imageSize, deviceBytes);
  const shift = load<u32>(superblock + SB_BLOCK_SHIFT);
  if (shift < <u32>BLOCK_SHIFT_MIN || shift > <u32>BLOCK_SHIFT_MAX) return fail(EBADMSG, "rofs: unsupported block size 2^" + shift.toString());
  const metadataOffset = load<u64>(superblock + SB_METADATA_OFFSET);
  const metadataSize = load<u32>(superblock + SB_METADATA_SIZE);
  if (metadataOffset < <u64>SUPERBLOCK_SIZE || metadataOffset > imageSize || <u64>metadataSize > imageSize - metadataOffset) {
    return fail(EBADMSG, "rofs: the metadata points past the end of the image");
  }
  const dataOffset = load<u64>(superblock + SB_DATA_OFFSET);
  if (dataOffset > imageSize) return fail(EBADMSG, "rofs: the data offset points past the end of the image");
  // The image must also fit this machine's address space when used in place.
  if (rofs.disk.memoryAddress() != 0 && imageSize > <u64>(<usize>-1 - rofs.disk.memoryAddress())) {
    return fail(EBADMSG, "rofs: the image does not fit in memory");
  }
  rofs.imageSize = imageSize;
  rofs.inodeCount = load<u32>(superblock + SB_INODE_COUNT);
  rofs.blockShift = shift;
  rofs.metadataSize = metadataSize;
  rofs.dataOffset = dataOffset;
  rofs.metadataOffset = metadataOffset;
  rofs.metadataChecksum = load<u32>(superblock + SB_METADATA_CHECKSUM);
  return 0;
}

function loadMetadata(rofs: RofsFileSystem): i32 {
  const size = rofs.metadataSize;
  if (rofs.imageAddress != 0) {
    rofs.metadata = rofs.imageAddress + <usize>rofs.metadataOffset;
  } else {
    const block = heap.alloc(rofs.stagingBytes(size));
    rofs.metadataBlock = block;
    const at = rofs.fetchStored(rofs.metadataOffset, size, block, true);
    if (at < 0) return fail(EIO, "rofs: I/O error reading the metadata");
    rofs.metadata = <usize>at;
  }
  if (crc32c(0, rofs.metadata, <usize>size) != rofs.metadataChecksum) return fail(EBADMSG, "rofs: metadata checksum mismatch");
  return 0;
}
