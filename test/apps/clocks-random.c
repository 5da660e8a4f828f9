// WASI conformance: clock_res_get and clock_time_get for every clock id,
// random_get, sched_yield, and their libc faces (clock_gettime, time,
// getentropy).
#include <stdlib.h>
#include <time.h>
#include <sched.h>
#include <unistd.h>
#include "tap.h"

static const char* const CLOCK_NAMES[] = {"REALTIME", "MONOTONIC", "PROCESS_CPUTIME_ID", "THREAD_CPUTIME_ID"};

/** 2020-01-01T00:00:00Z in ns: any honest wall clock is past it. */
#define YEAR_2020_NS 1577836800000000000ull

static volatile uint64_t cpu_sink;

static void burn_some_cpu(void) {
  uint64_t sum = 0;
  for (uint32_t i = 0; i < 2000000; i++) sum += (uint64_t)i * i ^ (sum >> 3);
  cpu_sink = sum;
}

static void check_clock(__wasi_clockid_t id) {
  char name[96];
  __wasi_timestamp_t resolution = 0, first = 0, second = 0;
  snprintf(name, sizeof name, "clock_res_get %s", CLOCK_NAMES[id]);
  if (EXPECT_OK(name, __wasi_clock_res_get(id, &resolution))) {
    snprintf(name, sizeof name, "clock_res_get %s is between 1 ns and 1 s", CLOCK_NAMES[id]);
    CHECK(name, resolution >= 1 && resolution <= 1000000000ull, "resolution %llu ns", (unsigned long long)resolution);
  }
  snprintf(name, sizeof name, "clock_time_get %s", CLOCK_NAMES[id]);
  if (!EXPECT_OK(name, __wasi_clock_time_get(id, 1, &first))) return;
  burn_some_cpu();
  if (__wasi_clock_time_get(id, 1, &second) != __WASI_ERRNO_SUCCESS) second = 0;
  snprintf(name, sizeof name, "clock_time_get %s does not go backwards", CLOCK_NAMES[id]);
  CHECK(name, second >= first, "%llu then %llu", (unsigned long long)first, (unsigned long long)second);
  if (id == __WASI_CLOCKID_REALTIME) {
    CHECK("clock_time_get REALTIME is after 2020", first > YEAR_2020_NS, "%llu ns since the epoch", (unsigned long long)first);
  }
  if (id == __WASI_CLOCKID_MONOTONIC) {
    CHECK("clock_time_get MONOTONIC advances over work", second > first, "%llu then %llu", (unsigned long long)first,
          (unsigned long long)second);
  }
}

static void check_clocks(void) {
  for (__wasi_clockid_t id = 0; id < 4; id++) check_clock(id);
  __wasi_timestamp_t value;
  expect_errno("clock_res_get of an unknown clock id is INVAL", __wasi_clock_res_get(4, &value), __WASI_ERRNO_INVAL);
  expect_errno("clock_time_get of an unknown clock id is INVAL", __wasi_clock_time_get(99, 1, &value), __WASI_ERRNO_INVAL);

  // Precision is a hint: a huge one must still work.
  EXPECT_OK("clock_time_get MONOTONIC with precision UINT64_MAX", __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, UINT64_MAX, &value));

  // Realtime and monotonic seen through libc.
  struct timespec wall, mono1, mono2, resolution;
  CHECK("libc clock_gettime(CLOCK_REALTIME)", clock_gettime(CLOCK_REALTIME, &wall) == 0 && wall.tv_sec > 1577836800,
        "tv_sec %lld", (long long)wall.tv_sec);
  time_t now = time(NULL);
  CHECK("libc time() agrees with CLOCK_REALTIME", now >= wall.tv_sec && now - wall.tv_sec < 5, "time %lld, clock %lld",
        (long long)now, (long long)wall.tv_sec);
  int ok = clock_gettime(CLOCK_MONOTONIC, &mono1) == 0;
  burn_some_cpu();
  ok = ok && clock_gettime(CLOCK_MONOTONIC, &mono2) == 0;
  CHECK("libc clock_gettime(CLOCK_MONOTONIC) advances", ok && (mono2.tv_sec > mono1.tv_sec ||
        (mono2.tv_sec == mono1.tv_sec && mono2.tv_nsec > mono1.tv_nsec)), "did not advance");
  CHECK("libc clock_getres(CLOCK_MONOTONIC)", clock_getres(CLOCK_MONOTONIC, &resolution) == 0 &&
        (resolution.tv_sec > 0 || resolution.tv_nsec > 0), "no resolution");

  // A nanosleep of 20 ms takes at least 20 ms on the monotonic clock.
  __wasi_timestamp_t before = 0, after = 0;
  (void)__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &before);
  struct timespec nap = {0, 20 * 1000 * 1000};
  int slept = nanosleep(&nap, NULL);
  (void)__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &after);
  CHECK("libc nanosleep 20 ms lasts at least 20 ms", slept == 0 && after - before >= 20000000ull,
        "returned %d after %llu ns", slept, (unsigned long long)(after - before));
}

static int all_bytes_equal(const uint8_t* bytes, size_t length) {
  for (size_t i = 1; i < length; i++)
    if (bytes[i] != bytes[0]) return 0;
  return 1;
}

static void check_random(void) {
  uint8_t first[32], second[32];
  memset(first, 0, sizeof first);
  memset(second, 0, sizeof second);
  int ok = EXPECT_OK("random_get 32 bytes", __wasi_random_get(first, sizeof first));
  ok = EXPECT_OK("random_get 32 more bytes", __wasi_random_get(second, sizeof second)) && ok;
  if (ok) {
    CHECK("random_get two reads differ", memcmp(first, second, sizeof first) != 0, "both reads gave the same 32 bytes");
    CHECK("random_get is not constant within a read", !all_bytes_equal(first, sizeof first), "all 32 bytes equal %u", first[0]);
  }

  EXPECT_OK("random_get of 0 bytes", __wasi_random_get(first, 0));

  // Only the asked-for bytes are written.
  uint8_t guarded[18];
  memset(guarded, 0xee, sizeof guarded);
  int filled = EXPECT_OK("random_get 16 bytes into a guarded buffer", __wasi_random_get(guarded + 1, 16));
  CHECK("random_get writes exactly its length", filled && guarded[0] == 0xee && guarded[17] == 0xee,
        "a guard byte changed: %02x %02x", guarded[0], guarded[17]);

  // A big request: every byte value should turn up in 64 KiB.
  size_t big = 65536;
  uint8_t* bytes = malloc(big);
  if (EXPECT_OK("random_get 64 KiB", __wasi_random_get(bytes, big))) {
    int seen[256] = {0}, distinct = 0;
    for (size_t i = 0; i < big; i++) seen[bytes[i]] = 1;
    for (int i = 0; i < 256; i++) distinct += seen[i];
    CHECK("random_get 64 KiB covers all byte values", distinct == 256, "only %d distinct byte values", distinct);
  }
  free(bytes);

  expect_errno("random_get into an out-of-memory buffer is FAULT", __wasi_random_get((uint8_t*)0xffffff00u, 512),
               __WASI_ERRNO_FAULT);

  uint8_t entropy[32] = {0};
  CHECK("libc getentropy", getentropy(entropy, sizeof entropy) == 0 && !all_bytes_equal(entropy, sizeof entropy),
        "failed or constant");
  uint32_t a = arc4random(), b = arc4random(), c = arc4random();
  CHECK("libc arc4random varies", !(a == b && b == c), "three equal values %u", a);
}

int main(void) {
  tap_plan(40);
  check_clocks();
  check_random();
  EXPECT_OK("sched_yield", __wasi_sched_yield());
  CHECK("libc sched_yield", sched_yield() == 0, "returned non-zero");
  return tap_finish();
}
