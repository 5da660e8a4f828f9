// The stub resolver's cache: name and type (A or AAAA) to up to
// DNS_MAX_ADDRESSES addresses, or to a negative answer (NXDOMAIN, or no data
// for that type) for as long as RFC 2308 allows.
//
//   new DnsCache(entries)                                           DNS_CACHE_ENTRIES by default; free() when done
//   cache.lookup(name, type, now, into, room)                       n > 0 addresses copied, 0 no data,
//                                                                   -DNS_NO_SUCH_NAME, -DNS_CACHE_MISS, or the name's -code
//   cache.storeAddresses(name, type, addresses, count, ttl, now)    0 or -code
//   cache.storeNegative(name, type, noSuchName, ttl, now)           0 or -code
//
// Time is the caller's `now` in nanoseconds. An entry stored at `now` with
// TTL t (seconds, clamped as below) answers lookups until now + t seconds,
// not at that instant. Positive TTLs (the smallest of the reply's, DnsReply.ttl)
// are clamped to [DNS_CACHE_MIN_SECONDS, DNS_CACHE_MAX_SECONDS], negative
// ones (DnsReply.negativeTtl; a reply without an SOA is not to be stored)
// to [DNS_CACHE_MIN_SECONDS, DNS_NEGATIVE_MAX_SECONDS]. Names compare
// ignoring ASCII case, with or without a trailing dot. Storing a name and
// type already held replaces that entry; otherwise a free or expired entry is
// taken, or else the one least recently stored or found. The cache takes no
// locks: its owner serializes calls.
//
// One block holds every entry:
//
//   entry: | expires u64 | lastUse u64 | type u32 | kind u32 | count u32 | pad u32 | name 256 | addresses 8 x 16 |
//   expires: nanoseconds, 0 for a free entry; lastUse: the cache's use counter

import { encodeName, namesEqual, nameBytes } from "./dns-name";
import {
  DNS_NAME_MAX_BYTES, DNS_MAX_ADDRESSES, DNS_BAD_TYPE, DNS_NO_SUCH_NAME, DNS_CACHE_MISS, addressBytesOf,
} from "./dns-codes";

/** Entries in a cache made without a size. */
export const DNS_CACHE_ENTRIES: u32 = 32;
/** The shortest time anything is kept: a TTL of 0 would send every lookup to the server. */
export const DNS_CACHE_MIN_SECONDS: u32 = 5;
/** The longest time addresses are kept, whatever their TTL (a unikernel's app may run for days). */
export const DNS_CACHE_MAX_SECONDS: u32 = 3600;
/** The longest time a negative answer is kept (RFC 2308 5 suggests one to three hours; names appear sooner). */
export const DNS_NEGATIVE_MAX_SECONDS: u32 = 300;

const SECOND: u64 = 1_000_000_000;
const KIND_ADDRESSES: u32 = 0;
const KIND_NO_DATA: u32 = 1;
const KIND_NO_SUCH_NAME: u32 = 2;
const NAME_ROOM: usize = <usize>DNS_NAME_MAX_BYTES + 1;

@unmanaged
class CacheEntry {
  expires: u64;
  lastUse: u64;
  type: u32;
  kind: u32;
  count: u32;
  pad: u32;

  // @ts-ignore: decorator
  @inline get name(): usize {
    return changetype<usize>(this) + offsetof<CacheEntry>();
  }

  // @ts-ignore: decorator
  @inline get addresses(): usize {
    return this.name + NAME_ROOM;
  }
}

const ENTRY_BYTES: usize = offsetof<CacheEntry>() + NAME_ROOM + <usize>DNS_MAX_ADDRESSES * 16;

export class DnsCache {
  private entries: usize;
  /** The key of the call in progress, wire form. */
  private key: usize;
  private uses: u64 = 0;

  constructor(public capacity: u32 = DNS_CACHE_ENTRIES) {
    this.entries = heap.alloc(<usize>capacity * ENTRY_BYTES);
    this.key = heap.alloc(NAME_ROOM);
    memory.fill(this.entries, 0, <usize>capacity * ENTRY_BYTES);
  }

  /** Frees the entries and the cache; it must not be used again. */
  free(): void {
    heap.free(this.entries);
    heap.free(this.key);
    heap.free(changetype<usize>(this));
  }

  /** Entries stored and not yet expired at `now`. */
  live(now: u64): u32 {
    let n: u32 = 0;
    for (let i: u32 = 0; i < this.capacity; i++) if (now < this.entry(i).expires) n++;
    return n;
  }

  /** Forgets everything. */
  clear(): void {
    for (let i: u32 = 0; i < this.capacity; i++) this.entry(i).expires = 0;
  }

  /**
   * What the cache holds for `name` and `type` at `now`: the number of
   * addresses copied to `into` (at most `room`, each addressBytesOf(type)
   * bytes, packed), 0 for a cached no-data answer, -DNS_NO_SUCH_NAME for a
   * cached NXDOMAIN, -DNS_CACHE_MISS, or the name's or type's -code.
   */
  lookup(name: string, type: u32, now: u64, into: usize, room: u32): i32 {
    const found = this.find(name, type);
    if (found < 0) return found;
    const entry = this.entry(<u32>found);
    if (now >= entry.expires) {
      entry.expires = 0;
      return -DNS_CACHE_MISS;
    }
    entry.lastUse = ++this.uses;
    if (entry.kind == KIND_NO_SUCH_NAME) return -DNS_NO_SUCH_NAME;
    const count = min<u32>(entry.count, room);
    memory.copy(into, entry.addresses, <usize>(count * addressBytesOf(type)));
    return <i32>count;
  }

  /** Keeps `count` addresses (1..DNS_MAX_ADDRESSES; more are dropped) from `addresses`, packed, for `ttl` seconds: 0 or -code. */
  storeAddresses(name: string, type: u32, addresses: usize, count: u32, ttl: u32, now: u64): i32 {
    const slot = this.slotFor(name, type, now);
    if (slot < 0) return slot;
    const entry = this.fill(<u32>slot, type, KIND_ADDRESSES, clamp(ttl, DNS_CACHE_MAX_SECONDS), now);
    entry.count = min<u32>(count, DNS_MAX_ADDRESSES);
    memory.copy(entry.addresses, addresses, <usize>(entry.count * addressBytesOf(type)));
    return 0;
  }

  /** Keeps a negative answer (NXDOMAIN when `noSuchName`, else no data) for `ttl` seconds: 0 or -code. */
  storeNegative(name: string, type: u32, noSuchName: bool, ttl: u32, now: u64): i32 {
    const slot = this.slotFor(name, type, now);
    if (slot < 0) return slot;
    const entry = this.fill(<u32>slot, type, noSuchName ? KIND_NO_SUCH_NAME : KIND_NO_DATA, clamp(ttl, DNS_NEGATIVE_MAX_SECONDS), now);
    entry.count = 0;
    return 0;
  }

  private entry(i: u32): CacheEntry {
    return changetype<CacheEntry>(this.entries + <usize>i * ENTRY_BYTES);
  }

  /** Encodes `name` into the key and finds its stored entry: its index, -DNS_CACHE_MISS, or the name's or type's -code. */
  private find(name: string, type: u32): i32 {
    if (addressBytesOf(type) == 0) return -DNS_BAD_TYPE;
    const encoded = encodeName(name, this.key);
    if (encoded < 0) return encoded;
    for (let i: u32 = 0; i < this.capacity; i++) {
      const entry = this.entry(i);
      if (entry.expires != 0 && entry.type == type && namesEqual(entry.name, this.key)) return <i32>i;
    }
    return -DNS_CACHE_MISS;
  }

  /** The entry to store `name` and `type` in: its own, a free or expired one, or the least recently used. */
  private slotFor(name: string, type: u32, now: u64): i32 {
    const found = this.find(name, type);
    if (found != -DNS_CACHE_MISS) return found;
    let chosen: u32 = 0;
    for (let i: u32 = 0; i < this.capacity; i++) {
      const entry = this.entry(i);
      if (entry.expires <= now) return <i32>i; // free (0) or expired
      if (entry.lastUse < this.entry(chosen).lastUse) chosen = i;
    }
    return <i32>chosen;
  }

  private fill(slot: u32, type: u32, kind: u32, seconds: u32, now: u64): CacheEntry {
    const entry = this.entry(slot);
    entry.expires = now + <u64>seconds * SECOND;
    entry.lastUse = ++this.uses;
    entry.type = type;
    entry.kind = kind;
    memory.copy(entry.name, this.key, <usize>nameBytes(this.key));
    return entry;
  }
}

function clamp(ttl: u32, most: u32): u32 {
  return max<u32>(DNS_CACHE_MIN_SECONDS, min<u32>(ttl, most));
}
