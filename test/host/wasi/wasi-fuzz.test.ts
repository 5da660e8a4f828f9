// Guards the WASI layer against hostile arguments: random calls with
// pointers near both ends of app memory and past it, huge lengths and
// counts, iovec arrays that overlap their own buffers, and paths of random
// bytes. Whatever the app passes, the kernel answers with an errno: no call
// traps the kernel, leaves the app (only proc_exit may), or makes a copy
// outside the app's memory (the fake machine records any), and the kernel
// keeps working afterwards. A fixed number of calls per seed (the seed is
// printed; replay with WISP_TEST_SEED).

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WasiHarness, E, RESULT, IOVS, DATA, APP_BYTES, SANDBOX, OFLAGS } from "./client";
import { Random, suiteSeed } from "../random";
import { Stuck } from "../fake-arch";

const harness = await WasiHarness.create();
const h = harness;

beforeEach(() => h.setUp());
afterEach(() => h.tearDown());

const CALLS = 3000;

/** A whole number in [0, n). */
function below(random: Random, n: number): number {
  return random.int(0, n - 1);
}

/** Calls and how many i32/i64 arguments each takes ("i" or "I" per argument). */
const SIGNATURES: Record<string, string> = {
  fd_read: "iiii", fd_write: "iiii", fd_pread: "iiiIi", fd_pwrite: "iiiIi", fd_seek: "iIii", fd_tell: "ii",
  fd_fdstat_get: "ii", fd_filestat_get: "ii", fd_readdir: "iiiIi", fd_prestat_get: "ii", fd_prestat_dir_name: "iii",
  path_open: "iiiiiIIii", path_filestat_get: "iiiii", path_create_directory: "iii", path_unlink_file: "iii",
  path_remove_directory: "iii", path_readlink: "iiiiii", path_symlink: "iiiii", path_rename: "iiiiii",
  args_get: "ii", args_sizes_get: "ii", environ_get: "ii", environ_sizes_get: "ii", clock_time_get: "iIi",
  clock_res_get: "ii", random_get: "ii", poll_oneoff: "iiii", fd_renumber: "ii",
};

/** A hostile 32-bit value: near the ends of app memory, past it, tiny, or huge. */
function pointer(random: Random): number {
  switch (below(random, 8)) {
    case 0: return below(random, 64);
    case 1: return APP_BYTES - below(random, 64);
    case 2: return APP_BYTES + below(random, 64);
    case 3: return 0xffff_ffff - below(random, 64);
    case 4: return IOVS + below(random, 64);
    case 5: return DATA + below(random, 4096);
    case 6: return 0x8000_0000 + below(random, 16);
    default: return below(random, APP_BYTES);
  }
}

function argument(random: Random, kind: string): number | bigint {
  if (kind === "I") return below(random, 3) === 0 ? BigInt.asUintN(64, -1n - BigInt(below(random, 4))) : BigInt(below(random, 1 << 20));
  return below(random, 3) === 0 ? below(random, 8) : pointer(random); // small numbers: fds, counts, flags
}

/** Fills IOVS with iovecs that point at random places, the iovec array itself among them. */
function scrambleIovecs(random: Random): void {
  for (let i = 0; i < 8; i++) h.iovecs([[below(random, 2) ? IOVS + below(random, 64) : pointer(random), below(random, 3) ? below(random, 64) : 0xffff_fff0]], IOVS + i * 8);
}

describe("WASI with hostile arguments", () => {
  it(`answers ${CALLS} random calls with errnos, copies only inside app memory, and keeps working`, () => {
    const random = new Random(suiteSeed());
    const file = h.open("fuzz-target", { oflags: OFLAGS.creat });
    expect(file).toBeGreaterThanOrEqual(0);
    expect(h.write(file, "0123456789abcdef".repeat(64))).toBe(1024);
    const names = Object.keys(SIGNATURES);
    for (let call = 0; call < CALLS; call++) {
      scrambleIovecs(random);
      h.put(DATA, new Uint8Array(Array.from({ length: 64 }, () => below(random, 256))));
      const name = names[below(random, names.length)];
      const args = [...SIGNATURES[name]].map((kind) => argument(random, kind));
      let errno = -1;
      try {
        errno = h.call(name, ...args);
      } catch (error) {
        // A clock subscription may ask to sleep for years: the fake clock's budget ends that wait.
        if (name === "poll_oneoff" && error instanceof Stuck) {
          h.fake.timestampCalls = 0;
          continue;
        }
        throw new Error(`${name}(${args.join(", ")}) threw ${String(error)} (seed ${random.seed})`);
      }
      expect(errno, `${name}(${args.join(", ")})`).toBeGreaterThanOrEqual(0);
      expect(errno, `${name}(${args.join(", ")})`).toBeLessThan(77);
      expect(h.fake.unexpected, `${name}(${args.join(", ")}) seed ${random.seed}`).toEqual([]);
    }
    // Still working (the calls may have closed or renumbered the preopens): a fresh set-up, a file written and read back.
    h.tearDown();
    h.setUp();
    const again = h.open("after-fuzz", { oflags: OFLAGS.creat, dirFd: SANDBOX });
    expect(again).toBeGreaterThanOrEqual(0);
    expect(h.write(again, "still here")).toBe(10);
    expect(h.call("fd_seek", again, 0n, 0, RESULT)).toBe(E.SUCCESS);
    expect(h.read(again, 100)).toBe("still here");
  });
});
