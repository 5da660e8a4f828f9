// Numbered slots: a sparse array of `T | null` whose numbers are handed out
// lowest first, as POSIX hands out descriptors. The VFS's descriptor table
// (fs/vfs/descriptors.ts) and the WASI layer's (loader/wasi/fds.ts) are both
// such arrays. The array stays its owner's (made on first use, so nothing
// allocates at start-up) and keeps its length when slots empty, as Linux's
// descriptor table does: a program that opens and closes one file at a time
// would otherwise grow and shrink it at each. trimSlots frees it once its
// owner has emptied it for good.

/** The lowest free slot at or above `from`, or -1 when every slot below `limit` is taken. */
export function lowestFreeSlot<T>(list: Array<T>, from: i32, limit: i32): i32 {
  for (let i = from; i < list.length; i++) if (unchecked(list[i]) === null) return i;
  return list.length < limit ? max(list.length, from) : -1;
}

/** Puts `value` in slot `index`, growing the array with empty slots as needed. */
export function putInSlot<T>(list: Array<T>, index: i32, value: T): void {
  while (list.length <= index) list.push(changetype<T>(0));
  unchecked((list[index] = value));
}

/** The slots in use. */
export function slotsInUse<T>(list: Array<T> | null): i32 {
  if (list === null) return 0;
  const slots = list!;
  let count = 0;
  for (let i = 0; i < slots.length; i++) if (unchecked(slots[i]) !== null) count++;
  return count;
}

/** Drops trailing empty slots; frees the array and returns null when no slot is left in use. */
export function trimSlots<T>(list: Array<T>): Array<T> | null {
  let length = list.length;
  while (length > 0 && unchecked(list[length - 1]) === null) length--;
  if (length == 0) {
    heap.free(list.dataStart);
    heap.free(changetype<usize>(list));
    return null;
  }
  if (length != list.length) list.length = length;
  return list;
}
