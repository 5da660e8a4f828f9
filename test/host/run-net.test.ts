// Guards `wisp run --listen` and `--net` (scripts/run/network.ts, qemu.ts):
// the exact QEMU arguments on microvm (virtio-mmio in its modern form, ACPI
// off so that QEMU names the device on the kernel command line), q35
// (modern-only virtio-pci) and aarch64 virt, for host forwards and for a
// tap interface; the defaults of a --listen spec; and the refusals, before
// anything is built: a malformed spec, --listen beside a tap, a host port
// forwarded twice, and a host port another process listens on. The CLI
// runs in-process with the kernel build replaced by a stub that counts
// calls.

import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { REPO_ROOT } from "./compile";
import { builds, inProcessWisp } from "./cli-in-process";
import { parseListen, networkDevices, networkKernelOptions } from "../../scripts/run/network";

vi.mock("../../scripts/build", async (original) => (await import("./cli-in-process")).withoutBuilds(original));

const { main } = await import("../../scripts/cli/main");

const wisp = inProcessWisp(main);

/** The TCG CPU model wisp run asks for on x86_64 (SSE4.2 for ROFS's CRC-32C, 1 GiB pages). */
const TCG_CPU = "-cpu qemu64,+sse4.2,+pdpe1gb";
const COMMON = "-m 65536K -smp 1 -accel tcg -nodefaults -no-user-config -display none -serial stdio -no-reboot";
const MICROVM = `qemu-system-x86_64 -M microvm,acpi=off -bios /usr/share/qemu/qboot.rom ${TCG_CPU} ${COMMON} -kernel ${join(REPO_ROOT, "build/x86_64/kernel.elf")} -append APPEND`
  + " -device isa-debug-exit,iobase=0xf4,iosize=0x04 -global virtio-mmio.force-legacy=false";
const Q35 = `qemu-system-x86_64 -M q35 ${TCG_CPU} ${COMMON} -kernel ${join(REPO_ROOT, "build/x86_64/kernel.elf")} -append APPEND`
  + " -device isa-debug-exit,iobase=0xf4,iosize=0x04";
const VIRT = `qemu-system-aarch64 -M virt -cpu cortex-a72 ${COMMON} -kernel ${join(REPO_ROOT, "build/aarch64/kernel.elf")} -append APPEND`
  + " -semihosting-config enable=on,target=native -global virtio-mmio.force-legacy=false";
const FORWARDS = "-netdev user,id=net0,hostfwd=tcp:127.0.0.1:8080-:8080,hostfwd=tcp:127.0.0.1:9000-:80";
const TAP = "-netdev tap,id=net0,ifname=tap0,script=no,downscript=no";
const MMIO_DEVICE = "-device virtio-net-device,netdev=net0";
const PCI_DEVICE = "-device virtio-net-pci,netdev=net0,disable-legacy=on,disable-modern=off";

describe("wisp run --listen and --net: the QEMU command", () => {
  const machines: Array<[string, string, string, string]> = [
    ["x86_64", "microvm", MICROVM, MMIO_DEVICE],
    ["x86_64", "q35", Q35, PCI_DEVICE],
    ["aarch64", "virt", VIRT, MMIO_DEVICE],
  ];
  for (const [arch, machine, command, device] of machines) {
    it(`on ${arch} ${machine}`, async () => {
      const run = (...args: string[]) => wisp("run", "--arch", arch, "--machine", machine, "--accel", "tcg", ...args, "--print-command");
      const appending = (text: string) => command.replace("APPEND", text);
      expect(await run("--listen", "8080", "--listen", "127.0.0.1:9000:80")).toEqual({
        status: 0, stdout: `${appending("'ip=10.0.2.15/24,10.0.2.2,dns=10.0.2.3 listen=8080,80'")} ${FORWARDS} ${device}\n`, stderr: "",
      });
      expect(await run("--net", "tap:tap0")).toEqual({ status: 0, stdout: `${appending("''")} ${TAP} ${device}\n`, stderr: "" });
      expect(await run("--net", "user")).toEqual({
        status: 0, stdout: `${appending("ip=10.0.2.15/24,10.0.2.2,dns=10.0.2.3")} -netdev user,id=net0 ${device}\n`, stderr: "",
      });
      expect(await run("--net", "user:restrict", "--listen", "8080")).toEqual({
        status: 0, stdout: `${appending("'ip=10.0.2.15/24,10.0.2.2,dns=10.0.2.3 listen=8080'")} -netdev user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:8080-:8080 ${device}\n`, stderr: "",
      });
      expect(await run("--net", "none")).toEqual(await run()); // no device, no addressing
      expect(await run("--pcap", "/tmp/frames.pcap", "--net", "user")).toEqual({
        status: 0, stdout: `${appending("ip=10.0.2.15/24,10.0.2.2,dns=10.0.2.3")} -netdev user,id=net0 -object filter-dump,id=dump0,netdev=net0,file=/tmp/frames.pcap ${device}\n`, stderr: "",
      });
      expect(builds.count).toBe(0);
    });
  }
});

describe("--listen specs", () => {
  it("default to 127.0.0.1 and the host port", () => {
    expect(parseListen("8080")).toEqual({ hostAddress: "127.0.0.1", hostPort: 8080, guestPort: 8080 });
    expect(parseListen("8080:80")).toEqual({ hostAddress: "127.0.0.1", hostPort: 8080, guestPort: 80 });
    expect(parseListen("0.0.0.0:8080")).toEqual({ hostAddress: "0.0.0.0", hostPort: 8080, guestPort: 8080 });
    expect(parseListen("127.0.0.1:9000:80")).toEqual({ hostAddress: "127.0.0.1", hostPort: 9000, guestPort: 80 });
  });

  it("make one user network; --net user alone has no forwards", () => {
    expect(networkDevices(undefined, [])).toEqual([]);
    expect(networkDevices("user", [])).toEqual([{ kind: "user", forwards: [] }]);
    expect(networkDevices("user", ["8080"])).toEqual([{ kind: "user", forwards: [parseListen("8080")] }]);
    expect(networkDevices(undefined, ["8080", "9000:80"])).toEqual([{ kind: "user", forwards: [parseListen("8080"), parseListen("9000:80")] }]);
    expect(networkDevices("tap:tap0", [])).toEqual([{ kind: "tap", ifname: "tap0" }]);
    expect(networkDevices("user:restrict", ["8080"])).toEqual([{ kind: "user", forwards: [parseListen("8080")], restrict: true }]);
    expect(networkDevices("none", [])).toEqual([]);
    expect(() => networkDevices("none", ["8080"])).toThrow("--listen 8080: --net none attaches no network to forward to");
  });

  it("give the kernel the user network's address and the app its listening ports", () => {
    expect(networkKernelOptions(networkDevices("user", []), "quiet selftest=net")).toEqual(["ip=10.0.2.15/24,10.0.2.2,dns=10.0.2.3"]);
    expect(networkKernelOptions(networkDevices(undefined, ["8080", "9000:80", "127.0.0.2:9001:80"]), "")).toEqual(["ip=10.0.2.15/24,10.0.2.2,dns=10.0.2.3", "listen=8080,80"]);
    expect(networkKernelOptions(networkDevices("user", []), "ip=10.0.2.99/24,10.0.2.2")).toEqual([]);
    expect(networkKernelOptions(networkDevices("tap:tap0", []), "")).toEqual([]);
  });
});

describe("wisp run refuses a bad network option before building", () => {
  const cases: Array<[string[], string]> = [
    [["--listen", "http"], "--listen http: http is not a TCP port (1-65535)"],
    [["--listen", "0"], "--listen 0: 0 is not a TCP port (1-65535)"],
    [["--listen", "65536"], "--listen 65536: 65536 is not a TCP port (1-65535)"],
    [["--listen", "8080:"], "--listen 8080:: expected [HOSTADDR:]HOSTPORT[:GUESTPORT], e.g. 8080 or 127.0.0.1:8080:80"],
    [["--listen", "1:2:3:4"], "--listen 1:2:3:4: expected [HOSTADDR:]HOSTPORT[:GUESTPORT], e.g. 8080 or 127.0.0.1:8080:80"],
    [["--listen", "localhost:8080:80"], "--listen localhost:8080:80: localhost is not an IPv4 address"],
    [["--listen", "127.0.0.256:8080"], "--listen 127.0.0.256:8080: 127.0.0.256 is not an IPv4 address"],
    [["--listen", "8080", "--listen", "8080:80"], "--listen 8080:80: 127.0.0.1:8080 is forwarded twice"],
    [["--net", "bridge"], "--net bridge: expected user, user:restrict, none or tap:IFNAME (an interface name of at most 15 letters, digits, '.', '_' or '-')"],
    [["--net", "tap:"], "--net tap:: expected user, user:restrict, none or tap:IFNAME (an interface name of at most 15 letters, digits, '.', '_' or '-')"],
    [["--net", "tap:tap0", "--listen", "8080"], "--listen 8080: host forwards need the user network, not --net tap:tap0"],
  ];
  for (const [args, message] of cases) {
    it(`wisp run ${args.join(" ")}: exit 2, one line, no build`, async () => {
      expect(await wisp("run", "--accel", "tcg", ...args)).toEqual({ status: 2, stdout: "", stderr: `wisp: ${message}\n` });
      expect(builds.count).toBe(0);
    });
  }

  it("a host port in use", async () => {
    const server = await listening();
    const port = (server.address() as { port: number }).port;
    try {
      const result = await wisp("run", "--accel", "tcg", "--listen", `${port}:80`);
      expect(result).toEqual({ status: 2, stdout: "", stderr: `wisp: --listen ${port}:80: 127.0.0.1:${port} is in use\n` });
      expect(builds.count).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    // Free again, the same port passes the check and the run goes on to the (stubbed) build.
    const after = await wisp("run", "--accel", "tcg", "--listen", `${port}:80`);
    expect(after).toEqual({ status: 1, stdout: "", stderr: "wisp: the test stub does not build\n" });
    expect(builds.count).toBe(1);
  });
});

/** A TCP server on a free port of 127.0.0.1. */
function listening(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen({ host: "127.0.0.1", port: 0 }, () => resolve(server));
  });
}
