// Filesystem modules: the front door (docs/modules.md).
//
// A filesystem type the kernel does not carry may come from the image: the
// first mount naming type T loads /lib/modules/T.so (load.ts), which then
// serves every mount of T (filesystem.ts), each operation a call into the
// module's own sandboxed memory (calls.ts). The composition root installs
// the provider (useFileSystemModules); fs/vfs asks it for types it does not
// know.

import { FileSystem, FileSystemProvider, useFileSystemProvider, AT_FDCWD, Stat, stat, TYPE_FILE, TYPE_DIRECTORY, syncFileSystems } from "../../fs/vfs/index";
import { spawn, sleepFor, Thread } from "../../kernel/sched/index";
import { fail } from "../../kernel/failure";
import { stamp } from "../../kernel/bootchart";
import { declareText, declareNumber, KernelOption } from "../../kernel/options";
import { EINVAL, EIO, ENOSYS, ENOTDIR, EROFS } from "../../kernel/errno";
import { print, printLine, printUnsigned } from "../../kernel/console";
import { probeVirtio } from "../../drivers/virtio/index";
import { FsModule } from "./module";
import { loadFsModule, MODULES_DIRECTORY } from "./load";
import { ModuleFileSystem, ModuleVnode } from "./filesystem";
import { call, OP_MOUNT, OP_ROOT, OP_UNMOUNT, OP_REPORT } from "./calls";

export { module_device_count, module_device_size, module_device_read, module_device_write, module_device_flush, module_log, module_time_now } from "./kernel-side";
import { printModuleText } from "./kernel-side";
export { moduleMemoryReserve, moduleMemoryGrow, moduleAllocate, moduleTrap, moduleFault } from "./kernel-side";

/** fs_mount's flags. */
const MOUNT_READ_ONLY: u64 = 1;
const MOUNT_READ_WRITE: u64 = 0;
/** The longest filesystem type name a module may serve. */
const MAX_TYPE_LENGTH = 32;

class ModuleProvider extends FileSystemProvider {
  loaded: FsModule[] = [];

  constructor(public machine: u16) {
    super();
  }

  provides(name: string): bool {
    if (this.find(name) !== null) return true;
    if (!isTypeName(name)) return false;
    const status = new Stat();
    const found = stat(AT_FDCWD, MODULES_DIRECTORY + name + ".so", status) == 0 && status.type == TYPE_FILE;
    heap.free(changetype<usize>(status));
    return found;
  }

  make(name: string, source: string, readOnly: bool): FileSystem | null {
    let module = this.find(name);
    if (module === null) {
      stamp("fs-module-load");
      module = loadFsModule(name, this.machine, settingsOption !== null && settingsOption!.given ? settingsOption!.value : "");
      if (module === null) return null;
      this.loaded.push(module!);
      stamp("fs-module-loaded");
      const fs = mountVolume(module!, source, readOnly);
      stamp("fs-module-mounted");                 // the boot chart shows a module's load and first mount
      return fs;
    }
    return mountVolume(module!, source, readOnly);
  }

  find(name: string): FsModule | null {
    for (let i = 0; i < this.loaded.length; i++) if (this.loaded[i].name == name) return this.loaded[i];
    return null;
  }
}

let provider: ModuleProvider | null = null;
let settingsOption: KernelOption | null = null;
let syncOption: KernelOption | null = null;
const DEFAULT_SYNC_SECONDS: u64 = 5;

/** Lets mounts name filesystem types served by modules in the image, built for ELF `machine`; declares fsopt=. */
export function useFileSystemModules(machine: u16): void {
  provider = new ModuleProvider(machine);
  useFileSystemProvider(provider!);
  settingsOption = declareText("fsopt", "fsopt=TYPE.KEY=VALUE[,...]: settings handed to filesystem module TYPE when it loads (fsopt=zfs.cache=16M)");
  syncOption = declareNumber("fssync", 3600, "fssync=SECONDS: how often volumes of filesystem modules mounted for writing are synced (default 5; 0: only at fsync, sync and power-off)");
}

/** A type name a module file may have: [a-z0-9_-], 1 to 32 bytes (no path tricks). */
function isTypeName(name: string): bool {
  if (name.length == 0 || name.length > MAX_TYPE_LENGTH) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x5f || c == 0x2d)) return false;
  }
  return true;
}

/**
 * Mounts `source` with `module`, for writing unless `readOnly`: the
 * filesystem, or null with the reason recorded. A module that cannot
 * write this volume (EROFS: a read-only disk, a kind of pool it does not
 * write) or at all (ENOSYS) gets it mounted read-only instead.
 */
function mountVolume(module: FsModule, source: string, readOnly: bool): FileSystem | null {
  const what = "module " + module.name + ": mounting '" + source + "': ";
  const bytes = String.UTF8.byteLength(source);
  if (<u32>bytes > module.bufferBytes) {
    fail(EINVAL, what + "the source is too long");
    return null;
  }
  probeVirtio(); // the disks a module reads must be up (once; root=disk may have done it)
  const encoded = String.UTF8.encode(source);
  module.memory.copyOut(module.buffer, changetype<usize>(encoded), <u32>bytes);
  let volume: i64 = readOnly ? -(<i64>EROFS) : call(module, OP_MOUNT, module.buffer, <u64>bytes, MOUNT_READ_WRITE);
  if (volume == -(<i64>EROFS) || volume == -(<i64>ENOSYS)) {
    if (!readOnly) {
      module.memory.copyOut(module.buffer, changetype<usize>(encoded), <u32>bytes);
      readOnly = true;
    }
    volume = call(module, OP_MOUNT, module.buffer, <u64>bytes, MOUNT_READ_ONLY);
  }
  heap.free(changetype<usize>(encoded));
  if (volume < 0 || volume > i32.MAX_VALUE) {
    fail(volume < 0 && volume >= -4095 ? <i32>-volume : EIO, what + "the module refused it (errno " + (-volume).toString() + ")");
    return null;
  }
  const fs = new ModuleFileSystem(module, <i32>volume, module.name, readOnly);
  if (!readOnly) startSyncer();
  const root = call(module, OP_ROOT, <u64>volume);
  const type = root > 0 ? fs.typeOf(<u64>root) : <i32>-EIO;
  if (type != <i32>TYPE_DIRECTORY) {
    call(module, OP_UNMOUNT, <u64>volume);
    heap.free(changetype<usize>(fs));
    fail(type < 0 ? -type : ENOTDIR, what + (type < 0 ? "its root cannot be read (errno " + (-type).toString() + ")" : "its root is not a directory"));
    return null;
  }
  fs.top = new ModuleVnode(fs, <u64>root, TYPE_DIRECTORY);
  module.mounts++;
  return fs;
}

let syncer: Thread | null = null;

/**
 * Starts the thread that syncs volumes mounted for writing every
 * `fssync=SECONDS` (5 by default; 0 turns it off): changes a module holds
 * in memory reach the disk within that time without an fsync.
 */
function startSyncer(): void {
  if (syncer !== null || syncSeconds() == 0) return;
  syncer = spawn("fs-sync", syncForever);
}

function syncSeconds(): u64 {
  return syncOption !== null && syncOption!.given ? <u64>syncOption!.number : DEFAULT_SYNC_SECONDS;
}

function syncForever(argument: usize): void {
  while (true) {
    sleepFor(syncSeconds() * 1_000_000_000);
    syncFileSystems();
  }
}

/** meminfo: each loaded module, its calls and state. */
export function printModuleReport(): void {
  if (provider === null) return;
  const modules = provider!.loaded;
  for (let i = 0; i < modules.length; i++) {
    const module = modules[i];
    print("module ");
    print(module.name);
    print(": memory ");
    printUnsigned(module.memory.size >> 10);
    print(" KiB, ");
    printUnsigned(module.calls);
    print(" calls, ");
    printUnsigned(<u64>module.mounts);
    print(module.broken ? " mounts, broken" : " mounts");
    printReport(module);
    printLine();
  }
}

/** "; " and the module's own report line (fs_report), if it has one and is not broken. */
function printReport(module: FsModule): void {
  if (module.broken) return;
  const length = call(module, OP_REPORT, module.buffer, <u64>module.bufferBytes);
  if (length <= 0) return;
  print("; ");
  printModuleText(module, module.buffer, <u32>min<i64>(length, <i64>module.bufferBytes));
}
