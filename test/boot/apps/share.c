/* Files in a shared host directory (wisp run --dir HOST:/out), for the 9p
   boot tests: the host checks what this leaves behind byte for byte.

   share names   makes, renames, links, truncates and deletes files, reads
                 the file the host left (host.txt), and tries to leave /out
   share write   the same, then writes a 64 MiB file and one with data past
                 4 GiB
   share ro      tries to change a read-only share; every attempt must fail
   share full    fills a share whose host filesystem is small: ENOSPC, then
                 room again after an unlink

   Each step prints one line, "name: ok" or "name: FAILED (why)"; the exit
   status is the number of failed steps. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

static int failures = 0;

static void step(const char* name, int ok, const char* why) {
  if (ok) printf("%s: ok\n", name);
  else {
    printf("%s: FAILED (%s)\n", name, why);
    failures++;
  }
}

static int write_file(const char* path, const char* text) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  return close(fd) == 0 && n == (ssize_t)strlen(text) ? 0 : -1;
}

static int read_file(const char* path, char* buffer, size_t size) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buffer, size - 1);
  close(fd);
  if (n < 0) return -1;
  buffer[n] = 0;
  return (int)n;
}

/* The byte at `offset` of the 64 MiB file: the host computes the same. */
static unsigned char pattern(unsigned long offset) {
  return (unsigned char)((offset * 7 + (offset >> 20) * 13) & 0xff);
}

static void big_file(void) {
  enum { CHUNK = 1 << 20, CHUNKS = 64 };
  unsigned char* chunk = malloc(CHUNK);
  int fd = open("/out/big.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int ok = chunk != NULL && fd >= 0;
  for (int c = 0; ok && c < CHUNKS; c++) {
    for (int i = 0; i < CHUNK; i++) chunk[i] = pattern((unsigned long)c * CHUNK + i);
    ok = write(fd, chunk, CHUNK) == CHUNK;
  }
  ok = ok && fsync(fd) == 0 && close(fd) == 0;
  step("write 64 MiB", ok, strerror(errno));
  fd = open("/out/big.bin", O_RDONLY);
  ok = fd >= 0;
  for (int c = 0; ok && c < CHUNKS; c++) {
    ok = read(fd, chunk, CHUNK) == CHUNK;
    for (int i = 0; ok && i < CHUNK; i++) ok = chunk[i] == pattern((unsigned long)c * CHUNK + i);
  }
  if (fd >= 0) close(fd);
  step("read 64 MiB back", ok, "the bytes differ");
  free(chunk);
}

static void past_4_gib(void) {
  const off_t at = 5LL << 30;
  int fd = open("/out/sparse.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
  int ok = fd >= 0 && pwrite(fd, "tail", 4, at) == 4;
  char back[5] = {0};
  ok = ok && pread(fd, back, 4, at) == 4 && memcmp(back, "tail", 4) == 0;
  struct stat status;
  ok = ok && fstat(fd, &status) == 0 && status.st_size == at + 4;
  ok = ok && posix_fallocate(fd, 0, at + 4096) == 0 && fstat(fd, &status) == 0 && status.st_size == at + 4096;
  step("data past 4 GiB", ok, strerror(errno));
  if (fd >= 0) close(fd);
}

static void names(void) {
  step("create a.txt", write_file("/out/a.txt", "alpha\n") == 0, strerror(errno));
  step("create b.txt", write_file("/out/b.txt", "bravo\n") == 0, strerror(errno));
  step("create doomed.txt", write_file("/out/doomed.txt", "gone soon\n") == 0, strerror(errno));
  step("rename b.txt over a.txt", rename("/out/b.txt", "/out/a.txt") == 0, strerror(errno));
  step("mkdir sub", mkdir("/out/sub", 0755) == 0, strerror(errno));
  step("mkdir sub/empty", mkdir("/out/sub/empty", 0755) == 0, strerror(errno));
  step("rmdir sub/empty", rmdir("/out/sub/empty") == 0, strerror(errno));
  step("rename a.txt to sub/moved.txt", rename("/out/a.txt", "/out/sub/moved.txt") == 0, strerror(errno));
  step("link sub/moved.txt to linked.txt", link("/out/sub/moved.txt", "/out/linked.txt") == 0, strerror(errno));
  struct stat status;
  step("the link counts two names", stat("/out/linked.txt", &status) == 0 && status.st_nlink == 2, "nlink is not 2");
  step("symlink rel -> sub/moved.txt", symlink("sub/moved.txt", "/out/rel") == 0, strerror(errno));
  step("symlink abs -> /etc/passwd", symlink("/etc/passwd", "/out/abs") == 0, strerror(errno));
  char buffer[256];
  step("read through rel", read_file("/out/rel", buffer, sizeof buffer) == 6 && strcmp(buffer, "bravo\n") == 0, "wrong bytes");
  step("unlink doomed.txt", unlink("/out/doomed.txt") == 0, strerror(errno));
  step("truncate t.txt to 3", write_file("/out/t.txt", "truncate me\n") == 0 && truncate("/out/t.txt", 3) == 0, strerror(errno));
  int fd = open("/out/t.txt", O_WRONLY | O_APPEND);
  step("append to t.txt", fd >= 0 && write(fd, "+more", 5) == 5 && fsync(fd) == 0 && close(fd) == 0, strerror(errno));
  struct timespec times[2] = { { 1000000000, 5 }, { 1234567890, 123456789 } };
  step("set times of t.txt", utimensat(AT_FDCWD, "/out/t.txt", times, 0) == 0, strerror(errno));
  step("the times read back", stat("/out/t.txt", &status) == 0 && status.st_mtim.tv_sec == 1234567890 && status.st_mtim.tv_nsec == 123456789,
       "wrong times");
  int host = read_file("/out/host.txt", buffer, sizeof buffer);
  if (host >= 0) printf("host.txt: %s", buffer);
  step("read host.txt", host >= 0, strerror(errno));
}

static void escapes(void) {
  errno = 0;
  int fd = open("/out/../escape.txt", O_WRONLY | O_CREAT, 0644);
  step("'..' out of /out is refused", fd < 0 && errno == ENOTCAPABLE, fd < 0 ? strerror(errno) : "it opened");
  if (fd >= 0) close(fd);
  errno = 0;
  fd = open("/out/abs", O_RDONLY);
  step("following abs -> /etc/passwd is refused", fd < 0 && errno == ENOTCAPABLE, fd < 0 ? strerror(errno) : "it opened");
  if (fd >= 0) close(fd);
  errno = 0;
  int linked = link("/out/sub/moved.txt", "/out/../outside.txt");
  step("a hard link out of /out is refused", linked < 0 && errno == ENOTCAPABLE, linked < 0 ? strerror(errno) : "it was made");
  errno = 0;
  linked = symlink("../../outside", "/out/sub/up");
  fd = linked == 0 ? open("/out/sub/up", O_RDONLY) : -1;
  step("following sub/up -> ../../outside is refused", linked == 0 && fd < 0 && errno == ENOTCAPABLE, fd < 0 ? strerror(errno) : "it opened");
  if (fd >= 0) close(fd);
}

static void listing(void) {
  DIR* dir = opendir("/out/sub");
  int entries = 0, moved = 0;
  struct dirent* entry;
  while (dir && (entry = readdir(dir)) != NULL) {
    entries++;
    if (strcmp(entry->d_name, "moved.txt") == 0) moved = entry->d_type == DT_REG;
  }
  if (dir) closedir(dir);
  step("list sub", entries == 3 && moved, "wrong entries"); /* ., .., moved.txt */
}

static void read_only(void) {
  char buffer[64];
  step("read host.txt", read_file("/out/host.txt", buffer, sizeof buffer) > 0, strerror(errno));
  errno = 0;
  step("create is refused", write_file("/out/new.txt", "x") < 0 && errno == EROFS, strerror(errno));
  errno = 0;
  step("writing host.txt is refused", open("/out/host.txt", O_WRONLY) < 0 && errno == EROFS, strerror(errno));
  errno = 0;
  step("unlink is refused", unlink("/out/host.txt") < 0 && errno == EROFS, strerror(errno));
  errno = 0;
  step("mkdir is refused", mkdir("/out/dir", 0755) < 0 && errno == EROFS, strerror(errno));
}

static void full_disk(void) {
  enum { CHUNK = 64 << 10 };
  static char chunk[CHUNK];
  memset(chunk, 'f', sizeof chunk);
  int fd = open("/out/fill.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  long total = 0;
  ssize_t n = 0;
  errno = 0;
  while (fd >= 0 && total < (64L << 20) && (n = write(fd, chunk, CHUNK)) > 0) total += n;
  step("writing fails with ENOSPC", fd >= 0 && n < 0 && errno == ENOSPC, n < 0 ? strerror(errno) : "it never failed");
  if (fd >= 0) close(fd);
  step("unlink frees the space", unlink("/out/fill.bin") == 0, strerror(errno));
  step("writing works again", write_file("/out/after.txt", "room again\n") == 0, strerror(errno));
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "names") == 0 || strcmp(mode, "write") == 0) {
    names();
    listing();
    escapes();
    if (strcmp(mode, "write") == 0) {
      past_4_gib();
      big_file();
    }
  } else if (strcmp(mode, "ro") == 0) {
    read_only();
  } else if (strcmp(mode, "full") == 0) {
    full_disk();
  } else {
    fprintf(stderr, "usage: share names|write|ro|full\n");
    return 100;
  }
  printf("%d failed\n", failures);
  return failures;
}
