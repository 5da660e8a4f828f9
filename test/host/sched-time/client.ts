// The Node side of the harness's sched-time part (sched-time/harness.ts):
// the typings of its exports for kernel/sched/run-queue.ts,
// kernel/time/timer-queue.ts and kernel/time/civil.ts, which the tests call
// directly. Items and timers cross as indexes; pop/peek/earliest/popExpired
// return -1 for none; bool results are 0/1.

export interface SchedTimeExports {
  runQueueCreate(count: number): void;
  runnableSetPriority(index: number, priority: number): void;
  runnableQueued(index: number): number;
  runQueuePush(index: number): void;
  runQueuePushFront(index: number): void;
  runQueuePop(): number;
  runQueueRemove(index: number): number;
  runQueuePeek(): number;
  runQueueHighestPriority(): number;
  runQueueLength(): number;
  timerQueueCreate(count: number): void;
  timerQueueRenew(): void;
  timerAdd(index: number, deadline: bigint): void;
  timerCancel(index: number): number;
  timerEarliest(): number;
  timerPopExpired(now: bigint): number;
  timerPending(index: number): number;
  timerDeadline(index: number): bigint;
  timerQueueLength(): number;
  timeBefore(a: bigint, b: bigint): number;
  civilDaysFromCivil(year: number, month: number, day: number): bigint;
  civilUnixSeconds(year: number, month: number, day: number, hour: number, minute: number, second: number): bigint;
  civilFromBcd(value: number): number;
}
