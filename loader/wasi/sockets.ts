// sock_accept, sock_recv, sock_send, sock_shutdown: Wisp has no network
// stack and preopens no sockets, so every descriptor an app holds is not a
// socket: BADF for a closed fd, NOTSOCK for any other (as POSIX answers a
// socket call on a file, and as the WASI test suite expects).

import { ERRNO_BADF, ERRNO_NOTSOCK } from "./errno";
import { fileOf } from "./fds";

export function socketCall(fd: u32): u32 {
  return fileOf(fd) === null ? ERRNO_BADF : ERRNO_NOTSOCK;
}
