// Size classes of the slab allocator.
//
//   8, 16, ... 128          sixteen classes, 8 bytes apart
//   144, 160, ... 256       then eight classes per doubling:
//   288, ... 512            each 1/8 of the doubling's base apart,
//   ...                     up to
//   ... 7680, 8192          (64 classes in all)
//
// A request is rounded up to its class, so rounding wastes at most 1/9 of
// what is consumed above 128 bytes (e.g. 129 -> 144) and less than 8 bytes
// below. Objects carry no header: the slab they live in knows their size.

export const CLASS_COUNT: u32 = 64;
export const SMALL_CLASSES: u32 = 16;
/** The largest size served by slabs; larger requests get whole pages. */
export const MAX_CLASS_SIZE: usize = 8192;

/** The class index (0..63) for a request of `size` bytes (1..MAX_CLASS_SIZE). */
export function classOf(size: usize): u32 {
  if (size <= 128) return size == 0 ? 0 : <u32>((size + 7) >> 3) - 1;
  const top = <u32>(31 - clz<u32>(<u32>size - 1)); // floor(log2(size - 1)), 7..12
  const step = top - 3;
  return SMALL_CLASSES + ((top - 7) << 3) + ((<u32>size - 1 - (1 << top)) >> step);
}

/** The object size of class `index`. */
export function classSize(index: u32): usize {
  if (index < SMALL_CLASSES) return (<usize>index + 1) << 3;
  const j = index - SMALL_CLASSES;
  const top = 7 + (j >> 3);
  return (<usize>1 << top) + ((<usize>(j & 7) + 1) << (top - 3));
}
