// PVH start_info (x86_64): the structure QEMU's PVH loader hands over in
// %ebx, and the two tables it points at. The layouts are Xen's
// (public/arch-x86/hvm/start_info.h); every field is little-endian, every
// address physical, and an address of 0 means "absent".
//
//   StartInfo                                 ModuleEntry (32 bytes)
//    0 +----------------------+                0 +------------------+
//      | magic 0x336ec578 u32 |                  | address      u64 |
//    4 | version          u32 |                8 | size         u64 |
//    8 | flags            u32 |               16 | commandLine  u64 |
//   12 | moduleCount      u32 |               24 | reserved     u64 |
//   16 | moduleList       u64 | --> entries   32 +------------------+
//   24 | commandLine      u64 | --> C string
//   32 | rsdp             u64 |                 MemoryMapEntry (24 bytes)
//   40 +----------------------+ version 0 ends  0 +------------------+
//   40 | memoryMap        u64 | --> entries       | address      u64 |
//   48 | memoryMapEntries u32 |                 8 | size         u64 |
//   52 | reserved         u32 |                16 | type u32 (e820)  |
//   56 +----------------------+                20 | reserved     u32 |
//                                              24 +------------------+
//
// The kernel takes the command line, the first module (the initrd) and the
// memory map; the RSDP is not used.

import { fail } from "../failure";
import { EINVAL } from "../errno";
import { BootInfo, MemoryRange, CONSOLE_NS16550_PORT } from "./bootinfo";
import { readCString } from "./cstring";
import { COMMAND_LINE_MAX } from "../params";

export const PVH_MAGIC: u32 = 0x336ec578;
const COM1_PORT: u64 = 0x3f8;
const MAX_MEMMAP_ENTRIES: u32 = 128;

@unmanaged
class StartInfo {
  magic: u32;
  version: u32;
  flags: u32;
  moduleCount: u32;
  moduleList: u64;
  commandLine: u64;
  rsdp: u64;
  /** This field and the next are there from version 1 on. */
  memoryMap: u64;
  memoryMapEntries: u32;
  reserved: u32;
}

@unmanaged
class ModuleEntry {
  address: u64;
  size: u64;
  commandLine: u64;
  reserved: u64;
}

@unmanaged
class MemoryMapEntry {
  address: u64;
  size: u64;
  /** e820 numbering (bootinfo MEMORY_*); other values are kept as they are. */
  type: u32;
  reserved: u32;
}

// @ts-ignore: decorator
@inline function moduleEntry(list: usize, index: u32): ModuleEntry {
  return changetype<ModuleEntry>(list + <usize>index * offsetof<ModuleEntry>());
}

// @ts-ignore: decorator
@inline function memoryMapEntry(map: usize, index: u32): MemoryMapEntry {
  return changetype<MemoryMapEntry>(map + <usize>index * offsetof<MemoryMapEntry>());
}

/**
 * Reads the start_info at `startInfo` into `info`; 0, or -EINVAL with what is
 * wrong (kernel/failure.ts). `info` holds what was read before the problem:
 * at least where the console is.
 */
export function parsePvh(startInfo: usize, info: BootInfo): i32 {
  info.consoleKind = CONSOLE_NS16550_PORT;
  info.consoleBase = COM1_PORT;
  if (startInfo == 0) {
    return fail(EINVAL, "no PVH start_info (boot loader passed a null pointer)");
  }
  const start = changetype<StartInfo>(startInfo);
  if (start.magic != PVH_MAGIC) {
    return fail(EINVAL, "PVH start_info has a bad magic number");
  }
  const commandLine = <usize>start.commandLine;
  if (commandLine != 0) info.commandLine = readCString(commandLine, COMMAND_LINE_MAX);
  const moduleList = <usize>start.moduleList;
  if (start.moduleCount > 0 && moduleList != 0) {
    const initrd = moduleEntry(moduleList, 0);
    info.initrdBase = initrd.address;
    info.initrdSize = initrd.size;
  }
  if (start.version >= 1) {
    const map = <usize>start.memoryMap;
    const entries = start.memoryMapEntries;
    if (entries > MAX_MEMMAP_ENTRIES) {
      return fail(EINVAL, "PVH memory map is implausibly long");
    }
    for (let i: u32 = 0; i < entries; i++) {
      const entry = memoryMapEntry(map, i);
      if (entry.size == 0) continue;
      info.memory.push(new MemoryRange(entry.address, entry.size, entry.type));
    }
  }
  if (info.memory.length == 0) return fail(EINVAL, "PVH start_info carries no memory map");
  return 0;
}
