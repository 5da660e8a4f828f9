// build-module: a filesystem module (AssemblyScript source or any wasm) →
// NAME.so, which an image carries as /lib/modules/NAME.so and the kernel
// loads at the first mount of type NAME (docs/modules.md).
//
//   source     AssemblyScript compiled with asc, or the .wasm as given   (source.ts)
//   validate   imports of "wisp" the kernel offers, the ABI's exports     (validate.ts)
//   glue       module-main.c for the exports present                     (glue.ts)
//   compile    wasm2c → clang → ld.lld, as an app is (scripts/app/steps.ts)
//   check      every undefined symbol is a "wisp" import or a runtime symbol
//
// Outputs are cached by content under build/modules/<hash>/<arch>/.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, listFiles } from "../build/files";
import { withFileLock } from "../build/lock";
import { ARCHES, type Arch } from "../build/targets";
import { LINK_FLAGS, compileFlags } from "../app/compile";
import { EM_AARCH64, EM_X86_64, readElf } from "../app/elf-reader";
import { runtimeSymbols } from "../app/lists";
import { versions } from "../app/index";
import { runSteps } from "../app/steps";
import { AppRefusedError } from "../app/validate";
import { kernelImports } from "./abi";
import { moduleGlueSource } from "./glue";
import { moduleSource } from "./source";
import { validateModule } from "./validate";

export { ModuleInputError } from "./source";

export interface BuildModuleOptions {
  arch: Arch;
  /** The filesystem type name (default: from the input's name). */
  name?: string;
  force?: boolean;
}

export interface BuildModuleResult {
  name: string;
  soPath: string;
  cached: boolean;
  wasmBytes: number;
  soBytes: number;
}

export const MODULES_DIR = join(ROOT, "build", "modules");

export async function buildModule(input: string, options: BuildModuleOptions): Promise<BuildModuleResult> {
  const source = await moduleSource(input, options.name);
  const validated = await validateModule(source.wasmPath, source.wasm);
  const glue = moduleGlueSource({ exports: validated.exports, present: validated.present, hasImports: validated.info.imports.length > 0 });
  const hash = await moduleHash(source.wasm, glue);
  const dir = join(MODULES_DIR, hash, options.arch);
  mkdirSync(dir, { recursive: true });
  const soPath = join(dir, `${source.name}.so`);
  return withFileLock(join(dir, "build.lock"), async () => {
    if (!options.force && existsSync(soPath)) {
      return { name: source.name, soPath, cached: true, wasmBytes: source.wasm.length, soBytes: readFileSync(soPath).length };
    }
    const work = join(dir, "work");
    mkdirSync(work, { recursive: true });
    const wasm = join(work, "module.wasm");
    writeFileSync(wasm, source.wasm);
    const glueFile = join(work, "module-main.c");
    writeFileSync(glueFile, glue);
    await runSteps(
      { units: [{ name: "module", wasm, dir: work, outputs: 1, functions: null, codeBytes: validated.info.codeBytes }], glue: { file: glueFile }, splitSeconds: 0 },
      work,
      { arch: options.arch, jobs: 2, versions: await versions(), fixedMemory: false },
    );
    const so = readFileSync(join(work, "app.so"));
    const elf = readElf(so);
    const machine = options.arch === "x86_64" ? EM_X86_64 : EM_AARCH64;
    if (elf.machine !== machine) throw new Error(`ld.lld wrote ELF machine ${elf.machine}, not ${options.arch}`);
    checkUndefined(input, elf.undefinedSymbols);
    renameSync(join(work, "app.so"), soPath);
    rmSync(work, { recursive: true, force: true });
    return { name: source.name, soPath, cached: false, wasmBytes: source.wasm.length, soBytes: so.length };
  });
}

async function moduleHash(wasm: Uint8Array, glue: string): Promise<string> {
  const hash = createHash("sha256");
  const part = (label: string, data: string | Uint8Array) => {
    hash.update(`${label}\0${data.length}\0`);
    hash.update(data);
  };
  part("wasm", wasm);
  part("glue", glue);
  part("tools", await versions());
  part("flags", JSON.stringify({ compile: ARCHES.map(compileFlags), link: LINK_FLAGS }));
  const inputs = [...listFiles("loader/native", ""), "arch/common/include/wasm-rt-shared.h", ...listFiles("scripts/app", ".ts"), ...listFiles("scripts/module", ".ts")];
  for (const file of inputs.sort()) part(file, readFileSync(join(ROOT, file)));
  return hash.digest("hex").slice(0, 32);
}

/** Fails naming every undefined symbol the kernel would not resolve for a module. */
function checkUndefined(input: string, undefinedSymbols: string[]): void {
  const allowed = new Set([...kernelImports().map((entry) => `w2c_wisp_${entry.name}`), ...runtimeSymbols().filter((name) => !name.startsWith("wisp_app_"))]);
  const unknown = undefinedSymbols.filter((name) => !allowed.has(name));
  if (unknown.length > 0) throw new AppRefusedError(`${input}: the module's code needs ${unknown.join(", ")}, which the Wisp kernel does not give modules`);
}
