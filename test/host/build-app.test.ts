// Guards `wisp build-app` (scripts/app/): the wasm features Wisp compiles
// build and link into app.so on both architectures, with RELR relocations
// and no undefined symbol outside loader/native/wasi-functions.list and
// runtime.list; SIMD, threads, memory64, multi-memory, foreign or unknown
// imports, imported memories/globals, a missing or mistyped _start, a missing
// memory export and invalid modules are refused with their messages; a second
// build is a cache hit; a multi-part compile links; a C program from wasi-libc
// builds; memory is reached from the constant wisp_app_memory (one base load
// per function, floats kept in FP registers) and unused loads still trap.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { AppRefusedError, buildApp } from "../../scripts/app";
import { partsFor, MAX_PARTS } from "../../scripts/app/compile";
import { DT_HASH, DT_RELR, DT_TEXTREL, EM_AARCH64, EM_X86_64, readElf } from "../../scripts/app/elf-reader";
import { runtimeSymbols, unresolvedSymbols, wasiFunctions, wasiSymbol } from "../../scripts/app/lists";
import { appMemoryBase } from "../../scripts/build/app-exports";
import { ROOT } from "../../scripts/build/files";
import { ARCHES } from "../../scripts/build/targets";
import { largeModule } from "./build-app/large-module";

const FIXTURES = join(ROOT, "test", "host", "build-app");
const work = mkdtempSync(join(tmpdir(), "wisp-build-app-"));

/** Assembles a .wat fixture (any feature, unchecked: refusals are build-app's to find). */
function wasmOf(wat: string): string {
  const out = join(work, basename(wat).replace(/\.wat$/, ".wasm"));
  execFileSync(join(ROOT, "node_modules", ".bin", "wat2wasm"), ["--enable-all", "--no-check", wat, "-o", out]);
  return out;
}

function checkSharedObject(soPath: string, arch: string): ReturnType<typeof readElf> {
  const elf = readElf(readFileSync(soPath));
  expect(elf.type).toBe(3); // ET_DYN
  expect(elf.machine).toBe(arch === "x86_64" ? EM_X86_64 : EM_AARCH64);
  expect(elf.dynamic.has(DT_HASH)).toBe(true);
  expect(elf.dynamic.has(DT_TEXTREL)).toBe(false);
  expect(elf.sections.some((s) => s.name === ".symtab")).toBe(true);
  expect(unresolvedSymbols(elf.undefinedSymbols)).toEqual([]);
  return elf;
}

const FEATURES = readdirSync(FIXTURES).filter((name) => name.endsWith(".wat"));

describe("features that compile", () => {
  for (const fixture of FEATURES) {
    it(`${fixture} builds and links on both architectures`, async () => {
      const wasm = wasmOf(join(FIXTURES, fixture));
      const results = await Promise.all(ARCHES.map((arch) => buildApp(wasm, { arch })));
      results.forEach((result, i) => {
        checkSharedObject(result.soPath, ARCHES[i]);
        expect(result.report.imports).toContain(wasiSymbol("proc_exit"));
      });
    });
  }

  it("a function table is relocated with RELR, named in the report", async () => {
    const wasm = wasmOf(join(FIXTURES, "indirect-calls.wat"));
    for (const arch of ARCHES) {
      const result = await buildApp(wasm, { arch });
      const elf = checkSharedObject(result.soPath, arch);
      expect(elf.dynamic.has(DT_RELR)).toBe(true);
      expect(result.report.relocations.relr).toBeGreaterThanOrEqual(32);
      expect(result.report.sections[".relr.dyn"]).toBeGreaterThan(0);
      expect(result.report.relocations.rela).toBe(1); // the GOT entry of wisp_app_memory alone
    }
  });

  it("x86_64 leaves the roundings to the kernel; aarch64 compiles them to instructions", async () => {
    const wasm = wasmOf(join(FIXTURES, "float-rounding.wat"));
    const [x86, arm] = await Promise.all(ARCHES.map((arch) => buildApp(wasm, { arch })));
    const roundings = ["ceil", "ceilf", "floor", "floorf", "nearbyint", "nearbyintf", "trunc", "truncf"];
    expect(x86.report.imports.filter((name) => roundings.includes(name)).sort()).toEqual(roundings);
    expect(arm.report.imports.filter((name) => roundings.includes(name))).toEqual([]);
    for (const name of roundings) expect(runtimeSymbols()).toContain(name);
  });
});

/** A module importing nothing: _start computes fib(20) and traps unless it is `expected`. */
function pureCompute(expected: number): string {
  const wat = join(work, `pure-${expected}.wat`);
  writeFileSync(wat, `(module (memory (export "memory") 1)
  (func $fib (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "_start") (if (i32.ne (call $fib (i32.const 20)) (i32.const ${expected})) (then unreachable))))`);
  return wasmOf(wat);
}

describe("a module with no imports (issue 21: app-main.c called a two-argument instantiate)", () => {
  it("builds on both architectures and runs natively: fib(20) checked inside, a wrong answer traps", async () => {
    const harness = join(work, "native-harness");
    execFileSync("clang", ["-O2", "-rdynamic", join(ROOT, "scripts", "bench", "app", "native-harness.c"), "-o", harness, "-ldl", "-lm"]);
    for (const arch of ARCHES) {
      const { soPath, report } = await buildApp(pureCompute(6765), { arch });
      checkSharedObject(soPath, arch);
      expect(report.imports.filter((name) => name.startsWith("w2c_wasi"))).toEqual([]);
      if (arch === "x86_64") expect(spawnSync(harness, [soPath]).status).toBe(0);
    }
    const wrong = await buildApp(pureCompute(6766), { arch: "x86_64" });
    expect(spawnSync(harness, [wrong.soPath]).status).not.toBe(0);
  });
});

/** The disassembly of one function of an app.so. */
function disassembly(soPath: string, name: string): string[] {
  const text = execFileSync("llvm-objdump", ["-d", "--no-show-raw-insn", soPath], { encoding: "utf8", maxBuffer: 1 << 26 });
  const start = text.indexOf(`<${name}>:\n`);
  expect(start).toBeGreaterThan(0);
  const end = text.indexOf("\n\n", start);
  return text.slice(start, end).split("\n").slice(1);
}

/** A module whose _start loads from `address` (type `load`) and drops the value. */
function unusedLoad(load: string, address: number): string {
  const wat = join(work, `unused-${load}-${address}.wat`);
  writeFileSync(wat, `(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32))) (memory (export "memory") 1)
  (func (export "_start") (drop (${load} (i32.const ${address})))))`);
  return wasmOf(wat);
}

describe("memory at a constant address (issue 21: the base was reloaded before every load)", () => {
  it("a dot product's loop loads its two operands from a base loaded once, and floats stay in FP registers", async () => {
    const wasm = wasmOf(join(FIXTURES, "column-dot.wat"));
    for (const arch of ARCHES) {
      const { soPath, report } = await buildApp(wasm, { arch });
      expect(report.imports).toContain("wisp_app_memory");
      const code = disassembly(soPath, "w2c_app_dot");
      // x86_64: a memory operand is "(%reg" or "(%rip)"; aarch64: every load is an ldr.
      const loads = code.filter((line) => (arch === "x86_64" ? /\(%r/.test(line) && !/\snop/.test(line) : /\sldr\s/.test(line)));
      expect(loads.length).toBe(3); // the GOT entry of wisp_app_memory, then the row's and the column's f64
      const moves = code.filter((line) => (arch === "x86_64" ? /movq\s+%xmm\d+, %r/.test(line) : /fmov\s+x\d+, d/.test(line)));
      expect(moves).toEqual([]);
    }
  });

  it("a load whose value is unused still traps out of bounds (integer and float), natively", async () => {
    const harness = join(work, "native-harness-unused");
    execFileSync("clang", ["-O2", "-rdynamic", join(ROOT, "scripts", "bench", "app", "native-harness.c"), "-o", harness, "-ldl", "-lm"]);
    for (const load of ["i32.load", "f64.load"]) {
      const inside = await buildApp(unusedLoad(load, 65536 - 8), { arch: "x86_64" });
      expect(spawnSync(harness, [inside.soPath]).status).toBe(0);
      const outside = await buildApp(unusedLoad(load, 65536 - 2), { arch: "x86_64" });
      const run = spawnSync(harness, [outside.soPath], { encoding: "utf8" });
      expect(run.status).toBe(70);
      expect(run.stderr).toContain("out of bounds memory access");
    }
  });

  it("the harness puts memory where the kernel does (kernel/params.ts APP_MEMORY_BASE)", () => {
    const kernel = appMemoryBase(readFileSync(join(ROOT, "kernel", "params.ts"), "utf8"));
    const harness = /^#define APP_MEMORY_BASE (0x[0-9a-f]+)$/m.exec(readFileSync(join(ROOT, "scripts", "bench", "app", "native-harness.c"), "utf8"));
    expect(harness).not.toBeNull();
    expect(BigInt(harness![1])).toBe(kernel);
  });
});

describe("refusals", () => {
  const refused = (name: string) => join(FIXTURES, "refused", `${name}.wat`);
  const cases: [string, RegExp][] = [
    ["simd", /uses SIMD \(v128\), which Wisp does not compile yet/],
    ["threads", /uses threads/],
    ["memory64", /uses memory64/],
    ["multi-memory", /more than one memory \(multi-memory\)/],
    ["import-other-module", /imports env\.host_log: Wisp apps may import only from wasi_snapshot_preview1/],
    ["import-unknown-wasi", /imports wasi_snapshot_preview1\.thread_spawn, which is not a WASI preview 1 function/],
    ["import-memory", /imports a memory \(wasi_snapshot_preview1\.memory\)/],
    ["import-global", /imports a global \(wasi_snapshot_preview1\.base\)/],
    ["no-start", /a WASI command must export _start; reactors are not supported/],
    ["no-memory-export", /does not export its memory as "memory"/],
    ["start-with-params", /exports _start with parameters or results/],
    ["invalid", /is not a valid wasm module:\n.*type mismatch in i32\.add/],
  ];
  for (const [name, message] of cases) {
    it(`${name}.wat is refused`, async () => {
      const wasm = wasmOf(refused(name));
      const failure = await buildApp(wasm, { arch: "x86_64", force: true }).catch((error: Error) => error);
      expect(failure).toBeInstanceOf(AppRefusedError);
      expect((failure as Error).message).toMatch(message);
      expect((failure as Error).message).toContain(wasm);
    });
  }

  it("a file that is not wasm, wasm text and a missing file are refused", async () => {
    const text = join(work, "text.wasm");
    writeFileSync(text, "(module)\n");
    await expect(buildApp(text, { arch: "x86_64" })).rejects.toThrow(/is not a wasm file \(it looks like wasm text/);
    const elf = join(work, "elf.wasm");
    writeFileSync(elf, Buffer.from("7f454c4602010100000000000000000000", "hex"));
    await expect(buildApp(elf, { arch: "x86_64" })).rejects.toThrow(/is not a wasm file$/);
    await expect(buildApp(join(work, "missing.wasm"), { arch: "x86_64" })).rejects.toThrow(/cannot read .*missing\.wasm: ENOENT/);
  });

  it("an undefined symbol outside both lists is named", () => {
    expect(unresolvedSymbols([wasiSymbol("fd_write"), "memcpy", "wasm_rt_trap", "sin", "w2c_wasi__snapshot__preview1_nope"]))
      .toEqual(["sin", "w2c_wasi__snapshot__preview1_nope"]);
  });
});

describe("lists, parts and cache", () => {
  it("wasi-functions.list names the 46 WASI preview 1 functions, WasmEdge's 23 socket forms and Wisp's statvfs once each", () => {
    const names = wasiFunctions();
    expect(names).toHaveLength(46 + 23 + 1);
    expect(new Set(names).size).toBe(46 + 23 + 1);
    expect(names).toContain("wisp_fd_statvfs");
    for (const name of ["fd_write", "path_open", "poll_oneoff", "proc_exit", "random_get", "sock_accept"]) expect(names).toContain(name);
    for (const name of ["sock_open", "sock_connect_v2", "sock_accept_v1", "sock_recv_from_v2", "sock_getaddrinfo"]) expect(names).toContain(name);
  });

  it("parts grow with the code size: 1 for small modules, at most 8", () => {
    expect(partsFor(0)).toBe(1);
    expect(partsFor(200 << 10)).toBe(1);
    expect(partsFor(600 << 10)).toBe(3);
    expect(partsFor(100 << 20)).toBe(MAX_PARTS);
  });

  it("a second build is a cache hit; --force rebuilds", async () => {
    const wasm = wasmOf(join(FIXTURES, "multi-value.wat"));
    const first = await buildApp(wasm, { arch: "aarch64", force: true });
    expect(first.cached).toBe(false);
    const second = await buildApp(wasm, { arch: "aarch64" });
    expect(second.cached).toBe(true);
    expect(second.soPath).toBe(first.soPath);
    expect(second.report).toEqual(first.report);
    expect(first.soPath).toMatch(/build\/apps\/[0-9a-f]{64}\/aarch64\/app\.so$/);
    const other = await buildApp(wasm, { arch: "x86_64" });
    expect(other.soPath.replace("x86_64", "aarch64")).toBe(first.soPath);
  });

  it("a module compiled in several parts links, with the parts in the report", async () => {
    const wasm = join(work, "generated.wasm");
    writeFileSync(wasm, largeModule(48, 8));
    const result = await buildApp(wasm, { arch: "x86_64", parts: 3, jobs: 2 });
    checkSharedObject(result.soPath, "x86_64");
    expect(result.report.parts).toBe(3);
    expect(result.report.perPart.map((part) => part.file)).toEqual(["app_0.c", "app_1.c", "app_2.c", "loader/native/app-main.c"]);
    expect(result.report.relocations.relr).toBeGreaterThanOrEqual(48);
  });
});

describe("a C program built with wasi-libc", () => {
  it("hello.c (printf, floating point) builds for both architectures", async () => {
    const source = join(work, "hello.c");
    writeFileSync(source, '#include <stdio.h>\nint main(int argc, char** argv) { printf("Hello %s %.2f\\n", argv[0], argc * 1.5); return 0; }\n');
    const wasm = join(work, "hello-c.wasm");
    try {
      execFileSync("clang", ["--target=wasm32-wasi", "-O2", source, "-o", wasm], { stdio: "pipe" });
    } catch (error) {
      throw new Error(`clang --target=wasm32-wasi failed (Debian packages wasi-libc and libclang-rt-14-dev-wasm32 needed):\n${(error as { stderr?: Buffer }).stderr}`);
    }
    for (const arch of ARCHES) {
      const result = await buildApp(wasm, { arch });
      checkSharedObject(result.soPath, arch);
      expect(result.report.imports).toContain(wasiSymbol("fd_write"));
      expect(result.report.sections[".text"]).toBeGreaterThan(10_000);
    }
  });
});
