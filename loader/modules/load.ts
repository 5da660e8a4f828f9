// Loading a filesystem module: /lib/modules/<name>.so mapped and relocated
// like an app (elf/) against the kernel's module export table, its wasm2c
// instance made (its memory reserved), its ABI version checked and its
// transfer buffer asked for. A module that cannot be loaded is refused with
// a reason naming it (kernel/failure.ts), and nothing of it stays.

import { moduleExports, syncInstructionCache } from "../../arch";
import { fail, withContext } from "../../kernel/failure";
import { EIO, ENOEXEC } from "../../kernel/errno";
import { free } from "../../kernel/mm/index";
import { pages } from "../../kernel/mm/pages";
import { unloadAppModule, MODULE_ENTRY } from "../elf/index";
import { ModuleFileCopy, loadModuleFile } from "../module-file";
import { FsModule } from "./module";
import { call, OP_INSTANTIATE, OP_ABI_VERSION, OP_BUFFER } from "./calls";

/** The module ABI this kernel speaks (docs/modules.md). */
export const MODULE_ABI_VERSION: i64 = 1;
/** The transfer buffer asked of every module: names, records and up to this much file data per call. */
const TRANSFER_BYTES: u32 = 64 << 10;

export const MODULES_DIRECTORY = "/lib/modules/";

/** Loads the module serving filesystem type `name` for ELF `machine`; null with the reason recorded. */
export function loadFsModule(name: string, machine: u16): FsModule | null {
  const module = new FsModule(name);
  const copy = new ModuleFileCopy();
  const path = MODULES_DIRECTORY + name + ".so";
  const loaded = loadModuleFile(path, machine, moduleExports(), MODULE_ENTRY, module.code, copy);
  if (loaded < 0) {
    withContext("module " + path + ": ", loaded);
    return null;
  }
  for (let i: u32 = 0; i < module.code.codeRangeCount; i++) {
    const range = module.code.codeRange(i);
    syncInstructionCache(range.start, range.end - range.start);
  }
  const problem = start(module);
  if (problem < 0) {
    withContext("module " + path + ": ", problem);
    unload(module, copy);
    return null;
  }
  return module;
}

/** Instantiates the module and checks what it answers first; 0 or -errno with why. */
function start(module: FsModule): i32 {
  if (call(module, OP_INSTANTIATE) < 0) return fail(EIO, "starting it failed (see the report above)");
  const version = call(module, OP_ABI_VERSION);
  if (module.broken) return fail(EIO, "asking its ABI version failed (see the report above)");
  if (version != MODULE_ABI_VERSION) {
    return fail(ENOEXEC, "it speaks module ABI version " + version.toString() + "; this kernel speaks " + MODULE_ABI_VERSION.toString());
  }
  const buffer = call(module, OP_BUFFER, <u64>TRANSFER_BYTES);
  if (buffer <= 0 || <u64>buffer + <u64>TRANSFER_BYTES > module.memory.size) {
    return fail(EIO, "it gave no usable transfer buffer (wisp_buffer answered " + buffer.toString() + ")");
  }
  module.buffer = <u32>buffer;
  module.bufferBytes = TRANSFER_BYTES;
  return 0;
}

function unload(module: FsModule, copy: ModuleFileCopy): void {
  module.memory.release();
  while (module.tables.length > 0) free(module.tables.pop());
  unloadAppModule(module.code);
  if (copy.pages != 0) pages.free(copy.pages);
}
