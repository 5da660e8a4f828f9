// Guards kernel/net/dns-cache.ts: answers kept until exactly their TTL
// (on a clock the test sets), TTLs clamped to the documented bounds,
// negative entries (NXDOMAIN and no data), names compared ignoring case and
// a trailing dot, A and AAAA kept apart, at most 8 addresses, a full cache
// replacing the least recently used entry (an expired one first), and bad
// names and types refused.

import { beforeEach, describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { SCRATCH } from "../core/client";
import { CACHE, DNS_ERROR, SECOND, TYPE, addressText } from "./client";

const harness = await Harness.create();
const e = harness.exports;
beforeEach(() => harness.resetArena());

const IN = SCRATCH; // addresses to store
const OUT = SCRATCH + 0x1000; // addresses looked up
const T0 = 1_000n * SECOND;

function v4(...addresses: string[]): number {
  addresses.forEach((text, i) => harness.write(IN + 4 * i, Uint8Array.from(text.split(".").map(Number))));
  return addresses.length;
}

/** A cache of `entries` with helpers that speak in text. */
function cache(entries: number = CACHE.ENTRIES) {
  const handle = e.dnsCacheNew(entries);
  return {
    handle,
    storeA(name: string, addresses: string[], ttl: number, now: bigint): number {
      return e.dnsCacheStoreAddresses(handle, harness.newString(name), TYPE.A, IN, v4(...addresses), ttl, now);
    },
    storeNegative(name: string, type: number, noSuchName: boolean, ttl: number, now: bigint): number {
      return e.dnsCacheStoreNegative(handle, harness.newString(name), type, noSuchName ? 1 : 0, ttl, now);
    },
    /** The addresses as text, or the negative code. */
    lookup(name: string, now: bigint, type: number = TYPE.A, room = 8): string[] | number {
      const result = e.dnsCacheLookup(handle, harness.newString(name), type, now, OUT, room);
      if (result < 0) return result;
      const size = type === TYPE.A ? 4 : 16;
      return Array.from({ length: result }, (_, i) => addressText(harness.bytes().slice(OUT + size * i, OUT + size * (i + 1))));
    },
    live: (now: bigint) => e.dnsCacheLive(handle, now),
  };
}

const MISS = -DNS_ERROR.CACHE_MISS;

describe("DNS cache", () => {
  it("answers until exactly the TTL after the store, then misses and frees the entry", () => {
    const c = cache();
    expect(c.lookup("example.com", T0)).toBe(MISS);
    expect(c.storeA("example.com", ["192.0.2.1", "192.0.2.2"], 60, T0)).toBe(0);
    expect(c.lookup("example.com", T0)).toEqual(["192.0.2.1", "192.0.2.2"]);
    expect(c.lookup("example.com", T0 + 60n * SECOND - 1n)).toEqual(["192.0.2.1", "192.0.2.2"]);
    expect(c.live(T0 + 60n * SECOND - 1n)).toBe(1);
    expect(c.live(T0 + 60n * SECOND)).toBe(0);
    expect(c.lookup("example.com", T0 + 60n * SECOND)).toBe(MISS);
    expect(c.lookup("example.com", T0)).toBe(MISS); // the expired entry was dropped
  });

  it("clamps TTLs: positive to [5 s, 1 h], negative to [5 s, 5 min]", () => {
    const c = cache();
    const bounds: [string, () => number, number][] = [
      ["zero.example", () => c.storeA("zero.example", ["192.0.2.1"], 0, T0), CACHE.MIN_SECONDS],
      ["four.example", () => c.storeA("four.example", ["192.0.2.1"], 4, T0), CACHE.MIN_SECONDS],
      ["day.example", () => c.storeA("day.example", ["192.0.2.1"], 86400, T0), CACHE.MAX_SECONDS],
      ["max.example", () => c.storeA("max.example", ["192.0.2.1"], 0xffff_ffff, T0), CACHE.MAX_SECONDS],
      ["neg-zero.example", () => c.storeNegative("neg-zero.example", TYPE.A, true, 0, T0), CACHE.MIN_SECONDS],
      ["neg-hour.example", () => c.storeNegative("neg-hour.example", TYPE.A, false, 3600, T0), CACHE.NEGATIVE_MAX_SECONDS],
      ["neg-mid.example", () => c.storeNegative("neg-mid.example", TYPE.A, true, 120, T0), 120],
    ];
    for (const [name, store, seconds] of bounds) {
      expect(store()).toBe(0);
      const end = T0 + BigInt(seconds) * SECOND;
      expect([name, c.lookup(name, end - 1n)]).not.toEqual([name, MISS]);
      expect([name, c.lookup(name, end)]).toEqual([name, MISS]);
    }
  });

  it("keeps negative answers: NXDOMAIN and no data, per type", () => {
    const c = cache();
    expect(c.storeNegative("gone.example", TYPE.A, true, 60, T0)).toBe(0);
    expect(c.storeNegative("v4only.example", TYPE.AAAA, false, 60, T0)).toBe(0);
    expect(c.lookup("gone.example", T0)).toBe(-DNS_ERROR.NO_SUCH_NAME);
    expect(c.lookup("gone.example", T0, TYPE.AAAA)).toBe(MISS);
    expect(c.lookup("v4only.example", T0, TYPE.AAAA)).toEqual([]);
    expect(c.lookup("v4only.example", T0)).toBe(MISS);
    // A later answer replaces the negative one in the same entry.
    expect(c.storeA("gone.example", ["192.0.2.7"], 60, T0 + SECOND)).toBe(0);
    expect(c.lookup("gone.example", T0 + SECOND)).toEqual(["192.0.2.7"]);
    expect(c.live(T0 + SECOND)).toBe(2);
  });

  it("compares names ignoring case and a trailing dot, keeps A and AAAA apart", () => {
    const c = cache();
    expect(c.storeA("WWW.Example.COM", ["192.0.2.1"], 60, T0)).toBe(0);
    expect(c.lookup("www.example.com.", T0)).toEqual(["192.0.2.1"]);
    expect(c.lookup("wWw.eXample.cOm", T0)).toEqual(["192.0.2.1"]);
    expect(c.lookup("www.example.co", T0)).toBe(MISS);
    expect(c.lookup("www.example.com", T0, TYPE.AAAA)).toBe(MISS);
    const v6 = Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 0x20 : i === 15 ? 1 : 0));
    harness.write(IN, v6);
    expect(e.dnsCacheStoreAddresses(c.handle, harness.newString("www.example.com"), TYPE.AAAA, IN, 1, 60, T0)).toBe(0);
    expect(c.lookup("WWW.example.com", T0, TYPE.AAAA)).toEqual(["2000:0000:0000:0000:0000:0000:0000:0001"]);
    expect(c.lookup("www.example.com", T0)).toEqual(["192.0.2.1"]);
  });

  it("keeps at most 8 addresses and copies no more than the room given", () => {
    const c = cache();
    const ten = Array.from({ length: 10 }, (_, i) => `10.0.0.${i}`);
    expect(c.storeA("many.example", ten, 60, T0)).toBe(0);
    expect(c.lookup("many.example", T0)).toEqual(ten.slice(0, 8));
    harness.bytes().fill(0xee, OUT, OUT + 64);
    expect(c.lookup("many.example", T0, TYPE.A, 3)).toEqual(ten.slice(0, 3));
    expect(harness.bytes()[OUT + 12]).toBe(0xee);
  });

  it("replaces the least recently used entry when full, an expired one first", () => {
    const c = cache(4);
    for (let i = 0; i < 4; i++) expect(c.storeA(`n${i}.example`, [`192.0.2.${i}`], 600, T0 + BigInt(i))).toBe(0);
    expect(c.lookup("n0.example", T0 + 10n)).toEqual(["192.0.2.0"]); // n1 is now the least recently used
    expect(c.storeA("n4.example", ["192.0.2.4"], 600, T0 + 11n)).toBe(0);
    expect(c.lookup("n1.example", T0 + 12n)).toBe(MISS);
    for (const i of [0, 2, 3, 4]) expect(c.lookup(`n${i}.example`, T0 + 13n)).toEqual([`192.0.2.${i}`]);
    // Storing again replaces in place.
    expect(c.storeA("n3.example", ["198.51.100.3"], 600, T0 + 14n)).toBe(0);
    expect(c.live(T0 + 14n)).toBe(4);
    // n2 expires soon; it is taken before n0, the least recently used.
    expect(c.storeA("n2.example", ["192.0.2.2"], 5, T0 + 15n)).toBe(0);
    const later = T0 + 15n + 5n * SECOND;
    expect(c.storeA("n5.example", ["192.0.2.5"], 600, later)).toBe(0);
    expect(c.lookup("n2.example", later)).toBe(MISS);
    for (const i of [0, 3, 4, 5]) expect(c.lookup(`n${i}.example`, later)).not.toBe(MISS);
  });

  it("refuses bad names and types", () => {
    const c = cache();
    expect(c.storeA("bad..name", ["192.0.2.1"], 60, T0)).toBe(-DNS_ERROR.NAME_EMPTY_LABEL);
    expect(c.lookup("bad name", T0)).toBe(-DNS_ERROR.NAME_BAD_CHARACTER);
    expect(c.lookup("example.com", T0, TYPE.CNAME)).toBe(-DNS_ERROR.BAD_TYPE);
    expect(c.storeNegative("example.com", TYPE.SOA, true, 60, T0)).toBe(-DNS_ERROR.BAD_TYPE);
    expect(c.live(T0)).toBe(0);
  });
});
