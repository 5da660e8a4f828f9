// Applications: the front door.
//
// An image that carries an app has a run manifest at /etc/app
// (loader/manifest.ts). After the kernel has mounted its filesystems, boot
// reads it (readImageApp), and once boot is done calls runImageApp: it
// makes the writable mapped directories (overlay.ts) and runs the app
// (run.ts) to its end. The
// kernel then powers off with the app's exit status.
//
// Inside: elf/ validates, maps and relocates the app module; wasi/ is WASI
// preview 1 over the VFS; app-memory.ts is the app's linear memory;
// runtime.ts and faults.ts are what the native runtime calls while the app
// runs (arch/common/app-runtime.c). docs/loader.md tells the whole story.

import { AT_FDCWD, O_RDONLY, Stat, open, close, read, fstat } from "../fs/vfs/index";
import { fail, withContext } from "../kernel/failure";
import { ENOENT, EIO, EFBIG } from "../kernel/errno";
import { AppManifest, parseManifest } from "./manifest";
import { overlayDirectory } from "./overlay";
import { runApplication } from "./run";

export { printBootChartAtAppStart } from "./start-hook";
export {
  appMemoryReserve, appMemoryGrow, appMemoryRelease, appAllocate, appFree, appTrap, appFault, appStarted,
} from "./runtime";

/** Where an image keeps its run manifest. */
export const MANIFEST_PATH = "/etc/app";
/** The largest run manifest the kernel reads (a larger one is refused, never cut). */
export const MANIFEST_MAX_BYTES: u64 = 1 << 20;

/**
 * Reads and parses the image's run manifest into `manifest` (fresh): 0;
 * -ENOENT when the image has none; or -errno with why it cannot be used
 * (kernel/failure.ts; runImageApp must not be called then).
 */
export function readImageApp(manifest: AppManifest): i32 {
  const fd = open(AT_FDCWD, MANIFEST_PATH, O_RDONLY, 0);
  if (fd < 0) return fd == -ENOENT ? fd : fail(-fd, MANIFEST_PATH + ": cannot open it (error " + (-fd).toString() + ")");
  const stat = new Stat();
  fstat(fd, stat);
  const size = stat.size;
  heap.free(changetype<usize>(stat));
  if (size > MANIFEST_MAX_BYTES) {
    close(fd);
    return fail(EFBIG, MANIFEST_PATH + ": " + size.toString() + " bytes, more than a run manifest may hold (1 MiB)");
  }
  const length = <usize>size;
  const text = heap.alloc(length + 1);
  const got = read(fd, text, length);
  close(fd);
  const result = got != <i64>length ? fail(EIO, "cannot read it") : parseManifest(text, length, manifest);
  heap.free(text);
  return withContext(MANIFEST_PATH + ": ", result);
}

/**
 * Runs the app `manifest` describes (read by readImageApp) to its end:
 * its exit status (>= 0), or -errno with why it could not be started.
 */
export function runImageApp(manifest: AppManifest, machine: u16): i32 {
  for (let i = 0; i < manifest.preopens.length; i++) {
    const source = manifest.overlaySources[i];
    if (source.length == 0) continue;
    const result = overlayDirectory(manifest.preopens[i].kernelPath, source);
    if (result < 0) return withContext("mapped directory " + manifest.preopens[i].guestPath + ": ", result);
  }
  return runApplication(manifest, machine);
}
