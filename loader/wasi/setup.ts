// What the app runner (loader/run.ts) calls around an app: configureWasi
// before it starts (arguments, environment, the console streams as fds 0-2
// and the preopened directories from fd 3 on), resetWasi after it ends
// (every descriptor closed, every buffer freed), exitStatus for proc_exit's
// code.
//
// A Preopen names a directory twice: guestPath is what the app sees
// (fd_prestat_dir_name; wasi-libc resolves absolute paths against it) and
// kernelPath is where it is in the kernel's tree (opened through the VFS).

import { EMFILE } from "../../kernel/errno";
import { scratch, bounce, iovecTable } from "./memory";
import { fail } from "../../kernel/failure";
import { open as vfsOpen, close as vfsClose, AT_FDCWD, O_RDONLY, O_DIRECTORY } from "../../fs/vfs/index";
import { AppFile, install, closeAll, KIND_STDIN, KIND_STDOUT, KIND_STDERR, KIND_DIRECTORY } from "./fds";
import { programArguments, environment, clearArguments } from "./args";
import { releaseBuffers } from "./memory";
import { exitCode, resetExit } from "./process";
import { FILETYPE_CHARACTER_DEVICE, FILETYPE_DIRECTORY } from "./types";
import { RIGHTS_STDIN, RIGHTS_STDOUT, RIGHTS_DIRECTORY, RIGHTS_FILE } from "./rights";

export class Preopen {
  /** The directory as the app sees it, e.g. "/" or "/data". */
  guestPath: string = "";
  /** The directory in the kernel's tree (a VFS path), e.g. "/run/dirs/0". */
  kernelPath: string = "";
}

function installStream(kind: u32, rights: u64): void {
  const file = new AppFile();
  file.kind = kind;
  file.filetype = FILETYPE_CHARACTER_DEVICE;
  file.rightsBase = rights;
  install(file);
}

/**
 * Sets up WASI for an app: `args` (argv[0] first) and `env` ("NAME=value")
 * are copied; each preopen's directory is opened. Returns 0, or -errno with
 * what went wrong (nothing stays configured then).
 */
export function configureWasi(args: string[], env: string[], preopens: Preopen[]): i32 {
  resetWasi();
  // The buffers every call may need, made now: no call allocates them when memory is short.
  scratch();
  bounce();
  iovecTable();
  programArguments().set(args);
  environment().set(env);
  installStream(KIND_STDIN, RIGHTS_STDIN);
  installStream(KIND_STDOUT, RIGHTS_STDOUT);
  installStream(KIND_STDERR, RIGHTS_STDOUT);
  for (let i = 0; i < preopens.length; i++) {
    const preopen = unchecked(preopens[i]);
    const vfsFd = vfsOpen(AT_FDCWD, preopen.kernelPath, O_RDONLY | O_DIRECTORY, 0);
    if (vfsFd < 0) {
      resetWasi();
      return fail(-vfsFd, "preopen " + preopen.guestPath + ": cannot open " + preopen.kernelPath + " (error " + (-vfsFd).toString() + ")");
    }
    const file = new AppFile();
    file.vfsFd = vfsFd;
    file.kind = KIND_DIRECTORY;
    file.filetype = FILETYPE_DIRECTORY;
    file.rightsBase = RIGHTS_DIRECTORY;
    file.rightsInheriting = RIGHTS_DIRECTORY | RIGHTS_FILE;
    const name = preopen.guestPath;
    const length = String.UTF8.byteLength(name);
    file.preopenName = heap.alloc(<usize>max<i32>(length, 1));
    file.preopenNameLength = <u32>length;
    String.UTF8.encodeUnsafe(changetype<usize>(name), name.length, file.preopenName);
    if (install(file) < 0) {
      vfsClose(vfsFd);
      heap.free(file.preopenName);
      heap.free(changetype<usize>(file));
      resetWasi();
      return fail(EMFILE, "too many preopened directories");
    }
  }
  return 0;
}

/** Closes every descriptor and frees arguments, environment and buffers; the exit code goes back to 0. */
export function resetWasi(): void {
  closeAll();
  clearArguments();
  releaseBuffers();
  resetExit();
}

/** The code the app passed to proc_exit (0 if it did not call it). */
export function exitStatus(): u32 {
  return exitCode();
}
