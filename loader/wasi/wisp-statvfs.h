/*
 * Wisp's statvfs for C apps built with wasi-libc, which has none: WASI
 * preview 1 cannot ask for a filesystem's size, so the Wisp kernel offers
 * wisp_fd_statvfs (loader/wasi/space.ts). Copy this header next to your
 * program, or build with -I loader/wasi. An app that uses it runs only on
 * Wisp: other WASI runtimes refuse the import.
 *
 *   struct wisp_statvfs space;
 *   if (wisp_statvfs("/data", &space) == 0)
 *     printf("%llu bytes free\n", space.blocks_available * space.block_size);
 */
#ifndef WISP_STATVFS_H
#define WISP_STATVFS_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

/** What wisp_fd_statvfs writes: counts of `block_size`-byte blocks and of files. */
struct wisp_statvfs {
  uint64_t block_size;
  uint64_t blocks;
  uint64_t blocks_free;
  /** Free blocks the app may take (a filesystem may keep some back). */
  uint64_t blocks_available;
  uint64_t files;
  uint64_t files_free;
  /** Bit 0: mounted read-only. */
  uint64_t flags;
  uint64_t name_max;
};

#define WISP_ST_RDONLY 1

/** The import: 0, or a WASI errno (8 BADF: not a file or directory; 52 NOSYS: the filesystem cannot say). */
uint16_t wisp_fd_statvfs(int fd, struct wisp_statvfs* out)
    __attribute__((import_module("wasi_snapshot_preview1"), import_name("wisp_fd_statvfs")));

/** The filesystem `fd`'s file is on: 0, or -1 with errno set. */
static inline int wisp_fstatvfs(int fd, struct wisp_statvfs* out) {
  uint16_t error = wisp_fd_statvfs(fd, out);
  if (error == 0) return 0;
  errno = error; /* wasi-libc's errno values are WASI's */
  return -1;
}

/** The filesystem `path` is on: 0, or -1 with errno set. */
static inline int wisp_statvfs(const char* path, struct wisp_statvfs* out) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  int result = wisp_fstatvfs(fd, out);
  int saved = errno;
  close(fd);
  errno = saved;
  return result;
}

#endif
