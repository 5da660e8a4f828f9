// Sources of entropy, registered by whoever can read one: the CPU's generator
// (HardwareEntropy below, registered by the architecture's entry point) and
// devices (drivers/virtio/rng.ts registers each virtio-rng it brings up).
// kernel/random.ts reads the best working source, best first by rank; it
// asks the registered probe (device discovery, kernel/init) to run once
// before the first read, so nothing is probed at boot.

import { hardwareRandom, setInterrupts } from "../arch";
import { ENOSYS, EIO } from "./errno";

/** Ranks: a device the host feeds beats the CPU's generator. */
export const RANK_HARDWARE: i32 = 1;
export const RANK_DEVICE: i32 = 2;

export abstract class EntropySource {
  next: EntropySource | null = null;
  constructor(public name: string, public rank: i32) {}
  /** Fills `length` bytes at `buffer` (kernel memory); 0, -EIO if it failed, -ENOSYS if it never worked. May block. */
  abstract read(buffer: usize, length: usize): i32;
}

/** Runs device discovery once, before the first read. */
export type EntropyProbe = () => void;

function noProbe(): void {}

let first: EntropySource | null = null;
let probe: EntropyProbe = noProbe;
let probed = false;

/** Adds `source`, keeping the list best first (equal ranks in registration order). */
export function registerEntropySource(source: EntropySource): void {
  if (first === null || first!.rank < source.rank) {
    source.next = first;
    first = source;
    return;
  }
  let at = first!;
  while (at.next !== null && at.next!.rank >= source.rank) at = at.next!;
  source.next = at.next;
  at.next = source;
}

export function useEntropyProbe(discover: EntropyProbe): void {
  probe = discover;
}

/** The best source first (after the probe has run); walk on with `.next`. */
export function entropySources(): EntropySource | null {
  if (!probed) {
    probed = true;
    probe();
  }
  return first;
}

const WORD: usize = 8;
const word = memory.data(<i32>WORD);

/** The CPU's generator through the arch import hardwareRandom (x86_64 RDRAND/RDSEED, aarch64 RNDR). */
export class HardwareEntropy extends EntropySource {
  worked: bool = false;

  constructor() {
    super("hardware", RANK_HARDWARE);
  }

  /** 8 bytes at a time; 0, -EIO if it stopped working, -ENOSYS if it never did. */
  read(buffer: usize, length: usize): i32 {
    for (let done: usize = 0; done < length; done += WORD) {
      const enabled = setInterrupts(0);
      const ok = hardwareRandom(word) != 0;
      if (ok) memory.copy(buffer + done, word, min<usize>(WORD, length - done));
      memory.fill(word, 0, WORD);
      setInterrupts(enabled);
      if (!ok) return this.worked ? -EIO : -ENOSYS;
      this.worked = true;
    }
    return 0;
  }
}
