// chacha: a cipher's inner loop, 32-bit adds, rotates and xors. ChaCha20
// (RFC 8439: 20 rounds over a 16-word state) encrypts a 16 KiB buffer in
// place again and again, the block counter running on, the key and nonce
// from the pseudo-random generator. Before timing starts, the block function
// is checked against the RFC's test vector for it (section 2.3.2). The
// checksum hashes the buffer's final words.
//
// Part of the CPU suite: usage, size argument and output are in kernel.h.
#define RANDOM_SEED 0xa54ff53a5f1d36f1ull
#include "kernel.h"

#define BUFFER_WORDS 4096 /* 16 KiB: 256 blocks */
#define BLOCK_WORDS 16
#define BASE_PASSES 15000

static uint32_t rotate_left(uint32_t value, unsigned by) { return (value << by) | (value >> (32 - by)); }

#define QUARTER_ROUND(s, a, b, c, d)                 \
  do {                                               \
    s[a] += s[b], s[d] = rotate_left(s[d] ^ s[a], 16); \
    s[c] += s[d], s[b] = rotate_left(s[b] ^ s[c], 12); \
    s[a] += s[b], s[d] = rotate_left(s[d] ^ s[a], 8);  \
    s[c] += s[d], s[b] = rotate_left(s[b] ^ s[c], 7);  \
  } while (0)

/** The ChaCha20 block function: out = 20 rounds of `in`, plus `in`. */
static void chacha_block(const uint32_t in[BLOCK_WORDS], uint32_t out[BLOCK_WORDS]) {
  uint32_t s[BLOCK_WORDS];
  for (int i = 0; i < BLOCK_WORDS; i++) s[i] = in[i];
  for (int round = 0; round < 10; round++) {
    QUARTER_ROUND(s, 0, 4, 8, 12);
    QUARTER_ROUND(s, 1, 5, 9, 13);
    QUARTER_ROUND(s, 2, 6, 10, 14);
    QUARTER_ROUND(s, 3, 7, 11, 15);
    QUARTER_ROUND(s, 0, 5, 10, 15);
    QUARTER_ROUND(s, 1, 6, 11, 12);
    QUARTER_ROUND(s, 2, 7, 8, 13);
    QUARTER_ROUND(s, 3, 4, 9, 14);
  }
  for (int i = 0; i < BLOCK_WORDS; i++) out[i] = s[i] + in[i];
}

/** The state for a 256-bit key (8 words), a block counter and a 96-bit nonce (3 words). */
static void chacha_state(uint32_t state[BLOCK_WORDS], const uint32_t key[8], uint32_t counter, const uint32_t nonce[3]) {
  state[0] = 0x61707865;
  state[1] = 0x3320646e;
  state[2] = 0x79622d32;
  state[3] = 0x6b206574;
  for (int i = 0; i < 8; i++) state[4 + i] = key[i];
  state[12] = counter;
  for (int i = 0; i < 3; i++) state[13 + i] = nonce[i];
}

/** RFC 8439 section 2.3.2: key 00 01 .. 1f, counter 1, nonce 00 00 00 09 00 00 00 4a 00 00 00 00. */
static int block_function_matches_rfc(void) {
  static const uint32_t expected[BLOCK_WORDS] = {
      0xe4e7f110, 0x15593bd1, 0x1fdd0f50, 0xc47120a3, 0xc7f4d1c7, 0x0368c033, 0x9aaa2204, 0x4e6cd4c3,
      0x466482d2, 0x09aa9f07, 0x05d7c214, 0xa2028bd9, 0xd19c12b5, 0xb94e16de, 0xe883d0cb, 0x4e3c50a2,
  };
  uint32_t key[8], state[BLOCK_WORDS], out[BLOCK_WORDS];
  for (uint32_t i = 0; i < 8; i++) key[i] = (4 * i) | (4 * i + 1) << 8 | (4 * i + 2) << 16 | (4 * i + 3) << 24;
  const uint32_t nonce[3] = {0x09000000, 0x4a000000, 0};
  chacha_state(state, key, 1, nonce);
  chacha_block(state, out);
  for (int i = 0; i < BLOCK_WORDS; i++)
    if (out[i] != expected[i]) return 0;
  return 1;
}

int main(int argc, char** argv) {
  uint64_t passes = scaled(BASE_PASSES, size_argument(argc, argv));
  if (!block_function_matches_rfc()) {
    printf("chacha: the block function does not match RFC 8439's test vector\n");
    return 2;
  }
  double start = now_ms();
  uint32_t key[8], nonce[3], state[BLOCK_WORDS], keystream[BLOCK_WORDS];
  uint32_t* buffer = malloc(BUFFER_WORDS * sizeof *buffer);
  for (int i = 0; i < 8; i++) key[i] = (uint32_t)next_random();
  for (int i = 0; i < 3; i++) nonce[i] = (uint32_t)next_random();
  for (int i = 0; i < BUFFER_WORDS; i++) buffer[i] = (uint32_t)i * 0x9e3779b9u;
  uint32_t counter = 0;
  for (uint64_t pass = 0; pass < passes; pass++) {
    for (int block = 0; block < BUFFER_WORDS; block += BLOCK_WORDS) {
      chacha_state(state, key, counter++, nonce);
      chacha_block(state, keystream);
      for (int i = 0; i < BLOCK_WORDS; i++) buffer[block + i] ^= keystream[i];
    }
  }
  uint64_t checksum = mix(0xcbf29ce484222325ull, counter);
  for (int i = 0; i < BUFFER_WORDS; i++) checksum = mix(checksum, buffer[i]);
  free(buffer);
  report(checksum, now_ms() - start);
  return 0;
}
