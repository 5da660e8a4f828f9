// `wisp bench numbers` makes the README's Numbers section from the
// benchmarks' figures: the exact table for given numbers, and the section
// replaced between its markers (and refused when they are missing).

import { describe, expect, it } from "vitest";
import { numbersSection, replaceSection, SECTION_END, SECTION_START } from "../../scripts/bench/numbers/markdown";

const numbers = {
  context: "2026-12-05 with QEMU 7.2.22 under TCG on 2 CPUs",
  runs: 3,
  arches: [
    { arch: "x86_64", kernelReady: 75308, kernelReady2G: 76001, toStart: 163031, wallRatio: 1.1068, imageBytes: 346440, minimumKib: 1728 },
    { arch: "aarch64", kernelReady: 108816, kernelReady2G: 109000, toStart: 193568, wallRatio: 1.2, imageBytes: 340000, minimumKib: 1856 },
  ],
  peers: "| peer | wall |\n|---|--:|\n| empty | 1.0 |\n",
};

describe("wisp bench numbers", () => {
  it("makes the section: one row per figure, both architectures, the command of each", () => {
    expect(numbersSection(numbers).split("\n")).toEqual([
      SECTION_START,
      "Measured 2026-12-05 with QEMU 7.2.22 under TCG on 2 CPUs by `npx wisp bench numbers --runs 3 --write README.md`, which runs the commands named in each row (instruction counts are exact and repeat; wall times are medians of interleaved boots).",
      "",
      "| | x86_64 | aarch64 | target | measured by |",
      "|---|--:|--:|--:|---|",
      "| first instruction → kernel-ready, instructions | 75,308 | 108,816 | ≤ 80,000 | `wisp bench boot --icount --runs 3` |",
      "| the same with 2 GiB of RAM | 76,001 | 109,000 | ≤ 80,000 | `wisp bench boot --icount --mem 2G --runs 3` |",
      "| first instruction → hello app's `_start`, instructions | 163,031 | 193,568 | ≤ 150,000 | `wisp bench app --icount --runs 3` |",
      "| hello exec → exit over the empty kernel's (median wall time, TCG) | 1.11 | 1.20 | ≤ 1.15 | `wisp bench app --runs 3` |",
      "| kernel.elf + hello image, bytes | 346,440 | 340,000 | ≤ 524,288 | `wisp bench app --runs 3` |",
      "| smallest `--mem` the hello app runs in | 1,728 KiB | 1,856 KiB | ≤ 2,048 KiB | `wisp bench app --runs 3` |",
      "",
      "| peer | wall |",
      "|---|--:|",
      "| empty | 1.0 |",
      SECTION_END,
    ]);
  });

  it("replaces only what lies between the markers", () => {
    const readme = `# Wisp\n\n## Numbers\n\n${SECTION_START}\nold\n${SECTION_END}\n\n## Next\n`;
    expect(replaceSection(readme, "NEW")).toBe("# Wisp\n\n## Numbers\n\nNEW\n\n## Next\n");
  });

  it("refuses a README without the markers", () => {
    expect(() => replaceSection("# Wisp\n", "NEW")).toThrow(/no numbers section/);
  });
});
