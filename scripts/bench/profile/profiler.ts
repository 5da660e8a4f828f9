// Counting a boot's instructions per function, one program counter at a time.
//
// Counting starts at the kernel's first instruction and stops at the first
// instruction outside the kernel after the last call has been entered
// (wisp_app_started, which takes the app-start stamp, returning to the app
// that then calls its _start), or at the end of the trace. Each
// instruction is one of its function's *self* instructions, and one
// *inclusive* instruction of every function on the call stack. There is no
// call stack in the trace, so one is inferred from the program counters:
//
//   - landing on a function's first address from another function is a
//     call: the function is pushed;
//   - landing inside a function already on the stack is a return to it:
//     everything above it is popped;
//   - landing inside a function not on the stack (a thread switched to, the
//     kernel entered from the app, the first instruction) pushes it too.
//
// What this gets wrong: a tail call (a jump to another function's start)
// looks like a call, so the tail-called function's time also counts for
// the function that jumped, until something returns below both; inlined
// functions are part of the function they were inlined into; a function
// jumping back to its own first address (a loop, or direct recursion) is
// one activation. A function on the stack twice counts once per
// instruction.
//
// Stage boundaries are only known once the guest has told its stamps, so
// the counts are kept per *segment*: a new one starts at every instruction
// that reads the boot counter (stage.ts puts segments together into
// stages). The entries into kernel/bootchart/recordStamp are noted too:
// they say which counter reads were stamps.

import { OUTSIDE_KERNEL_ID, type FunctionTable } from "./functions";

/** Per caller of the function whose callers are asked for: its instructions (inclusive) and the calls to it. */
export interface CallerCounts {
  instructions: number;
  calls: number;
}

/** The counts of one run of instructions. */
export interface Counts {
  instructions: number;
  self: Map<number, number>;
  inclusive: Map<number, number>;
  /** By the caller of the outermost activation of the function asked about (-1: none, it was first on the stack). */
  callers: Map<number, CallerCounts>;
}

export interface ProfilerSetup {
  functions: FunctionTable;
  /** The kernel's first instruction: counting starts here. */
  entry: number;
  /** Counting stops when the code leaves the kernel after this address ran (wisp_app_started); null: at the end of the trace. */
  lastCall: number | null;
  /** The function id of kernel/bootchart/recordStamp. */
  recordStamp: number;
  /** Addresses of the instructions that read the boot counter (rdtsc, mrs cntvct_el0). */
  counterReads: Set<number>;
  /** A function id whose callers to count, or -1. */
  callersOf: number;
}

export interface RawProfile {
  /** Segment 0 starts at the entry, segment j > 0 at the counter read reads[j - 1]. */
  segments: Counts[];
  /** Instruction index (0 = the entry) of every counter read. */
  reads: number[];
  /** Instruction index of every entry into recordStamp. */
  stampEntries: number[];
  /** Instructions counted. */
  instructions: number;
  /** Whether counting stopped after the last call (else the trace ended first). */
  reachedEnd: boolean;
  /** Whether the entry was ever seen. */
  started: boolean;
  /** Per function id, the instruction index it first ran at (-1: never), which orders a call chain outermost first. */
  firstSeen: number[];
}

const newCounts = (): Counts => ({ instructions: 0, self: new Map(), inclusive: new Map(), callers: new Map() });

function add(map: Map<number, number>, key: number, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

export class BootProfiler {
  private started = false;
  private inLastCall = false;
  private done = false;
  private index = 0;
  private readonly stack: number[] = [];
  /** How many times each function is on the stack, and the index from which its inclusive time is not yet added. */
  private readonly depth: Int32Array;
  private readonly since: Float64Array;
  private callerOfAsked = -1;
  private segment = newCounts();
  private segmentStart = 0;
  private readonly result: RawProfile;

  constructor(private readonly setup: ProfilerSetup) {
    const count = setup.functions.names.length;
    this.depth = new Int32Array(count);
    this.since = new Float64Array(count);
    this.result = { segments: [], reads: [], stampEntries: [], instructions: 0, reachedEnd: false, started: false, firstSeen: new Array<number>(count).fill(-1) };
  }

  /** Counts the instruction at `pc`; false once counting has stopped. */
  step(pc: number): boolean {
    if (this.done) return false;
    if (!this.started) {
      if (pc !== this.setup.entry) return true;
      this.started = true;
    }
    const { functions, counterReads, recordStamp, callersOf } = this.setup;
    const fn = functions.functionAt(pc);
    if (pc === this.setup.lastCall) this.inLastCall = true;
    else if (this.inLastCall && fn === OUTSIDE_KERNEL_ID) {
      this.result.reachedEnd = true;
      this.done = true;
      return false;
    }
    if (counterReads.has(pc)) this.startSegment();
    const top = this.stack.length > 0 ? this.stack[this.stack.length - 1] : -1;
    if (fn !== top) {
      if (functions.isEntry(pc) || this.depth[fn] === 0) {
        if (fn === callersOf && this.depth[fn] === 0) this.callerOfAsked = top;
        this.push(fn);
        if (functions.isEntry(pc)) {
          if (fn === recordStamp) this.result.stampEntries.push(this.index);
          if (fn === callersOf) this.callerCounts(this.segment).calls++;
        }
      } else {
        while (this.stack[this.stack.length - 1] !== fn) this.pop();
      }
    }
    add(this.segment.self, fn, 1);
    if (this.result.firstSeen[fn] < 0) this.result.firstSeen[fn] = this.index;
    this.index++;
    return true;
  }

  /** The counts, once the trace has been read. */
  finish(): RawProfile {
    this.closeSegment();
    this.result.instructions = this.index;
    this.result.started = this.started;
    return this.result;
  }

  private push(fn: number): void {
    if (this.depth[fn]++ === 0) this.since[fn] = this.index;
    this.stack.push(fn);
  }

  private pop(): void {
    const fn = this.stack.pop()!;
    if (--this.depth[fn] === 0) this.addInclusive(fn);
  }

  private addInclusive(fn: number): void {
    const instructions = this.index - this.since[fn];
    this.since[fn] = this.index;
    if (instructions === 0) return;
    add(this.segment.inclusive, fn, instructions);
    if (fn === this.setup.callersOf) this.callerCounts(this.segment).instructions += instructions;
  }

  private callerCounts(counts: Counts): CallerCounts {
    let entry = counts.callers.get(this.callerOfAsked);
    if (entry === undefined) counts.callers.set(this.callerOfAsked, (entry = { instructions: 0, calls: 0 }));
    return entry;
  }

  private closeSegment(): void {
    for (const fn of this.stack) this.addInclusive(fn);
    this.segment.instructions = this.index - this.segmentStart;
    this.result.segments.push(this.segment);
  }

  private startSegment(): void {
    this.closeSegment();
    this.segment = newCounts();
    this.segmentStart = this.index;
    this.result.reads.push(this.index);
  }
}
