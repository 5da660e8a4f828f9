// The QEMU command line for a Wisp kernel.
//
// x86_64: -M microvm with qboot (the fast path) or -M q35 with its default
// firmware; the isa-debug-exit device carries the exit status. aarch64: -M
// virt with a Cortex-A72, semihosting for the exit status. Serial goes to
// stdio; -no-reboot turns a guest reset into a QEMU exit.

import type { Arch } from "../build/targets";
import type { Accel } from "./accel";

export type Machine = "microvm" | "q35" | "virt";

export interface QemuOptions {
  arch: Arch;
  kernel: string;
  memory: string;
  accel: Accel;
  machine: Machine;
  cmdline: string;
  /** Run with -icount shift=0,sleep=off: guest time counts instructions. */
  icount?: boolean;
}

export const QBOOT = "/usr/share/qemu/qboot.rom";

export function defaultMachine(arch: Arch): Machine {
  return arch === "x86_64" ? "microvm" : "virt";
}

export function qemuCommand(options: QemuOptions): string[] {
  const common = [
    "-m", options.memory, "-smp", "1", "-accel", options.accel,
    "-nodefaults", "-no-user-config", "-display", "none", "-serial", "stdio", "-no-reboot",
    ...(options.icount ? ["-icount", "shift=0,sleep=off"] : []),
    "-kernel", options.kernel, "-append", options.cmdline,
  ];
  if (options.arch === "x86_64") {
    if (options.machine !== "microvm" && options.machine !== "q35") {
      throw new Error(`machine '${options.machine}' is not available on x86_64 (use microvm or q35)`);
    }
    const firmware = options.machine === "microvm" ? ["-bios", QBOOT] : [];
    const cpu = options.accel === "kvm" ? ["-cpu", "host"] : [];
    return ["qemu-system-x86_64", "-M", options.machine, ...firmware, ...cpu, ...common,
      "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"];
  }
  if (options.machine !== "virt") throw new Error(`machine '${options.machine}' is not available on aarch64 (use virt)`);
  const cpu = options.accel === "kvm" ? "host" : "cortex-a72";
  return ["qemu-system-aarch64", "-M", "virt", "-cpu", cpu, ...common,
    "-semihosting-config", "enable=on,target=native"];
}

/** Quotes a command for a POSIX shell, for --print-command. */
export function shellQuote(argv: string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(" ");
}
