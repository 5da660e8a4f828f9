// The boot arena: one bump-pointer range that backs the kernel runtime.
//
//   start                      top                          end
//   |--- blocks in use -------->|--------- free ------------|
//
// take() moves `top` up; release() of the block that ends at `top` moves it
// back down, any other release is only counted (its memory is "stranded").
// The state is plain globals, not an object: the runtime cannot allocate its
// own bookkeeping.

export namespace arena {
  export let start: usize = 0;
  export let top: usize = 0;
  export let end: usize = 0;
  /** Bytes handed out and not given back. */
  export let inUse: usize = 0;
  /** Bytes freed that could not be reused because they were not at the top. */
  export let stranded: usize = 0;
  /** The most bytes between start and top at any time. */
  export let highWater: usize = 0;

  /** Starts the arena at exactly `from` (the runtime chooses the alignment). */
  export function init(from: usize, to: usize): void {
    start = top = from;
    end = to;
    inUse = stranded = highWater = 0;
  }

  /** Returns the address of `size` fresh bytes, or 0 if the arena is full or not set up. */
  export function take(size: usize): usize {
    const at = top;
    if (at == 0 || end - at < size) return 0;
    top = at + size;
    inUse += size;
    if (top - start > highWater) highWater = top - start;
    return at;
  }

  export function contains(address: usize): bool {
    return address >= start && address < end;
  }

  export function isLast(blockEnd: usize): bool {
    return blockEnd == top;
  }

  /** Grows the block that ends at `top` by `more` bytes, if the range allows it. */
  export function extend(more: usize): bool {
    if (end - top < more) return false;
    top += more;
    inUse += more;
    if (top - start > highWater) highWater = top - start;
    return true;
  }

  /** Gives back the tail of a block that shrank from `size` to `keep` bytes. */
  export function shrink(at: usize, size: usize, keep: usize): void {
    const tail = size - keep;
    inUse -= tail;
    if (at + size == top) top = at + keep;
    else stranded += tail;
  }

  export function release(at: usize, size: usize): void {
    inUse -= size;
    if (at + size == top) top = at;
    else stranded += size;
  }
}
