// The QEMU command line for a Wisp kernel.
//
// x86_64: -M microvm with qboot (the fast path) or -M q35 with its default
// firmware; the isa-debug-exit device carries the exit status. aarch64: -M
// virt with a Cortex-A72, semihosting for the exit status. Serial goes to
// stdio; -no-reboot turns a guest reset into a QEMU exit. Disks are raw
// images as virtio-blk devices: virtio-mmio on microvm and virt (in their
// modern version 2 form: QEMU's default is legacy), modern virtio-pci on q35.
// A microvm with disks runs with acpi=off: only then does QEMU name its
// virtio-mmio devices on the kernel command line (Wisp reads no ACPI tables).

import type { Arch } from "../build/targets";
import type { Accel } from "./accel";
import { UsageError } from "../cli/errors";

export type Machine = "microvm" | "q35" | "virt";

/** The machines each architecture boots on, its default first. */
export const MACHINES: Record<Arch, Machine[]> = { x86_64: ["microvm", "q35"], aarch64: ["virt"] };

export interface QemuOptions {
  arch: Arch;
  kernel: string;
  memory: string;
  accel: Accel;
  machine: Machine;
  cmdline: string;
  /** Run with -icount shift=0,sleep=off: guest time counts instructions. */
  icount?: boolean;
  /**
   * With icount, sleep=on: while the guest halts its clock runs at the
   * host's pace instead of jumping to the next deadline, so the guest's own
   * timeouts (a 9p request's 60 s) do not expire while it waits for the
   * host. Guest time is then instructions only while busy (kernel/sched
   * idleTicks says how long it was not).
   */
  icountSleep?: boolean;
  /** Raw disk images, attached as virtio-blk in this order (the guest's vda, vdb, ...). */
  disks?: Disk[];
  /** A file loaded as the initrd (x86_64: the PVH module the kernel takes its root from). */
  initrd?: string;
  /** Attach a virtio entropy device (apps' random_get). */
  rng?: boolean;
  /** Host directories served by QEMU's 9p server, one virtio-9p device each. */
  shares?: Share[];
}

export interface Share {
  /** The host directory. */
  path: string;
  /** The mount tag the guest sees. */
  tag: string;
  readOnly: boolean;
}

export interface Disk {
  /** A raw image, or any QEMU block filename such as blkdebug:RULES:IMAGE. */
  file: string;
  readOnly: boolean;
}

/** Parses `FILE[,ro]` as given to wisp run --disk. */
export function parseDisk(spec: string): Disk {
  const readOnly = spec.endsWith(",ro");
  const file = readOnly ? spec.slice(0, -3) : spec;
  if (!file) throw new Error(`--disk needs a file name: '${spec}'`);
  return { file, readOnly };
}

/** -drive and -device arguments for `disks` on `machine`. */
export function diskArguments(machine: Machine, disks: Disk[]): string[] {
  if (disks.length === 0) return [];
  const device = machine === "q35" ? "virtio-blk-pci" : "virtio-blk-device";
  const modern = machine === "q35" ? ",disable-legacy=on,disable-modern=off" : "";
  const args = machine === "q35" ? [] : ["-global", "virtio-mmio.force-legacy=false"];
  disks.forEach((disk, index) => {
    const id = `disk${index}`;
    // QEMU option values escape a comma by doubling it.
    const file = disk.file.replace(/,/g, ",,");
    args.push("-drive", `if=none,id=${id},format=raw,file=${file}${disk.readOnly ? ",readonly=on" : ""}`);
    args.push("-device", `${device},drive=${id}${modern}`);
  });
  return args;
}

export const QBOOT = "/usr/share/qemu/qboot.rom";

export function defaultMachine(arch: Arch): Machine {
  return MACHINES[arch][0];
}

/** `name` as a machine for `arch`; anything else is a bad invocation (UsageError), found before a build. */
export function parseMachine(name: string, arch: Arch): Machine {
  const machines = MACHINES[arch];
  const machine = machines.find((known) => known === name);
  if (machine === undefined) throw new UsageError(`machine '${name}' is not available on ${arch} (use ${machines.join(" or ")})`);
  return machine;
}

export function qemuCommand(options: QemuOptions): string[] {
  const common = [
    "-m", options.memory, "-smp", "1", "-accel", options.accel,
    "-nodefaults", "-no-user-config", "-display", "none", "-serial", "stdio", "-no-reboot",
    ...(options.icount ? ["-icount", `shift=0,sleep=${options.icountSleep ? "on" : "off"}`] : []),
    "-kernel", options.kernel, "-append", options.cmdline,
    ...(options.initrd ? ["-initrd", options.initrd] : []),
  ];
  parseMachine(options.machine, options.arch);
  if (options.arch === "x86_64") {
    const firmware = options.machine === "microvm" ? ["-bios", QBOOT] : [];
    const cpu = options.accel === "kvm" ? ["-cpu", "host"] : [];
    // microvm names its virtio-mmio devices on the kernel command line only without ACPI (with ACPI, in the DSDT).
    const virtioMmio = options.machine === "microvm" && (options.disks?.length || options.rng || options.shares?.length);
    const machine = virtioMmio ? "microvm,acpi=off" : options.machine;
    return ["qemu-system-x86_64", "-M", machine, ...firmware, ...cpu, ...common,
      "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", ...diskArguments(options.machine, options.disks ?? []),
      ...rngArguments(options), ...shareArguments(options)];
  }
  const cpu = options.accel === "kvm" ? "host" : "cortex-a72";
  return ["qemu-system-aarch64", "-M", "virt", "-cpu", cpu, ...common,
    "-semihosting-config", "enable=on,target=native", ...diskArguments(options.machine, options.disks ?? []),
    ...rngArguments(options), ...shareArguments(options)];
}

/** A virtio-rng device, modern virtio-mmio or virtio-pci like the disks. */
function rngArguments(options: QemuOptions): string[] {
  if (!options.rng) return [];
  if (options.machine === "q35") return ["-device", "virtio-rng-pci,disable-legacy=on,disable-modern=off"];
  const forceModern = options.disks?.length ? [] : ["-global", "virtio-mmio.force-legacy=false"];
  return [...forceModern, "-device", "virtio-rng-device"];
}

/** virtio-9p devices over QEMU's local 9p server, modern virtio-mmio or virtio-pci like the disks. */
function shareArguments(options: QemuOptions): string[] {
  const shares = options.shares ?? [];
  if (shares.length === 0) return [];
  const q35 = options.machine === "q35";
  const forceModern = q35 || options.disks?.length || options.rng ? [] : ["-global", "virtio-mmio.force-legacy=false"];
  return [...forceModern, ...shares.flatMap((share, index) => [
    "-fsdev", `local,id=share${index},path=${share.path.replace(/,/g, ",,")},security_model=none,multidevs=remap${share.readOnly ? ",readonly=on" : ""}`,
    "-device", q35
      ? `virtio-9p-pci,fsdev=share${index},mount_tag=${share.tag},disable-legacy=on,disable-modern=off`
      : `virtio-9p-device,fsdev=share${index},mount_tag=${share.tag}`,
  ])];
}

/** Quotes a command for a POSIX shell, for --print-command. */
export function shellQuote(argv: string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(" ");
}
