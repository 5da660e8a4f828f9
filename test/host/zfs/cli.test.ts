// `wisp zfs ls`, `cat` and `df` (scripts/cli/zfs.ts): listings like
// ls -l, file bytes on stdout, links followed, a mirror given as both
// images (or one), a dataset's space, and the module's refusal as one line
// with exit 1.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { manifest, removeUnpacked, unpackImages } from "./tree";
import { ZfsModule } from "../../../scripts/zfs/host";

const WISP = new URL("../../../scripts/wisp.mjs", import.meta.url).pathname;

/** Runs the wisp CLI as a user does (its output goes to the process's stdout, which in-process runs cannot see). */
async function wisp(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const { status, stdout, stderr } = spawnSync(process.execPath, [WISP, ...args], { encoding: "utf8" });
  return { status, stdout, stderr };
}
const lzjb = unpackImages("lzjb");
const twin = unpackImages("twin");

afterAll(removeUnpacked);

describe("wisp zfs", () => {
  it("lists a directory like ls -l, with link targets", async () => {
    const { status, stdout } = await wisp("zfs", "ls", ...lzjb);
    expect(status).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines.map((line) => line.split(" ").at(-1))).toContain("hello.txt");
    expect(lines).toContainEqual(expect.stringMatching(/^-rw-r--r-- +1 +19 2021-03-04 05:06 hello\.txt$/));
    expect(lines).toContainEqual(expect.stringMatching(/^lrwxrwxrwx +1 +9 .* link-short -> hello\.txt$/));
    expect(lines).toContainEqual(expect.stringMatching(/^-rwsr-x--x +1 +6 .* modes$/));
    expect(lines).toContainEqual(expect.stringMatching(/^drwxrwxrwt .* sticky$/));
    expect(lines.length).toBe(manifest.lzjb.datasets.lzjb[0].names!.length);
  });

  it("writes a file's bytes, following links, from a dataset of a mirror", async () => {
    const { status, stdout } = await wisp("zfs", "cat", ...twin, "/link-short", "--pool", "twin/child");
    expect(status).toBe(0);
    expect(stdout).toBe("hello from level 1\n");
    const text = manifest.twin.datasets["twin/child"].find((entry) => entry.path === "/text.txt")!;
    const cat = await wisp("zfs", "cat", twin[1], "/text.txt", "--pool", "twin/child");
    expect(createHash("sha256").update(cat.stdout).digest("hex")).toBe(text.sha256);
  });

  it("df: the dataset's size, used, available and files, as the module's statfs says", async () => {
    const module = await ZfsModule.open(twin);
    const space = module.statfs(module.mount("twin/child"));
    module.close();
    const { status, stdout } = await wisp("zfs", "df", ...twin, "--pool", "twin/child");
    expect(status).toBe(0);
    const [header, row] = stdout.trimEnd().split("\n").map((line) => line.trim().split(/ +/));
    expect(header).toEqual(["dataset", "bytes", "used", "available", "files", "files-free"]);
    const b = BigInt(space.blockSize);
    expect(row).toEqual(["twin/child", space.blocks * b, (space.blocks - space.blocksFree) * b, space.blocksAvailable * b,
      space.files - space.filesFree, space.filesFree].map(String));
    expect(space.blocksAvailable).toBeGreaterThan(0n);
  });

  it("reports what the module refuses in one line, and a bad invocation as usage", async () => {
    expect(await wisp("zfs", "ls", ...lzjb, "--pool", "tank")).toEqual({
      status: 1, stdout: "", stderr: "wisp: zfs: mount \"tank\": ENOENT (no pool named 'tank' on 1 devices)\n",
    });
    expect((await wisp("zfs", "cat", ...lzjb, "/deep")).stderr).toMatch(/EISDIR/);
    expect((await wisp("zfs", "cat", ...lzjb)).status).toBe(2);
  });
});
