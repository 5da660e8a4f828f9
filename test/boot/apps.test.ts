// Boot tier: WASI apps run by `wisp run app.wasm`, on both architectures.
//
// Guards the whole app path: build-app, the app image, the loader, WASI, the
// framed console (stdout and stderr apart, kernel messages off stdout), exit
// statuses (the app's own), and the ways an app can end badly: a trap or an
// out-of-bounds access ends the app with a report and the kernel's clean
// exit; a malformed module is refused with a message.

import { describe, expect, it, beforeAll } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../../scripts/app";
import { MESSAGE, writeBigFrameWasm } from "../host/build-app/big-frame";
import { wisp } from "./wisp-cli";

const SOURCES = new URL("./apps/", import.meta.url).pathname;
const ROOT = new URL("../..", import.meta.url).pathname;
const ARCHES = ["x86_64", "aarch64"] as const;
const APP_TRAP_STATUS = 134;
const APP_REFUSED_STATUS = 65;

let work = "";

function compileC(name: string, ...flags: string[]): string {
  const output = join(work, `${name}.wasm`);
  execFileSync("clang", ["--target=wasm32-wasi", "-O2", join(SOURCES, `${name}.c`), ...flags, "-o", output]);
  return output;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "wisp-apps-"));
});

describe.each(ARCHES)("apps on %s", (arch) => {
  const run = (...args: string[]) => wisp("run", "--arch", arch, "--timeout", "120", ...args);

  it("passes args, environment and a mapped directory, and keeps stdout, stderr and the exit status apart", () => {
    const data = join(work, `data-${arch}`);
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, "input.txt"), "hello from the host\n");
    const result = run(compileC("io"), "--dir", `${data}:/data`, "--env", "GREETING=hi there", "--", "one", "two words");
    expect(result.stdout).toBe(
      "argc=3 [one] [two words]\nGREETING=hi there\nread: hello from the host\nread back: written by the app\n",
    );
    expect(result.stderr).toContain("this goes to stderr\n");
    expect(result.status).toBe(7);
    // The directory is shared live: the app's file is on the host.
    expect(readFileSync(join(data, "output.txt"), "utf8")).toBe("written by the app\n");
  });

  it("makes proc_exit's code the exit status, and charts the boot up to _start on stderr", () => {
    const result = run("--bootchart", compileC("traps"), "--", "exit", "42");
    expect(result.stdout).toBe("about to exit\n");
    expect(result.status).toBe(42);
    expect(result.stderr).toMatch(/^bootchart-raw .* kernel-ready=\d+ app-loaded=\d+ app-thread=\d+ app-start=\d+$/m);
  });

  it.each([
    ["unreachable", "unreachable executed"],
    ["out-of-bounds", "out-of-bounds memory access"],
    ["divide-by-zero", "integer divide by zero"],
    ["shadow-stack-overflow", "out-of-bounds memory access"], // the C stack in linear memory runs off its start
    ["native-stack-overflow", "call stack exhausted"],
  ])("ends an app that hits %s with a report, and the kernel exits cleanly", (how, report) => {
    const result = run(compileC("traps"), "--", how);
    expect(result.stdout).toBe(`about to ${how}\n`);
    expect(result.stderr).toContain(`app trap: ${report}`);
    expect(result.stderr).not.toContain("panic");
    expect(result.status).toBe(APP_TRAP_STATUS);
  });

  it("an app that exhausts memory every way it can gets errors, frees, goes on, and exits with its own status", () => {
    const tmp = join(work, `exhaust-tmp-${arch}`);
    mkdirSync(tmp, { recursive: true });
    const result = run("--mem", "24M", "--dir", `${tmp}:/tmp:copy`, compileC("exhaust")); // a RAMFS, to fill
    expect(result.stdout).toBe(
      "malloc: NULL after some\nwrite: refused\nmkdir: refused\nopen: refused\nlong path: refused\nreaddir: refused\nafter unlink: works\n",
    );
    expect(result.stderr).not.toContain("panic");
    expect(result.stderr).not.toContain("app trap");
    expect(result.status).toBe(5);
  });

  // Issue 12: app code has no wasm stack-depth limit, so only the guard below
  // the native stack stops a runaway recursion. An unprobed frame bigger than
  // the guard would move the stack pointer past it and write into whatever
  // lies below (x86_64 before the fix: `sub $8152, %rsp` then a store at the
  // new %rsp); it must fault in the guard instead.
  it("a native frame larger than the guard page (8 KiB of spilled locals) traps as a stack overflow", async () => {
    const wasm = writeBigFrameWasm(join(work, `big-frame-${arch}.wasm`));
    const { report } = await buildApp(wasm, { arch, jobs: 1 });
    expect(report.largestFrame!.bytes).toBeGreaterThan(2 * 4096);
    const result = run(wasm);
    expect(result.stdout).toBe(MESSAGE);
    expect(result.stderr).toContain("app trap: call stack exhausted (address ");
    expect(result.stderr).not.toContain("panic");
    expect(result.status).toBe(APP_TRAP_STATUS);
  });

  it("runs the C hello module in 2 MiB of RAM", () => {
    const result = run("--mem", "2M", "--image", "hello-c");
    expect(result.stdout).toContain("Hello from Wisp!");
    expect(result.status).toBe(0);
  });

  // The page allocator's tables outgrow the room between the kernel and an image linked after it
  // (aarch64) from about 200 MiB on: they go past the image then.
  it("runs an app with 1 GiB of RAM, its image linked after the kernel on aarch64", () => {
    const result = run("--mem", "1G", compileC("traps"), "--", "exit", "9");
    expect(result.stdout).toBe("about to exit\n");
    expect(result.status).toBe(9);
  });

  // A module whose linear memory starts at 125 MiB: wisp run names the smallest --mem that holds it, and that one runs.
  it("refuses a --mem too small for the app's declared memory, naming the least that runs it", () => {
    const wat = join(work, "big-memory.wat");
    const wasm = join(work, "big-memory.wasm");
    writeFileSync(wat, `(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 2000) (func (export "_start") (call $exit (i32.const 6))))`);
    execFileSync(join(ROOT, "node_modules", ".bin", "wat2wasm"), [wat, "-o", wasm]);
    const refused = run("--mem", "64M", wasm);
    expect(refused.status).toBe(2);
    const least = /give --mem (\d+)M or more\n$/.exec(refused.stderr);
    expect(refused.stderr).toMatch(/^wisp: --mem 64M is too small for this app: its linear memory starts at 125 MiB \(2000 wasm pages\), its image is 1 MiB and the kernel needs \d+ MiB: give --mem \d+M or more\n$/);
    const ran = run("--mem", `${least![1]}M`, wasm);
    expect(ran.stderr).toBe("");
    expect(ran.status).toBe(6);
  });

  // App memory is committed on first touch: 1 GiB declared costs what the app touches, in a VM just big enough to hold it.
  it("runs an app declaring 1 GiB of memory that touches scattered pages, the kernel copying into and out of untouched ones", () => {
    const wasm = compileC("big-memory", "-Wl,--initial-memory=1073741824");
    const result = run("--mem", "1100M", wasm, "--", "touch", "300");
    expect(result.stdout).toBe(
      "memory 1024 MiB, touched 300 pages, sum 134850\nrandom_get into untouched pages: filled\n" +
        "\0".repeat(8) + "\nfd_write from an untouched page: 8 bytes\n",
    );
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("ends an app that reads past its demand-paged memory's current size with an out-of-bounds trap", () => {
    const wasm = compileC("big-memory", "-Wl,--initial-memory=1073741824");
    const result = run("--mem", "1100M", wasm, "--", "beyond");
    expect(result.stdout).toBe("reading at 1024 MiB\n");
    expect(result.stderr).toMatch(/app trap: out-of-bounds memory access \(address 0x[0-9a-f]+\) in w2c_app_0x5Fstart/);
    expect(result.stderr).not.toContain("panic");
    expect(result.status).toBe(APP_TRAP_STATUS);
  });

  it("runs the AssemblyScript app module", () => {
    const result = run("--image", "hello-as");
    expect(result.stdout).toContain("Hello from Wisp, in AssemblyScript!");
    expect(result.stdout).toContain("primes below 10000: 1229, summing to 5736396");
    expect(result.status).toBe(0);
  });

  it("runs the file app: reads its ROFS data, writes and reads back /tmp", () => {
    const result = run("--image", "file-app");
    expect(result.stdout).toMatch(/\/tmp\/summary\.txt:\nfile +lines +words +bytes\n/);
    expect(result.stdout).toMatch(/^total +6 +54 +234$/m);
    expect(result.status).toBe(0);
  });

  /** Boots an image holding only `manifest` as /etc/app; the result. */
  function bootManifest(name: string, manifest: string | Buffer): ReturnType<typeof run> {
    const dir = join(work, `${name}-${arch}`);
    mkdirSync(join(dir, "etc"), { recursive: true });
    writeFileSync(join(dir, "etc", "app"), manifest);
    writeFileSync(join(dir, "manifest"), `/etc/app: ${join(dir, "etc", "app")}\n`);
    const image = join(dir, `${name}.rofs`);
    expect(wisp("image", join(dir, "manifest"), "-o", image).status).toBe(0);
    return run("--initrd", image);
  }

  // A module the filesystem cannot lend in place (LZ4 blocks) is read into pages once; those pages then
  // serve its read-only segments in place as an image's would, symbols included (the trap names the function).
  it("runs a compressed app.so from pages it was read into, and names the trapping function from them", async () => {
    const { soPath } = await buildApp(compileC("traps"), { arch });
    const dir = join(work, `compressed-${arch}`);
    mkdirSync(join(dir, "etc"), { recursive: true });
    writeFileSync(join(dir, "etc", "app"), "module /app.so\narg traps\narg out-of-bounds\n");
    writeFileSync(join(dir, "manifest"), `/app.so: ${soPath}\n/etc/app: ${join(dir, "etc", "app")}\n`);
    const image = join(dir, "compressed.rofs");
    expect(wisp("image", join(dir, "manifest"), "-o", image, "--compress", "always").status).toBe(0);
    expect(wisp("image", "--ls", image).stdout).toMatch(/ lz4 \d+ +\/app\.so$/m);
    const result = run("--initrd", image);
    expect(result.stdout).toContain("about to out-of-bounds\n");
    expect(result.stdout).toMatch(/app trap: out-of-bounds memory access \(address 0x[0-9a-f]+\) in w2c_app_/);
    expect(result.stdout).not.toContain("panic");
    expect(result.status).toBe(126); // --initrd boots without wisp run's framing: the VM's own code stops at 126
  });

  it("refuses a run manifest that names its module twice, instead of taking the second", () => {
    const result = bootManifest("twice", "module /app.so\narg x\nmodule /other.so\n");
    expect(result.stdout).toContain("app: /etc/app: line 3: a second 'module' line (the manifest names one module)\n");
    expect(result.status).toBe(APP_REFUSED_STATUS);
  });

  it("refuses a run manifest larger than 1 MiB, instead of cutting it", () => {
    const big = Buffer.concat([Buffer.from("module /app.so\n"), Buffer.alloc((1 << 20) - 10, "arg a\n")]);
    const result = bootManifest("big", big);
    expect(result.stdout).toContain(`app: /etc/app: ${big.length} bytes, more than a run manifest may hold (1 MiB)\n`);
    expect(result.status).toBe(APP_REFUSED_STATUS);
  });

  it("refuses a malformed app module with a message", () => {
    const dir = join(work, `bad-${arch}`);
    mkdirSync(join(dir, "etc"), { recursive: true });
    writeFileSync(join(dir, "app.so"), Buffer.concat([Buffer.from("\x7fELF\x02\x01\x01"), Buffer.alloc(200, 0x41)]));
    writeFileSync(join(dir, "etc", "app"), "module /app.so\narg bad\n");
    writeFileSync(join(dir, "manifest"), `/app.so: ${join(dir, "app.so")}\n/etc/app: ${join(dir, "etc", "app")}\n`);
    const image = join(dir, "bad.rofs");
    expect(wisp("image", join(dir, "manifest"), "-o", image).status).toBe(0);
    const result = run("--initrd", image);
    expect(result.stdout).toMatch(/app: app module \/app\.so: .+/);
    expect(result.stdout).not.toContain("panic");
    expect(result.status).toBe(APP_REFUSED_STATUS);
  });
});
