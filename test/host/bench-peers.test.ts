// Guards the pure parts of `wisp bench peers` (scripts/bench/peers/): the
// newc cpio bytes Linux unpacks as its initramfs; the bzImage setup header
// read from a synthetic file; the LZ4 payload (legacy with Linux's size
// trailer, and frame) decoded back to an ELF whose PVH note is found, and
// the errors that name what was found instead; the smallest-memory
// bisection; --peer, --expect and -m handling; the markdown table; and the
// CLI refusing bad options (exit 2, one line) before it builds anything.

import { describe, expect, it, vi } from "vitest";
import lz4js from "lz4js";
import { writeCpio } from "../../scripts/bench/peers/cpio";
import { extractVmlinux, readBzImageHeader } from "../../scripts/bench/peers/bzimage";
import { decompressLz4, LZ4_LEGACY_MAGIC } from "../../scripts/bench/peers/lz4";
import { pvhEntry } from "../../scripts/bench/peers/pvh-note";
import { smallestMemory } from "../../scripts/bench/peers/memory";
import { roundOrder } from "../../scripts/bench/peers/measure";
import { kernelPackageFrom } from "../../scripts/bench/peers/debian";
import { commandMemorySearch, commandPeerSpecs, withMemory } from "../../scripts/bench/peers/command-row";
import { markdownReport, PeersResult } from "../../scripts/bench/peers/report";
import { compressBlock } from "../../scripts/image/lz4";
import { builds, inProcessWisp } from "./cli-in-process";

vi.mock("../../scripts/build", async (original) => (await import("./cli-in-process")).withoutBuilds(original));

const { main } = await import("../../scripts/cli/main");
const wisp = inProcessWisp(main);

const ascii = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");
const u32 = (value: number) => Buffer.from(new Uint32Array([value]).buffer);

describe("the initramfs writer (newc cpio)", () => {
  it("writes a file, a symlink, a directory and a device node byte for byte, then the trailer", () => {
    const archive = writeCpio([
      { kind: "file", path: "init", data: Buffer.from("hi\n"), mode: 0o755 },
      { kind: "symlink", path: "sh", target: "busybox" },
      { kind: "dir", path: "dev" },
      { kind: "char", path: "dev/console", major: 5, minor: 1 },
    ]);
    const header = (fields: number[]) => "070701" + fields.map((field) => field.toString(16).padStart(8, "0")).join("");
    expect(ascii(archive)).toBe(
      // ino mode uid gid nlink mtime size devmajor devminor rdevmajor rdevminor namesize check
      header([1, 0o100755, 0, 0, 1, 0, 3, 0, 0, 0, 0, 5, 0]) + "init\0" + "\0" + "hi\n" + "\0" +
      header([2, 0o120777, 0, 0, 1, 0, 7, 0, 0, 0, 0, 3, 0]) + "sh\0" + "\0\0\0" + "busybox" + "\0" +
      header([3, 0o040755, 0, 0, 2, 0, 0, 0, 0, 0, 0, 4, 0]) + "dev\0" + "\0\0" +
      header([4, 0o020600, 0, 0, 1, 0, 0, 0, 0, 5, 1, 12, 0]) + "dev/console\0" + "\0\0" +
      header([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 11, 0]) + "TRAILER!!!\0" + "\0\0\0",
    );
    expect(archive.length % 4).toBe(0);
  });

  it("refuses absolute paths", () => {
    expect(() => writeCpio([{ kind: "dir", path: "/bin" }])).toThrow("cpio paths are relative to the root, not '/bin'");
  });
});

/** A little-endian ELF64 header, one PT_NOTE program header and the notes. */
function elfWithNotes(notes: Array<{ name: string; type: number; desc: Uint8Array }>): Uint8Array {
  const pad4 = (bytes: Buffer) => Buffer.concat([bytes, Buffer.alloc((4 - (bytes.length % 4)) % 4)]);
  const noteBytes = Buffer.concat(notes.map((note) => {
    const name = Buffer.from(note.name + "\0", "latin1");
    return Buffer.concat([u32(name.length), u32(note.desc.length), u32(note.type), pad4(name), pad4(Buffer.from(note.desc))]);
  }));
  const elf = Buffer.alloc(64 + 56 + noteBytes.length);
  elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  elf.writeBigUInt64LE(64n, 0x20);
  elf.writeUInt16LE(56, 0x36);
  elf.writeUInt16LE(1, 0x38);
  elf.writeUInt32LE(4, 64);
  elf.writeBigUInt64LE(120n, 64 + 8);
  elf.writeBigUInt64LE(BigInt(noteBytes.length), 64 + 32);
  elf.set(noteBytes, 120);
  return elf;
}

const PVH_ELF = elfWithNotes([
  { name: "GNU", type: 3, desc: new Uint8Array(8) },
  { name: "Xen", type: 18, desc: u32(0x1000230) },
]);

/** A bzImage: 3 setup sectors after the boot sector, then `payload` 0x40 bytes into the protected-mode code. */
function bzImage(payload: Uint8Array, version = 0x020f, setupSectors = 3): Uint8Array {
  const start = (setupSectors || 4) * 512 + 512 + 0x40;
  const file = Buffer.alloc(start + payload.length + 16);
  file[0x1f1] = setupSectors;
  file.writeUInt16LE(0xaa55, 0x1fe);
  file.write("HdrS", 0x202, "latin1");
  file.writeUInt16LE(version, 0x206);
  file.writeUInt32LE(0x40, 0x248);
  file.writeUInt32LE(payload.length, 0x24c);
  file.set(payload, start);
  return file;
}

/** `data` as Linux's build compresses it: an LZ4 legacy stream of `blocks` blocks, then the size. */
function lz4Legacy(data: Uint8Array, blocks: number): Uint8Array {
  const size = Math.ceil(data.length / blocks);
  const parts: Buffer[] = [u32(LZ4_LEGACY_MAGIC)];
  for (let at = 0; at < data.length; at += size) {
    const block = compressBlock(data.subarray(at, at + size))!;
    parts.push(u32(block.length), Buffer.from(block));
  }
  return Buffer.concat([...parts, u32(data.length)]);
}

describe("the bzImage reader", () => {
  it("finds the payload from setup_sects and payload_offset", () => {
    const file = bzImage(new Uint8Array(100));
    expect(readBzImageHeader(file)).toEqual({ version: 0x020f, setupSectors: 3, payloadOffset: 4 * 512 + 0x40, payloadLength: 100 });
    expect(readBzImageHeader(bzImage(new Uint8Array(100), 0x020f, 0)).setupSectors).toBe(4);
  });

  it("takes an LZ4 legacy payload back to the ELF and its PVH entry", () => {
    const vmlinux = extractVmlinux(bzImage(lz4Legacy(PVH_ELF, 2)));
    expect(Buffer.from(vmlinux).equals(Buffer.from(PVH_ELF))).toBe(true);
    expect(pvhEntry(vmlinux)).toBe(0x1000230);
  });

  it("takes an LZ4 frame payload back to the ELF", () => {
    const frame = (lz4js as unknown as { compress(data: Uint8Array): Uint8Array }).compress(PVH_ELF);
    expect(Buffer.from(extractVmlinux(bzImage(frame))).equals(Buffer.from(PVH_ELF))).toBe(true);
  });

  it("names what it found when the file is not what it expects", () => {
    const noHeader = new Uint8Array(4096);
    expect(() => readBzImageHeader(noHeader)).toThrow('not a bzImage: no "HdrS" setup header at 0x202 (found 0x00000000)');
    expect(() => readBzImageHeader(bzImage(new Uint8Array(4), 0x0206))).toThrow("boot protocol 2.06 has no payload fields (they came with 2.08)");
    expect(() => extractVmlinux(bzImage(Buffer.from([0x1f, 0x8b, 8, 0, 0])))).toThrow("the bzImage's payload is gzip, which this reader does not decode; expected LZ4");
    expect(() => extractVmlinux(bzImage(Buffer.from([1, 2, 3, 4, 5])))).toThrow("the bzImage's payload is an unknown format (starts 01 02 03 04); expected LZ4");
    const wrongTrailer = lz4Legacy(PVH_ELF, 1);
    wrongTrailer.set(u32(7), wrongTrailer.length - 4);
    expect(() => decompressLz4(wrongTrailer)).toThrow(`the LZ4 stream decodes to ${PVH_ELF.length} bytes but its trailer says 7`);
  });

  it("accepts only an ELF with a Xen note of type 18", () => {
    expect(() => pvhEntry(Buffer.from([0x1f, 0x8b, 8, 0, ...new Array(60).fill(0)]))).toThrow("the kernel is not an ELF file (it starts 1f 8b 08 00)");
    expect(() => pvhEntry(elfWithNotes([{ name: "GNU", type: 3, desc: new Uint8Array(4) }, { name: "Xen", type: 6, desc: new Uint8Array(4) }])))
      .toThrow("the kernel ELF has no PVH note (Xen, type 18); its notes: GNU 3, Xen 6");
    const noNote = Buffer.from(PVH_ELF);
    noNote.writeUInt32LE(1, 64);
    expect(() => pvhEntry(noNote)).toThrow("the kernel ELF has no PT_NOTE segment (1 program headers), so no PVH entry");
  });
});

describe("the smallest -m", () => {
  it("bisects to the step above the largest size that fails", async () => {
    const tried: number[] = [];
    const result = await smallestMemory({ lowKib: 1024, highKib: 8192, stepKib: 64 }, async (kib) => {
      tried.push(kib);
      return { ok: kib >= 1100 };
    });
    expect(result.kib).toBe(1152);
    expect(tried).toEqual([8192, 4608, 2816, 1920, 1472, 1216, 1088, 1152]);
    expect(result.probes.map((probe) => probe.ok)).toEqual([true, true, true, true, true, true, false, true]);
  });

  it("says why when even the largest size does not boot", async () => {
    await expect(smallestMemory({ lowKib: 1024, highKib: 2048, stepKib: 64 }, async () => ({ ok: false, why: "panic" })))
      .rejects.toThrow("it does not boot even with 2048 KiB: panic");
  });
});

describe("rows", () => {
  it("rotates the order by one peer each round", () => {
    expect([0, 1, 2, 3].map((round) => roundOrder(["a", "b", "c"], round).join(""))).toEqual(["abc", "bca", "cab", "abc"]);
  });

  it("finds the real kernel package behind the metapackage", () => {
    const depends = "linux-image-cloud-amd64\n  Depends: linux-image-6.1.0-57-cloud-amd64\n";
    expect(kernelPackageFrom(depends, "linux-image-cloud-amd64")).toBe("linux-image-6.1.0-57-cloud-amd64");
    expect(() => kernelPackageFrom("linux-image-cloud-amd64\n  Depends: initramfs-tools\n", "linux-image-cloud-amd64"))
      .toThrow("linux-image-cloud-amd64 depends on no linux-image-<version>-cloud-amd64 package; apt-cache says:\nlinux-image-cloud-amd64\n  Depends: initramfs-tools");
  });

  it("reads --peer and --expect, and substitutes -m in a user's command", () => {
    const specs = commandPeerSpecs(["fc=qemu-system-x86_64 -m 256M -kernel k", "other=true"], ["fc=Welcome=yes"], ["empty", "linux"]);
    expect(specs).toEqual([{ name: "fc", command: "qemu-system-x86_64 -m 256M -kernel k", expect: "Welcome=yes" }, { name: "other", command: "true" }]);
    expect(commandMemorySearch(specs[0].command)).toEqual({ lowKib: 1024, highKib: 262144, stepKib: 1024 });
    expect(commandMemorySearch("qemu -m 32")).toEqual({ lowKib: 1024, highKib: 32768, stepKib: 64 });
    expect(commandMemorySearch("qemu -m size=1G,slots=2")).toEqual({ skipped: "-m size=1G,slots=2 is not a plain size" });
    expect(commandMemorySearch("true")).toEqual({ skipped: "the command has no -m SIZE" });
    expect(withMemory("qemu -M microvm -m 256M -kernel k", 73728)).toBe("qemu -M microvm -m 73728K -kernel k");
  });

  it("prints a markdown table under the command line that produced it", () => {
    const summary = (median: number) => ({ median, p95: median + 1, min: median, max: median + 1 });
    const result: PeersResult = {
      benchmark: "peers", invocation: "wisp bench peers --runs 3 --markdown", qemu: "QEMU 7.2.22", accel: "tcg", runs: 3, memoryKib: 131072,
      rows: [
        { name: "empty", what: "the empty kernel", command: "", files: [], imageBytes: 4624, wallMs: summary(50), ratio: 1, memory: { kib: 1088, probes: [] } },
        { name: "linux", what: "Linux | busybox", command: "", files: [], imageBytes: 55226604, wallMs: summary(1500.25), ratio: 30.25, memory: { kib: 71680, probes: [] } },
        { name: "mine", what: "a user's", command: "", files: [], imageBytes: null, wallMs: summary(75), ratio: 1.5, memory: { skipped: "the command has no -m SIZE" } },
      ],
      raw: { wallMs: {} },
    };
    expect(markdownReport(result)).toBe([
      "`wisp bench peers --runs 3 --markdown` (QEMU 7.2.22, tcg; host wall time from QEMU's spawn to its exit):",
      "",
      "| peer | what | wall median (ms) | p95 (ms) | × empty | image (bytes) | smallest `-m` |",
      "|---|---|--:|--:|--:|--:|--:|",
      "| empty | the empty kernel | 50.0 | 51.0 | 1.00 | 4,624 | 1,088 KiB |",
      "| linux | Linux \\| busybox | 1500.3 | 1501.3 | 30.25 | 55,226,604 | 70 MiB |",
      "| mine | a user's | 75.0 | 76.0 | 1.50 | - | - |",
    ].join("\n"));
  });
});

describe("wisp bench peers refuses a bad invocation before building", () => {
  const cases: Array<[string[], string]> = [
    [["--json", "--markdown"], "--json and --markdown each print the whole report: pick one"],
    [["--runs", "0"], "--runs needs a whole number from 1 to 1000, not '0'"],
    [["--mem", "512K"], "memory size 512K is below the 1 MiB minimum"],
    [["--peer", "qemu-system-x86_64"], "--peer needs NAME='QEMU COMMAND' with a name of letters, digits, '.', '_', '+' or '-', not 'qemu-system-x86_64'"],
    [["--peer", "linux=true"], "--peer linux names a row twice (the built-in rows are empty, wisp, wisp-hello, linux)"],
    [["--peer", "a=true", "--peer", "a=false"], "--peer a names a row twice (the built-in rows are empty, wisp, wisp-hello, linux)"],
    [["--expect", "a=up"], "--expect a names no --peer"],
  ];
  for (const [args, message] of cases) {
    it(args.join(" "), async () => {
      expect(await wisp("bench", "peers", ...args)).toEqual({ status: 2, stdout: "", stderr: `wisp: ${message}\n` });
      expect(builds.count).toBe(0);
    });
  }
});
