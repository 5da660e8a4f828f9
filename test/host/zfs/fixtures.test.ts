// fs/zfs against the pools zfs-fuse made (test/fixtures/zfs): every
// dataset's tree, file bytes, modes, link counts, times and link targets
// must be what zfs-fuse showed, for each compression and checksum kind, a
// mirror (whole, and with either side missing), and the ABI's error answers.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZfsError, ZfsModule } from "../../../scripts/zfs/host";
import { zfsWasm } from "../../../scripts/zfs/host";
import { compareTree, manifest, removeUnpacked, unpackImages } from "./tree";

const images: Record<string, string[]> = {};

afterAll(removeUnpacked);

beforeAll(async () => {
  await zfsWasm();
  for (const pool of Object.keys(manifest)) images[pool] = unpackImages(pool);
});

describe("the module's boundary", () => {
  it("imports only wisp functions and exports exactly ABI v1", async () => {
    const module = new WebAssembly.Module(await zfsWasm());
    const imports = WebAssembly.Module.imports(module).map((entry) => `${entry.module}.${entry.name}`).sort();
    expect(imports.every((name) => ["wisp.device_count", "wisp.device_size", "wisp.device_read", "wisp.log", "wisp.time_now"].includes(name))).toBe(true);
    expect(WebAssembly.Module.exports(module).map((entry) => entry.name).sort()).toEqual([
      "fs_forget", "fs_getattr", "fs_lookup", "fs_mount", "fs_option", "fs_read", "fs_readdir", "fs_readlink", "fs_report", "fs_root", "fs_unmount",
      "memory", "wisp_abi_version", "wisp_buffer",
    ]);
  });
});

for (const pool of Object.keys(manifest)) {
  describe(`pool ${pool}`, () => {
    for (const dataset of Object.keys(manifest[pool].datasets)) {
      it(`reads ${dataset} as zfs-fuse wrote it`, async () => {
        const module = await ZfsModule.open(images[pool]);
        const volume = module.mount(dataset);
        const report = compareTree(module, volume, manifest[pool].datasets[dataset]);
        expect(report).toEqual({ wrong: [], errors: [] });
        module.unmount(volume);
        expect(module.log.at(-1)).toMatch(/unmounted .*checksum errors 0, unreadable blocks 0/);
        module.close();
      });
    }
  });
}

describe("a mirror", () => {
  for (const side of [0, 1]) {
    it(`reads everything with only side ${side} present`, async () => {
      const module = await ZfsModule.open([images.twin[side]]);
      const volume = module.mount("twin/child");
      expect(compareTree(module, volume, manifest.twin.datasets["twin/child"])).toEqual({ wrong: [], errors: [] });
      module.close();
    });
  }
});

describe("errors", () => {
  it("names the pool it cannot find, and a dataset that does not exist", async () => {
    const module = await ZfsModule.open(images.lzjb);
    expect(() => module.mount("nosuch")).toThrow(/ENOENT.*no pool named 'nosuch'/);
    expect(() => module.mount("lzjb/nosuch")).toThrow(/ENOENT.*no dataset lzjb\/nosuch/);
    expect(() => module.mount("lzjb@snap")).toThrow(/ENOTSUP.*snapshots/);
    expect(() => module.mount("lzjb//child")).toThrow(/EINVAL/);
    module.close();
  });

  it("mounts the only pool for an empty source, and refuses to guess between several", async () => {
    const one = await ZfsModule.open(images.gzip);
    expect(one.mount("")).toBe(0);
    one.close();
    const two = await ZfsModule.open([...images.gzip, ...images.lzjb]);
    expect(() => two.mount("")).toThrow(/EINVAL.*several pools \((gzip, lzjb|lzjb, gzip)\)/);
    expect(two.mount("lzjb/child")).toBe(0);
    two.close();
  });

  it("answers the ABI's errnos for calls that do not fit the node", async () => {
    const module = await ZfsModule.open(images.lzjb);
    const volume = module.mount("lzjb");
    const root = module.root(volume);
    const file = module.lookup(volume, root, "hello.txt");
    expect(module.lookupRaw(volume, root, "missing")).toBe(-2n);
    expect(module.lookupRaw(volume, file, "x")).toBe(-20n);
    expect(module.readRaw(volume, root, 0, 10)).toBe(-21);
    expect(() => module.readlink(volume, file)).toThrow(ZfsError);
    expect(module.readRaw(volume, file, 1 << 30, 10)).toEqual(new Uint8Array(0));
    expect(module.lookupRaw(volume, 999_999n, "x")).toBe(-2n);
    expect(module.lookupRaw(volume + 5, root, "x")).toBe(-9n);
    module.close();
  });

  it("reads a file at any offset and length", async () => {
    const module = await ZfsModule.open(images.gzip);
    const volume = module.mount("gzip");
    const inode = module.lookup(volume, module.root(volume), "sparse.bin");
    const whole = module.readFile(volume, inode);
    for (const [offset, length] of [[0, 1], [1_048_575, 3000], [131_071, 131_074], [4_194_300, 100]]) {
      expect(module.readRaw(volume, inode, offset, length)).toEqual(whole.slice(offset, offset + length));
    }
    module.close();
  });
});
