// Scheduler settings fixed at build time.
//
// The build profile chooses preemption: `wisp build --profile cooperative`
// compiles with `asc --use WISP_COOPERATIVE=1`, and threads then run until
// they block, yield or exit (OSv's conf_preempt=0: the right trade for a
// single-app serverless VM, with no time-slice interrupts at all). The
// default profile preempts: a thread that runs for a whole time slice while
// another of its priority waits goes to the back of the queue, and a woken
// thread of higher priority runs at once.

// @ts-ignore: defined only by the cooperative build profile
export const PREEMPTIVE: bool = !(isDefined(WISP_COOPERATIVE) && WISP_COOPERATIVE != 0);

/** How long a thread runs before an equal-priority thread gets the CPU (preemptive profile). */
export const TIME_SLICE_NS: u64 = 10_000_000;
/** Usable stack of a thread created without a size, in bytes (a guard page lies below it). */
export const DEFAULT_STACK_BYTES: u32 = 16 << 10;
/** Unmapped guard below a thread's stack, in bytes, unless spawn is given another (whole pages). */
export const DEFAULT_GUARD_BYTES: u32 = 4 << 10;
/** Kernel thread-local slots (threadLocalKey): they live at the top of each stack. */
export const THREAD_LOCAL_SLOTS: u32 = 8;
