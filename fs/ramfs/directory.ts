// A RAMFS directory: its entries by name (a hash table) and in the order
// they were made (a list), so lookups cost O(1) and listings resume from a
// cookie however the directory changes meanwhile.
//
//   names: open addressing, linear probing, power-of-two slots, at most 3/4
//          full; removal shifts later entries back (no tombstones).
//   order: entries by creation number, ascending; a removed entry stays as a
//          tombstone (node null, name freed) until tombstones are half the
//          list, then the list is compacted. A listing cookie is a creation
//          number: readdir resumes at the first live entry numbered at or
//          after it (binary search), so an entry present throughout is
//          listed once, whatever was added or removed meanwhile.
//
// Entry names are the directory's own copies. An empty directory holds no
// memory besides this object.

import { malloc, free, memoryLow } from "../../kernel/mm/index";
import { Vnode, DirEntry, ownedString, freeString, hashString } from "../vfs/module";

const SLOT: usize = sizeof<usize>();
const FIRST_SLOTS: u32 = 8;

export class DirectoryEntry {
  name: string = "";
  node: Vnode | null = null;
  hash: u32 = 0;
  order: u64 = 0;
}

// @ts-ignore: decorator
@inline function entryAt(table: usize, index: u32): DirectoryEntry | null {
  return changetype<DirectoryEntry | null>(load<usize>(table + <usize>index * SLOT));
}

// @ts-ignore: decorator
@inline function setEntryAt(table: usize, index: u32, entry: DirectoryEntry | null): void {
  store<usize>(table + <usize>index * SLOT, changetype<usize>(entry));
}

/** A zeroed table of `count` slots, or 0 when memory runs out. */
function zeroedSlots(count: u32): usize {
  const table = malloc(<usize>count * SLOT);
  if (table != 0) memory.fill(table, 0, <usize>count * SLOT);
  return table;
}

export class Directory {
  /** Live entries. */
  count: u32 = 0;
  private names: usize = 0;
  private nameSlots: u32 = 0;
  private list: usize = 0;
  private listLength: u32 = 0;
  private listCapacity: u32 = 0;
  private tombstones: u32 = 0;
  private nextOrder: u64 = 0;

  /** The entry called `name`, or null. */
  find(name: string): DirectoryEntry | null {
    if (this.count == 0) return null;
    const hash = hashString(name);
    const mask = this.nameSlots - 1;
    let index = hash & mask;
    while (true) {
      const entry = entryAt(this.names, index);
      if (entry === null) return null;
      if (entry.hash == hash && entry.name == name) return entry;
      index = (index + 1) & mask;
    }
    return null;
  }

  /**
   * Adds `name` (not present; copied) for `node`; false, changing nothing,
   * when memory is down to the kernel's reserve (the caller says ENOSPC).
   * The tables that must grow are made before anything changes.
   */
  add(name: string, node: Vnode): bool {
    if (memoryLow()) return false;
    const growNames = (this.count + 1) * 4 > this.nameSlots * 3;
    const nameSlots = growNames ? max(this.nameSlots << 1, FIRST_SLOTS) : 0;
    const names = growNames ? zeroedSlots(nameSlots) : 0;
    if (growNames && names == 0) return false;
    const growList = this.listLength == this.listCapacity;
    const listCapacity = growList ? max(this.listCapacity << 1, FIRST_SLOTS) : 0;
    const list = growList ? zeroedSlots(listCapacity) : 0;
    if (growList && list == 0) {
      if (names != 0) free(names);
      return false;
    }
    if (growNames) this.rehashInto(names, nameSlots);
    if (growList) this.moveList(list, listCapacity);
    const entry = new DirectoryEntry();
    entry.name = ownedString(name);
    entry.node = node;
    entry.hash = hashString(name);
    entry.order = this.nextOrder++;
    this.placeName(entry);
    setEntryAt(this.list, this.listLength++, entry);
    this.count++;
    return true;
  }

  /** Removes `entry` (one of this directory's). */
  remove(entry: DirectoryEntry): void {
    this.unplaceName(entry);
    freeString(entry.name);
    entry.name = "";
    entry.node = null;
    this.count--;
    this.tombstones++;
    if (this.count == 0) this.clear();
    else {
      if (this.tombstones * 2 >= this.listLength) this.compact();
      if (this.count * 8 < this.nameSlots && this.nameSlots > FIRST_SLOTS) this.rehash(this.nameSlots >> 1);
    }
  }

  /** Removes and returns some entry's node (for tearing a tree down), or null if empty. */
  takeAny(): Vnode | null {
    for (let i = this.listLength; i > 0; i--) {
      const entry = entryAt(this.list, i - 1)!;
      if (entry.node !== null) {
        const node = entry.node;
        this.remove(entry);
        return node;
      }
    }
    return null;
  }

  /** The first live entry made at or after `cookie` into `out` (a fresh name): 1, or 0 at the end. */
  readdir(cookie: u64, out: DirEntry): i32 {
    let low: u32 = 0;
    let high = this.listLength;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (entryAt(this.list, middle)!.order < cookie) low = middle + 1;
      else high = middle;
    }
    for (let i = low; i < this.listLength; i++) {
      const entry = entryAt(this.list, i)!;
      const node = entry.node;
      if (node === null) continue;
      out.name = ownedString(entry.name);
      out.inode = node.inode;
      out.type = node.type;
      out.next = entry.order + 1;
      return 1;
    }
    return 0;
  }

  /** Gives back all memory; only once the directory is empty. */
  clear(): void {
    for (let i: u32 = 0; i < this.listLength; i++) heap.free(changetype<usize>(entryAt(this.list, i)));
    free(this.list);
    free(this.names);
    this.list = 0;
    this.listLength = 0;
    this.listCapacity = 0;
    this.tombstones = 0;
    this.names = 0;
    this.nameSlots = 0;
  }

  private placeName(entry: DirectoryEntry): void {
    const mask = this.nameSlots - 1;
    let index = entry.hash & mask;
    while (entryAt(this.names, index) !== null) index = (index + 1) & mask;
    setEntryAt(this.names, index, entry);
  }

  /** Takes `entry` out of the name table, moving back later entries of its probe run. */
  private unplaceName(entry: DirectoryEntry): void {
    const mask = this.nameSlots - 1;
    let hole = entry.hash & mask;
    while (entryAt(this.names, hole) !== entry) hole = (hole + 1) & mask;
    setEntryAt(this.names, hole, null);
    let index = (hole + 1) & mask;
    while (true) {
      const next = entryAt(this.names, index);
      if (next === null) return;
      const home = next.hash & mask;
      // `next` may move to the hole if its home is not within (hole, index].
      const distanceToHome = (index - home) & mask;
      const distanceToHole = (index - hole) & mask;
      if (distanceToHome >= distanceToHole) {
        setEntryAt(this.names, hole, next);
        setEntryAt(this.names, index, null);
        hole = index;
      }
      index = (index + 1) & mask;
    }
  }

  /** Rehashes into a table of `slots` when shrinking (made here; kept as is if memory runs out). */
  private rehash(slots: u32): void {
    const table = zeroedSlots(slots);
    if (table != 0) this.rehashInto(table, slots);
  }

  /** Moves every name into `table` (zeroed, `slots` slots) and frees the old table. */
  private rehashInto(table: usize, slots: u32): void {
    const old = this.names;
    const oldSlots = this.nameSlots;
    this.names = table;
    this.nameSlots = slots;
    for (let i: u32 = 0; i < oldSlots; i++) {
      const entry = entryAt(old, i);
      if (entry !== null) this.placeName(entry);
    }
    free(old);
  }

  /** Moves the creation-ordered list into `list` (zeroed, `capacity` slots) and frees the old one. */
  private moveList(list: usize, capacity: u32): void {
    memory.copy(list, this.list, <usize>this.listLength * SLOT);
    free(this.list);
    this.list = list;
    this.listCapacity = capacity;
  }

  /** Frees the tombstones, keeping live entries in order (cookies stay valid: they are creation numbers). */
  private compact(): void {
    let kept: u32 = 0;
    for (let i: u32 = 0; i < this.listLength; i++) {
      const entry = entryAt(this.list, i)!;
      if (entry.node === null) heap.free(changetype<usize>(entry));
      else setEntryAt(this.list, kept++, entry);
    }
    this.listLength = kept;
    this.tombstones = 0;
    if (kept * 4 < this.listCapacity && this.listCapacity > FIRST_SLOTS) {
      const capacity = max(FIRST_SLOTS, this.listCapacity >> 1);
      const list = zeroedSlots(capacity);
      if (list != 0) this.moveList(list, capacity);   // shrinking is optional: keep the larger list without memory
    }
  }
}
