// Guards loader/wasi/args.ts and errno.ts: the exact byte layout args_get,
// environ_get and their *_sizes_get calls write (UTF-8, NUL-terminated
// strings back to back, pointers into the app's own buffer), FAULT with
// nothing written for any range outside app memory, and the mapping of
// every kernel errno (kernel/errno.ts, read from the source) to WASI's.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { WasiHarness, E, RESULT, DATA, OUTSIDE, APP_BYTES } from "./client";
import { REPO_ROOT } from "../compile";

const harness = await WasiHarness.create();

afterEach(() => harness.tearDown());

describe("args and environ", () => {
  const args = ["prog", "héllo wörld", "", "日本🙂", "last"];
  const env = ["HOME=/", "LANG=C.UTF-8", "EMPTY="];

  it("reports the count and the buffer size, NULs included", () => {
    harness.setUp({ args, env });
    expect(harness.call("args_sizes_get", RESULT, RESULT + 4)).toBe(E.SUCCESS);
    expect(harness.u32(RESULT)).toBe(args.length);
    const argBytes = args.reduce((sum, arg) => sum + Buffer.byteLength(arg) + 1, 0);
    expect(harness.u32(RESULT + 4)).toBe(argBytes);
    expect(harness.call("environ_sizes_get", RESULT, RESULT + 4)).toBe(E.SUCCESS);
    expect(harness.u32(RESULT)).toBe(env.length);
    expect(harness.u32(RESULT + 4)).toBe(env.reduce((sum, item) => sum + Buffer.byteLength(item) + 1, 0));
  });

  for (const [name, list] of [["args", args], ["environ", env]] as const) {
    it(`${name}_get writes pointers into the buffer and the strings back to back`, () => {
      harness.setUp({ args, env });
      const pointers = 0x200;
      const buffer = DATA;
      harness.app.fill(0xee, buffer, buffer + 512);
      expect(harness.call(`${name}_get`, pointers, buffer)).toBe(E.SUCCESS);
      const expected = Buffer.concat(list.map((item) => Buffer.concat([Buffer.from(item), Buffer.from([0])])));
      expect(Buffer.from(harness.bytes(buffer, expected.length))).toEqual(expected);
      expect(harness.u8(buffer + expected.length), "nothing past the block").toBe(0xee);
      let offset = 0;
      list.forEach((item, i) => {
        expect(harness.u32(pointers + 4 * i)).toBe(buffer + offset);
        offset += Buffer.byteLength(item) + 1;
      });
    });
  }

  it("is empty when nothing was configured", () => {
    harness.setUp({});
    expect(harness.call("args_sizes_get", RESULT, RESULT + 4)).toBe(E.SUCCESS);
    expect([harness.u32(RESULT), harness.u32(RESULT + 4)]).toEqual([0, 0]);
    expect(harness.call("environ_get", RESULT, DATA)).toBe(E.SUCCESS);
  });

  it("answers FAULT and writes nothing when a range leaves app memory", () => {
    harness.setUp({ args, env });
    const before = harness.app.slice();
    expect(harness.call("args_sizes_get", OUTSIDE, RESULT)).toBe(E.FAULT);
    expect(harness.call("args_sizes_get", RESULT, APP_BYTES - 2)).toBe(E.FAULT);
    expect(harness.call("args_get", APP_BYTES - 8, DATA)).toBe(E.FAULT); // 5 pointers do not fit
    expect(harness.call("args_get", RESULT, APP_BYTES - 10)).toBe(E.FAULT); // the block does not fit
    expect(harness.call("environ_get", 0xffff_fffc, DATA)).toBe(E.FAULT);
    expect(harness.call("environ_sizes_get", 0xffff_ffff, RESULT)).toBe(E.FAULT);
    expect(Buffer.from(harness.app).equals(Buffer.from(before))).toBe(true);
  });
});

describe("errno mapping", () => {
  // WASI's name for each kernel errno (kernel/errno.ts, Linux numbering).
  const EXPECTED: Record<string, number> = {
    EPERM: 63, ENOENT: 44, ESRCH: 71, EIO: 29, ENOEXEC: 45, EPROTO: 65, EBADF: 8, EAGAIN: 6, ENOMEM: 48, EACCES: 2, EBUSY: 10,
    EEXIST: 20, EXDEV: 75, ENOTDIR: 54, EISDIR: 31, EINVAL: 28, EMFILE: 33, EFBIG: 22, ENOSPC: 51,
    ESPIPE: 70, EROFS: 69, EDEADLK: 16, ENAMETOOLONG: 37, ENOSYS: 52, ENOTEMPTY: 55, ELOOP: 32,
    EBADMSG: 9, ETIMEDOUT: 73, ENOTSUP: 58, EOPNOTSUPP: 58, EFAULT: 21, EILSEQ: 25, EOVERFLOW: 61,
    ERANGE: 68, E2BIG: 1, EINTR: 27, ENXIO: 60, ENODEV: 43, ETXTBSY: 74, EMLINK: 34, EPIPE: 64,
    ECANCELED: 11, ENFILE: 41, ENOTTY: 59, ECHILD: 12, EDOM: 18, ENOTCAPABLE: 76,
    EMSGSIZE: 35, EADDRINUSE: 3, ENETUNREACH: 40, ECONNRESET: 15, ENOTCONN: 53, ECONNREFUSED: 14,
    EDESTADDRREQ: 17, EAFNOSUPPORT: 5, EADDRNOTAVAIL: 4, EISCONN: 30, EALREADY: 7, EINPROGRESS: 26,
  };

  it("maps every errno kernel/errno.ts defines", () => {
    const source = readFileSync(join(REPO_ROOT, "kernel/errno.ts"), "utf8");
    const defined = [...source.matchAll(/export const (E[A-Z0-9]+): i32 = (\d+);/g)].map((m) => [m[1], Number(m[2])] as const);
    expect(defined.length).toBeGreaterThan(20);
    for (const [name, linux] of defined) {
      expect(EXPECTED[name], `${name} (${linux}) has no expected WASI errno in this test`).toBeDefined();
      expect(harness.e.wasiErrnoOf(linux), name).toBe(EXPECTED[name]);
    }
  });

  it("maps Linux numbers the kernel may add, and anything unknown to IO", () => {
    const linux: Record<string, number> = {
      E2BIG: 7, EINTR: 4, ENXIO: 6, EFAULT: 14, ENODEV: 19, ETXTBSY: 26, EMLINK: 31, EPIPE: 32, EDOM: 33,
      ERANGE: 34, EILSEQ: 84, EOVERFLOW: 75, EOPNOTSUPP: 95, ECANCELED: 125, ENFILE: 23, ENOTTY: 25, ECHILD: 10,
    };
    for (const [name, number] of Object.entries(linux)) expect(harness.e.wasiErrnoOf(number), name).toBe(EXPECTED[name]);
    for (const unknown of [15, 41, 94, 133, 134, 4095]) expect(harness.e.wasiErrnoOf(unknown), `${unknown}`).toBe(E.IO);
    expect(harness.e.wasiErrnoOf(0)).toBe(E.SUCCESS);
  });
});
