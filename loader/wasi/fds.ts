// The app's descriptor table: WASI fd → what it names.
//
//   fd 0, 1, 2   the console streams: stdin (always at its end), stdout and
//                stderr (kernel/console.ts writeAppStream); no VFS descriptor
//   fd 3...      preopened listening sockets (setup.ts, kernel/net), then
//                preopened directories, in the order given, then what
//                path_open opens (each one VFS descriptor, fs/vfs, never
//                shared, closed with the WASI fd) and sock_accept accepts
//                (each one kernel/net socket)
//
// An entry keeps the fd's rights (rights.ts), its WASI fdflags, its filetype
// and, for a preopen, the name the app sees (UTF-8, for fd_prestat_*). New
// descriptors take the lowest free number. The WASI table is separate from
// the VFS's own numbering, which the kernel shares with itself.

import { lowestFreeSlot, putInSlot, slotsInUse, trimSlots } from "../../kernel/slots";
import { close as vfsClose } from "../../fs/vfs/index";
import { socketClose } from "../../kernel/net/index";
import { ERRNO_SUCCESS, ERRNO_BADF, ERRNO_NOTCAPABLE } from "./errno";

/** The most descriptors an app may hold open. */
export const MAX_APP_DESCRIPTORS: i32 = 1024;

export const KIND_STDIN: u32 = 0;
export const KIND_STDOUT: u32 = 1;
export const KIND_STDERR: u32 = 2;
export const KIND_FILE: u32 = 3;
export const KIND_DIRECTORY: u32 = 4;
/** A socket: a TCP listener (preopened or sock_listen) or connection (accepted or sock_connect), or a UDP socket. */
export const KIND_SOCKET: u32 = 5;

export class AppFile {
  /** The VFS descriptor, or -1 for a console stream or a socket. */
  vfsFd: i32 = -1;
  /** The kernel/net socket, or -1. */
  socket: i32 = -1;
  /** A listening socket (sock_accept), not a connection. */
  listening: bool = false;
  /** A UDP socket (FILETYPE_SOCKET_DGRAM): every receive takes one datagram, every send is one. */
  datagram: bool = false;
  /** An IPv6 socket (WasmEdge's sock_open family 2): it reports addresses in IPv6's form, IPv4 ones mapped. */
  ipv6: bool = false;
  /** A stream socket from sock_open that has no kernel socket yet: the port sock_bind gave it (0: none). */
  boundPort: u32 = 0;
  /** A non-blocking sock_connect is under way (SO_ERROR and readiness to write say how it went). */
  connecting: bool = false;
  /** SO_REUSEADDR as the app set it (the stack lets a new connection reuse a pair in TIME_WAIT anyway). */
  reuseAddress: bool = false;
  kind: u32 = KIND_FILE;
  /** WASI filetype (types.ts FILETYPE_*). */
  filetype: u8 = 0;
  /** WASI fdflags (types.ts FDFLAGS_*). */
  flags: u32 = 0;
  rightsBase: u64 = 0;
  rightsInheriting: u64 = 0;
  /** A preopen's name as UTF-8 (heap block), or 0. */
  preopenName: usize = 0;
  preopenNameLength: u32 = 0;

  get isStream(): bool {
    return this.kind <= KIND_STDERR;
  }

  get isDirectory(): bool {
    return this.kind == KIND_DIRECTORY;
  }

  get isSocket(): bool {
    return this.kind == KIND_SOCKET;
  }

  /** Has no position: seeking is SPIPE (console streams and sockets). */
  get isSequential(): bool {
    return this.kind <= KIND_STDERR || this.kind == KIND_SOCKET;
  }
}

/** fd → entry; made at the first install, kept its length as fds close (kernel/slots.ts), freed by closeAll. */
let table: Array<AppFile | null> | null = null;

function entries(): Array<AppFile | null> {
  if (table === null) table = new Array<AppFile | null>();
  return table!;
}

/** The entry `fd` names, or null. */
export function fileOf(fd: u32): AppFile | null {
  if (table === null) return null;
  const list = table!;
  if (fd >= <u32>list.length) return null;
  return unchecked(list[fd]);
}

let refused: u32 = 0;

/**
 * The entry `fd` names if it holds every right in `rights`; otherwise null,
 * and refusal() says why (BADF: not open, NOTCAPABLE: a right missing).
 */
export function fileWithRights(fd: u32, rights: u64): AppFile | null {
  const file = fileOf(fd);
  if (file === null) {
    refused = ERRNO_BADF;
    return null;
  }
  if ((file.rightsBase & rights) != rights) {
    refused = ERRNO_NOTCAPABLE;
    return null;
  }
  return file;
}

/** Why the last fileWithRights returned null. */
export function refusal(): u32 {
  return refused;
}

/** Installs `file` at the lowest free number; returns it, or -1 when the table is full (the caller keeps `file`). */
export function install(file: AppFile): i32 {
  const list = entries();
  const fd = lowestFreeSlot(list, 0, MAX_APP_DESCRIPTORS);
  if (fd >= 0) putInSlot(list, fd, file);
  return fd;
}

/** Closes what `file` holds and frees it. */
function destroy(file: AppFile): i32 {
  let result = 0;
  if (file.vfsFd >= 0) result = vfsClose(file.vfsFd);
  if (file.socket >= 0) result = socketClose(file.socket);
  if (file.preopenName != 0) heap.free(file.preopenName);
  heap.free(changetype<usize>(file));
  return result;
}

/** fd_close: BADF if `fd` is not open. */
export function closeFd(fd: u32): u32 {
  const file = fileOf(fd);
  if (file === null) return ERRNO_BADF;
  unchecked((entries()[fd] = null));
  destroy(file);
  return ERRNO_SUCCESS;
}

/** fd_renumber: `to` (which must be open) is closed and becomes what `from` was; `from` is free after. */
export function renumber(from: u32, to: u32): u32 {
  const source = fileOf(from);
  const target = fileOf(to);
  if (source === null || target === null) return ERRNO_BADF;
  if (from == to) return ERRNO_SUCCESS;
  const list = entries();
  unchecked((list[to] = source));
  unchecked((list[from] = null));
  destroy(target);
  return ERRNO_SUCCESS;
}

/** Closes every descriptor and frees the table. */
export function closeAll(): void {
  if (table === null) return;
  const list = table!;
  for (let fd = 0; fd < list.length; fd++) {
    const file = unchecked(list[fd]);
    if (file !== null) {
      unchecked((list[fd] = null));
      destroy(file);
    }
  }
  table = trimSlots(list); // every slot is empty: the table goes
}

/** Descriptors open (for tests and reports). */
export function openCount(): i32 {
  return slotsInUse(table);
}
