// Space maps (fs/zfs/write/space.ts), property-tested in the host harness:
// random allocations and frees of block copies across transaction groups
// against a model of what is allocated on disk. After every txg, each
// metaslab's committed space map, replayed from all free (as a pool opened
// later reads it), gives exactly the model's free space, and its allocated
// byte count agrees; space freed in txg T is not handed out again before
// T + 2; space allocated and freed in the same txg never reaches the map;
// and a map stays within what condensing allows (the 1,000-txg pool of
// create.test.ts shows condensing against zdb).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Harness } from "../harness-client";

const harness = await Harness.withMemory(2048); // the harness frees nothing: room for every run's metaslabs
const e = harness.exports as unknown as Record<string, (...args: unknown[]) => unknown>;
const view = (ptr: number) => (harness.exports as unknown as { __getUint8Array(p: number): Uint8Array }).__getUint8Array(ptr);
const view64 = (ptr: number) => (harness.exports as unknown as { __getUint64Array(p: number): BigUint64Array }).__getUint64Array(ptr);
const viewInPlace = (ptr: number) => (harness.exports as unknown as { __getUint8ArrayView(p: number): Uint8Array }).__getUint8ArrayView(ptr);

/** `bytes` copied into a fresh array in the harness: its handle. */
function inHarness(bytes: Uint8Array): number {
  const handle = e.zfsBytes(bytes.length) as number;
  viewInPlace(handle).set(bytes);
  return handle;
}

const ASIZE = 16n << 20n;

interface Extent { offset: bigint; size: bigint; txg: number }

const step = fc.oneof(
  fc.record({ kind: fc.constant("allocate" as const), sectors: fc.integer({ min: 1, max: 256 }), copies: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant("release" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("commit" as const) }),
);

describe("space maps", () => {
  it("replay to exactly the free space, defer frees two txgs, and stay condensed", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 20, maxLength: 400 }), (steps) => {
        const space = e.zfsSpaceNew(ASIZE) as number;
        const count = e.zfsSpaceMetaslabs(space) as number;
        const shift = BigInt(e.zfsSpaceShift(space) as number);
        let txg = 4;
        const live: Extent[] = [];           // allocated, as the model has it
        const freedAt = new Map<bigint, number>(); // offset of a freed extent → its txg (for the deferral check)
        const touched = new Set<number>();
        const check = () => {
          for (const m of touched) {
            const start = BigInt(m) << shift;
            const end = start + (1n << shift);
            const mine = live.filter((x) => x.txg < txg && x.offset >= start && x.offset < end).sort((a, b) => (a.offset < b.offset ? -1 : 1));
            // The free ranges the model expects: the metaslab less the extents committed.
            const expected: bigint[] = [];
            let at = start;
            for (const x of mine) {
              if (x.offset > at) expected.push(at, x.offset);
              at = x.offset + x.size;
            }
            if (at < end) expected.push(at, end);
            const merged: bigint[] = [];
            for (let i = 0; i < expected.length; i += 2) {
              if (merged.length && merged[merged.length - 1] === expected[i]) merged[merged.length - 1] = expected[i + 1];
              else merged.push(expected[i], expected[i + 1]);
            }
            const log = view(e.zfsSpaceLog(space, m) as number);
            const allocated = e.zfsSpaceAllocatedBytes(space, m) as bigint;
            expect(allocated).toBe(mine.reduce((sum, x) => sum + x.size, 0n));
            const copy = inHarness(log);
            const replayed = [...view64(e.zfsSpaceReplay(space, m, copy, allocated) as number)];
            expect(replayed, `metaslab ${m} at txg ${txg}`).toEqual(merged);
            // Condensed once past 16 KiB and four times what it says: never far beyond either.
            expect(log.length).toBeLessThanOrEqual(Math.max((16 << 10) + 64 * 8, 4 * 8 * (2 * mine.length + 8) + 64 * 8));
          }
        };
        for (const s of steps) {
          if (s.kind === "allocate") {
            for (let copy = 0; copy < s.copies; copy++) {
              const size = BigInt(s.sectors) * 512n;
              const offset = e.zfsSpaceAllocate(space, size, copy, s.copies) as bigint;
              if (offset < 0n) continue;
              touched.add(Number(offset >> shift));
              const freed = freedAt.get(offset);
              // Nothing freed in this txg or the one before is handed out again (a same-txg allocation may be).
              if (freed !== undefined) expect(freed === txg || freed <= txg - 2, `offset ${offset} freed at ${freed}, reused at ${txg}`).toBe(true);
              for (const x of live) expect(offset + size <= x.offset || x.offset + x.size <= offset).toBe(true);
              live.push({ offset, size, txg });
            }
          } else if (s.kind === "release") {
            if (live.length === 0) continue;
            const [x] = live.splice(s.pick % live.length, 1);
            expect(e.zfsSpaceRelease(space, x.offset, x.size)).toBe(1);
            if (x.txg !== txg) freedAt.set(x.offset, txg);
          } else {
            e.zfsSpaceCommit(space, BigInt(txg));
            txg++;
            check();
          }
        }
        e.zfsSpaceCommit(space, BigInt(txg));
        txg++;
        check();
      }),
      { numRuns: 40, seed: 18 },
    );
  });
});
