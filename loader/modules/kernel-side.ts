// What the kernel exports to filesystem modules (kernel/init/exports.ts
// lists them): the "wisp" imports of docs/modules.md, as module_<name>
// (their signatures are loader/native/module-imports.list's, checked by the
// build), and the runtime requests of arch/common/module-runtime.c. Each
// acts on the module being called (calls.ts calledModule); addresses are in
// that module's memory and checked against it before anything is copied.

import { diskAt, diskCount, BlockDevice } from "../../drivers/block/index";
import { malloc, free, memoryAvailable } from "../../kernel/mm/index";
import { print, printLine, putByte } from "../../kernel/console";
import { EINVAL, EIO, ENOMEM, EROFS } from "../../kernel/errno";
import { fileTime } from "../../fs/vfs/module";
import { WASM_PAGE_BYTES } from "../app-memory";
import { calledModule } from "./calls";
import { FsModule } from "./module";
import { recordModuleTrap, claimModuleFault } from "./faults";

const SECTOR_BYTES: u64 = 512;
/** Device reads go through a kernel buffer this big, one piece at a time. */
const BOUNCE_BYTES: u32 = 64 << 10;
/** The most one device_read or device_write may ask for. */
const MAX_READ_BYTES: u32 = 16 << 20;
/** The longest log line printed (longer ones are cut). */
const MAX_LOG_BYTES: u32 = 1024;

let bounce: usize = 0;

function ensureBounce(): bool {
  if (bounce == 0) bounce = malloc(BOUNCE_BYTES);
  return bounce != 0;
}

export function module_device_count(): i32 {
  return diskCount();
}

export function module_device_size(device: i32): i64 {
  const disk = diskAt(device);
  return disk === null ? -(<i64>EINVAL) : <i64>(disk.sectors * <u64>disk.sectorSize);
}

/** Whether a device_read or device_write of `length` bytes at `offset` from `buffer` is in bounds for the module and the disk. */
function transferFits(module: FsModule | null, disk: BlockDevice | null, offset: i64, buffer: u32, length: i32): bool {
  if (module === null || disk === null || disk.sectorSize != <u32>SECTOR_BYTES) return false;
  if (offset < 0 || length < 0 || <u32>length > MAX_READ_BYTES) return false;
  if ((<u64>offset | <u64>length) & (SECTOR_BYTES - 1)) return false;
  if (<u64>buffer + <u64>length > module.memory.size) return false;
  return disk.holds(<u64>offset / SECTOR_BYTES, <u32>(<u64>length / SECTOR_BYTES));
}

export function module_device_read(device: i32, offset: i64, buffer: u32, length: i32): i32 {
  const module = calledModule();
  const disk = diskAt(device);
  if (!transferFits(module, disk, offset, buffer, length)) return -EINVAL;
  const first = <u64>offset / SECTOR_BYTES;
  if (!ensureBounce()) return -ENOMEM;
  let done: u32 = 0;
  while (done < <u32>length) {
    const piece = min<u32>(BOUNCE_BYTES, <u32>length - done);
    const result = disk!.read(first + <u64>(done / <u32>SECTOR_BYTES), bounce, piece / <u32>SECTOR_BYTES);
    if (result < 0) return result == -EINVAL ? -EINVAL : -EIO;
    module!.memory.copyOut(buffer + done, bounce, piece);
    done += piece;
  }
  return 0;
}

export function module_device_write(device: i32, offset: i64, buffer: u32, length: i32): i32 {
  const module = calledModule();
  const disk = diskAt(device);
  if (!transferFits(module, disk, offset, buffer, length)) return -EINVAL;
  if (disk!.readOnly) return -EROFS;
  const first = <u64>offset / SECTOR_BYTES;
  if (!ensureBounce()) return -ENOMEM;
  let done: u32 = 0;
  while (done < <u32>length) {
    const piece = min<u32>(BOUNCE_BYTES, <u32>length - done);
    if (!module!.memory.copyIn(bounce, buffer + done, piece)) return -EINVAL;
    const result = disk!.write(first + <u64>(done / <u32>SECTOR_BYTES), bounce, piece / <u32>SECTOR_BYTES);
    if (result < 0) return result == -EROFS ? -EROFS : -EIO;
    done += piece;
  }
  return 0;
}

export function module_device_flush(device: i32): i32 {
  const disk = diskAt(device);
  if (disk === null) return -EINVAL;
  if (disk.readOnly) return -EROFS;
  return disk.flush() < 0 ? -EIO : 0;
}

export function module_log(text: u32, length: i32): void {
  const module = calledModule();
  if (module === null || length < 0) return;
  print(module.name);
  print(": ");
  printModuleText(module, text, min<u32>(<u32>length, MAX_LOG_BYTES));
  printLine();
}

/**
 * Prints `length` bytes of a module's memory from `address` as one line's
 * text: control bytes become spaces. Nothing when they are not all in its
 * memory (or no scratch memory is left).
 */
export function printModuleText(module: FsModule, address: u32, length: u32): void {
  const text = malloc(max<usize>(<usize>length, 1));
  if (text != 0 && module.memory.copyIn(text, address, length)) {
    for (let i: u32 = 0; i < length; i++) {
      const byte = <u32>load<u8>(text + <usize>i);
      putByte(byte < 0x20 ? 0x20 : byte);
    }
  }
  if (text != 0) free(text);
}

export function module_time_now(): i64 {
  return fileTime();
}

export function moduleMemoryReserve(initialPages: u64, maximumPages: u64, is64: u32, pageSize: u32): u64 {
  const module = calledModule();
  if (module === null || is64 != 0 || <u64>pageSize != WASM_PAGE_BYTES) return 0;
  return module.memory.reserve(initialPages, maximumPages);
}

export function moduleMemoryGrow(deltaPages: u64): i64 {
  const module = calledModule();
  return module === null ? -1 : module.memory.grow(deltaPages);
}

export function moduleAllocate(bytes: u64): u32 {
  const module = calledModule();
  if (module === null || bytes > 0x1000_0000 || !memoryAvailable(bytes)) return 0;
  const block = malloc(<usize>bytes);
  if (block == 0) return 0;
  memory.fill(block, 0, <usize>bytes);
  module.tables.push(block);
  return <u32>block;
}

export function moduleTrap(kind: u32, at: u64): void {
  recordModuleTrap(kind, at);
}

export function moduleFault(kind: u32, code: u64, ip: u64, address: u64): u32 {
  const module = calledModule();
  return module !== null && claimModuleFault(module, kind, code, ip, address) ? 1 : 0;
}
