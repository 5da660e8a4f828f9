// In-guest allocator timing (`malloc-bench=N` on the command line): N
// malloc/free pairs for a few sizes, each bracketed by counter readings.
// Under QEMU's -icount the ticks are instruction counts, so `wisp bench mem`
// reports instructions per pair. Prints one line per size:
//
//   malloc-bench-raw size=<bytes> pairs=<N> ticks=<counter ticks>

import { timestamp } from "../../arch";
import { malloc, free } from "./malloc";
import { print, printLine, printUnsigned } from "../console";
import { panic } from "../panic";

const SIZES: StaticArray<u32> = [16, 64, 256, 1024, 4096, 16384];

export function runMallocBench(pairs: u32): void {
  for (let i = 0; i < SIZES.length; i++) {
    const size = <usize>SIZES[i];
    const start = timestamp();
    for (let n: u32 = 0; n < pairs; n++) {
      const p = malloc(size);
      if (p == 0) panic("malloc-bench: out of memory");
      free(p);
    }
    const ticks = timestamp() - start;
    print("malloc-bench-raw size=");
    printUnsigned(size);
    print(" pairs=");
    printUnsigned(pairs);
    print(" ticks=");
    printUnsigned(ticks);
    printLine();
  }
}
