// Guards what RAMFS costs and gives back (fs/ramfs/file-data.ts,
// directory.ts, node.ts) and that the VFS keeps nothing behind (the vnode
// cache, descriptor table, path walks, strings): after a random tree of
// files, directories and links is built, written, truncated, renamed and
// then deleted (or unmounted), the pages in use and the slab objects are
// back where they started. A truncate gives back the pages past the new
// end; an unlinked file's pages stay until its last descriptor closes.
// Appending 8 MiB in 4 KiB writes takes exactly one new page per write and
// copies the chunk index only as it doubles (O(1) amortised: no write
// copies the file), counted in pages and index slots rather than time.

import { afterEach, describe, expect, it } from "vitest";
import { Harness, HarnessExports } from "../harness-client";
import { USE } from "../mm/client";
import { VfsClient, VFS } from "./client";
import { Random, suiteSeed } from "../random";

const harness = await Harness.withMemory(1024); // 64 MiB
const e = harness.exports;
const v = new VfsClient(harness);
const CLASSES = e.classCount() >>> 0;

interface Memory { used: number; slabPages: number; large: number; objects: number }

function memoryOf(x: HarnessExports): Memory {
  let objects = 0;
  for (let c = 0; c < CLASSES; c++) objects += x.slabObjectsOf(c) >>> 0;
  return { used: x.pagesUsedFrames() >>> 0, slabPages: x.pagesCount(USE.slab) >>> 0, large: x.pagesCount(USE.large) >>> 0, objects };
}

/** Pages the kept empty slabs hold (at most one slab per class). */
function spareSlabPages(x: HarnessExports): number {
  let pages = 0;
  for (let c = 0; c < CLASSES; c++) pages += (x.slabCountOf(c) >>> 0) * (x.slabPagesOf(c) >>> 0);
  return pages;
}

function expectBackTo(baseline: Memory, context: string): void {
  const now = memoryOf(e);
  expect(now.objects, `${context}: slab objects`).toBe(baseline.objects);
  expect(now.large, `${context}: page-sized allocations (file data, large indexes)`).toBe(baseline.large);
  expect(now.slabPages, `${context}: slab pages are only kept empty slabs`).toBe(spareSlabPages(e));
  expect(now.used - now.slabPages, `${context}: pages besides slabs`).toBe(baseline.used - baseline.slabPages);
}

/** Runs every VFS path once, so lazily made scratch objects exist before a baseline is taken. */
function warmUp(): void {
  expect(v.mkdir("/warm")).toBe(0);
  expect(v.writeFile("/warm/f", "x")).toBe(0);
  expect(v.symlink("f", "/warm/l")).toBe(0);
  expect(v.readlink("/warm/l")).toBe("f");
  expect(v.list("/warm")).toEqual(["f", "l"]);
  const fd = v.open("/warm/f", VFS.O_RDWR | VFS.O_APPEND);
  expect(v.write(fd, "y")).toBe(1);
  expect(v.seek(fd, 0, VFS.SEEK_END)).toBe(2);
  expect(v.close(fd)).toBe(0);
  expect(v.stat("/warm/l")).toMatchObject({ size: 2 });
  expect(v.rename("/warm/f", "/warm/g")).toBe(0);
  expect(v.unlink("/warm/g")).toBe(0);
  expect(v.unlink("/warm/l")).toBe(0);
  expect(v.rmdir("/warm")).toBe(0);
}

/** Builds, churns and returns the paths of a random tree under `top`. */
function buildTree(random: Random, top: string): { files: string[]; dirs: string[]; links: string[] } {
  const dirs = [top];
  const files: string[] = [];
  const links: string[] = [];
  expect(v.mkdir(top)).toBe(0);
  for (let i = 0; i < 400; i++) {
    const parent = random.pick(dirs);
    const kind = random.int(0, 9);
    const name = `${parent}/n${i}-${"x".repeat(random.int(0, 40))}`;
    if (kind < 2) {
      expect(v.mkdir(name)).toBe(0);
      dirs.push(name);
    } else if (kind < 3) {
      expect(v.symlink(random.pick(files.length ? files : dirs), name)).toBe(0);
      links.push(name);
    } else {
      const size = random.bool(0.1) ? random.int(50_000, 300_000) : random.int(0, 9000);
      const fd = v.open(name, VFS.O_WRONLY | VFS.O_CREAT);
      expect(fd).toBeGreaterThanOrEqual(0);
      expect(v.write(fd, new Uint8Array(size).fill(i & 0xff), random.bool(0.2) ? random.int(0, 20_000) : 0)).toBe(size);
      if (random.bool(0.2)) expect(v.ftruncate(fd, random.int(0, size))).toBe(0);
      expect(v.close(fd)).toBe(0);
      files.push(name);
    }
  }
  // Renames within the tree (files only, so the directory list stays right).
  for (let i = 0; i < 50 && files.length > 1; i++) {
    const from = files.splice(random.int(0, files.length - 1), 1)[0];
    const to = `${random.pick(dirs)}/moved${i}`;
    expect(v.rename(from, to)).toBe(0);
    const replaced = files.indexOf(to);
    if (replaced >= 0) files.splice(replaced, 1);
    files.push(to);
  }
  return { files, dirs, links };
}

function deleteTree(tree: { files: string[]; dirs: string[]; links: string[] }): void {
  for (const path of [...tree.files, ...tree.links]) expect(v.unlink(path), `unlink ${path}`).toBe(0);
  for (const path of [...tree.dirs].reverse()) expect(v.rmdir(path), `rmdir ${path}`).toBe(0);
}

afterEach(() => {
  // After a failure: leave the VFS empty for the next test.
  for (let fd = 0; v.openDescriptors() > 0 && fd < 100; fd++) v.close(fd);
  v.unmount("/");
});

describe("RAMFS memory", () => {
  it("returns to the starting page counts after deleting everything, round after round", () => {
    const fs = v.ramfs();
    expect(v.mountRoot(fs)).toBe(0);
    warmUp();
    const baseline = memoryOf(e);
    let peak = 0;
    for (let round = 0; round < 6; round++) {
      const random = new Random(suiteSeed(), 900 + round);
      const tree = buildTree(random, `/round${round}`);
      // Some files stay open across their unlink: their pages go at the close.
      const held = tree.files.slice(0, 5).map((path) => v.open(path, VFS.O_RDONLY));
      peak = Math.max(peak, memoryOf(e).used);
      deleteTree(tree);
      expect(memoryOf(e).large, `${random.label}: pages of open unlinked files are kept`).toBeGreaterThanOrEqual(baseline.large);
      for (const fd of held) expect(v.close(fd)).toBe(0);
      expectBackTo(baseline, `${random.label}, after round ${round}`);
    }
    expect(harness.exports.ramfsNodeCount(fs)).toBe(1);
    console.log(`ramfs: pages in use ${baseline.used} before, up to ${peak} with a tree, ${memoryOf(e).used} after deleting it`);
    expect(v.unmount("/")).toBe(0);
    e.fsFree(fs);
  });

  it("gives everything back at unmount, without deleting first", () => {
    const before = memoryOf(e);

    const fs = v.ramfs();
    expect(v.mountRoot(fs)).toBe(0);
    buildTree(new Random(suiteSeed(), 950), "/tree");
    expect(v.unmount("/")).toBe(0);
    expect(harness.exports.ramfsNodeCount(fs)).toBe(0);
    e.fsFree(fs);
    expectBackTo(before, "after unmount");
  });

  it("gives back the pages past the new end on truncate, and all of them on unlink after close", () => {
    const fs = v.ramfs();
    expect(v.mountRoot(fs)).toBe(0);
    warmUp();
    const baseline = memoryOf(e);
    const fd = v.open("/big", VFS.O_RDWR | VFS.O_CREAT);
    expect(v.write(fd, new Uint8Array(256 * 4096).fill(1))).toBe(256 * 4096);
    expect(memoryOf(e).large - baseline.large).toBe(256); // the data (the 1 KiB index is in a slab)
    expect(v.ftruncate(fd, 100 * 4096 + 1)).toBe(0);
    expect(memoryOf(e).large - baseline.large).toBe(101);
    expect(v.ftruncate(fd, 0)).toBe(0);
    expect(memoryOf(e).large, "page-sized allocations after truncating to 0").toBe(baseline.large);
    expect(v.write(fd, new Uint8Array(50_000).fill(2))).toBe(50_000);
    expect(v.unlink("/big")).toBe(0);
    expect(memoryOf(e).large).toBeGreaterThan(baseline.large);
    expect(v.close(fd)).toBe(0);
    expectBackTo(baseline, "after unlink and close");
    expect(v.unmount("/")).toBe(0);
    e.fsFree(fs);
  });
});

describe("RAMFS append cost", () => {
  it("appends 8 MiB in 4 KiB writes with one page per write and O(1) amortised index copies", () => {
    const fs = v.ramfs();
    expect(v.mountRoot(fs)).toBe(0);
    warmUp();
    const baseline = memoryOf(e);
    const WRITE = 4096;
    const WRITES = (8 << 20) / WRITE;
    const fd = v.open("/log", VFS.O_WRONLY | VFS.O_CREAT | VFS.O_APPEND);
    const pagesBefore = e.ramfsPagesTaken();
    const slotsBefore = e.ramfsSlotsCopied();
    const movesBefore = e.ramfsIndexMoves();
    const chunk = new Uint8Array(WRITE);
    harness.write(v.buffer, chunk);
    let worstSlotsPerWrite = 0;
    for (let i = 1; i <= WRITES; i++) {
      harness.bytes()[v.buffer] = i & 0xff;
      expect(Number(e.vfsWrite(fd, v.buffer, WRITE))).toBe(WRITE);
      if ((i & (i - 1)) === 0 || i === WRITES) {
        const slots = Number(e.ramfsSlotsCopied() - slotsBefore);
        worstSlotsPerWrite = Math.max(worstSlotsPerWrite, slots / i);
        expect(Number(e.ramfsPagesTaken() - pagesBefore), `pages after ${i} writes`).toBe(i);
      }
    }
    const slots = Number(e.ramfsSlotsCopied() - slotsBefore);
    const moves = Number(e.ramfsIndexMoves() - movesBefore);
    // The first 8 slots, then doubling to 2048: 9 moves, copying 8 + 16 + ... + 1024 = 2040 slots in all.
    expect(moves).toBe(Math.log2(WRITES / 8) + 1);
    expect(slots).toBeLessThan(WRITES);
    expect(worstSlotsPerWrite).toBeLessThanOrEqual(1);
    const grown = memoryOf(e);
    expect(grown.large - baseline.large, "data pages plus an 8 KiB index").toBeLessThanOrEqual(WRITES + 3);
    expect(v.fstat(fd)).toMatchObject({ size: 8 << 20, blocks: WRITES * 8 });
    const probe = v.read(v.open("/log"), 1, 4096 * 1000) as Uint8Array;
    expect(probe[0]).toBe(1001 & 0xff);
    expect(v.close(fd)).toBe(0);
    expect(v.close(fd + 1)).toBe(0);
    console.log(`ramfs append: ${WRITES} writes of ${WRITE} B: ${WRITES} pages, ${moves} index moves, ${slots} index slots copied`);
    expect(v.unlink("/log")).toBe(0);
    expectBackTo(baseline, "after unlinking the 8 MiB file");
    expect(v.unmount("/")).toBe(0);
    e.fsFree(fs);
  });

  it("appends in unaligned pieces without copying data: pages track the size", () => {
    const fs = v.ramfs();
    expect(v.mountRoot(fs)).toBe(0);
    const fd = v.open("/odd", VFS.O_WRONLY | VFS.O_CREAT | VFS.O_APPEND);
    const pagesBefore = e.ramfsPagesTaken();
    let size = 0;
    for (let i = 0; i < 3000; i++) {
      const length = 1 + ((i * 977) % 3000);
      expect(Number(e.vfsWrite(fd, v.buffer, length))).toBe(length);
      size += length;
    }
    expect(Number(e.ramfsPagesTaken() - pagesBefore)).toBe(Math.ceil(size / 4096));
    expect(v.close(fd)).toBe(0);
    expect(v.unmount("/")).toBe(0);
    e.fsFree(fs);
  });
});
