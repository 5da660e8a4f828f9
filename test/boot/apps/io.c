/* Stdout, stderr, the environment and a file through a preopen, for the boot tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  printf("argc=%d", argc);
  for (int i = 1; i < argc; i++) printf(" [%s]", argv[i]);
  printf("\n");
  const char* greeting = getenv("GREETING");
  printf("GREETING=%s\n", greeting ? greeting : "(unset)");
  fprintf(stderr, "this goes to stderr\n");
  FILE* in = fopen("/data/input.txt", "r");
  if (!in) {
    perror("open /data/input.txt");
    return 2;
  }
  char line[128] = {0};
  if (!fgets(line, sizeof line, in)) return 3;
  fclose(in);
  printf("read: %s", line);
  FILE* out = fopen("/data/output.txt", "w");
  if (!out || fprintf(out, "written by the app\n") < 0 || fclose(out) != 0) {
    perror("write /data/output.txt");
    return 4;
  }
  in = fopen("/data/output.txt", "r");
  if (!in || !fgets(line, sizeof line, in)) return 5;
  printf("read back: %s", line);
  return 7;
}
