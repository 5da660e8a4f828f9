// Guards the DNS objects' memory once the kernel's allocator runs them:
// making, using and freeing a DnsReply and DnsCache (reading replies of
// each kind, storing past a full cache, expiring, looking up) gives back
// every slab object and large page they took.

import { describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { DnsHarness, TYPE, SECOND } from "./client";
import { encode, REPLY } from "./messages";

const harness = await Harness.withMemory(128);
const e = harness.exports;

describe("DNS: memory", () => {
  it("gives back everything a DnsReply and a DnsCache took", () => {
    const buffer = e.mmMalloc(4096) >>> 0;
    const dns = new DnsHarness(harness, buffer);
    const before = harness.memoryInUse();

    const answers = [{ name: "a.example", type: TYPE.CNAME, ttl: 9, data: "b.example" }, { name: "b.example", type: TYPE.A, ttl: 9, data: "192.0.2.1" }];
    const message = encode({ id: 1, flags: REPLY, questions: [{ name: "a.example", type: TYPE.A }], answers });
    for (let i = 0; i < 20; i++) {
      expect(dns.read(message, 1, "a.example", TYPE.A).addresses).toEqual(["192.0.2.1"]);
      expect(dns.read(message, 2, "a.example", TYPE.A).result).toBeLessThan(0);
      expect(dns.read(message.slice(0, 30), 1, "a.example", TYPE.A).result).toBeLessThan(0);
    }
    const cache = e.dnsCacheNew(32);
    const MISS = -3040;
    harness.write(buffer, new Uint8Array([192, 0, 2, 1]));
    for (let i = 0; i < 100; i++) {
      const now = BigInt(i) * SECOND;
      expect(e.dnsCacheStoreAddresses(cache, harness.newString(`n${i}.example`), TYPE.A, buffer, 1, 30, now)).toBe(0);
      expect(e.dnsCacheStoreNegative(cache, harness.newString(`n${i}.example`), TYPE.AAAA, 1, 30, now)).toBe(0);
      expect(e.dnsCacheLookup(cache, harness.newString(`n${i >> 1}.example`), TYPE.A, now, buffer + 16, 8)).toBeOneOf([1, MISS]);
    }
    e.dnsCacheFree(cache);
    expect(harness.memoryInUse()).toEqual(before);
    e.mmFree(buffer);
  });
});
