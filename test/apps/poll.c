// WASI conformance: poll_oneoff with clock subscriptions (relative, absolute,
// already expired, several at once) and fd_read/fd_write subscriptions on a
// regular file (always ready) and stdout, plus libc poll()-free sleeps.
#include <fcntl.h>
#include <unistd.h>
#include "tap.h"

#define MS 1000000ull

static __wasi_timestamp_t monotonic_now(void) {
  __wasi_timestamp_t now = 0;
  (void)__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &now);
  return now;
}

static __wasi_subscription_t clock_subscription(__wasi_userdata_t userdata, __wasi_clockid_t clock,
                                                __wasi_timestamp_t timeout, __wasi_subclockflags_t flags) {
  __wasi_subscription_t subscription;
  memset(&subscription, 0, sizeof subscription);
  subscription.userdata = userdata;
  subscription.u.tag = __WASI_EVENTTYPE_CLOCK;
  subscription.u.u.clock.id = clock;
  subscription.u.u.clock.timeout = timeout;
  subscription.u.u.clock.precision = 0;
  subscription.u.u.clock.flags = flags;
  return subscription;
}

static __wasi_subscription_t fd_subscription(__wasi_userdata_t userdata, __wasi_eventtype_t type, __wasi_fd_t fd) {
  __wasi_subscription_t subscription;
  memset(&subscription, 0, sizeof subscription);
  subscription.userdata = userdata;
  subscription.u.tag = type;
  if (type == __WASI_EVENTTYPE_FD_READ) subscription.u.u.fd_read.file_descriptor = fd;
  else subscription.u.u.fd_write.file_descriptor = fd;
  return subscription;
}

static void check_relative_clock(void) {
  __wasi_subscription_t in = clock_subscription(0x1234, __WASI_CLOCKID_MONOTONIC, 30 * MS, 0);
  __wasi_event_t out[2];
  memset(out, 0xcc, sizeof out);
  __wasi_size_t events = 0;
  __wasi_timestamp_t start = monotonic_now();
  if (!EXPECT_OK("poll_oneoff relative 30 ms clock", __wasi_poll_oneoff(&in, out, 1, &events))) return;
  __wasi_timestamp_t elapsed = monotonic_now() - start;
  CHECK("poll_oneoff relative clock waits at least its timeout", elapsed >= 30 * MS, "returned after %llu ns",
        (unsigned long long)elapsed);
  CHECK("poll_oneoff relative clock does not oversleep by seconds", elapsed < 2000 * MS, "returned after %llu ns",
        (unsigned long long)elapsed);
  CHECK("poll_oneoff relative clock gives one event", events == 1, "%u events", (unsigned)events);
  CHECK("poll_oneoff clock event carries the userdata", out[0].userdata == 0x1234, "userdata %llx",
        (unsigned long long)out[0].userdata);
  CHECK("poll_oneoff clock event has type CLOCK and no error",
        out[0].type == __WASI_EVENTTYPE_CLOCK && out[0].error == __WASI_ERRNO_SUCCESS, "type %u error %s",
        (unsigned)out[0].type, errno_name(out[0].error));
}

static void check_absolute_clock(void) {
  if (skip_requested("poll_oneoff absolute monotonic deadlines", 5)) return;
  __wasi_timestamp_t deadline = monotonic_now() + 25 * MS;
  __wasi_subscription_t in = clock_subscription(7, __WASI_CLOCKID_MONOTONIC, deadline,
                                                __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
  __wasi_event_t out[1];
  __wasi_size_t events = 0;
  if (!EXPECT_OK("poll_oneoff absolute monotonic deadline", __wasi_poll_oneoff(&in, out, 1, &events))) return;
  __wasi_timestamp_t now = monotonic_now();
  CHECK("poll_oneoff absolute deadline is reached", now >= deadline, "woke %llu ns early",
        (unsigned long long)(deadline - now));
  CHECK("poll_oneoff absolute deadline gives its event", events == 1 && out[0].userdata == 7 &&
        out[0].type == __WASI_EVENTTYPE_CLOCK, "%u events, userdata %llu", (unsigned)events,
        (unsigned long long)out[0].userdata);

  // A deadline in the past (the epoch on the monotonic clock) fires at once.
  in = clock_subscription(8, __WASI_CLOCKID_MONOTONIC, 1, __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
  __wasi_timestamp_t start = monotonic_now();
  if (EXPECT_OK("poll_oneoff absolute deadline in the past", __wasi_poll_oneoff(&in, out, 1, &events))) {
    CHECK("poll_oneoff past deadline returns at once", monotonic_now() - start < 500 * MS && events == 1,
          "%u events after %llu ns", (unsigned)events, (unsigned long long)(monotonic_now() - start));
  }

}

static void check_absolute_realtime_clock(void) {
  // Absolute on the realtime clock: 20 ms from now.
  __wasi_event_t out[1];
  __wasi_size_t events = 0;
  __wasi_subscription_t in;
  __wasi_timestamp_t wall = 0;
  (void)__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &wall);
  in = clock_subscription(9, __WASI_CLOCKID_REALTIME, wall + 20 * MS, __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
  if (EXPECT_OK("poll_oneoff absolute realtime deadline", __wasi_poll_oneoff(&in, out, 1, &events))) {
    __wasi_timestamp_t after = 0;
    (void)__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &after);
    CHECK("poll_oneoff realtime deadline is reached", after >= wall + 20 * MS && events == 1, "%u events, %lld ns short",
          (unsigned)events, (long long)(wall + 20 * MS - after));
  }
}

static void check_several_clocks(void) {
  __wasi_subscription_t in[2] = {
      clock_subscription(1, __WASI_CLOCKID_MONOTONIC, 1000 * MS, 0),
      clock_subscription(2, __WASI_CLOCKID_MONOTONIC, 10 * MS, 0),
  };
  __wasi_event_t out[2];
  __wasi_size_t events = 0;
  __wasi_timestamp_t start = monotonic_now();
  if (!EXPECT_OK("poll_oneoff two clocks", __wasi_poll_oneoff(in, out, 2, &events))) return;
  __wasi_timestamp_t elapsed = monotonic_now() - start;
  CHECK("poll_oneoff two clocks wakes for the earlier one", elapsed < 900 * MS && elapsed >= 10 * MS,
        "returned after %llu ns", (unsigned long long)elapsed);
  CHECK("poll_oneoff two clocks reports only the expired one", events == 1 && out[0].userdata == 2,
        "%u events, first userdata %llu", (unsigned)events, (unsigned long long)out[0].userdata);

  // A zero timeout is a non-blocking check that fires at once.
  in[0] = clock_subscription(3, __WASI_CLOCKID_MONOTONIC, 0, 0);
  CHECK("poll_oneoff zero timeout fires at once",
        __wasi_poll_oneoff(in, out, 1, &events) == __WASI_ERRNO_SUCCESS && events == 1 && out[0].userdata == 3,
        "%u events", (unsigned)events);
}

static void check_fd_events(int sandbox) {
  __wasi_fd_t file;
  if (!EXPECT_OK("poll test file created",
                 __wasi_path_open(sandbox, 0, "poll.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                                  __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_POLL_FD_READWRITE |
                                      __WASI_RIGHTS_FD_SEEK,
                                  0, 0, &file)))
    return;
  __wasi_ciovec_t text = {(const uint8_t*)"0123456789", 10};
  __wasi_size_t written = 0;
  (void)__wasi_fd_write(file, &text, 1, &written);
  __wasi_filesize_t position;
  (void)__wasi_fd_seek(file, 0, __WASI_WHENCE_SET, &position);

  __wasi_subscription_t in[2] = {
      fd_subscription(11, __WASI_EVENTTYPE_FD_READ, file),
      clock_subscription(12, __WASI_CLOCKID_MONOTONIC, 5000 * MS, 0),
  };
  __wasi_event_t out[2];
  __wasi_size_t events = 0;
  __wasi_timestamp_t start = monotonic_now();
  if (EXPECT_OK("poll_oneoff fd_read on a regular file", __wasi_poll_oneoff(in, out, 2, &events))) {
    CHECK("poll_oneoff regular file is readable at once", monotonic_now() - start < 1000 * MS, "waited %llu ns",
          (unsigned long long)(monotonic_now() - start));
    CHECK("poll_oneoff fd_read event", events == 1 && out[0].userdata == 11 && out[0].type == __WASI_EVENTTYPE_FD_READ &&
          out[0].error == __WASI_ERRNO_SUCCESS, "%u events, userdata %llu type %u error %s", (unsigned)events,
          (unsigned long long)out[0].userdata, (unsigned)out[0].type, errno_name(out[0].error));
  }

  in[0] = fd_subscription(13, __WASI_EVENTTYPE_FD_WRITE, file);
  if (EXPECT_OK("poll_oneoff fd_write on a regular file", __wasi_poll_oneoff(in, out, 2, &events))) {
    CHECK("poll_oneoff fd_write event", events == 1 && out[0].userdata == 13 && out[0].type == __WASI_EVENTTYPE_FD_WRITE &&
          out[0].error == __WASI_ERRNO_SUCCESS, "%u events, userdata %llu type %u error %s", (unsigned)events,
          (unsigned long long)out[0].userdata, (unsigned)out[0].type, errno_name(out[0].error));
  }

  // Both at once: both fire.
  __wasi_subscription_t both[2] = {fd_subscription(14, __WASI_EVENTTYPE_FD_READ, file),
                                   fd_subscription(15, __WASI_EVENTTYPE_FD_WRITE, file)};
  if (EXPECT_OK("poll_oneoff fd_read and fd_write together", __wasi_poll_oneoff(both, out, 2, &events))) {
    CHECK("poll_oneoff both file events fire", events == 2 && out[0].userdata + out[1].userdata == 29,
          "%u events", (unsigned)events);
  }

  // stdout is writable.
  in[0] = fd_subscription(16, __WASI_EVENTTYPE_FD_WRITE, 1);
  if (EXPECT_OK("poll_oneoff fd_write on stdout", __wasi_poll_oneoff(in, out, 2, &events))) {
    CHECK("poll_oneoff stdout is writable", events >= 1 && out[0].userdata == 16 && out[0].error == __WASI_ERRNO_SUCCESS,
          "%u events, userdata %llu error %s", (unsigned)events, (unsigned long long)out[0].userdata,
          errno_name(out[0].error));
  }

  // A closed descriptor: the call succeeds and the event reports BADF.
  (void)__wasi_fd_close(file);
  in[0] = fd_subscription(17, __WASI_EVENTTYPE_FD_READ, file);
  in[1] = clock_subscription(12, __WASI_CLOCKID_MONOTONIC, 200 * MS, 0);
  __wasi_errno_t error = __wasi_poll_oneoff(in, out, 2, &events);
  CHECK("poll_oneoff on a closed fd reports BADF",
        (error == __WASI_ERRNO_SUCCESS && events >= 1 && out[0].userdata == 17 && out[0].error == __WASI_ERRNO_BADF) ||
            error == __WASI_ERRNO_BADF,
        "call %s, %u events, first userdata %llu error %s", errno_name(error), (unsigned)events,
        (unsigned long long)out[0].userdata, errno_name(out[0].error));
}

int main(void) {
  tap_plan(30);
  check_relative_clock();
  check_absolute_clock();
  check_absolute_realtime_clock();
  check_several_clocks();

  __wasi_event_t out[1];
  __wasi_size_t events = 99;
  expect_errno("poll_oneoff with no subscriptions is INVAL", __wasi_poll_oneoff(NULL, out, 0, &events), __WASI_ERRNO_INVAL);

  int sandbox = preopen_fd("/sandbox");
  if (sandbox < 0) fail("preopen /sandbox", "not found");
  else check_fd_events(sandbox);

  __wasi_timestamp_t start = monotonic_now();
  CHECK("libc usleep 15 ms", usleep(15000) == 0 && monotonic_now() - start >= 15 * MS, "slept %llu ns",
        (unsigned long long)(monotonic_now() - start));
  return tap_finish();
}
