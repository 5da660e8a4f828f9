// TAP-style reporting shared by the WASI conformance programs.
//
// A program first declares how many checks it reports, tap_plan(N), which
// prints TAP's plan line `1..N`. Each check then prints one line, `ok <name>`
// or `not ok <name>: <detail>` (`ok <name> # SKIP <why>` when it does not
// apply here); names are unique within a program. tap_finish() prints the
// totals and gives main's exit status: 0 only when nothing failed and every
// planned check was reported. Runners (run-node.mjs, the boot tier) count the
// lines against the plan themselves (tap.mjs): a check that silently did not
// run, or ran twice, fails the program.
// Also here: WASI errno names for readable failures, and the lookup of the
// preopened directories (/sandbox, /fixtures) by name through fd_prestat_*.
#ifndef WISP_TEST_APPS_TAP_H
#define WISP_TEST_APPS_TAP_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

static int tap_planned = -1;
static int tap_passed;
static int tap_failed;
static int tap_skipped;

static const char* const WASI_ERRNO_NAMES[] = {
  "SUCCESS", "2BIG", "ACCES", "ADDRINUSE", "ADDRNOTAVAIL", "AFNOSUPPORT", "AGAIN", "ALREADY", "BADF",
  "BADMSG", "BUSY", "CANCELED", "CHILD", "CONNABORTED", "CONNREFUSED", "CONNRESET", "DEADLK",
  "DESTADDRREQ", "DOM", "DQUOT", "EXIST", "FAULT", "FBIG", "HOSTUNREACH", "IDRM", "ILSEQ", "INPROGRESS",
  "INTR", "INVAL", "IO", "ISCONN", "ISDIR", "LOOP", "MFILE", "MLINK", "MSGSIZE", "MULTIHOP",
  "NAMETOOLONG", "NETDOWN", "NETRESET", "NETUNREACH", "NFILE", "NOBUFS", "NODEV", "NOENT", "NOEXEC",
  "NOLCK", "NOLINK", "NOMEM", "NOMSG", "NOPROTOOPT", "NOSPC", "NOSYS", "NOTCONN", "NOTDIR", "NOTEMPTY",
  "NOTRECOVERABLE", "NOTSOCK", "NOTSUP", "NOTTY", "NXIO", "OVERFLOW", "OWNERDEAD", "PERM", "PIPE",
  "PROTO", "PROTONOSUPPORT", "PROTOTYPE", "RANGE", "ROFS", "SPIPE", "SRCH", "STALE", "TIMEDOUT",
  "TXTBSY", "XDEV", "NOTCAPABLE",
};
_Static_assert(sizeof(WASI_ERRNO_NAMES) / sizeof(WASI_ERRNO_NAMES[0]) == __WASI_ERRNO_NOTCAPABLE + 1,
               "one name per WASI errno");

/** Line-buffered stdout, so a program that hangs or traps still shows its last lines. */
__attribute__((constructor)) static void tap_line_buffered(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

static inline const char* errno_name(__wasi_errno_t error) {
  static char unknown[24];
  if (error <= __WASI_ERRNO_NOTCAPABLE) return WASI_ERRNO_NAMES[error];
  snprintf(unknown, sizeof unknown, "errno %u", (unsigned)error);
  return unknown;
}

/** Declares that the program reports `checks` checks: TAP's plan line. Call it before any check. */
static inline void tap_plan(int checks) {
  tap_planned = checks;
  printf("1..%d\n", checks);
}

static inline void pass(const char* name) {
  tap_passed++;
  printf("ok %s\n", name);
}

__attribute__((format(printf, 2, 3))) static inline void fail(const char* name, const char* format, ...) {
  va_list args;
  tap_failed++;
  printf("not ok %s: ", name);
  va_start(args, format);
  vprintf(format, args);
  va_end(args);
  printf("\n");
}

static inline void skip(const char* name, const char* why) {
  tap_skipped++;
  printf("ok %s # SKIP %s\n", name, why);
}

/**
 * Whether the runner asked to skip the group of `checks` checks called `name`:
 * the environment variable WISP_TEST_SKIP holds such names, one per line.
 * Runners use it only for checks that cannot work on an implementation known
 * to deviate (see run-node.mjs); each of the group's checks is then reported
 * as skipped, `ok <name> # SKIP` (`ok <name> (i of n) # SKIP` for a group of
 * several), so that the plan still adds up.
 */
static inline int skip_requested(const char* name, int checks) {
  const char* list = getenv("WISP_TEST_SKIP");
  size_t length = strlen(name);
  while (list && *list) {
    const char* end = strchr(list, '\n');
    size_t item = end ? (size_t)(end - list) : strlen(list);
    if (item == length && memcmp(list, name, length) == 0) {
      if (checks == 1) skip(name, "the runner asked to skip it");
      char numbered[256];
      for (int i = 1; checks > 1 && i <= checks; i++) {
        snprintf(numbered, sizeof numbered, "%s (%d of %d)", name, i, checks);
        skip(numbered, "the runner asked to skip it");
      }
      return 1;
    }
    list = end ? end + 1 : NULL;
  }
  return 0;
}

/** Records a pass when `condition` holds, else a failure with the formatted detail. */
#define CHECK(name, condition, ...) \
  do { \
    if (condition) pass(name); \
    else fail(name, __VA_ARGS__); \
  } while (0)

/** A call whose WASI errno must be `expected`. Evaluates to whether it was. */
static inline int expect_errno(const char* name, __wasi_errno_t got, __wasi_errno_t expected) {
  if (got == expected) {
    pass(name);
    return 1;
  }
  char want[32];
  snprintf(want, sizeof want, "%s", errno_name(expected));
  fail(name, "got %s, want %s", errno_name(got), want);
  return 0;
}

#define EXPECT_OK(name, call) expect_errno(name, (call), __WASI_ERRNO_SUCCESS)

/** A call that must fail with one of two errnos (where the spec allows both). */
static inline int expect_either(const char* name, __wasi_errno_t got, __wasi_errno_t first, __wasi_errno_t second) {
  if (got == first || got == second) {
    pass(name);
    return 1;
  }
  char want[64];
  snprintf(want, sizeof want, "%s or %s", errno_name(first), errno_name(second));
  fail(name, "got %s, want %s", errno_name(got), want);
  return 0;
}

/** Prints the totals (and how they differ from the plan); main returns this. */
static inline int tap_finish(void) {
  int reported = tap_passed + tap_failed + tap_skipped;
  printf("# %d passed, %d failed, %d skipped\n", tap_passed, tap_failed, tap_skipped);
  if (reported != tap_planned) printf("# planned %d checks, reported %d\n", tap_planned, reported);
  fflush(stdout);
  return tap_failed == 0 && reported == tap_planned ? 0 : 1;
}

/** The descriptor of the preopened directory named `name` (e.g. "/sandbox"), or -1. */
static inline int preopen_fd(const char* name) {
  for (__wasi_fd_t fd = 3; fd < 64; fd++) {
    __wasi_prestat_t prestat;
    __wasi_errno_t error = __wasi_fd_prestat_get(fd, &prestat);
    if (error == __WASI_ERRNO_BADF) break;
    if (error != __WASI_ERRNO_SUCCESS || prestat.tag != __WASI_PREOPENTYPE_DIR) continue;
    char buffer[256];
    size_t length = prestat.u.dir.pr_name_len;
    if (length >= sizeof buffer) continue;
    if (__wasi_fd_prestat_dir_name(fd, (uint8_t*)buffer, length) != __WASI_ERRNO_SUCCESS) continue;
    buffer[length] = 0;
    // Some runtimes report a trailing NUL inside the length; compare as C strings.
    if (strcmp(buffer, name) == 0) return (int)fd;
  }
  return -1;
}

/** Every right, for path_open requests that then look at what was granted. */
#define ALL_RIGHTS ((__wasi_rights_t)((1ull << 30) - 1))

#endif
