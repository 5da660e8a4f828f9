// Boot tier: IPv6 on the kernel's stack against QEMU's user network, on
// x86_64 microvm and aarch64 virt (`wisp run --net user`), through
// selftest=ipv6's exact count (kernel/net/ipv6-selftest.ts) and report: the
// link-local address from QEMU's default MAC 52:54:00:12:34:56, a router
// solicitation answered by slirp's advertisement of fec0::/64 from fe80::2,
// the global address taken from it, and echo requests answered by the
// router and by the host's fec0::2: 6 checks.

import { describe, expect, it } from "vitest";
import { BOOT_TARGETS, selfTestPassed, selfTestSummaries, wisp } from "./wisp-cli";

const IPV6_CHECKS = 6;
const TARGETS = BOOT_TARGETS.filter((target) => target.machine !== "q35");

describe.each(TARGETS)("$arch on $machine", ({ arch, machine }) => {
  it("takes addresses from the user network's router and pings it and the host", () => {
    const result = wisp("run", "--arch", arch, "--machine", machine, "--accel", "tcg", "--timeout", "120", "--net", "user",
      "--cmdline", "quiet ip=10.0.2.15/24,10.0.2.2 selftest=ipv6");
    expect(result.stdout).not.toContain("selftest check failed");
    expect(result.stdout.split("\n").filter((line) => line.startsWith("net: ipv6"))).toEqual([
      "net: ipv6 fe80::5054:ff:fe12:3456 fec0::5054:ff:fe12:3456 router fe80::2",
    ]);
    const counters = new Map(result.stdout.split("\n").filter((line) => line.startsWith("net-counter ")).map((line) => {
      const [, name, value] = line.split(" ");
      return [name, Number(value)];
    }));
    const counter = (name: string) => counters.get(name) ?? 0;
    expect(counter("icmp.echo.replies")).toBe(2);
    expect(counter("nd.router.advertisements")).toBeGreaterThanOrEqual(1);
    expect(counter("nd.addresses.configured")).toBe(1);
    expect(selfTestSummaries(result.stdout, "ipv6")).toEqual(selfTestPassed("ipv6", IPV6_CHECKS));
    expect(result.status).toBe(0);
  });
});
