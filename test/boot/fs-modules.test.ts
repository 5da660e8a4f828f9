// Boot tier: filesystems served by modules (docs/modules.md). An app walks a
// filesystem the example module serves (wisp run --mount) and prints every
// file's size and CRC-32, compared line by line with the example's own
// files; the module is loaded from the image's /lib/modules/ at that mount,
// and an image mounting no module type carries none. A module with bugs on
// purpose (test/boot/modules/faulty) traps, reads out of bounds, exhausts
// its stack or fails an assertion in a read: each ends that read with EIO
// and a report naming the module, the app goes on and exits with its own
// status, and the kernel neither panics nor hangs. A module that cannot be
// loaded (not ELF, an import the kernel does not offer, another ABI
// version) fails its mount with a message naming the module and why.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { wisp } from "./wisp-cli";
import { buildModule } from "../../scripts/module";
import { directory, writeImage } from "../../scripts/image";
import type { Arch } from "../../scripts/build/targets";

const TIMEOUT = "120";
const ROOT = join(import.meta.dirname, "../..");
let treeCrc = "";
let work = "";

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "wisp-fs-modules-"));
  treeCrc = join(work, "tree-crc.wasm");
  execFileSync("clang", ["--target=wasm32-wasi", "-O2", "-Werror", join(ROOT, "modules/tree-crc/tree-crc.c"), "-o", treeCrc]);
});

/** The example's files (fs/example/files.ts), as tree-crc prints them under /ex. */
function exampleListing(): string {
  const files: Record<string, string> = {
    colors: "red\ngreen\nblue\n",
    "hello.txt": "Hello from Wisp!\n",
    "license.txt": "This text is served by fs/example.\n",
  };
  const lines = ["d /ex"];
  for (const [name, text] of Object.entries(files).sort()) {
    const bytes = new TextEncoder().encode(text);
    lines.push(`f /ex/${name} ${bytes.length} ${crc32(bytes).toString(16).padStart(8, "0")}`);
  }
  return [...lines, `entries ${lines.length}`, ""].join("\n");
}

const FAULTS = [
  { kind: "trap", report: /^module faulty: unreachable executed in \S+ \(at 0x[0-9a-f]+\) during operation 9; every later call to it fails with EIO$/m },
  { kind: "oob", report: /^module faulty: out-of-bounds memory access \(address 0x[0-9a-f]+\) in w2c_module_fs_read \(at 0x[0-9a-f]+\) during operation 9;/m },
  { kind: "stack", report: /^module faulty: call stack exhausted \(address 0x[0-9a-f]+\) in \S+ \(at 0x[0-9a-f]+\) during operation 9;/m },
  { kind: "abort", report: /^faulty: abort: the faulty module's assertion at test\/boot\/modules\/faulty\/module\.ts:\d+:\d+\nmodule faulty: unreachable executed/m },
];

describe.each(["x86_64", "aarch64"])("filesystem modules (%s)", (arch) => {
  it("an app reads the example module's files, byte for byte", () => {
    const result = wisp("run", "--arch", arch, "--timeout", TIMEOUT, treeCrc, "--mount", "example::/ex", "--", "/ex");
    expect(result.stdout).toBe(exampleListing());
    expect(result.status).toBe(0);
  });

  it("an image that mounts the example carries and loads its module; one that mounts none carries none", () => {
    const result = wisp("run", "--arch", arch, "--timeout", TIMEOUT, "--image", "example-fs", "--cmdline", "quiet meminfo");
    expect(result.stdout).toMatch(/^module example: memory \d+ KiB, \d+ calls, 1 mounts$/m);
    expect(result.status).toBe(0);
    const plain = wisp("image", "--ls", ...imageOf(arch, "base"));
    expect(plain.stdout).not.toContain("lib/modules");
  });

  it.each(FAULTS)("a module's $kind fails that read with EIO and a report; the app and the kernel go on", ({ kind, report }) => {
    const result = wisp("run", "--arch", arch, "--timeout", TIMEOUT, "--verbose", treeCrc,
      "--fs-module", "test/boot/modules/faulty", "--mount", `faulty:${kind}:/ex`, "--", "/ex");
    expect(result.stderr).toMatch(report);
    expect(result.stderr).toContain("tree-crc: cannot read /ex/x: I/O error");
    expect(result.stdout).toBe("d /ex\nentries 1\n");
    expect(result.status).toBe(1);
  });

  it("the same module without a bug reads its file", () => {
    const result = wisp("run", "--arch", arch, "--timeout", TIMEOUT, treeCrc, "--fs-module", "test/boot/modules/faulty", "--mount", "faulty:fine:/ex", "--", "/ex");
    expect(result.stdout).toBe(`d /ex\nf /ex/x 5 ${crc32(new TextEncoder().encode("fine\n")).toString(16).padStart(8, "0")}\nentries 2\n`);
    expect(result.status).toBe(0);
  });
});

/** The arguments of `wisp image --ls` for the module image `name` (written by wisp build --image). */
function imageOf(arch: string, name: string): string[] {
  const written = wisp("build", "--arch", arch, "--image", name);
  const path = /(\S+\.rofs)/.exec(written.stdout + written.stderr)?.[1];
  if (path === undefined) throw new Error(`wisp build --image ${name} named no image:\n${written.stdout}${written.stderr}`);
  return [path];
}

/** A root image whose fstab mounts type `type` on /mnt from /lib/modules/`type`.so holding `so`. */
function imageWithModule(type: string, so: Uint8Array): string {
  const root = directory();
  const lib = directory();
  const modules = directory();
  modules.children.set(`${type}.so`, { type: "file", mode: 0o644, mtime: 0, data: so });
  lib.children.set("modules", modules);
  root.children.set("lib", lib);
  root.children.set("mnt", directory());
  const etc = directory();
  etc.children.set("fstab", { type: "file", mode: 0o644, mtime: 0, data: new TextEncoder().encode(`${type} /mnt\n`) });
  root.children.set("etc", etc);
  const path = join(work, `${type}-${Math.random().toString(36).slice(2)}.rofs`);
  writeFileSync(path, writeImage(root, { compress: "never" }).image);
  return path;
}

/** `so` with every `from` replaced by `to` (the same length). */
function patched(so: Uint8Array, from: string, to: string): Uint8Array {
  const bytes = Buffer.from(so);
  for (let at = bytes.indexOf(from); at >= 0; at = bytes.indexOf(from, at + 1)) bytes.write(to, at, "latin1");
  return new Uint8Array(bytes);
}

describe.each(["x86_64", "aarch64"] as Arch[])("filesystem modules that cannot be loaded (%s)", (arch) => {
  const boot = (image: string) => wisp("run", "--arch", arch, "--timeout", TIMEOUT, "--initrd", image, "--cmdline", "quiet");

  it("a file that is not ELF", () => {
    const result = boot(imageWithModule("junk", new Uint8Array(4096).fill(0x5a)));
    expect(result.stdout).toMatch(/^panic: filesystems: \/etc\/fstab line 1: module \/lib\/modules\/junk\.so: .*(ELF|magic)/m);
    expect(result.status).toBe(70);
  });

  it("an import the kernel does not offer modules", async () => {
    const example = await buildModule(join(ROOT, "fs/example"), { arch });
    const so = patched(new Uint8Array(readFileSync(example.soPath)), "w2c_wisp_log", "w2c_wisp_lag");
    const result = boot(imageWithModule("example", so));
    expect(result.stdout).toMatch(/^panic: filesystems: \/etc\/fstab line 1: module \/lib\/modules\/example\.so: .*w2c_wisp_lag/m);
    expect(result.status).toBe(70);
  });

  it("a module built for another ABI version", async () => {
    const module = await buildModule(join(ROOT, "test/boot/modules/abi2"), { arch });
    const result = boot(imageWithModule("abi2", new Uint8Array(readFileSync(module.soPath))));
    expect(result.stdout).toContain("panic: filesystems: /etc/fstab line 1: module /lib/modules/abi2.so: it speaks module ABI version 2; this kernel speaks 1\n");
    expect(result.status).toBe(70);
  });
});
