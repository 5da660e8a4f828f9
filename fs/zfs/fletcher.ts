// Fletcher checksums as ZFS computes them (native byte order only: this
// reader refuses big-endian blocks before it checks them). fletcher2 sums
// pairs of 64-bit words, fletcher4 32-bit words into 64-bit sums; both
// answer four 64-bit words and wrap on overflow.

/** fletcher2 of `data[0, size)` (size a multiple of 16) into `out`. */
export function fletcher2(data: Uint8Array, size: i32, out: StaticArray<u64>): void {
  let a0: u64 = 0, a1: u64 = 0, b0: u64 = 0, b1: u64 = 0;
  const base = data.dataStart;
  const end = min(size, data.length) & ~15;
  for (let at = 0; at < end; at += 16) {
    a0 += load<u64>(base + <usize>at);
    a1 += load<u64>(base + <usize>at, 8);
    b0 += a0;
    b1 += a1;
  }
  unchecked(out[0] = a0); unchecked(out[1] = a1); unchecked(out[2] = b0); unchecked(out[3] = b1);
}

/** fletcher4 of `data[0, size)` (size a multiple of 4) into `out`. */
export function fletcher4(data: Uint8Array, size: i32, out: StaticArray<u64>): void {
  let a: u64 = 0, b: u64 = 0, c: u64 = 0, d: u64 = 0;
  const base = data.dataStart;
  const end = min(size, data.length) & ~3;
  // Four words per pass from two 64-bit loads (each file block is summed once per read).
  const whole = end & ~15;
  let at = 0;
  for (; at < whole; at += 16) {
    const x = load<u64>(base + <usize>at);
    const y = load<u64>(base + <usize>at, 8);
    a += x & 0xffffffff; b += a; c += b; d += c;
    a += x >> 32; b += a; c += b; d += c;
    a += y & 0xffffffff; b += a; c += b; d += c;
    a += y >> 32; b += a; c += b; d += c;
  }
  for (; at < end; at += 4) {
    a += <u64>load<u32>(base + <usize>at);
    b += a;
    c += b;
    d += c;
  }
  unchecked(out[0] = a); unchecked(out[1] = b); unchecked(out[2] = c); unchecked(out[3] = d);
}
