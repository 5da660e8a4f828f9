// The QEMU command line for a Wisp kernel.
//
// x86_64: -M microvm with qboot (the fast path) or -M q35 with its default
// firmware; the isa-debug-exit device carries the exit status. aarch64: -M
// virt with a Cortex-A72, semihosting for the exit status. Serial goes to
// stdio; -no-reboot turns a guest reset into a QEMU exit. Devices are
// virtio: disks (raw images as virtio-blk), an entropy device, 9p shares and
// network devices (QEMU's user network with host forwards, or a tap
// interface). They are virtio-mmio on microvm and virt (in their modern
// version 2 form: QEMU's default is legacy), modern virtio-pci on q35. A
// microvm with any of them runs with acpi=off: only then does QEMU name its
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
  /** Network devices (virtio-net), eth0, eth1, ... in this order. */
  nets?: Net[];
  /** Record every frame of the (first) network device in this pcap file (QEMU's filter-dump). */
  pcap?: string;
}

/** A TCP port of the host QEMU forwards to a port of the guest (the user network's hostfwd). */
export interface HostForward {
  hostAddress: string;
  hostPort: number;
  guestPort: number;
}

/**
 * What a network device is plugged into: QEMU's user network (slirp: the
 * guest is 10.0.2.15/24 behind a NAT, the gateway 10.0.2.2), with its host
 * forwards, or an existing host tap interface.
 */
export type Net = { kind: "user"; forwards: HostForward[]; restrict?: boolean } | { kind: "tap"; ifname: string };

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

/** What a virtio-pci device needs to be modern only (the kernel drives virtio 1.x devices only). */
const MODERN_PCI = ",disable-legacy=on,disable-modern=off";

/** -drive and -device arguments for `disks` on `machine`. */
export function diskArguments(machine: Machine, disks: Disk[]): string[] {
  if (disks.length === 0) return [];
  const device = machine === "q35" ? "virtio-blk-pci" : "virtio-blk-device";
  const modern = machine === "q35" ? MODERN_PCI : "";
  const args: string[] = [];
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
  const devices = virtioArguments(options);
  if (options.arch === "x86_64") {
    const firmware = options.machine === "microvm" ? ["-bios", QBOOT] : [];
    // TCG's default model (qemu64) lacks SSE4.2, whose crc32 instruction checks ROFS images, and 1 GiB pages,
    // which map device space in a few entries; x86_64 CPUs of the last decade have both, as KVM's "host" does.
    const cpu = ["-cpu", options.accel === "kvm" ? "host" : "qemu64,+sse4.2,+pdpe1gb"];
    // microvm names its virtio-mmio devices on the kernel command line only without ACPI (with ACPI, in the DSDT).
    const machine = options.machine === "microvm" && devices.length ? "microvm,acpi=off" : options.machine;
    return ["qemu-system-x86_64", "-M", machine, ...firmware, ...cpu, ...common,
      "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", ...devices];
  }
  const cpu = options.accel === "kvm" ? "host" : "cortex-a72";
  return ["qemu-system-aarch64", "-M", "virt", "-cpu", cpu, ...common,
    "-semihosting-config", "enable=on,target=native", ...devices];
}

/** Every virtio device's arguments; on virtio-mmio machines, behind the switch to its modern form. */
function virtioArguments(options: QemuOptions): string[] {
  const devices = [...diskArguments(options.machine, options.disks ?? []), ...rngArguments(options), ...shareArguments(options),
    ...netArguments(options.machine, options.nets ?? [], options.pcap)];
  if (devices.length === 0 || options.machine === "q35") return devices;
  return ["-global", "virtio-mmio.force-legacy=false", ...devices];
}

/** A virtio-rng device. */
function rngArguments(options: QemuOptions): string[] {
  if (!options.rng) return [];
  return ["-device", options.machine === "q35" ? `virtio-rng-pci${MODERN_PCI}` : "virtio-rng-device"];
}

/** virtio-9p devices over QEMU's local 9p server. */
function shareArguments(options: QemuOptions): string[] {
  const q35 = options.machine === "q35";
  return (options.shares ?? []).flatMap((share, index) => [
    "-fsdev", `local,id=share${index},path=${share.path.replace(/,/g, ",,")},security_model=none,multidevs=remap${share.readOnly ? ",readonly=on" : ""}`,
    "-device", q35 ? `virtio-9p-pci,fsdev=share${index},mount_tag=${share.tag}${MODERN_PCI}` : `virtio-9p-device,fsdev=share${index},mount_tag=${share.tag}`,
  ]);
}

/**
 * -netdev and -device arguments for `nets` on `machine`: virtio-net devices
 * net0, net1, ...; with `pcap`, net0's frames both ways are recorded there.
 */
export function netArguments(machine: Machine, nets: Net[], pcap?: string): string[] {
  return nets.flatMap((net, index) => {
    const id = `net${index}`;
    const backend = net.kind === "tap"
      ? `tap,id=${id},ifname=${net.ifname},script=no,downscript=no`
      : [`user,id=${id}`, ...(net.restrict ? ["restrict=on"] : []), ...net.forwards.map((forward) => `hostfwd=tcp:${forward.hostAddress}:${forward.hostPort}-:${forward.guestPort}`)].join(",");
    const dump = pcap !== undefined && index === 0 ? ["-object", `filter-dump,id=dump${index},netdev=${id},file=${pcap.replace(/,/g, ",,")}`] : [];
    return ["-netdev", backend, ...dump, "-device", machine === "q35" ? `virtio-net-pci,netdev=${id}${MODERN_PCI}` : `virtio-net-device,netdev=${id}`];
  });
}

/** Quotes a command for a POSIX shell, for --print-command. */
export function shellQuote(argv: string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(" ");
}
