// Loading a filesystem module: /lib/modules/<name>.so mapped and relocated
// like an app (elf/) against the kernel's module export table, its wasm2c
// instance made (its memory reserved), its ABI version checked and its
// transfer buffer asked for. A module that cannot be loaded is refused with
// a reason naming it (kernel/failure.ts), and nothing of it stays.

import { moduleExports, syncInstructionCache } from "../../arch";
import { fail, withContext } from "../../kernel/failure";
import { EIO, ENOEXEC, EINVAL } from "../../kernel/errno";
import { free } from "../../kernel/mm/index";
import { pages } from "../../kernel/mm/pages";
import { unloadAppModule, MODULE_ENTRY } from "../elf/index";
import { ModuleFileCopy, loadModuleFile } from "../module-file";
import { FsModule } from "./module";
import { call, OP_INSTANTIATE, OP_ABI_VERSION, OP_BUFFER, OP_OPTION, NOT_EXPORTED } from "./calls";

/** The module ABI this kernel speaks (docs/modules.md). */
export const MODULE_ABI_VERSION: i64 = 1;
/** The transfer buffer asked of every module: names, records and up to this much file data per call. */
const TRANSFER_BYTES: u32 = 64 << 10;

export const MODULES_DIRECTORY = "/lib/modules/";

/**
 * Loads the module serving filesystem type `name` for ELF `machine` and
 * hands it its `settings` (fsopt=TYPE.KEY=VALUE,...: the ones for `name`);
 * null with the reason recorded.
 */
export function loadFsModule(name: string, machine: u16, settings: string): FsModule | null {
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
  let problem = start(module);
  if (problem == 0) problem = applySettings(module, settings);
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

/** Hands the module each TYPE.KEY=VALUE of `settings` whose TYPE is its name; 0 or -errno with why. */
function applySettings(module: FsModule, settings: string): i32 {
  if (settings.length == 0) return 0;
  const items = settings.split(",");
  const prefix = module.name + ".";
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!item.startsWith(prefix)) continue;
    const equals = item.indexOf("=");
    if (equals <= prefix.length) return fail(EINVAL, "fsopt: '" + item + "' is not " + module.name + ".KEY=VALUE");
    const key = String.UTF8.encode(item.substring(prefix.length, equals));
    const value = String.UTF8.encode(item.substring(equals + 1));
    const keyBytes = <u32>key.byteLength;
    const valueBytes = <u32>value.byteLength;
    if (keyBytes + valueBytes > module.bufferBytes) return fail(EINVAL, "fsopt: '" + item + "' is too long");
    module.memory.copyOut(module.buffer, changetype<usize>(key), keyBytes);
    module.memory.copyOut(module.buffer + keyBytes, changetype<usize>(value), valueBytes);
    const result = call(module, OP_OPTION, module.buffer, keyBytes, module.buffer + keyBytes, valueBytes);
    if (result == NOT_EXPORTED) return fail(EINVAL, "it takes no settings (fsopt=" + item + ")");
    if (result < 0) return fail(EINVAL, "it refused the setting " + item.substring(prefix.length) + " (see its message above)");
  }
  return 0;
}
