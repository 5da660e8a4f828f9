// QEMU's execution log, read back as the guest's program counters in order.
//
// With -singlestep (one instruction per translation block) and
// `-d exec,nochain`, QEMU 7.2 logs every block it enters:
//
//   Trace 0: 0x7f964c000100 [00000000ffff0000/00000000fffffff0/00000040/ff020201]
//                            CS base          PC               flags    cflags
//
// so every executed instruction is one line, its PC the second field. A
// block is logged before it runs, and twice a block is logged that then
// does not run: when QEMU stops before it (the -icount budget ran out, an
// interrupt is pending):
//
//   Stopped execution of TB chain before 0x7f964c13a100 [0000000000122a92]
//
// and when an I/O instruction under -icount must be translated again as
// the last of its block and rerun:
//
//   cpu_io_recompile: rewound execution of TB to 0000000000143842
//
// Either line takes back the line before it (same PC), which is logged
// again when the instruction really runs. So does the entry of a CPU
// exception that makes an instruction fault (faults.ts): the line before
// it did not complete, and runs again after the handler. Counting without
// these rules overcounts by one for each of them; with them, the count is
// the guest's own under -icount.

const STOPPED = /^Stopped execution of TB chain before \S+ \[([0-9a-f]+)\]/;
const REWOUND = /^cpu_io_recompile: rewound execution of TB to ([0-9a-f]+)/;

/** Turns log lines, pushed one at a time, into executed program counters handed to `onPc`. */
export class TraceReader {
  private pending: number | null = null;
  /** Lines taken back (the block did not run then, or faulted). */
  takenBack = 0;

  /** `faultEntries`: where an exception that makes its instruction fault enters (faults.ts). */
  constructor(private readonly onPc: (pc: number) => void, private readonly faultEntries: Set<number> = new Set()) {}

  push(line: string): void {
    if (line.startsWith("Trace ")) {
      const open = line.indexOf("/");
      const close = line.indexOf("/", open + 1);
      if (open < 0 || close < 0) throw new Error(`a trace line I cannot read: ${line}`);
      const pc = parseInt(line.slice(open + 1, close), 16);
      if (this.faultEntries.has(pc) && this.pending !== null) {
        this.pending = null;
        this.takenBack++;
      }
      this.flush();
      this.pending = pc;
      return;
    }
    const undone = STOPPED.exec(line) ?? REWOUND.exec(line);
    if (undone === null) return;
    if (this.pending !== parseInt(undone[1], 16)) throw new Error(`QEMU took back a block that was not the last logged: ${line}`);
    this.pending = null;
    this.takenBack++;
  }

  /** Hands on the last line: call at the end of the log. */
  flush(): void {
    if (this.pending !== null) this.onPc(this.pending);
    this.pending = null;
  }
}
