// The Linux microVM row: Debian's cloud kernel and a busybox initramfs
// (linux-image.ts) on the machine Wisp boots on, microvm with qboot, with
// the vmlinux ELF loaded through its PVH note like Wisp's kernel.elf.
//
// Facts found by trying (QEMU 7.2, Linux 6.1, TCG):
// - -cpu adds +ssse3 to Wisp's qemu64,+sse4.2,+pdpe1gb: busybox-static's
//   glibc picks SSE4.2 string functions that also use SSSE3 instructions, and
//   without SSSE3 /init dies of SIGILL. Every CPU with SSE4.2 has SSSE3.
// - tsc_early_khz: under TCG, calibrating the TSC against the PIT sometimes
//   hangs; a given frequency skips the calibration. 2 GHz is about the host
//   TSC that TCG's rdtsc reads on the machines we measure on; a wrong guess
//   only skews the guest's clock, not when QEMU exits.
// - reboot=t: /init reboots (poweroff only halts without ACPI); Linux then
//   resets by triple fault, and -no-reboot makes the reset QEMU's exit.
// - panic=-1: a panic (too little RAM, no init) resets at once instead of
//   hanging; it prints no LINUX_UP_LINE, so it counts as a failed boot.
// - no acpi=off for Linux: with it, /init's output never reaches the serial
//   console (its interrupt is not routed) and the boot hangs.
// - about 70 MiB of RAM: the 50 MiB vmlinux is loaded whole, then unpacks
//   the initramfs beside itself. Below that QEMU exits silently or Linux
//   panics.

import { boot } from "../../run";
import { QBOOT, shellQuote } from "../../run/qemu";
import { LinuxImage, LINUX_UP_LINE } from "./linux-image";
import { BOOT_TIMEOUT_S, failure, howItEnded, Peer } from "./peer";

export const LINUX_CMDLINE = "console=ttyS0 reboot=t panic=-1 tsc_early_khz=2000000 quiet";
const LINUX_MEMORY = { lowKib: 16 << 10, highKib: 256 << 10, stepKib: 1024 };

export function linuxCommand(image: LinuxImage, kib: number): string[] {
  return [
    "qemu-system-x86_64", "-M", "microvm,acpi=off", "-bios", QBOOT, "-cpu", "qemu64,+ssse3,+sse4.2,+pdpe1gb",
    "-m", `${kib}K`, "-smp", "1", "-accel", "tcg", "-nodefaults", "-no-user-config", "-display", "none",
    "-serial", "stdio", "-no-reboot", "-kernel", image.vmlinux, "-initrd", image.initramfs, "-append", LINUX_CMDLINE,
  ];
}

export function linuxPeer(image: LinuxImage, memoryKib: number): Peer {
  const kernelPackage = image.packages.find((name) => name.startsWith("linux-image-"))?.split("_")[0] ?? "linux-image";
  return {
    name: "linux",
    what: `Linux microVM: ${kernelPackage} as vmlinux, busybox-static initramfs`,
    files: [image.vmlinux, image.initramfs],
    commandLine: shellQuote(linuxCommand(image, memoryKib)),
    memory: LINUX_MEMORY,
    async boot(kib = memoryKib) {
      const run = await boot(linuxCommand(image, kib), { timeout: BOOT_TIMEOUT_S, stream: false });
      // The reset QEMU exits on is status 0 with no guest status (decodeExitCode's no-status).
      if (run.outcome.kind === "no-status" && run.output.includes(LINUX_UP_LINE)) return { ok: true, wallMs: run.wallMs };
      return failure(`'${LINUX_UP_LINE}' and a reset`, howItEnded(run), run.output, run.qemuErrors);
    },
  };
}
