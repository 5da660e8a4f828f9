// What `wisp build-module` is given, made into a wasm module and a name:
//
//   NAME.wasm           a module built elsewhere, in any language; its type is NAME
//   DIR/                a folder holding module.ts (AssemblyScript): its type is the folder's name
//   FILE.ts             an AssemblyScript entry: its type is the file's name (its folder's for module.ts)
//
// AssemblyScript modules are compiled with the standard incremental runtime
// (the module's memory is its own, so a collector is fine there) and
// AssemblyScript's abort going to the SDK's, which logs and traps
// (fs/sdk/kernel.ts): the module imports nothing but "wisp".

import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, relative, resolve } from "node:path";
import { ROOT } from "../build/files";
import { compileAssemblyScript } from "../build/assemblyscript";

export const MODULE_ASC_ARGS = [
  "--runtime", "incremental", "--optimizeLevel", "3", "--shrinkLevel", "1", "--use", "abort=fs/sdk/kernel/moduleAbort",
];

/** A filesystem type name: what the kernel looks for as /lib/modules/<name>.so. */
export const MODULE_NAME = /^[a-z0-9_-]{1,32}$/;

export class ModuleInputError extends Error {}

export interface ModuleSource {
  name: string;
  wasm: Uint8Array;
  /** Where the wasm is on disk (compiled ones: in build/modules/wasm/). */
  wasmPath: string;
}

/** The module `input` names, compiled if it is AssemblyScript; `name` overrides the type name. */
export async function moduleSource(input: string, name?: string): Promise<ModuleSource> {
  const path = resolve(input);
  if (!existsSync(path)) throw new ModuleInputError(`cannot find ${input}`);
  let entry = path;
  if (statSync(path).isDirectory()) {
    entry = resolve(path, "module.ts");
    if (!existsSync(entry)) throw new ModuleInputError(`${input} is a folder without a module.ts (give a .wasm, a .ts entry or such a folder)`);
  }
  const isWasm = entry.endsWith(".wasm");
  if (!isWasm && !entry.endsWith(".ts")) throw new ModuleInputError(`${input} is neither a .wasm module nor AssemblyScript (.ts)`);
  const typeName = name ?? (basename(entry) === "module.ts" ? basename(dirname(entry)) : basename(entry).replace(/\.(wasm|ts)$/, ""));
  if (!MODULE_NAME.test(typeName)) {
    throw new ModuleInputError(`'${typeName}' cannot name a filesystem type: use 1 to 32 of a-z, 0-9, _ and - (--name NAME)`);
  }
  if (isWasm) return { name: typeName, wasm: new Uint8Array(readFileSync(entry)), wasmPath: entry };
  const file = relative(ROOT, entry);
  if (file.startsWith("..")) throw new ModuleInputError(`${input}: AssemblyScript modules are built from inside the Wisp tree (it holds the SDK, fs/sdk)`);
  const compiled = await compileAssemblyScript({
    entry: file,
    sources: [relative(ROOT, dirname(entry)), "fs/sdk"],
    args: MODULE_ASC_ARGS,
    name: typeName,
    cacheDir: "modules/wasm",
    what: `the module ${file}`,
  });
  return { name: typeName, wasm: compiled.wasm, wasmPath: compiled.path };
}
