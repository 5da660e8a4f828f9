/* Builds a tree on a writable filesystem for the ZFS boot tests (wisp run
   --disk pool.img --mount zfs:tank:/data): the host then checks every
   byte with the ZFS module and zdb.

   tree-writer DIR FILES BIG_MIB
     FILES files of 0 to 40,000 bytes spread over 10 directories, then
     every third renamed (into the next directory, ".moved" added) and
     every fifth removed, then big.bin of BIG_MIB MiB written 1 MiB at a
     time, fsync'ed, and read back.

   File i holds byte (i * 131 + k * 7 + (k >> 10)) & 255 at offset k; its
   length is (i * 7919) % 40001. big.bin holds (k * 13 + (k >> 20)) & 255.
   Last, after an fsync of DIR, the space DIR's filesystem reports
   (wisp_statvfs): "space: BLOCK_SIZE BLOCKS FREE AVAILABLE FILES
   FREE_FILES FLAGS NAME_MAX", which the host compares with what the pool
   says once the VM is off.

   Each phase prints one line, "name: ok" or "name: FAILED (why)"; the exit
   status is the number of failed phases. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <wisp-statvfs.h>

static int failures = 0;
static unsigned char buffer[1 << 20];

static void phase(const char* name, int ok, const char* why) {
  if (ok) printf("%s: ok\n", name);
  else {
    printf("%s: FAILED (%s)\n", name, why);
    failures++;
  }
}

static void fill_small(long i, unsigned char* out, long length) {
  for (long k = 0; k < length; k++) out[k] = (unsigned char)((i * 131 + k * 7 + (k >> 10)) & 255);
}

static void fill_big(long mib, unsigned char* out) {
  for (long j = 0; j < (1 << 20); j++) {
    long k = mib * (1L << 20) + j;
    out[j] = (unsigned char)((k * 13 + (k >> 20)) & 255);
  }
}

static int write_all(int fd, const unsigned char* data, long length) {
  while (length > 0) {
    ssize_t n = write(fd, data, (size_t)length);
    if (n <= 0) return -1;
    data += n;
    length -= n;
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: tree-writer DIR FILES BIG_MIB\n");
    return 2;
  }
  const char* root = argv[1];
  long files = atol(argv[2]), big = atol(argv[3]);
  char path[512], to[512];
  int ok = 1;
  for (int d = 0; d < 10 && ok; d++) {
    snprintf(path, sizeof path, "%s/d%d", root, d);
    if (mkdir(path, 0755) != 0) ok = 0;
  }
  for (long i = 0; i < files && ok; i++) {
    long length = (i * 7919) % 40001;
    snprintf(path, sizeof path, "%s/d%ld/file-%05ld", root, i % 10, i);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    fill_small(i, buffer, length);
    if (fd < 0 || write_all(fd, buffer, length) != 0 || close(fd) != 0) ok = 0;
  }
  phase("create files", ok, strerror(errno));
  ok = 1;
  for (long i = 0; i < files && ok; i += 3) {
    snprintf(path, sizeof path, "%s/d%ld/file-%05ld", root, i % 10, i);
    snprintf(to, sizeof to, "%s/d%ld/file-%05ld.moved", root, (i + 1) % 10, i);
    if (rename(path, to) != 0) ok = 0;
  }
  phase("rename every third", ok, strerror(errno));
  ok = 1;
  for (long i = 0; i < files && ok; i += 5) {
    if (i % 3 == 0) snprintf(path, sizeof path, "%s/d%ld/file-%05ld.moved", root, (i + 1) % 10, i);
    else snprintf(path, sizeof path, "%s/d%ld/file-%05ld", root, i % 10, i);
    if (unlink(path) != 0) ok = 0;
  }
  phase("remove every fifth", ok, strerror(errno));
  snprintf(path, sizeof path, "%s/big.bin", root);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  ok = fd >= 0;
  for (long m = 0; m < big && ok; m++) {
    fill_big(m, buffer);
    if (write_all(fd, buffer, 1 << 20) != 0) ok = 0;
  }
  phase("write big.bin", ok && fsync(fd) == 0, strerror(errno));
  ok = fd >= 0 && lseek(fd, 0, SEEK_SET) == 0;
  static unsigned char expected[1 << 20];
  for (long m = 0; m < big && ok; m++) {
    fill_big(m, expected);
    long got = 0;
    while (got < (1 << 20)) {
      ssize_t n = read(fd, buffer + got, (size_t)((1 << 20) - got));
      if (n <= 0) break;
      got += n;
    }
    if (got != (1 << 20) || memcmp(buffer, expected, 1 << 20) != 0) ok = 0;
  }
  phase("read big.bin back", ok, "different bytes");
  if (fd >= 0) close(fd);
  struct wisp_statvfs space;
  int dir = open(root, O_RDONLY | O_DIRECTORY);
  if (dir < 0 || fsync(dir) != 0 || wisp_fstatvfs(dir, &space) != 0) phase("space", 0, strerror(errno));
  else {
    printf("space: %llu %llu %llu %llu %llu %llu %llu %llu\n", (unsigned long long)space.block_size, (unsigned long long)space.blocks,
           (unsigned long long)space.blocks_free, (unsigned long long)space.blocks_available, (unsigned long long)space.files,
           (unsigned long long)space.files_free, (unsigned long long)space.flags, (unsigned long long)space.name_max);
  }
  if (dir >= 0) close(dir);
  printf("%d failed\n", failures);
  return failures;
}
