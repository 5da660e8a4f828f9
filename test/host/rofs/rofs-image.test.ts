// `wisp image` on the host: manifest parsing (trees, symlinks, comments,
// errors naming their line), byte-for-byte reproducible images, and
// --ls/--extract reading through the kernel's own reader compiled to wasm,
// with the exit statuses a script relies on (0, 1 for a bad image, 2 for a
// bad invocation).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseManifest, treeOf, manifestTree, writeImage, listImage, extractImage, ManifestError } from "../../../scripts/image";
import type { DirectoryNode, TreeNode } from "../../../scripts/image/tree";
import { REPO_ROOT } from "../compile";
import { Random } from "../random";
import { randomTree } from "./rofs-trees";

let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "wisp-image-"));
  mkdirSync(join(work, "assets/sub/deeper"), { recursive: true });
  mkdirSync(join(work, "assets/empty"));
  writeFileSync(join(work, "assets/a.txt"), "alpha\n");
  writeFileSync(join(work, "assets/sub/b.txt"), "compressible text\n".repeat(5000));
  writeFileSync(join(work, "assets/sub/deeper/run.sh"), "#!/bin/sh\necho hi\n");
  chmodSync(join(work, "assets/sub/deeper/run.sh"), 0o700);
  symlinkSync("../a.txt", join(work, "assets/sub/to-a"));
  const random = new Random(5, 5);
  writeFileSync(join(work, "app.wasm"), Uint8Array.from({ length: 9000 }, () => random.int(0, 255)));
  symlinkSync("app.wasm", join(work, "app-link"));
  writeFileSync(
    join(work, "image.manifest"),
    ["# the sample image", "", "/data/**: assets/**", "  /bin/app.wasm: app.wasm  ", "/bin/app: app-link", "/lib/libc.so: ->libc.so.6", ""].join("\n"),
  );
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

function wisp(...args: string[]) {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, "scripts/wisp.mjs"), "image", ...args], { encoding: "utf8", cwd: work });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function paths(node: TreeNode, prefix = ""): string[] {
  if (node.type !== "directory") return [];
  return [...node.children.entries()].flatMap(([name, child]) => [`${prefix}/${name}`, ...paths(child, `${prefix}/${name}`)]).sort();
}

describe("manifests", () => {
  it("parses files, trees, symlinks and comments", () => {
    const lines = parseManifest("# c\n/a: b\n\n/x/**: y/**\n/**: **\n/l: -> t\r\n", "m");
    expect(lines).toEqual([
      { line: 2, guest: ["a"], kind: "file", host: "b", target: "" },
      { line: 4, guest: ["x"], kind: "tree", host: "y", target: "" },
      { line: 5, guest: [], kind: "tree", host: ".", target: "" },
      { line: 6, guest: ["l"], kind: "symlink", host: "", target: "t" },
    ]);
  });

  it("names the line of every mistake", () => {
    const cases: Array<[string, RegExp]> = [
      ["/a b", /^m:1: expected '\/guest\/path: host\/path'/],
      ["#\nrelative: x", /^m:2: guest path 'relative' must start with '\/'/],
      ["/a/../b: x", /^m:1: .*'\.\.'/],
      ["/a/**: b", /^m:1: '\*\*' must end both paths/],
      ["/a/*.so: b/*.so", /^m:1: only a trailing/],
      ["/a:", /^m:1: no host path/],
      ["/a: ->", /^m:1: a symlink needs a target/],
      ["/: x", /^m:1: the root can only be mapped as a tree/],
    ];
    for (const [text, message] of cases) {
      expect(() => parseManifest(text, "m"), text).toThrow(message);
      expect(() => parseManifest(text, "m"), text).toThrow(ManifestError);
    }
  });

  it("builds the tree: trees recursively, implied directories, host symlinks kept, modes normalised", () => {
    const tree = manifestTree(join(work, "image.manifest"));
    expect(paths(tree)).toEqual([
      "/bin", "/bin/app", "/bin/app.wasm", "/data", "/data/a.txt", "/data/empty", "/data/sub", "/data/sub/b.txt",
      "/data/sub/deeper", "/data/sub/deeper/run.sh", "/data/sub/to-a", "/lib", "/lib/libc.so",
    ]);
    const get = (path: string) => path.split("/").slice(1).reduce<TreeNode>((node, name) => (node as DirectoryNode).children.get(name)!, tree);
    expect(get("/bin/app")).toMatchObject({ type: "symlink", target: "app.wasm", mode: 0o777, mtime: 0 });
    expect(get("/data/sub/to-a")).toMatchObject({ type: "symlink", target: "../a.txt" });
    expect(get("/data/sub/deeper/run.sh")).toMatchObject({ type: "file", mode: 0o755, mtime: 0 });
    expect(get("/data/a.txt")).toMatchObject({ type: "file", mode: 0o644 });
    expect(get("/lib/libc.so")).toMatchObject({ type: "symlink", target: "libc.so.6" });
    utimesSync(join(work, "assets/a.txt"), 1_600_000_000, 1_600_000_000);
    const kept = manifestTree(join(work, "image.manifest"), { mtime: "keep" });
    expect((kept.children.get("data") as DirectoryNode).children.get("a.txt")!.mtime).toBe(1_600_000_000);
  });

  it("refuses paths mapped twice, missing host files and directories without '**', each as a ManifestError naming its line", () => {
    const refusal = (text: string) => {
      try {
        treeOf(parseManifest(text, "m"), work, "m");
      } catch (error) {
        return { manifestError: error instanceof ManifestError, message: (error as Error).message };
      }
      return null;
    };
    const refused = (message: string) => ({ manifestError: true, message });
    expect(refusal("/x: app.wasm\n/x: app.wasm")).toEqual(refused("m:2: '/x' is already mapped by line 1"));
    expect(refusal("/x: app.wasm\n/x/y: app.wasm")).toEqual(refused("m:2: '/x/y' needs 'x' to be a directory, but line 1 maps a file there"));
    expect(refusal("/d/**: assets/**\n/d/a.txt: app.wasm")).toEqual(refused("m:2: '/d/a.txt' is already mapped by line 1"));
    expect(refusal("/d/**: assets/**\n/d/sub/to-a/x: app.wasm")).toEqual(refused("m:2: '/d/sub/to-a/x' needs 'd/sub/to-a' to be a directory, but line 1 maps a symlink there"));
    expect(refusal("/x: nothing-here")).toEqual(refused("m:1: host path 'nothing-here' does not exist"));
    expect(refusal("/x: assets")).toEqual(refused("m:1: 'assets' is a directory: map a tree with '/x/**: assets/**'"));
    expect(refusal("/x/**: app.wasm/**")).toEqual(refused("m:1: 'app.wasm' is not a directory (a tree needs one)"));
    // A file may be added inside a mapped tree's directory: that is no refusal.
    expect(refusal("/d/**: assets/**\n/d/sub/extra: app.wasm")).toBeNull();
  });

  it("makes wisp image print a refused manifest's message, exit 1 and write no image", () => {
    writeFileSync(join(work, "twice.manifest"), "# twice\n/x: app.wasm\n/x: app.wasm\n");
    expect(wisp("twice.manifest", "-o", "twice.img")).toEqual({
      status: 1, stdout: "", stderr: "wisp: twice.manifest:3: '/x' is already mapped by line 2\n",
    });
    expect(existsSync(join(work, "twice.img"))).toBe(false);
  });
});

describe("reproducible images", () => {
  it("writes the same bytes for the same tree, whatever order it was built in", () => {
    for (let round = 0; round < 4; round++) {
      const tree = randomTree(new Random(undefined, 40 + round), 400_000);
      const reversed = reverseTree(tree);
      const first = writeImage(tree).image;
      expect(Buffer.from(writeImage(tree).image).equals(Buffer.from(first))).toBe(true);
      expect(Buffer.from(writeImage(reversed).image).equals(Buffer.from(first))).toBe(true);
    }
  });

  it("builds identical image files from a manifest, whatever the host mtimes", () => {
    expect(wisp("image.manifest", "-o", "one.img").status).toBe(0);
    utimesSync(join(work, "assets/sub/b.txt"), 1_000_000, 1_000_000);
    const built = wisp("image.manifest", "-o", "two.img", "--compress", "auto");
    expect(built.status, built.stderr).toBe(0);
    expect(built.stderr).toMatch(/two\.img: \d+ bytes, 4 files, 7 directories, 3 symlinks/);
    expect(readFileSync(join(work, "one.img")).equals(readFileSync(join(work, "two.img")))).toBe(true);
  });

  function reverseTree(node: DirectoryNode): DirectoryNode {
    const copy: DirectoryNode = { ...node, children: new Map() };
    for (const [name, child] of [...node.children.entries()].reverse()) copy.children.set(name, child.type === "directory" ? reverseTree(child) : child);
    return copy;
  }
});

describe("wisp image --ls and --extract", () => {
  it("lists and extracts through the kernel's reader", async () => {
    const image = writeImage(manifestTree(join(work, "image.manifest"))).image;
    const entries = await listImage(image);
    const b = entries.find((entry) => entry.path === "/data/sub/b.txt")!;
    expect(b).toMatchObject({ type: "file", size: 90_000, compressed: true });
    expect(b.storedBytes).toBeLessThan(2000);
    expect(entries.find((entry) => entry.path === "/bin/app.wasm")).toMatchObject({ size: 9000, compressed: false, mode: 0o644 });

    const out = join(work, "extracted");
    expect(await extractImage(image, out)).toBe(entries.length);
    expect(readFileSync(join(out, "data/sub/b.txt"), "utf8")).toBe("compressible text\n".repeat(5000));
    expect(readFileSync(join(out, "bin/app.wasm")).equals(readFileSync(join(work, "app.wasm")))).toBe(true);
    expect(readlinkSync(join(out, "bin/app"))).toBe("app.wasm");
    expect(statSync(join(out, "data/sub/deeper/run.sh")).mode & 0o777).toBe(0o755);
    expect(statSync(join(out, "data/empty")).isDirectory()).toBe(true);
    await expect(extractImage(image, out)).rejects.toThrow(/exists and is not empty/);
  });

  it("prints the listing and fails with the reader's message on a bad image", () => {
    expect(wisp("image.manifest", "-o", "ls.img").status).toBe(0);
    const listed = wisp("--ls", "ls.img");
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^-rw-r--r-- +90000 lz4 \d+ +\/data\/sub\/b\.txt$/m);
    expect(listed.stdout).toMatch(/^lrwxrwxrwx +9 - +\/lib\/libc\.so -> libc\.so\.6$/m);
    expect(listed.stdout).toMatch(/^drwxr-xr-x +- - +\/$/m);

    const image = readFileSync(join(work, "ls.img"));
    image[200] ^= 1;
    writeFileSync(join(work, "bad.img"), image);
    const bad = wisp("--extract", "bad.img", "bad-out");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe("wisp: rofs: metadata checksum mismatch\n");
    writeFileSync(join(work, "short.img"), image.subarray(0, 1024));
    expect(wisp("--ls", "short.img").stderr).toMatch(/^wisp: rofs: truncated image: needs \d+ bytes, device has 1024\n$/);

    expect(wisp("--ls").status).toBe(2);
    expect(wisp("image.manifest").status).toBe(2);
    expect(wisp("image.manifest", "-o", "x.img", "--compress", "sometimes").status).toBe(2);
    const broken = wisp("missing.manifest", "-o", "x.img");
    expect(broken.status).toBe(1);
  });
});
