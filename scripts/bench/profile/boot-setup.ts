// What `wisp bench profile` boots, and how: the kernel `wisp run` would boot
// (built if needed), with the hello app (modules/hello-c), other modules'
// image (--image) or an app (APP.wasm), under -icount shift=0 with
// `bootchart` on the command line, as `wisp run --icount --bootchart` does;
// then with QEMU logging every instruction it runs.
//
// Others may rebuild the kernel meanwhile, so kernel.elf, its link map and
// its wasm are copied together into the work directory under the build's
// own lock (scripts/build/lock.ts): the map read is the map of the kernel
// booted.

import { copyFileSync, existsSync } from "node:fs";
import { basename, join } from "node:path";
import { buildKernel } from "../../build";
import { withFileLock } from "../../build/lock";
import type { Arch } from "../../build/targets";
import { prepareAppImage } from "../../run/app";
import { kernelWithRoot } from "../../run/linked-image";
import { defaultMachine, qemuCommand, type Machine } from "../../run/qemu";
import { writeModuleImage } from "../../modules/write";

export interface ProfiledBoot {
  arch: Arch;
  machine: Machine;
  /** What runs: "modules hello-c", "app.wasm" */
  what: string;
  /** Whether an app runs (then counting ends at its _start). */
  runsApp: boolean;
  /** The copies of kernel.elf, kernel.map and kernel.wasm that were booted. */
  elf: string;
  map: string;
  wasm: string;
  /** The QEMU command, tracing every instruction into `trace`. */
  command: string[];
  trace: string;
}

/** Guest RAM unless --mem says otherwise. */
export const MEMORY = "64M";

/** Copies the built kernel's files into `work`, all from the same build. */
async function snapshotKernel(arch: Arch, work: string, log: (line: string) => void) {
  const built = await buildKernel({ arch, log });
  const files = [built.elf, built.map, built.wasm, ...(built.flat !== null ? [built.flat] : [])];
  await withFileLock(join(built.dir, "build.lock"), async () => {
    for (const file of files) copyFileSync(file, join(work, basename(file)));
  });
  const copy = (file: string) => join(work, basename(file));
  return { elf: copy(built.elf), map: copy(built.map), wasm: copy(built.wasm), flat: built.flat === null ? null : copy(built.flat) };
}

/** The boot to profile: modules `image` (names) or the app `appWasm`, on `arch`, its files in `work`. */
export async function profiledBoot(
  arch: Arch, image: string[], appWasm: string | undefined, work: string, log: (line: string) => void, memory = MEMORY,
): Promise<ProfiledBoot> {
  const kernel = await snapshotKernel(arch, work, log);
  const machine = defaultMachine(arch);
  let cmdline = "bootchart";
  let root: { kernel: string; initrd?: string };
  let runsApp: boolean;
  let what: string;
  if (appWasm !== undefined) {
    const app = await prepareAppImage({ wasm: appWasm, arch, args: [], env: [], dirs: [] });
    root = kernelWithRoot(arch, kernel.elf, app.path);
    runsApp = true;
    what = basename(appWasm);
  } else {
    const written = await writeModuleImage(image, arch);
    runsApp = written.image.app !== null;
    cmdline = [written.image.cmdline, cmdline].filter(Boolean).join(" ");
    // As wisp run: an app image linked into the kernel on aarch64; other images are an initrd (aarch64: with kernel.img).
    root = runsApp ? kernelWithRoot(arch, kernel.elf, written.path) : { kernel: arch === "aarch64" ? kernel.flat! : kernel.elf, initrd: written.path };
    what = `modules ${image.join(",")}`;
  }
  if (runsApp) cmdline = `console=streams quiet ${cmdline}`;
  if (root.initrd !== undefined && !existsSync(root.initrd)) throw new Error(`${root.initrd}: the image was not written`);
  const trace = join(work, "exec.log");
  const command = [
    ...qemuCommand({ arch, machine, accel: "tcg", memory, icount: true, rng: runsApp, cmdline, ...root }),
    // QEMU 7.2 spelling (later: -accel tcg,one-insn-per-tb=on): one instruction per block, each block logged as it runs.
    "-singlestep", "-d", "exec,nochain", "-D", trace,
  ];
  return { arch, machine, what, runsApp, elf: kernel.elf, map: kernel.map, wasm: kernel.wasm, command, trace };
}
