// Boot tier: the kernel's memmove and memset (arch/common/libc.c, which
// apps import too) as the kernel's own memory.copy and memory.fill reach
// them, on both architectures: `selftest=libc` (kernel/selftest/libc.ts)
// checks every offset and length it tries against a byte-at-a-time
// reference (fills with a pattern and with zeros), 125,360 checks in all.

import { describe, expect, it } from "vitest";
import { wisp } from "./wisp-cli";

const CHECKS = 16 * 16 * 97 * 5 + 10 * 4 * 6 * 5;

describe.each(["x86_64", "aarch64"])("selftest=libc on %s", (arch) => {
  it("copies, moves and fills exactly what a byte loop would", () => {
    const run = wisp("run", "--arch", arch, "--cmdline", "selftest=libc", "--timeout", "240");
    expect(run.stdout).toContain(`selftest libc: ${CHECKS} passed, 0 failed\n`);
    expect(run.status).toBe(0);
  });
});
