// indirect: indirect calls. Three kinds, none of which the compiler can
// resolve ahead of time because the targets come from pseudo-random data:
//   virtual calls   4096 objects, each pointing at one of 16 classes' method
//                   tables (an evaluate and an update method), visited in a
//                   loop: two calls through a table per object
//   a jump table    an array of 16 operations indexed by data bits
//   callbacks       a generic merge sort of record pointers that compares
//                   through a function pointer, with three comparators
// The checksum folds every call's result and the sorted orders.
//
// Part of the CPU suite: usage, size argument and output are in kernel.h.
#define RANDOM_SEED 0x9e3779b97f4a7c15ull
#include "kernel.h"

#define OBJECTS 4096
#define CLASSES 16
#define OBJECT_PASSES 24
#define OPERATION_CALLS (1u << 17)
#define RECORDS 8192
#define BASE_ROUNDS 65

/* ---- virtual calls ---- */

struct object;

struct methods {
  uint64_t (*evaluate)(const struct object* self, uint64_t input);
  void (*update)(struct object* self, uint64_t input);
};

struct object {
  const struct methods* methods;
  uint64_t state;
  uint32_t weight;
};

/* Class n's methods: each class mixes with its own constants. */
#define CLASS(n)                                                                 \
  static uint64_t evaluate_##n(const struct object* self, uint64_t input) {     \
    return (input ^ self->state) * (2 * (n) + 3) + self->weight + (n);           \
  }                                                                              \
  static void update_##n(struct object* self, uint64_t input) {                  \
    self->state = (self->state << ((n) % 7 + 1)) ^ (input >> ((n) % 5 + 3));     \
    self->weight += (uint32_t)(input & 0xff) + (n);                               \
  }                                                                              \
  static const struct methods methods_##n = {evaluate_##n, update_##n};

CLASS(0) CLASS(1) CLASS(2) CLASS(3) CLASS(4) CLASS(5) CLASS(6) CLASS(7)
CLASS(8) CLASS(9) CLASS(10) CLASS(11) CLASS(12) CLASS(13) CLASS(14) CLASS(15)

static const struct methods* const class_table[CLASSES] = {
    &methods_0, &methods_1, &methods_2,  &methods_3,  &methods_4,  &methods_5,  &methods_6,  &methods_7,
    &methods_8, &methods_9, &methods_10, &methods_11, &methods_12, &methods_13, &methods_14, &methods_15,
};

static uint64_t visit_objects(struct object* objects) {
  uint64_t value = 1;
  for (int pass = 0; pass < OBJECT_PASSES; pass++)
    for (int i = 0; i < OBJECTS; i++) {
      struct object* object = &objects[i];
      value = object->methods->evaluate(object, value);
      object->methods->update(object, value);
    }
  return value;
}

/* ---- a table of operations ---- */

static uint64_t op_add(uint64_t x, uint64_t y) { return x + y; }
static uint64_t op_sub(uint64_t x, uint64_t y) { return x - y; }
static uint64_t op_xor(uint64_t x, uint64_t y) { return x ^ y; }
static uint64_t op_mul(uint64_t x, uint64_t y) { return x * (y | 1); }
static uint64_t op_rotl(uint64_t x, uint64_t y) {
  uint32_t r = ((uint32_t)y & 31) | 1;
  return (x << r) | (x >> (64 - r));
}
static uint64_t op_shr(uint64_t x, uint64_t y) { return x + (y >> 7); }
static uint64_t op_and_not(uint64_t x, uint64_t y) { return (x & ~y) + 0x9e37; }
static uint64_t op_or(uint64_t x, uint64_t y) { return (x | y) - y; }
static uint64_t op_min(uint64_t x, uint64_t y) { return x < y ? x + 1 : y + x; }
static uint64_t op_max(uint64_t x, uint64_t y) { return x > y ? x - 1 : y ^ x; }
static uint64_t op_square(uint64_t x, uint64_t y) { return x * x + y; }
static uint64_t op_swap_halves(uint64_t x, uint64_t y) { return ((x << 32) | (x >> 32)) + y; }
static uint64_t op_negate(uint64_t x, uint64_t y) { return (0 - x) ^ y; }
static uint64_t op_double(uint64_t x, uint64_t y) { return 2 * x + (y & 0xffff); }
static uint64_t op_fold(uint64_t x, uint64_t y) { return (x ^ (x >> 29)) + y; }
static uint64_t op_bytes(uint64_t x, uint64_t y) { return (x & 0xff00ff00ff00ff00ull) + (y & 0x00ff00ff00ff00ffull); }

static uint64_t (*const operations[16])(uint64_t, uint64_t) = {
    op_add, op_sub,    op_xor,   op_mul,    op_rotl,   op_shr,         op_and_not, op_or,
    op_min, op_max,    op_square, op_double, op_fold,  op_swap_halves, op_negate,  op_bytes,
};

static uint64_t run_operations(const uint8_t* choices) {
  uint64_t value = 0x243f6a8885a308d3ull;
  for (uint32_t i = 0; i < OPERATION_CALLS; i++) value = operations[choices[i & 4095] & 15](value, i);
  return value;
}

/* ---- a sort with a comparison callback ---- */

struct record {
  uint32_t key;
  uint32_t group;
  uint64_t tiebreak;
};

typedef int (*comparator)(const void* x, const void* y);

static int by_key(const void* x, const void* y) {
  const struct record *a = x, *b = y;
  return a->key < b->key ? -1 : a->key > b->key;
}

static int by_group_then_tiebreak(const void* x, const void* y) {
  const struct record *a = x, *b = y;
  if (a->group != b->group) return a->group < b->group ? -1 : 1;
  return a->tiebreak < b->tiebreak ? -1 : a->tiebreak > b->tiebreak;
}

static int by_low_bits_descending(const void* x, const void* y) {
  const struct record *a = x, *b = y;
  uint32_t low_a = a->key & 0x3ff, low_b = b->key & 0x3ff;
  return low_a > low_b ? -1 : low_a < low_b;
}

/** A stable bottom-up merge sort of pointers, ordered by `compare`. */
static void sort_pointers(const void** items, const void** scratch, uint32_t count, comparator compare) {
  const void** from = items;
  const void** to = scratch;
  for (uint32_t width = 1; width < count; width *= 2) {
    for (uint32_t start = 0; start < count; start += 2 * width) {
      uint32_t middle = start + width < count ? start + width : count;
      uint32_t end = start + 2 * width < count ? start + 2 * width : count;
      uint32_t left = start, right = middle, out = start;
      while (left < middle && right < end) to[out++] = compare(from[right], from[left]) < 0 ? from[right++] : from[left++];
      while (left < middle) to[out++] = from[left++];
      while (right < end) to[out++] = from[right++];
    }
    const void** swap = from;
    from = to;
    to = swap;
  }
  if (from != items)
    for (uint32_t i = 0; i < count; i++) items[i] = from[i];
}

static uint64_t sort_records(struct record* records, const void** items, const void** scratch) {
  static const comparator comparators[3] = {by_key, by_group_then_tiebreak, by_low_bits_descending};
  uint64_t hash = 0;
  for (int c = 0; c < 3; c++) {
    for (uint32_t i = 0; i < RECORDS; i++) items[i] = &records[i];
    sort_pointers(items, scratch, RECORDS, comparators[c]);
    for (uint32_t i = 0; i < RECORDS; i += 61) hash = mix(hash, (uint64_t)((const struct record*)items[i] - records));
  }
  return hash;
}

int main(int argc, char** argv) {
  uint64_t rounds = scaled(BASE_ROUNDS, size_argument(argc, argv));
  double start = now_ms();
  struct object* objects = malloc(OBJECTS * sizeof *objects);
  uint8_t* choices = malloc(4096);
  struct record* records = malloc(RECORDS * sizeof *records);
  const void** items = malloc(RECORDS * sizeof *items);
  const void** scratch = malloc(RECORDS * sizeof *scratch);
  for (int i = 0; i < OBJECTS; i++) {
    objects[i].methods = class_table[next_random() % CLASSES];
    objects[i].state = next_random();
    objects[i].weight = (uint32_t)next_random();
  }
  uint64_t checksum = 0xcbf29ce484222325ull;
  for (uint64_t round = 0; round < rounds; round++) {
    checksum = mix(checksum, visit_objects(objects));
    for (int i = 0; i < 4096; i++) choices[i] = (uint8_t)(next_random() >> 56);
    checksum = mix(checksum, run_operations(choices));
    for (uint32_t i = 0; i < RECORDS; i++) {
      uint64_t bits = next_random();
      records[i].key = (uint32_t)bits;
      records[i].group = (uint32_t)(bits >> 32) % 97;
      records[i].tiebreak = next_random();
    }
    checksum = mix(checksum, sort_records(records, items, scratch));
  }
  free(objects);
  free(choices);
  free(records);
  free(items);
  free(scratch);
  report(checksum, now_ms() - start);
  return 0;
}
