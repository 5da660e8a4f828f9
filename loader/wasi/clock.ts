// clock_res_get and clock_time_get, over kernel/time.
//
//   REALTIME            the wall clock (kernel/time/wallclock.ts): the RTC read
//                       once and advanced by the monotonic clock; on a machine
//                       without an RTC it counts from the epoch at boot
//   MONOTONIC           kernel/time now(): nanoseconds since the counter started
//   PROCESS_CPUTIME,    the monotonic clock: the scheduler does not account
//   THREAD_CPUTIME      CPU time per thread, and the app is the machine's one
//                       busy thread, so elapsed time is its CPU time plus what
//                       the kernel spent on interrupts meanwhile
//
// The resolution reported is the counter's period rounded up to whole
// nanoseconds (at least 1): every clock here is the same counter.

import { now, wallClock, clockHz } from "../../kernel/time/index";
import { TIME_UNCHANGED } from "../../fs/vfs/index";
import { ERRNO_SUCCESS, ERRNO_INVAL, ERRNO_FAULT } from "./errno";
import {
  CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME, CLOCK_THREAD_CPUTIME,
  FSTFLAGS_ALL, FSTFLAGS_ATIM, FSTFLAGS_ATIM_NOW, FSTFLAGS_MTIM, FSTFLAGS_MTIM_NOW,
} from "./types";
import { inRange, storeU64 } from "./memory";

const NANOSECONDS_PER_SECOND: u64 = 1_000_000_000;

export function isClock(id: u32): bool {
  return id == CLOCK_REALTIME || id == CLOCK_MONOTONIC || id == CLOCK_PROCESS_CPUTIME || id == CLOCK_THREAD_CPUTIME;
}

/** The time on clock `id` (which must be valid), in nanoseconds. */
export function readClock(id: u32): u64 {
  if (id == CLOCK_REALTIME) {
    const wall = wallClock();
    return wall < 0 ? now() : <u64>wall;
  }
  return now();
}

export function clockResGet(id: u32, out: u32): u32 {
  if (!isClock(id)) return ERRNO_INVAL;
  if (!inRange(out, 1, 8)) return ERRNO_FAULT;
  const hz = clockHz();
  const period = hz >= NANOSECONDS_PER_SECOND ? 1 : (NANOSECONDS_PER_SECOND + hz - 1) / hz;
  storeU64(out, period);
  return ERRNO_SUCCESS;
}

export function clockTimeGet(id: u32, precision: u64, out: u32): u32 {
  if (!isClock(id)) return ERRNO_INVAL;
  if (!inRange(out, 1, 8)) return ERRNO_FAULT;
  storeU64(out, readClock(id));
  return ERRNO_SUCCESS;
}

/** File times to set, for the VFS (TIME_UNCHANGED: leave it). */
export class TimePair {
  accessed: i64 = TIME_UNCHANGED;
  modified: i64 = TIME_UNCHANGED;
}

const LATEST_TIME: u64 = 0x7fff_ffff_ffff_ffff;

/**
 * The times fd_filestat_set_times and path_filestat_set_times ask for:
 * ATIM/MTIM take the given time, *_NOW the realtime clock, neither leaves
 * it. INVAL for unknown flags, a time and NOW together, or a time past i64.
 */
export function timesToSet(accessed: u64, modified: u64, flags: u32, out: TimePair): u32 {
  if ((flags & ~FSTFLAGS_ALL) != 0) return ERRNO_INVAL;
  if ((flags & FSTFLAGS_ATIM) != 0 && (flags & FSTFLAGS_ATIM_NOW) != 0) return ERRNO_INVAL;
  if ((flags & FSTFLAGS_MTIM) != 0 && (flags & FSTFLAGS_MTIM_NOW) != 0) return ERRNO_INVAL;
  if ((flags & FSTFLAGS_ATIM) != 0 && accessed > LATEST_TIME) return ERRNO_INVAL;
  if ((flags & FSTFLAGS_MTIM) != 0 && modified > LATEST_TIME) return ERRNO_INVAL;
  const current = (flags & (FSTFLAGS_ATIM_NOW | FSTFLAGS_MTIM_NOW)) != 0 ? <i64>readClock(CLOCK_REALTIME) : 0;
  out.accessed = (flags & FSTFLAGS_ATIM_NOW) != 0 ? current : (flags & FSTFLAGS_ATIM) != 0 ? <i64>accessed : TIME_UNCHANGED;
  out.modified = (flags & FSTFLAGS_MTIM_NOW) != 0 ? current : (flags & FSTFLAGS_MTIM) != 0 ? <i64>modified : TIME_UNCHANGED;
  return ERRNO_SUCCESS;
}

let pair: TimePair | null = null;

/** One TimePair to reuse (WASI calls come one at a time). */
export function timePair(): TimePair {
  if (pair === null) pair = new TimePair();
  return pair!;
}
