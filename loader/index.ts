// Applications: the front door.
//
// An image that carries an app has a run manifest at /etc/app
// (loader/manifest.ts). After the kernel has mounted its filesystems, boot
// reads it (findImageApp), and once boot is done calls runImageApp: it
// makes the writable mapped directories (overlay.ts) and runs the app
// (run.ts) to its end. The
// kernel then powers off with the app's exit status.
//
// Inside: elf/ validates, maps and relocates the app module; wasi/ is WASI
// preview 1 over the VFS; app-memory.ts is the app's linear memory;
// runtime.ts and faults.ts are what the native runtime calls while the app
// runs (arch/common/app-runtime.c). docs/loader.md tells the whole story.

import { AT_FDCWD, O_RDONLY, Stat, open, close, read, fstat } from "../fs/vfs/index";
import { AppManifest, parseManifest } from "./manifest";
import { overlayDirectory } from "./overlay";
import { runApplication } from "./run";

export { printBootChartAtAppStart } from "./start-hook";
export {
  appMemoryReserve, appMemoryGrow, appMemoryRelease, appAllocate, appFree, appTrap, appFault, appStarted,
} from "./runtime";

/** Where an image keeps its run manifest. */
export const MANIFEST_PATH = "/etc/app";
/** runImageApp's result when the app could not be started (the error says why). */
export const APP_FAILED: i32 = -2;

/**
 * The image's run manifest, read and parsed, or null when the image has
 * none. A manifest that cannot be read or parsed comes back with its
 * `error` set (runImageApp then refuses it).
 */
export function findImageApp(): AppManifest | null {
  const fd = open(AT_FDCWD, MANIFEST_PATH, O_RDONLY, 0);
  if (fd < 0) return null;
  const stat = new Stat();
  fstat(fd, stat);
  const length = <usize>min<u64>(stat.size, 1 << 20);
  const text = heap.alloc(length + 1);
  const got = read(fd, text, length);
  close(fd);
  let manifest: AppManifest;
  if (got != <i64>length) {
    manifest = new AppManifest();
    manifest.error = "cannot read it";
  } else {
    manifest = parseManifest(text, length);
  }
  heap.free(text);
  return manifest;
}

/**
 * Runs the app `manifest` describes (from findImageApp); returns its exit
 * status (>= 0), or APP_FAILED with the reason in error[0].
 */
export function runImageApp(manifest: AppManifest, machine: u16, error: string[]): i32 {
  if (manifest.error.length) {
    error.push(MANIFEST_PATH + ": " + manifest.error);
    return APP_FAILED;
  }
  for (let i = 0; i < manifest.preopens.length; i++) {
    const source = manifest.overlaySources[i];
    if (source.length == 0) continue;
    const overlayError = overlayDirectory(manifest.preopens[i].kernelPath, source);
    if (overlayError.length) {
      error.push("mapped directory " + manifest.preopens[i].guestPath + ": " + overlayError);
      return APP_FAILED;
    }
  }
  const status = runApplication(manifest, machine, error);
  return status < 0 ? APP_FAILED : status;
}
