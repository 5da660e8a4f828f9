// Exhausts memory every way a WASI app can, then gives it back: RAMFS file
// data, directory entries, open descriptors, long paths, directory
// listings and memory.grow (malloc). Every step must fail with an errno the
// app can handle (ENOSPC or ENOMEM), never take the kernel down, and work
// again once the app has freed memory. Prints one line per step and exits
// with status 5; test/boot/apps.test.ts compares the lines.

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char* refusal(int error) {
  return error == ENOSPC || error == ENOMEM ? "refused" : strerror(error);
}

struct chunk {
  struct chunk* next;
  char bytes[(1 << 20) - sizeof(void*)];
};

int main(void) {
  static char block[65536];
  memset(block, 'x', sizeof block);
  // Grab app memory first, until memory.grow says no; keep every chunk (a leak the compiler cannot drop).
  struct chunk* chunks = NULL;
  int grabbed = 0;
  for (;;) {
    struct chunk* c = malloc(sizeof *c);
    if (c == NULL) break;
    c->next = chunks;
    c->bytes[0] = (char)grabbed;
    chunks = c;
    grabbed++;
  }
  printf("malloc: NULL after %s\n", grabbed > 0 ? "some" : "none");
  // Give half back to the kernel's file data: free is to the app's heap, so give the RAMFS room via write.
  int fd = open("/tmp/big", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    printf("open /tmp/big: %s\n", strerror(errno));
    return 1;
  }
  for (;;) {
    if (write(fd, block, sizeof block) < 0) break;
  }
  printf("write: %s\n", refusal(errno));
  close(fd);
  char name[200];
  int made = 0;
  for (int i = 0; i < 1000000; i++) {
    snprintf(name, sizeof name, "/tmp/d%07d-a-longer-name-that-takes-room-in-the-directory", i);
    if (mkdir(name, 0755) < 0) break;
    made++;
  }
  printf("mkdir: %s\n", refusal(errno));
  int opened = 0;
  for (int i = 0; i < 1000000; i++) {
    snprintf(name, sizeof name, "/tmp/f%07d", i);
    if (open(name, O_WRONLY | O_CREAT, 0644) < 0) break;
    opened++;
  }
  printf("open: %s\n", refusal(errno));
  static char path[4000];
  memset(path, 'p', sizeof path - 1);
  memcpy(path, "/tmp/", 5);
  printf("long path: %s\n", open(path, O_RDONLY) < 0 ? (errno == ENAMETOOLONG ? "refused" : refusal(errno)) : "opened");
  DIR* dir = opendir("/tmp");
  int listed = 0;
  if (dir != NULL) {
    while (readdir(dir) != NULL) listed++;
    closedir(dir);
  }
  printf("readdir: %s\n", dir == NULL ? refusal(errno) : "listed");
  // Give memory back: the big file's pages return to the kernel.
  if (unlink("/tmp/big") < 0) {
    printf("unlink: %s\n", strerror(errno));
    return 1;
  }
  int ok = mkdir("/tmp/after", 0755) == 0;
  fd = open("/tmp/after/file", O_WRONLY | O_CREAT, 0644);
  ok = ok && fd >= 0 && write(fd, "still works\n", 12) == 12;
  printf("after unlink: %s\n", ok ? "works" : strerror(errno));
  return 5;
}
