// The smallest guest RAM a peer boots in, by bisection over QEMU's -m.
//
// Like scripts/bench/min-memory.ts, but for any peer: whether a size boots is
// the peer's own check (the Linux line printed, the hello app's output, a
// status), not Wisp's status-0 convention, and nothing is asked of the guest
// afterwards (min-memory.ts also reads Wisp's meminfo report).

export interface MemorySearch {
  /** Known or assumed too small: never probed. */
  lowKib: number;
  /** Must boot: probed first. */
  highKib: number;
  /** The answer's resolution. */
  stepKib: number;
}

export interface MemoryProbe {
  kib: number;
  ok: boolean;
}

export interface SmallestMemory {
  kib: number;
  probes: MemoryProbe[];
}

/** Bisects `search` with `boots`; a peer that does not boot at highKib is an error carrying `why`. */
export async function smallestMemory(
  search: MemorySearch,
  boots: (kib: number) => Promise<{ ok: boolean; why?: string }>,
): Promise<SmallestMemory> {
  const probes: MemoryProbe[] = [];
  const probe = async (kib: number) => {
    const result = await boots(kib);
    probes.push({ kib, ok: result.ok });
    return result;
  };
  const top = await probe(search.highKib);
  if (!top.ok) throw new Error(`it does not boot even with ${search.highKib} KiB: ${top.why ?? "no reason given"}`);
  let low = Math.floor(search.lowKib / search.stepKib);
  let high = Math.ceil(search.highKib / search.stepKib);
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    if ((await probe(middle * search.stepKib)).ok) high = middle;
    else low = middle;
  }
  return { kib: high * search.stepKib, probes };
}
