// Reading an ELF module file (an app's app.so, a filesystem module's .so)
// and loading it with elf/: in place when its filesystem holds the bytes in
// memory, page-aligned (ROFS on the initrd), else read into fresh pages that
// then serve in place the same way (one copy) and must outlive the module.

import { AT_FDCWD, O_RDONLY, Stat, open, close, read, fstat, fileDataAddress } from "../fs/vfs/index";
import { pages, PAGE_SHIFT, USE_APP } from "../kernel/mm/pages";
import { fail } from "../kernel/failure";
import { ENOMEM, ENOEXEC, EIO } from "../kernel/errno";
import { AppModule, loadAppModule } from "./elf/index";

/** The largest module file loaded. */
const MAX_MODULE_BYTES: u64 = 0x4000_0000;

/** Where loadModuleFile put a copy of the file (0: used in place); free it with the module. */
export class ModuleFileCopy {
  pages: usize = 0;
}

/**
 * Loads the module file at `path` for `machine` against the export table
 * `exports`, its entry named `entryName`; 0 or -errno with why not
 * (kernel/failure.ts). `copy.pages` says what to free once the module is unloaded.
 */
export function loadModuleFile(path: string, machine: u16, exports: usize, entryName: string, module: AppModule, copy: ModuleFileCopy): i32 {
  copy.pages = 0;
  const fd = open(AT_FDCWD, path, O_RDONLY, 0);
  if (fd < 0) return fail(-fd, "cannot open it (error " + (-fd).toString() + ")");
  const stat = new Stat();
  const statResult = fstat(fd, stat);
  if (statResult < 0) {
    close(fd);
    return fail(-statResult, "cannot stat it (error " + (-statResult).toString() + ")");
  }
  const length = stat.size;
  if (length == 0 || length > MAX_MODULE_BYTES) {
    close(fd);
    return fail(ENOEXEC, length == 0 ? "the file is empty" : "the file is larger than 1 GiB");
  }
  const inPlace = fileDataAddress(fd);
  if (inPlace > 0 && (inPlace & ((1 << PAGE_SHIFT) - 1)) == 0) {
    close(fd);
    return loadAppModule(<usize>inPlace, <usize>length, true, exports, machine, module, entryName);
  }
  const frames = <u32>((length + (1 << PAGE_SHIFT) - 1) >> PAGE_SHIFT);
  const buffer = pages.alloc(frames, USE_APP);
  if (buffer == 0) {
    close(fd);
    return fail(ENOMEM, "no memory to read it into");
  }
  const got = read(fd, buffer, <usize>length);
  close(fd);
  if (got != <i64>length) {
    pages.free(buffer);
    return fail(got < 0 ? <i32>-got : EIO, got < 0 ? "cannot read it (error " + (-got).toString() + ")" : "short read");
  }
  copy.pages = buffer;
  // The pages are page-aligned and outlive the module (freed after it is unloaded): its read-only
  // segments (code, and the data segments wasm2c keeps in .rodata) are mapped from them, not copied again.
  const result = loadAppModule(buffer, <usize>length, true, exports, machine, module, entryName);
  if (result < 0) {
    pages.free(buffer);
    copy.pages = 0;
  }
  return result;
}
