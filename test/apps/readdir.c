// WASI conformance: fd_readdir over the fixture directory /fixtures/dir
// (alpha.txt, beta.txt, gamma.txt, a long name, sub/) and over sandbox
// directories: entry names, types and lengths, resuming from every cookie,
// buffers too small for one entry (bufused == buf_len, entry truncated), a
// walk with a small buffer the way libc does it, an empty directory, and
// libc opendir/readdir/rewinddir/seekdir.
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "tap.h"

#define HEADER sizeof(__wasi_dirent_t)
#define MAX_ENTRIES 16

struct entry {
  char name[80];
  __wasi_filetype_t type;
  __wasi_dircookie_t next;
};

static const char* const EXPECTED[] = {"a-rather-long-file-name-to-outgrow-small-buffers.txt", "alpha.txt", "beta.txt",
                                       "gamma.txt", "sub"};
#define EXPECTED_COUNT 5

/** Parses whole entries out of a readdir buffer; returns how many, and sets *truncated. */
static int parse(const uint8_t* buffer, size_t used, struct entry* entries, int max, int* truncated) {
  size_t offset = 0;
  int count = 0;
  *truncated = 0;
  while (offset < used) {
    if (used - offset < HEADER) {
      *truncated = 1;
      break;
    }
    __wasi_dirent_t dirent;
    memcpy(&dirent, buffer + offset, HEADER);
    if (used - offset - HEADER < dirent.d_namlen) {
      *truncated = 1;
      break;
    }
    if (count < max) {
      size_t length = dirent.d_namlen < sizeof entries[count].name - 1 ? dirent.d_namlen : sizeof entries[count].name - 1;
      memcpy(entries[count].name, buffer + offset + HEADER, length);
      entries[count].name[length] = 0;
      entries[count].type = dirent.d_type;
      entries[count].next = dirent.d_next;
      count++;
    }
    offset += HEADER + dirent.d_namlen;
  }
  return count;
}

static int is_dot(const char* name) { return strcmp(name, ".") == 0 || strcmp(name, "..") == 0; }

/** Removes "." and ".." (the spec lets an implementation list them or not). */
static int without_dots(struct entry* entries, int count) {
  int kept = 0;
  for (int i = 0; i < count; i++)
    if (!is_dot(entries[i].name)) entries[kept++] = entries[i];
  return kept;
}

static int compare_entries(const void* a, const void* b) {
  return strcmp(((const struct entry*)a)->name, ((const struct entry*)b)->name);
}

static int names_match(struct entry* entries, int count, char* detail, size_t detail_size) {
  struct entry sorted[MAX_ENTRIES];
  memcpy(sorted, entries, sizeof(struct entry) * (size_t)count);
  qsort(sorted, (size_t)count, sizeof(struct entry), compare_entries);
  detail[0] = 0;
  for (int i = 0; i < count; i++) {
    strncat(detail, sorted[i].name, detail_size - strlen(detail) - 2);
    strncat(detail, " ", detail_size - strlen(detail) - 1);
  }
  if (count != EXPECTED_COUNT) return 0;
  for (int i = 0; i < count; i++)
    if (strcmp(sorted[i].name, EXPECTED[i]) != 0) return 0;
  return 1;
}

static void check_fixture_directory(int fixtures) {
  __wasi_fd_t dir;
  if (!EXPECT_OK("path_open /fixtures/dir for readdir",
                 __wasi_path_open(fixtures, 0, "dir", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR, 0, 0, &dir)))
    return;
  uint8_t buffer[4096];
  __wasi_size_t used = 0;
  if (!EXPECT_OK("fd_readdir with a big buffer", __wasi_fd_readdir(dir, buffer, sizeof buffer, 0, &used))) return;
  CHECK("fd_readdir with a big buffer is not full", used < sizeof buffer, "bufused %u", (unsigned)used);
  struct entry all[MAX_ENTRIES];
  int truncated;
  int raw = parse(buffer, used, all, MAX_ENTRIES, &truncated);
  // The listing as the implementation gives it, "." and ".." included if it lists them (the spec allows both).
  struct entry listed[MAX_ENTRIES];
  memcpy(listed, all, sizeof(struct entry) * (size_t)(raw < MAX_ENTRIES ? raw : MAX_ENTRIES));
  CHECK("fd_readdir entries are whole when they fit", !truncated, "a partial entry at the end");
  int count = without_dots(all, raw);
  char detail[512];
  CHECK("fd_readdir lists exactly the fixture entries", names_match(all, count, detail, sizeof detail), "got %s", detail);

  int types_right = 1;
  for (int i = 0; i < count; i++) {
    __wasi_filetype_t want = strcmp(all[i].name, "sub") == 0 ? __WASI_FILETYPE_DIRECTORY : __WASI_FILETYPE_REGULAR_FILE;
    if (all[i].type != want) {
      types_right = 0;
      fail("fd_readdir d_type of each entry", "%s has type %u, want %u", all[i].name, all[i].type, want);
    }
  }
  if (types_right) pass("fd_readdir d_type of each entry");

  // Resuming from each entry's d_next gives exactly the entries after it.
  int resumes_right = 1;
  for (int i = 0; i < raw; i++) {
    __wasi_size_t rest_used = 0;
    uint8_t rest[4096];
    if (__wasi_fd_readdir(dir, rest, sizeof rest, listed[i].next, &rest_used) != __WASI_ERRNO_SUCCESS) {
      resumes_right = 0;
      break;
    }
    struct entry after[MAX_ENTRIES];
    int rest_truncated;
    int rest_count = parse(rest, rest_used, after, MAX_ENTRIES, &rest_truncated);
    int expected = raw - i - 1;
    if (rest_count != expected) {
      resumes_right = 0;
      fail("fd_readdir resumes from every cookie", "after entry %d (%s, cookie %llu): %d entries, want %d", i, listed[i].name,
           (unsigned long long)listed[i].next, rest_count, expected);
      break;
    }
    for (int j = 0; j < rest_count; j++) {
      if (strcmp(after[j].name, listed[i + 1 + j].name) != 0) resumes_right = 0;
    }
  }
  if (resumes_right) pass("fd_readdir resumes from every cookie");
  // Reading from the last cookie gives nothing.
  __wasi_size_t end_used = 99;
  if (raw > 0 && EXPECT_OK("fd_readdir from the last cookie", __wasi_fd_readdir(dir, buffer, sizeof buffer, listed[raw - 1].next, &end_used)))
    CHECK("fd_readdir from the last cookie is empty", end_used == 0, "bufused %u", (unsigned)end_used);

  // Smaller than a header: the buffer is filled (bufused == buf_len).
  uint8_t tiny[10];
  __wasi_size_t tiny_used = 0;
  if (EXPECT_OK("fd_readdir into 10 bytes", __wasi_fd_readdir(dir, tiny, sizeof tiny, 0, &tiny_used)))
    CHECK("fd_readdir into 10 bytes fills them", tiny_used == sizeof tiny, "bufused %u", (unsigned)tiny_used);
  // A header but not the whole name.
  uint8_t partial[HEADER + 2];
  __wasi_size_t partial_used = 0;
  if (EXPECT_OK("fd_readdir into a header and 2 bytes", __wasi_fd_readdir(dir, partial, sizeof partial, 0, &partial_used))) {
    CHECK("fd_readdir with a short buffer fills it", partial_used == sizeof partial, "bufused %u", (unsigned)partial_used);
    __wasi_dirent_t first;
    memcpy(&first, partial, HEADER);
    CHECK("fd_readdir truncated entry keeps its real d_namlen", first.d_namlen == strlen(listed[0].name) && first.d_next == listed[0].next,
          "d_namlen %u, want %zu", (unsigned)first.d_namlen, strlen(listed[0].name));
  }

  // The walk libc does: a small buffer, resuming after the last whole entry.
  struct entry walked[MAX_ENTRIES];
  int walked_count = 0;
  __wasi_dircookie_t cookie = 0;
  int rounds = 0, walk_ok = 1;
  uint8_t small[HEADER + 60];
  for (; rounds < 64; rounds++) {
    __wasi_size_t small_used = 0;
    if (__wasi_fd_readdir(dir, small, sizeof small, cookie, &small_used) != __WASI_ERRNO_SUCCESS) {
      walk_ok = 0;
      break;
    }
    struct entry got[MAX_ENTRIES];
    int small_truncated;
    int got_count = parse(small, small_used, got, MAX_ENTRIES, &small_truncated);
    if (got_count == 0) {
      if (small_used == sizeof small) walk_ok = 0;  // an entry that never fits: not in this fixture
      break;
    }
    for (int i = 0; i < got_count && walked_count < MAX_ENTRIES; i++) walked[walked_count++] = got[i];
    cookie = got[got_count - 1].next;
    if (small_used < sizeof small) break;
  }
  walked_count = without_dots(walked, walked_count);
  CHECK("fd_readdir walk with a small buffer sees every entry once",
        walk_ok && names_match(walked, walked_count, detail, sizeof detail), "got %s", detail);
  CHECK("fd_readdir walk took several calls", rounds >= 2, "%d calls", rounds + 1);
  (void)__wasi_fd_close(dir);

  // readdir needs a directory.
  __wasi_fd_t file;
  if (__wasi_path_open(fixtures, 0, "hello.txt", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR, 0, 0, &file) ==
      __WASI_ERRNO_SUCCESS) {
    expect_either("fd_readdir on a file is NOTDIR (or NOTCAPABLE: FD_READDIR is not a file right)",
                  __wasi_fd_readdir(file, buffer, sizeof buffer, 0, &used), __WASI_ERRNO_NOTDIR, __WASI_ERRNO_NOTCAPABLE);
    (void)__wasi_fd_close(file);
  }
  expect_errno("fd_readdir on an unused fd is BADF", __wasi_fd_readdir(999, buffer, sizeof buffer, 0, &used), __WASI_ERRNO_BADF);
}

static void check_sandbox_directories(int sandbox) {
  if (!EXPECT_OK("path_create_directory empty", __wasi_path_create_directory(sandbox, "empty"))) return;
  __wasi_fd_t dir;
  uint8_t buffer[1024];
  __wasi_size_t used = 0;
  if (EXPECT_OK("path_open an empty directory",
                __wasi_path_open(sandbox, 0, "empty", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR, 0, 0, &dir))) {
    if (EXPECT_OK("fd_readdir an empty directory", __wasi_fd_readdir(dir, buffer, sizeof buffer, 0, &used))) {
      struct entry entries[MAX_ENTRIES];
      int truncated;
      int count = without_dots(entries, parse(buffer, used, entries, MAX_ENTRIES, &truncated));
      CHECK("an empty directory lists nothing but . and ..", count == 0 && !truncated, "%d entries", count);
    }
    (void)__wasi_fd_close(dir);
  }

  // Entries appear and disappear with the directory's contents.
  (void)__wasi_path_create_directory(sandbox, "busy");
  const char* names[] = {"busy/one", "busy/two", "busy/three"};
  for (int i = 0; i < 3; i++) {
    __wasi_fd_t file;
    if (__wasi_path_open(sandbox, 0, names[i], __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0, 0, &file) == 0)
      (void)__wasi_fd_close(file);
  }
  (void)__wasi_path_unlink_file(sandbox, "busy/two");
  if (EXPECT_OK("path_open a changed directory",
                __wasi_path_open(sandbox, 0, "busy", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR, 0, 0, &dir))) {
    (void)__wasi_fd_readdir(dir, buffer, sizeof buffer, 0, &used);
    struct entry entries[MAX_ENTRIES];
    int truncated;
    int count = without_dots(entries, parse(buffer, used, entries, MAX_ENTRIES, &truncated));
    qsort(entries, (size_t)count, sizeof(struct entry), compare_entries);
    CHECK("fd_readdir sees created files and not removed ones",
          count == 2 && strcmp(entries[0].name, "one") == 0 && strcmp(entries[1].name, "three") == 0, "%d entries", count);
    (void)__wasi_fd_close(dir);
  }
}

static void check_libc(void) {
  DIR* dir = opendir("/fixtures/dir");
  CHECK("libc opendir", dir != NULL, "failed");
  if (!dir) return;
  struct entry entries[MAX_ENTRIES];
  int count = 0;
  struct dirent* dirent;
  while ((dirent = readdir(dir)) != NULL && count < MAX_ENTRIES) {
    if (is_dot(dirent->d_name)) continue;
    snprintf(entries[count].name, sizeof entries[count].name, "%s", dirent->d_name);
    entries[count].type = dirent->d_type;
    count++;
  }
  char detail[512];
  CHECK("libc readdir lists the fixture entries", names_match(entries, count, detail, sizeof detail), "got %s", detail);
  rewinddir(dir);
  int again = 0;
  while ((dirent = readdir(dir)) != NULL)
    if (!is_dot(dirent->d_name)) again++;
  CHECK("libc rewinddir lists them again", again == EXPECTED_COUNT, "%d entries", again);
  CHECK("libc closedir", closedir(dir) == 0, "failed");
  CHECK("libc opendir on a file fails", opendir("/fixtures/hello.txt") == NULL, "it opened");
}

int main(void) {
  tap_plan(29);
  int fixtures = preopen_fd("/fixtures");
  int sandbox = preopen_fd("/sandbox");
  if (fixtures < 0) fail("preopen /fixtures", "not found");
  else check_fixture_directory(fixtures);
  if (sandbox < 0) fail("preopen /sandbox", "not found");
  else check_sandbox_directories(sandbox);
  check_libc();
  return tap_finish();
}
