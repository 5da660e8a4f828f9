// Guards that the architecture and the profile are chosen at compile time:
// each default-profile kernel wasm carries its own architecture's drivers and
// none of the other's, and no self-test or benchmark code. Checked on the
// strings only such code holds (AssemblyScript keeps string literals as
// UTF-16 in static data), in the very modules the host tests boot.

import { describe, expect, it } from "vitest";
import { kernelTarget, wasmBytes } from "./compile";

const kernels = {
  x86_64: Buffer.from(await wasmBytes(kernelTarget("x86_64"))),
  aarch64: Buffer.from(await wasmBytes(kernelTarget("aarch64"))),
};

function holds(kernel: Buffer, text: string): boolean {
  return kernel.includes(Buffer.from(text, "utf16le"));
}

/** A string each architecture's own code prints. */
const OWN = {
  x86_64: ["no IOAPIC at 0xfec00000", "PVH start_info has a bad magic number", "the local APIC timer does not count"],
  aarch64: ["the device tree names no GICv2 (arm,cortex-a15-gic or arm,gic-400)", "device tree has a bad magic number", "instruction abort"],
};

describe("one architecture per image", () => {
  it("carries its own architecture's code and none of the other's", () => {
    for (const text of OWN.x86_64) {
      expect(holds(kernels.x86_64, text), `x86_64 kernel: ${text}`).toBe(true);
      expect(holds(kernels.aarch64, text), `aarch64 kernel: ${text}`).toBe(false);
    }
    for (const text of OWN.aarch64) {
      expect(holds(kernels.aarch64, text), `aarch64 kernel: ${text}`).toBe(true);
      expect(holds(kernels.x86_64, text), `x86_64 kernel: ${text}`).toBe(false);
    }
  });
});

describe("the default profile", () => {
  it("carries no self-test or benchmark", () => {
    for (const text of ["selftest=NAME", "blk-checksum ", "malloc-bench", "sched-bench", "storage-bench", "ninep-bench", "random-virtio "]) {
      for (const [arch, kernel] of Object.entries(kernels)) expect(holds(kernel, text), `${arch}: ${text}`).toBe(false);
    }
  });
});
