// Guards kernel/net/dns-message.ts's queries: the bytes of A and AAAA
// queries exactly as RFC 1035 4.1 lays them out (hand-computed here), the
// TCP length prefix, names refused for each rule (empty label, label over 63,
// name over 253, bad character) and buffers too small, never written past.

import { beforeEach, describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { SCRATCH } from "../core/client";
import { DnsHarness, DNS_ERROR } from "./client";

const harness = await Harness.create();
const dns = new DnsHarness(harness);
beforeEach(() => harness.resetArena());

const hex = (bytes: Uint8Array | number) => (typeof bytes === "number" ? bytes : Buffer.from(bytes).toString("hex"));
const ascii = (text: string) => Buffer.from(text, "ascii").toString("hex");

describe("DNS queries", () => {
  it("writes an A query byte for byte", () => {
    // id 0x1234 | flags RD | 1 question | 0 answers, authority, additional
    // | 07 "example" 03 "com" 00 | type 1 | class 1
    expect(hex(dns.query(0x1234, "example.com", "A"))).toBe(
      "1234" + "0100" + "0001" + "0000" + "0000" + "0000" + "07" + ascii("example") + "03" + ascii("com") + "00" + "0001" + "0001",
    );
  });

  it("writes an AAAA query, keeping case, '-' and '_', and a trailing dot changes nothing", () => {
    const expected = "ffff" + "0100" + "0001" + "000000000000" + "04" + ascii("_Sip") + "05" + ascii("a-B_9") + "00" + "001c" + "0001";
    expect(hex(dns.query(0xffff, "_Sip.a-B_9", "AAAA"))).toBe(expected);
    expect(hex(dns.query(0xffff, "_Sip.a-B_9.", "AAAA"))).toBe(expected);
  });

  it("writes a one-label name and the longest name and label allowed", () => {
    expect(hex(dns.query(0, "localhost", "A"))).toBe("0000010000010000000000000" + "9" + ascii("localhost") + "00" + "00010001");
    const label = "a".repeat(63);
    const longest = [label, label, label, "b".repeat(61)].join("."); // 63 * 3 + 61 + 3 dots = 253
    expect(longest.length).toBe(253);
    const query = dns.query(7, longest, "A") as Uint8Array;
    expect(query.length).toBe(12 + 255 + 4);
    expect(hex(query.slice(12, 12 + 64))).toBe("3f" + ascii(label));
    expect(hex(query.slice(12 + 192, 12 + 255))).toBe("3d" + ascii("b".repeat(61)) + "00");
    expect((dns.query(7, longest + ".", "A") as Uint8Array).length).toBe(271); // DNS_QUERY_MAX_BYTES
    expect(dns.query(7, longest + ".", "A", 271)).toBeInstanceOf(Uint8Array);
  });

  it("refuses names by each rule, with the rule's code", () => {
    const { NAME_EMPTY_LABEL, NAME_LABEL_TOO_LONG, NAME_TOO_LONG, NAME_BAD_CHARACTER } = DNS_ERROR;
    const cases: [string, number][] = [
      ["", NAME_EMPTY_LABEL],
      [".", NAME_EMPTY_LABEL],
      [".example.com", NAME_EMPTY_LABEL],
      ["example..com", NAME_EMPTY_LABEL],
      ["example.com..", NAME_EMPTY_LABEL],
      ["a".repeat(64) + ".com", NAME_LABEL_TOO_LONG],
      ["com." + "a".repeat(64), NAME_LABEL_TOO_LONG],
      [["a".repeat(63), "a".repeat(63), "a".repeat(63), "a".repeat(62)].join("."), NAME_TOO_LONG],
      ["exa mple.com", NAME_BAD_CHARACTER],
      ["exam*ple.com", NAME_BAD_CHARACTER],
      ["münchen.de", NAME_BAD_CHARACTER],
      ["a/b", NAME_BAD_CHARACTER],
      ["a:b", NAME_BAD_CHARACTER],
    ];
    for (const [name, code] of cases) expect([name, dns.query(1, name, "A")]).toEqual([name, -code]);
  });

  it("refuses other types and buffers too small, writing nothing past the buffer", () => {
    expect(dns.query(1, "example.com", 5)).toBe(-DNS_ERROR.BAD_TYPE);
    expect(dns.query(1, "example.com", 0)).toBe(-DNS_ERROR.BAD_TYPE);
    // 12 + 13 + 4 = 29 bytes
    expect(dns.query(1, "example.com", "A", 28)).toBe(-DNS_ERROR.BUFFER_TOO_SMALL);
    expect((dns.query(1, "example.com", "A", 29) as Uint8Array).length).toBe(29);
    expect(dns.query(1, "example.com", "A", 0)).toBe(-DNS_ERROR.BUFFER_TOO_SMALL);
    expect(dns.query(1, "example.com", "A", 30, true)).toBe(-DNS_ERROR.BUFFER_TOO_SMALL);
    expect(dns.query(1, "example.com", "A", 1, true)).toBe(-DNS_ERROR.BUFFER_TOO_SMALL);
  });

  it("prefixes a TCP query with its length, and reads a prefix back", () => {
    const udp = dns.query(0xbeef, "example.com", "AAAA") as Uint8Array;
    const tcp = dns.query(0xbeef, "example.com", "AAAA", 31, true) as Uint8Array;
    expect(hex(tcp)).toBe("001d" + hex(udp));
    harness.write(SCRATCH, new Uint8Array([0x01, 0x02]));
    expect(dns.exports.dnsTcpLength(SCRATCH)).toBe(0x0102);
    harness.write(SCRATCH, new Uint8Array([0xff, 0xfe]));
    expect(dns.exports.dnsTcpLength(SCRATCH)).toBe(0xfffe);
  });
});
