// WASI conformance: the path_* functions in /sandbox: path_open and its
// flags (CREAT, EXCL, TRUNC, DIRECTORY) and rights, create/remove directory,
// filestat get/set_times, link, symlink/readlink, rename, unlink, and escapes
// from a preopen (`..`, absolute symlinks) refused with NOTCAPABLE; then the
// same ground through libc (mkdir, stat, rename, unlink, rmdir, symlink).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tap.h"

#define RW_RIGHTS                                                                                          \
  (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL |         \
   __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE)
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

static int sandbox = -1;

static __wasi_errno_t open_path(const char* path, __wasi_oflags_t oflags, __wasi_rights_t rights, __wasi_fd_t* fd) {
  return __wasi_path_open(sandbox, FOLLOW, path, oflags, rights, rights, 0, fd);
}

static __wasi_errno_t put_file(const char* path, const char* text) {
  __wasi_fd_t fd;
  __wasi_errno_t error = open_path(path, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, RW_RIGHTS, &fd);
  if (error) return error;
  __wasi_ciovec_t iov = {(const uint8_t*)text, strlen(text)};
  __wasi_size_t written;
  error = __wasi_fd_write(fd, &iov, 1, &written);
  (void)__wasi_fd_close(fd);
  return error;
}

/** The file's contents into `buffer` (NUL-terminated), or an errno. */
static __wasi_errno_t get_file(const char* path, char* buffer, size_t size) {
  __wasi_fd_t fd;
  __wasi_errno_t error = open_path(path, 0, __WASI_RIGHTS_FD_READ, &fd);
  if (error) return error;
  __wasi_iovec_t iov = {(uint8_t*)buffer, size - 1};
  __wasi_size_t count = 0;
  error = __wasi_fd_read(fd, &iov, 1, &count);
  buffer[error ? 0 : count] = 0;
  (void)__wasi_fd_close(fd);
  return error;
}

static __wasi_filetype_t type_of(const char* path, __wasi_lookupflags_t flags) {
  __wasi_filestat_t stat;
  if (__wasi_path_filestat_get(sandbox, flags, path, &stat) != __WASI_ERRNO_SUCCESS) return 0xff;
  return stat.filetype;
}

static void check_open_flags(void) {
  __wasi_fd_t fd;
  expect_errno("path_open a missing file is NOENT", open_path("missing.txt", 0, RW_RIGHTS, &fd), __WASI_ERRNO_NOENT);
  if (EXPECT_OK("path_open CREAT", open_path("made.txt", __WASI_OFLAGS_CREAT, RW_RIGHTS, &fd))) {
    __wasi_ciovec_t iov = {(const uint8_t*)"twelve bytes", 12};
    __wasi_size_t count;
    (void)__wasi_fd_write(fd, &iov, 1, &count);
    (void)__wasi_fd_close(fd);
  }
  CHECK("path_open CREAT made a regular file", type_of("made.txt", 0) == __WASI_FILETYPE_REGULAR_FILE, "type %u",
        type_of("made.txt", 0));
  expect_errno("path_open CREAT|EXCL on an existing file is EXIST",
               open_path("made.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RW_RIGHTS, &fd), __WASI_ERRNO_EXIST);
  if (EXPECT_OK("path_open CREAT|EXCL on a new file", open_path("new.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, RW_RIGHTS, &fd)))
    (void)__wasi_fd_close(fd);
  if (EXPECT_OK("path_open CREAT on an existing file", open_path("made.txt", __WASI_OFLAGS_CREAT, RW_RIGHTS, &fd))) {
    __wasi_filestat_t stat;
    (void)__wasi_fd_filestat_get(fd, &stat);
    CHECK("path_open CREAT keeps an existing file's bytes", stat.size == 12, "size %llu", (unsigned long long)stat.size);
    (void)__wasi_fd_close(fd);
  }
  if (EXPECT_OK("path_open TRUNC", open_path("made.txt", __WASI_OFLAGS_TRUNC, RW_RIGHTS, &fd))) {
    __wasi_filestat_t stat;
    (void)__wasi_fd_filestat_get(fd, &stat);
    CHECK("path_open TRUNC empties the file", stat.size == 0, "size %llu", (unsigned long long)stat.size);
    (void)__wasi_fd_close(fd);
  }
  expect_errno("path_open DIRECTORY on a file is NOTDIR", open_path("made.txt", __WASI_OFLAGS_DIRECTORY, 0, &fd),
               __WASI_ERRNO_NOTDIR);
  expect_errno("path_open through a file is NOTDIR", open_path("made.txt/x", 0, __WASI_RIGHTS_FD_READ, &fd),
               __WASI_ERRNO_NOTDIR);
  expect_errno("path_open CREAT in a missing directory is NOENT",
               open_path("no-such-dir/file", __WASI_OFLAGS_CREAT, RW_RIGHTS, &fd), __WASI_ERRNO_NOENT);

  // Rights: a read-only descriptor refuses writes.
  if (EXPECT_OK("path_open with FD_READ only", open_path("made.txt", 0, __WASI_RIGHTS_FD_READ, &fd))) {
    __wasi_fdstat_t stat;
    (void)__wasi_fd_fdstat_get(fd, &stat);
    CHECK("path_open grants no more than asked", (stat.fs_rights_base & __WASI_RIGHTS_FD_WRITE) == 0, "rights %llx",
          (unsigned long long)stat.fs_rights_base);
    __wasi_ciovec_t iov = {(const uint8_t*)"x", 1};
    __wasi_size_t count;
    expect_errno("fd_write on a read-only path_open is NOTCAPABLE", __wasi_fd_write(fd, &iov, 1, &count),
                 __WASI_ERRNO_NOTCAPABLE);
    (void)__wasi_fd_close(fd);
  }

  // Directories.
  if (EXPECT_OK("path_create_directory", __wasi_path_create_directory(sandbox, "dir"))) {
    CHECK("path_create_directory made a DIRECTORY", type_of("dir", 0) == __WASI_FILETYPE_DIRECTORY, "type %u", type_of("dir", 0));
  }
  expect_errno("path_create_directory over an existing one is EXIST", __wasi_path_create_directory(sandbox, "dir"),
               __WASI_ERRNO_EXIST);
  expect_errno("path_create_directory over a file is EXIST", __wasi_path_create_directory(sandbox, "made.txt"),
               __WASI_ERRNO_EXIST);
  expect_errno("path_create_directory in a missing parent is NOENT", __wasi_path_create_directory(sandbox, "a/b/c"),
               __WASI_ERRNO_NOENT);
  EXPECT_OK("path_create_directory nested", __wasi_path_create_directory(sandbox, "dir/inner"));
  const __wasi_rights_t directory_rights = __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR |
                                           __WASI_RIGHTS_PATH_CREATE_FILE | __WASI_RIGHTS_PATH_FILESTAT_GET |
                                           __WASI_RIGHTS_FD_FILESTAT_GET;
  if (EXPECT_OK("path_open DIRECTORY", __wasi_path_open(sandbox, FOLLOW, "dir", __WASI_OFLAGS_DIRECTORY, directory_rights,
                                                        RW_RIGHTS, 0, &fd))) {
    __wasi_fdstat_t stat;
    (void)__wasi_fd_fdstat_get(fd, &stat);
    CHECK("path_open DIRECTORY gives a DIRECTORY fd", stat.fs_filetype == __WASI_FILETYPE_DIRECTORY, "type %u", stat.fs_filetype);
    // A path relative to the new descriptor.
    __wasi_fd_t child;
    if (EXPECT_OK("path_open relative to an opened directory",
                  __wasi_path_open(fd, 0, "child.txt", __WASI_OFLAGS_CREAT, RW_RIGHTS, 0, 0, &child)))
      (void)__wasi_fd_close(child);
    CHECK("the file landed inside that directory", type_of("dir/child.txt", 0) == __WASI_FILETYPE_REGULAR_FILE, "type %u",
          type_of("dir/child.txt", 0));
    __wasi_ciovec_t iov = {(const uint8_t*)"x", 1};
    __wasi_size_t count;
    __wasi_errno_t error = __wasi_fd_write(fd, &iov, 1, &count);
    CHECK("fd_write on a directory fails", error != __WASI_ERRNO_SUCCESS, "it succeeded");
    (void)__wasi_fd_close(fd);
  }
  CHECK("path_open of \".\" is the preopen itself",
        open_path(".", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR, &fd) == __WASI_ERRNO_SUCCESS &&
            __wasi_fd_close(fd) == __WASI_ERRNO_SUCCESS,
        "failed");
  if (EXPECT_OK("path_open a dir/../file path that stays inside", open_path("dir/../made.txt", 0, __WASI_RIGHTS_FD_READ, &fd)))
    (void)__wasi_fd_close(fd);
}

static void check_escapes(void) {
  __wasi_fd_t fd;
  expect_errno("path_open ../ out of the preopen is NOTCAPABLE", open_path("../outside", 0, __WASI_RIGHTS_FD_READ, &fd),
               __WASI_ERRNO_NOTCAPABLE);
  expect_errno("path_open dir/../../ out of the preopen is NOTCAPABLE",
               open_path("dir/../../outside", 0, __WASI_RIGHTS_FD_READ, &fd), __WASI_ERRNO_NOTCAPABLE);
  expect_errno("path_open an absolute path is NOTCAPABLE", open_path("/etc/passwd", 0, __WASI_RIGHTS_FD_READ, &fd),
               __WASI_ERRNO_NOTCAPABLE);
  expect_errno("path_create_directory ../ is NOTCAPABLE", __wasi_path_create_directory(sandbox, "../escape"),
               __WASI_ERRNO_NOTCAPABLE);
  // Creating a symlink that points outside may be refused (PERM or NOTCAPABLE)
  // or allowed; either way it must not lead outside.
  __wasi_errno_t made = __wasi_path_symlink("/etc/passwd", sandbox, "abs-link");
  if (made == __WASI_ERRNO_SUCCESS)
    expect_errno("following an absolute symlink is NOTCAPABLE", open_path("abs-link", 0, __WASI_RIGHTS_FD_READ, &fd),
                 __WASI_ERRNO_NOTCAPABLE);
  else
    expect_either("path_symlink to an absolute target is refused", made, __WASI_ERRNO_PERM, __WASI_ERRNO_NOTCAPABLE);
  made = __wasi_path_symlink("../../..", sandbox, "up-link");
  if (made == __WASI_ERRNO_SUCCESS)
    expect_errno("following a symlink out of the preopen is NOTCAPABLE",
                 open_path("up-link/etc/passwd", 0, __WASI_RIGHTS_FD_READ, &fd), __WASI_ERRNO_NOTCAPABLE);
  else
    expect_either("path_symlink out of the preopen is refused", made, __WASI_ERRNO_PERM, __WASI_ERRNO_NOTCAPABLE);
}

static void check_filestat_and_times(void) {
  (void)put_file("times.txt", "0123456789");
  __wasi_filestat_t stat;
  if (EXPECT_OK("path_filestat_get a file", __wasi_path_filestat_get(sandbox, 0, "times.txt", &stat))) {
    CHECK("path_filestat_get size", stat.size == 10, "size %llu", (unsigned long long)stat.size);
    CHECK("path_filestat_get filetype", stat.filetype == __WASI_FILETYPE_REGULAR_FILE, "type %u", stat.filetype);
  }
  if (EXPECT_OK("path_filestat_get a directory", __wasi_path_filestat_get(sandbox, 0, "dir", &stat)))
    CHECK("path_filestat_get directory filetype", stat.filetype == __WASI_FILETYPE_DIRECTORY, "type %u", stat.filetype);
  expect_errno("path_filestat_get a missing path is NOENT", __wasi_path_filestat_get(sandbox, 0, "nope", &stat),
               __WASI_ERRNO_NOENT);

  const __wasi_timestamp_t mtim = 1000000000ull * 1500000000ull;  // 2017-07-14, whole seconds
  const __wasi_timestamp_t atim = 1000000000ull * 1400000000ull;  // 2014-05-13
  if (EXPECT_OK("path_filestat_set_times", __wasi_path_filestat_set_times(sandbox, FOLLOW, "times.txt", atim, mtim,
                                                                          __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM))) {
    (void)__wasi_path_filestat_get(sandbox, 0, "times.txt", &stat);
    CHECK("path_filestat_set_times sets mtim", stat.mtim == mtim, "mtim %llu", (unsigned long long)stat.mtim);
    CHECK("path_filestat_set_times sets atim", stat.atim == atim, "atim %llu", (unsigned long long)stat.atim);
  }
  if (EXPECT_OK("path_filestat_set_times ATIM_NOW", __wasi_path_filestat_set_times(sandbox, FOLLOW, "times.txt", 0, 0,
                                                                                   __WASI_FSTFLAGS_ATIM_NOW))) {
    __wasi_timestamp_t now = 0;
    (void)__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &now);
    (void)__wasi_path_filestat_get(sandbox, 0, "times.txt", &stat);
    CHECK("path_filestat_set_times ATIM_NOW is now", stat.atim + 5000000000ull > now && stat.atim < now + 5000000000ull,
          "atim %llu, now %llu", (unsigned long long)stat.atim, (unsigned long long)now);
    CHECK("path_filestat_set_times without MTIM keeps mtim", stat.mtim == mtim, "mtim %llu", (unsigned long long)stat.mtim);
  }
  expect_errno("path_filestat_set_times on a missing path is NOENT",
               __wasi_path_filestat_set_times(sandbox, 0, "nope", 0, 0, __WASI_FSTFLAGS_MTIM_NOW), __WASI_ERRNO_NOENT);
  if (!skip_requested("path_filestat_set_times MTIM with MTIM_NOW is INVAL", 1))
    expect_errno("path_filestat_set_times MTIM with MTIM_NOW is INVAL",
                 __wasi_path_filestat_set_times(sandbox, 0, "times.txt", 0, mtim, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
                 __WASI_ERRNO_INVAL);

  // A file's mtime moves when it is written.
  __wasi_filestat_t before, after;
  (void)__wasi_path_filestat_set_times(sandbox, 0, "times.txt", mtim, mtim, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM);
  (void)__wasi_path_filestat_get(sandbox, 0, "times.txt", &before);
  (void)put_file("times.txt", "new");
  (void)__wasi_path_filestat_get(sandbox, 0, "times.txt", &after);
  CHECK("writing a file moves its mtim", after.mtim > before.mtim, "mtim %llu then %llu", (unsigned long long)before.mtim,
        (unsigned long long)after.mtim);
}

static void check_links(void) {
  char text[64];
  (void)put_file("original.txt", "linked bytes");
  if (EXPECT_OK("path_link", __wasi_path_link(sandbox, 0, "original.txt", sandbox, "hard.txt"))) {
    __wasi_filestat_t original, hard;
    (void)__wasi_path_filestat_get(sandbox, 0, "original.txt", &original);
    (void)__wasi_path_filestat_get(sandbox, 0, "hard.txt", &hard);
    CHECK("path_link makes a second name for the same file", original.ino == hard.ino && original.dev == hard.dev,
          "inodes %llu and %llu", (unsigned long long)original.ino, (unsigned long long)hard.ino);
    CHECK("path_link raises nlink to 2", hard.nlink == 2, "nlink %llu", (unsigned long long)hard.nlink);
    CHECK("path_link shares the bytes", get_file("hard.txt", text, sizeof text) == 0 && strcmp(text, "linked bytes") == 0,
          "got %s", text);
    EXPECT_OK("path_unlink_file one name of two", __wasi_path_unlink_file(sandbox, "original.txt"));
    CHECK("the other name still reads", get_file("hard.txt", text, sizeof text) == 0 && strcmp(text, "linked bytes") == 0,
          "got %s", text);
  }
  expect_errno("path_link onto an existing name is EXIST", __wasi_path_link(sandbox, 0, "hard.txt", sandbox, "made.txt"),
               __WASI_ERRNO_EXIST);
  expect_errno("path_link of a missing file is NOENT", __wasi_path_link(sandbox, 0, "nope", sandbox, "nope2"),
               __WASI_ERRNO_NOENT);

  (void)put_file("target.txt", "through the link");
  if (EXPECT_OK("path_symlink", __wasi_path_symlink("target.txt", sandbox, "soft"))) {
    char buffer[32];
    memset(buffer, '#', sizeof buffer);
    __wasi_size_t used = 0;
    if (EXPECT_OK("path_readlink", __wasi_path_readlink(sandbox, "soft", (uint8_t*)buffer, sizeof buffer, &used)))
      CHECK("path_readlink gives the target's bytes", used == 10 && memcmp(buffer, "target.txt", 10) == 0,
            "%u bytes: %.10s", (unsigned)used, buffer);
    // A buffer of exactly the target's length: filled, nothing written past it.
    memset(buffer, '#', sizeof buffer);
    // The spec does not say whether that truncates or fails (NOBUFS, RANGE).
    used = 0;
    __wasi_errno_t error = __wasi_path_readlink(sandbox, "soft", (uint8_t*)buffer, 10, &used);
    CHECK("path_readlink into an exact-size buffer fills it or refuses",
          (error == __WASI_ERRNO_SUCCESS && used == 10 && memcmp(buffer, "target.txt", 10) == 0) ||
              error == __WASI_ERRNO_NOBUFS || error == __WASI_ERRNO_RANGE,
          "%s, %u bytes", errno_name(error), (unsigned)used);
    CHECK("path_readlink writes nothing past buf_len", buffer[10] == '#', "byte %d was written", 10);
    CHECK("path_filestat_get without FOLLOW sees the SYMBOLIC_LINK", type_of("soft", 0) == __WASI_FILETYPE_SYMBOLIC_LINK,
          "type %u", type_of("soft", 0));
    CHECK("path_filestat_get with FOLLOW sees the target", type_of("soft", FOLLOW) == __WASI_FILETYPE_REGULAR_FILE, "type %u",
          type_of("soft", FOLLOW));
    CHECK("path_open follows a symlink", get_file("soft", text, sizeof text) == 0 && strcmp(text, "through the link") == 0,
          "got %s", text);
    __wasi_fd_t fd;
    expect_errno("path_open without FOLLOW on a symlink is LOOP",
                 __wasi_path_open(sandbox, 0, "soft", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd), __WASI_ERRNO_LOOP);
    expect_errno("path_symlink onto an existing name is EXIST", __wasi_path_symlink("x", sandbox, "soft"), __WASI_ERRNO_EXIST);
    EXPECT_OK("path_unlink_file removes a symlink", __wasi_path_unlink_file(sandbox, "soft"));
    CHECK("removing a symlink keeps its target", type_of("target.txt", 0) == __WASI_FILETYPE_REGULAR_FILE, "type %u",
          type_of("target.txt", 0));
  }
  __wasi_size_t used;
  char buffer[8];
  expect_errno("path_readlink of a regular file is INVAL",
               __wasi_path_readlink(sandbox, "target.txt", (uint8_t*)buffer, sizeof buffer, &used), __WASI_ERRNO_INVAL);
  expect_errno("path_readlink of a missing path is NOENT",
               __wasi_path_readlink(sandbox, "nope", (uint8_t*)buffer, sizeof buffer, &used), __WASI_ERRNO_NOENT);
  if (__wasi_path_symlink("dangling-target", sandbox, "dangling") == __WASI_ERRNO_SUCCESS) {
    __wasi_fd_t fd;
    expect_errno("path_open through a dangling symlink is NOENT", open_path("dangling", 0, __WASI_RIGHTS_FD_READ, &fd),
                 __WASI_ERRNO_NOENT);
    CHECK("a dangling symlink still stats without FOLLOW", type_of("dangling", 0) == __WASI_FILETYPE_SYMBOLIC_LINK, "type %u",
          type_of("dangling", 0));
  }
}

static void check_rename_unlink_rmdir(void) {
  char text[64];
  (void)put_file("from.txt", "moving");
  if (EXPECT_OK("path_rename a file", __wasi_path_rename(sandbox, "from.txt", sandbox, "to.txt"))) {
    CHECK("path_rename removes the old name", type_of("from.txt", 0) == 0xff, "old name still there");
    CHECK("path_rename keeps the bytes", get_file("to.txt", text, sizeof text) == 0 && strcmp(text, "moving") == 0, "got %s", text);
  }
  (void)put_file("victim.txt", "replaced");
  if (EXPECT_OK("path_rename over an existing file", __wasi_path_rename(sandbox, "to.txt", sandbox, "victim.txt")))
    CHECK("path_rename replaces the target", get_file("victim.txt", text, sizeof text) == 0 && strcmp(text, "moving") == 0,
          "got %s", text);
  EXPECT_OK("path_rename into a subdirectory", __wasi_path_rename(sandbox, "victim.txt", sandbox, "dir/moved.txt"));
  CHECK("the file moved into the subdirectory", type_of("dir/moved.txt", 0) == __WASI_FILETYPE_REGULAR_FILE, "type %u",
        type_of("dir/moved.txt", 0));
  if (EXPECT_OK("path_rename a directory", __wasi_path_rename(sandbox, "dir", sandbox, "renamed-dir")))
    CHECK("a renamed directory keeps its contents", type_of("renamed-dir/moved.txt", 0) == __WASI_FILETYPE_REGULAR_FILE,
          "type %u", type_of("renamed-dir/moved.txt", 0));
  expect_errno("path_rename a missing file is NOENT", __wasi_path_rename(sandbox, "nope", sandbox, "nope2"), __WASI_ERRNO_NOENT);
  expect_errno("path_rename out of the preopen is NOTCAPABLE",
               __wasi_path_rename(sandbox, "made.txt", sandbox, "../made.txt"), __WASI_ERRNO_NOTCAPABLE);

  EXPECT_OK("path_unlink_file", __wasi_path_unlink_file(sandbox, "made.txt"));
  CHECK("path_unlink_file removes the name", type_of("made.txt", 0) == 0xff, "still there");
  expect_errno("path_unlink_file a missing file is NOENT", __wasi_path_unlink_file(sandbox, "made.txt"), __WASI_ERRNO_NOENT);
  expect_errno("path_unlink_file a directory is ISDIR", __wasi_path_unlink_file(sandbox, "renamed-dir"), __WASI_ERRNO_ISDIR);

  expect_errno("path_remove_directory a non-empty directory is NOTEMPTY",
               __wasi_path_remove_directory(sandbox, "renamed-dir"), __WASI_ERRNO_NOTEMPTY);
  expect_errno("path_remove_directory a file is NOTDIR", __wasi_path_remove_directory(sandbox, "new.txt"), __WASI_ERRNO_NOTDIR);
  expect_errno("path_remove_directory a missing path is NOENT", __wasi_path_remove_directory(sandbox, "nope"), __WASI_ERRNO_NOENT);
  (void)__wasi_path_unlink_file(sandbox, "renamed-dir/moved.txt");
  (void)__wasi_path_unlink_file(sandbox, "renamed-dir/child.txt");
  EXPECT_OK("path_remove_directory an emptied directory's child", __wasi_path_remove_directory(sandbox, "renamed-dir/inner"));
  EXPECT_OK("path_remove_directory an empty directory", __wasi_path_remove_directory(sandbox, "renamed-dir"));
  CHECK("path_remove_directory removes it", type_of("renamed-dir", 0) == 0xff, "still there");
}

static void check_libc(void) {
  struct stat st;
  CHECK("libc mkdir", mkdir("/sandbox/libc-dir", 0755) == 0, "errno %d", errno);
  CHECK("libc mkdir existing fails with EEXIST", mkdir("/sandbox/libc-dir", 0755) == -1 && errno == EEXIST, "errno %d", errno);
  CHECK("libc stat a directory", stat("/sandbox/libc-dir", &st) == 0 && S_ISDIR(st.st_mode), "errno %d", errno);
  FILE* file = fopen("/sandbox/libc-dir/a.txt", "w");
  if (file) {
    fputs("abc", file);
    fclose(file);
  }
  CHECK("libc stat a file", stat("/sandbox/libc-dir/a.txt", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 3, "errno %d", errno);
  CHECK("libc access", access("/sandbox/libc-dir/a.txt", R_OK) == 0, "errno %d", errno);
  CHECK("libc rename", rename("/sandbox/libc-dir/a.txt", "/sandbox/libc-dir/b.txt") == 0, "errno %d", errno);
  CHECK("libc stat a missing file fails with ENOENT", stat("/sandbox/libc-dir/a.txt", &st) == -1 && errno == ENOENT, "errno %d", errno);
  CHECK("libc symlink", symlink("b.txt", "/sandbox/libc-dir/c") == 0, "errno %d", errno);
  char target[16] = {0};
  CHECK("libc readlink", readlink("/sandbox/libc-dir/c", target, sizeof target) == 5 && strcmp(target, "b.txt") == 0, "got %s", target);
  CHECK("libc lstat a symlink", lstat("/sandbox/libc-dir/c", &st) == 0 && S_ISLNK(st.st_mode), "errno %d", errno);
  CHECK("libc link", link("/sandbox/libc-dir/b.txt", "/sandbox/libc-dir/d.txt") == 0, "errno %d", errno);
  CHECK("libc unlink", unlink("/sandbox/libc-dir/b.txt") == 0 && unlink("/sandbox/libc-dir/c") == 0 &&
        unlink("/sandbox/libc-dir/d.txt") == 0, "errno %d", errno);
  CHECK("libc rmdir", rmdir("/sandbox/libc-dir") == 0, "errno %d", errno);
  CHECK("libc open outside every preopen fails", open("/etc/passwd", O_RDONLY) == -1, "it opened");
  CHECK("libc chdir and a relative open", chdir("/sandbox") == 0 && (file = fopen("relative.txt", "w")) != NULL &&
        fclose(file) == 0 && stat("/sandbox/relative.txt", &st) == 0, "errno %d", errno);
}

int main(void) {
  tap_plan(109);
  sandbox = preopen_fd("/sandbox");
  if (sandbox < 0) {
    fail("preopen /sandbox", "not found");
    return tap_finish();
  }
  check_open_flags();
  check_escapes();
  check_filestat_and_times();
  check_links();
  check_rename_unlink_rmdir();
  check_libc();
  return tap_finish();
}
