// Issue 17: a pool with unsupported features or a newer version is refused
// at mount (ENOTSUP) with a log line naming them. Each case takes a fixture
// pool and rewrites its labels (label-edit.ts: re-encoded nvlists, resealed
// checksums) as a newer ZFS, a raidz pool or a big-endian host would have
// written them, or its root dataset's master node (block-edit.ts: the
// checksum chain up to the uberblock made right) as a ZPL 5 dataset. The
// rewriting itself is checked too: an unchanged re-encoding is
// byte-identical, and resealed or rewritten pools still mount and read.

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryDevice, ZfsError, ZfsModule } from "../../../scripts/zfs/host";
import { setMasterNodeEntry } from "./block-edit";
import { byteswapUberblocks, decodeNvList, editLabels, encodeNvList, getList, labelOffsets, setPair, type NvList } from "./label-edit";
import { compareTree, manifest, removeUnpacked, unpackImages } from "./tree";

const ENOTSUP = 95;
const CONFIG_AT = 16 << 10;
let pristine: Uint8Array;

afterAll(removeUnpacked);
beforeAll(() => {
  pristine = new Uint8Array(readFileSync(unpackImages("plain")[0]));
});

/** A copy of the plain pool with `change` applied. */
function changed(change: (image: Uint8Array) => void): Uint8Array {
  const image = pristine.slice();
  change(image);
  return image;
}

/** The mount's error, which must be ENOTSUP; answers what the module logged for it. */
async function refusal(image: Uint8Array, source = "plain"): Promise<string> {
  const module = await ZfsModule.over([memoryDevice(image)]);
  let error: unknown;
  try {
    module.mount(source);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ZfsError);
  expect((error as ZfsError).errno, (error as ZfsError).message).toBe(ENOTSUP);
  return (error as ZfsError).log.join("\n");
}

describe("rewriting labels (test support)", () => {
  it("re-encodes every fixture label byte for byte", () => {
    for (const pool of Object.keys(manifest)) {
      for (const path of unpackImages(pool)) {
        const image = readFileSync(path);
        for (const label of labelOffsets(image.length)) {
          const config = image.subarray(label + CONFIG_AT, label + CONFIG_AT + (112 << 10));
          const packed = encodeNvList(decodeNvList(config));
          expect(Buffer.from(packed).equals(config.subarray(0, packed.length)), `${path} label at ${label}`).toBe(true);
        }
      }
    }
  });

  it("reseals labels so that the pool still mounts and reads", async () => {
    const image = changed((bytes) => editLabels(bytes, (config) => setPair(config, "comment", { type: "string", value: "resealed" })));
    expect(Buffer.from(image).equals(Buffer.from(pristine))).toBe(false);
    const module = await ZfsModule.over([memoryDevice(image)]);
    const volume = module.mount("plain");
    expect(compareTree(module, volume, manifest.plain.datasets.plain)).toEqual({ wrong: [], errors: [] });
  });
});

describe("refused at mount", () => {
  it("a feature-flag pool (version 5000), naming its features for read", async () => {
    const features: NvList = { version: 0, flags: 1, pairs: [
      ["org.open-zfs:lz4_compress", { type: "boolean" }],
      ["com.delphix:hole_birth", { type: "boolean" }],
    ] };
    const image = changed((bytes) => editLabels(bytes, (config) => {
      setPair(config, "version", { type: "u64", value: 5000n });
      setPair(config, "features_for_read", { type: "nvlist", value: features });
    }));
    const log = await refusal(image);
    expect(log).toMatch(/version 5000/);
    expect(log).toMatch(/org\.open-zfs:lz4_compress/);
    expect(log).toMatch(/com\.delphix:hole_birth/);
  });

  it("a pool of version 28", async () => {
    const image = changed((bytes) => editLabels(bytes, (config) => setPair(config, "version", { type: "u64", value: 28n })));
    expect(await refusal(image)).toMatch(/version 28, this reader knows up to 23/);
  });

  it("a raidz vdev, naming the type", async () => {
    const image = changed((bytes) => editLabels(bytes, (config) => {
      const disk = getList(config, "vdev_tree");
      const raidz: NvList = { version: 0, flags: 1, pairs: [
        ["type", { type: "string", value: "raidz" }],
        ...disk.pairs.filter(([name]) => ["id", "metaslab_array", "metaslab_shift", "ashift", "asize", "is_log", "create_txg"].includes(name)),
        ["guid", { type: "u64", value: 0x1234_5678_9abcn }],
        ["nparity", { type: "u64", value: 1n }],
        ["children", { type: "nvlist[]", value: [{ ...disk, pairs: disk.pairs.map(([name, value]) => [name, name === "id" ? { type: "u64", value: 0n } : value]) }] }],
      ] };
      setPair(config, "vdev_tree", { type: "nvlist", value: raidz });
    }));
    expect(await refusal(image)).toMatch(/vdev type 'raidz' is not supported/);
  });

  it("a pool written big-endian", async () => {
    expect(await refusal(changed(byteswapUberblocks))).toMatch(/big-endian/);
  });
});

describe("a dataset of a newer ZPL", () => {
  it("refuses ZPL version 5 (system attributes), naming it", async () => {
    const image = changed((bytes) => setMasterNodeEntry(bytes, "VERSION", 5n));
    expect(await refusal(image)).toMatch(/plain: ZPL version 5 \(system attributes\) is not supported/);
  });

  it("reads the whole tree after VERSION is rewritten to 5 and back to 4 (the checksum chain is made right)", async () => {
    const image = changed((bytes) => {
      setMasterNodeEntry(bytes, "VERSION", 5n);
      setMasterNodeEntry(bytes, "VERSION", 4n);
    });
    expect(Buffer.from(image).equals(Buffer.from(pristine))).toBe(false);
    const module = await ZfsModule.over([memoryDevice(image)]);
    const volume = module.mount("plain");
    expect(compareTree(module, volume, manifest.plain.datasets.plain)).toEqual({ wrong: [], errors: [] });
    module.unmount(volume);
    expect(module.log.at(-1)).toMatch(/checksum errors 0, unreadable blocks 0/);
  });
});
