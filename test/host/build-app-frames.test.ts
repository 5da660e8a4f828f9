// Guards build-app against stack clash (issue 12): app code runs on a native
// stack with an unmapped guard below it and no wasm stack-depth limit, so a
// frame that moves the stack pointer past the whole guard before writing
// would write into kernel memory. x86_64 code probes each page of a big
// frame; aarch64 (no probes in clang 14) gets only frames the guard covers,
// and a module with a larger one is refused naming the function.

import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AppRefusedError, buildApp } from "../../scripts/app";
import { MAX_FRAME_BYTES, frameProblem } from "../../scripts/app/frames";
import { writeBigFrameWasm } from "./build-app/big-frame";

const PAGE = 4096;
const work = mkdtempSync(join(tmpdir(), "wisp-frames-"));

/** Every constant the x86_64 code subtracts from %rsp. */
function rspAdjustments(soPath: string): number[] {
  const text = execFileSync("llvm-objdump", ["-d", "--no-show-raw-insn", soPath], { encoding: "utf8", maxBuffer: 1 << 28 });
  return [...text.matchAll(/subq\s+\$(\d+), %rsp/g)].map((match) => Number(match[1]));
}

describe("native frames larger than the stack's guard page", () => {
  it("x86_64 probes every page of an 8 KiB frame: no single stack adjustment exceeds a page", async () => {
    const wasm = writeBigFrameWasm(join(work, "big-frame.wasm"));
    const { soPath, report } = await buildApp(wasm, { arch: "x86_64", jobs: 1 });
    expect(report.largestFrame!.bytes).toBeGreaterThan(2 * PAGE);
    const adjustments = rspAdjustments(soPath);
    expect(adjustments.length).toBeGreaterThan(0);
    expect(Math.max(...adjustments)).toBeLessThanOrEqual(PAGE);
  });

  it("aarch64 (no probes) takes the 8 KiB frame and refuses a 20 KiB one, naming the function", async () => {
    const fits = writeBigFrameWasm(join(work, "fits.wasm"));
    const { report } = await buildApp(fits, { arch: "aarch64", jobs: 1 });
    expect(report.largestFrame!.bytes).toBeGreaterThan(2 * PAGE);
    expect(report.largestFrame!.bytes).toBeLessThanOrEqual(MAX_FRAME_BYTES);

    const tooBig = writeBigFrameWasm(join(work, "too-big.wasm"), 2500);
    const refusal = await buildApp(tooBig, { arch: "aarch64", jobs: 1 }).then(() => null, (error: Error) => error);
    expect(refusal).toBeInstanceOf(AppRefusedError);
    expect(refusal!.message).toMatch(/too-big\.wasm needs a \d+-byte native stack frame in w2c_app_f1; on aarch64 Wisp guards frames of up to 15360 bytes/);
  });

  it("a function with a dynamically sized frame is refused where there are no probes", () => {
    const frames = { sizes: new Map([["w2c_app_f1", 64]]), unlisted: ["w2c_app_f2"] };
    expect(frameProblem(frames, "aarch64")).toMatch(/dynamically sized native stack frame in w2c_app_f2/);
    expect(frameProblem(frames, "x86_64")).toBeNull();
    expect(frameProblem({ sizes: new Map([["f", MAX_FRAME_BYTES + 1]]), unlisted: [] }, "x86_64")).toBeNull();
  });
});
