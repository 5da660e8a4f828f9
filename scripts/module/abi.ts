// The module ABI as the host tools know it: loader/native/module-abi.list
// (what a module exports, in operation-number order) and
// loader/native/module-imports.list (what it may import from "wisp"), the
// same files the kernel's build and loader/modules/calls.ts follow.

import { join } from "node:path";
import { NATIVE_DIR, readNameList, parseWasiFunctions, type WasiFunction } from "../app/lists";

export const IMPORT_MODULE = "wisp";
/** Operation numbers before the exports': instantiate and free. */
export const FIRST_EXPORT_OPERATION = 2;

export interface AbiExport extends WasiFunction {
  optional: boolean;
  /** Its operation number (loader/modules/calls.ts). */
  operation: number;
}

/** The exports of module-abi.list, in order. */
export function abiExports(): AbiExport[] {
  const lines = readNameList(join(NATIVE_DIR, "module-abi.list"));
  return lines.map((line, index) => {
    const optional = /^\w+\?/.test(line);
    const [entry] = parseWasiFunctions([line.replace(/^(\w+)\?/, "$1")]);
    return { ...entry, optional, operation: FIRST_EXPORT_OPERATION + index };
  });
}

/** The functions a module may import from "wisp". */
export function kernelImports(): WasiFunction[] {
  return parseWasiFunctions(readNameList(join(NATIVE_DIR, "module-imports.list")));
}
