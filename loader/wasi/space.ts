// Wisp's extension beyond WASI preview 1, which has no statvfs: the size
// and free space of the filesystem a descriptor's file is on, as the VFS's
// statfs gives it. Apps import it from wasi_snapshot_preview1 as
// `wisp_fd_statvfs(fd, out) -> errno`; loader/wasi/wisp-statvfs.h declares
// it for C, with a statvfs()-style wrapper.
//
//   out (64 bytes): +0 u64 block size (the unit of the block counts)
//     +8 blocks  +16 free blocks  +24 blocks free to the app
//     +32 files  +40 free files  +48 flags (bit 0: read-only)  +56 longest name
//
// BADF for a console stream or a socket (they are on no filesystem),
// NOSYS when the filesystem cannot say (a module without fs_statfs).

import * as vfs from "../../fs/vfs/index";
import { ERRNO_SUCCESS, ERRNO_BADF, ERRNO_FAULT, errnoOf } from "./errno";
import { fileOf } from "./fds";
import { scratch, put, inRange } from "./memory";

const STATVFS_BYTES: u32 = 64;
const FLAG_READ_ONLY: u64 = 1;

let space: vfs.SpaceStat | null = null;

export function fdStatvfs(fd: u32, out: u32): u32 {
  const file = fileOf(fd);
  if (file === null || file.vfsFd < 0) return ERRNO_BADF;
  if (!inRange(out, 1, STATVFS_BYTES)) return ERRNO_FAULT;
  if (space === null) space = new vfs.SpaceStat();
  const stat = space!;
  const result = vfs.fstatfs(file.vfsFd, stat);
  if (result < 0) return errnoOf(result);
  const at = scratch();
  store<u64>(at, <u64>stat.blockSize, 0);
  store<u64>(at, stat.blocks, 8);
  store<u64>(at, stat.freeBlocks, 16);
  store<u64>(at, stat.availableBlocks, 24);
  store<u64>(at, stat.files, 32);
  store<u64>(at, stat.freeFiles, 40);
  store<u64>(at, stat.readOnly ? FLAG_READ_ONLY : 0, 48);
  store<u64>(at, <u64>stat.nameMax, 56);
  return put(out, STATVFS_BYTES) ? ERRNO_SUCCESS : ERRNO_FAULT;
}
