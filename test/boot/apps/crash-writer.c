/* Changes a filesystem one durable step at a time until the machine is
   killed, for the ZFS crash tests: each step is made durable (fsync, which
   on ZFS writes the whole transaction group) before "step N" is printed, so
   after a kill the host knows the pool must hold the state after step N or
   after step N + 1 (the one in flight), and nothing else.

   crash-writer DIR [STEPS]   (STEPS: stop after that many; default: never)
   crash-writer DIR idle      makes step 0's file without fsync, prints
                              "written", then idles 30 s: the kernel's
                              periodic sync must make it durable meanwhile

   Step i (from 0): when i % 3 < 2, create "f-i" holding (i * 7919) % 70001
   bytes, byte k being (i * 31 + k * 3 + (k >> 9)) & 255; when i % 6 == 2,
   rename "f-(i - 2)" to "r-(i - 2)"; when i % 6 == 5, remove "f-(i - 1)". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned char data[70001];

static void fail(const char* what, long step) {
  printf("step %ld: %s FAILED (%s)\n", step, what, strerror(errno));
  exit(1);
}

int main(int argc, char** argv) {
  char path[256], to[256];
  if (argc < 2) {
    fprintf(stderr, "usage: crash-writer DIR [STEPS]\n");
    return 2;
  }
  const char* root = argv[1];
  if (argc > 2 && strcmp(argv[2], "idle") == 0) {
    snprintf(path, sizeof path, "%s/f-0", root);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0 || write(fd, "idle\n", 5) != 5 || close(fd) != 0) fail("create", 0);
    printf("written\n");
    fflush(stdout);
    sleep(30);
    printf("idle over\n");
    return 0;
  }
  long steps = argc > 2 ? atol(argv[2]) : -1;
  snprintf(path, sizeof path, "%s/.sync", root);
  int anchor = open(path, O_RDWR | O_CREAT, 0600);
  if (anchor < 0) fail("open .sync", -1);
  for (long i = 0; steps < 0 || i < steps; i++) {
    if (i % 6 == 2) {
      snprintf(path, sizeof path, "%s/f-%ld", root, i - 2);
      snprintf(to, sizeof to, "%s/r-%ld", root, i - 2);
      if (rename(path, to) != 0) fail("rename", i);
    } else if (i % 6 == 5) {
      snprintf(path, sizeof path, "%s/f-%ld", root, i - 1);
      if (unlink(path) != 0) fail("unlink", i);
    } else {
      long length = (i * 7919) % 70001;
      for (long k = 0; k < length; k++) data[k] = (unsigned char)((i * 31 + k * 3 + (k >> 9)) & 255);
      snprintf(path, sizeof path, "%s/f-%ld", root, i);
      int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
      if (fd < 0 || write(fd, data, (size_t)length) != length || close(fd) != 0) fail("create", i);
    }
    if (fsync(anchor) != 0) fail("fsync", i);
    printf("step %ld\n", i);
    fflush(stdout);
  }
  close(anchor);
  return 0;
}
