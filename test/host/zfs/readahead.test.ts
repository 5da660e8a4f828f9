// Small file blocks are read through a read-ahead window (fs/zfs/readahead.ts):
// one device read brings in a run of neighbouring blocks. A damaged block in
// that run must still fail its own checksum (a clean EIO for that file only,
// the plain pool keeping one copy of file data) while its neighbours, taken
// from the same window, read right; and the walk must need far fewer device
// reads than blocks.

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryDevice, resolvePath, ZfsModule } from "../../../scripts/zfs/host";
import { compareTree, manifest, removeUnpacked, unpackImages } from "./tree";

let pristine: Uint8Array;
afterAll(removeUnpacked);
beforeAll(() => {
  pristine = new Uint8Array(readFileSync(unpackImages("plain")[0]));
});

describe("read-ahead of small file blocks", () => {
  it("fails only the damaged file of a window, and reads its neighbours right", async () => {
    const reader = await ZfsModule.over([memoryDevice(pristine)]);
    const volume = reader.mount("plain");
    const content = reader.readFile(volume, resolvePath(reader, volume, "/random-4097.bin", true));
    const at = Buffer.from(pristine).indexOf(Buffer.from(content.subarray(0, 64)));
    expect(at).toBeGreaterThan(0);
    expect(Buffer.from(pristine).indexOf(Buffer.from(content.subarray(0, 64)), at + 1)).toBe(-1);

    const damaged = pristine.slice();
    damaged[at + 100] ^= 0xff;
    const module = await ZfsModule.over([memoryDevice(damaged)]);
    const walked = compareTree(module, module.mount("plain"), manifest.plain.datasets.plain);
    expect(walked.wrong).toEqual([]);
    expect(walked.errors).toEqual([expect.stringMatching(/^read \/random-4097\.bin: .*EIO/)]);
  });

  it("reads a directory of small files in few device reads", async () => {
    const module = await ZfsModule.over([memoryDevice(pristine)]);
    const volume = module.mount("plain");
    const many = resolvePath(module, volume, "/many", true);
    let reads = 0;
    module.onRead = () => reads++;
    const entries = module.list(volume, many);
    for (const entry of entries) module.readFile(volume, entry.inode);
    expect(entries.length).toBe(500);
    expect(reads).toBeLessThan(entries.length / 4);
  });
});
