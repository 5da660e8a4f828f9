// A set of byte ranges [start, end) kept sorted, disjoint and merged: the
// free space of a metaslab, and what a transaction group allocated or freed
// in it. Small and simple: an array of pairs searched by bisection.

export class RangeSet {
  /** starts[i] < ends[i] <= starts[i + 1]: never touching (touching ranges are merged). */
  starts: Array<u64> = new Array<u64>();
  ends: Array<u64> = new Array<u64>();
  /** The sum of the ranges' lengths. */
  total: u64 = 0;

  get count(): i32 {
    return this.starts.length;
  }

  /** The index of the first range whose end is at or after `at`. */
  private firstEndingFrom(at: u64): i32 {
    let low = 0;
    let high = this.ends.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (unchecked(this.ends[middle]) < at) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Puts [start, end) at index `i`, moving the later ranges up. */
  private insert(i: i32, start: u64, end: u64): void {
    this.starts.push(0);
    this.ends.push(0);
    for (let k = this.starts.length - 1; k > i; k--) {
      unchecked(this.starts[k] = this.starts[k - 1]);
      unchecked(this.ends[k] = this.ends[k - 1]);
    }
    unchecked(this.starts[i] = start);
    unchecked(this.ends[i] = end);
  }

  /** Adds [start, end); false (and nothing changed) when any of it is already in the set. */
  add(start: u64, end: u64): bool {
    if (start >= end) return true;
    const i = this.firstEndingFrom(start);
    if (i < this.starts.length && unchecked(this.starts[i]) < end && unchecked(this.ends[i]) > start) return false;
    let newStart = start;
    let newEnd = end;
    // Merge with a range ending exactly at start and one starting exactly at end.
    if (i < this.ends.length && unchecked(this.ends[i]) == start) {
      newStart = unchecked(this.starts[i]);
      this.starts.splice(i, 1);
      this.ends.splice(i, 1);
    }
    if (i < this.starts.length && unchecked(this.starts[i]) == end) {
      newEnd = unchecked(this.ends[i]);
      this.starts.splice(i, 1);
      this.ends.splice(i, 1);
    }
    this.insert(i, newStart, newEnd);
    this.total += end - start;
    return true;
  }

  /** Removes [start, end); false (and nothing changed) unless all of it is in the set. */
  remove(start: u64, end: u64): bool {
    if (start >= end) return true;
    const i = this.firstEndingFrom(start + 1);
    if (i >= this.starts.length || unchecked(this.starts[i]) > start || unchecked(this.ends[i]) < end) return false;
    const rangeStart = unchecked(this.starts[i]);
    const rangeEnd = unchecked(this.ends[i]);
    this.starts.splice(i, 1);
    this.ends.splice(i, 1);
    let at = i;
    if (rangeStart < start) this.insert(at++, rangeStart, start);
    if (end < rangeEnd) this.insert(at, end, rangeEnd);
    this.total -= end - start;
    return true;
  }

  /** Whether all of [start, end) is in the set. */
  holds(start: u64, end: u64): bool {
    const i = this.firstEndingFrom(start + 1);
    return i < this.starts.length && unchecked(this.starts[i]) <= start && unchecked(this.ends[i]) >= end;
  }

  /** Whether any of [start, end) is in the set. */
  touches(start: u64, end: u64): bool {
    const i = this.firstEndingFrom(start + 1);
    return i < this.starts.length && unchecked(this.starts[i]) < end;
  }

  /** The start of the first range at or after `from` with room for `size` bytes (first fit), or -1. */
  find(size: u64, from: u64): i64 {
    for (let i = this.firstEndingFrom(from + 1); i < this.starts.length; i++) {
      const start = max<u64>(unchecked(this.starts[i]), from);
      if (unchecked(this.ends[i]) - start >= size) return <i64>start;
    }
    return -1;
  }

  clear(): void {
    this.starts.length = 0;
    this.ends.length = 0;
    this.total = 0;
  }

  /** Moves every range of `other` into this set (they must not overlap); `other` is left empty. */
  absorb(other: RangeSet): void {
    for (let i = 0; i < other.starts.length; i++) this.add(unchecked(other.starts[i]), unchecked(other.ends[i]));
    other.clear();
  }
}
