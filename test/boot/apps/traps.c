/* Apps that end badly on purpose, for the boot tests: argv[1] says how. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile int sink;

/* Recursion whose frames live in linear memory (the C stack wasi-libc keeps there): it runs off its end. */
static int recurse(int depth) {
  volatile char frame[256];
  frame[0] = (char)depth;
  return recurse(depth + 1) + frame[0];
}

/* Recursion through an indirect call, with nothing in linear memory: every level is a native frame. */
static int (*volatile next_level)(int);
static int deep(int n) {
  return n == 0 ? 0 : next_level(n - 1) + 1;
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
    int zero = argc - 2; /* 0, and the compiler cannot know it */
    sink = 100 / zero;
  } else if (strcmp(how, "shadow-stack-overflow") == 0) {
    sink = recurse(0);
  } else if (strcmp(how, "native-stack-overflow") == 0) {
    next_level = deep;
    sink = deep(1 << 30);
  } else if (strcmp(how, "exit") == 0) {
    exit(argc > 2 ? atoi(argv[2]) : 0);
  }
  printf("still here\n");
  return 0;
}
