// interp: a big switch. A bytecode interpreter for a register machine with
// 257 opcodes dispatched by one switch: 16 families of 16 (add, subtract,
// shift-xor, rotate, multiply, load, store, compare, modulo, popcount, hash,
// two kinds of forward branch...), each opcode a variant of its family with
// its own constant K, written once per family with macros, plus the loop
// instruction. It runs a pseudo-random program of 192 instructions (forward
// branches only, ending in the loop instruction) for a number of iterations.
// The checksum folds the registers, the machine's memory and the count of
// executed instructions.
//
// Part of the CPU suite: usage, size argument and output are in kernel.h.
#define RANDOM_SEED 0xb5ad4eceda1ce2a9ull
#include "kernel.h"

#define REGISTERS 16
#define COUNTER 15 /* the loop counter: no instruction but the loop writes it */
#define MEMORY_WORDS 256
#define PROGRAM_LENGTH 192
#define FAMILIES 16
#define OP_LOOP (FAMILIES * 16)
#define MAX_SKIP 6
#define BASE_ITERATIONS 1100000

struct instruction {
  uint16_t op;
  uint8_t d, a, b;
  uint8_t skip; /* branches: how many instructions to skip when taken */
  uint16_t imm;
};

static uint64_t rotate_left(uint64_t value, unsigned by) { return (value << by) | (value >> (64 - by)); }

/* One opcode: family * 16 + k, with K the constant k inside its body. */
#define CASE(family, k, ...)       \
  case (family) * 16 + (k): {      \
    enum { K = (k) };              \
    __VA_ARGS__;                   \
    break;                         \
  }

/* A family: the sixteen variants of one operation. */
#define FAMILY(family, ...)                                                              \
  CASE(family, 0, __VA_ARGS__) CASE(family, 1, __VA_ARGS__) CASE(family, 2, __VA_ARGS__)    \
  CASE(family, 3, __VA_ARGS__) CASE(family, 4, __VA_ARGS__) CASE(family, 5, __VA_ARGS__)    \
  CASE(family, 6, __VA_ARGS__) CASE(family, 7, __VA_ARGS__) CASE(family, 8, __VA_ARGS__)    \
  CASE(family, 9, __VA_ARGS__) CASE(family, 10, __VA_ARGS__) CASE(family, 11, __VA_ARGS__)  \
  CASE(family, 12, __VA_ARGS__) CASE(family, 13, __VA_ARGS__) CASE(family, 14, __VA_ARGS__) \
  CASE(family, 15, __VA_ARGS__)

#define RD r[in.d]
#define RA r[in.a]
#define RB r[in.b]
#define MEMORY_AT(address) memory[(address) & (MEMORY_WORDS - 1)]

/** Runs `program` until the loop instruction finds the counter at zero; returns the instructions executed. */
static uint64_t execute(const struct instruction* program, uint64_t* r, uint64_t* memory) {
  uint32_t pc = 0;
  uint64_t executed = 0;
  for (;;) {
    const struct instruction in = program[pc++];
    executed++;
    switch (in.op) {
      FAMILY(0, RD = RA + RB + K)
      FAMILY(1, RD = RA - RB - K)
      FAMILY(2, RD = RA ^ (RB << K))
      FAMILY(3, RD = rotate_left(RA, K + 1) + RB)
      FAMILY(4, RD = RA * (2 * K + 1) + RB)
      FAMILY(5, RD = (RA >> (K + 1)) ^ RB)
      FAMILY(6, RD = (RA & RB) + ((uint64_t)K << 8))
      FAMILY(7, RD = RA + (uint64_t)in.imm * (K + 1))
      FAMILY(8, RD = MEMORY_AT(RA + in.imm + K))
      FAMILY(9, MEMORY_AT(RA + in.imm + K) = RB + K)
      FAMILY(10, RD = RA < RB + K ? RA : RB + K)
      FAMILY(11, RD = RA % ((RB & 0xffff) + K + 1))
      FAMILY(12, RD = (uint64_t)__builtin_popcountll(RA ^ (K * 0x0101010101010101ull)) + RB)
      FAMILY(13, RD = ((RA | RB) * 0x9e3779b97f4a7c15ull) >> K)
      FAMILY(14, if ((RA >> K) & 1) pc += in.skip)
      FAMILY(15, if ((RA & 15) == K) pc += in.skip)
      case OP_LOOP:
        if (--r[COUNTER] == 0) return executed;
        pc = 0;
        break;
      default:
        return executed;
    }
  }
}

static void generate_program(struct instruction* program) {
  for (uint32_t i = 0; i < PROGRAM_LENGTH - 1; i++) {
    uint64_t bits = next_random();
    struct instruction* in = &program[i];
    in->op = (uint16_t)(bits & 0xff);
    in->d = (uint8_t)((bits >> 8) % COUNTER);
    in->a = (uint8_t)((bits >> 16) & 15);
    in->b = (uint8_t)((bits >> 20) & 15);
    in->imm = (uint16_t)(bits >> 24);
    uint32_t room = PROGRAM_LENGTH - 2 - i; /* a taken branch lands at most on the loop instruction */
    uint32_t skip = (uint32_t)(bits >> 40) % (MAX_SKIP + 1);
    in->skip = (uint8_t)(skip < room ? skip : room);
  }
  program[PROGRAM_LENGTH - 1] = (struct instruction){.op = OP_LOOP};
}

int main(int argc, char** argv) {
  uint64_t iterations = scaled(BASE_ITERATIONS, size_argument(argc, argv));
  double start = now_ms();
  struct instruction program[PROGRAM_LENGTH];
  uint64_t r[REGISTERS], memory[MEMORY_WORDS];
  generate_program(program);
  for (int i = 0; i < REGISTERS; i++) r[i] = next_random();
  for (int i = 0; i < MEMORY_WORDS; i++) memory[i] = next_random();
  r[COUNTER] = iterations;
  uint64_t checksum = execute(program, r, memory);
  for (int i = 0; i < REGISTERS; i++) checksum = mix(checksum, r[i]);
  for (int i = 0; i < MEMORY_WORDS; i++) checksum = mix(checksum, memory[i]);
  report(checksum, now_ms() - start);
  return 0;
}
