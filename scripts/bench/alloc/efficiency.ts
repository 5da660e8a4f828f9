// Space efficiency of the kernel's malloc per size class: bytes requested /
// bytes of pages consumed, with many objects of one size live at once, for
// every class size (a request that fills its class exactly) and for the size
// just above the previous class (the worst rounding).

import { readFileSync } from "node:fs";
import { harnessWasm } from "./compile";

const RAM_END = 256 << 20;
const PAGE = 4096;
const TARGET_BYTES = 4 << 20;

interface Harness {
  setup(ramEnd: number): number;
  allocate(size: number): number;
  slabPages(): number;
  largePages(): number;
}

export interface ClassEfficiency {
  classSize: number;
  /** Efficiency when every request is exactly the class size. */
  exact: number;
  /** Efficiency for requests one byte above the previous class. */
  worst: number;
  worstRequest: number;
}

async function load(): Promise<Harness> {
  const memory = new WebAssembly.Memory({ initial: RAM_END / 65536 });
  const unexpected = (name: string) => () => {
    throw new Error(`the allocator harness called arch.${name}`);
  };
  const arch = new Proxy({}, { get: (_, name) => (name === "portIn8" ? () => 0x20 : name === "portOut8" ? () => {} : unexpected(String(name))) });
  const module = await WebAssembly.compile(readFileSync(await harnessWasm()));
  const instance = await WebAssembly.instantiate(module, { env: { memory }, arch } as WebAssembly.Imports);
  return instance.exports as unknown as Harness;
}

/** Efficiency of `count` live requests of `size` bytes on a fresh allocator. */
function measure(harness: Harness, size: number): number {
  if (!harness.setup(RAM_END)) throw new Error("the allocator harness could not be set up");
  const count = Math.max(256, Math.ceil(TARGET_BYTES / size));
  for (let i = 0; i < count; i++) {
    if (harness.allocate(size) === 0) throw new Error(`out of memory after ${i} allocations of ${size} bytes`);
  }
  const consumed = (harness.slabPages() + harness.largePages()) * PAGE;
  return (count * size) / consumed;
}

/** Class sizes as the kernel defines them (kernel/mm/classes.ts), up to 8 KiB. */
export function classSizes(): number[] {
  const sizes: number[] = [];
  for (let size = 8; size <= 128; size += 8) sizes.push(size);
  for (let top = 7; top < 13; top++) for (let step = 1; step <= 8; step++) sizes.push((1 << top) + step * (1 << (top - 3)));
  return sizes;
}

export async function measureEfficiency(): Promise<ClassEfficiency[]> {
  const harness = await load();
  const sizes = classSizes();
  return sizes.map((classSize, index) => {
    const worstRequest = index === 0 ? 1 : sizes[index - 1] + 1;
    return { classSize, exact: measure(harness, classSize), worst: measure(harness, worstRequest), worstRequest };
  });
}
