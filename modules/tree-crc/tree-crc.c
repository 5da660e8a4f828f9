// tree-crc: walks the directory trees named on the command line (the
// current directory's preopen when none) and prints one line per entry,
// sorted by path, so a test can compare a guest's view of a filesystem with
// the host's byte for byte:
//
//   d PATH                  a directory
//   f PATH SIZE CRC32       a regular file: its size and the CRC-32 (IEEE) of its bytes
//   l PATH -> TARGET        a symbolic link
//
// then "entries N". Exits 1 (after printing what it could) if anything
// cannot be read, naming it on stderr.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct entry {
  char* line;
  char* path;
};

static struct entry* entries;
static size_t count, capacity;
static int failed;
static uint32_t table[256];

static void make_table(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
}

static void add(const char* path, char* line) {
  if (count == capacity) {
    capacity = capacity ? capacity * 2 : 256;
    entries = realloc(entries, capacity * sizeof *entries);
    if (!entries) {
      perror("tree-crc: out of memory");
      exit(1);
    }
  }
  entries[count].path = strdup(path);
  entries[count].line = line;
  count++;
}

static void problem(const char* what, const char* path) {
  fprintf(stderr, "tree-crc: %s %s: %s\n", what, path, strerror(errno));
  failed = 1;
}

static void file_line(const char* path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return problem("cannot open", path);
  static unsigned char buffer[1 << 16];
  uint32_t crc = 0xffffffffu;
  long long size = 0;
  for (;;) {
    ssize_t got = read(fd, buffer, sizeof buffer);
    if (got < 0) {
      problem("cannot read", path);
      close(fd);
      return;
    }
    if (got == 0) break;
    for (ssize_t i = 0; i < got; i++) crc = table[(crc ^ buffer[i]) & 0xff] ^ (crc >> 8);
    size += got;
  }
  close(fd);
  char* line;
  if (asprintf(&line, "f %s %lld %08x", path, size, crc ^ 0xffffffffu) < 0) exit(1);
  add(path, line);
}

static void walk(const char* path) {
  struct stat status;
  if (lstat(path, &status) < 0) return problem("cannot stat", path);
  char* line = NULL;
  if (S_ISLNK(status.st_mode)) {
    static char target[4096]; // not on the stack: wasm's shadow stack is small, and walk recurses
    ssize_t length = readlink(path, target, sizeof target - 1);
    if (length < 0) return problem("cannot read link", path);
    target[length] = 0;
    if (asprintf(&line, "l %s -> %s", path, target) < 0) exit(1);
    add(path, line);
    return;
  }
  if (S_ISREG(status.st_mode)) return file_line(path);
  if (!S_ISDIR(status.st_mode)) return;
  if (asprintf(&line, "d %s", path) < 0) exit(1);
  add(path, line);
  DIR* dir = opendir(path);
  if (!dir) return problem("cannot open directory", path);
  struct dirent* item;
  errno = 0;
  while ((item = readdir(dir)) != NULL) {
    if (!strcmp(item->d_name, ".") || !strcmp(item->d_name, "..")) continue;
    char* child;
    if (asprintf(&child, "%s/%s", strcmp(path, "/") ? path : "", item->d_name) < 0) exit(1);
    walk(child);
    free(child);
    errno = 0;
  }
  if (errno) problem("cannot list", path);
  closedir(dir);
}

static int by_path(const void* a, const void* b) {
  return strcmp(((const struct entry*)a)->path, ((const struct entry*)b)->path);
}

int main(int argc, char** argv) {
  make_table();
  if (argc < 2) walk(".");
  for (int i = 1; i < argc; i++) walk(argv[i]);
  qsort(entries, count, sizeof *entries, by_path);
  for (size_t i = 0; i < count; i++) puts(entries[i].line);
  printf("entries %zu\n", count);
  return failed;
}
