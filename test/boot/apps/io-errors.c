/* A filesystem whose disk fails under it, for the ZFS disk-error tests
   (wisp run --disk blkdebug:RULES:pool.img --mount zfs:tank:/data): the
   change that cannot reach the disk fails with EIO, later changes fail too,
   and what was there before still reads.

   io-errors DIR   prints one line per step, "name: ok" or "name: FAILED
   (why)"; the exit status is the number of failed steps. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures = 0;

static void step(const char* name, int ok) {
  if (ok) printf("%s: ok\n", name);
  else {
    printf("%s: FAILED (%s)\n", name, strerror(errno));
    failures++;
  }
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: io-errors DIR\n");
    return 2;
  }
  char path[256];
  snprintf(path, sizeof path, "%s/new.txt", argv[1]);
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
  step("create new.txt", fd >= 0);
  step("write new.txt", fd >= 0 && write(fd, "lost\n", 5) == 5);
  int synced = fsync(fd);
  step("fsync fails with EIO", synced != 0 && errno == EIO);
  close(fd);
  snprintf(path, sizeof path, "%s/later", argv[1]);
  int made = mkdir(path, 0755);
  step("a later change fails with EIO", made != 0 && errno == EIO);
  snprintf(path, sizeof path, "%s/host.txt", argv[1]);
  char text[64] = {0};
  fd = open(path, O_RDONLY);
  ssize_t got = fd >= 0 ? read(fd, text, sizeof text - 1) : -1;
  step("host.txt still reads", got > 0 && strcmp(text, "before the errors\n") == 0);
  if (fd >= 0) close(fd);
  printf("%d failed\n", failures);
  return failures;
}
