// WASI conformance: the process and stream functions: fd_write to stdout and
// stderr, fd_read on stdin (empty: EOF), sched_yield, proc_raise and the
// sock_* functions on descriptors that are not sockets (refused), and
// proc_exit, which must not return. Plain run: every check, then
// proc_exit(0). `process exit-with N`: proc_exit(N) at once (the runner checks
// the exit status is N).
#include <stdlib.h>
#include "tap.h"

// proc_raise left wasi-libc's header, but is part of preview 1.
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise")))
__wasi_errno_t proc_raise(uint32_t signal);

static void check_streams(void) {
  fflush(stdout);
  const char* line = "ok fd_write to stdout (this line)\n";
  __wasi_ciovec_t iov = {(const uint8_t*)line, strlen(line)};
  __wasi_size_t written = 0;
  __wasi_errno_t error = __wasi_fd_write(1, &iov, 1, &written);
  if (error == __WASI_ERRNO_SUCCESS && written == strlen(line)) tap_passed++;
  else fail("fd_write to stdout", "%s, wrote %u of %zu", errno_name(error), (unsigned)written, strlen(line));

  const char* note = "# a line on stderr\n";
  __wasi_ciovec_t parts[2] = {{(const uint8_t*)note, 10}, {(const uint8_t*)note + 10, strlen(note) - 10}};
  if (EXPECT_OK("fd_write to stderr", __wasi_fd_write(2, parts, 2, &written)))
    CHECK("fd_write to stderr writes both iovecs", written == strlen(note), "wrote %u", (unsigned)written);

  char byte;
  __wasi_iovec_t in = {(uint8_t*)&byte, 1};
  __wasi_size_t count = 99;
  if (EXPECT_OK("fd_read on an empty stdin", __wasi_fd_read(0, &in, 1, &count)))
    CHECK("fd_read on an empty stdin is EOF", count == 0, "read %u", (unsigned)count);
  __wasi_fdstat_t stat;
  if (EXPECT_OK("fd_fdstat_get stderr", __wasi_fd_fdstat_get(2, &stat)))
    CHECK("stderr may be written", (stat.fs_rights_base & __WASI_RIGHTS_FD_WRITE) != 0, "rights %llx",
          (unsigned long long)stat.fs_rights_base);
}

/**
 * Socket calls on a descriptor that is not a socket: NOTSUP or NOSYS
 * (unsupported), NOTSOCK (not a socket) or NOTCAPABLE (the descriptor lacks
 * the SOCK_* rights) are all honest refusals.
 */
static void expect_refused(const char* name, __wasi_errno_t error) {
  if (error == __WASI_ERRNO_NOTSUP || error == __WASI_ERRNO_NOSYS || error == __WASI_ERRNO_NOTSOCK ||
      error == __WASI_ERRNO_NOTCAPABLE)
    pass(name);
  else
    fail(name, "got %s, want NOTSUP, NOSYS, NOTSOCK or NOTCAPABLE", errno_name(error));
}

static void check_sockets_on(__wasi_fd_t fd, const char* what) {
  char name[96];
  __wasi_fd_t accepted = 77;
  snprintf(name, sizeof name, "sock_accept on %s is refused", what);
  expect_refused(name, __wasi_sock_accept(fd, 0, &accepted));
  char byte = 0;
  __wasi_iovec_t in = {(uint8_t*)&byte, 1};
  __wasi_ciovec_t out = {(const uint8_t*)&byte, 1};
  __wasi_size_t count = 0;
  __wasi_roflags_t roflags = 0;
  snprintf(name, sizeof name, "sock_recv on %s is refused", what);
  expect_refused(name, __wasi_sock_recv(fd, &in, 1, 0, &count, &roflags));
  snprintf(name, sizeof name, "sock_send on %s is refused", what);
  expect_refused(name, __wasi_sock_send(fd, &out, 1, 0, &count));
  snprintf(name, sizeof name, "sock_shutdown on %s is refused", what);
  expect_refused(name, __wasi_sock_shutdown(fd, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR));
}

static void check_sockets(void) {
  int fixtures = preopen_fd("/fixtures");
  __wasi_fd_t file;
  if (fixtures >= 0 && EXPECT_OK("path_open a fixture for socket calls",
                                 __wasi_path_open(fixtures, 0, "hello.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0, &file))) {
    check_sockets_on(file, "a file");
    (void)__wasi_fd_close(file);
  }
  if (!skip_requested("sock_* on stdout", 4)) check_sockets_on(1, "stdout");
  __wasi_fd_t accepted;
  expect_errno("sock_accept on an unused fd is BADF", __wasi_sock_accept(4321, 0, &accepted), __WASI_ERRNO_BADF);
}

int main(int argc, char** argv) {
  if (argc == 3 && strcmp(argv[1], "exit-with") == 0) {
    tap_plan(0);
    printf("# proc_exit(%s)\n", argv[2]);
    fflush(stdout);
    __wasi_proc_exit((__wasi_exitcode_t)atoi(argv[2]));
  }
  tap_plan(19);
  check_streams();
  check_sockets();
  EXPECT_OK("sched_yield", __wasi_sched_yield());
  // Signal 200 does not exist; raising real signals is not portable.
  __wasi_errno_t error = proc_raise(200);
  CHECK("proc_raise of an unknown signal is refused",
        error == __WASI_ERRNO_INVAL || error == __WASI_ERRNO_NOSYS || error == __WASI_ERRNO_NOTSUP, "got %s", errno_name(error));

  int status = tap_finish();
  printf("# now proc_exit(%d)\n", status);
  fflush(stdout);
  __wasi_proc_exit((__wasi_exitcode_t)status);
  printf("not ok proc_exit returned\n");
  return 99;
}
