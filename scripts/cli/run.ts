// wisp run: build if needed, boot in QEMU, exit with the kernel's status.

import { parseArgs } from "node:util";
import { buildKernel, parseProfile } from "../build";
import { parseArch } from "../build/targets";
import { chooseAccel } from "../run/accel";
import { boot } from "../run";
import { EXIT_NO_STATUS, EXIT_QEMU_FAILED, EXIT_TIMEOUT } from "../run/exit-status";
import { parseMemorySize } from "../run/memory-size";
import { existsSync } from "node:fs";
import { Machine, defaultMachine, qemuCommand, shellQuote, parseDisk } from "../run/qemu";
import { UsageError } from "./errors";
import { writeModuleImage } from "../modules/write";
import { minimumMemoryKib } from "../run/image-extent";

/** RAM the kernel needs past its image at boot (its runtime arena's first window). */
const BOOT_HEADROOM_KIB = 64;

const HELP = `usage: wisp run [options]

  --arch A            x86_64 (default) or aarch64
  --mem SIZE          guest memory, e.g. 64M, 2MiB (default 64M, at least 1M)
  --accel A           auto (default: KVM only if hardware-backed), kvm or tcg
  --machine M         microvm (default on x86_64) or q35; virt on aarch64
  --cmdline TEXT      kernel command line (see docs/kernel-options.md)
  --bootchart         print the boot chart (adds 'bootchart' to the command line)
  --timeout SECONDS   kill the guest if it has not powered off by then (default: none)
  --debug             boot the debug build
  --profile P         boot the default or the cooperative build (see wisp build)
  --icount            guest time counts instructions (-icount shift=0,sleep=off):
                      timing inside the guest becomes exact and repeatable
  --disk FILE[,ro]    attach a raw image as a virtio-blk disk (read-only with ,ro);
                      repeatable: vda, vdb, ... in order. virtio-mmio on microvm
                      and virt, virtio-pci on q35. FILE may be any QEMU block
                      filename, e.g. blkdebug:RULES.conf:disk.img to inject errors
  --initrd IMAGE      boot with a ROFS image as the initrd: the root filesystem,
                      used in place (aarch64 then boots the kernel's arm64
                      Image form, kernel.img: QEMU gives an initrd only to that)
  --image M,...       build a ROFS image from modules M (see wisp modules) and
                      boot with it as the initrd; the modules' kernel options
                      are added to the command line
  --print-command     print the QEMU command line and exit

The exit status is the kernel's; 124 means the timeout killed the guest, 125
that QEMU failed or the guest stopped without reporting a status.`;

export async function runCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const arch = parseArch(values.arch ?? "x86_64");
  const memoryKib = parseMemorySize(values.mem ?? "64M");
  const timeout = Number(values.timeout ?? "0");
  if (!Number.isFinite(timeout) || timeout < 0) throw new UsageError(`--timeout needs a number of seconds, not '${values.timeout}'`);
  const machine = (values.machine ?? defaultMachine(arch)) as Machine;
  let cmdline = [values.cmdline ?? "", values.bootchart ? "bootchart" : ""].filter(Boolean).join(" ");
  const choice = chooseAccel(values.accel ?? "auto", arch);

  const profile = parseProfile(values.profile ?? "default");
  const built = values["print-command"] ? null : await buildKernel({ arch, debug: values.debug, profile, log: () => {} });
  const elf = built ? built.elf : (await import("../build")).buildDir(arch, values.debug, profile) + "/kernel.elf";
  let kernel = elf;
  if (!values["print-command"]) {
    const needed = minimumMemoryKib(elf, arch, BOOT_HEADROOM_KIB);
    if (memoryKib < needed) {
      throw new UsageError(`--mem ${values.mem} is too small: the ${arch} kernel image alone needs ${Math.ceil(needed / 1024)} MiB`);
    }
  }
  const disks = (values.disk ?? []).map((spec) => {
    try {
      return parseDisk(spec);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  });
  for (const disk of disks) {
    if (!disk.file.includes(":") && !existsSync(disk.file)) throw new UsageError(`--disk ${disk.file}: no such file`);
  }
  let initrd = values.initrd;
  if (initrd !== undefined && values.image !== undefined) throw new UsageError("--initrd and --image both name the root image: give one");
  if (values.image !== undefined) {
    const names = values.image.split(",").map((name) => name.trim()).filter(Boolean);
    if (names.length === 0) throw new UsageError("--image needs a comma-separated list of modules");
    const written = writeModuleImage(names);
    cmdline = [written.image.cmdline, cmdline].filter(Boolean).join(" ");
    initrd = written.path;
  }
  if (initrd !== undefined) {
    if (!existsSync(initrd)) throw new UsageError(`--initrd ${initrd}: no such file`);
    if (arch === "aarch64") kernel = elf.replace(/\.elf$/, ".img");
  }
  const command = qemuCommand({ arch, kernel, memory: `${memoryKib}K`, accel: choice.accel, machine, cmdline, icount: values.icount, disks, initrd });
  if (values["print-command"]) {
    console.log(shellQuote(command));
    return 0;
  }
  process.stderr.write(`wisp: ${arch} on ${machine}, accelerator ${choice.accel} (${choice.reason})\n`);

  const run = await boot(command, { timeout, stream: true });
  switch (run.outcome.kind) {
    case "status":
      return run.outcome.status;
    case "timeout":
      process.stderr.write(`wisp: the guest did not power off within ${timeout} s; QEMU was killed\n`);
      return EXIT_TIMEOUT;
    case "no-status":
      process.stderr.write("wisp: the guest stopped without reporting an exit status (reset or triple fault)\n");
      return EXIT_NO_STATUS;
    case "qemu-failed":
      process.stderr.write(`wisp: QEMU failed (exit code ${run.outcome.code}):\n${run.qemuErrors}`);
      return EXIT_QEMU_FAILED;
  }
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        arch: { type: "string" },
        mem: { type: "string" },
        accel: { type: "string" },
        machine: { type: "string" },
        cmdline: { type: "string" },
        bootchart: { type: "boolean", default: false },
        timeout: { type: "string" },
        debug: { type: "boolean", default: false },
        profile: { type: "string" },
        icount: { type: "boolean", default: false },
        disk: { type: "string", multiple: true },
        initrd: { type: "string" },
        image: { type: "string" },
        "print-command": { type: "boolean", default: false },
        help: { type: "boolean" },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${HELP}`);
  }
}
