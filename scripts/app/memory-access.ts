// How an app's generated code reaches its linear memory: two rewrites of
// wasm2c's output, both keeping every wasm semantics.
//
// The base. wasm2c's generic MEM_ADDR reaches memory through the instance's
// `data` pointer. C must assume a store (or the empty asm that keeps an
// unused load trapping, FORCE_READ_*) may change that pointer, so the
// generated code reloads it before nearly every access, inside the hottest
// loops. Wisp's app memory always sits at one address (APP_MEMORY_BASE,
// kernel/params.ts), which the app.so takes as the address of the undefined
// symbol `wisp_app_memory`: the address of a symbol is a constant to the
// compiler, so the base is loaded once per function (from the GOT) and no
// store or asm makes it stale. Bounds stay the guard pages'.
//
// Float loads. FORCE_READ_FLOAT hands a loaded float to an empty asm so the
// load happens even when its value is unused (and so still traps). wasm2c
// asks for a general register ("r"), which costs a move from the vector
// register file after every float load; the floating-point register
// constraint ("x" on x86_64, "w" on aarch64) keeps the value where it is.

import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { APP_MEMORY_SYMBOL } from "../build/app-exports";

/** How wasm2c 1.0.39 defines MEM_ADDR: through the instance's base pointer (the kernel's build rewrites it too). */
export const WASM2C_MEM_ADDR = "#define MEM_ADDR(mem, addr, n) &((mem)->data[addr])";

interface Rewrite {
  generic: string;
  fixed: string;
}

const REWRITES: Rewrite[] = [
  {
    generic: WASM2C_MEM_ADDR,
    fixed: [
      `/* Wisp: the app's memory starts at ${APP_MEMORY_SYMBOL}'s address (scripts/app/memory-access.ts). */`,
      `extern __attribute__((visibility("default"))) u8 ${APP_MEMORY_SYMBOL}[];`,
      `#define MEM_ADDR(mem, addr, n) (${APP_MEMORY_SYMBOL} + (u64)(addr))`,
    ].join("\n"),
  },
  {
    generic: `#define FORCE_READ_FLOAT(var) __asm__("" ::"r"(var));`,
    fixed: [
      `/* Wisp: floats stay in floating-point registers (scripts/app/memory-access.ts). */`,
      `#if defined(__x86_64__)`,
      `#define FORCE_READ_FLOAT(var) __asm__("" ::"x"(var));`,
      `#elif defined(__aarch64__)`,
      `#define FORCE_READ_FLOAT(var) __asm__("" ::"w"(var));`,
      `#else`,
      `#define FORCE_READ_FLOAT(var) __asm__("" ::"r"(var));`,
      `#endif`,
    ].join("\n"),
  },
];

/** Applies the rewrites to one C file or header; the number of them it holds (rewritten now or before). */
export function rewriteMemoryAccess(file: string): number {
  let text = readFileSync(file, "utf8");
  let found = 0;
  for (const { generic, fixed } of REWRITES) {
    if (text.includes(fixed)) found++;
    else if (text.includes(generic)) {
      text = text.replace(generic, fixed);
      found++;
    }
  }
  if (found !== 0) writeFileSync(file, text);
  return found;
}

/**
 * Rewrites the outputs of `wasm2c -n <unit>` in `dir` (<unit>.c, <unit>_N.c,
 * <unit>-impl.h); throws unless they hold every rewrite's line as wasm2c
 * 1.0.39 writes it, so a wasm2c that changed its output cannot slip through.
 */
export function rewriteUnitMemoryAccess(dir: string, unit: string): void {
  const outputs = readdirSync(dir).filter((name) => new RegExp(`^${unit}(_\\d+)?\\.c$|^${unit}-impl\\.h$`).test(name));
  const found = outputs.reduce((sum, name) => sum + rewriteMemoryAccess(join(dir, name)), 0);
  if (found !== REWRITES.length) {
    throw new Error(`wasm2c output changed: ${unit}'s files (${outputs.join(", ")}) lack ${REWRITES.map((r) => `'${r.generic}'`).join(" or ")}`);
  }
}
