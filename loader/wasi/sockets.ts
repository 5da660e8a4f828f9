// sock_accept, sock_recv, sock_send, sock_shutdown: Wisp has no network
// stack and preopens no sockets, so every descriptor an app holds is not a
// socket: BADF for a closed fd, NOTSUP otherwise (what wasi-libc reports as
// ENOTSUP).

import { ERRNO_BADF, ERRNO_NOTSUP } from "./errno";
import { fileOf } from "./fds";

export function socketCall(fd: u32): u32 {
  return fileOf(fd) === null ? ERRNO_BADF : ERRNO_NOTSUP;
}
