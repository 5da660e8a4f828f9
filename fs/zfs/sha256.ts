// SHA-256 (FIPS 180-4), as ZFS uses it: the checksum of labels, uberblocks
// and gang headers, and of blocks written with checksum=sha256. ZFS keeps
// the digest as four 64-bit words, each the big-endian reading of 8 digest
// bytes; `sha256Words` answers in that form.

const K: StaticArray<u32> = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

const state = new StaticArray<u32>(8);
const w = new StaticArray<u32>(64);
const tail = new Uint8Array(128);

function compress(block: usize): void {
  for (let i = 0; i < 16; i++) unchecked(w[i] = bswap<u32>(load<u32>(block + <usize>(i * 4))));
  for (let i = 16; i < 64; i++) {
    const a = unchecked(w[i - 15]);
    const b = unchecked(w[i - 2]);
    const s0 = rotr<u32>(a, 7) ^ rotr<u32>(a, 18) ^ (a >>> 3);
    const s1 = rotr<u32>(b, 17) ^ rotr<u32>(b, 19) ^ (b >>> 10);
    unchecked(w[i] = unchecked(w[i - 16]) + s0 + unchecked(w[i - 7]) + s1);
  }
  let a = unchecked(state[0]), b = unchecked(state[1]), c = unchecked(state[2]), d = unchecked(state[3]);
  let e = unchecked(state[4]), f = unchecked(state[5]), g = unchecked(state[6]), h = unchecked(state[7]);
  for (let i = 0; i < 64; i++) {
    const t1 = h + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + ((e & f) ^ (~e & g)) + unchecked(K[i]) + unchecked(w[i]);
    const t2 = (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  unchecked(state[0] += a); unchecked(state[1] += b); unchecked(state[2] += c); unchecked(state[3] += d);
  unchecked(state[4] += e); unchecked(state[5] += f); unchecked(state[6] += g); unchecked(state[7] += h);
}

/** The digest of `data[0, size)` into `out` as ZFS's four words. */
export function sha256Words(data: Uint8Array, size: i32, out: StaticArray<u64>): void {
  if (size < 0 || size > data.length) size = data.length;
  unchecked(state[0] = 0x6a09e667); unchecked(state[1] = 0xbb67ae85); unchecked(state[2] = 0x3c6ef372); unchecked(state[3] = 0xa54ff53a);
  unchecked(state[4] = 0x510e527f); unchecked(state[5] = 0x9b05688c); unchecked(state[6] = 0x1f83d9ab); unchecked(state[7] = 0x5be0cd19);
  const whole = size & ~63;
  for (let at = 0; at < whole; at += 64) compress(data.dataStart + <usize>at);
  const rest = size - whole;
  tail.fill(0);
  memory.copy(tail.dataStart, data.dataStart + <usize>whole, <usize>rest);
  tail[rest] = 0x80;
  const blocks = rest < 56 ? 1 : 2;
  store<u64>(tail.dataStart + <usize>(blocks * 64 - 8), bswap<u64>(<u64>size << 3));
  for (let i = 0; i < blocks; i++) compress(tail.dataStart + <usize>(i * 64));
  for (let i = 0; i < 4; i++) unchecked(out[i] = (<u64>unchecked(state[i * 2]) << 32) | <u64>unchecked(state[i * 2 + 1]));
}
