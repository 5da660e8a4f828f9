// What build-app hands to wasm2c: the module whole (one unit named `app`,
// glued by loader/native/app-main.c), or, when its code is larger than
// SPLIT_CODE_BYTES, the splitter's parts (units app0, app1, ..., glued by
// generated C, split/glue.ts). Each unit is one wasm2c process, whose C output
// is cut into `outputs` files, one clang each.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { NATIVE_DIR } from "./lists";
import { splitModule } from "./split";
import type { GlueInput } from "./split/glue";

/** Code section bytes per wasm2c output file (one clang each). */
export const CODE_BYTES_PER_OUTPUT = 256 << 10;
export const MAX_OUTPUTS = 64;
/**
 * Code bytes above which a module is split before wasm2c, and the most code
 * a part holds. npm's wasm2c (emscripten-built) crashed on a 27 MB code
 * section; a 4 MiB part stays well within what it handled (10 MB, 480 MiB).
 */
export const SPLIT_CODE_BYTES = 4 << 20;

/** How many C files wasm2c writes for `codeBytes` of code: 1 for small, up to MAX_OUTPUTS. */
export function outputsFor(codeBytes: number): number {
  return Math.min(MAX_OUTPUTS, Math.max(1, Math.ceil(codeBytes / CODE_BYTES_PER_OUTPUT)));
}

export interface CompileUnit {
  /** wasm2c's module name (-n): its symbols are w2c_<name>_*. */
  name: string;
  wasm: string;
  /** Where its C files and objects go. */
  dir: string;
  outputs: number;
  functions: number | null;
  codeBytes: number;
}

export interface Units {
  units: CompileUnit[];
  /** The glue: a fixed C file, or what to generate once every header exists. */
  glue: { file: string } | { generate: Omit<GlueInput, "headers">; file: string };
  splitSeconds: number;
}

export interface UnitOptions {
  /** C files per unit (an unsplit module only; tests and measurements). */
  outputs?: number;
  /** Split above this many code bytes, into parts of at most that many (default SPLIT_CODE_BYTES). */
  splitCodeBytes?: number;
}

export function unitsFor(wasmPath: string, bytes: Uint8Array, codeBytes: number, work: string, options: UnitOptions): Units {
  const bound = options.splitCodeBytes ?? SPLIT_CODE_BYTES;
  if (codeBytes <= bound) {
    return {
      units: [{ name: "app", wasm: wasmPath, dir: work, outputs: options.outputs ?? outputsFor(codeBytes), functions: null, codeBytes }],
      glue: { file: join(NATIVE_DIR, "app-main.c") },
      splitSeconds: 0,
    };
  }
  const start = performance.now();
  const split = splitModule(bytes, { maxCodeBytes: bound, name: (p) => `app${p}` });
  const units = split.parts.map((part) => {
    const dir = join(work, part.name);
    mkdirSync(dir, { recursive: true });
    const wasm = join(dir, `${part.name}.wasm`);
    writeFileSync(wasm, part.bytes);
    return { name: part.name, wasm, dir, outputs: outputsFor(part.codeBytes), functions: part.functions, codeBytes: part.codeBytes };
  });
  return {
    units,
    glue: {
      file: join(work, "parts-main.c"),
      generate: { names: units.map((unit) => unit.name), entry: split.functionExports.get("_start")!, start: split.start },
    },
    splitSeconds: (performance.now() - start) / 1000,
  };
}
