// Damages a fixture pool one byte at a time and reads it with fs/zfs after
// each change; run by corruption.test.ts in a child process, so that a
// module that loops forever is a timeout there instead of a hung test.
//
//   node --import tsx corruption-runner.ts POOL DATASET SEED METADATA_TRIALS UBERBLOCK_BYTES
//
// Prints one JSON object: per kind of damage, how many trials read the
// right data, how many ended in a clean errno, how many of them the module
// counted checksum errors in, and the ones that did anything else (wrong
// data, a trap, another exception). UBERBLOCK_BYTES is how many bytes of
// label 0's newest uberblock are damaged in turn (1024: every one).

import { readFileSync } from "node:fs";
import { memoryDevice, ZfsModule } from "../../../scripts/zfs/host";
import { compareTree, manifest, unpackImages, type ManifestEntry } from "./tree";

const [pool, dataset, seedText, trialsText, uberblockText] = process.argv.slice(2);
const expected: ManifestEntry[] = manifest[pool].datasets[dataset];
const images = unpackImages(pool).map((path) => new Uint8Array(readFileSync(path)));

let state = Number(seedText) >>> 0;
function random(limit: number): number {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  return Math.floor((state / 4294967296) * limit);
}

const LABEL = 256 << 10;
const RING = 128 << 10;
const SLOT = 1 << 10;
function labelOffsets(size: number): number[] {
  const usable = size - (size % LABEL);
  return [0, LABEL, usable - 2 * LABEL, usable - LABEL];
}

/** The byte offset of the newest uberblock slot (by txg) in each label of `image`. */
function activeSlots(image: Uint8Array): number[] {
  const view = new DataView(image.buffer, image.byteOffset, image.length);
  return labelOffsets(image.length).map((label) => {
    let best = -1;
    let bestTxg = -1n;
    for (let at = label + RING; at < label + 2 * RING; at += SLOT) {
      if (view.getBigUint64(at, true) !== 0xbab10cn) continue;
      const txg = view.getBigUint64(at + 16, true);
      if (txg > bestTxg) [best, bestTxg] = [at, txg];
    }
    return best;
  });
}

interface Outcome {
  right: number;
  cleanError: number;
  /** Trials after which the module's unmount line counted checksum errors. */
  detected: number;
  bad: string[];
}

let module: ZfsModule;
async function fresh(): Promise<void> {
  module = await ZfsModule.over(images.map(memoryDevice));
}

/** Mounts and compares; `full` walks the whole tree, else the root listing and one file. */
function trial(outcome: Outcome, what: string, full: boolean): void {
  try {
    let volume: number;
    try {
      volume = module.mount(dataset);
    } catch (error) {
      if ((error as Error).name === "RuntimeError" || !/^zfs: /.test((error as Error).message)) throw error;
      outcome.cleanError++;
      return;
    }
    const subset = full ? expected : expected.filter((entry) => entry.path === "/" || entry.path === "/hello.txt");
    const walked = compareTree(module, volume, subset);
    module.unmount(volume);
    if (/checksum errors [1-9]/.test(module.log.at(-1) ?? "")) outcome.detected++;
    if (walked.wrong.length > 0) outcome.bad.push(`${what}: wrong: ${walked.wrong.slice(0, 3).join("; ")}`);
    else if (walked.errors.length > 0) outcome.cleanError++;
    else outcome.right++;
  } catch (error) {
    outcome.bad.push(`${what}: ${(error as Error).name}: ${(error as Error).message}`);
  }
}

async function flip(outcome: Outcome, what: string, positions: [number, number][], full: boolean): Promise<void> {
  for (const [image, at] of positions) images[image][at] ^= 0xff;
  trial(outcome, what, full);
  for (const [image, at] of positions) images[image][at] ^= 0xff;
  if (outcome.bad.length > 0 && /RuntimeError/.test(outcome.bad.at(-1)!)) await fresh();
}

async function main(): Promise<void> {
  await fresh();
  const results: Record<string, Outcome> = {};
  const outcome = (kind: string) => (results[kind] ??= { right: 0, cleanError: 0, detected: 0, bad: [] });

  // Which sectors hold metadata: what a walk reads without reading any file's data.
  const metadata: [number, number, number][] = [];
  module.onRead = (device, offset, length) => metadata.push([device, offset, length]);
  const volume = module.mount(dataset);
  const root = module.root(volume);
  const walk = (inode: bigint) => {
    for (const entry of module.list(volume, inode)) {
      module.getattr(volume, entry.inode);
      if (entry.type === "directory") walk(entry.inode);
    }
  };
  walk(root);
  module.unmount(volume);
  module.onRead = null;
  const blocks = metadata.filter(([, offset]) => offset >= 4 << 20 && offset < images[0].length - 2 * LABEL);

  // Every byte of the newest uberblock in label 0: the other three labels hold it too.
  const slot = activeSlots(images[0])[0];
  const every = Number(uberblockText) >= SLOT;
  for (let i = 0; i < Math.min(SLOT, Number(uberblockText)); i++) {
    const at = every ? i : random(SLOT);
    await flip(outcome("uberblock, one label"), `uberblock byte ${at}`, [[0, slot + at]], false);
  }
  // The same byte of the newest uberblock in all four labels: an older one, or a clean refusal.
  const slots = activeSlots(images[0]);
  for (let i = 0; i < 64; i++) {
    const at = random(SLOT);
    await flip(outcome("uberblock, all labels"), `uberblock byte ${at} everywhere`, slots.map((s) => [0, s + at] as [number, number]), false);
  }
  // Bytes of label 0's configuration nvlist.
  for (let i = 0; i < 64; i++) {
    const at = (16 << 10) + random(2048);
    await flip(outcome("label config"), `label 0 config byte ${at}`, [[0, at]], false);
  }
  // Bytes of metadata blocks, then the whole tree compared.
  for (let i = 0; i < Number(trialsText); i++) {
    const [device, offset, length] = blocks[random(blocks.length)];
    const at = offset + random(length);
    await flip(outcome("metadata"), `metadata byte ${at} of device ${device}`, [[device, at]], true);
  }
  process.stdout.write(JSON.stringify(results));
}

await main();
