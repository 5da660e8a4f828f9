// The kernel build: AssemblyScript to a bootable ELF, one architecture at a time.
//
//   asc       kernel/init/<arch>.ts -> kernel.wasm    (kernel runtime, static data at the arch's memoryBase;
//                                                    the profile's constants, scripts/build/profiles.ts)
//   wasm-opt  kernel.wasm         -> kernel.opt.wasm
//   wasm2c    kernel.opt.wasm     -> gen/kernel.c, gen/kernel.h
//   clang     C runtime + stubs   -> obj/*.o          (freestanding, in parallel)
//   ld.lld    objects + script    -> kernel.elf       (the static data linked in place, the image right after it)
//
// Every stage records a hash of its inputs and is skipped when they have not
// changed. Release builds optimise for speed and size and strip symbols; debug
// builds keep symbols and debug info and go to build/<arch>-debug/.

import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { basename, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { hashInputs, isFresh, recordFresh } from "./cache";
import { ROOT, kernelSources } from "./files";
import { Arch, TARGETS, commonC } from "./targets";
import { asc, inParallel, tool } from "./tools";
import { staticDataEnd, mergeDataSegments, linkStaticDataInPlace, dataSegments } from "./wasm-data";
import { withFileLock } from "./lock";
import { writeFlatImage } from "./flat-image";
import { appExportsSource, appMemoryBase, kernelWasiSignatures, readNameList } from "./app-exports";
import { WASM2C_MEM_ADDR } from "../app/memory-access";
import { parseWasiFunctions, signatureText } from "../app/lists";

import { type Profile, parseProfile, profileFlags, profileId } from "./profiles";

export { type Profile, parseProfile, profileId, profileNames, withTests } from "./profiles";

/** The kernel's entry file for an architecture: its entry point and its parts. */
export function kernelEntry(arch: Arch): string {
  return `kernel/init/${arch}.ts`;
}

export interface BuildOptions {
  arch: Arch;
  debug?: boolean;
  profile?: Profile;
  /** Where progress lines go; defaults to stderr. */
  log?: (line: string) => void;
}

export interface BuildResult {
  arch: Arch;
  dir: string;
  elf: string;
  /** aarch64: the same kernel as a flat arm64 Image (kernel.img), for booting with an initrd. */
  flat: string | null;
  wasm: string;
  /** Physical address where the ELF image starts. */
  imageBase: number;
  /** ld.lld's link map (every input section and symbol, with sizes): what `wisp bench size` reads. */
  map: string;
}

const PAGE = 4096;

/**
 * Rewrites wasm2c output so that its memory starts at the constant `base` (a
 * C expression). wasm2c's generic MEM_ADDR reads the memory's base pointer
 * for every access, and must read it again after every store (a store could
 * change it); a constant base removes those loads. The kernel's memory is
 * physical memory from address 0 (arch/common/kernel-instance.c), so its base
 * is 0 and a wasm address is already the pointer.
 */
export function fixMemoryBase(file: string, base: string): void {
  const text = readFileSync(file, "utf8");
  if (!text.includes(WASM2C_MEM_ADDR)) throw new Error(`wasm2c output changed: no '${WASM2C_MEM_ADDR}' in ${file}`);
  writeFileSync(file, text.replace(WASM2C_MEM_ADDR, `#define MEM_ADDR(mem, addr, n) ((u8*)(uintptr_t)((u64)(${base}) + (u64)(addr)))`));
}

/** Stops the build if the linker did not put the static data's array exactly at its wasm address. */
function checkStaticDataPlace(map: string, address: number): void {
  const line = readFileSync(map, "utf8").split("\n").find((text) => text.endsWith(":(.wasm_data)"));
  const placed = line === undefined ? NaN : parseInt(line.trim().split(/\s+/)[0], 16);
  if (placed !== address) {
    throw new Error(`the static data was linked at 0x${placed.toString(16)}, not at its wasm address 0x${address.toString(16)} (${map})`);
  }
}

export function buildDir(arch: Arch, debug = false, profile: Profile = parseProfile("default")): string {
  const id = profileId(profile);
  return join(ROOT, "build", arch + (debug ? "-debug" : "") + (id === "default" ? "" : `-${id}`));
}

function formatSize(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Builds one kernel; concurrent builds of the same one take turns (scripts/build/lock.ts). */
export async function buildKernel(options: BuildOptions): Promise<BuildResult> {
  const dir = buildDir(options.arch, options.debug ?? false, options.profile);
  mkdirSync(dir, { recursive: true });
  return withFileLock(join(dir, "build.lock"), () => buildKernelUnlocked(options));
}

async function buildKernelUnlocked(options: BuildOptions): Promise<BuildResult> {
  const { arch } = options;
  const debug = options.debug ?? false;
  const profile = options.profile ?? parseProfile("default");
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const target = TARGETS[arch];
  const dir = buildDir(arch, debug, profile);
  const gen = join(dir, "gen");
  const obj = join(dir, "obj");
  const stamps = join(dir, "stamps");
  mkdirSync(gen, { recursive: true });
  mkdirSync(obj, { recursive: true });
  const r = (path: string) => join(ROOT, path);

  async function stage(name: string, inputs: string[], settings: unknown, outputs: string[], work: () => Promise<void>) {
    const hash = hashInputs(inputs.map((input) => resolve(ROOT, input)), settings);
    const stamp = join(stamps, `${name}.hash`);
    const start = performance.now();
    const cached = isFresh(stamp, hash, outputs);
    if (!cached) {
      await work();
      recordFresh(stamp, hash);
    }
    const seconds = ((performance.now() - start) / 1000).toFixed(2);
    // The first output is the one reported (ld.lld's map rides along with kernel.elf).
    const shown = name === "ld.lld" ? outputs.slice(0, 1) : outputs;
    const size = shown.reduce((sum, output) => sum + statSync(output).size, 0);
    const what = shown.length === 1 ? basename(shown[0]) : `${shown.length} files`;
    log(`  ${arch.padEnd(8)} ${name.padEnd(9)}${cached ? "  cached" : `${seconds.padStart(6)} s`}  ${what} ${formatSize(size)}`);
  }

  const wasm = join(dir, "kernel.wasm");
  const entry = kernelEntry(arch);
  // Release builds keep the function names too (asc --debug adds only the name section to the same code; wasm-opt
  // -g keeps it): wasm2c then names each C function after its AssemblyScript source, which the link map shows.
  // The stripped kernel.elf is byte for byte the same as without names.
  await stage("asc", kernelSources(), { debug, base: target.memoryBase, entry, constants: profile.constants, names: true }, [wasm], () =>
    asc([
      r(entry),
      "--config", r("asconfig.json"),
      "--baseDir", ROOT,
      "--target", debug ? "debug" : "release", "--debug",
      "--memoryBase", String(target.memoryBase),
      ...profileFlags(profile),
      "-o", wasm,
    ]),
  );

  const optimized = join(dir, "kernel.opt.wasm");
  const wasmOptFlags = debug ? ["-O0", "--debuginfo"] : ["-O3", "--debuginfo", "--strip-dwarf"];
  await stage("wasm-opt", [wasm], wasmOptFlags, [optimized], () =>
    tool("wasm-opt", [wasm, "-o", optimized, ...wasmOptFlags, "--enable-bulk-memory", "--enable-sign-ext",
      "--enable-nontrapping-float-to-int", "--enable-mutable-globals"]),
  );

  const kernelC = join(gen, "kernel.c");
  const kernelH = join(gen, "kernel.h");
  await stage("wasm2c", [optimized], { identityMemory: true, mergedData: "from a 16-byte boundary", dataInPlace: true }, [kernelC, kernelH], async () => {
    // One data segment (wasm-data.ts says why), linked where it belongs: nothing copied at start.
    const merged = mergeDataSegments(readFileSync(optimized));
    const mergedPath = join(gen, "kernel.merged.wasm");
    writeFileSync(mergedPath, merged);
    await tool("wasm2c", [mergedPath, "-n", "kernel", "-o", kernelC]);
    fixMemoryBase(kernelC, "0");
    linkStaticDataInPlace(kernelC, merged);
  });

  const appExportsC = join(gen, "app-exports.c");
  const runtimeList = r("loader/native/runtime.list");
  const wasiList = r("loader/native/wasi-functions.list");
  const moduleList = r("loader/native/module-imports.list");
  const params = r("kernel/params.ts");
  await stage("exports", [kernelH, runtimeList, wasiList, moduleList, params], {}, [appExportsC], async () => {
    const header = readFileSync(kernelH, "utf8");
    const wasi = parseWasiFunctions(readNameList(wasiList));
    const memoryBase = appMemoryBase(readFileSync(params, "utf8"));
    const table = appExportsSource(header, readNameList(runtimeList), wasi.map((entry) => entry.name), memoryBase);
    if (table.missing.length) log(`  ${arch.padEnd(8)} warning: the kernel does not export WASI ${table.missing.join(", ")}`);
    const signatures = kernelWasiSignatures(header);
    const wrong = wasi.filter((entry) => signatures.has(entry.name) && signatures.get(entry.name) !== signatureText(entry.params, entry.results));
    if (wrong.length) {
      throw new Error(`loader/native/wasi-functions.list disagrees with the kernel's exports: ${wrong.map((entry) => `${entry.name} is ${signatures.get(entry.name)}`).join("; ")}`);
    }
    const moduleSignatures = kernelWasiSignatures(header, "module_");
    const moduleWrong = parseWasiFunctions(readNameList(moduleList))
      .filter((entry) => moduleSignatures.get(entry.name) !== signatureText(entry.params, entry.results));
    if (moduleWrong.length) {
      throw new Error(`loader/native/module-imports.list disagrees with the kernel's exports: ${moduleWrong.map((entry) => `${entry.name} is ${moduleSignatures.get(entry.name) ?? "not exported"}`).join("; ")}`);
    }
    writeFileSync(appExportsC, table.source);
  });

  const common = [
    `--target=${target.clangTarget}`, "-ffreestanding", "-nostdlibinc", "-fno-stack-protector", "-fno-pic",
    "-fno-asynchronous-unwind-tables", "-fno-unwind-tables", ...target.cflags,
    `-I${r("arch/common/include")}`, `-I${gen}`,
  ];
  const cflags = [...common, ...(debug ? ["-O1", "-g"] : ["-O2", "-ffunction-sections", "-fdata-sections"])];
  // The generated kernel is most of the image: optimised for size (-Oz:
  // 16-24 KiB smaller than -Os with the app loader and WASI in, for 3% more
  // boot instructions). The runtime's few hot loops (memcpy, memset) stay
  // optimised for speed.
  const kernelFlags = debug ? cflags : [...cflags.filter((flag) => flag !== "-O2"), "-Oz"];
  const units = [
    { source: kernelC, flags: [...kernelFlags, "-w"], deps: [kernelC, kernelH] },
    { source: appExportsC, flags: [...cflags, "-Wall", "-Werror"], deps: [appExportsC] },
    ...commonC.map((source) => ({ source: r(source), flags: [...cflags, "-Wall", "-Werror"], deps: [r(source), kernelH] })),
    ...target.assembly.map((source) => ({ source: r(source), flags: [...common, ...(debug ? ["-g"] : [])], deps: [r(source)] })),
  ];
  const headers = [...["handoff.h", "wasm-rt.h", "math.h", "string.h"].map((h) => r(`arch/common/include/${h}`)), r("arch/common/include/wasm-rt-shared.h")];
  const objects = units.map((unit) => join(obj, basename(unit.source).replace(/\.(c|S)$/, (ext) => (ext === ".S" ? ".S.o" : ".o"))));
  await stage("clang", [...new Set(units.flatMap((unit) => unit.deps)), ...headers], { cflags, kernelFlags, common }, objects, async () => {
    await inParallel(
      units.map((unit, i) => () => tool("clang", [...unit.flags, "-c", unit.source, "-o", objects[i]])),
      Math.max(1, cpus().length),
    );
  });

  const imageBase = Math.ceil(staticDataEnd(readFileSync(optimized)) / PAGE) * PAGE;
  if (imageBase === 0) throw new Error("the kernel wasm has no static data: cannot place the image");
  const wasmData = dataSegments(mergeDataSegments(readFileSync(optimized)))[0].offset;
  const elf = join(dir, "kernel.elf");
  const map = join(dir, "kernel.map");
  const linkFlags = [`-Map=${map}`,
    "-T", r(target.linkerScript), `--defsym=IMAGE_BASE=0x${imageBase.toString(16)}`, `--defsym=WASM_DATA=0x${wasmData.toString(16)}`,
    "--gc-sections", "-nostdlib", "-static", "-z", "max-page-size=4096", "--build-id=none",
    ...(debug ? [] : ["--strip-all"]),
  ];
  await stage("ld.lld", [...objects, target.linkerScript], linkFlags, [elf, map], () =>
    tool("ld.lld", [...linkFlags, "-o", elf, ...objects]),
  );
  checkStaticDataPlace(map, wasmData);
  // aarch64 also as an arm64 Image: QEMU passes an initrd only to that form.
  const flat = arch === "aarch64" ? join(dir, "kernel.img") : null;
  if (flat !== null) await stage("image", [elf], {}, [flat], async () => writeFlatImage(elf, flat));
  return { arch, dir, elf, flat, wasm: optimized, imageBase, map };
}
