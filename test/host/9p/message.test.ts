// Guards fs/9p's message codec: Tversion, Tattach, Twalk, Tclunk and
// Tgetattr byte for byte as 9P2000.L lays them out (hand-computed below),
// and the reply readers: Rversion, Rattach, Rwalk, Rclunk and Rgetattr
// accepted exactly, Rlerror turned into the Linux
// errno it carries, and every truncation, wrong tag, wrong type, bad size
// field or trailing byte refused as -EIO.

import { beforeEach, describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { SCRATCH } from "../core/client";

const harness = await Harness.create();
beforeEach(() => harness.resetArena());

const EIO = 5;
const EPROTO = 71;
const NOTAG = 0xffff;
const BUFFER = SCRATCH;

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

function at(length: number): Uint8Array {
  return harness.bytes().slice(BUFFER, BUFFER + length);
}

function put(bytes: Uint8Array): number {
  harness.bytes().set(bytes, BUFFER);
  return bytes.length;
}

/** size[4] type[1] tag[2] then `body`, little-endian. */
function message(type: number, tag: number, body: number[]): Uint8Array {
  const bytes = new Uint8Array(7 + body.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, bytes.length, true);
  bytes[4] = type;
  view.setUint16(5, tag, true);
  bytes.set(body, 7);
  return bytes;
}

const le32 = (value: number) => [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24];
const str = (text: string) => [text.length & 0xff, text.length >>> 8, ...new TextEncoder().encode(text)];

describe("9P2000.L requests", () => {
  it("writes Tversion byte for byte", () => {
    const length = harness.exports.ninepWriteVersion(BUFFER, 256, 512 * 1024);
    // size 21 | type 100 | tag NOTAG | msize 0x80000 | "9P2000.L"
    expect(hex(at(length))).toBe("15000000" + "64" + "ffff" + "00000800" + "0800" + Buffer.from("9P2000.L").toString("hex"));
  });

  it("writes Tattach byte for byte", () => {
    const length = harness.exports.ninepWriteAttach(BUFFER, 256, 1, 0, harness.newString("root"), harness.newString(""), 0);
    // size 27 = 7 + 4 + 4 + (2 + 4) + 2 + 4 | type 104 | tag 1 | fid 0 | afid NOFID | uname "root" | aname "" | n_uname 0
    expect(hex(at(length))).toBe("1b000000" + "68" + "0100" + "00000000" + "ffffffff" + "0400" + "726f6f74" + "0000" + "00000000");
  });

  it("refuses a request that does not fit its buffer (length 0), never writing past it", () => {
    harness.bytes().fill(0xaa, BUFFER, BUFFER + 64);
    expect(harness.exports.ninepWriteVersion(BUFFER, 20, 8192)).toBe(0);
    expect(at(64).slice(20).every((byte) => byte === 0xaa)).toBe(true);
    expect(harness.exports.ninepWriteVersion(BUFFER, 21, 8192)).toBe(21);
  });
});

describe("9P2000.L replies", () => {
  const rversion = (msize: number, version = "9P2000.L", tag = NOTAG) => message(101, tag, [...le32(msize), ...str(version)]);
  const rattach = (tag: number) => message(105, tag, [0x80, ...le32(7), 1, 2, 3, 4, 5, 6, 7, 8]);

  it("reads the msize Rversion agrees to", () => {
    expect(harness.exports.ninepReadVersion(BUFFER, put(rversion(65536)), 512 * 1024)).toBe(65536n);
    expect(harness.exports.ninepReadVersion(BUFFER, put(rversion(512 * 1024)), 512 * 1024)).toBe(524288n);
  });

  it("refuses an msize larger than asked or too small, and another protocol", () => {
    expect(harness.exports.ninepReadVersion(BUFFER, put(rversion(1 << 20)), 512 * 1024)).toBe(-BigInt(EIO));
    expect(harness.exports.ninepReadVersion(BUFFER, put(rversion(100)), 512 * 1024)).toBe(-BigInt(EIO));
    expect(harness.exports.ninepReadVersion(BUFFER, put(rversion(8192, "unknown")), 512 * 1024)).toBe(-BigInt(EPROTO));
  });

  it("reads the root qid from Rattach", () => {
    expect(harness.exports.ninepReadAttach(BUFFER, put(rattach(1)), 1)).toBe(0);
    expect(harness.exports.ninepQidType()).toBe(0x80);
    expect(harness.exports.ninepQidVersion()).toBe(7);
    expect(harness.exports.ninepQidPath()).toBe(0x0807060504030201n);
  });

  it("turns Rlerror into the Linux errno it carries", () => {
    expect(harness.exports.ninepReadAttach(BUFFER, put(message(7, 1, le32(13))), 1)).toBe(-13);
    expect(harness.exports.ninepReadAttach(BUFFER, put(message(7, 1, le32(0))), 1)).toBe(-EIO);
    expect(harness.exports.ninepReadAttach(BUFFER, put(message(7, 1, [...le32(13), 0])), 1)).toBe(-EIO);
  });

  it("refuses every truncation, a wrong tag or type, a bad size field and trailing bytes", () => {
    const good = rattach(1);
    for (let length = 0; length < good.length; length++) {
      const cut = good.slice(0, length);
      if (length >= 4) new DataView(cut.buffer).setUint32(0, length, true); // a consistent size field, short fields
      expect(harness.exports.ninepReadAttach(BUFFER, put(cut), 1), `${length} bytes`).toBe(-EIO);
    }
    expect(harness.exports.ninepReadAttach(BUFFER, put(rattach(2)), 1)).toBe(-EIO);
    expect(harness.exports.ninepReadAttach(BUFFER, put(message(111, 1, [0])), 1)).toBe(-EIO);
    const lying = good.slice();
    new DataView(lying.buffer).setUint32(0, good.length + 1, true);
    expect(harness.exports.ninepReadAttach(BUFFER, put(lying), 1)).toBe(-EIO);
    const longer = new Uint8Array([...good, 0]);
    new DataView(longer.buffer).setUint32(0, longer.length, true);
    expect(harness.exports.ninepReadAttach(BUFFER, put(longer), 1)).toBe(-EIO);
  });
});

const le64 = (value: bigint) => Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(8 * i)) & 0xffn));
const qid = (type: number, path: bigint) => [type, ...le32(0), ...le64(path)];

describe("walking, attributes, clunking", () => {
  function walk(names: string[]): number {
    harness.exports.ninepWalkNamesClear();
    for (const name of names) harness.exports.ninepWalkNamesAdd(harness.newString(name));
    return harness.exports.ninepWriteWalk(BUFFER, 4096, 3, 0, 1);
  }

  it("writes Twalk byte for byte, and refuses more than 16 names", () => {
    const length = walk(["etc", "hosts"]);
    // size 29 = 7 + 4 + 4 + 2 + (2 + 3) + (2 + 5) | type 110 | tag 3 | fid 0 | newfid 1 | nwname 2 | "etc" | "hosts"
    expect(hex(at(length))).toBe("1d000000" + "6e" + "0300" + "00000000" + "01000000" + "0200" + "0300" + "657463" + "0500" + "686f737473");
    expect(walk(Array.from({ length: 16 }, () => "a"))).toBeGreaterThan(0);
    expect(walk(Array.from({ length: 17 }, () => "a"))).toBe(0);
  });

  it("reads how far Rwalk got, and refuses more qids than names", () => {
    expect(harness.exports.ninepReadWalk(BUFFER, put(message(111, 3, [2, 0, ...qid(0x80, 5n), ...qid(0, 9n)])), 3, 2)).toBe(2);
    expect(harness.exports.ninepQidPath()).toBe(9n);
    expect(harness.exports.ninepReadWalk(BUFFER, put(message(111, 3, [1, 0, ...qid(0x80, 5n)])), 3, 2)).toBe(1);
    expect(harness.exports.ninepReadWalk(BUFFER, put(message(111, 3, [0, 0])), 3, 0)).toBe(0);
    expect(harness.exports.ninepReadWalk(BUFFER, put(message(111, 3, [2, 0, ...qid(0x80, 5n), ...qid(0, 9n)])), 3, 1)).toBe(-EIO);
    expect(harness.exports.ninepReadWalk(BUFFER, put(message(111, 3, [2, 0, ...qid(0x80, 5n)])), 3, 2)).toBe(-EIO);
    expect(harness.exports.ninepReadWalk(BUFFER, put(message(7, 3, le32(2))), 3, 2)).toBe(-2);
  });

  it("writes Tclunk and reads Rclunk", () => {
    const length = harness.exports.ninepWriteClunk(BUFFER, 64, 4, 7);
    expect(hex(at(length))).toBe("0b000000" + "78" + "0400" + "07000000");
    expect(harness.exports.ninepReadClunk(BUFFER, put(message(121, 4, [])), 4)).toBe(0);
    expect(harness.exports.ninepReadClunk(BUFFER, put(message(121, 4, [0])), 4)).toBe(-EIO);
    expect(harness.exports.ninepReadClunk(BUFFER, put(message(121, 5, [])), 4)).toBe(-EIO);
  });

  it("writes Tgetattr and reads every field of Rgetattr it keeps", () => {
    const length = harness.exports.ninepWriteGetattr(BUFFER, 64, 6, 1, 0x7ffn);
    expect(hex(at(length))).toBe("13000000" + "18" + "0600" + "01000000" + "ff07000000000000");
    const body = [
      ...le64(0x7ffn), ...qid(0, 0x1234n), ...le32(0o100644), ...le32(1000), ...le32(100), ...le64(2n), ...le64(0n),
      ...le64(5000n), ...le64(4096n), ...le64(16n),
      ...le64(1n), ...le64(2n), ...le64(1_795_437_296n), ...le64(123_456_789n), ...le64(5n), ...le64(6n),
      ...le64(0n), ...le64(0n), ...le64(0n), ...le64(0n),
    ];
    expect(body.length).toBe(153);
    expect(harness.exports.ninepReadGetattr(BUFFER, put(message(25, 6, body)), 6)).toBe(0);
    const attr = (which: number) => harness.exports.ninepAttr(which);
    expect([attr(0), attr(1), attr(2), attr(3), attr(4), attr(5), attr(6), attr(7), attr(8)]).toEqual([
      0o100644n, 1000n, 100n, 2n, 5000n, 16n, 1_795_437_296n, 123_456_789n, 0x1234n,
    ]);
    for (let cut = 0; cut < body.length; cut += 7) {
      expect(harness.exports.ninepReadGetattr(BUFFER, put(message(25, 6, body.slice(0, cut))), 6), `${cut} bytes`).toBe(-EIO);
    }
  });
});
