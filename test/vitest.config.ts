// vitest settings for both test tiers (host tests in test/host, boot tests in test/boot).
import { defineConfig } from "vitest/config";
import BootTierFirst from "./sequencer";

export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    include: ["test/**/*.test.ts"],
    // Kernel compiles and QEMU boots are slow under TCG; no test is timed.
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Boot tests spawn QEMU; keep to the two cores CI machines have.
    maxWorkers: 2,
    // The boot tier's kernels, built once up front (test/prebuild.ts).
    globalSetup: ["test/prebuild.ts"],
    // Long boot files first, short host files last (test/sequencer.ts).
    sequence: { sequencer: BootTierFirst },
  },
});
