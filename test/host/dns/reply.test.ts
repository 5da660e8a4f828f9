// Guards kernel/net/dns-message.ts's reading of replies built here (with
// compression, as servers send them): A and AAAA answers, more answers than
// are kept, CNAME chains in and out of order, case differences, NXDOMAIN
// and no data with and without an SOA (RFC 2308 negative TTL), SERVFAIL and
// other RCODEs, TC, replies that are not ours (id, QR, opcode, question),
// CNAME chains too long or looping, RDLENGTH that does not fit its type,
// other classes ignored and TTLs with the top bit set. Every result is
// checked exactly; the encoder itself is checked against dns-packet.

import { beforeEach, describe, expect, it } from "vitest";
import dnsPacket from "dns-packet";
import { Harness } from "../harness-client";
import { DnsHarness, DNS_ERROR, TYPE } from "./client";
import { encode, Message, ResourceRecord, REPLY, FLAGS } from "./messages";

const harness = await Harness.create();
const dns = new DnsHarness(harness);
beforeEach(() => harness.resetArena());

const ID = 0x4d2a;
const soa = (name: string, ttl: number, minimum: number): ResourceRecord => ({
  name, type: TYPE.SOA, ttl,
  data: { mname: "ns1." + name, rname: "hostmaster." + name, serial: 2026120101, refresh: 7200, retry: 900, expire: 1209600, minimum },
});
const a = (name: string, data: string, ttl = 300): ResourceRecord => ({ name, type: TYPE.A, ttl, data });
const aaaa = (name: string, data: string, ttl = 300): ResourceRecord => ({ name, type: TYPE.AAAA, ttl, data });
const cname = (name: string, data: string, ttl = 300): ResourceRecord => ({ name, type: TYPE.CNAME, ttl, data });

function reply(name: string, type: number, answers: ResourceRecord[], more: Partial<Message> = {}): Uint8Array {
  return encode({ id: ID, flags: REPLY, questions: [{ name, type }], answers, ...more });
}

const read = (message: Uint8Array, name = "www.example.com", type: number = TYPE.A, id = ID) => dns.read(message, id, name, type);

describe("DNS replies: answers", () => {
  it("reads one A answer whose owner is a pointer to the question", () => {
    const message = reply("www.example.com", TYPE.A, [a("www.example.com", "93.184.215.14", 3600)]);
    expect(Array.from(message.slice(33, 35))).toEqual([0xc0, 0x0c]); // the answer's owner: a pointer to offset 12
    expect(read(message)).toEqual({
      result: 1, count: 1, addressBytes: 4, ttl: 3600, negativeTtl: -1, rcode: 0, aliases: 0,
      addresses: ["93.184.215.14"], ttls: [3600],
    });
    const handle = dns.exports.dnsReplyNew();
    expect(dns.exports.dnsRead(handle, dns.place(message), message.length, ID, harness.newString("www.example.com"), TYPE.A)).toBe(1);
    expect(dns.exports.dnsReplyIpv4(handle, 0) >>> 0).toBe(0x5db8d70e);
    dns.exports.dnsReplyFree(handle);
  });

  it("reads AAAA answers in the reply's order with their TTLs, the smallest as the reply's", () => {
    const message = reply("example.com", TYPE.AAAA, [aaaa("example.com", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", 120), aaaa("example.com", "2001:db8::1", 60)]);
    expect(read(message, "example.com", TYPE.AAAA)).toEqual({
      result: 2, count: 2, addressBytes: 16, ttl: 60, negativeTtl: -1, rcode: 0, aliases: 0,
      addresses: ["2606:2800:021f:cb07:6820:80da:af6b:8b2c", "2001:0db8:0000:0000:0000:0000:0000:0001"], ttls: [120, 60],
    });
  });

  it("keeps the first 8 of 12 answers, reading and checking the rest", () => {
    const answers = Array.from({ length: 12 }, (_, i) => a("many.example", `10.0.0.${i + 1}`, 1000 - i));
    const result = read(reply("many.example", TYPE.A, answers), "many.example");
    expect(result.result).toBe(8);
    expect(result.addresses).toEqual(Array.from({ length: 8 }, (_, i) => `10.0.0.${i + 1}`));
    expect(result.ttl).toBe(993);
    const broken = reply("many.example", TYPE.A, [...answers, { name: "many.example", type: TYPE.A, ttl: 1, data: new Uint8Array(5) }]);
    expect(read(broken, "many.example").result).toBe(-DNS_ERROR.RDATA_LENGTH);
  });

  it("follows a CNAME chain to the final name's addresses, the TTL the smallest along the way", () => {
    const chain = [
      cname("www.example.com", "www.example.com.cdn.example.net", 3600),
      cname("www.example.com.cdn.example.net", "edge-7.cdn.example.net", 45),
      a("edge-7.cdn.example.net", "203.0.113.7", 20),
      a("edge-7.cdn.example.net", "203.0.113.8", 90),
      a("www.example.com", "198.51.100.1", 5), // not at the end of the chain: ignored
    ];
    const expected = {
      result: 2, count: 2, addressBytes: 4, ttl: 20, negativeTtl: -1, rcode: 0, aliases: 2,
      addresses: ["203.0.113.7", "203.0.113.8"], ttls: [20, 90],
    };
    expect(read(reply("www.example.com", TYPE.A, chain))).toEqual(expected);
    expect(read(reply("www.example.com", TYPE.A, [...chain].reverse()))).toEqual({ ...expected, addresses: ["203.0.113.8", "203.0.113.7"], ttls: [90, 20] });
    expect(read(encode({ id: ID, flags: REPLY, questions: [{ name: "www.example.com", type: TYPE.A }], answers: chain }, false))).toEqual(expected);
  });

  it("compares names ignoring case, in the question and along the chain", () => {
    const message = reply("WWW.Example.COM", TYPE.A, [cname("www.EXAMPLE.com", "Alias.Example.Net"), a("aLIAS.example.NET", "192.0.2.1", 77)]);
    expect(read(message, "www.example.com.").addresses).toEqual(["192.0.2.1"]);
    expect(read(message, "Www.Example.Com").result).toBe(1);
  });

  it("follows 8 CNAMEs and refuses a ninth, and a loop", () => {
    const names = Array.from({ length: 10 }, (_, i) => `n${i}.example`);
    const chain = (length: number) => [...names.slice(0, length).map((name, i) => cname(name, names[i + 1], 100 + i)), a(names[length], "192.0.2.9")];
    expect(read(reply("n0.example", TYPE.A, chain(8)), "n0.example")).toMatchObject({ result: 1, aliases: 8, ttl: 100, addresses: ["192.0.2.9"] });
    expect(read(reply("n0.example", TYPE.A, chain(9)), "n0.example").result).toBe(-DNS_ERROR.CNAME_CHAIN);
    const loop = [cname("n0.example", "n1.example"), cname("n1.example", "n0.example"), a("n1.example", "192.0.2.1")];
    expect(read(reply("n0.example", TYPE.A, loop), "n0.example").result).toBe(-DNS_ERROR.CNAME_CHAIN);
  });

  it("ignores records of other classes and types, and counts a TTL with the top bit set as 0", () => {
    const answers: ResourceRecord[] = [
      { name: "x.example", type: TYPE.A, class: 3, ttl: 9, data: new Uint8Array([1, 2, 3, 4, 5]) }, // CHAOS: any length
      { name: "x.example", type: 16, ttl: 9, data: new Uint8Array([3, 0x61, 0x62, 0x63]) }, // TXT
      aaaa("x.example", "::1"),
      a("x.example", "192.0.2.55", 0x8000_0001),
    ];
    expect(read(reply("x.example", TYPE.A, answers), "x.example")).toMatchObject({ result: 1, addresses: ["192.0.2.55"], ttls: [0], ttl: 0 });
  });

  it("builds replies dns-packet reads back as the same message", () => {
    const message = reply("www.example.com", TYPE.A, [cname("www.example.com", "cdn.example.com"), a("cdn.example.com", "192.0.2.1")], {
      authorities: [soa("example.com", 60, 30)],
    });
    const decoded = dnsPacket.decode(Buffer.from(message));
    expect(decoded.id).toBe(ID);
    expect(decoded.questions).toEqual([{ name: "www.example.com", type: "A", class: "IN" }]);
    expect(decoded.answers!.map((r) => [r.name, r.type, (r as { data: unknown }).data])).toEqual([
      ["www.example.com", "CNAME", "cdn.example.com"],
      ["cdn.example.com", "A", "192.0.2.1"],
    ]);
    expect((decoded.authorities![0] as { data: { minimum: number } }).data.minimum).toBe(30);
  });
});

describe("DNS replies: negative answers and errors", () => {
  it("reads NXDOMAIN with the SOA's negative TTL, min(TTL, MINIMUM)", () => {
    const nx = (ttl: number, minimum: number) => reply("nope.example.com", TYPE.A, [], { flags: REPLY | 3, authorities: [soa("example.com", ttl, minimum)] });
    expect(read(nx(900, 300), "nope.example.com")).toEqual({
      result: -DNS_ERROR.NO_SUCH_NAME, count: 0, addressBytes: 0, ttl: 0, negativeTtl: 300, rcode: 3, aliases: 0, addresses: [], ttls: [],
    });
    expect(read(nx(60, 300), "nope.example.com").negativeTtl).toBe(60);
    const bare = reply("nope.example.com", TYPE.A, [], { flags: REPLY | 3 });
    expect(read(bare, "nope.example.com")).toMatchObject({ result: -DNS_ERROR.NO_SUCH_NAME, negativeTtl: -1 });
  });

  it("reads no data (NOERROR without addresses) with and without an SOA, also at the end of a CNAME", () => {
    expect(read(reply("v4only.example", TYPE.AAAA, [], { authorities: [soa("example", 3600, 600)] }), "v4only.example", TYPE.AAAA))
      .toMatchObject({ result: 0, count: 0, negativeTtl: 600, ttl: 0 });
    expect(read(reply("v4only.example", TYPE.AAAA, []), "v4only.example", TYPE.AAAA)).toMatchObject({ result: 0, negativeTtl: -1 });
    const aliased = reply("www.example", TYPE.AAAA, [cname("www.example", "v4only.example")], { authorities: [soa("example", 50, 600)] });
    expect(read(aliased, "www.example", TYPE.AAAA)).toMatchObject({ result: 0, aliases: 1, negativeTtl: 50 });
  });

  it("refuses SERVFAIL, other RCODEs (kept in rcode) and TC", () => {
    const answer = [a("www.example.com", "192.0.2.1")];
    expect(read(reply("www.example.com", TYPE.A, [], { flags: REPLY | 2 })).result).toBe(-DNS_ERROR.SERVER_FAILURE);
    for (const rcode of [1, 4, 5, 9, 15]) {
      expect(read(reply("www.example.com", TYPE.A, answer, { flags: REPLY | rcode }))).toMatchObject({ result: -DNS_ERROR.SERVER_ERROR, rcode });
    }
    expect(read(reply("www.example.com", TYPE.A, answer, { flags: REPLY | FLAGS.TC })).result).toBe(-DNS_ERROR.TRUNCATED);
    // TC on a reply cut inside its answers: truncated, not malformed.
    const cut = reply("www.example.com", TYPE.A, answer, { flags: REPLY | FLAGS.TC });
    expect(read(cut.slice(0, cut.length - 3)).result).toBe(-DNS_ERROR.TRUNCATED);
  });

  it("tells replies that are not ours apart: id, QR, opcode, question count, name, type, class", () => {
    const answer = [a("www.example.com", "192.0.2.1")];
    const ours = reply("www.example.com", TYPE.A, answer);
    expect(read(ours, "www.example.com", TYPE.A, ID + 1).result).toBe(-DNS_ERROR.WRONG_ID);
    expect(read(reply("www.example.com", TYPE.A, answer, { flags: FLAGS.RD })).result).toBe(-DNS_ERROR.NOT_A_REPLY);
    expect(read(reply("www.example.com", TYPE.A, answer, { flags: REPLY | (2 << 11) })).result).toBe(-DNS_ERROR.BAD_OPCODE);
    expect(read(encode({ id: ID, flags: REPLY, questions: [], answers: answer })).result).toBe(-DNS_ERROR.QUESTION_COUNT);
    const two = encode({ id: ID, flags: REPLY, questions: [{ name: "www.example.com", type: 1 }, { name: "www.example.com", type: 1 }], answers: answer });
    expect(read(two).result).toBe(-DNS_ERROR.QUESTION_COUNT);
    expect(read(reply("www.example.org", TYPE.A, answer)).result).toBe(-DNS_ERROR.WRONG_QUESTION);
    expect(read(reply("www.example.com.org", TYPE.A, answer)).result).toBe(-DNS_ERROR.WRONG_QUESTION);
    expect(read(reply("example.com", TYPE.A, answer)).result).toBe(-DNS_ERROR.WRONG_QUESTION);
    expect(read(reply("www.example.com", TYPE.AAAA, answer)).result).toBe(-DNS_ERROR.WRONG_QUESTION);
    const chaos = encode({ id: ID, flags: REPLY, questions: [{ name: "www.example.com", type: 1, class: 3 }], answers: answer });
    expect(read(chaos).result).toBe(-DNS_ERROR.WRONG_QUESTION);
    expect(read(ours, "www..example.com").result).toBe(-DNS_ERROR.NAME_EMPTY_LABEL);
    expect(read(ours, "www.example.com", 5).result).toBe(-DNS_ERROR.BAD_TYPE);
  });

  it("names every code", () => {
    for (const [name, code] of Object.entries(DNS_ERROR)) {
      expect(dns.errorName(code)).toBe(name);
      expect(dns.errorName(-code)).toBe(name);
    }
    expect(dns.errorName(22)).toBe("");
  });
});
