// What the app runner (loader/run.ts) calls around an app: configureWasi
// before it starts (arguments, environment, the console streams as fds 0-2
// and the preopened directories from fd 3 on), resetWasi after it ends
// (every descriptor closed, every buffer freed), exitStatus for proc_exit's
// code.
//
// A Preopen names a directory twice: guestPath is what the app sees
// (fd_prestat_dir_name; wasi-libc resolves absolute paths against it) and
// kernelPath is where it is in the kernel's tree (opened through the VFS).
//
// Listening sockets come first, from fd 3 (the network is brought up for
// them: kernel/net startNetwork), and the environment then says how many
// with LISTEN_FDS=N, the convention of systemd's socket activation that
// wasmtime's --tcplisten follows too.

import { EMFILE } from "../../kernel/errno";
import { scratch, bounce, iovecTable } from "./memory";
import { fail } from "../../kernel/failure";
import { open as vfsOpen, close as vfsClose, AT_FDCWD, O_RDONLY, O_DIRECTORY } from "../../fs/vfs/index";
import { AppFile, install, closeAll, KIND_STDIN, KIND_STDOUT, KIND_STDERR, KIND_DIRECTORY } from "./fds";
import { programArguments, environment, clearArguments } from "./args";
import { releaseBuffers } from "./memory";
import { exitCode, resetExit } from "./process";
import { FILETYPE_CHARACTER_DEVICE, FILETYPE_DIRECTORY } from "./types";
import { RIGHTS_STDIN, RIGHTS_STDOUT, RIGHTS_DIRECTORY, RIGHTS_FILE, RIGHTS_LISTENER, RIGHTS_SOCKET } from "./rights";
import { startNetwork, networkConfigured, tcpListen, socketClose } from "../../kernel/net/index";
import { withContext } from "../../kernel/failure";
import { installSocket } from "./sockets";
import { probeVirtio } from "../../drivers/virtio/index";

/** Connections a preopened listener queues before the app accepts them. */
const LISTEN_BACKLOG: i32 = 64;

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
export function configureWasi(args: string[], env: string[], preopens: Preopen[], listens: u32[] = []): i32 {
  resetWasi();
  // The buffers every call may need, made now: no call allocates them when memory is short.
  scratch();
  bounce();
  iovecTable();
  programArguments().set(args);
  setEnvironment(env, listens.length);
  installStream(KIND_STDIN, RIGHTS_STDIN);
  installStream(KIND_STDOUT, RIGHTS_STDOUT);
  installStream(KIND_STDERR, RIGHTS_STDOUT);
  const listening = listenOn(listens);
  if (listening < 0) {
    resetWasi();
    return listening;
  }
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

/**
 * Starts the network when the app is given listening sockets or the
 * command line configures it (ip=: the app may connect out), then preopens
 * a listening socket per port, from fd 3; 0 or -errno with the reason.
 */
function listenOn(ports: u32[]): i32 {
  if (ports.length == 0 && !networkConfigured()) return 0;
  probeVirtio(); // the network device
  const started = startNetwork();
  if (started < 0) return withContext(ports.length ? "listening sockets: " : "network: ", started);
  for (let i = 0; i < ports.length; i++) {
    const socket = tcpListen(ports[i], LISTEN_BACKLOG);
    if (socket < 0) return fail(-socket, "cannot listen on TCP port " + ports[i].toString() + " (error " + (-socket).toString() + ")");
    if (installSocket(socket, 0, true, RIGHTS_LISTENER, RIGHTS_SOCKET) < 0) {
      socketClose(socket);
      return fail(EMFILE, "too many listening sockets");
    }
  }
  return 0;
}

/** The environment the app gets: `env`, and LISTEN_FDS=N when it is handed N listening sockets. */
function setEnvironment(env: string[], listening: i32): void {
  if (listening == 0) {
    environment().set(env);
    return;
  }
  const count = listening.toString();
  const variable = "LISTEN_FDS=" + count;
  const all = env.slice(0);
  all.push(variable);
  environment().set(all); // encoded: the strings are not kept
  heap.free(all.dataStart);
  heap.free(changetype<usize>(all));
  heap.free(changetype<usize>(variable));
  heap.free(changetype<usize>(count));
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
