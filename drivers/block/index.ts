// Block devices: the front door. Disk drivers register each disk they bring
// up (registerDisk); filesystems and self-tests find them here, in the order
// they were found (vda, vdb, ... for virtio). The interface itself is in
// device.ts.

import { BlockDevice } from "./device";

export { BlockDevice, MemoryBlockDevice } from "./device";

let found: BlockDevice[] | null = null;

export function registerDisk(disk: BlockDevice): void {
  if (found === null) found = [];
  found!.push(disk);
}

/** The disks registered so far (a copy). */
export function disks(): BlockDevice[] {
  return found === null ? [] : found!.slice(0);
}

/** Disk `index` in the order found, or null. */
export function diskAt(index: i32): BlockDevice | null {
  return found === null || index < 0 || index >= found!.length ? null : found![index];
}

/** How many disks are registered: a driver names its next disk by it. */
export function diskCount(): i32 {
  return found === null ? 0 : found!.length;
}
