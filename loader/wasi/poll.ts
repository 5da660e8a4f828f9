// poll_oneoff: waiting for clocks and descriptors.
//
// Files, directories and the console are always ready: files and
// directories can be read and written without waiting, stdin is at its end
// (reported ready with 0 bytes and HANGUP), stdout and stderr take
// everything at once. So when any such subscription is present the call
// returns at once with those events (and any socket or clock already
// ready). Sockets have real readiness (kernel/net socketReadiness): a
// listener is readable when a connection waits, a connection when data or
// the end of the stream is there (HANGUP when the peer is gone), writable
// when its send buffer has room. Otherwise the call waits, for a socket to
// become ready (kernel/net waitForNetwork) or for the earliest clock
// deadline (kernel/sched sleepUntil; before the scheduler runs, as in the
// host tests, it spins on the clock), and reports every subscription ready
// by then.
//
// A clock deadline is relative to now unless SUBSCRIPTION_CLOCK_ABSTIME is
// set; an absolute REALTIME deadline is converted to the monotonic clock
// with the wall clock's offset now. Errors that concern one subscription
// (an unknown clock, a closed fd, a missing POLL_FD_READWRITE right, an
// unknown type) come back as that subscription's event, at once.

import * as vfs from "../../fs/vfs/index";
import { now } from "../../kernel/time/index";
import { schedulerReady, sleepUntil } from "../../kernel/sched/index";
import { ERRNO_SUCCESS, ERRNO_INVAL, ERRNO_FAULT, ERRNO_BADF, ERRNO_NOTCAPABLE } from "./errno";
import { Subscription, SUBSCRIPTION_BYTES, Event, EVENT_BYTES } from "./layout";
import { fetch, put, scratch, inRange, storeU32 } from "./memory";
import { fileOf, AppFile, KIND_STDIN } from "./fds";
import { socketReadiness, waitForNetwork, networkEpoch, READY_READ, READY_WRITE, READY_HANGUP, READY_ERROR } from "../../kernel/net/index";
import { RIGHT_POLL_FD_READWRITE } from "./rights";
import { isClock, readClock } from "./clock";
import { statScratch } from "./files";
import {
  EVENTTYPE_CLOCK, EVENTTYPE_FD_READ, EVENTTYPE_FD_WRITE, EVENTRWFLAGS_HANGUP, SUBCLOCKFLAGS_ABSTIME,
  CLOCK_REALTIME,
} from "./types";

const NEVER: u64 = 0xffff_ffff_ffff_ffff;
/**
 * The farthest a clock subscription waits: 2^61 ns (73 years). A timeout
 * beyond it (up to u64's end, relative or absolute) sleeps this long, as
 * near to forever as the timer hardware can be armed without overflowing
 * its tick arithmetic; it never returns at once.
 */
const FARTHEST_NS: u64 = 1 << 61;

// The moment the call started, on both clocks.
let startMonotonic: u64 = 0;
let startRealtime: u64 = 0;

/** A clock subscription's deadline on the monotonic clock, at most FARTHEST_NS after the call began. */
function deadlineOf(subscription: Subscription): u64 {
  const timeout = subscription.timeout;
  if ((subscription.clockFlags & SUBCLOCKFLAGS_ABSTIME) == 0) return startMonotonic + min<u64>(timeout, FARTHEST_NS);
  if (subscription.clockIdOrFd != CLOCK_REALTIME) return min<u64>(timeout, startMonotonic + FARTHEST_NS);
  if (timeout <= startRealtime) return startMonotonic;
  return startMonotonic + min<u64>(timeout - startRealtime, FARTHEST_NS);
}

/** The socket a descriptor subscription waits on (one that may be polled), or null. */
function socketOfSubscription(subscription: Subscription): AppFile | null {
  const tag = subscription.tag;
  if (tag != EVENTTYPE_FD_READ && tag != EVENTTYPE_FD_WRITE) return null;
  const file = fileOf(subscription.clockIdOrFd);
  if (file === null || !file.isSocket || (file.rightsBase & RIGHT_POLL_FD_READWRITE) == 0) return null;
  return file;
}

/** Whether a subscription is answered at once (anything but a valid clock or a socket). */
function isImmediate(subscription: Subscription): bool {
  if (socketOfSubscription(subscription) !== null) return false;
  return subscription.tag != EVENTTYPE_CLOCK || !isClock(subscription.clockIdOrFd);
}

/** The READY_* bits that answer a socket subscription now (0: not ready). */
function socketEvents(subscription: Subscription, socket: AppFile): u32 {
  const ready = socketReadiness(socket.socket);
  const wanted = (subscription.tag == EVENTTYPE_FD_READ ? READY_READ : READY_WRITE) | READY_HANGUP | READY_ERROR;
  return ready & wanted;
}

/** Fills the event for an immediate subscription in the scratch block (after the subscription's bytes). */
function immediateEvent(subscription: Subscription, event: Event): void {
  const tag = subscription.tag;
  event.userdata = subscription.userdata;
  event.type = tag;
  if (tag == EVENTTYPE_CLOCK) {
    event.error = <u16>ERRNO_INVAL;
    return;
  }
  if (tag != EVENTTYPE_FD_READ && tag != EVENTTYPE_FD_WRITE) {
    event.error = <u16>ERRNO_INVAL;
    return;
  }
  const file = fileOf(subscription.clockIdOrFd);
  if (file === null) {
    event.error = <u16>ERRNO_BADF;
    return;
  }
  if ((file.rightsBase & RIGHT_POLL_FD_READWRITE) == 0) {
    event.error = <u16>ERRNO_NOTCAPABLE;
    return;
  }
  if (tag == EVENTTYPE_FD_READ) {
    if (file.kind == KIND_STDIN) event.flags = EVENTRWFLAGS_HANGUP;
    else if (!file.isStream && !file.isDirectory) event.bytes = bytesLeft(file.vfsFd);
  }
}

/** Bytes between the descriptor's offset and its end (0 if unknown). */
function bytesLeft(vfsFd: i32): u64 {
  const stat = statScratch();
  if (vfs.fstat(vfsFd, stat) < 0) return 0;
  const offset = vfs.seek(vfsFd, 0, vfs.SEEK_CUR);
  if (offset < 0 || <u64>offset >= stat.size) return 0;
  return stat.size - <u64>offset;
}

export function pollOneoff(subscriptions: u32, events: u32, count: u32, out: u32): u32 {
  if (count == 0) return ERRNO_INVAL;
  if (!inRange(subscriptions, count, SUBSCRIPTION_BYTES) || !inRange(events, count, EVENT_BYTES) || !inRange(out, 1, 4)) {
    return ERRNO_FAULT;
  }
  startMonotonic = now();
  startRealtime = readClock(CLOCK_REALTIME);
  let immediate = false;
  let sockets = false;
  let earliest = NEVER;
  for (let i: u32 = 0; i < count; i++) {
    const subscription = subscriptionAt(subscriptions, i);
    if (socketOfSubscription(subscription) !== null) sockets = true;
    else if (isImmediate(subscription)) immediate = true;
    else earliest = min<u64>(earliest, deadlineOf(subscription));
  }
  while (!immediate && now() < earliest) {
    if (!sockets) {
      waitUntil(earliest);
      break;
    }
    const epoch = networkEpoch(); // before looking: a change while looking ends the wait at once
    if (anySocketReady(subscriptions, count)) break;
    waitForNetwork(earliest, epoch);
  }

  const reached = now();
  let written: u32 = 0;
  const eventAt = scratch() + SUBSCRIPTION_BYTES;
  const event = changetype<Event>(eventAt);
  for (let i: u32 = 0; i < count; i++) {
    const subscription = subscriptionAt(subscriptions, i);
    memory.fill(eventAt, 0, EVENT_BYTES);
    const socket = socketOfSubscription(subscription);
    if (socket !== null) {
      const ready = socketEvents(subscription, socket!);
      if (ready == 0) continue;
      event.userdata = subscription.userdata;
      event.type = subscription.tag;
      if ((ready & READY_HANGUP) != 0) event.flags = EVENTRWFLAGS_HANGUP;
    } else if (isImmediate(subscription)) {
      immediateEvent(subscription, event);
    } else {
      if (deadlineOf(subscription) > reached) continue;
      event.userdata = subscription.userdata;
      event.type = EVENTTYPE_CLOCK;
    }
    memory.copy(scratch(), eventAt, EVENT_BYTES);
    put(events + written * EVENT_BYTES, EVENT_BYTES);
    written++;
  }
  storeU32(out, written);
  return ERRNO_SUCCESS;
}

/** Subscription `index` of the array at `subscriptions`, copied in. */
function subscriptionAt(subscriptions: u32, index: u32): Subscription {
  return changetype<Subscription>(fetch(subscriptions + index * SUBSCRIPTION_BYTES, SUBSCRIPTION_BYTES));
}

/** Whether any socket subscription is ready now. */
function anySocketReady(subscriptions: u32, count: u32): bool {
  for (let i: u32 = 0; i < count; i++) {
    const subscription = subscriptionAt(subscriptions, i);
    const socket = socketOfSubscription(subscription);
    if (socket !== null && socketEvents(subscription, socket!) != 0) return true;
  }
  return false;
}

/** Blocks until the monotonic clock reaches `deadline`. */
function waitUntil(deadline: u64): void {
  if (schedulerReady()) {
    sleepUntil(deadline);
    return;
  }
  while (now() < deadline) {}
}
