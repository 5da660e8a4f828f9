// Guards the nesting rewrite (scripts/app/nesting/) against issue 21's bug
// "wasm2c crashes on deeply nested control flow": npm's wasm2c dies on a
// function nesting blocks some 200-250 deep, which a C switch of that many
// cases compiles to. Generated switches of 1,000 to 20,000 cases (with
// fallthrough, branches further on, small br_tables, loops and switches
// inside cases that leave for the outer one) must compute exactly what they
// computed before the rewrite, in Node for every case, and compiled by
// build-app and run natively; nesting nothing can flatten is refused by
// name; shallow modules pass through untouched.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { AppRefusedError, buildApp } from "../../scripts/app";
import { NESTING_LIMIT, limitNesting } from "../../scripts/app/nesting";
import { readWasmModule } from "../../scripts/app/wasm-module";
import { decodeBody, nestingDepth } from "../../scripts/app/nesting/body";
import { treeBits } from "../../scripts/app/nesting/jump-tree";
import { readSplitModule } from "../../scripts/app/split/module";
import { ROOT } from "../../scripts/build/files";
import { bigModule } from "../../scripts/bench/app/big-module";
import { concatenate, name, section, sleb, uleb, vector } from "../../scripts/bench/app/wasm-bytes";
import { deepSwitchModule, nestedLoopsModule } from "./build-app/deep-switch";
import { Random, suiteSeed } from "./random";
import { runWhole } from "./split/node-run";

const work = mkdtempSync(join(tmpdir(), "wisp-nesting-"));
/** The rewrite as build-app runs it, with the types validate.ts reads. */
const flatten = (bytes: Uint8Array) => limitNesting(bytes, readWasmModule(bytes).types);
const NO_WASI = { wasi_snapshot_preview1: { fd_write: () => 0, proc_exit: () => 0 } };

type Dispatch = (i: number) => number;
const dispatchOf = (bytes: Uint8Array) => (new WebAssembly.Instance(new WebAssembly.Module(bytes), NO_WASI).exports.dispatch as Dispatch);

/** The deepest nesting of any function in a module. */
function deepest(bytes: Uint8Array): number {
  return Math.max(...readSplitModule(bytes).bodies.map((span) => nestingDepth(bytes, span.start, span.end)));
}

/**
 * A module exporting dispatch(i32) -> i32: `cases` blocks, the innermost
 * holding `br_table 0 1 … cases-1` on the argument (entry i leaves block
 * i+1), the code after block j returning 7j + 3 and after the last -1.
 */
function inOrderSwitch(cases: number): Uint8Array {
  const [BLOCK, END, BR_TABLE, RETURN, LOCAL_GET, I32_CONST, VOID, I32] = [0x02, 0x0b, 0x0e, 0x0f, 0x20, 0x41, 0x40, 0x7f];
  const code: number[] = [0];
  for (let j = 0; j < cases; j++) code.push(BLOCK, VOID);
  code.push(LOCAL_GET, 0, BR_TABLE, ...uleb(cases - 1));
  for (let i = 0; i < cases; i++) code.push(...uleb(i));
  for (let j = 1; j <= cases; j++) code.push(END, ...(j < cases ? [I32_CONST, ...sleb(j * 7 + 3), RETURN] : []));
  code.push(I32_CONST, ...sleb(-1), END);
  return concatenate([
    [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    section(1, vector([[0x60, ...vector([[I32]]), ...vector([[I32]])]])),
    section(3, vector([[0]])),
    section(7, vector([[...name("dispatch"), 0x00, 0]])),
    section(10, vector([[...uleb(code.length), ...code]])),
  ]);
}

describe("deep switches are flattened and compute the same (Node)", () => {
  const shapes = [
    { cases: 1000, innerCases: 60 },
    { cases: 4096, innerCases: 40 },
    { cases: 20000, innerCases: 50 },
  ];
  for (const shape of shapes) {
    it(`${shape.cases} cases with switches of ${shape.innerCases} inside some`, () => {
      const random = new Random(suiteSeed(), shape.cases);
      const bytes = deepSwitchModule({ ...shape, seed: random.u32() });
      const flat = flatten(bytes);
      expect(flat.functions).toHaveLength(1);
      expect(flat.functions[0].index).toBe(2);
      expect(flat.functions[0].depthBefore).toBe(deepest(bytes));
      expect(flat.functions[0].depthBefore).toBeGreaterThan(shape.cases);
      expect(flat.functions[0].depthAfter).toBe(deepest(flat.bytes));
      expect(flat.functions[0].depthAfter).toBeLessThanOrEqual(NESTING_LIMIT);
      const before = dispatchOf(bytes);
      const after = dispatchOf(flat.bytes);
      const mismatches: string[] = [];
      const results = new Set<number>();
      for (let i = -3; i < shape.cases + 4; i++) {
        const expected = before(i);
        results.add(expected);
        if (after(i) !== expected && mismatches.length < 5) mismatches.push(`dispatch(${i}) = ${after(i)}, not ${expected} (${random.label})`);
      }
      expect(mismatches).toEqual([]);
      expect(results.size).toBeGreaterThan(shape.cases / 2); // the cases really differ
    });
  }

  it("random small seeds: 40 switches of 160-400 cases", () => {
    const random = new Random(suiteSeed(), 1);
    for (let round = 0; round < 40; round++) {
      const shape = { cases: random.int(160, 400), innerCases: random.pick([0, 33, 48, 70]), seed: random.u32() };
      const bytes = deepSwitchModule(shape);
      const flat = flatten(bytes);
      const before = dispatchOf(bytes);
      const after = dispatchOf(flat.bytes);
      for (let i = -3; i < shape.cases + 4; i++) expect(after(i), `${JSON.stringify(shape)} dispatch(${i}) (${random.label})`).toBe(before(i));
    }
  });

  it("a C switch's br_table jumps on the state itself, through two levels of at most 32 (300 cases)", () => {
    const cases = 300;
    const bytes = inOrderSwitch(cases);
    const flat = flatten(bytes);
    expect(flat.functions).toEqual([{ index: 0, depthBefore: cases, depthAfter: expect.any(Number) }]);
    const m = readSplitModule(flat.bytes);
    const tables = decodeBody(flat.bytes, m.bodies[0].start, m.bodies[0].end).instructions.filter((ins) => ins.op === 0x0e);
    expect(treeBits(cases)).toBe(5);
    expect(tables).toHaveLength(1 + Math.ceil(cases / 32)); // the dispatch tree alone: none on the index
    const dispatch = dispatchOf(flat.bytes);
    for (let i = -3; i < cases + 3; i++) expect(dispatch(i)).toBe(i >= 0 && i < cases - 1 ? (i + 1) * 7 + 3 : -1);
  });

  it("jump trees take the fewest levels of at most 64 ways, at least 16", () => {
    expect([2, 16, 17, 64, 65, 256, 257, 4096, 4097, 20000].map(treeBits)).toEqual([4, 4, 5, 6, 4, 4, 5, 6, 5, 5]);
  });

  it("a module nesting nothing too deep is returned as it was", () => {
    const bytes = bigModule(50, { steps: 2 });
    expect(flatten(bytes)).toEqual({ bytes, functions: [] });
    const shallow = deepSwitchModule({ cases: NESTING_LIMIT - 10, innerCases: 0, seed: 7 });
    expect(flatten(shallow).bytes).toBe(shallow);
  });

  it("nesting that is not a chain of blocks is refused, naming the function and depth", () => {
    const bytes = nestedLoopsModule(NESTING_LIMIT + 50);
    expect(() => flatten(bytes)).toThrow(AppRefusedError);
    expect(() => flatten(bytes)).toThrow(`function 0 nests blocks, loops and ifs ${NESTING_LIMIT + 50} deep; wasm2c takes at most ${NESTING_LIMIT}`);
  });
});

describe("deep switches compiled by build-app run as in Node (native harness, x86_64)", () => {
  let harness = "";
  beforeAll(() => {
    harness = join(work, "native-harness");
    execFileSync("clang", ["-O2", "-rdynamic", join(ROOT, "scripts", "bench", "app", "native-harness.c"), "-o", harness, "-ldl", "-lm"]);
  });

  it("npm's wasm2c translates a flattened 20,000-case switch, and still dies on it as it was", () => {
    const bytes = deepSwitchModule({ cases: 20000, innerCases: 0, seed: suiteSeed() });
    const wasm2c = (input: Uint8Array, file: string) => {
      writeFileSync(join(work, `${file}.wasm`), input);
      return spawnSync(join(ROOT, "node_modules", ".bin", "wasm2c"), [join(work, `${file}.wasm`), "-n", "app", "-o", join(work, `${file}.c`)], { encoding: "utf8" });
    };
    expect(wasm2c(flatten(bytes).bytes, "flat").status).toBe(0);
    const original = wasm2c(bytes, "deep");
    expect(original.status).not.toBe(0);
    // its emscripten stack runs out (a trap), or the JS one under it
    expect(original.stderr).toMatch(/memory access out of bounds|Maximum call stack size exceeded/);
  });

  // clang's time grows quickly with the size of one function (a 1,000-case
  // switch took two minutes in CI, a 2,000-case one takes several), so the
  // compiled one is smaller, still well past NESTING_LIMIT; the larger ones
  // are checked above against Node without clang.
  it("a 400-case switch builds and prints what Node prints", async () => {
    const bytes = deepSwitchModule({ cases: 400, innerCases: 40, seed: suiteSeed() });
    const wasm = join(work, "switch.wasm");
    writeFileSync(wasm, bytes);
    const { soPath, report } = await buildApp(wasm, { arch: "x86_64", jobs: 2 });
    expect(report.flattened.map((f) => f.index)).toEqual([2]);
    const native = spawnSync(harness, [soPath], { encoding: "utf8" });
    const node = runWhole(bytes);
    expect(node.stdout).toMatch(/^[0-9a-f]{8}\n$/);
    expect({ stdout: native.stdout, status: native.status }).toEqual({ stdout: node.stdout, status: 0 });
  }, 300_000);
});
