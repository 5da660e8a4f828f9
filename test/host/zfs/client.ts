// The typings of test/host/zfs/harness.ts's exports (fs/zfs's writing side,
// in the shared host-test harness).

import type { Ptr } from "../core/client";

export interface ZfsWriteExports {
  zfsNvNew(flags: number): number;
  zfsNvU64(list: number, name: Ptr, value: bigint): void;
  zfsNvString(list: number, name: Ptr, value: Ptr): void;
  zfsNvList(list: number, name: Ptr, child: number): void;
  zfsNvArrayNew(): number;
  zfsNvArrayPush(array: number, child: number): void;
  zfsNvLists(list: number, name: Ptr, array: number): void;
  zfsNvPack(list: number): Ptr;
  zfsConfigRegion(list: number, at: bigint): Ptr;
  zfsBytes(length: number): Ptr;
  zfsRewriteBlockPointer(pointer: Ptr, out: Ptr): void;
  zfsRewriteMicroZap(block: Ptr, out: Ptr): number;
  zfsRewriteDnode(dnode: Ptr, out: Ptr): number;
  zfsRewriteObjset(block: Ptr): Ptr;
  zfsLzjbCompress(source: Ptr, length: number, target: Ptr, targetLength: number): number;
  zfsLzjbDecompress(source: Ptr, length: number, target: Ptr, targetLength: number): number;
  zfsZlibDeflate(source: Ptr, length: number, target: Ptr, limit: number): number;
  zfsUberblockSlot(version: bigint, txg: bigint, guidSum: bigint, timestamp: bigint, root: number, size: number, at: bigint): Ptr;
}
