/* The app of `wisp bench storage`'s 9p rows (scripts/bench/storage/ninep.ts):
   sequential file I/O through WASI, timed with clock_gettime(CLOCK_MONOTONIC).

   ninep-app write-read FILE MIB   writes FILE in 1 MiB writes, fsyncs and
                                   closes it, then reads it back in 1 MiB
                                   reads and checks every byte
   ninep-app read FILE MIB         reads FILE (written by the host with the
                                   same bytes) in 1 MiB reads and checks it
   ninep-app read-tree DIR N KIB   reads DIR/file-0000.bin ... the N files of
                                   KIB KiB each (file i holds the pattern's
                                   bytes from i * KIB KiB on) and checks them
   ninep-app create-files DIR N KIB  creates DIR/new-0000.bin ... N files of
                                   KIB KiB (the pattern's bytes from 0), then
                                   fsyncs the last one
   ninep-app fsync-rounds FILE N   N times: writes 4 KiB at the end of FILE
                                   and fsyncs it
   ninep-app open-stat FILE N      N times: opens FILE, fstats it and closes
                                   it (path_open, fd_filestat_get, fd_close);
                                   reports N as "bytes" and checks the size
                                   is the same every time
   ninep-app exit                  returns at once (the boot-to-_start runs)

   The bytes are 32-bit little-endian words, word w = w * 2654435761 (mod
   2^32): distinct across 4 GiB, so a chunk read from the wrong place fails.
   Each timed part prints one line:

     ninep-bench-raw name=NAME bytes=N ns=T

   where T counts only the calls (open, write or read, fsync, close), not
   filling or checking the buffers. A failure prints what failed on stderr
   and exits with status 1. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { CHUNK = 1 << 20 };

static uint32_t* chunk;
static uint32_t* expected;
static long long spent_ns;
static struct timespec started;

static void start(void) {
  clock_gettime(CLOCK_MONOTONIC, &started);
}

static void stop(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  spent_ns += (now.tv_sec - started.tv_sec) * 1000000000LL + (now.tv_nsec - started.tv_nsec);
}

static void fail(const char* what, const char* path) {
  fprintf(stderr, "ninep-app: %s %s: %s\n", what, path, strerror(errno));
  exit(1);
}

/* The pattern's words for chunk `index` (1 MiB from index * CHUNK). */
static void fill(uint32_t* words, long index) {
  uint32_t first = (uint32_t)(index * (CHUNK / 4));
  for (uint32_t i = 0; i < CHUNK / 4; i++) words[i] = (first + i) * 2654435761u;
}

static void report_bytes(const char* name, long long bytes) {
  printf("ninep-bench-raw name=%s bytes=%lld ns=%lld\n", name, bytes, spent_ns);
  spent_ns = 0;
}

static void report(const char* name, long mib) {
  report_bytes(name, (long long)mib * CHUNK);
}

/* The N files of KIB KiB under DIR, each read whole in one call and checked. */
static void read_tree(const char* dir, long files, long kib) {
  long bytes = kib * 1024;
  if (bytes > CHUNK) fail("files larger than 1 MiB in", dir);
  for (long i = 0; i < files; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/file-%04ld.bin", dir, i);
    start();
    int fd = open(path, O_RDONLY);
    ssize_t count = fd < 0 ? -1 : read(fd, chunk, CHUNK);
    int closed = fd < 0 ? -1 : close(fd);
    stop();
    if (fd < 0) fail("cannot open", path);
    if (count != bytes || closed != 0) fail("a short read from", path);
    uint32_t first = (uint32_t)(i * (bytes / 4));
    for (long w = 0; w < bytes / 4; w++) {
      if (chunk[w] != (first + (uint32_t)w) * 2654435761u) {
        fprintf(stderr, "ninep-app: %s differs from the pattern at word %ld\n", path, w);
        exit(1);
      }
    }
  }
  report_bytes("tree-read", (long long)files * bytes);
}

static void write_file(const char* path, long mib) {
  start();
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  stop();
  if (fd < 0) fail("cannot create", path);
  for (long c = 0; c < mib; c++) {
    fill(chunk, c);
    start();
    ssize_t written = write(fd, chunk, CHUNK);
    stop();
    if (written != CHUNK) fail("a short write to", path);
  }
  start();
  int synced = fsync(fd);
  int closed = close(fd);
  stop();
  if (synced != 0 || closed != 0) fail("cannot fsync and close", path);
}

static void read_file(const char* path, long mib) {
  start();
  int fd = open(path, O_RDONLY);
  stop();
  if (fd < 0) fail("cannot open", path);
  for (long c = 0; c <= mib; c++) {
    start();
    ssize_t count = read(fd, chunk, CHUNK);
    stop();
    if (c == mib) {
      if (count != 0) fail("more bytes than expected in", path);
      break;
    }
    if (count != CHUNK) fail("a short read from", path);
    fill(expected, c);
    if (memcmp(chunk, expected, CHUNK) != 0) {
      fprintf(stderr, "ninep-app: %s: MiB %ld differs from what was written\n", path, c);
      exit(1);
    }
  }
  start();
  close(fd);
  stop();
}

/* N small files, each created, written whole and closed; one fsync at the end. */
static void create_files(const char* dir, long files, long kib) {
  long bytes = kib * 1024;
  if (bytes > CHUNK) fail("files larger than 1 MiB in", dir);
  fill(chunk, 0);
  int last = -1;
  for (long i = 0; i < files; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/new-%04ld.bin", dir, i);
    start();
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ssize_t count = fd < 0 ? -1 : write(fd, chunk, (size_t)bytes);
    int closed = i + 1 < files && fd >= 0 ? close(fd) : 0;
    stop();
    if (fd < 0 || count != bytes || closed != 0) fail("cannot create and write", path);
    if (i + 1 == files) last = fd;
  }
  start();
  int synced = last < 0 ? 0 : fsync(last);
  if (last >= 0) close(last);
  stop();
  if (synced != 0) fail("cannot fsync in", dir);
  report_bytes("create-files", (long long)files * bytes);
}

/* N appends of 4 KiB, each made durable before the next. */
static void fsync_rounds(const char* path, long rounds) {
  fill(chunk, 0);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) fail("cannot create", path);
  for (long r = 0; r < rounds; r++) {
    start();
    ssize_t count = write(fd, chunk, 4096);
    int synced = fsync(fd);
    stop();
    if (count != 4096 || synced != 0) fail("cannot write and fsync", path);
  }
  close(fd);
  report_bytes("fsync-rounds", (long long)rounds * 4096);
}

/* N rounds of open + fstat + close of one path. */
static void open_stat(const char* path, long rounds) {
  long long size = -1;
  start();
  for (long r = 0; r < rounds; r++) {
    struct stat status;
    int fd = open(path, O_RDONLY);
    int got = fd < 0 ? -1 : fstat(fd, &status);
    int closed = fd < 0 ? -1 : close(fd);
    if (fd < 0 || got != 0 || closed != 0) fail("cannot open, fstat and close", path);
    if (r > 0 && status.st_size != size) fail("a different size on a later round for", path);
    size = status.st_size;
  }
  stop();
  report_bytes("open-stat", rounds);
}

int main(int argc, char** argv) {
  if (argc == 2 && strcmp(argv[1], "exit") == 0) return 0;
  if (argc == 5 && strcmp(argv[1], "create-files") == 0) {
    chunk = malloc(CHUNK);
    if (chunk == NULL) fail("out of memory for", "the buffer");
    create_files(argv[2], atol(argv[3]), atol(argv[4]));
    return 0;
  }
  if (argc == 4 && strcmp(argv[1], "fsync-rounds") == 0) {
    chunk = malloc(CHUNK);
    if (chunk == NULL) fail("out of memory for", "the buffer");
    fsync_rounds(argv[2], atol(argv[3]));
    return 0;
  }
  if (argc == 4 && strcmp(argv[1], "open-stat") == 0) {
    open_stat(argv[2], atol(argv[3]));
    return 0;
  }
  if (argc == 5 && strcmp(argv[1], "read-tree") == 0) {
    chunk = malloc(CHUNK);
    if (chunk == NULL) fail("out of memory for", "the buffer");
    read_tree(argv[2], atol(argv[3]), atol(argv[4]));
    return 0;
  }
  long mib = argc == 4 ? atol(argv[3]) : 0;
  if (mib <= 0 || (strcmp(argv[1], "write-read") != 0 && strcmp(argv[1], "read") != 0)) {
    fprintf(stderr, "usage: ninep-app write-read|read FILE MIB | ninep-app read-tree|create-files DIR N KIB | ninep-app fsync-rounds FILE N | ninep-app open-stat FILE N | ninep-app exit\n");
    return 2;
  }
  chunk = malloc(CHUNK);
  expected = malloc(CHUNK);
  if (chunk == NULL || expected == NULL) fail("out of memory for", "the buffers");
  if (strcmp(argv[1], "write-read") == 0) {
    write_file(argv[2], mib);
    report("write", mib);
    read_file(argv[2], mib);
    report("read", mib);
  } else {
    read_file(argv[2], mib);
    report("rofs-read", mib);
  }
  return 0;
}
