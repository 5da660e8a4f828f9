// A bounded cache of decompressed blocks, least recently used first out.
// Blocks are keyed by their first copy's address; the birth txg and first
// checksum word must match too, so a block freed and rewritten elsewhere
// in time is never mistaken for the old one. Entries are shared: callers
// must not change a block they got from the cache.

export const DEFAULT_CACHE_BYTES: i32 = 8 << 20;

class Entry {
  key: u64 = 0;
  birth: u64 = 0;
  check: u64 = 0;
  data: Uint8Array = new Uint8Array(0);
  newer: Entry | null = null;
  older: Entry | null = null;
}

export class BlockCache {
  private entries: Map<u64, Entry> = new Map<u64, Entry>();
  private newest: Entry | null = null;
  private oldest: Entry | null = null;
  private bytes: i32 = 0;

  constructor(public limit: i32) {}

  /** Bytes of blocks held now. */
  held(): i32 {
    return this.bytes;
  }

  static key(vdev: u32, offset: u64): u64 {
    return ((<u64>vdev & 0xffff) << 48) ^ (offset >> 9);
  }

  get(key: u64, birth: u64, check: u64): Uint8Array | null {
    if (!this.entries.has(key)) return null;
    const entry = this.entries.get(key);
    if (entry.birth != birth || entry.check != check) return null;
    this.unlink(entry);
    this.pushNewest(entry);
    return entry.data;
  }

  put(key: u64, birth: u64, check: u64, data: Uint8Array): void {
    if (data.length > this.limit) return;
    if (this.entries.has(key)) {
      const old = this.entries.get(key);
      this.unlink(old);
      this.bytes -= old.data.length;
      this.entries.delete(key);
    }
    while (this.bytes + data.length > this.limit && this.oldest !== null) {
      const victim = this.oldest!;
      this.unlink(victim);
      this.bytes -= victim.data.length;
      this.entries.delete(victim.key);
    }
    const entry = new Entry();
    entry.key = key;
    entry.birth = birth;
    entry.check = check;
    entry.data = data;
    this.entries.set(key, entry);
    this.pushNewest(entry);
    this.bytes += data.length;
  }

  clear(): void {
    this.entries.clear();
    this.newest = null;
    this.oldest = null;
    this.bytes = 0;
  }

  private unlink(entry: Entry): void {
    if (entry.newer !== null) entry.newer!.older = entry.older;
    else this.newest = entry.older;
    if (entry.older !== null) entry.older!.newer = entry.newer;
    else this.oldest = entry.newer;
    entry.newer = null;
    entry.older = null;
  }

  private pushNewest(entry: Entry): void {
    entry.older = this.newest;
    entry.newer = null;
    if (this.newest !== null) this.newest!.newer = entry;
    this.newest = entry;
    if (this.oldest === null) this.oldest = entry;
  }
}
