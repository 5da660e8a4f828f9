// What inflate.ts and deflate.ts share: RFC 1951's length and distance
// codes (base value and extra bits of each) and zlib's Adler-32 (RFC 1950).
// Constants only, so either side can be built without the other.

export const LENGTH_BASE: StaticArray<u16> = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
export const LENGTH_EXTRA: StaticArray<u8> = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
export const DISTANCE_BASE: StaticArray<u16> = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
export const DISTANCE_EXTRA: StaticArray<u8> = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

/** zlib's Adler-32 of `data[0, length)`. */
export function adler32(data: Uint8Array, length: i32): u32 {
  let a: u32 = 1;
  let b: u32 = 0;
  for (let i = 0; i < length; i++) {
    a = (a + <u32>data[i]) % 65521;
    b = (b + a) % 65521;
  }
  return (b << 16) | a;
}
