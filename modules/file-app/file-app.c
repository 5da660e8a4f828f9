// file-app: reads every *.txt file in /data (read-only, from the image),
// counts lines, words and bytes of each, writes a summary to
// /tmp/summary.txt (RAMFS), then reads the summary back and prints it.
// Exits non-zero if /data has no text files or a step fails.
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILES 64

struct counts {
  char name[128];
  long lines, words, bytes;
};

static int compare_names(const void* a, const void* b) {
  return strcmp(((const struct counts*)a)->name, ((const struct counts*)b)->name);
}

static int ends_with(const char* text, const char* suffix) {
  size_t length = strlen(text), suffix_length = strlen(suffix);
  return length >= suffix_length && strcmp(text + length - suffix_length, suffix) == 0;
}

static int count_file(const char* path, struct counts* counts) {
  FILE* file = fopen(path, "r");
  if (!file) return -1;
  int in_word = 0, c;
  while ((c = fgetc(file)) != EOF) {
    counts->bytes++;
    if (c == '\n') counts->lines++;
    if (isspace(c)) in_word = 0;
    else if (!in_word) {
      in_word = 1;
      counts->words++;
    }
  }
  fclose(file);
  return 0;
}

int main(void) {
  DIR* dir = opendir("/data");
  if (!dir) {
    fprintf(stderr, "file-app: cannot open /data: %s\n", strerror(errno));
    return 1;
  }
  struct counts files[MAX_FILES];
  int count = 0;
  struct dirent* entry;
  while ((entry = readdir(dir)) != NULL && count < MAX_FILES) {
    if (!ends_with(entry->d_name, ".txt")) continue;
    memset(&files[count], 0, sizeof files[count]);
    snprintf(files[count].name, sizeof files[count].name, "%s", entry->d_name);
    count++;
  }
  closedir(dir);
  if (count == 0) {
    fprintf(stderr, "file-app: no .txt files in /data\n");
    return 1;
  }
  qsort(files, (size_t)count, sizeof files[0], compare_names);

  FILE* summary = fopen("/tmp/summary.txt", "w");
  if (!summary) {
    fprintf(stderr, "file-app: cannot create /tmp/summary.txt: %s\n", strerror(errno));
    return 1;
  }
  long lines = 0, words = 0, bytes = 0;
  fprintf(summary, "%-24s %6s %6s %6s\n", "file", "lines", "words", "bytes");
  for (int i = 0; i < count; i++) {
    char path[160];
    snprintf(path, sizeof path, "/data/%s", files[i].name);
    if (count_file(path, &files[i]) != 0) {
      fprintf(stderr, "file-app: cannot read %s: %s\n", path, strerror(errno));
      return 1;
    }
    fprintf(summary, "%-24s %6ld %6ld %6ld\n", files[i].name, files[i].lines, files[i].words, files[i].bytes);
    lines += files[i].lines;
    words += files[i].words;
    bytes += files[i].bytes;
  }
  fprintf(summary, "%-24s %6ld %6ld %6ld\n", "total", lines, words, bytes);
  if (fclose(summary) != 0) {
    fprintf(stderr, "file-app: writing /tmp/summary.txt failed: %s\n", strerror(errno));
    return 1;
  }

  FILE* back = fopen("/tmp/summary.txt", "r");
  if (!back) {
    fprintf(stderr, "file-app: cannot reopen /tmp/summary.txt: %s\n", strerror(errno));
    return 1;
  }
  printf("/tmp/summary.txt:\n");
  char line[256];
  while (fgets(line, sizeof line, back)) fputs(line, stdout);
  fclose(back);
  return 0;
}
