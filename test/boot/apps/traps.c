/* Apps that end badly on purpose, for the boot tests: argv[1] says how. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile int sink;

static int recurse(int depth) {
  volatile char frame[256];
  frame[0] = (char)depth;
  return recurse(depth + 1) + frame[0];
}

int main(int argc, char** argv) {
  const char* how = argc > 1 ? argv[1] : "";
  printf("about to %s\n", how);
  fflush(stdout);
  if (strcmp(how, "out-of-bounds") == 0) {
    volatile unsigned* far = (volatile unsigned*)0xfffffff0u;
    sink = (int)*far;
  } else if (strcmp(how, "unreachable") == 0) {
    __builtin_trap();
  } else if (strcmp(how, "divide-by-zero") == 0) {
    volatile int zero = 0;
    sink = 1 / zero;
  } else if (strcmp(how, "stack-overflow") == 0) {
    sink = recurse(0);
  } else if (strcmp(how, "exit") == 0) {
    exit(argc > 2 ? atoi(argv[2]) : 0);
  }
  printf("still here\n");
  return 0;
}
