// Guards loader/elf against malformed modules: every single-byte corruption
// and every truncation of a good module, and random multi-byte damage,
// either loads or is refused with a message; the loader never traps or
// panics, never reads past the file (files not loaded in place end exactly
// at the end of wasm memory, so such a read would trap), and never keeps a
// page: after each attempt no application frame and no page table beyond
// the root remains, and the free frames are what they were.

import { describe, expect, it } from "vitest";
import { wasmModule } from "../compile";
import { ElfHarness, ELF_HARNESS } from "./client";
import { buildModule, BuiltModule, IMPORTS, Machine } from "./elf-builder";
import { Random } from "../random";

await wasmModule(ELF_HARNESS); // compile (or load) once, outside any test's time limit

const EXPORTS: Record<string, bigint> = {
  [IMPORTS.memcpy]: 0xffff_8000_0000_2000n,
  [IMPORTS.fdWrite]: 0xffff_8000_0000_3000n,
};

/** Runs one load of `bytes` and checks the outcome and the page counts; returns the message. */
function attempt(h: ElfHarness, bytes: Uint8Array, inPlace: boolean, exports: number, baseline: ReturnType<ElfHarness["pageCounts"]>, what: () => string): string {
  const { error } = h.load(bytes, inPlace, exports);
  if (error === "") {
    const { entry, region, span } = h.module;
    if (!(entry >= region && entry < region + span) || !h.inAppCode(entry)) throw new Error(`${what()}: loaded with its entry outside its code`);
    h.unload();
  } else if (h.module.region !== 0n) {
    throw new Error(`${what()}: refused (${error}) but left a region`);
  }
  const counts = h.pageCounts();
  if (counts.app !== baseline.app || counts.tables !== baseline.tables || counts.free !== baseline.free) {
    throw new Error(`${what()}: pages ${JSON.stringify(counts)} after, ${JSON.stringify(baseline)} before (${error || "loaded"})`);
  }
  return error;
}

/** The corrupted values tried at every byte. */
const corruptions = (byte: number) => [byte ^ 0xff, byte ^ 0x01, byte ^ 0x80, 0x00, 0xff, (byte + 1) & 0xff];

async function fuzzBytes(machine: Machine, module: BuiltModule, inPlace: boolean, offsets: number[]): Promise<{ loaded: number; refused: Map<string, number> }> {
  const h = await ElfHarness.create(machine);
  const exports = h.writeExports(EXPORTS);
  const baseline = h.pageCounts();
  const refused = new Map<string, number>();
  let loaded = 0;
  const bytes = module.bytes.slice();
  for (const offset of offsets) {
    const original = bytes[offset];
    for (const value of corruptions(original)) {
      if (value === original) continue;
      bytes[offset] = value;
      const error = attempt(h, bytes, inPlace, exports, baseline, () => `byte 0x${offset.toString(16)} = 0x${value.toString(16)}`);
      if (error === "") loaded++;
      else refused.set(error, (refused.get(error) ?? 0) + 1);
    }
    bytes[offset] = original;
  }
  return { loaded, refused };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe("single-byte corruption", () => {
  for (const machine of ["x86_64", "aarch64"] as Machine[]) {
    it(`of every byte of a copied ${machine} module loads or is refused, leaking nothing`, async () => {
      const module = buildModule({ machine });
      const { loaded, refused } = await fuzzBytes(machine, module, false, range(0, module.bytes.length));
      // Both outcomes occur, and refusals name many different problems.
      expect(loaded).toBeGreaterThan(0);
      expect(refused.size).toBeGreaterThan(30);
      for (const message of refused.keys()) expect(message.length).toBeGreaterThan(5);
    }, 120_000);
  }

  it("of the headers, tables and data of a module mapped in place loads or is refused, leaking nothing", async () => {
    const module = buildModule({ pageAligned: true, codePages: 1 });
    const code = module.segments[1];
    // Every byte but the code's, which the loader maps without reading; a sample of those.
    const offsets = range(0, module.bytes.length).filter((at) => at < code.offset || at >= code.offset + code.fileBytes || at % 97 === 0);
    const { loaded, refused } = await fuzzBytes("x86_64", module, true, offsets);
    expect(loaded).toBeGreaterThan(0);
    expect(refused.size).toBeGreaterThan(30);
  }, 120_000);
});

describe("truncation", () => {
  for (const inPlace of [false, true]) {
    it(`at every length ${inPlace ? "(in place)" : "(copied)"} is refused or loads, leaking nothing`, async () => {
      const module = buildModule({ pageAligned: inPlace, codePages: 1 });
      const h = await ElfHarness.create();
      const exports = h.writeExports(EXPORTS);
      const baseline = h.pageCounts();
      let loaded = 0;
      for (let length = 0; length < module.bytes.length; length++) {
        const error = attempt(h, module.bytes.subarray(0, length), inPlace, exports, baseline, () => `length ${length}`);
        if (error === "") loaded++;
      }
      // Only the section headers and .symtab lie past the loaded segments; a cut there is refused too.
      expect(loaded).toBe(0);
      expect(h.load(module.bytes, inPlace, exports).error).toBe("");
    }, 120_000);
  }
});

describe("random damage", () => {
  it("of several bytes at once loads or is refused, leaking nothing", async () => {
    const random = new Random(undefined, 61);
    const h = await ElfHarness.create("aarch64");
    const exports = h.writeExports(EXPORTS);
    const baseline = h.pageCounts();
    const module = buildModule({ machine: "aarch64" });
    for (let round = 0; round < 3000; round++) {
      const bytes = module.bytes.slice();
      const changes = random.int(2, 8);
      // Mostly the headers and tables, where damage matters.
      for (let i = 0; i < changes; i++) bytes[random.bool(0.8) ? random.int(0, 0x400) : random.int(0, bytes.length - 1)] = random.int(0, 255);
      attempt(h, bytes, random.bool(), exports, baseline, () => `round ${round} (seed ${random.seed})`);
    }
  }, 120_000);
});
