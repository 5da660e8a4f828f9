// SHA-256 (FIPS 180-4), as ZFS uses it: the checksum of labels, uberblocks
// and gang headers, and of blocks written with checksum=sha256. ZFS keeps
// the digest as four 64-bit words, each the big-endian reading of 8 digest
// bytes; `sha256Words` answers in that form.
//
// This is the mount's hottest loop (a label config is 112 KiB), so it works
// on raw memory: the constants, the message schedule, the state and the
// padded tail live in static data (memory.data), reached by load/store with
// no managed arrays, so no shadow-stack traffic or calls in the rounds; the
// message schedule is sixteen locals.

const K: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
/** a..h between blocks. */
const STATE: usize = memory.data(8 * 4);
/** The last one or two blocks, padded. */
const TAIL: usize = memory.data(128);

/** The big-endian word at `at`. */
@inline function wordAt(at: usize): u32 {
  const x = load<u32>(at);
  return (rotl<u32>(x, 8) & 0x00ff00ff) | (rotr<u32>(x, 8) & 0xff00ff00);
}

@inline function sigma0(a: u32): u32 { return rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22); }
@inline function sigma1(e: u32): u32 { return rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25); }
@inline function choose(e: u32, f: u32, g: u32): u32 { return g ^ (e & (f ^ g)); }
@inline function small0(x: u32): u32 { return rotr<u32>(x, 7) ^ rotr<u32>(x, 18) ^ (x >>> 3); }
@inline function small1(x: u32): u32 { return rotr<u32>(x, 17) ^ rotr<u32>(x, 19) ^ (x >>> 10); }
@inline function majority(a: u32, b: u32, c: u32): u32 { return (a & b) | (c & (a | b)); }

function compress(block: usize): void {
  // The 16 words of the schedule live in locals, expanded in place every
  // 16 rounds (word t replaces word t - 16); the roles of a..h rotate
  // through the names, so no round moves eight registers. Only K is loaded
  // from memory inside the rounds.
  let w0 = wordAt(block + 0), w1 = wordAt(block + 4), w2 = wordAt(block + 8), w3 = wordAt(block + 12), w4 = wordAt(block + 16), w5 = wordAt(block + 20), w6 = wordAt(block + 24), w7 = wordAt(block + 28);
  let w8 = wordAt(block + 32), w9 = wordAt(block + 36), w10 = wordAt(block + 40), w11 = wordAt(block + 44), w12 = wordAt(block + 48), w13 = wordAt(block + 52), w14 = wordAt(block + 56), w15 = wordAt(block + 60);
  let a = load<u32>(STATE, 0), b = load<u32>(STATE, 4), c = load<u32>(STATE, 8), d = load<u32>(STATE, 12);
  let e = load<u32>(STATE, 16), f = load<u32>(STATE, 20), g = load<u32>(STATE, 24), h = load<u32>(STATE, 28);
  for (let k = K; k < K + 64 * 4; k += 16 * 4) {
    if (k > K) {
      w0 += small1(w14) + w9 + small0(w1);
      w1 += small1(w15) + w10 + small0(w2);
      w2 += small1(w0) + w11 + small0(w3);
      w3 += small1(w1) + w12 + small0(w4);
      w4 += small1(w2) + w13 + small0(w5);
      w5 += small1(w3) + w14 + small0(w6);
      w6 += small1(w4) + w15 + small0(w7);
      w7 += small1(w5) + w0 + small0(w8);
      w8 += small1(w6) + w1 + small0(w9);
      w9 += small1(w7) + w2 + small0(w10);
      w10 += small1(w8) + w3 + small0(w11);
      w11 += small1(w9) + w4 + small0(w12);
      w12 += small1(w10) + w5 + small0(w13);
      w13 += small1(w11) + w6 + small0(w14);
      w14 += small1(w12) + w7 + small0(w15);
      w15 += small1(w13) + w8 + small0(w0);
    }
    h += sigma1(e) + choose(e, f, g) + load<u32>(k, 0) + w0; d += h; h += sigma0(a) + majority(a, b, c);
    g += sigma1(d) + choose(d, e, f) + load<u32>(k, 4) + w1; c += g; g += sigma0(h) + majority(h, a, b);
    f += sigma1(c) + choose(c, d, e) + load<u32>(k, 8) + w2; b += f; f += sigma0(g) + majority(g, h, a);
    e += sigma1(b) + choose(b, c, d) + load<u32>(k, 12) + w3; a += e; e += sigma0(f) + majority(f, g, h);
    d += sigma1(a) + choose(a, b, c) + load<u32>(k, 16) + w4; h += d; d += sigma0(e) + majority(e, f, g);
    c += sigma1(h) + choose(h, a, b) + load<u32>(k, 20) + w5; g += c; c += sigma0(d) + majority(d, e, f);
    b += sigma1(g) + choose(g, h, a) + load<u32>(k, 24) + w6; f += b; b += sigma0(c) + majority(c, d, e);
    a += sigma1(f) + choose(f, g, h) + load<u32>(k, 28) + w7; e += a; a += sigma0(b) + majority(b, c, d);
    h += sigma1(e) + choose(e, f, g) + load<u32>(k, 32) + w8; d += h; h += sigma0(a) + majority(a, b, c);
    g += sigma1(d) + choose(d, e, f) + load<u32>(k, 36) + w9; c += g; g += sigma0(h) + majority(h, a, b);
    f += sigma1(c) + choose(c, d, e) + load<u32>(k, 40) + w10; b += f; f += sigma0(g) + majority(g, h, a);
    e += sigma1(b) + choose(b, c, d) + load<u32>(k, 44) + w11; a += e; e += sigma0(f) + majority(f, g, h);
    d += sigma1(a) + choose(a, b, c) + load<u32>(k, 48) + w12; h += d; d += sigma0(e) + majority(e, f, g);
    c += sigma1(h) + choose(h, a, b) + load<u32>(k, 52) + w13; g += c; c += sigma0(d) + majority(d, e, f);
    b += sigma1(g) + choose(g, h, a) + load<u32>(k, 56) + w14; f += b; b += sigma0(c) + majority(c, d, e);
    a += sigma1(f) + choose(f, g, h) + load<u32>(k, 60) + w15; e += a; a += sigma0(b) + majority(b, c, d);
  }
  store<u32>(STATE, load<u32>(STATE, 0) + a, 0); store<u32>(STATE, load<u32>(STATE, 4) + b, 4);
  store<u32>(STATE, load<u32>(STATE, 8) + c, 8); store<u32>(STATE, load<u32>(STATE, 12) + d, 12);
  store<u32>(STATE, load<u32>(STATE, 16) + e, 16); store<u32>(STATE, load<u32>(STATE, 20) + f, 20);
  store<u32>(STATE, load<u32>(STATE, 24) + g, 24); store<u32>(STATE, load<u32>(STATE, 28) + h, 28);
}

/**
 * compress() of a block of 64 zero bytes: its whole message schedule is
 * zero (each word is a sum of functions of earlier ones, all 0), so only
 * the rounds are left. A label config is 112 KiB of which a few KiB are
 * the nvlist: most of its blocks take this path.
 */
function compressZero(): void {
  let a = load<u32>(STATE, 0), b = load<u32>(STATE, 4), c = load<u32>(STATE, 8), d = load<u32>(STATE, 12);
  let e = load<u32>(STATE, 16), f = load<u32>(STATE, 20), g = load<u32>(STATE, 24), h = load<u32>(STATE, 28);
  for (let k = K; k < K + 64 * 4; k += 8 * 4) {
    h += sigma1(e) + choose(e, f, g) + load<u32>(k, 0); d += h; h += sigma0(a) + majority(a, b, c);
    g += sigma1(d) + choose(d, e, f) + load<u32>(k, 4); c += g; g += sigma0(h) + majority(h, a, b);
    f += sigma1(c) + choose(c, d, e) + load<u32>(k, 8); b += f; f += sigma0(g) + majority(g, h, a);
    e += sigma1(b) + choose(b, c, d) + load<u32>(k, 12); a += e; e += sigma0(f) + majority(f, g, h);
    d += sigma1(a) + choose(a, b, c) + load<u32>(k, 16); h += d; d += sigma0(e) + majority(e, f, g);
    c += sigma1(h) + choose(h, a, b) + load<u32>(k, 20); g += c; c += sigma0(d) + majority(d, e, f);
    b += sigma1(g) + choose(g, h, a) + load<u32>(k, 24); f += b; b += sigma0(c) + majority(c, d, e);
    a += sigma1(f) + choose(f, g, h) + load<u32>(k, 28); e += a; a += sigma0(b) + majority(b, c, d);
  }
  store<u32>(STATE, load<u32>(STATE, 0) + a, 0); store<u32>(STATE, load<u32>(STATE, 4) + b, 4);
  store<u32>(STATE, load<u32>(STATE, 8) + c, 8); store<u32>(STATE, load<u32>(STATE, 12) + d, 12);
  store<u32>(STATE, load<u32>(STATE, 16) + e, 16); store<u32>(STATE, load<u32>(STATE, 20) + f, 20);
  store<u32>(STATE, load<u32>(STATE, 24) + g, 24); store<u32>(STATE, load<u32>(STATE, 28) + h, 28);
}

@inline function isZero(block: usize): bool {
  return (load<u64>(block, 0) | load<u64>(block, 8) | load<u64>(block, 16) | load<u64>(block, 24) |
    load<u64>(block, 32) | load<u64>(block, 40) | load<u64>(block, 48) | load<u64>(block, 56)) == 0;
}

/** The digest of `data[0, size)` into `out` as ZFS's four words. */
export function sha256Words(data: Uint8Array, size: i32, out: StaticArray<u64>): void {
  if (size < 0 || size > data.length) size = data.length;
  store<u32>(STATE, 0x6a09e667, 0); store<u32>(STATE, 0xbb67ae85, 4); store<u32>(STATE, 0x3c6ef372, 8); store<u32>(STATE, 0xa54ff53a, 12);
  store<u32>(STATE, 0x510e527f, 16); store<u32>(STATE, 0x9b05688c, 20); store<u32>(STATE, 0x1f83d9ab, 24); store<u32>(STATE, 0x5be0cd19, 28);
  const start = data.dataStart;
  const whole = size & ~63;
  for (let at = 0; at < whole; at += 64) {
    const block = start + <usize>at;
    if (isZero(block)) compressZero();
    else compress(block);
  }
  const rest = size - whole;
  memory.fill(TAIL, 0, 128);
  memory.copy(TAIL, start + <usize>whole, <usize>rest);
  store<u8>(TAIL + <usize>rest, 0x80);
  const blocks = rest < 56 ? 1 : 2;
  store<u64>(TAIL + <usize>(blocks * 64 - 8), bswap<u64>(<u64>size << 3));
  for (let i = 0; i < blocks; i++) compress(TAIL + <usize>(i * 64));
  for (let i = 0; i < 4; i++) {
    unchecked(out[i] = (<u64>load<u32>(STATE + <usize>(i * 8)) << 32) | <u64>load<u32>(STATE + <usize>(i * 8 + 4)));
  }
}
