// The Node side of the harness's 9p part (9p/harness.ts): the codec's
// exports, as the loader presents them.

import type { Ptr } from "../core/client";

export interface NinePExports {
  ninepWriteVersion(buffer: number, capacity: number, msize: number): number;
  ninepWriteAttach(buffer: number, capacity: number, tag: number, fid: number, uname: Ptr, aname: Ptr, uid: number): number;
  ninepReadVersion(buffer: number, length: number, asked: number): bigint;
  ninepReadAttach(buffer: number, length: number, tag: number): number;
  ninepQidType(): number;
  ninepQidVersion(): number;
  ninepQidPath(): bigint;
  ninepWalkNamesClear(): void;
  ninepWalkNamesAdd(name: Ptr): void;
  ninepWriteWalk(buffer: number, capacity: number, tag: number, fid: number, newFid: number): number;
  ninepReadWalk(buffer: number, length: number, tag: number, names: number): number;
  ninepWriteClunk(buffer: number, capacity: number, tag: number, fid: number): number;
  ninepReadClunk(buffer: number, length: number, tag: number): number;
  ninepWriteGetattr(buffer: number, capacity: number, tag: number, fid: number, mask: bigint): number;
  ninepReadGetattr(buffer: number, length: number, tag: number): number;
  ninepAttr(which: number): bigint;
  ninepCreate(tag: Ptr, readOnly: number): number;
  ninepFailureText(): Ptr;
  ninepLiveFids(handle: number): number;
  ninepMsize(handle: number): number;
}
