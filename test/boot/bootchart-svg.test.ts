// Boot tier: `wisp run --bootchart=FILE.svg` draws the chart the kernel
// printed, for a kernel alone (its output on stdout) and for an app (kernel
// messages framed apart from the app's output): every stage of the printed
// chart is a bar in the picture, in instructions under --icount; an empty
// file name is a usage error.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseBootChart } from "../../scripts/bench/bootchart";
import { wisp } from "./wisp-cli";

const ROOT = new URL("../..", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "wisp-bootchart-svg-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The stage names the picture has bars for. */
const drawnStages = (svg: string) => [...svg.matchAll(/<title>([\w-]+): /g)].map((m) => m[1]);

describe("wisp run --bootchart=FILE.svg", () => {
  it("draws the kernel's chart, booted alone", () => {
    const svg = join(work, "kernel.svg");
    const run = wisp("run", "--icount", `--bootchart=${svg}`, "--timeout", "120");
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(`wisp: boot chart drawn in ${svg}`);
    const chart = parseBootChart(run.stdout)!;
    expect(drawnStages(readFileSync(svg, "utf8"))).toEqual(chart.stages.map((stage) => stage.name));
    expect(readFileSync(svg, "utf8")).toContain("instructions from the first instruction");
  });

  it("draws it for an app, from the kernel's framed messages", () => {
    const wasm = join(work, "hello.wasm");
    execFileSync("clang", ["--target=wasm32-wasi", "-O2", join(ROOT, "modules/hello-c/hello.c"), "-o", wasm]);
    const svg = join(work, "app.svg");
    const run = wisp("run", `--bootchart=${svg}`, wasm);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe("Hello from Wisp!\n1 argument\n  argv[0] = hello.wasm\n");
    const chart = parseBootChart(run.stderr)!;
    expect(chart.stages.map((stage) => stage.name)).toContain("app-start");
    expect(drawnStages(readFileSync(svg, "utf8"))).toEqual(chart.stages.map((stage) => stage.name));
  });

  it("refuses an empty file name", () => {
    const run = wisp("run", "--bootchart=");
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--bootchart= needs a file name");
  });
});
