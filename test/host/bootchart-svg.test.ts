// Guards the boot chart picture (scripts/bench/bootchart-svg.ts): one bar
// per stage from the previous stamp to its own, at the right place and
// width on a common scale, coloured by who takes the step (stub, kernel,
// app); labels escaped; reference bars on their own scale; and the
// document is SVG that rsvg-convert (librsvg, what the setup script
// installs) draws at the size it declares.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bootChartSvg } from "../../scripts/bench/bootchart-svg";
import { parseBootChart, stagesIn } from "../../scripts/bench/bootchart";

const work = mkdtempSync(join(tmpdir(), "wisp-bootchart-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const STAGES = [
  { name: "first-instruction", at: 0 }, { name: "paging-on", at: 100 }, { name: "runtime-ready", at: 300 },
  { name: "console", at: 400 }, { name: "kernel-ready", at: 600 }, { name: "app-loaded", at: 900 }, { name: "app-start", at: 1000 },
];

/** The stage bars: [x, width, colour] of each rect that has a <title>. */
function bars(svg: string): Array<[number, number, string]> {
  return [...svg.matchAll(/<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="14" fill="(#[0-9a-f]+)"><title>/g)]
    .map((m) => [Number(m[1]), Number(m[2]), m[3]]);
}

describe("the boot chart SVG", () => {
  it("draws each stage from the previous stamp to its own on one scale, coloured by who takes it", () => {
    const svg = bootChartSvg({ title: "test <chart> & more", unit: "instructions", stages: STAGES });
    const drawn = bars(svg);
    expect(drawn).toHaveLength(STAGES.length);
    const left = 170;
    const scale = drawn[6][0] + drawn[6][1] - left; // app-start ends at the plot's right edge
    for (const [i, stage] of STAGES.entries()) {
      const previous = i === 0 ? 0 : STAGES[i - 1].at;
      expect(drawn[i][0]).toBeCloseTo(left + (previous / 1000) * scale, 0);
      if (i > 0) expect(drawn[i][1]).toBeCloseTo(((stage.at - previous) / 1000) * scale, 0);
    }
    expect(drawn.map(([, , colour]) => colour)).toEqual(["#8e9aaf", "#8e9aaf", "#8e9aaf", "#3a6ea5", "#3a6ea5", "#4f9d69", "#4f9d69"]);
    expect(svg).toContain("test &lt;chart&gt; &amp; more");
    expect(svg).toContain(">1,000  +100<"); // app-start: its time and its step
  });

  it("adds reference bars on their own scale, and renders with rsvg-convert at its declared size", () => {
    const svg = bootChartSvg({ title: "t", unit: "µs", stages: STAGES, references: { unit: "ms", bars: [{ label: "wisp", value: 50 }, { label: "linux", value: 200 }] } });
    const references = [...svg.matchAll(/<rect x="170" y="[\d.]+" width="([\d.]+)" height="14" fill="#c08552"\/>/g)].map((m) => Number(m[1]));
    expect(references).toHaveLength(2);
    expect(references[0] / references[1]).toBeCloseTo(0.25, 3);
    const [, width, height] = /<svg [^>]*width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
    const file = join(work, "chart.svg");
    writeFileSync(file, svg);
    execFileSync("rsvg-convert", [file, "-o", join(work, "chart.png")]);
    const png = readFileSync(join(work, "chart.png"));
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join("")).toBe("PNG");
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([width, height]);
  });

  it("reads a printed chart into stages in microseconds, or in instructions under -icount", () => {
    const chart = parseBootChart("boot\nbootchart-raw hz=2000000000 source=pit first-instruction=0 paging-on=4000 kernel-ready=20000\n")!;
    expect(stagesIn(chart, false)).toEqual([{ name: "first-instruction", at: 0 }, { name: "paging-on", at: 2 }, { name: "kernel-ready", at: 10 }]);
    expect(stagesIn(chart, true).map((s) => s.at)).toEqual([0, 4000, 20000]);
    const arm = parseBootChart("bootchart-raw hz=62500000 source=arch a=0 b=1000\n")!;
    expect(stagesIn(arm, true).map((s) => s.at)).toEqual([0, 16000]); // 16 instructions per 62.5 MHz tick
  });
});
