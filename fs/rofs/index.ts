// ROFS, Wisp's read-only image format: the front door.
//
// mountRofs(device, out) checks an image (superblock, metadata CRC-32C, every
// record; docs/rofs.md) and gives a FileSystem whose vnodes implement
// lookup, readdir, read, getattr and readlink. Images in memory (the initrd,
// a MemoryBlockDevice) are read in place; others through the device.

export { RofsMount, mountRofs } from "./mount";
export { RofsFileSystem } from "./filesystem";
export { RofsVnode } from "./vnode";
export { lz4DecompressBlock } from "./lz4";
export { crc32c } from "../../arch";
