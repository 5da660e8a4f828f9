// hello-c: the smallest Wisp app. Greets, then lists its arguments and the
// GREETING_NAME environment variable, through wasi-libc's stdio.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  printf("Hello from Wisp!\n");
  printf("%d argument%s\n", argc, argc == 1 ? "" : "s");
  for (int i = 0; i < argc; i++) printf("  argv[%d] = %s\n", i, argv[i]);
  const char* name = getenv("GREETING_NAME");
  if (name) printf("Nice to meet you, %s.\n", name);
  return 0;
}
