// WASI conformance: args_sizes_get/args_get and environ_sizes_get/environ_get.
//
// Run as `args-env <program> alpha "two words" x=y` with exactly the
// environment WISP_TEST=conformance, EMPTY= and ANSWER=42 (test/apps/programs.json).
// Checks the counts, the buffer sizes (every string plus its NUL), that the
// pointers land inside the caller's buffer in order, and that libc's view
// (argc/argv, getenv) agrees.
#include <stdlib.h>
#include "tap.h"

static const char* const EXPECTED_ARGS[] = {"alpha", "two words", "x=y"};
static const char* const EXPECTED_ENV[] = {"WISP_TEST=conformance", "EMPTY=", "ANSWER=42"};
#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/** Checks one string list fetched through sizes_get + get; `skip_first` skips argv[0]. */
static void check_list(const char* what, __wasi_errno_t (*sizes)(__wasi_size_t*, __wasi_size_t*),
                       __wasi_errno_t (*get)(uint8_t**, uint8_t*), const char* const* expected,
                       size_t expected_count, int skip_first) {
  char name[96];
  __wasi_size_t count = 0, buffer_size = 0;
  snprintf(name, sizeof name, "%s_sizes_get", what);
  if (!EXPECT_OK(name, sizes(&count, &buffer_size))) return;
  snprintf(name, sizeof name, "%s count", what);
  size_t want_count = expected_count + (skip_first ? 1 : 0);
  CHECK(name, count == want_count, "count %u, want %zu", (unsigned)count, want_count);

  // Poison guards around both arrays show writes outside them.
  uint8_t* pointers_block = malloc((count + 2) * sizeof(uint8_t*));
  uint8_t* buffer_block = malloc(buffer_size + 2);
  uint8_t** pointers = (uint8_t**)pointers_block + 1;
  uint8_t* buffer = buffer_block + 1;
  ((uint8_t**)pointers_block)[0] = (uint8_t*)0x5a5a5a5a;
  pointers[count] = (uint8_t*)0x5a5a5a5a;
  buffer_block[0] = 0xa5;
  buffer[buffer_size] = 0xa5;
  snprintf(name, sizeof name, "%s_get", what);
  if (!EXPECT_OK(name, get(pointers, buffer))) return;

  snprintf(name, sizeof name, "%s_get stays inside its buffers", what);
  CHECK(name, ((uint8_t**)pointers_block)[0] == (uint8_t*)0x5a5a5a5a && pointers[count] == (uint8_t*)0x5a5a5a5a &&
                  buffer_block[0] == 0xa5 && buffer[buffer_size] == 0xa5,
        "a guard byte or pointer next to the buffers changed");

  size_t total = 0;
  int inside = 1, ordered = 1;
  for (__wasi_size_t i = 0; i < count; i++) {
    if (pointers[i] < buffer || pointers[i] >= buffer + buffer_size) {
      inside = 0;
      break;
    }
    if (i > 0 && pointers[i] != pointers[i - 1] + strlen((char*)pointers[i - 1]) + 1) ordered = 0;
    total += strlen((char*)pointers[i]) + 1;
  }
  snprintf(name, sizeof name, "%s pointers point into the buffer", what);
  CHECK(name, inside, "a pointer lies outside [buffer, buffer + %u)", (unsigned)buffer_size);
  if (!inside) return;
  snprintf(name, sizeof name, "%s strings are packed in order", what);
  CHECK(name, ordered && pointers[0] == buffer, "strings are not consecutive from the buffer's start");
  snprintf(name, sizeof name, "%s buffer size is the strings plus NULs", what);
  CHECK(name, total == buffer_size, "strings take %zu bytes, sizes_get said %u", total, (unsigned)buffer_size);

  for (size_t i = 0; i < expected_count && i + (skip_first ? 1 : 0) < count; i++) {
    const char* got = (const char*)pointers[i + (skip_first ? 1 : 0)];
    snprintf(name, sizeof name, "%s[%zu] is \"%s\"", what, i + (skip_first ? 1 : 0), expected[i]);
    CHECK(name, strcmp(got, expected[i]) == 0, "got \"%s\"", got);
  }
  free(pointers_block);
  free(buffer_block);
}

static __wasi_errno_t args_sizes(__wasi_size_t* count, __wasi_size_t* size) { return __wasi_args_sizes_get(count, size); }
static __wasi_errno_t args_values(uint8_t** pointers, uint8_t* buffer) { return __wasi_args_get(pointers, buffer); }
static __wasi_errno_t environ_sizes(__wasi_size_t* count, __wasi_size_t* size) { return __wasi_environ_sizes_get(count, size); }
static __wasi_errno_t environ_values(uint8_t** pointers, uint8_t* buffer) { return __wasi_environ_get(pointers, buffer); }

int main(int argc, char** argv) {
  tap_plan(29);
  check_list("args", args_sizes, args_values, EXPECTED_ARGS, COUNT(EXPECTED_ARGS), 1);
  check_list("environ", environ_sizes, environ_values, EXPECTED_ENV, COUNT(EXPECTED_ENV), 0);

  CHECK("libc argc", argc == (int)COUNT(EXPECTED_ARGS) + 1, "argc %d", argc);
  CHECK("libc argv[0] is a string", argc > 0 && argv[0] != NULL, "argv[0] missing");
  int same = argc == (int)COUNT(EXPECTED_ARGS) + 1;
  for (int i = 1; same && i < argc; i++) same = strcmp(argv[i], EXPECTED_ARGS[i - 1]) == 0;
  CHECK("libc argv matches", same, "argv differs from the expected arguments");
  CHECK("libc argv[argc] is NULL", argv[argc] == NULL, "argv not NULL-terminated");

  const char* value = getenv("WISP_TEST");
  CHECK("getenv WISP_TEST", value && strcmp(value, "conformance") == 0, "got %s", value ? value : "(unset)");
  value = getenv("EMPTY");
  CHECK("getenv EMPTY is set and empty", value && value[0] == 0, "got %s", value ? value : "(unset)");
  value = getenv("ANSWER");
  CHECK("getenv ANSWER", value && strcmp(value, "42") == 0, "got %s", value ? value : "(unset)");
  CHECK("getenv of an unset name", getenv("WISP_NOT_SET") == NULL, "an unset variable has a value");

  // A pointer past the end of linear memory must be refused, not written through.
  __wasi_size_t count = 0;
  __wasi_errno_t error = __wasi_args_sizes_get(&count, (__wasi_size_t*)0xfffffff0u);
  CHECK("args_sizes_get with an out-of-memory pointer fails with FAULT", error == __WASI_ERRNO_FAULT,
        "got %s", errno_name(error));
  return tap_finish();
}
