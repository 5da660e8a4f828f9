// A kernel thread: its stack, its saved context and its place in the queues.
//
// Stack layout, from the top of the frames the allocator gave:
//
//   top  | saved context (CONTEXT_BYTES) | thread-local slots | stack ... |
//   base | guard (unmapped, one page or more)                             |
//
// The stack grows down from just below the thread-local slots; running off
// its end touches the guard, which faults, and the fault report names
// the thread (kernel/traps asks threadWithGuard). Keeping the context and
// slots in the stack's own frames makes creating a thread two allocations:
// this object and the frames.
//
// The boot thread ("main") runs on the boot stub's stack, which has no guard
// page; its context and slots are a small separate block.

import { CONTEXT_BYTES } from "../../arch";
import { pages, PAGE_SIZE, USE_STACK } from "../mm/pages";
import { mapRange, unmapRange, READ, WRITE } from "../mm/paging/index";
import { Runnable } from "./run-queue";
import { WaitQueue } from "./wait-queue";
import { Timer } from "../time/timer-queue";
import { THREAD_LOCAL_SLOTS } from "./config";

export const THREAD_READY: u32 = 0;
export const THREAD_RUNNING: u32 = 1;
export const THREAD_BLOCKED: u32 = 2;
export const THREAD_EXITED: u32 = 3;

const TOP_BYTES: usize = CONTEXT_BYTES + <usize>THREAD_LOCAL_SLOTS * 8;

export function stateName(state: u32): string {
  if (state == THREAD_READY) return "ready";
  if (state == THREAD_RUNNING) return "running";
  if (state == THREAD_BLOCKED) return "blocked";
  return "exited";
}

export class Thread extends Runnable {
  id: u32 = 0;
  /** A name for reports; must outlive the thread (a literal, usually). */
  name: string = "";
  /** The thread's last failure (kernel/failure.ts): its errno and one line of detail. */
  failureErrno: i32 = 0;
  failureDetail: string = "";
  state: u32 = THREAD_READY;
  /** Saved registers while not running. */
  context: usize = 0;
  /** THREAD_LOCAL_SLOTS words of kernel thread-local data. */
  locals: usize = 0;
  /** The frames holding guard, stack, locals and context; 0 for the boot thread. */
  frames: usize = 0;
  frameCount: u32 = 0;
  /** Bytes of the unmapped guard at `frames` (whole pages); 0 for the boot thread. */
  guardBytes: usize = 0;
  entry: ((argument: usize) => void) | null = null;
  argument: usize = 0;
  exitStatus: i32 = 0;
  detached: bool = false;
  /** Threads waiting in join. */
  joiners: WaitQueue = new WaitQueue();
  /** The wait queue this thread sleeps in, and its links there. */
  waitingOn: WaitQueue | null = null;
  waitNext: Thread | null = null;
  waitPrev: Thread | null = null;
  /** Why the last wait ended: 0 woken, -ETIMEDOUT. */
  waitResult: i32 = 0;
  /** Wakes the thread at a wait's deadline. */
  timer: Timer = new Timer();
  /** All threads, for reports: links in the CPU's list. */
  allNext: Thread | null = null;
  allPrev: Thread | null = null;
  switches: u64 = 0;

  /** The guard's lowest address, 0 if the thread has none. */
  get guard(): usize {
    return this.frames;
  }

  /** The highest address of the usable stack (16-byte aligned). */
  get stackTop(): usize {
    return this.locals;
  }
}

/**
 * Allocates frames for a stack of at least `stackBytes` above a guard of at
 * least `guardBytes` (at least one page), unmaps the guard and lays out the
 * context and locals. False when memory is short.
 */
export function allocateStack(thread: Thread, stackBytes: u32, guardBytes: u32): bool {
  const stackPages = (<u32>((<usize>stackBytes + TOP_BYTES + PAGE_SIZE - 1) / PAGE_SIZE));
  const guardPages = max<u32>(1, <u32>((<usize>guardBytes + PAGE_SIZE - 1) / PAGE_SIZE));
  const count = stackPages + guardPages;
  const frames = pages.alloc(count, USE_STACK);
  if (frames == 0) return false;
  const guard = <usize>guardPages * PAGE_SIZE;
  if (unmapRange(<u64>frames, <u64>guard) < 0) {
    pages.free(frames);
    return false;
  }
  thread.frames = frames;
  thread.frameCount = count;
  thread.guardBytes = guard;
  const top = frames + <usize>count * PAGE_SIZE;
  thread.context = top - CONTEXT_BYTES;
  thread.locals = thread.context - <usize>THREAD_LOCAL_SLOTS * 8;
  memory.fill(thread.locals, 0, TOP_BYTES);
  return true;
}

/** Gives the boot thread a context and locals block (it keeps the boot stack). */
export function adoptBootStack(thread: Thread): void {
  const block = heap.alloc(TOP_BYTES);
  memory.fill(block, 0, TOP_BYTES);
  thread.locals = block;
  thread.context = block + <usize>THREAD_LOCAL_SLOTS * 8;
}

/** Returns the stack's frames (remapping the guard) and frees the thread object. */
export function releaseThread(thread: Thread): void {
  if (thread.frames != 0) {
    mapRange(<u64>thread.frames, <u64>thread.frames, <u64>thread.guardBytes, READ | WRITE);
    pages.free(thread.frames);
  }
  heap.free(changetype<usize>(thread.timer));
  heap.free(changetype<usize>(thread.joiners));
  heap.free(changetype<usize>(thread));
}
