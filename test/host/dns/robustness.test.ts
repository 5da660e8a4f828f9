// Guards kernel/net/dns-message.ts against malformed replies: every
// single-byte corruption (each byte set to its complement, 0x00, 0xc0 and
// 0x3f) and every truncation of several replies (A with compression, AAAA,
// a CNAME chain with an SOA, NXDOMAIN, no data, an uncompressed chain with
// an additional section) gives exactly what the independent reading in
// reference.ts gives: the same refusal code, or the same addresses, TTLs and
// negative TTL. Each message ends at the last byte of the wasm memory, so a
// read past its end would trap. Hand-made faults get their own codes:
// compression loops (a pointer to itself, two pointers to each other, a
// label and a pointer back to it), pointers forward, reserved label types,
// labels and RDATA running off the end, names over 255 bytes.

import { beforeEach, describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { DnsHarness, DNS_ERROR, TYPE, addressText } from "./client";
import { encode, Message, ResourceRecord, REPLY } from "./messages";
import { expectedReading } from "./reference";

const harness = await Harness.create();
const dns = new DnsHarness(harness);
beforeEach(() => harness.resetArena());

const ID = 0x1f2e;
const soa: ResourceRecord = {
  name: "example.com", type: TYPE.SOA, ttl: 900,
  data: { mname: "ns.example.com", rname: "root.example.com", serial: 7, refresh: 1, retry: 2, expire: 3, minimum: 60 },
};

interface Sample {
  what: string;
  message: Message;
  name: string;
  type: number;
  compress?: boolean;
}

const SAMPLES: Sample[] = [
  {
    what: "A, compressed", name: "www.example.com", type: TYPE.A,
    message: { id: ID, flags: REPLY, questions: [{ name: "www.example.com", type: TYPE.A }], answers: [
      { name: "www.example.com", type: TYPE.A, ttl: 300, data: "192.0.2.1" },
      { name: "www.example.com", type: TYPE.A, ttl: 200, data: "192.0.2.2" },
    ] },
  },
  {
    what: "AAAA", name: "v6.example.com", type: TYPE.AAAA,
    message: { id: ID, flags: REPLY, questions: [{ name: "v6.example.com", type: TYPE.AAAA }], answers: [
      { name: "v6.example.com", type: TYPE.AAAA, ttl: 86400, data: "2001:db8:85a3::8a2e:370:7334" },
    ] },
  },
  {
    what: "a CNAME chain and an SOA", name: "a.example.com", type: TYPE.A,
    message: { id: ID, flags: REPLY, questions: [{ name: "a.example.com", type: TYPE.A }], answers: [
      { name: "a.example.com", type: TYPE.CNAME, ttl: 50, data: "b.example.net" },
      { name: "b.example.net", type: TYPE.CNAME, ttl: 40, data: "c.example.com" },
      { name: "c.example.com", type: TYPE.A, ttl: 30, data: "198.51.100.3" },
    ], authorities: [soa] },
  },
  {
    what: "NXDOMAIN", name: "gone.example.com", type: TYPE.A,
    message: { id: ID, flags: REPLY | 3, questions: [{ name: "gone.example.com", type: TYPE.A }], authorities: [soa] },
  },
  {
    what: "no data", name: "example.com", type: TYPE.AAAA,
    message: { id: ID, flags: REPLY, questions: [{ name: "example.com", type: TYPE.AAAA }], authorities: [soa] },
  },
  {
    what: "an uncompressed chain with an additional section", name: "x.test", type: TYPE.A, compress: false,
    message: { id: ID, flags: REPLY, questions: [{ name: "x.test", type: TYPE.A }], answers: [
      { name: "x.test", type: TYPE.CNAME, ttl: 10, data: "y.test" },
      { name: "y.test", type: TYPE.A, ttl: 20, data: "203.0.113.9" },
    ], additionals: [{ name: "y.test", type: TYPE.AAAA, ttl: 5, data: "::1" }] },
  },
];

/** The kernel's reading, in the reference's terms (negative TTL where it means something). */
function kernelReading(message: Uint8Array, name: string, type: number) {
  const r = dns.read(message, ID, name, type);
  const negative = r.result >= 0 || r.result === -DNS_ERROR.NO_SUCH_NAME;
  return { result: r.result, addresses: r.addresses, ttls: r.ttls, ttl: r.ttl, negativeTtl: negative ? r.negativeTtl : -1, aliases: negative ? r.aliases : 0 };
}

function referenceReading(message: Uint8Array, name: string, type: number) {
  const e = expectedReading(message, ID, name, type);
  return { ...e, addresses: e.addresses.map(addressText) };
}

describe("DNS replies: corrupted and truncated", () => {
  for (const sample of SAMPLES) {
    it(`reads every corruption and truncation of ${sample.what} as the reference does`, () => {
      const original = encode(sample.message, sample.compress ?? true);
      expect(kernelReading(original, sample.name, sample.type)).toEqual(referenceReading(original, sample.name, sample.type));
      expect(referenceReading(original, sample.name, sample.type).result).not.toBeLessThan(-DNS_ERROR.NO_SUCH_NAME);
      const seen = new Set<number>();
      for (let i = 0; i < original.length; i++) {
        for (const value of [original[i] ^ 0xff, 0x00, 0xc0, 0x3f]) {
          const corrupted = original.slice();
          corrupted[i] = value;
          const got = kernelReading(corrupted, sample.name, sample.type);
          const want = referenceReading(corrupted, sample.name, sample.type);
          if (JSON.stringify(got) !== JSON.stringify(want)) expect({ byte: i, value, got }).toEqual({ byte: i, value, got: want });
          seen.add(got.result);
        }
      }
      for (let length = 0; length < original.length; length++) {
        const cut = original.slice(0, length);
        expect({ length, got: kernelReading(cut, sample.name, sample.type) }).toEqual({ length, got: referenceReading(cut, sample.name, sample.type) });
        // The additional section is not read: a reply cut inside it still answers.
        if (!sample.message.additionals) expect(kernelReading(cut, sample.name, sample.type).result).toBeLessThan(0);
      }
      expect(seen.size).toBeGreaterThan(5); // the corruptions reach many checks, not one
    });
  }
});

/** A reply to www.example.com A: header, question, then `answer` bytes as the one answer. */
function handMade(answer: number[], counts = { an: 1, ns: 0 }): Uint8Array {
  const question = [3, ...Buffer.from("www"), 7, ...Buffer.from("example"), 3, ...Buffer.from("com"), 0, 0, 1, 0, 1];
  return Uint8Array.from([ID >> 8, ID & 0xff, 0x81, 0x80, 0, 1, 0, counts.an, 0, counts.ns, 0, 0, ...question, ...answer]);
}

const A_FIELDS = [0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1];
const readHandMade = (message: Uint8Array) => dns.read(message, ID, "www.example.com", TYPE.A).result;

describe("DNS replies: hand-made faults", () => {
  it("reads the hand-made reply itself, its owner a pointer to the question", () => {
    expect(dns.read(handMade([0xc0, 12, ...A_FIELDS]), ID, "www.example.com", TYPE.A).addresses).toEqual(["192.0.2.1"]);
  });

  it("refuses compression loops and pointers forward", () => {
    // The answer starts at 33. A pointer to itself:
    expect(readHandMade(handMade([0xc0, 33, ...A_FIELDS]))).toBe(-DNS_ERROR.POINTER_FORWARD);
    // Two pointers to each other: 33 -> 35, 35 -> 33.
    expect(readHandMade(handMade([0xc0, 35, 0xc0, 33, ...A_FIELDS]))).toBe(-DNS_ERROR.POINTER_FORWARD);
    // A label and a pointer back to it: "a" "a" "a" ... (only backward pointers, so the hop bound stops it).
    expect(readHandMade(handMade([1, 0x61, 0xc0, 33, ...A_FIELDS]))).toBe(-DNS_ERROR.POINTER_LOOP);
    // A pointer into the rest of the message, past itself.
    expect(readHandMade(handMade([0xc0, 40, ...A_FIELDS]))).toBe(-DNS_ERROR.POINTER_FORWARD);
    // A chain of backward pointers that ends well is fine: the second answer's owner at 49 -> 33 -> 12.
    const twoHops = handMade([0xc0, 12, ...A_FIELDS, 0xc0, 33, ...A_FIELDS.slice(0, 10), 192, 0, 2, 2], { an: 2, ns: 0 });
    expect(dns.read(twoHops, ID, "www.example.com", TYPE.A).addresses).toEqual(["192.0.2.1", "192.0.2.2"]);
  });

  it("refuses reserved label types 0x40 and 0x80", () => {
    expect(readHandMade(handMade([0x41, 0x61, 0, ...A_FIELDS]))).toBe(-DNS_ERROR.LABEL_TYPE);
    expect(readHandMade(handMade([0x80, 0x61, 0, ...A_FIELDS]))).toBe(-DNS_ERROR.LABEL_TYPE);
  });

  it("refuses labels, pointers, fields and RDATA running off the end", () => {
    expect(readHandMade(handMade([5, 0x61, 0x62]))).toBe(-DNS_ERROR.NAME_RUNS_OFF);
    expect(readHandMade(handMade([1, 0x61]))).toBe(-DNS_ERROR.NAME_RUNS_OFF); // no root byte
    expect(readHandMade(handMade([0xc0]))).toBe(-DNS_ERROR.NAME_RUNS_OFF);
    expect(readHandMade(handMade([0xc0, 12, 0, 1, 0, 1, 0, 0, 0]))).toBe(-DNS_ERROR.RECORD_RUNS_OFF);
    expect(readHandMade(handMade([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 5, 1, 2, 3, 4]))).toBe(-DNS_ERROR.RDATA_RUNS_OFF);
    expect(readHandMade(handMade([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0xff, 0xff, 1, 2, 3, 4]))).toBe(-DNS_ERROR.RDATA_RUNS_OFF);
    expect(readHandMade(handMade([0xc0, 12, ...A_FIELDS], { an: 2, ns: 0 }))).toBe(-DNS_ERROR.NAME_RUNS_OFF); // a second answer missing
    expect(readHandMade(handMade([0xc0, 12, ...A_FIELDS], { an: 1, ns: 1 }))).toBe(-DNS_ERROR.NAME_RUNS_OFF); // an authority record missing
    expect(readHandMade(new Uint8Array(11))).toBe(-DNS_ERROR.REPLY_TOO_SHORT);
    expect(readHandMade(handMade([]).slice(0, 31))).toBe(-DNS_ERROR.QUESTION_RUNS_OFF);
    expect(readHandMade(handMade([]).slice(0, 28))).toBe(-DNS_ERROR.NAME_RUNS_OFF);
  });

  it("refuses a CNAME whose name does not end at its RDLENGTH, and an SOA of the wrong length", () => {
    // CNAME www.example.com -> pointer to 16 ("example.com"), RDLENGTH 3 for a 2-byte name.
    expect(readHandMade(handMade([0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 3, 0xc0, 16, 0]))).toBe(-DNS_ERROR.RDATA_LENGTH);
    expect(readHandMade(handMade([0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xc0, 16]))).toBe(0); // well-formed: no A at the end
    // SOA with names 0xc010 0xc010 and 19 bytes of numbers.
    expect(readHandMade(handMade([0xc0, 16, 0, 6, 0, 1, 0, 0, 0, 60, 0, 23, 0xc0, 16, 0xc0, 16, ...new Array(19).fill(0)], { an: 0, ns: 1 })))
      .toBe(-DNS_ERROR.RDATA_LENGTH);
  });

  it("refuses a name longer than 255 bytes, and reads one of exactly 255", () => {
    const label = (n: number) => [n, ...new Array(n).fill(0x61)];
    const long = [...label(63), ...label(63), ...label(63), ...label(63), 0]; // 257 bytes
    expect(readHandMade(handMade([...long, ...A_FIELDS]))).toBe(-DNS_ERROR.REPLY_NAME_TOO_LONG);
    const longest = [...label(63), ...label(63), ...label(63), ...label(61), 0]; // 255 bytes
    expect(readHandMade(handMade([...longest, ...A_FIELDS]))).toBe(0); // another owner: no addresses for us
  });
});
