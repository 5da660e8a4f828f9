// Sockets for the app (WASI preview 1): the listening sockets a run
// preopens (setup.ts: fd 3 onward, with LISTEN_FDS=N in the environment, as
// wasmtime's --tcplisten and systemd's socket activation hand them over),
// the connections sock_accept makes of them, and the sockets of WasmEdge's
// extension (wasmedge.ts): all kernel/net sockets. On a UDP socket a
// receive takes one datagram (roflags RECV_DATA_TRUNCATED when it did not
// fit) and a send is one.
//
//   sock_accept    a listener's next connection (NONBLOCK in the flags is
//                  the new fd's; whether the call waits is the listener's
//                  own NONBLOCK): AGAIN when none waits and it may not wait
//   sock_recv      RECV_PEEK looks without taking (one bounce buffer's
//                  worth at most), RECV_WAITALL waits for every byte asked
//                  (or the end of the stream); roflags are always 0 (TCP
//                  has no datagrams to truncate)
//   sock_send      siflags must be 0
//   sock_shutdown  SHUT_RD and/or SHUT_WR
//
// fd_read and fd_write on a connection are sock_recv and sock_send without
// flags (files.ts calls receivePiece and sendPiece); fd_close closes it
// gracefully (fds.ts). Any of these on a descriptor that is not a socket
// answers NOTSOCK (BADF when nothing is open there).

import {
  socketAccept, socketReceive, socketSend, socketShutdown, socketClose, socketReceiveFrom, socketSendTo,
  RECEIVE_PEEK, RECEIVE_WAITALL, SHUT_RD, SHUT_WR,
} from "../../kernel/net/index";
import { EAGAIN } from "../../kernel/errno";
import { ERRNO_SUCCESS, ERRNO_BADF, ERRNO_NOTSOCK, ERRNO_INVAL, ERRNO_FAULT, ERRNO_NOTCAPABLE, ERRNO_NFILE, errnoOf } from "./errno";
import { AppFile, fileOf, install, KIND_SOCKET } from "./fds";
import { FDFLAGS_NONBLOCK, FILETYPE_SOCKET_STREAM } from "./types";
import { RIGHT_SOCK_ACCEPT, RIGHT_SOCK_SHUTDOWN, RIGHT_FD_READ, RIGHT_FD_WRITE, RIGHTS_SOCKET } from "./rights";
import { inRange, storeU32, scratch, put } from "./memory";
import { socketTransfer, datagramTruncated } from "./files";

/** roflags: the datagram was longer than the buffers given. */
export const ROFLAGS_RECV_DATA_TRUNCATED: u16 = 1;

/** Why the last socketOf returned null. */
let failed: u32 = 0;

/** The socket `fd` names with the rights `rights`, or null with `failed` set (BADF, NOTSOCK, NOTCAPABLE). */
function socketOf(fd: u32, rights: u64): AppFile | null {
  const file = fileOf(fd);
  if (file === null) failed = ERRNO_BADF;
  else if (!file.isSocket) failed = ERRNO_NOTSOCK;
  else if ((file.rightsBase & rights) != rights) failed = ERRNO_NOTCAPABLE;
  else return file;
  return null;
}

function nonblocking(file: AppFile): bool {
  return (file.flags & FDFLAGS_NONBLOCK) != 0;
}

/** A new app descriptor for the connection `socket`, with fdflags `flags`; the fd, or -1 when the table is full. */
export function installSocket(socket: i32, flags: u32, listening: bool, rights: u64, inheriting: u64): i32 {
  const file = new AppFile();
  file.kind = KIND_SOCKET;
  file.socket = socket;
  file.listening = listening;
  file.filetype = FILETYPE_SOCKET_STREAM;
  file.flags = flags;
  file.rightsBase = rights;
  file.rightsInheriting = inheriting;
  const fd = install(file);
  if (fd < 0) heap.free(changetype<usize>(file));
  return fd;
}

export function sockAccept(fd: u32, flags: u32, out: u32): u32 {
  const listener = socketOf(fd, RIGHT_SOCK_ACCEPT);
  if (listener === null) return failed;
  if (!listener.listening) return ERRNO_INVAL;
  if ((flags & ~FDFLAGS_NONBLOCK) != 0) return ERRNO_INVAL;
  if (!inRange(out, 1, 4)) return ERRNO_FAULT;
  const socket = socketAccept(listener.socket, nonblocking(listener));
  if (socket < 0) return errnoOf(socket);
  const accepted = installSocket(socket, flags, false, RIGHTS_SOCKET & listener.rightsInheriting, 0);
  if (accepted >= 0) fileOf(<u32>accepted)!.ipv6 = listener.ipv6;
  if (accepted < 0) {
    socketClose(socket);
    return ERRNO_NFILE;
  }
  storeU32(out, <u32>accepted);
  return ERRNO_SUCCESS;
}

export function sockRecv(fd: u32, iovs: u32, count: u32, flags: u32, out: u32, outFlags: u32): u32 {
  const file = socketOf(fd, RIGHT_FD_READ);
  if (file === null) return failed;
  if (file.listening) return ERRNO_INVAL; // nothing to receive on a listener (POSIX: ENOTCONN)
  if ((flags & ~(RECEIVE_PEEK | RECEIVE_WAITALL)) != 0) return ERRNO_INVAL;
  if (!inRange(outFlags, 1, 2)) return ERRNO_FAULT;
  const result = socketTransfer(file, iovs, count, out, false, flags);
  if (result != ERRNO_SUCCESS) return result;
  store<u16>(scratch(), file.datagram && datagramTruncated ? ROFLAGS_RECV_DATA_TRUNCATED : 0);
  return put(outFlags, 2) ? ERRNO_SUCCESS : ERRNO_FAULT;
}

export function sockSend(fd: u32, iovs: u32, count: u32, flags: u32, out: u32): u32 {
  const file = socketOf(fd, RIGHT_FD_WRITE);
  if (file === null) return failed;
  if (file.listening) return ERRNO_INVAL;
  if (flags != 0) return ERRNO_INVAL;
  return socketTransfer(file, iovs, count, out, true, 0);
}

export function sockShutdown(fd: u32, how: u32): u32 {
  const file = socketOf(fd, RIGHT_SOCK_SHUTDOWN);
  if (file === null) return failed;
  if (how == 0 || (how & ~(SHUT_RD | SHUT_WR)) != 0) return ERRNO_INVAL;
  return errnoOf(socketShutdown(file.socket, how));
}

/**
 * One piece of a receive into `buffer` (files.ts readInto): waits unless
 * the descriptor is non-blocking or `more` (some bytes already moved: a
 * read returns what is there rather than wait for the rest), except under
 * RECV_WAITALL. An AGAIN after some bytes ends the read quietly.
 */
export function receivePiece(file: AppFile, buffer: usize, length: usize, flags: u32, more: bool): i64 {
  const waitAll = (flags & RECEIVE_WAITALL) != 0;
  const got = socketReceive(file.socket, buffer, length, flags, nonblocking(file) || (more && !waitAll));
  if (got == -EAGAIN && more) return 0;
  return got;
}

/** One piece of a send (files.ts writeFrom): waits for room unless non-blocking, or some bytes are already sent. */
export function sendPiece(file: AppFile, buffer: usize, length: usize, more: bool): i64 {
  const sent = socketSend(file.socket, buffer, length, nonblocking(file) || more);
  if (sent == -EAGAIN && more) return 0;
  return sent;
}

/** One datagram from the UDP socket `file` into `buffer` (as much as fits): waits unless non-blocking. */
export function receiveDatagram(file: AppFile, buffer: usize, length: usize, flags: u32): i64 {
  return socketReceiveFrom(file.socket, buffer, length, flags & RECEIVE_PEEK, nonblocking(file));
}

/** `length` bytes at `buffer` as one datagram to (high, low):`port` (unspecified: the socket's peer). */
export function sendDatagram(file: AppFile, buffer: usize, length: u32, high: u64, low: u64, port: u32): i64 {
  return socketSendTo(file.socket, high, low, port, buffer, length);
}
