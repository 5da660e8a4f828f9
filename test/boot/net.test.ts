// Boot tier: the virtio-net driver on x86_64 microvm (virtio-mmio), q35
// (modern virtio-pci, MSI-X shared by both queues) and aarch64 virt, under
// QEMU's user network (`wisp run --net user`), through selftest=net's exact
// lines and count (drivers/virtio/net-selftest.ts): the device and its MAC
// (QEMU's default 52:54:00:12:34:56), the link up, a raw ARP request
// answered by the gateway 10.0.2.2 (slirp's 52:55:0a:00:02:02), then 100
// more requests, more than the transmit buffers (32) and the receive
// buffers (64), all sent and all answered once, every transmit buffer back,
// no receive buffer lost, nothing dropped: 9 checks.

import { describe, expect, it } from "vitest";
import { BOOT_TARGETS, selfTestPassed, selfTestSummaries, wisp } from "./wisp-cli";

const NET_CHECKS = 9;

describe.each(BOOT_TARGETS)("$arch on $machine", ({ arch, machine }) => {
  it("sends and receives raw frames on the user network", () => {
    const result = wisp("run", "--arch", arch, "--machine", machine, "--accel", "tcg", "--timeout", "120", "--net", "user",
      "--cmdline", "quiet selftest=net");
    expect(result.stdout).not.toContain("selftest check failed");
    expect(result.stdout.split("\n").filter((line) => line.startsWith("net: "))).toEqual([
      "net: eth0 mac 52:54:00:12:34:56 link up",
      "net: arp 10.0.2.2 is 52:55:0a:00:02:02",
      "net: 100 more requests sent, 100 answered",
    ]);
    expect(selfTestSummaries(result.stdout, "net")).toEqual(selfTestPassed("net", NET_CHECKS));
    expect(result.status).toBe(0);
  });
});
