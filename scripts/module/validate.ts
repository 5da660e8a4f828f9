// Whether a wasm module is a filesystem module Wisp can load (docs/modules.md):
// a core module with only the features Wisp compiles (as apps:
// scripts/app/validate.ts), importing only functions of "wisp" that the
// kernel offers with their signatures, defining its memory and exporting it
// as "memory", and exporting every required ABI function with its
// signature. Each refusal is one sentence naming what is wrong.

import { AppRefusedError, readValidWasm, valueTypeName } from "../app/validate";
import type { WasmModuleInfo } from "../app/wasm-module";
import { signatureText } from "../app/lists";
import { IMPORT_MODULE, abiExports, kernelImports, type AbiExport } from "./abi";

export interface ValidatedModule {
  info: WasmModuleInfo;
  exports: AbiExport[];
  /** The ABI exports the module has. */
  present: Set<string>;
}

export async function validateModule(file: string, bytes: Uint8Array): Promise<ValidatedModule> {
  const info = await readValidWasm(file, bytes);
  const signature = (typeIndex: number | undefined) => {
    const type = info.types[typeIndex ?? -1];
    return type ? signatureText(type.params.map(valueTypeName), type.results.map(valueTypeName)) : "?";
  };
  const offered = kernelImports();
  for (const imported of info.imports) {
    const what = `${imported.module}.${imported.name}`;
    if (imported.module !== IMPORT_MODULE || imported.kind !== "func") {
      throw new AppRefusedError(`${file} imports ${imported.kind === "func" ? "" : `a ${imported.kind} `}${what}: a filesystem module may import only functions of "${IMPORT_MODULE}" (docs/modules.md)`);
    }
    const entry = offered.find((candidate) => candidate.name === imported.name);
    if (entry === undefined) throw new AppRefusedError(`${file} imports ${what}, which the Wisp kernel does not offer modules (docs/modules.md)`);
    const wanted = signature(imported.typeIndex);
    const expected = signatureText(entry.params, entry.results);
    if (wanted !== expected) throw new AppRefusedError(`${file} imports ${what} as (${wanted}), but the kernel offers (${expected})`);
  }
  if (info.memories.length !== 1) throw new AppRefusedError(`${file} defines ${info.memories.length} memories: a filesystem module defines exactly one`);
  if (info.memories[0].is64 || info.memories[0].shared) throw new AppRefusedError(`${file} has a 64-bit or shared memory, which Wisp does not support`);
  if (!info.exports.some((e) => e.name === "memory" && e.kind === "memory")) {
    throw new AppRefusedError(`${file} does not export its memory as "memory"`);
  }
  const exports = abiExports();
  const present = new Set<string>();
  for (const entry of exports) {
    const exported = info.exports.find((e) => e.name === entry.name && e.kind === "func");
    if (exported === undefined) {
      if (entry.optional) continue;
      throw new AppRefusedError(`${file} does not export ${entry.name}, which every filesystem module must (docs/modules.md)`);
    }
    const found = signature(info.functionTypes[exported.index]);
    const expected = signatureText(entry.params, entry.results);
    if (found !== expected) throw new AppRefusedError(`${file} exports ${entry.name} as (${found}), but the ABI says (${expected})`);
    present.add(entry.name);
  }
  return { info, exports, present };
}
