// Filesystems cross the harness boundary as handles (indexes into one
// table), whichever harness part made them: vfs/harness.ts mounts what
// 9p/harness.ts makes. Not exported from the harness itself.

import { FileSystem } from "../../../fs/vfs/node";

let fileSystems: Array<FileSystem | null> | null = null;

export function fileSystemHandle(fs: FileSystem): i32 {
  if (fileSystems === null) fileSystems = new Array<FileSystem | null>();
  fileSystems!.push(fs);
  return fileSystems!.length - 1;
}

export function fileSystemOf(handle: i32): FileSystem {
  return fileSystems![handle]!;
}

export function forgetFileSystem(handle: i32): void {
  fileSystems![handle] = null;
}

