// Every WASI preview 1 function, exported from the kernel as wasi_<name>
// with the exact wasm signature apps import from wasi_snapshot_preview1
// (i32 → u32, i64 → u64/i64, the errno result as u32). The kernel build
// maps an app's import w2c_wasi__snapshot__preview1_<name> to the kernel's
// w2c_kernel_wasi_<name> (same C signature). Pointers are wasm addresses in
// the app's memory. The work is done in the files named beside each group.

import { programArguments, environment } from "./args";
import { clockResGet, clockTimeGet } from "./clock";
import {
  fdRead, fdWrite, fdPread, fdPwrite, fdSeek, fdTell, fdFdstatGet, fdFdstatSetFlags, fdFdstatSetRights,
  fdFilestatGet, fdFilestatSetSize, fdFilestatSetTimes, fdAdvise, fdAllocate, fdClose, fdRenumber,
  fdDatasync, fdSync, fdPrestatGet, fdPrestatDirName, fdReaddir,
} from "./files";
import {
  pathOpen, pathCreateDirectory, pathRemoveDirectory, pathUnlinkFile, pathFilestatGet, pathFilestatSetTimes,
  pathReadlink, pathRename, pathSymlink, pathLink,
} from "./paths";
import { pollOneoff } from "./poll";
import { procExit, procRaise, schedYield } from "./process";
import { randomGet } from "./random";
import { sockAccept, sockRecv, sockSend, sockShutdown } from "./sockets";
import {
  sockOpen, sockBind, sockListen, sockAcceptV1, sockConnect, sockRecvFrom, sockSendTo, sockGetAddress, sockGetOpt, sockSetOpt,
} from "./wasmedge";
import { sockGetAddrinfo } from "./addrinfo";
import { fdStatvfs } from "./space";

// --- Arguments and environment (args.ts) ---

export function wasi_args_get(argv: u32, buffer: u32): u32 {
  return programArguments().get(argv, buffer);
}

export function wasi_args_sizes_get(count: u32, size: u32): u32 {
  return programArguments().sizes(count, size);
}

export function wasi_environ_get(environ: u32, buffer: u32): u32 {
  return environment().get(environ, buffer);
}

export function wasi_environ_sizes_get(count: u32, size: u32): u32 {
  return environment().sizes(count, size);
}

// --- Clocks (clock.ts) ---

export function wasi_clock_res_get(id: u32, resolution: u32): u32 {
  return clockResGet(id, resolution);
}

export function wasi_clock_time_get(id: u32, precision: u64, time: u32): u32 {
  return clockTimeGet(id, precision, time);
}

// --- Descriptors (files.ts) ---

export function wasi_fd_advise(fd: u32, offset: u64, length: u64, advice: u32): u32 {
  return fdAdvise(fd, offset, length, advice);
}

export function wasi_fd_allocate(fd: u32, offset: u64, length: u64): u32 {
  return fdAllocate(fd, offset, length);
}

export function wasi_fd_close(fd: u32): u32 {
  return fdClose(fd);
}

export function wasi_fd_datasync(fd: u32): u32 {
  return fdDatasync(fd);
}

export function wasi_fd_fdstat_get(fd: u32, stat: u32): u32 {
  return fdFdstatGet(fd, stat);
}

export function wasi_fd_fdstat_set_flags(fd: u32, flags: u32): u32 {
  return fdFdstatSetFlags(fd, flags);
}

export function wasi_fd_fdstat_set_rights(fd: u32, base: u64, inheriting: u64): u32 {
  return fdFdstatSetRights(fd, base, inheriting);
}

export function wasi_fd_filestat_get(fd: u32, stat: u32): u32 {
  return fdFilestatGet(fd, stat);
}

export function wasi_fd_filestat_set_size(fd: u32, size: u64): u32 {
  return fdFilestatSetSize(fd, size);
}

export function wasi_fd_filestat_set_times(fd: u32, accessed: u64, modified: u64, flags: u32): u32 {
  return fdFilestatSetTimes(fd, accessed, modified, flags);
}

export function wasi_fd_pread(fd: u32, iovs: u32, count: u32, offset: u64, read: u32): u32 {
  return fdPread(fd, iovs, count, offset, read);
}

export function wasi_fd_prestat_get(fd: u32, prestat: u32): u32 {
  return fdPrestatGet(fd, prestat);
}

export function wasi_fd_prestat_dir_name(fd: u32, path: u32, length: u32): u32 {
  return fdPrestatDirName(fd, path, length);
}

export function wasi_fd_pwrite(fd: u32, iovs: u32, count: u32, offset: u64, written: u32): u32 {
  return fdPwrite(fd, iovs, count, offset, written);
}

export function wasi_fd_read(fd: u32, iovs: u32, count: u32, read: u32): u32 {
  return fdRead(fd, iovs, count, read);
}

export function wasi_fd_readdir(fd: u32, buffer: u32, length: u32, cookie: u64, used: u32): u32 {
  return fdReaddir(fd, buffer, length, cookie, used);
}

export function wasi_fd_renumber(fd: u32, to: u32): u32 {
  return fdRenumber(fd, to);
}

export function wasi_fd_seek(fd: u32, offset: i64, whence: u32, position: u32): u32 {
  return fdSeek(fd, offset, whence, position);
}

export function wasi_fd_sync(fd: u32): u32 {
  return fdSync(fd);
}

export function wasi_fd_tell(fd: u32, position: u32): u32 {
  return fdTell(fd, position);
}

export function wasi_fd_write(fd: u32, iovs: u32, count: u32, written: u32): u32 {
  return fdWrite(fd, iovs, count, written);
}

// --- Paths (paths.ts) ---

export function wasi_path_create_directory(fd: u32, path: u32, length: u32): u32 {
  return pathCreateDirectory(fd, path, length);
}

export function wasi_path_filestat_get(fd: u32, flags: u32, path: u32, length: u32, stat: u32): u32 {
  return pathFilestatGet(fd, flags, path, length, stat);
}

export function wasi_path_filestat_set_times(
  fd: u32, flags: u32, path: u32, length: u32, accessed: u64, modified: u64, timeFlags: u32,
): u32 {
  return pathFilestatSetTimes(fd, flags, path, length, accessed, modified, timeFlags);
}

export function wasi_path_link(
  fd: u32, flags: u32, path: u32, length: u32, toFd: u32, toPath: u32, toLength: u32,
): u32 {
  return pathLink(fd, flags, path, length, toFd, toPath, toLength);
}

export function wasi_path_open(
  fd: u32, lookupFlags: u32, path: u32, length: u32, openFlags: u32,
  rightsBase: u64, rightsInheriting: u64, fdFlags: u32, opened: u32,
): u32 {
  return pathOpen(fd, lookupFlags, path, length, openFlags, rightsBase, rightsInheriting, fdFlags, opened);
}

export function wasi_path_readlink(fd: u32, path: u32, length: u32, buffer: u32, bufferLength: u32, used: u32): u32 {
  return pathReadlink(fd, path, length, buffer, bufferLength, used);
}

export function wasi_path_remove_directory(fd: u32, path: u32, length: u32): u32 {
  return pathRemoveDirectory(fd, path, length);
}

export function wasi_path_rename(fd: u32, path: u32, length: u32, toFd: u32, toPath: u32, toLength: u32): u32 {
  return pathRename(fd, path, length, toFd, toPath, toLength);
}

export function wasi_path_symlink(target: u32, targetLength: u32, fd: u32, path: u32, length: u32): u32 {
  return pathSymlink(target, targetLength, fd, path, length);
}

export function wasi_path_unlink_file(fd: u32, path: u32, length: u32): u32 {
  return pathUnlinkFile(fd, path, length);
}

// --- Waiting, processes, randomness (poll.ts, process.ts, random.ts) ---

export function wasi_poll_oneoff(subscriptions: u32, events: u32, count: u32, written: u32): u32 {
  return pollOneoff(subscriptions, events, count, written);
}

export function wasi_proc_exit(code: u32): void {
  procExit(code);
}

export function wasi_proc_raise(signal: u32): u32 {
  return procRaise(signal);
}

export function wasi_sched_yield(): u32 {
  return schedYield();
}

export function wasi_random_get(buffer: u32, length: u32): u32 {
  return randomGet(buffer, length);
}

// --- Sockets (sockets.ts) ---

export function wasi_sock_accept(fd: u32, flags: u32, accepted: u32): u32 {
  return sockAccept(fd, flags, accepted);
}

export function wasi_sock_recv(fd: u32, iovs: u32, count: u32, flags: u32, received: u32, receivedFlags: u32): u32 {
  return sockRecv(fd, iovs, count, flags, received, receivedFlags);
}

export function wasi_sock_send(fd: u32, iovs: u32, count: u32, flags: u32, sent: u32): u32 {
  return sockSend(fd, iovs, count, flags, sent);
}

export function wasi_sock_shutdown(fd: u32, how: u32): u32 {
  return sockShutdown(fd, how);
}

// --- WasmEdge's socket extension (wasmedge.ts, addrinfo.ts): V1 under the plain names, V2 under _v2 ---

export function wasi_sock_open(family: u32, type: u32, fd: u32): u32 {
  return sockOpen(family, type, fd);
}

export function wasi_sock_open_v2(family: u32, type: u32, fd: u32): u32 {
  return sockOpen(family, type, fd);
}

export function wasi_sock_bind(fd: u32, address: u32, port: u32): u32 {
  return sockBind(fd, address, port, false);
}

export function wasi_sock_bind_v2(fd: u32, address: u32, port: u32): u32 {
  return sockBind(fd, address, port, true);
}

export function wasi_sock_listen(fd: u32, backlog: i32): u32 {
  return sockListen(fd, backlog);
}

export function wasi_sock_listen_v2(fd: u32, backlog: i32): u32 {
  return sockListen(fd, backlog);
}

/** WasmEdge's V1 sock_accept(fd, *fd), which build-app binds a two-argument sock_accept import to. */
export function wasi_sock_accept_v1(fd: u32, accepted: u32): u32 {
  return sockAcceptV1(fd, accepted);
}

export function wasi_sock_accept_v2(fd: u32, flags: u32, accepted: u32): u32 {
  return sockAccept(fd, flags, accepted);
}

export function wasi_sock_connect(fd: u32, address: u32, port: u32): u32 {
  return sockConnect(fd, address, port, false);
}

export function wasi_sock_connect_v2(fd: u32, address: u32, port: u32): u32 {
  return sockConnect(fd, address, port, true);
}

export function wasi_sock_recv_v2(fd: u32, iovs: u32, count: u32, flags: u32, received: u32, receivedFlags: u32): u32 {
  return sockRecv(fd, iovs, count, flags, received, receivedFlags);
}

export function wasi_sock_recv_from(fd: u32, iovs: u32, count: u32, address: u32, flags: u32, received: u32, receivedFlags: u32): u32 {
  return sockRecvFrom(fd, iovs, count, address, flags, 0, received, receivedFlags, false);
}

export function wasi_sock_recv_from_v2(fd: u32, iovs: u32, count: u32, address: u32, flags: u32, port: u32, received: u32, receivedFlags: u32): u32 {
  return sockRecvFrom(fd, iovs, count, address, flags, port, received, receivedFlags, true);
}

export function wasi_sock_send_v2(fd: u32, iovs: u32, count: u32, flags: u32, sent: u32): u32 {
  return sockSend(fd, iovs, count, flags, sent);
}

export function wasi_sock_send_to(fd: u32, iovs: u32, count: u32, address: u32, port: u32, flags: u32, sent: u32): u32 {
  return sockSendTo(fd, iovs, count, address, port, flags, sent, false);
}

export function wasi_sock_send_to_v2(fd: u32, iovs: u32, count: u32, address: u32, port: u32, flags: u32, sent: u32): u32 {
  return sockSendTo(fd, iovs, count, address, port, flags, sent, true);
}

export function wasi_sock_getlocaladdr(fd: u32, address: u32, type: u32, port: u32): u32 {
  return sockGetAddress(fd, address, type, port, false, false);
}

export function wasi_sock_getpeeraddr(fd: u32, address: u32, type: u32, port: u32): u32 {
  return sockGetAddress(fd, address, type, port, true, false);
}

export function wasi_sock_getlocaladdr_v2(fd: u32, address: u32, port: u32): u32 {
  return sockGetAddress(fd, address, 0, port, false, true);
}

export function wasi_sock_getpeeraddr_v2(fd: u32, address: u32, port: u32): u32 {
  return sockGetAddress(fd, address, 0, port, true, true);
}

export function wasi_sock_getsockopt(fd: u32, level: u32, name: u32, value: u32, size: u32): u32 {
  return sockGetOpt(fd, level, name, value, size);
}

export function wasi_sock_setsockopt(fd: u32, level: u32, name: u32, value: u32, size: u32): u32 {
  return sockSetOpt(fd, level, name, value, size);
}

export function wasi_sock_getaddrinfo(node: u32, nodeLength: u32, service: u32, serviceLength: u32, hints: u32, result: u32, maxResults: u32, resultCount: u32): u32 {
  return sockGetAddrinfo(node, nodeLength, service, serviceLength, hints, result, maxResults, resultCount);
}

// --- Wisp's extension (space.ts) ---

export function wasi_wisp_fd_statvfs(fd: u32, out: u32): u32 {
  return fdStatvfs(fd, out);
}
