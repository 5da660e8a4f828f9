// WasmEdge's socket extension of WASI preview 1: the functions programs
// built with the wasmedge_wasi_socket crate (and WasmEdge's tokio, hyper
// and reqwest forks) import from wasi_snapshot_preview1, with WasmEdge's
// signatures, layouts and errno use (addresses: socket-address.ts).
//
//   sock_open(family, type, *fd)          IPv4 (1) or IPv6 (2), stream (2) or
//                                         datagram (1). An IPv6 socket also
//                                         talks to IPv4 addresses, and sees
//                                         them mapped (::ffff:a.b.c.d), as
//                                         Linux's dual-stack sockets do; an
//                                         IPv4 socket refuses IPv6 addresses
//                                         (AFNOSUPPORT) and its listener
//                                         takes IPv4 connections only
//   sock_bind(fd, *address, port)         a stream's port for sock_listen; a
//                                         datagram socket's port
//   sock_listen(fd, backlog)              a TCP listener (an ephemeral port
//                                         when none was bound)
//   sock_accept(fd, *fd)                  WasmEdge's older form (V1); the
//                                         preview 1 form with flags is
//                                         sockets.ts's
//   sock_connect(fd, *address, port)      TCP: waits for the handshake, or
//                                         with NONBLOCK answers INPROGRESS
//                                         (then readiness to write, and
//                                         SO_ERROR, tell the outcome); UDP:
//                                         names the default peer
//   sock_recv_from / sock_send_to         one datagram, with its address
//   sock_getlocaladdr / sock_getpeeraddr  the socket's own and its peer's
//   sock_getsockopt / sock_setsockopt     SOL_SOCKET (0) options
//
// WasmEdge has two forms of several functions: "V1" under the plain name
// and "V2" under name_v2, the V2 ones also taking the 128-byte address
// storage; sock_recv_from, sock_getlocaladdr and sock_getpeeraddr differ
// in their signatures too (V2: a port result for recv_from, no address
// type for the others), and WasmEdge binds a plain import whose signature
// is V2's to V2. `wisp build-app` does the same: it renames such an import
// to the _v2 name before compiling (loader/native/wasi-functions.list says
// which signature each name has).
//
// One deviation: WasmEdge's V2 sock_recv_from stores the sender's port in
// network byte order while every other function uses host order; Wisp uses
// host order there too (what the crate's UdpSocket::recv_from expects).
// Alignment: a misaligned pointer is ADDRNOTAVAIL, as in WasmEdge.

import {
  udpSocket, tcpListen, tcpConnect, tcpConnectStart, socketConnectResult, socketConnectDatagram, socketClose,
  socketAddress, socketReceiveBuffer, socketSendBuffer, socketSetReceiveBuffer, networkAddress, networkRunning,
  networkHasAddress, datagramSource, RECEIVE_PEEK, RECEIVE_WAITALL,
} from "../../kernel/net/index";
import { EADDRINUSE, EINPROGRESS } from "../../kernel/errno";
import { ipv4MappedLow, isAnyAddress, isUnspecified } from "../../kernel/net/ipv6-address";
import {
  ERRNO_SUCCESS, ERRNO_BADF, ERRNO_NOTSOCK, ERRNO_INVAL, ERRNO_FAULT, ERRNO_ADDRNOTAVAIL, ERRNO_AFNOSUPPORT,
  ERRNO_NOSYS, ERRNO_NETDOWN, ERRNO_MFILE, ERRNO_NOTSUP, ERRNO_ISCONN, ERRNO_ALREADY, ERRNO_INPROGRESS,
  ERRNO_NOTCONN, ERRNO_NOPROTOOPT, errnoOf,
} from "./errno";
import { AppFile, fileOf, install, KIND_SOCKET } from "./fds";
import { FDFLAGS_NONBLOCK, FILETYPE_SOCKET_DGRAM, FILETYPE_SOCKET_STREAM } from "./types";
import { RIGHTS_SOCKET, RIGHTS_LISTENER } from "./rights";
import { inRange, storeU32, scratch, put, fetch } from "./memory";
import { receiveInto, takeDatagramIovecs, writeDatagram, movedBytes, socketTransfer, datagramTruncated } from "./files";
import { sockAccept, ROFLAGS_RECV_DATA_TRUNCATED } from "./sockets";
import {
  readAddress, addressHigh, addressLow, addressFamily, aligned, checkAddressOut, writeAddress, familyOf, addressFits,
  FAMILY_INET4, FAMILY_INET6, FAMILY_UNIX,
  FORM_RAW, FORM_STORAGE, FORM_RAW_OR_STORAGE, FORM_ANY,
} from "./socket-address";

/** WasmEdge's socket types (__wasi_sock_type_t). */
export const SOCK_DGRAM: u32 = 1;
export const SOCK_STREAM: u32 = 2;
const EPHEMERAL_FIRST: u32 = 49152;
const PORT_MAX: u32 = 0xffff;

let failed: u32 = 0;
/** An address the stack reports (16 bytes). */
const found = memory.data(16);

/** Whether the address readAddress read suits the socket: an IPv6 socket takes both families, an IPv4 one IPv4 only. */
function familyFits(file: AppFile): bool {
  return file.ipv6 || addressFamily == FAMILY_INET4;
}


/** The socket `fd` names, or null with `failed` set (BADF, NOTSOCK). */
function socketOf(fd: u32): AppFile | null {
  const file = fileOf(fd);
  if (file === null) failed = ERRNO_BADF;
  else if (!file.isSocket) failed = ERRNO_NOTSOCK;
  else return file;
  return null;
}

function nonblocking(file: AppFile): bool {
  return (file.flags & FDFLAGS_NONBLOCK) != 0;
}

export function sockOpen(family: u32, type: u32, out: u32): u32 {
  if (!aligned(out, 4)) return ERRNO_ADDRNOTAVAIL;
  if (!inRange(out, 1, 4)) return ERRNO_FAULT;
  if (family == FAMILY_UNIX) return ERRNO_NOSYS;
  if ((family != FAMILY_INET4 && family != FAMILY_INET6) || (type != SOCK_DGRAM && type != SOCK_STREAM)) return ERRNO_INVAL;
  if (!networkRunning()) return ERRNO_NETDOWN;
  const file = new AppFile();
  file.kind = KIND_SOCKET;
  file.datagram = type == SOCK_DGRAM;
  file.ipv6 = family == FAMILY_INET6;
  file.filetype = file.datagram ? FILETYPE_SOCKET_DGRAM : FILETYPE_SOCKET_STREAM;
  file.rightsBase = RIGHTS_SOCKET | RIGHTS_LISTENER;
  file.rightsInheriting = RIGHTS_SOCKET;
  if (file.datagram) {
    const socket = udpSocket(0);
    if (socket < 0) {
      heap.free(changetype<usize>(file));
      return errnoOf(socket);
    }
    file.socket = socket;
  }
  const fd = install(file);
  if (fd < 0) {
    if (file.socket >= 0) socketClose(file.socket);
    heap.free(changetype<usize>(file));
    return ERRNO_MFILE;
  }
  storeU32(out, <u32>fd);
  return ERRNO_SUCCESS;
}

export function sockBind(fd: u32, address: u32, port: u32, storage: bool): u32 {
  const read = readAddress(address, storage); // WasmEdge reads the address before it looks at the descriptor
  if (read != ERRNO_SUCCESS) return read;
  const file = socketOf(fd);
  if (file === null) return failed;
  if (!familyFits(file)) return ERRNO_AFNOSUPPORT;
  if (!isAnyAddress(addressHigh, addressLow) && !networkHasAddress(addressHigh, addressLow)) return ERRNO_ADDRNOTAVAIL;
  if (port > PORT_MAX) return ERRNO_INVAL;
  if (!file.datagram) {
    if (file.socket >= 0 || file.boundPort != 0) return ERRNO_INVAL; // bound, listening or connected already
    file.boundPort = port;
    return ERRNO_SUCCESS;
  }
  if (port == 0) return ERRNO_SUCCESS; // it has an ephemeral port already
  const rebound = udpSocket(port);
  if (rebound < 0) return errnoOf(rebound);
  socketClose(file.socket);
  file.socket = rebound;
  return ERRNO_SUCCESS;
}

export function sockListen(fd: u32, backlog: i32): u32 {
  const file = socketOf(fd);
  if (file === null) return failed;
  if (file.datagram) return ERRNO_NOTSUP;
  if (file.listening) return ERRNO_SUCCESS;
  if (file.socket >= 0) return ERRNO_INVAL; // a connection
  const queue = backlog > 0 ? backlog : 1;
  let socket: i32;
  if (file.boundPort != 0) {
    socket = tcpListen(file.boundPort, queue, file.ipv6);
  } else {
    socket = -EADDRINUSE;
    for (let port = EPHEMERAL_FIRST; port <= PORT_MAX && socket == -EADDRINUSE; port++) socket = tcpListen(port, queue, file.ipv6);
  }
  if (socket < 0) return errnoOf(socket);
  file.socket = socket;
  file.listening = true;
  return ERRNO_SUCCESS;
}

/** WasmEdge's V1 sock_accept: no flags (the new socket blocks). */
export function sockAcceptV1(fd: u32, out: u32): u32 {
  if (!aligned(out, 4)) return ERRNO_ADDRNOTAVAIL;
  return sockAccept(fd, 0, out);
}

export function sockConnect(fd: u32, address: u32, port: u32, storage: bool): u32 {
  const read = readAddress(address, storage);
  if (read != ERRNO_SUCCESS) return read;
  const file = socketOf(fd);
  if (file === null) return failed;
  if (port > PORT_MAX) return ERRNO_INVAL;
  if (!familyFits(file)) return ERRNO_AFNOSUPPORT;
  if (file.datagram) return errnoOf(socketConnectDatagram(file.socket, addressHigh, addressLow, port));
  if (file.listening) return ERRNO_INVAL;
  if (file.connecting) return ERRNO_ALREADY;
  if (file.socket >= 0) return ERRNO_ISCONN;
  if (nonblocking(file)) {
    const started = tcpConnectStart(addressHigh, addressLow, port);
    if (started < 0) return errnoOf(started);
    file.socket = started;
    file.connecting = true;
    return ERRNO_INPROGRESS;
  }
  const connected = tcpConnect(addressHigh, addressLow, port);
  if (connected < 0) return errnoOf(connected);
  file.socket = connected;
  return ERRNO_SUCCESS;
}

/**
 * sock_recv_from: V1 (no port result: `portOut` 0, any address buffer) and
 * V2 (the port as a u16 at `portOut`; 4, 16 or 128 bytes of address).
 */
export function sockRecvFrom(fd: u32, iovs: u32, count: u32, address: u32, flags: u32, portOut: u32, out: u32, outFlags: u32, v2: bool): u32 {
  if (!aligned(iovs, 4) || !aligned(out, 4) || !aligned(outFlags, 2) || (v2 && !aligned(portOut, 2))) return ERRNO_ADDRNOTAVAIL;
  const form = checkAddressOut(address, v2 ? FORM_RAW_OR_STORAGE : FORM_ANY);
  if (form != ERRNO_SUCCESS) return form;
  if (!inRange(out, 1, 4) || !inRange(outFlags, 1, 2) || (v2 && !inRange(portOut, 1, 2))) return ERRNO_FAULT;
  const file = socketOf(fd);
  if (file === null) return failed;
  if ((flags & ~(RECEIVE_PEEK | RECEIVE_WAITALL)) != 0) return ERRNO_INVAL;
  if (!file.datagram) return socketTransferWithFlags(file, iovs, count, out, outFlags, flags);
  const received = receiveInto(file, iovs, count, flags);
  if (received != ERRNO_SUCCESS) return received;
  const sourcePort = datagramSource(found);
  const high = load<u64>(found);
  const low = load<u64>(found, 8);
  writeAddress(address, high, low, familyOf(high, low, file.ipv6));
  if (v2) {
    store<u16>(scratch(), <u16>sourcePort);
    put(portOut, 2);
  }
  storeU32(out, <u32>movedBytes());
  store<u16>(scratch(), datagramTruncated ? ROFLAGS_RECV_DATA_TRUNCATED : 0);
  return put(outFlags, 2) ? ERRNO_SUCCESS : ERRNO_FAULT;
}

/** A stream's recv_from: a plain receive, no address (as recvmsg gives none for TCP). */
function socketTransferWithFlags(file: AppFile, iovs: u32, count: u32, out: u32, outFlags: u32, flags: u32): u32 {
  const result = socketTransfer(file, iovs, count, out, false, flags);
  if (result != ERRNO_SUCCESS) return result;
  store<u16>(scratch(), 0);
  return put(outFlags, 2) ? ERRNO_SUCCESS : ERRNO_FAULT;
}

export function sockSendTo(fd: u32, iovs: u32, count: u32, address: u32, port: u32, flags: u32, out: u32, storage: bool): u32 {
  if (!aligned(iovs, 4) || !aligned(out, 4)) return ERRNO_ADDRNOTAVAIL;
  const read = readAddress(address, storage);
  if (read != ERRNO_SUCCESS) return read;
  if (!inRange(out, 1, 4)) return ERRNO_FAULT;
  const file = socketOf(fd);
  if (file === null) return failed;
  if (flags != 0) return ERRNO_INVAL;
  if (port > PORT_MAX) return ERRNO_INVAL;
  if (!file.datagram) return socketTransfer(file, iovs, count, out, true, 0); // TCP ignores the address
  if (!familyFits(file)) return ERRNO_AFNOSUPPORT;
  const taken = takeDatagramIovecs(iovs, count);
  if (taken != ERRNO_SUCCESS) return taken;
  const sent = writeDatagram(file, count, addressHigh, addressLow, port);
  if (sent != ERRNO_SUCCESS) return sent;
  storeU32(out, <u32>movedBytes());
  return ERRNO_SUCCESS;
}

/**
 * sock_getlocaladdr and sock_getpeeraddr. V1 (`typeOut` != 0): a 4- or
 * 16-byte address, its type (4 or 6) as a u32, the port as a u32. V2: a
 * 128-byte storage (family and address), the port as a u32. An IPv4
 * socket's own address is the machine's (networkAddress) even while it
 * takes any; an IPv6 one's is :: then.
 */
export function sockGetAddress(fd: u32, address: u32, typeOut: u32, portOut: u32, peer: bool, v2: bool): u32 {
  const form = checkAddressOut(address, v2 ? FORM_STORAGE : FORM_RAW);
  if (form != ERRNO_SUCCESS) return form;
  if ((!v2 && !inRange(typeOut, 1, 4)) || !inRange(portOut, 1, 4)) return ERRNO_FAULT;
  const file = socketOf(fd);
  if (file === null) return failed;
  let high: u64 = 0;
  let low: u64 = file.ipv6 ? 0 : ipv4MappedLow(0);
  let port: u32 = 0;
  if (file.socket >= 0) {
    const result = socketAddress(file.socket, peer, found);
    if (result < 0) return errnoOf(result);
    port = <u32>result;
    high = load<u64>(found);
    low = load<u64>(found, 8);
    if (!peer && !file.ipv6 && isUnspecified(high, low)) low = ipv4MappedLow(networkAddress());
  } else if (peer) {
    return ERRNO_NOTCONN;
  } else {
    port = file.boundPort; // a stream not yet listening or connected: the unspecified address and its bound port
  }
  const family = familyOf(high, low, file.ipv6);
  if (!addressFits(address, family)) return ERRNO_INVAL; // an IPv6 address for a 4-byte buffer
  if (!writeAddress(address, high, low, family)) return ERRNO_FAULT;
  if (!v2) storeU32(typeOut, family == FAMILY_INET6 ? 6 : 4);
  storeU32(portOut, port);
  return ERRNO_SUCCESS;
}

// --- Options (level SOL_SOCKET, 0) ---

const SO_REUSEADDR: u32 = 0;
const SO_TYPE: u32 = 1;
const SO_ERROR: u32 = 2;
const SO_DONTROUTE: u32 = 3;
const SO_BROADCAST: u32 = 4;
const SO_SNDBUF: u32 = 5;
const SO_RCVBUF: u32 = 6;
const SO_KEEPALIVE: u32 = 7;
const SO_OOBINLINE: u32 = 8;
const SO_LINGER: u32 = 9;
const SO_RCVLOWAT: u32 = 10;
const SO_RCVTIMEO: u32 = 11;
const SO_SNDTIMEO: u32 = 12;
const SO_ACCEPTCONN: u32 = 13;
const SO_BINDTODEVICE: u32 = 14;
const LEVEL_SOCKET: u32 = 0;
/** The app's struct linger (two i32) and struct timeval (two i64). */
const LINGER_BYTES: u32 = 8;
const TIMEVAL_BYTES: u32 = 16;
/** TCP's buffers before the connection exists (kernel/net/config.ts's defaults). */
const DEFAULT_BUFFER: i64 = 64 << 10;

export function sockGetOpt(fd: u32, level: u32, name: u32, value: u32, sizePointer: u32): u32 {
  if (!aligned(sizePointer, 4)) return ERRNO_ADDRNOTAVAIL;
  if (level != LEVEL_SOCKET || name > SO_BINDTODEVICE) return ERRNO_INVAL;
  const sizeAt = fetch(sizePointer, 4);
  if (sizeAt == 0) return ERRNO_FAULT;
  const room = load<u32>(sizeAt);
  if (!inRange(value, room, 1)) return ERRNO_FAULT;
  const file = socketOf(fd);
  if (file === null) return failed;
  const staging = scratch();
  let size: u32 = 4;
  let number: i64 = 0;
  if (name == SO_REUSEADDR) number = file.reuseAddress ? 1 : 0;
  else if (name == SO_TYPE) number = file.datagram ? SOCK_DGRAM : SOCK_STREAM;
  else if (name == SO_ERROR) number = pendingError(file);
  else if (name == SO_SNDBUF) number = file.socket >= 0 ? socketSendBuffer(file.socket) : DEFAULT_BUFFER;
  else if (name == SO_RCVBUF) number = file.socket >= 0 ? socketReceiveBuffer(file.socket) : DEFAULT_BUFFER;
  else if (name == SO_RCVLOWAT) number = 1;
  else if (name == SO_ACCEPTCONN) number = file.listening ? 1 : 0;
  else if (name == SO_LINGER) size = LINGER_BYTES;
  else if (name == SO_RCVTIMEO || name == SO_SNDTIMEO) size = TIMEVAL_BYTES;
  else if (name == SO_BINDTODEVICE) size = 0;
  if (number < 0) return errnoOf(number);
  if (room < size) return ERRNO_INVAL;
  memory.fill(staging, 0, <usize>size);
  if (size == 4) store<i32>(staging, <i32>number);
  if (size != 0 && !put(value, size)) return ERRNO_FAULT;
  return storeU32(sizePointer, size) ? ERRNO_SUCCESS : ERRNO_FAULT;
}

/** SO_ERROR: a finished non-blocking connect's failure (once), as a WASI errno; 0 otherwise. */
function pendingError(file: AppFile): i64 {
  if (!file.connecting) return 0;
  const outcome = socketConnectResult(file.socket);
  if (outcome == -EINPROGRESS) return 0;
  file.connecting = false;
  return <i64>errnoOf(outcome);
}

/**
 * Options the stack has no use for are taken when they ask for what it
 * does anyway (0: off; RCVLOWAT 1) and refused with NOTSUP otherwise; the
 * read-only ones (TYPE, ERROR, ACCEPTCONN) are NOPROTOOPT, as in Linux.
 * SO_SNDBUF is taken and changes nothing (TCP's buffers are fixed, a UDP
 * send never waits); SO_RCVBUF sets a UDP socket's queue, and is taken
 * unchanged for TCP.
 */
export function sockSetOpt(fd: u32, level: u32, name: u32, value: u32, size: u32): u32 {
  if (level != LEVEL_SOCKET || name > SO_BINDTODEVICE) return ERRNO_INVAL;
  if (!inRange(value, size, 1)) return ERRNO_FAULT;
  const file = socketOf(fd);
  if (file === null) return failed;
  if (name == SO_TYPE || name == SO_ERROR || name == SO_ACCEPTCONN) return ERRNO_NOPROTOOPT;
  if (name == SO_BINDTODEVICE) return size == 0 ? ERRNO_SUCCESS : ERRNO_NOTSUP;
  const needed = name == SO_LINGER ? LINGER_BYTES : name == SO_RCVTIMEO || name == SO_SNDTIMEO ? TIMEVAL_BYTES : 4;
  if (size < needed) return ERRNO_INVAL;
  const at = fetch(value, needed);
  if (at == 0) return ERRNO_FAULT;
  const first = load<i32>(at);
  const whole = needed == TIMEVAL_BYTES ? load<u64>(at) | load<u64>(at, 8) : <u64>first;
  if (name == SO_REUSEADDR) {
    file.reuseAddress = first != 0;
    return ERRNO_SUCCESS;
  }
  if (name == SO_RCVBUF) return file.datagram ? errnoOf(socketSetReceiveBuffer(file.socket, <u32>max<i32>(first, 0))) : ERRNO_SUCCESS;
  if (name == SO_SNDBUF) return ERRNO_SUCCESS;
  if (name == SO_RCVLOWAT) return first == 1 ? ERRNO_SUCCESS : ERRNO_NOTSUP;
  // DONTROUTE, BROADCAST, KEEPALIVE, OOBINLINE, LINGER (its on/off), RCVTIMEO, SNDTIMEO: only "off".
  return whole == 0 ? ERRNO_SUCCESS : ERRNO_NOTSUP;
}
