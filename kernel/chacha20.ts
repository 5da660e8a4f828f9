// The ChaCha20 block function (RFC 8439, 2.3): 64 bytes of keystream from a
// 256-bit key, a 32-bit block counter and a 96-bit nonce. The state is 16
// little-endian words:
//
//   0..3   "expa" "nd 3" "2-by" "te k"   12      counter
//   4..11  key                           13..15  nonce
//
// Twenty rounds (ten column + diagonal pairs), then the input state is
// added back. kernel/random.ts builds its generator on it; it is checked
// against the RFC's test vectors and Node's chacha20 in
// test/host/random-source.test.ts.

const SIGMA_0: u32 = 0x61707865;
const SIGMA_1: u32 = 0x3320646e;
const SIGMA_2: u32 = 0x79622d32;
const SIGMA_3: u32 = 0x6b206574;
export const CHACHA_KEY_BYTES: usize = 32;
export const CHACHA_BLOCK_BYTES: usize = 64;

/**
 * Writes the block for `key` (32 bytes at that address), `counter` and the
 * nonce words to `out` (64 bytes; it may not overlap the key).
 */
export function chachaBlock(out: usize, key: usize, counter: u32, nonce0: u32, nonce1: u32, nonce2: u32): void {
  const k0 = load<u32>(key, 0), k1 = load<u32>(key, 4), k2 = load<u32>(key, 8), k3 = load<u32>(key, 12);
  const k4 = load<u32>(key, 16), k5 = load<u32>(key, 20), k6 = load<u32>(key, 24), k7 = load<u32>(key, 28);
  let x0 = SIGMA_0, x1 = SIGMA_1, x2 = SIGMA_2, x3 = SIGMA_3;
  let x4 = k0, x5 = k1, x6 = k2, x7 = k3, x8 = k4, x9 = k5, x10 = k6, x11 = k7;
  let x12 = counter, x13 = nonce0, x14 = nonce1, x15 = nonce2;
  for (let i = 0; i < 10; i++) {
    // Columns: (0 4 8 12) (1 5 9 13) (2 6 10 14) (3 7 11 15).
    x0 += x4; x12 = rotl<u32>(x12 ^ x0, 16); x8 += x12; x4 = rotl<u32>(x4 ^ x8, 12);
    x0 += x4; x12 = rotl<u32>(x12 ^ x0, 8); x8 += x12; x4 = rotl<u32>(x4 ^ x8, 7);
    x1 += x5; x13 = rotl<u32>(x13 ^ x1, 16); x9 += x13; x5 = rotl<u32>(x5 ^ x9, 12);
    x1 += x5; x13 = rotl<u32>(x13 ^ x1, 8); x9 += x13; x5 = rotl<u32>(x5 ^ x9, 7);
    x2 += x6; x14 = rotl<u32>(x14 ^ x2, 16); x10 += x14; x6 = rotl<u32>(x6 ^ x10, 12);
    x2 += x6; x14 = rotl<u32>(x14 ^ x2, 8); x10 += x14; x6 = rotl<u32>(x6 ^ x10, 7);
    x3 += x7; x15 = rotl<u32>(x15 ^ x3, 16); x11 += x15; x7 = rotl<u32>(x7 ^ x11, 12);
    x3 += x7; x15 = rotl<u32>(x15 ^ x3, 8); x11 += x15; x7 = rotl<u32>(x7 ^ x11, 7);
    // Diagonals: (0 5 10 15) (1 6 11 12) (2 7 8 13) (3 4 9 14).
    x0 += x5; x15 = rotl<u32>(x15 ^ x0, 16); x10 += x15; x5 = rotl<u32>(x5 ^ x10, 12);
    x0 += x5; x15 = rotl<u32>(x15 ^ x0, 8); x10 += x15; x5 = rotl<u32>(x5 ^ x10, 7);
    x1 += x6; x12 = rotl<u32>(x12 ^ x1, 16); x11 += x12; x6 = rotl<u32>(x6 ^ x11, 12);
    x1 += x6; x12 = rotl<u32>(x12 ^ x1, 8); x11 += x12; x6 = rotl<u32>(x6 ^ x11, 7);
    x2 += x7; x13 = rotl<u32>(x13 ^ x2, 16); x8 += x13; x7 = rotl<u32>(x7 ^ x8, 12);
    x2 += x7; x13 = rotl<u32>(x13 ^ x2, 8); x8 += x13; x7 = rotl<u32>(x7 ^ x8, 7);
    x3 += x4; x14 = rotl<u32>(x14 ^ x3, 16); x9 += x14; x4 = rotl<u32>(x4 ^ x9, 12);
    x3 += x4; x14 = rotl<u32>(x14 ^ x3, 8); x9 += x14; x4 = rotl<u32>(x4 ^ x9, 7);
  }
  store<u32>(out, x0 + SIGMA_0, 0);
  store<u32>(out, x1 + SIGMA_1, 4);
  store<u32>(out, x2 + SIGMA_2, 8);
  store<u32>(out, x3 + SIGMA_3, 12);
  store<u32>(out, x4 + k0, 16);
  store<u32>(out, x5 + k1, 20);
  store<u32>(out, x6 + k2, 24);
  store<u32>(out, x7 + k3, 28);
  store<u32>(out, x8 + k4, 32);
  store<u32>(out, x9 + k5, 36);
  store<u32>(out, x10 + k6, 40);
  store<u32>(out, x11 + k7, 44);
  store<u32>(out, x12 + counter, 48);
  store<u32>(out, x13 + nonce0, 52);
  store<u32>(out, x14 + nonce1, 56);
  store<u32>(out, x15 + nonce2, 60);
}
