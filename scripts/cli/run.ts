// wisp run: build if needed, boot in QEMU, exit with the kernel's status.
// With an app (wisp run app.wasm [-- args]): compile it, build its image,
// boot, stream its stdout and stderr apart, and exit with its own status.

import { parseArgs } from "node:util";
import { buildKernel, parseProfile, withTests } from "../build";
import { parseArch } from "../build/targets";
import { chooseAccel } from "../run/accel";
import { boot } from "../run";
import { EXIT_NO_STATUS, EXIT_QEMU_FAILED, EXIT_TIMEOUT } from "../run/exit-status";
import { parseMemorySize } from "../run/memory-size";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { type Share, defaultMachine, parseMachine, qemuCommand, shellQuote, parseDisk } from "../run/qemu";
import { UsageError } from "./errors";
import { writeModuleImage } from "../modules/write";
import { minimumMemoryKib } from "../run/image-extent";
import type { AppImage } from "../run/app";
import { prepareAppImage, parseMappedDirectory, parseEnvironment } from "../run/app";
import { parseMount } from "../run/mounts";
import { StreamDecoder } from "../run/streams";
import { kernelWithRoot } from "../run/linked-image";
import { checkHostPorts, networkDevices, networkKernelOptions } from "../run/network";
import { parseBootChart, stagesIn } from "../bench/bootchart";
import { bootChartSvg } from "../bench/bootchart-svg";

/** `HOST:TAG[:ro]` as given to --share: HOST must be a directory, TAG a plain name. */
function parseShare(spec: string): Share {
  const readOnly = spec.endsWith(":ro");
  const body = readOnly ? spec.slice(0, -3) : spec;
  const colon = body.lastIndexOf(":");
  const path = colon > 0 ? body.slice(0, colon) : "";
  const tag = colon > 0 ? body.slice(colon + 1) : "";
  if (!path || !/^[A-Za-z0-9_.-]{1,31}$/.test(tag)) throw new UsageError(`--share needs HOST:TAG[:ro] with a tag of letters, digits, '.', '_' or '-': '${spec}'`);
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new UsageError(`--share ${path}: not a directory`);
  return { path: resolve(path), tag, readOnly };
}

/** Kernel options only the test profile knows (kernel/init/tests.ts). */
const TEST_OPTION = /(^|\s)(selftest=|[a-z]+-bench=|blk-write(\s|=|$))/;

/** RAM the kernel needs past its image at boot (its runtime arena's first window). */
const BOOT_HEADROOM_KIB = 64;

const HELP = `usage: wisp run [options]
       wisp run [options] APP.wasm [--dir HOST:GUEST[:ro|:copy|:image]]... [--env K=V]... [-- ARGS...]

  --arch A            x86_64 (default) or aarch64
  --mem SIZE          guest memory, e.g. 64M, 2MiB (default 64M, at least 1M); with
                      an app, at least what holds the kernel, the app's image
                      and the linear memory its module declares at start
                      (a smaller one is refused, naming the least)
  --accel A           auto (default: KVM only if hardware-backed), kvm or tcg
  --machine M         microvm (default on x86_64) or q35; virt on aarch64
  --cmdline TEXT      kernel command line (see docs/kernel-options.md)
  --bootchart         print the boot chart (adds 'bootchart' to the command line)
  --bootchart=FILE.svg  print it and draw it as a timeline in FILE.svg (µs, or
                      instructions with --icount)
  --timeout SECONDS   kill the guest if it has not powered off by then (default: none)
  --debug             boot the debug build
  --profile P         the kernel's build profile: default, test, cooperative, or
                      several joined with + (see wisp build); test is added
                      when --cmdline asks for a self-test or a benchmark
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
  --rng               attach a virtio-rng device (the kernel's entropy source; always on for apps)
  --share HOST:TAG[:ro]  serve the host directory HOST over QEMU's 9p server as a
                      virtio-9p device with mount tag TAG (read-only with :ro);
                      repeatable. An image mounts it with the fstab line
                      '9p TAG PATH' (or '9p TAG PATH ro')
  --listen [HOSTADDR:]HOSTPORT[:GUESTPORT]
                      forward the host's TCP port HOSTPORT (on HOSTADDR, default
                      127.0.0.1) to the guest's GUESTPORT (default HOSTPORT)
                      over QEMU's user network: a virtio-net device, the guest
                      at 10.0.2.15 behind the gateway 10.0.2.2. Repeatable. A
                      host port in use is refused before QEMU starts
  --net user          attach the user network without forwards: the guest can
                      reach the host's loopback as 10.0.2.2, its name server
                      as 10.0.2.3, and whatever the host can reach
  --net user:restrict the user network cut off from the host and the outside
                      (QEMU's restrict=on): only --listen forwards get in
  --net none          no network at all
  --net tap:IFNAME    attach the existing host tap interface IFNAME instead
  --pcap FILE         record every frame the (first) network device sends and
                      receives in FILE (pcap: tcpdump -r FILE, wireshark)
  --print-command     print the QEMU command line and exit

With an app (a WASI preview 1 command module):
  --dir HOST:GUEST    give the app the host directory HOST at GUEST (may be /),
                      live: QEMU serves it over 9p, so what the app writes
                      reaches HOST at once, and what the host changed before
                      the app looks is what the app sees. Repeatable.
                      HOST:GUEST:ro shares it read-only: every write fails
                      with EROFS (and QEMU refuses writes too).
                      HOST:GUEST:copy copies HOST into the image instead: the
                      app may change its copy (a RAMFS), but nothing reaches
                      the host. HOST:GUEST:image gives the app the image's
                      own copy, read-only (EROFS), read in place
  --mount TYPE:SOURCE:GUEST
                      give the app a filesystem served by a filesystem module
                      (docs/modules.md) at GUEST: the image carries the module
                      serving TYPE (fs/TYPE, or --fs-module) and mounts SOURCE
                      with it (zfs:tank/data:/data reads dataset tank/data from
                      the pools on the --disk images). Repeatable
  --fs-module PATH    the filesystem module serving a --mount's type (a folder
                      with module.ts, an AssemblyScript entry or a .wasm; its
                      name is the type). Repeatable
  --env NAME=VALUE    an environment variable for the app. Repeatable
  --verbose           show the kernel's own messages (on stderr)
  ARGS                the app's arguments (argv[0] is the wasm file's name)

The exit status is the kernel's, or the app's own when an app runs; 124 means
the timeout killed the guest, 125 that QEMU failed or the guest stopped
without reporting a status.`;

/**
 * Refuses a --mem that cannot hold the app: the kernel's own need, the
 * image (in memory: an initrd, or linked into the kernel), and the linear
 * memory the wasm module declares at start. The kernel maps that memory
 * on first touch (docs/loader.md), but a page the app may touch must be
 * there to take.
 */
function checkAppMemory(given: string, memoryKib: number, kernelKib: number, app: AppImage): void {
  const linearKib = app.build.report.linearMemory.initialPages * 64;
  const neededKib = kernelKib + Math.ceil(app.bytes / 1024) + linearKib;
  if (memoryKib >= neededKib) return;
  const mib = (kib: number) => Math.ceil(kib / 1024);
  throw new UsageError(
    `--mem ${given} is too small for this app: its linear memory starts at ${mib(linearKib)} MiB ` +
      `(${app.build.report.linearMemory.initialPages} wasm pages), its image is ${mib(Math.ceil(app.bytes / 1024))} MiB and the kernel needs ${mib(kernelKib)} MiB: ` +
      `give --mem ${mib(neededKib)}M or more`,
  );
}

export async function runCommand(argv: string[]): Promise<number> {
  // --bootchart=FILE: the chart printed and drawn (parseArgs has no optional values).
  const svgArgument = argv.find((argument) => argument.startsWith("--bootchart="));
  const svgPath = svgArgument?.slice("--bootchart=".length);
  if (svgPath === "") throw new UsageError("--bootchart= needs a file name, e.g. --bootchart=boot.svg");
  const { values, positionals } = parse(argv.map((argument) => (argument === svgArgument ? "--bootchart" : argument)));
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const arch = parseArch(values.arch ?? "x86_64");
  const memoryKib = parseMemorySize(values.mem ?? "64M");
  const timeout = Number(values.timeout ?? "0");
  if (!Number.isFinite(timeout) || timeout < 0) throw new UsageError(`--timeout needs a number of seconds, not '${values.timeout}'`);
  const machine = values.machine === undefined ? defaultMachine(arch) : parseMachine(values.machine, arch);
  let cmdline = [values.cmdline ?? "", values.bootchart ? "bootchart" : ""].filter(Boolean).join(" ");
  const choice = chooseAccel(values.accel ?? "auto", arch);
  const listens = values.listen ?? [];
  const nets = networkDevices(values.net, listens);
  if (values.pcap !== undefined && nets.length === 0) throw new UsageError("--pcap records a network device's frames: add --listen or --net");
  if (!values["print-command"]) await checkHostPorts(listens);
  cmdline = [cmdline, ...networkKernelOptions(nets, cmdline)].filter(Boolean).join(" ");

  // Self-test and benchmark options exist only in kernels built with the test profile: add it when they are asked for.
  const requested = parseProfile(values.profile ?? "default");
  const profile = TEST_OPTION.test(cmdline) ? withTests(requested) : requested;
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
  const shares = (values.share ?? []).map(parseShare);
  let initrd = values.initrd;
  if (initrd !== undefined && values.image !== undefined) throw new UsageError("--initrd and --image both name the root image: give one");
  const appWasm = positionals[0];
  let runsApp = appWasm !== undefined;
  if (appWasm === undefined && (values.dir?.length || values.env?.length || values.mount?.length || values["fs-module"]?.length)) {
    throw new UsageError("--dir, --mount, --fs-module and --env need an app: wisp run APP.wasm ...");
  }
  if (appWasm !== undefined) {
    if (initrd !== undefined || values.image !== undefined) throw new UsageError("an app brings its own image: drop --initrd/--image");
    const app = await prepareAppImage({
      wasm: appWasm, arch, args: positionals.slice(1),
      env: (values.env ?? []).map(parseEnvironment), dirs: (values.dir ?? []).map(parseMappedDirectory),
      mounts: (values.mount ?? []).map(parseMount), fsModules: values["fs-module"] ?? [],
    });
    initrd = app.path;
    if (!values["print-command"]) checkAppMemory(values.mem ?? "64M", memoryKib, minimumMemoryKib(elf, arch, BOOT_HEADROOM_KIB), app);
    for (const share of app.shares) {
      if (shares.some((given) => given.tag === share.tag)) throw new UsageError(`--share: the tag ${share.tag} is --dir's own; choose another`);
      shares.push(share);
    }
  }
  if (values.image !== undefined) {
    const names = values.image.split(",").map((name) => name.trim()).filter(Boolean);
    if (names.length === 0) throw new UsageError("--image needs a comma-separated list of modules");
    const written = await writeModuleImage(names, arch);
    cmdline = [written.image.cmdline, cmdline].filter(Boolean).join(" ");
    initrd = written.path;
    runsApp = written.image.app !== null;
  }
  // An app's output is the point: its stdout alone on stdout, kernel messages on stderr (--verbose: all of them).
  if (runsApp) cmdline = ["console=streams", values.verbose ? "" : "quiet", cmdline].filter(Boolean).join(" ");
  if (initrd !== undefined && runsApp && !values["print-command"]) {
    // An app image: linked into the kernel on aarch64, so that 2 MiB of RAM can run it (run/linked-image.ts).
    ({ kernel, initrd } = kernelWithRoot(arch, elf, initrd));
  } else if (initrd !== undefined) {
    if (!existsSync(initrd)) throw new UsageError(`--initrd ${initrd}: no such file`);
    if (arch === "aarch64") kernel = elf.replace(/\.elf$/, ".img");
  }
  const command = qemuCommand({
    arch, kernel, memory: `${memoryKib}K`, accel: choice.accel, machine, cmdline, icount: values.icount, disks, initrd,
    rng: values.rng || runsApp, shares, nets, pcap: values.pcap,
  });
  if (values["print-command"]) {
    console.log(shellQuote(command));
    return 0;
  }
  if (!runsApp || values.verbose) process.stderr.write(`wisp: ${arch} on ${machine}, accelerator ${choice.accel} (${choice.reason})\n`);

  // A reader that goes away (wisp run ... | head) ends the output, not wisp: the guest runs on to its end.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
    });
  }
  let kernelText = "";
  const decoder = !runsApp ? undefined : new StreamDecoder([
    (bytes) => {
      if (svgPath !== undefined) kernelText += Buffer.from(bytes).toString("utf8");
      process.stderr.write(bytes);
    },
    (bytes) => void process.stdout.write(bytes),
    (bytes) => void process.stderr.write(bytes),
  ]);
  const run = await boot(command, { timeout, stream: decoder === undefined, onOutput: decoder ? (chunk) => decoder.push(chunk) : undefined });
  if (svgPath !== undefined) drawBootChart(svgPath, decoder ? kernelText : run.output, arch, machine, values.icount);
  switch (run.outcome.kind) {
    case "status":
      return decoder?.exitStatus ?? run.outcome.status;
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

/** Writes the boot chart the kernel printed as an SVG timeline, or says why there is none. */
function drawBootChart(path: string, output: string, arch: string, machine: string, icount: boolean): void {
  const chart = parseBootChart(output);
  if (chart === null) {
    process.stderr.write(`wisp: the kernel printed no boot chart; ${path} not written\n`);
    return;
  }
  writeFileSync(path, bootChartSvg({
    title: `Wisp boot, ${arch} ${machine}${icount ? " (-icount)" : ""}`,
    unit: icount ? "instructions" : "µs",
    stages: stagesIn(chart, icount),
  }));
  process.stderr.write(`wisp: boot chart drawn in ${path}\n`);
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        dir: { type: "string", multiple: true },
        mount: { type: "string", multiple: true },
        "fs-module": { type: "string", multiple: true },
        env: { type: "string", multiple: true },
        verbose: { type: "boolean", default: false },
        rng: { type: "boolean", default: false },
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
        share: { type: "string", multiple: true },
        listen: { type: "string", multiple: true },
        net: { type: "string" },
        pcap: { type: "string" },
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
