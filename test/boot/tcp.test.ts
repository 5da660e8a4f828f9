// Boot tier: the network stack's front door in the real kernel on every
// target (kernel/net/selftest.ts, `selftest=tcp`): the stack's thread,
// mutex and waits, a connection to itself over a loopback device with an
// echo thread, blocking and nonblocking calls, WAITALL, half-close, EPIPE,
// a refused connection. The protocol itself is guarded by the host tier
// (test/host/net).

import { describe, expect, it } from "vitest";
import { BOOT_TARGETS, selfTestPassed, selfTestSummaries, wisp } from "./wisp-cli";

const TIMEOUT = "120";
/** Checks selftest=tcp runs: the same on every machine. */
const NET_CHECKS = 18;

describe.each(BOOT_TARGETS)("$arch on $machine", ({ arch, machine }) => {
  it("passes the TCP self-test", () => {
    const result = wisp("run", "--arch", arch, "--machine", machine, "--accel", "tcg", "--timeout", TIMEOUT, "--cmdline", "quiet selftest=tcp");
    expect(result.stdout).not.toContain("selftest check failed");
    expect(selfTestSummaries(result.stdout, "tcp")).toEqual(selfTestPassed("tcp", NET_CHECKS));
    expect(result.status).toBe(0);
  });
});
