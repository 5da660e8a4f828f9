// WASI conformance: the fd_* functions on files in /sandbox and /fixtures:
// read/write with scatter/gather, pread/pwrite, seek/tell, filestat get/
// set_size/set_times, fdstat get/set_flags/set_rights, advise, allocate,
// datasync/sync, close, renumber, prestat, and bad descriptors; then the same
// ground through libc (open/read/write/lseek/fstat/ftruncate/dup2). /fixtures
// is a read-only preopen: every way of changing it fails with ROFS.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tap.h"

#define FILE_RIGHTS                                                                                            \
  (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL |             \
   __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS | __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_DATASYNC |                     \
   __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_FILESTAT_GET |                       \
   __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | __WASI_RIGHTS_FD_FILESTAT_SET_TIMES)

static int sandbox = -1;
static int fixtures = -1;

static __wasi_fd_t create_file(const char* path) {
  __wasi_fd_t fd = (__wasi_fd_t)-1;
  __wasi_errno_t error = __wasi_path_open(sandbox, 0, path, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, FILE_RIGHTS, 0, 0, &fd);
  if (error != __WASI_ERRNO_SUCCESS) {
    fail("create a sandbox file", "path_open %s: %s", path, errno_name(error));
    return (__wasi_fd_t)-1;
  }
  return fd;
}

static __wasi_errno_t write_all(__wasi_fd_t fd, const char* text, __wasi_size_t* written) {
  __wasi_ciovec_t iov = {(const uint8_t*)text, strlen(text)};
  return __wasi_fd_write(fd, &iov, 1, written);
}

static __wasi_filesize_t size_of(__wasi_fd_t fd) {
  __wasi_filestat_t stat;
  if (__wasi_fd_filestat_get(fd, &stat) != __WASI_ERRNO_SUCCESS) return (__wasi_filesize_t)-1;
  return stat.size;
}

static void check_prestat(void) {
  CHECK("fd_prestat_get finds /sandbox", sandbox >= 3, "no preopen named /sandbox");
  CHECK("fd_prestat_get finds /fixtures", fixtures >= 3, "no preopen named /fixtures");
  if (sandbox < 0) return;
  __wasi_prestat_t prestat;
  if (EXPECT_OK("fd_prestat_get /sandbox", __wasi_fd_prestat_get(sandbox, &prestat))) {
    CHECK("fd_prestat_get tag is DIR", prestat.tag == __WASI_PREOPENTYPE_DIR, "tag %u", prestat.tag);
    CHECK("fd_prestat_get name length is strlen(\"/sandbox\")", prestat.u.dir.pr_name_len == 8, "length %u",
          (unsigned)prestat.u.dir.pr_name_len);
    char name[16];
    memset(name, '#', sizeof name);
    if (EXPECT_OK("fd_prestat_dir_name", __wasi_fd_prestat_dir_name(sandbox, (uint8_t*)name, prestat.u.dir.pr_name_len))) {
      CHECK("fd_prestat_dir_name is /sandbox", memcmp(name, "/sandbox", 8) == 0 && name[8] == '#',
            "got %.8s, byte after %c", name, name[8]);
    }
  }
  // The spec leaves non-preopens open; wasi-libc stops its preopen scan at BADF.
  expect_either("fd_prestat_get on stdout is BADF or INVAL", __wasi_fd_prestat_get(1, &prestat), __WASI_ERRNO_BADF,
                __WASI_ERRNO_INVAL);
  expect_errno("fd_prestat_get on an unused fd is BADF", __wasi_fd_prestat_get(1000, &prestat), __WASI_ERRNO_BADF);
  __wasi_fdstat_t stat;
  if (EXPECT_OK("fd_fdstat_get on a preopen", __wasi_fd_fdstat_get(sandbox, &stat))) {
    CHECK("a preopen is a DIRECTORY", stat.fs_filetype == __WASI_FILETYPE_DIRECTORY, "filetype %u", stat.fs_filetype);
    CHECK("a preopen may open paths", (stat.fs_rights_base & __WASI_RIGHTS_PATH_OPEN) != 0, "rights %llx",
          (unsigned long long)stat.fs_rights_base);
  }
}

static void check_read_write_seek(void) {
  __wasi_fd_t fd = create_file("rw.txt");
  if (fd == (__wasi_fd_t)-1) return;
  __wasi_ciovec_t out[3] = {{(const uint8_t*)"Hello", 5}, {(const uint8_t*)", ", 2}, {(const uint8_t*)"WASI!\n", 6}};
  __wasi_size_t count = 0;
  if (EXPECT_OK("fd_write three iovecs", __wasi_fd_write(fd, out, 3, &count)))
    CHECK("fd_write writes every iovec", count == 13, "wrote %u of 13", (unsigned)count);
  __wasi_filesize_t position = 99;
  if (EXPECT_OK("fd_tell after writing", __wasi_fd_tell(fd, &position)))
    CHECK("fd_tell is the bytes written", position == 13, "position %llu", (unsigned long long)position);
  EXPECT_OK("fd_write with no iovecs", __wasi_fd_write(fd, out, 0, &count));
  CHECK("fd_write with no iovecs writes nothing", count == 0, "wrote %u", (unsigned)count);

  if (EXPECT_OK("fd_seek SET 0", __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &position)))
    CHECK("fd_seek SET returns the new offset", position == 0, "offset %llu", (unsigned long long)position);
  char a[4], b[20];
  memset(b, 0, sizeof b);
  __wasi_iovec_t in[2] = {{(uint8_t*)a, sizeof a}, {(uint8_t*)b, sizeof b}};
  if (EXPECT_OK("fd_read two iovecs", __wasi_fd_read(fd, in, 2, &count))) {
    CHECK("fd_read fills iovecs in order", count == 13 && memcmp(a, "Hell", 4) == 0 && memcmp(b, "o, WASI!\n", 9) == 0,
          "read %u bytes", (unsigned)count);
  }
  if (EXPECT_OK("fd_read at end of file", __wasi_fd_read(fd, in, 2, &count)))
    CHECK("fd_read at end of file reads 0 bytes", count == 0, "read %u", (unsigned)count);

  if (EXPECT_OK("fd_seek CUR -6", __wasi_fd_seek(fd, -6, __WASI_WHENCE_CUR, &position)))
    CHECK("fd_seek CUR moves from the current offset", position == 7, "offset %llu", (unsigned long long)position);
  if (EXPECT_OK("fd_seek END -1", __wasi_fd_seek(fd, -1, __WASI_WHENCE_END, &position)))
    CHECK("fd_seek END moves from the end", position == 12, "offset %llu", (unsigned long long)position);
  expect_errno("fd_seek before the start is INVAL", __wasi_fd_seek(fd, -100, __WASI_WHENCE_SET, &position), __WASI_ERRNO_INVAL);
  expect_errno("fd_seek with a bad whence is INVAL", __wasi_fd_seek(fd, 0, 3, &position), __WASI_ERRNO_INVAL);
  __wasi_filesize_t after_bad = 0;
  (void)__wasi_fd_tell(fd, &after_bad);
  CHECK("a refused fd_seek leaves the offset", after_bad == 12, "offset %llu", (unsigned long long)after_bad);

  // Seeking past the end and writing leaves a hole of zeros.
  (void)__wasi_fd_seek(fd, 20, __WASI_WHENCE_SET, &position);
  (void)write_all(fd, "Z", &count);
  CHECK("writing past the end grows the file", size_of(fd) == 21, "size %llu", (unsigned long long)size_of(fd));
  char hole[8];
  __wasi_iovec_t hole_iov = {(uint8_t*)hole, sizeof hole};
  if (EXPECT_OK("fd_pread the hole", __wasi_fd_pread(fd, &hole_iov, 1, 13, &count)))
    CHECK("a hole reads as zeros", count == 8 && memcmp(hole, "\0\0\0\0\0\0\0Z", 8) == 0, "read %u bytes", (unsigned)count);

  // pread/pwrite leave the offset alone.
  (void)__wasi_fd_seek(fd, 3, __WASI_WHENCE_SET, &position);
  __wasi_ciovec_t patch = {(const uint8_t*)"JELLO", 5};
  if (EXPECT_OK("fd_pwrite at offset 0", __wasi_fd_pwrite(fd, &patch, 1, 0, &count)))
    CHECK("fd_pwrite writes its bytes", count == 5, "wrote %u", (unsigned)count);
  char got[5];
  __wasi_iovec_t got_iov = {(uint8_t*)got, sizeof got};
  if (EXPECT_OK("fd_pread at offset 0", __wasi_fd_pread(fd, &got_iov, 1, 0, &count)))
    CHECK("fd_pread reads what fd_pwrite wrote", count == 5 && memcmp(got, "JELLO", 5) == 0, "got %.5s", got);
  (void)__wasi_fd_tell(fd, &position);
  CHECK("fd_pread and fd_pwrite leave the offset", position == 3, "offset %llu", (unsigned long long)position);
  if (EXPECT_OK("fd_pread past the end", __wasi_fd_pread(fd, &got_iov, 1, 1000, &count)))
    CHECK("fd_pread past the end reads 0 bytes", count == 0, "read %u", (unsigned)count);
  (void)__wasi_fd_close(fd);
}

static void check_filestat(void) {
  __wasi_fd_t fd = create_file("stat.txt");
  if (fd == (__wasi_fd_t)-1) return;
  __wasi_size_t count;
  (void)write_all(fd, "0123456789", &count);
  __wasi_filestat_t stat;
  if (EXPECT_OK("fd_filestat_get", __wasi_fd_filestat_get(fd, &stat))) {
    CHECK("fd_filestat_get size", stat.size == 10, "size %llu", (unsigned long long)stat.size);
    CHECK("fd_filestat_get filetype REGULAR_FILE", stat.filetype == __WASI_FILETYPE_REGULAR_FILE, "filetype %u", stat.filetype);
    CHECK("fd_filestat_get nlink is 1", stat.nlink == 1, "nlink %llu", (unsigned long long)stat.nlink);
    CHECK("fd_filestat_get has a modification time", stat.mtim > 0, "mtim 0");
  }

  if (EXPECT_OK("fd_filestat_set_size shrink", __wasi_fd_filestat_set_size(fd, 4)))
    CHECK("fd_filestat_set_size shrinks", size_of(fd) == 4, "size %llu", (unsigned long long)size_of(fd));
  if (EXPECT_OK("fd_filestat_set_size grow", __wasi_fd_filestat_set_size(fd, 4096)))
    CHECK("fd_filestat_set_size grows", size_of(fd) == 4096, "size %llu", (unsigned long long)size_of(fd));
  char tail[4] = {1, 1, 1, 1};
  __wasi_iovec_t tail_iov = {(uint8_t*)tail, sizeof tail};
  (void)__wasi_fd_pread(fd, &tail_iov, 1, 4092, &count);
  CHECK("a grown file reads zeros", count == 4 && memcmp(tail, "\0\0\0\0", 4) == 0, "read %u", (unsigned)count);
  char head[4];
  __wasi_iovec_t head_iov = {(uint8_t*)head, sizeof head};
  (void)__wasi_fd_pread(fd, &head_iov, 1, 0, &count);
  CHECK("growing keeps the old bytes", count == 4 && memcmp(head, "0123", 4) == 0, "got %.4s", head);

  const __wasi_timestamp_t atim = 1000000000ull * 1600000000ull + 123456789ull;  // 2020-09-13
  const __wasi_timestamp_t mtim = 1000000000ull * 1700000000ull + 987654321ull;  // 2023-11-14
  if (EXPECT_OK("fd_filestat_set_times both", __wasi_fd_filestat_set_times(fd, atim, mtim,
                                                                              __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM))) {
    (void)__wasi_fd_filestat_get(fd, &stat);
    CHECK("fd_filestat_set_times sets atim", stat.atim / 1000 == atim / 1000, "atim %llu", (unsigned long long)stat.atim);
    CHECK("fd_filestat_set_times sets mtim", stat.mtim / 1000 == mtim / 1000, "mtim %llu", (unsigned long long)stat.mtim);
  }
  if (EXPECT_OK("fd_filestat_set_times MTIM_NOW", __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW))) {
    __wasi_timestamp_t now = 0;
    (void)__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &now);
    (void)__wasi_fd_filestat_get(fd, &stat);
    CHECK("fd_filestat_set_times MTIM_NOW sets mtim to now", stat.mtim + 5000000000ull > now && stat.mtim < now + 5000000000ull,
          "mtim %llu, now %llu", (unsigned long long)stat.mtim, (unsigned long long)now);
    CHECK("fd_filestat_set_times without ATIM keeps atim", stat.atim / 1000 == atim / 1000, "atim %llu",
          (unsigned long long)stat.atim);
  }
  expect_errno("fd_filestat_set_times ATIM with ATIM_NOW is INVAL",
               __wasi_fd_filestat_set_times(fd, atim, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW), __WASI_ERRNO_INVAL);
  expect_errno("fd_filestat_set_times MTIM with MTIM_NOW is INVAL",
               __wasi_fd_filestat_set_times(fd, 0, mtim, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW), __WASI_ERRNO_INVAL);

  EXPECT_OK("fd_advise NORMAL", __wasi_fd_advise(fd, 0, 4096, __WASI_ADVICE_NORMAL));
  EXPECT_OK("fd_advise SEQUENTIAL", __wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_SEQUENTIAL));
  EXPECT_OK("fd_advise DONTNEED", __wasi_fd_advise(fd, 100, 10, __WASI_ADVICE_DONTNEED));
  expect_errno("fd_advise with unknown advice is INVAL", __wasi_fd_advise(fd, 0, 0, 77), __WASI_ERRNO_INVAL);

  if (EXPECT_OK("fd_allocate past the end", __wasi_fd_allocate(fd, 4000, 8192)))
    CHECK("fd_allocate grows the file to offset + len", size_of(fd) == 12192, "size %llu", (unsigned long long)size_of(fd));
  if (EXPECT_OK("fd_allocate inside the file", __wasi_fd_allocate(fd, 0, 100)))
    CHECK("fd_allocate inside the file keeps the size", size_of(fd) == 12192, "size %llu", (unsigned long long)size_of(fd));

  EXPECT_OK("fd_datasync", __wasi_fd_datasync(fd));
  EXPECT_OK("fd_sync", __wasi_fd_sync(fd));
  (void)__wasi_fd_close(fd);
}

static void check_fdstat(void) {
  __wasi_fdstat_t stat;
  if (EXPECT_OK("fd_fdstat_get stdout", __wasi_fd_fdstat_get(1, &stat)))
    CHECK("stdout may be written", (stat.fs_rights_base & __WASI_RIGHTS_FD_WRITE) != 0, "rights %llx",
          (unsigned long long)stat.fs_rights_base);

  __wasi_fd_t fd = create_file("flags.txt");
  if (fd == (__wasi_fd_t)-1) return;
  __wasi_size_t count;
  (void)write_all(fd, "abc", &count);
  if (EXPECT_OK("fd_fdstat_get on a file", __wasi_fd_fdstat_get(fd, &stat))) {
    CHECK("a file is a REGULAR_FILE", stat.fs_filetype == __WASI_FILETYPE_REGULAR_FILE, "filetype %u", stat.fs_filetype);
    CHECK("a file starts without APPEND", (stat.fs_flags & __WASI_FDFLAGS_APPEND) == 0, "flags %x", stat.fs_flags);
    CHECK("a file keeps the rights it asked for",
          (stat.fs_rights_base & (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE)) == (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE),
          "rights %llx", (unsigned long long)stat.fs_rights_base);
    CHECK("a file gets no rights it did not ask for", (stat.fs_rights_base & ~(__wasi_rights_t)FILE_RIGHTS) == 0, "rights %llx",
          (unsigned long long)stat.fs_rights_base);
  }

  __wasi_filesize_t position;
  (void)__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &position);
  if (EXPECT_OK("fd_fdstat_set_flags APPEND", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND))) {
    (void)__wasi_fd_fdstat_get(fd, &stat);
    CHECK("fd_fdstat_get shows APPEND", (stat.fs_flags & __WASI_FDFLAGS_APPEND) != 0, "flags %x", stat.fs_flags);
    (void)write_all(fd, "def", &count);
    char all[8] = {0};
    __wasi_iovec_t iov = {(uint8_t*)all, sizeof all};
    (void)__wasi_fd_pread(fd, &iov, 1, 0, &count);
    CHECK("an APPEND write goes to the end", count == 6 && memcmp(all, "abcdef", 6) == 0, "file is %.*s", (int)count, all);
  }
  if (EXPECT_OK("fd_fdstat_set_flags 0", __wasi_fd_fdstat_set_flags(fd, 0))) {
    (void)__wasi_fd_fdstat_get(fd, &stat);
    CHECK("fd_fdstat_set_flags clears APPEND", (stat.fs_flags & __WASI_FDFLAGS_APPEND) == 0, "flags %x", stat.fs_flags);
  }

  // Dropping rights is allowed; taking them back is not.
  __wasi_rights_t fewer = FILE_RIGHTS & ~__WASI_RIGHTS_FD_WRITE;
  if (EXPECT_OK("fd_fdstat_set_rights drops FD_WRITE", __wasi_fd_fdstat_set_rights(fd, fewer, 0))) {
    (void)__wasi_fd_fdstat_get(fd, &stat);
    CHECK("fd_fdstat_get shows the dropped right", (stat.fs_rights_base & __WASI_RIGHTS_FD_WRITE) == 0, "rights %llx",
          (unsigned long long)stat.fs_rights_base);
    expect_errno("fd_write without FD_WRITE is NOTCAPABLE", write_all(fd, "x", &count), __WASI_ERRNO_NOTCAPABLE);
    expect_errno("fd_fdstat_set_rights cannot add rights back", __wasi_fd_fdstat_set_rights(fd, FILE_RIGHTS, 0),
                 __WASI_ERRNO_NOTCAPABLE);
    char byte;
    __wasi_iovec_t iov = {(uint8_t*)&byte, 1};
    EXPECT_OK("fd_pread still works with FD_READ", __wasi_fd_pread(fd, &iov, 1, 0, &count));
  }
  (void)__wasi_fd_close(fd);
}

static void check_close_and_renumber(void) {
  __wasi_fd_t first = create_file("first.txt");
  __wasi_fd_t second = create_file("second.txt");
  if (first == (__wasi_fd_t)-1 || second == (__wasi_fd_t)-1) return;
  __wasi_size_t count;
  (void)write_all(first, "first", &count);
  (void)write_all(second, "second!", &count);
  if (EXPECT_OK("fd_renumber onto an open fd", __wasi_fd_renumber(first, second))) {
    CHECK("fd_renumber target now is the source file", size_of(second) == 5, "size %llu", (unsigned long long)size_of(second));
    __wasi_filestat_t stat;
    expect_errno("fd_renumber source fd is closed", __wasi_fd_filestat_get(first, &stat), __WASI_ERRNO_BADF);
  }
  expect_errno("fd_renumber from a closed fd is BADF", __wasi_fd_renumber(first, second), __WASI_ERRNO_BADF);
  expect_errno("fd_renumber onto an unused fd is BADF", __wasi_fd_renumber(second, 1000), __WASI_ERRNO_BADF);

  EXPECT_OK("fd_close", __wasi_fd_close(second));
  expect_errno("fd_close twice is BADF", __wasi_fd_close(second), __WASI_ERRNO_BADF);
  expect_errno("fd_write on a closed fd is BADF", write_all(second, "x", &count), __WASI_ERRNO_BADF);

  // Descriptors that never existed.
  const __wasi_fd_t bad = 12345;
  char byte;
  __wasi_iovec_t iov = {(uint8_t*)&byte, 1};
  __wasi_filesize_t offset;
  __wasi_fdstat_t fdstat;
  __wasi_filestat_t filestat;
  expect_errno("fd_read on an unused fd is BADF", __wasi_fd_read(bad, &iov, 1, &count), __WASI_ERRNO_BADF);
  expect_errno("fd_seek on an unused fd is BADF", __wasi_fd_seek(bad, 0, __WASI_WHENCE_SET, &offset), __WASI_ERRNO_BADF);
  expect_errno("fd_tell on an unused fd is BADF", __wasi_fd_tell(bad, &offset), __WASI_ERRNO_BADF);
  expect_errno("fd_fdstat_get on an unused fd is BADF", __wasi_fd_fdstat_get(bad, &fdstat), __WASI_ERRNO_BADF);
  expect_errno("fd_filestat_get on an unused fd is BADF", __wasi_fd_filestat_get(bad, &filestat), __WASI_ERRNO_BADF);
  expect_errno("fd_sync on an unused fd is BADF", __wasi_fd_sync(bad), __WASI_ERRNO_BADF);
  expect_errno("fd_datasync on an unused fd is BADF", __wasi_fd_datasync(bad), __WASI_ERRNO_BADF);
  expect_errno("fd_advise on an unused fd is BADF", __wasi_fd_advise(bad, 0, 0, __WASI_ADVICE_NORMAL), __WASI_ERRNO_BADF);
  expect_errno("fd_allocate on an unused fd is BADF", __wasi_fd_allocate(bad, 0, 1), __WASI_ERRNO_BADF);
  expect_errno("fd_filestat_set_size on an unused fd is BADF", __wasi_fd_filestat_set_size(bad, 0), __WASI_ERRNO_BADF);
  expect_errno("fd_fdstat_set_flags on an unused fd is BADF", __wasi_fd_fdstat_set_flags(bad, 0), __WASI_ERRNO_BADF);
}

static void check_fixture_file(void) {
  if (fixtures < 0) return;
  __wasi_fd_t fd;
  if (!EXPECT_OK("path_open a fixture read-only",
                 __wasi_path_open(fixtures, 0, "hello.txt", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK |
                                  __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_TELL, 0, 0, &fd)))
    return;
  char text[64] = {0};
  __wasi_iovec_t iov = {(uint8_t*)text, sizeof text - 1};
  __wasi_size_t count = 0;
  if (EXPECT_OK("fd_read a fixture", __wasi_fd_read(fd, &iov, 1, &count)))
    CHECK("the fixture reads back", count == 17 && strcmp(text, "Hello, fixtures!\n") == 0, "read %u: %s", (unsigned)count, text);
  CHECK("fd_filestat_get size of a fixture", size_of(fd) == 17, "size %llu", (unsigned long long)size_of(fd));
  expect_errno("fd_write without FD_WRITE is NOTCAPABLE on a fixture", write_all(fd, "x", &count), __WASI_ERRNO_NOTCAPABLE);
  (void)__wasi_fd_close(fd);
}

/** The checks of check_fixtures_read_only (its skip group's size). */
#define READ_ONLY_CHECKS 6

/** /fixtures is mounted read-only: opening for writing, creating, removing and renaming there all fail with ROFS. */
static void check_fixtures_read_only(void) {
  if (fixtures < 0 || skip_requested("/fixtures is read-only", READ_ONLY_CHECKS)) return;
  __wasi_fd_t fd = (__wasi_fd_t)-1;
  expect_errno("path_open a fixture for writing is ROFS",
               __wasi_path_open(fixtures, 0, "hello.txt", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, &fd),
               __WASI_ERRNO_ROFS);
  expect_errno("path_open CREAT in /fixtures is ROFS",
               __wasi_path_open(fixtures, 0, "new.txt", __WASI_OFLAGS_CREAT, FILE_RIGHTS, 0, 0, &fd), __WASI_ERRNO_ROFS);
  expect_errno("path_create_directory in /fixtures is ROFS", __wasi_path_create_directory(fixtures, "new-dir"), __WASI_ERRNO_ROFS);
  expect_errno("path_unlink_file of a fixture is ROFS", __wasi_path_unlink_file(fixtures, "hello.txt"), __WASI_ERRNO_ROFS);
  expect_errno("path_rename of a fixture is ROFS", __wasi_path_rename(fixtures, "hello.txt", fixtures, "renamed.txt"),
               __WASI_ERRNO_ROFS);
  __wasi_filestat_t stat;
  __wasi_errno_t error = __wasi_path_filestat_get(fixtures, 0, "hello.txt", &stat);
  CHECK("the fixture is still there, unchanged", error == __WASI_ERRNO_SUCCESS && stat.size == 17, "%s, size %llu",
        errno_name(error), (unsigned long long)stat.size);
}

static void check_libc(void) {
  int fd = open("/sandbox/libc.txt", O_CREAT | O_TRUNC | O_RDWR, 0644);
  CHECK("libc open O_CREAT", fd >= 0, "open failed");
  if (fd < 0) return;
  CHECK("libc write", write(fd, "libc bytes", 10) == 10, "short write");
  CHECK("libc lseek SEEK_CUR", lseek(fd, 0, SEEK_CUR) == 10, "offset wrong");
  CHECK("libc lseek SEEK_SET", lseek(fd, 5, SEEK_SET) == 5, "offset wrong");
  char buffer[16] = {0};
  CHECK("libc read", read(fd, buffer, sizeof buffer) == 5 && strcmp(buffer, "bytes") == 0, "got %s", buffer);
  struct stat st;
  CHECK("libc fstat", fstat(fd, &st) == 0 && st.st_size == 10 && S_ISREG(st.st_mode), "size %lld", (long long)st.st_size);
  CHECK("libc ftruncate", ftruncate(fd, 3) == 0 && fstat(fd, &st) == 0 && st.st_size == 3, "size %lld", (long long)st.st_size);
  CHECK("libc pwrite/pread", pwrite(fd, "XY", 2, 1) == 2 && pread(fd, buffer, 3, 0) == 3 && memcmp(buffer, "lXY", 3) == 0,
        "got %.3s", buffer);
  CHECK("libc fsync", fsync(fd) == 0, "failed");
  CHECK("libc fdatasync", fdatasync(fd) == 0, "failed");
  CHECK("libc posix_fallocate", posix_fallocate(fd, 0, 100) == 0 && fstat(fd, &st) == 0 && st.st_size == 100,
        "size %lld", (long long)st.st_size);
  CHECK("libc close", close(fd) == 0, "failed");
  CHECK("libc close twice fails", close(fd) == -1, "succeeded");

  FILE* file = fopen("/sandbox/stdio.txt", "w+");
  CHECK("libc fopen", file != NULL, "failed");
  if (!file) return;
  fprintf(file, "line %d\n", 1);
  fputs("line 2\n", file);
  rewind(file);
  char line[32];
  CHECK("libc fgets reads what fprintf wrote", fgets(line, sizeof line, file) && strcmp(line, "line 1\n") == 0, "got %s", line);
  CHECK("libc fclose", fclose(file) == 0, "failed");
}

int main(void) {
  tap_plan(133);
  sandbox = preopen_fd("/sandbox");
  fixtures = preopen_fd("/fixtures");
  check_prestat();
  if (sandbox >= 0) {
    check_read_write_seek();
    check_filestat();
    check_fdstat();
    check_close_and_renumber();
    check_libc();
  }
  check_fixture_file();
  check_fixtures_read_only();
  return tap_finish();
}
