// Guards loader/wasi/clock.ts, poll.ts, process.ts, random.ts, sockets.ts
// and setup.ts: clocks and their resolution, poll_oneoff with clock
// subscriptions (relative and absolute, the earliest first) and
// descriptor ones (ready at once), proc_exit (leaveApp with LEFT_BY_EXIT,
// the status kept), proc_raise, sched_yield, random_get, the sockets,
// configureWasi refusing a missing preopen, and memory coming back after
// a session of calls.

import { afterEach, describe, expect, it } from "vitest";
import { WasiHarness, E, RESULT, DATA, OUTSIDE, APP_BYTES, SANDBOX, OFLAGS } from "./client";
import { LeftApp, Stuck } from "../fake-arch";

const harness = await WasiHarness.create();
const h = harness;

afterEach(() => h.tearDown());

const CLOCK = { realtime: 0, monotonic: 1, process: 2, thread: 3 } as const;
const SUBSCRIPTIONS = 0x6000;
const EVENTS = 0x8000;

function clockSubscription(index: number, userdata: bigint, clock: number, timeout: bigint, absolute = false): void {
  const at = SUBSCRIPTIONS + index * 48;
  h.app.fill(0, at, at + 48);
  h.setU64(at, userdata);
  h.view().setUint8(at + 8, 0);
  h.setU32(at + 16, clock);
  h.setU64(at + 24, timeout);
  h.setU64(at + 32, 0n);
  h.view().setUint16(at + 40, absolute ? 1 : 0, true);
}

function fdSubscription(index: number, userdata: bigint, type: 1 | 2, fd: number): void {
  const at = SUBSCRIPTIONS + index * 48;
  h.app.fill(0, at, at + 48);
  h.setU64(at, userdata);
  h.view().setUint8(at + 8, type);
  h.setU32(at + 16, fd);
}

function events(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const at = EVENTS + i * 32;
    return { userdata: h.u64(at), error: h.u16(at + 8), type: h.u8(at + 10), bytes: h.u64(at + 16), flags: h.u16(at + 24) };
  });
}

function time(clock: number): bigint {
  expect(h.call("clock_time_get", clock, 0n, RESULT + 64)).toBe(E.SUCCESS);
  return h.u64(RESULT + 64);
}

describe("clocks", () => {
  it("reads every clock; monotonic never goes back; realtime is the RTC's", () => {
    h.setUp();
    const a = time(CLOCK.monotonic);
    const b = time(CLOCK.monotonic);
    expect(b).toBeGreaterThan(a);
    expect(time(CLOCK.process)).toBeGreaterThan(b);
    expect(time(CLOCK.thread)).toBeGreaterThan(b);
    const fakeRtc = 1_795_437_296n * 1_000_000_000n; // the fake CMOS clock: 2026-11-23 12:34:56
    const wall = time(CLOCK.realtime);
    expect(wall).toBeGreaterThanOrEqual(fakeRtc);
    expect(wall).toBeLessThan(fakeRtc + 1_000_000_000n);
    expect(h.call("clock_time_get", 4, 0n, RESULT)).toBe(E.INVAL);
    expect(h.call("clock_time_get", CLOCK.monotonic, 0n, OUTSIDE)).toBe(E.FAULT);
  });

  it("reports the counter's period as the resolution", () => {
    h.setUp();
    for (const clock of Object.values(CLOCK)) {
      expect(h.call("clock_res_get", clock, RESULT)).toBe(E.SUCCESS);
      expect(h.u64(RESULT)).toBe(1n); // the fake counter runs at 1 GHz
    }
    expect(h.call("clock_res_get", 9, RESULT)).toBe(E.INVAL);
    expect(h.call("clock_res_get", 0, APP_BYTES - 4)).toBe(E.FAULT);
  });
});

describe("poll_oneoff", () => {
  it("sleeps until a relative clock deadline and reports it", () => {
    h.setUp();
    clockSubscription(0, 0x1234n, CLOCK.monotonic, 2_000_000n);
    const start = time(CLOCK.monotonic);
    expect(h.call("poll_oneoff", SUBSCRIPTIONS, EVENTS, 1, RESULT)).toBe(E.SUCCESS);
    expect(time(CLOCK.monotonic) - start).toBeGreaterThanOrEqual(2_000_000n);
    expect(h.u32(RESULT)).toBe(1);
    expect(events(1)).toEqual([{ userdata: 0x1234n, error: 0, type: 0, bytes: 0n, flags: 0 }]);
  });

  it("a relative timeout that overflows the clock sleeps (near) forever instead of returning at once", () => {
    for (const timeout of [0xffff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n]) {
      h.setUp();
      clockSubscription(0, 7n, CLOCK.monotonic, timeout);
      // The fake clock's budget of timestamp() calls runs out long before 73 years pass.
      expect(() => h.call("poll_oneoff", SUBSCRIPTIONS, EVENTS, 1, RESULT)).toThrow(Stuck);
      expect(h.fake.timestampCalls).toBeGreaterThan(h.fake.timestampBudget);
      h.fake.timestampCalls = 0;                        // a fresh budget for what follows
      h.tearDown();
    }
  });

  it("wakes at the earliest of several clocks and reports only those due", () => {
    h.setUp();
    clockSubscription(0, 1n, CLOCK.monotonic, 50_000_000n);
    clockSubscription(1, 2n, CLOCK.monotonic, 1_000_000n);
    const now = time(CLOCK.monotonic);
    clockSubscription(2, 3n, CLOCK.monotonic, now + 500_000n, true); // absolute: the earliest
    expect(h.call("poll_oneoff", SUBSCRIPTIONS, EVENTS, 3, RESULT)).toBe(E.SUCCESS);
    const waited = time(CLOCK.monotonic) - now;
    expect(waited).toBeGreaterThanOrEqual(500_000n);
    expect(waited).toBeLessThan(1_000_000n);
    expect(events(h.u32(RESULT)).map((e) => e.userdata)).toEqual([3n]);
    clockSubscription(3, 4n, CLOCK.realtime, time(CLOCK.realtime) - 1n, true); // already past, as 3 is now
    const calls = h.fake.timestampCalls;
    expect(h.call("poll_oneoff", SUBSCRIPTIONS, EVENTS, 4, RESULT)).toBe(E.SUCCESS);
    expect(h.fake.timestampCalls - calls, "no waiting").toBeLessThan(100);
    expect(events(h.u32(RESULT)).map((e) => e.userdata)).toEqual([3n, 4n]);
  });

  it("answers descriptor subscriptions at once, with per-subscription errors", () => {
    h.setUp();
    const fd = h.open("f", { oflags: OFLAGS.creat });
    expect(h.write(fd, "12345")).toBe(5);
    expect(h.call("fd_seek", fd, 1n, 0, RESULT)).toBe(E.SUCCESS);
    clockSubscription(0, 1n, CLOCK.monotonic, 10_000_000_000n); // ten seconds: never waited for
    fdSubscription(1, 2n, 1, fd);
    fdSubscription(2, 3n, 2, 1);
    fdSubscription(3, 4n, 1, 0);
    fdSubscription(4, 5n, 1, 99);
    clockSubscription(5, 6n, 17, 0n);
    const calls = h.fake.timestampCalls;
    expect(h.call("poll_oneoff", SUBSCRIPTIONS, EVENTS, 6, RESULT)).toBe(E.SUCCESS);
    expect(h.fake.timestampCalls - calls).toBeLessThan(100);
    expect(events(h.u32(RESULT))).toEqual([
      { userdata: 2n, error: 0, type: 1, bytes: 4n, flags: 0 },
      { userdata: 3n, error: 0, type: 2, bytes: 0n, flags: 0 },
      { userdata: 4n, error: 0, type: 1, bytes: 0n, flags: 1 }, // stdin: at its end
      { userdata: 5n, error: E.BADF, type: 1, bytes: 0n, flags: 0 },
      { userdata: 6n, error: E.INVAL, type: 0, bytes: 0n, flags: 0 },
    ]);
  });

  it("refuses no subscriptions and ranges outside app memory", () => {
    h.setUp();
    expect(h.call("poll_oneoff", SUBSCRIPTIONS, EVENTS, 0, RESULT)).toBe(E.INVAL);
    expect(h.call("poll_oneoff", APP_BYTES - 40, EVENTS, 1, RESULT)).toBe(E.FAULT);
    expect(h.call("poll_oneoff", SUBSCRIPTIONS, APP_BYTES - 16, 1, RESULT)).toBe(E.FAULT);
    expect(h.call("poll_oneoff", SUBSCRIPTIONS, EVENTS, 0x1000_0000, RESULT)).toBe(E.FAULT);
  });
});

describe("process, randomness, sockets", () => {
  it("proc_exit keeps the status and leaves the app with LEFT_BY_EXIT (1)", () => {
    h.setUp();
    let left: unknown = null;
    try {
      h.call("proc_exit", 42);
    } catch (error) {
      left = error;
    }
    expect(left).toBeInstanceOf(LeftApp);
    expect((left as LeftApp).reason).toBe(1);
    expect(h.e.wasiExitStatus()).toBe(42);
    h.e.wasiReset();
    expect(h.e.wasiExitStatus()).toBe(0);
  });

  it("proc_raise is NOSYS, sched_yield succeeds", () => {
    h.setUp();
    expect(h.call("proc_raise", 6)).toBe(E.NOSYS);
    expect(h.call("sched_yield")).toBe(E.SUCCESS);
  });

  it("random_get fills the buffer, differently each time", () => {
    h.setUp();
    h.app.fill(0, DATA, DATA + 100);
    expect(h.call("random_get", DATA, 32)).toBe(E.SUCCESS);
    const first = h.bytes(DATA, 32);
    expect(h.call("random_get", DATA, 32)).toBe(E.SUCCESS);
    expect(Buffer.from(h.bytes(DATA, 32)).equals(Buffer.from(first))).toBe(false);
    expect(new Set(first).size).toBeGreaterThan(8);
    expect(h.u8(DATA + 32)).toBe(0);
    expect(h.call("random_get", DATA, 40_000)).toBe(E.SUCCESS);
    expect(h.call("random_get", APP_BYTES - 4, 8)).toBe(E.FAULT);
  });

  it("socket calls on a descriptor that is not a socket are NOTSOCK, BADF on a closed one", () => {
    h.setUp();
    for (const fd of [0, 1, SANDBOX]) {
      expect(h.call("sock_accept", fd, 0, RESULT)).toBe(E.NOTSOCK);
      expect(h.call("sock_recv", fd, 0, 0, 0, RESULT, RESULT + 4)).toBe(E.NOTSOCK);
      expect(h.call("sock_send", fd, 0, 0, 0, RESULT)).toBe(E.NOTSOCK);
      expect(h.call("sock_shutdown", fd, 0)).toBe(E.NOTSOCK);
    }
    expect(h.call("sock_shutdown", 50, 0)).toBe(E.BADF);
  });
});

describe("set-up and memory", () => {
  it("configureWasi refuses a preopen that does not exist", () => {
    h.setUp();
    h.e.wasiReset();
    h.e.wasiAddPreopen(h.s("/x"), h.s("/no/such/dir"));
    expect(h.string(h.e.wasiConfigure())).toMatch(/preopen \/x: cannot open \/no\/such\/dir/);
    expect(h.e.wasiOpenCount()).toBe(0);
  });

  it("gives back every page after a session of calls", () => {
    const session = () => {
      h.setUp({ args: ["a", "b"], env: ["X=1"] });
      for (const dir of ["d0", "d1", "d2"]) expect(h.pathCall("path_create_directory", dir)).toBe(E.SUCCESS);
      for (let i = 0; i < 20; i++) {
        // Down into d0..d2 and up again: the walk's ".." handling is part of the session.
        const fd = h.open(`d${i % 3}/../f${i}`, { oflags: OFLAGS.creat });
        expect(fd, `open d${i % 3}/../f${i}`).toBeGreaterThanOrEqual(0);
        expect(h.write(fd, "x".repeat(5000))).toBe(5000);
        expect(h.call("fd_readdir", SANDBOX, DATA, 4000, 0n, RESULT)).toBe(E.SUCCESS);
        expect((h.pathStat(`f${i}`) as { size: bigint }).size).toBe(5000n);
        expect(h.call("fd_close", fd)).toBe(E.SUCCESS);
        expect(h.pathCall("path_unlink_file", `d${(i + 1) % 3}/../f${i}`)).toBe(E.SUCCESS);
      }
      for (const dir of ["d0", "d1", "d2"]) expect(h.pathCall("path_remove_directory", dir)).toBe(E.SUCCESS);
      expect(h.call("args_get", RESULT, DATA)).toBe(E.SUCCESS);
      h.tearDown();
    };
    session(); // buffers and caches reach their size
    const free = h.e.pagesFree();
    for (let round = 0; round < 3; round++) session();
    expect(h.e.pagesFree()).toBe(free);
  });
});
