// PVH start_info (x86_64): the structure QEMU's PVH loader hands over in %ebx.
//
//   0 magic 0x336ec578   4 version   8 flags   12 nr_modules
//  16 modlist_paddr     24 cmdline_paddr      32 rsdp_paddr
//  40 memmap_paddr      48 memmap_entries (version >= 1)
//
// Module entries are 32 bytes: paddr, size, cmdline_paddr, reserved.
// Memory map entries are 24 bytes: addr, size, type (e820 numbering), reserved.

import { BootInfo, MemoryRange, CONSOLE_NS16550_PORT } from "./bootinfo";
import { readCString } from "./cstring";
import { COMMAND_LINE_MAX } from "../params";

export const PVH_MAGIC: u32 = 0x336ec578;
const COM1_PORT: u64 = 0x3f8;
const MAX_MEMMAP_ENTRIES: u32 = 128;

export function parsePvh(startInfo: usize): BootInfo {
  const info = new BootInfo();
  info.consoleKind = CONSOLE_NS16550_PORT;
  info.consoleBase = COM1_PORT;
  if (startInfo == 0) {
    info.error = "no PVH start_info (boot loader passed a null pointer)";
    return info;
  }
  const magic = load<u32>(startInfo);
  if (magic != PVH_MAGIC) {
    info.error = "PVH start_info has a bad magic number";
    return info;
  }
  const version = load<u32>(startInfo, 4);
  const moduleCount = load<u32>(startInfo, 12);
  const moduleList = <usize>load<u64>(startInfo, 16);
  const commandLine = <usize>load<u64>(startInfo, 24);
  if (commandLine != 0) info.commandLine = readCString(commandLine, COMMAND_LINE_MAX);
  if (moduleCount > 0 && moduleList != 0) {
    info.initrdBase = load<u64>(moduleList);
    info.initrdSize = load<u64>(moduleList, 8);
  }
  if (version >= 1) {
    const map = <usize>load<u64>(startInfo, 40);
    const entries = load<u32>(startInfo, 48);
    if (entries > MAX_MEMMAP_ENTRIES) {
      info.error = "PVH memory map is implausibly long";
      return info;
    }
    for (let i: u32 = 0; i < entries; i++) {
      const entry = map + <usize>i * 24;
      const size = load<u64>(entry, 8);
      if (size == 0) continue;
      info.memory.push(new MemoryRange(load<u64>(entry), size, load<u32>(entry, 16)));
    }
  }
  if (info.memory.length == 0) info.error = "PVH start_info carries no memory map";
  return info;
}
