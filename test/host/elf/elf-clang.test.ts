// Guards loader/elf on real modules: a tiny C file compiled by clang and
// linked by ld.lld the way `wisp build-app` links app.so (-shared -z now
// -z relro --pack-dyn-relocs=relr --hash-style=sysv -z max-page-size=4096),
// for x86_64 and aarch64, loads in the harness. Every dynamic relocation
// llvm-readelf lists (RELR included, which must really be there) holds the
// value it names once loaded; the entry and function names match the
// symbol tables. A missing tool fails the test with a message: nothing is
// skipped.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { wasmModule } from "../compile";
import { ElfHarness, ELF_HARNESS, FLAGS } from "./client";
import type { Machine } from "./elf-builder";

await wasmModule(ELF_HARNESS); // compile (or load) once, outside any test's time limit

const SOURCE = `
extern int w2c_wasi__snapshot__preview1_fd_write(void*, int, int, int, int);
extern void *memcpy(void *, const void *, unsigned long);
extern void optional_hook(void) __attribute__((weak));
const char *names[] = { "alpha", "beta", "gamma", "delta", "epsilon" };
const char *pick(unsigned i) { return names[i % 5]; }
long counter = 5;
long *counter_pointer = &counter;
static void bump(void) { counter++; }
void helper(void) { counter += 2; }
void (*table[])(void) = { bump, helper, 0 };
__attribute__((noinline)) static int write_one(void *kernel) { return w2c_wasi__snapshot__preview1_fd_write(kernel, 1, 2, 3, 4); }
void wisp_app_main(void *kernel) {
  memcpy(&counter, names[1], 4);
  if (optional_hook) optional_hook();
  table[counter & 1]();
  write_one(kernel);
}
`;

const EXPORTS: Record<string, bigint> = {
  memcpy: 0xffff_8000_0001_0000n,
  w2c_wasi__snapshot__preview1_fd_write: 0xffff_8000_0002_0000n,
};

const TOOLS = ["clang", "ld.lld", "llvm-readelf"];
const work = mkdtempSync(join(tmpdir(), "wisp-elf-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(tool: string, args: string[]): string {
  try {
    return execFileSync(tool, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const { code, stderr } = error as { code?: string; stderr?: string };
    if (code === "ENOENT") throw new Error(`${tool} is missing: install Debian's clang, lld and llvm (${TOOLS.join(", ")})`);
    throw new Error(`${tool} ${args.join(" ")} failed: ${stderr ?? error}`);
  }
}

/** Compiles and links the module for `machine`; returns the .so's path. */
function buildSharedObject(machine: Machine): string {
  const source = join(work, "app.c");
  writeFileSync(source, SOURCE);
  const object = join(work, `app-${machine}.o`);
  const shared = join(work, `app-${machine}.so`);
  run("clang", [`--target=${machine}-linux-gnu`, "-O2", "-fPIC", "-ffreestanding", "-nostdlib", "-c", source, "-o", object]);
  run("ld.lld", ["-shared", "-z", "now", "-z", "relro", "--pack-dyn-relocs=relr", "--hash-style=sysv", "-z", "max-page-size=4096", "-z", "noexecstack", object, "-o", shared]);
  return shared;
}

interface Relocation { offset: bigint; type: string; symbolValue: bigint; name: string; addend: bigint; section: string }

/** The dynamic relocations as llvm-readelf lists them. */
function relocationsOf(path: string): Relocation[] {
  const relocations: Relocation[] = [];
  let section = "";
  for (const line of run("llvm-readelf", ["--dyn-relocations", path]).split("\n")) {
    const header = /^'(\w+)' relocation section/.exec(line);
    if (header) section = header[1];
    const row = /^([0-9a-f]{16})\s+[0-9a-f]{16}\s+(R_\w+)\s*(?:([0-9a-f]{16})\s+(\S+)\s+\+\s+(\d+)|([0-9a-f]+))?\s*$/.exec(line);
    if (!row) continue;
    relocations.push({
      offset: BigInt(`0x${row[1]}`), type: row[2], section,
      symbolValue: row[3] ? BigInt(`0x${row[3]}`) : 0n, name: row[4] ?? "",
      addend: row[5] ? BigInt(row[5]) : row[6] ? BigInt(`0x${row[6]}`) : 0n,
    });
  }
  return relocations;
}

/** Symbol name → value from llvm-readelf's table of `which` (".dynsym" or ".symtab"). */
function symbolsOf(path: string, which: "--dyn-syms" | "--syms"): Map<string, bigint> {
  const symbols = new Map<string, bigint>();
  for (const line of run("llvm-readelf", [which, path]).split("\n")) {
    const row = /^\s*\d+:\s+([0-9a-f]{16})\s+\d+\s+FUNC\s+\w+\s+\w+\s+\d+\s+(\S+)$/.exec(line);
    if (row) symbols.set(row[2], BigInt(`0x${row[1]}`));
  }
  return symbols;
}

describe("a module built by clang and ld.lld", () => {
  for (const machine of ["x86_64", "aarch64"] as Machine[]) {
    for (const inPlace of [false, true]) {
      it(`loads on ${machine} ${inPlace ? "in place" : "copied"}, every dynamic relocation right`, async () => {
        const path = buildSharedObject(machine);
        expect(run("llvm-readelf", ["-r", path])).toMatch(/Relocation section '\.relr\.dyn'/);
        const relocations = relocationsOf(path);
        expect(relocations.filter((r) => r.section === "RELR").length).toBeGreaterThanOrEqual(4);
        expect(relocations.length).toBeGreaterThanOrEqual(8);
        expect(relocations.some((r) => r.type.endsWith("JUMP_SLOT"))).toBe(true);
        const file = new Uint8Array(readFileSync(path));

        const h = await ElfHarness.create(machine);
        const before = h.pageCounts();
        const { error } = h.load(file, inPlace, h.writeExports(EXPORTS));
        expect(error).toBe("");
        const { base, entry } = h.module;
        const dynamic = symbolsOf(path, "--dyn-syms");
        const all = symbolsOf(path, "--syms");
        expect(entry).toBe(base + dynamic.get("wisp_app_main")!);
        expect(h.inAppCode(entry)).toBe(true);
        expect(h.flags(entry)).toBe(FLAGS.read | FLAGS.execute);
        expect(h.functionAt(entry)).toBe("wisp_app_main");
        expect(h.functionAt(base + dynamic.get("helper")!)).toBe("helper");
        // Static functions have names only in .symtab, which an in-place load keeps.
        expect(all.has("write_one")).toBe(true);
        expect(h.functionAt(base + all.get("write_one")!)).toBe(inPlace ? "write_one" : "");

        const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
        for (const r of relocations) {
          const at = base + r.offset;
          let want: bigint;
          if (r.section === "RELR") want = base + view.getBigUint64(fileOffsetOf(view, r.offset), true);
          else if (r.type.endsWith("_RELATIVE")) want = base + r.addend;
          else if (r.name in EXPORTS) want = EXPORTS[r.name] + (r.type === "R_X86_64_JUMP_SLOT" || r.type === "R_X86_64_GLOB_DAT" ? 0n : r.addend);
          else if (r.name === "optional_hook") want = 0n;
          else want = base + r.symbolValue + (r.type === "R_X86_64_GLOB_DAT" ? 0n : r.addend);
          expect(h.readWord(at), `${r.section} ${r.type} ${r.name} at 0x${r.offset.toString(16)}`).toBe(want);
        }
        h.unload();
        expect(h.pageCounts()).toEqual(before);
      });
    }
  }
});

/** The file offset of ELF address `vaddr`, from the PT_LOAD headers. */
function fileOffsetOf(view: DataView, vaddr: bigint): number {
  const phoff = Number(view.getBigUint64(32, true));
  for (let i = 0; i < view.getUint16(56, true); i++) {
    const at = phoff + i * 56;
    if (view.getUint32(at, true) !== 1) continue;
    const offset = view.getBigUint64(at + 8, true);
    const start = view.getBigUint64(at + 16, true);
    const fileBytes = view.getBigUint64(at + 32, true);
    if (vaddr >= start && vaddr + 8n <= start + fileBytes) return Number(offset + vaddr - start);
  }
  throw new Error(`0x${vaddr.toString(16)} is in no segment's file bytes`);
}
