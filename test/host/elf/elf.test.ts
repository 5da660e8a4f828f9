// Guards loader/elf on hand-made modules (test/host/elf/elf-builder.ts): a good
// module loads on both machines, copied or mapped from the file, with every
// segment mapped with exactly its permissions, PT_GNU_RELRO read-only, every
// RELR and RELA word relocated right, the entry found, names and code
// ranges answered; unloading returns every page. Each refusal the loader
// promises comes with a message that names what is wrong.

import { describe, expect, it } from "vitest";
import { wasmModule } from "../compile";
import { ElfHarness, ELF_HARNESS, FLAGS, NOT_MAPPED } from "./client";
import { buildModule, BuiltModule, DT, IMPORTS, Machine, PAGE, PF, PT, R } from "./elf-builder";

await wasmModule(ELF_HARNESS); // compile (or load) once, outside any test's time limit

const EXPORTS: Record<string, bigint> = {
  wasm_rt_trap: 0xffff_8000_0000_1000n,
  [IMPORTS.memcpy]: 0xffff_8000_0000_2000n,
  [IMPORTS.fdWrite]: 0xffff_8000_0000_3000n,
};

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Checks every relocated word and every page's mapping of a loaded module. */
function expectLoaded(h: ElfHarness, module: BuiltModule, file: number, inPlace: boolean): void {
  const { base, region, entry } = h.module;
  expect(region % 0x20_0000n).toBe(0n);
  expect(entry).toBe(base + BigInt(module.functions.wisp_app_main));
  for (const expected of module.expectations) {
    const want = expected.kind === "relative" ? base + expected.value
      : expected.kind === "import" ? EXPORTS[expected.name] + expected.addend : expected.value;
    expect(h.readWord(base + BigInt(expected.vaddr)), `word at 0x${expected.vaddr.toString(16)}`).toBe(want);
  }
  for (const segment of module.segments) {
    const want = FLAGS.read | (segment.flags & PF.w ? FLAGS.write : 0) | (segment.flags & PF.x ? FLAGS.execute : 0);
    for (let page = Math.floor(segment.vaddr / PAGE) * PAGE; page < segment.vaddr + segment.memoryBytes; page += PAGE) {
      const inRelro = page >= module.relro.start && page < module.relro.end;
      expect(h.flags(base + BigInt(page)), `flags of page 0x${page.toString(16)}`).toBe(inRelro ? FLAGS.read : want);
      const physical = h.translate(base + BigInt(page));
      const fromFile = physical === BigInt(file + segment.offset - (segment.vaddr - page));
      // Whole code pages come from the file when loading in place; everything else is a copy.
      const whole = page + PAGE <= segment.vaddr + segment.fileBytes;
      expect(fromFile, `page 0x${page.toString(16)} mapped from the file`).toBe(inPlace && whole && !(segment.flags & PF.w));
    }
  }
  // Copied bytes match the file, bss is zero.
  const data = module.segments[3];
  const bytes = h.bytes();
  const physical = Number(h.translate(base + BigInt(data.vaddr + data.fileBytes)));
  expect(Array.from(bytes.subarray(physical, physical + data.memoryBytes - data.fileBytes)).every((b) => b === 0)).toBe(true);
  const code = module.segments[1];
  const codeAt = Number(h.translate(base + BigInt(code.vaddr)));
  expect(bytes.subarray(codeAt, codeAt + 16)).toEqual(module.bytes.subarray(code.offset, code.offset + 16));
}

describe("a good module", () => {
  for (const machine of ["x86_64", "aarch64"] as Machine[]) {
    for (const inPlace of [false, true]) {
      it(`loads on ${machine}, ${inPlace ? "mapped from the file" : "copied"}, relocated and mapped W^X`, async () => {
        const h = await ElfHarness.create(machine);
        const module = buildModule({ machine, pageAligned: inPlace });
        const before = h.pageCounts();
        const { error, file } = h.load(module.bytes, inPlace, h.writeExports(EXPORTS));
        expect(error).toBe("");
        expectLoaded(h, module, file, inPlace);
        h.unload();
        expect(h.pageCounts()).toEqual(before);
        expect(h.module.region).toBe(0n);
      });
    }
  }

  it("finds each import by its hash among names sharing its prefixes, and no other", async () => {
    const h = await ElfHarness.create();
    const crowd: Record<string, bigint> = { ...EXPORTS };
    for (let k = 1; k < IMPORTS.fdWrite.length; k++) crowd[IMPORTS.fdWrite.slice(0, k)] = 0xdead_0000n + BigInt(k);
    for (let n = 0; n < 60; n++) {
      crowd[`${IMPORTS.fdWrite}${n}`] = 0xbeef_0000n + BigInt(n);
      crowd[`${IMPORTS.memcpy}${n}`] = 0xcafe_0000n + BigInt(n);
    }
    crowd[`${IMPORTS.weak}_`] = 0xf00dn; // the weak import itself stays unresolved
    const module = buildModule({});
    const { error, file } = h.load(module.bytes, false, h.writeExports(crowd));
    expect(error).toBe("");
    expectLoaded(h, module, file, false);
  });

  it("answers names and code ranges, from .symtab in place and .dynsym otherwise", async () => {
    const h = await ElfHarness.create();
    const exports = h.writeExports(EXPORTS);
    for (const inPlace of [true, false]) {
      const module = buildModule({ pageAligned: inPlace });
      expect(h.load(module.bytes, inPlace, exports).error).toBe("");
      const { base, symbolsInFile } = h.module;
      expect(symbolsInFile).toBe(inPlace);
      const at = (vaddr: number) => base + BigInt(vaddr);
      expect(h.functionAt(at(module.functions.wisp_app_main))).toBe("wisp_app_main");
      expect(h.functionAt(at(module.functions.helper_fn + module.functionBytes - 1))).toBe("helper_fn");
      expect(h.functionAt(at(module.functions.static_fn))).toBe(inPlace ? "static_fn" : "");
      expect(h.functionAt(at(module.segments[3].vaddr))).toBe("");
      const code = module.segments[1];
      expect(h.inAppCode(at(code.vaddr))).toBe(true);
      expect(h.inAppCode(at(code.vaddr + code.memoryBytes - 1))).toBe(true);
      expect(h.inAppCode(at(code.vaddr + code.memoryBytes))).toBe(false);
      expect(h.inAppCode(at(module.segments[3].vaddr))).toBe(false);
      h.unload();
      expect(h.inAppCode(at(code.vaddr))).toBe(false);
      expect(h.functionAt(at(module.functions.wisp_app_main))).toBe("");
      expect(h.translate(at(code.vaddr))).toBe(NOT_MAPPED);
    }
  });

  it("loads twice in a row into fresh regions and frees everything each time", async () => {
    const h = await ElfHarness.create("aarch64");
    const exports = h.writeExports(EXPORTS);
    const module = buildModule({ machine: "aarch64" });
    h.load(module.bytes, false, exports);
    h.unload();
    const before = h.pageCounts();
    for (let round = 0; round < 20; round++) {
      const { error, file } = h.load(module.bytes, false, exports);
      expect(error).toBe("");
      expectLoaded(h, module, file, false);
      h.unload();
    }
    expect(h.pageCounts()).toEqual(before);
    expect(before.app).toBe(0);
  });

  it("has the ELF64 structure sizes", async () => {
    const h = await ElfHarness.create();
    h.exports.elfLayoutSizes(0x2000);
    expect(Array.from(new Uint32Array(h.bytes().buffer, 0x2000, 6))).toEqual([64, 56, 64, 16, 24, 24]);
  });
});

/** Loads a good module after `corrupt` changed it; returns the loader's message. */
async function refusal(corrupt: (bytes: Uint8Array, module: BuiltModule) => void, machine: Machine = "x86_64", exports = EXPORTS): Promise<string> {
  const h = await ElfHarness.create(machine);
  const module = buildModule({ machine });
  const bytes = module.bytes.slice();
  corrupt(bytes, module);
  const before = h.pageCounts();
  const { error } = h.load(bytes, false, h.writeExports(exports));
  expect(h.pageCounts()).toEqual(before);
  expect(h.module.region).toBe(0n);
  return error;
}

const phdr = (index: number) => 64 + index * 56;

describe("refusals name what is wrong", () => {
  it("not an ELF file, a wrong class, machine or type", async () => {
    expect(await refusal((b) => (b[0] = 0))).toBe("not an ELF file");
    expect(await refusal((b) => (b[4] = 1))).toBe("not a 64-bit ELF file");
    expect(await refusal((b) => view(b).setUint16(16, 2, true))).toBe("ELF type 2 is not a shared object (link with -shared)");
    expect(await refusal((b) => view(b).setUint16(18, 183, true))).toBe("ELF machine 183 is not x86_64");
    expect(await refusal((b) => view(b).setUint16(18, 62, true), "aarch64")).toBe("ELF machine 62 is not aarch64");
  });

  it("a module for the other machine", async () => {
    const h = await ElfHarness.create();
    const module = buildModule({ machine: "aarch64" });
    expect(h.load(module.bytes, false, h.writeExports(EXPORTS)).error).toBe("ELF machine 183 is not x86_64");
  });

  it("segments outside the file, overlapping, misaligned, writable and executable", async () => {
    expect(await refusal((b) => view(b).setBigUint64(phdr(2) + 8, 0x10_0000n, true))).toBe("segment 2 lies outside the file");
    expect(await refusal((b) => view(b).setBigUint64(phdr(3) + 32, 0xffff_ffff_ffff_fff0n, true))).toBe("segment 3 has more file bytes than memory bytes");
    expect(await refusal((b) => view(b).setUint32(phdr(1) + 4, PF.r | PF.w | PF.x, true))).toBe("segment 1 is both writable and executable");
    expect(await refusal((b, m) => view(b).setBigUint64(phdr(2) + 16, BigInt(m.segments[1].vaddr + 0x10), true)))
      .toMatch(/^segment 2 (overlaps segment 1|has an address not congruent)/);
    expect(await refusal((b, m) => {
      view(b).setBigUint64(phdr(2) + 16, BigInt(m.segments[2].vaddr - PAGE), true);
      view(b).setBigUint64(phdr(2) + 24, BigInt(m.segments[2].vaddr - PAGE), true);
    })).toBe("segment 2 overlaps segment 1 (loaded segments must be in address order and share no page)");
    expect(await refusal((b) => view(b).setBigUint64(phdr(1) + 48, 0x10n, true))).toBe("segment 1 has alignment 0x10 (a power of two from 4 KiB to 2 MiB is needed)");
    expect(await refusal((b) => view(b).setBigUint64(phdr(1) + 16, 0x1_1000_0000n, true))).toBe("segment 1 has an address not congruent to its file offset");
    expect(await refusal((b) => view(b).setBigUint64(phdr(3) + 40, 0x8000_0000n, true))).toBe("the module spans 0x80004000 bytes, more than the 0x40000000 allowed");
  });

  it("PT_DYNAMIC missing or outside the segments, PT_INTERP, PT_TLS, an executable stack", async () => {
    expect(await refusal((b) => view(b).setUint32(phdr(4), 0, true))).toBe("the module has no PT_DYNAMIC segment");
    expect(await refusal((b) => view(b).setBigUint64(phdr(4) + 16, 0x9000n, true))).toBe("PT_DYNAMIC is not inside a loaded segment");
    expect(await refusal((b) => view(b).setUint32(phdr(6), PT.interp, true))).toBe("the module asks for an interpreter (PT_INTERP): link it with -shared");
    expect(await refusal((b) => view(b).setUint32(phdr(6), PT.tls, true))).toBe("the module uses thread-local storage (PT_TLS), which apps cannot have");
    expect(await refusal((b) => view(b).setUint32(phdr(6) + 4, PF.r | PF.w | PF.x, true))).toBe("the module asks for an executable stack");
    expect(await refusal((b) => view(b).setBigUint64(phdr(5) + 16, 0x1000n, true))).toBe("PT_GNU_RELRO lies outside the writable segments");
  });

  /** Sets the value of the first dynamic entry with `tag` (or changes its tag with `newTag`). */
  const dynamic = (tag: number, change: { value?: bigint; newTag?: number }) => (b: Uint8Array, m: BuiltModule) => {
    for (let i = 0; i < m.at.dynamicCount; i++) {
      const at = m.at.dynamic + i * 16;
      if (view(b).getBigInt64(at, true) !== BigInt(tag)) continue;
      if (change.value !== undefined) view(b).setBigUint64(at + 8, change.value, true);
      if (change.newTag !== undefined) view(b).setBigInt64(at, BigInt(change.newTag), true);
      return;
    }
    throw new Error(`no dynamic entry ${tag}`);
  };

  it("dynamic tables missing, outside the file or malformed", async () => {
    expect(await refusal(dynamic(DT.hash, { newTag: 0x7000_0000 }))).toBe("the module has no DT_HASH table (link with --hash-style=sysv)");
    expect(await refusal(dynamic(DT.symtab, { value: 0x10_0000n }))).toBe("DT_SYMTAB lies outside the file");
    expect(await refusal(dynamic(DT.strsz, { value: 0x10_0000n }))).toBe("DT_STRTAB lies outside the file");
    expect(await refusal(dynamic(DT.strsz, { value: 5n }))).toBe("DT_STRTAB does not end with a NUL");
    expect(await refusal(dynamic(DT.relaent, { value: 16n }))).toBe("DT_RELAENT or DT_RELASZ is not a multiple of 24");
    expect(await refusal(dynamic(DT.relasz, { value: 0x10_0000n * 24n }))).toBe("DT_RELA lies outside the file");
    expect(await refusal(dynamic(DT.pltrel, { value: BigInt(DT.rel) }))).toBe("DT_PLTREL is not DT_RELA");
    expect(await refusal(dynamic(DT.relrent, { value: 4n }))).toBe("DT_RELRENT or DT_RELRSZ is not a multiple of 8");
    expect(await refusal(dynamic(DT.flags, { newTag: DT.rel }))).toBe("the module has DT_REL relocations (only RELA and RELR are supported)");
    expect(await refusal(dynamic(DT.flags, { newTag: DT.textrel }))).toBe("the module has text relocations (DT_TEXTREL)");
    expect(await refusal(dynamic(DT.flags, { newTag: DT.init }))).toBe("the module has initializers (DT_INIT, DT_INIT_ARRAY), which the loader does not run");
    expect(await refusal((b, m) => view(b).setBigUint64(phdr(4) + 32, BigInt((m.at.dynamicCount - 1) * 16), true)))
      .toBe("the dynamic section has no DT_NULL end");
  });

  it("a module built without DT_HASH", async () => {
    const h = await ElfHarness.create();
    expect(h.load(buildModule({ noHash: true }).bytes, false, h.writeExports(EXPORTS)).error)
      .toBe("the module has no DT_HASH table (link with --hash-style=sysv)");
  });

  it("unknown imports, unsupported relocation types, targets outside the writable segments", async () => {
    const { [IMPORTS.fdWrite]: _, ...withoutFdWrite } = EXPORTS;
    void _;
    expect(await refusal(() => {}, "x86_64", withoutFdWrite)).toBe(`unknown import: ${IMPORTS.fdWrite}`);
    expect(await refusal((b, m) => view(b).setUint32(m.at.firstRelaInfo, 37, true)))
      .toMatch(/^relocation type 37 at 0x[0-9a-f]+ is not supported$/);
    expect(await refusal((b, m) => view(b).setUint32(m.at.firstPltInfo, R.x86_64.relative + 30, true)))
      .toMatch(/^relocation type 38 at 0x[0-9a-f]+ is not supported$/);
    expect(await refusal((b, m) => view(b).setBigUint64(m.at.firstRelaInfo - 8, 0x1000n, true))).toBe("a relocation at 0x1000 lies outside the writable segments");
    expect(await refusal((b, m) => view(b).setBigUint64(m.at.firstRelaInfo - 8, BigInt(m.segments[3].vaddr + 4), true)))
      .toBe(`a relocation at 0x${(buildModule().segments[3].vaddr + 4).toString(16)} is not 8-byte aligned`);
    expect(await refusal((b, m) => view(b).setBigUint64(m.at.relr, 0x3n, true))).toBe("DT_RELR starts with a bitmap, not an address");
    // A bitmap running past the end of .bss.
    expect(await refusal((b, m) => {
      view(b).setBigUint64(m.at.relr, BigInt(m.segments[3].vaddr + m.segments[3].fileBytes - 8), true);
      view(b).setBigUint64(m.at.relr + 8, 0xffff_ffff_ffff_ffffn, true);
    })).toBe(`a relocation at 0x${(buildModule().segments[3].vaddr + buildModule().segments[3].memoryBytes).toString(16)} lies outside the writable segments`);
    expect(await refusal((b, m) => view(b).setUint32(m.at.firstRelaInfo + 24 + 4, 99, true))).toBe("a relocation names symbol 99 of 7");
  });

  it("no wisp_app_main, or one that is not a function in code", async () => {
    const rename = (b: Uint8Array) => {
      const at = Buffer.from(b).indexOf("wisp_app_main\0");
      b[at] = "W".charCodeAt(0);
    };
    expect(await refusal(rename)).toBe("the module has no wisp_app_main entry");
    // Symbol 1 is wisp_app_main: make it an object, then point it at data.
    expect(await refusal((b, m) => (b[dynsymOf(b, m) + 24 + 4] = 0x11))).toBe("the module has no wisp_app_main entry");
    expect(await refusal((b, m) => view(b).setBigUint64(dynsymOf(b, m) + 24 + 8, BigInt(m.segments[3].vaddr), true)))
      .toBe("the module has no wisp_app_main entry");
  });
});

/** The file offset of .dynsym (from DT_SYMTAB; the first segment maps the file at address 0). */
function dynsymOf(bytes: Uint8Array, module: BuiltModule): number {
  for (let i = 0; i < module.at.dynamicCount; i++) {
    const at = module.at.dynamic + i * 16;
    if (view(bytes).getBigInt64(at, true) === BigInt(DT.symtab)) return Number(view(bytes).getBigUint64(at + 8, true));
  }
  throw new Error("no DT_SYMTAB");
}
