// recursion: call-heavy code, where a call's own cost (frame set-up, saving
// registers, the return) dominates the little work between calls. Each
// round runs naive recursive Fibonacci, Ackermann's function A(2, n) and
// A(3, n) (the recursion at most a few thousand calls deep), Takeuchi's tak,
// and a recursive build, sum and mirror of a binary tree in an array of
// nodes. The checksum folds every result.
//
// Part of the CPU suite: usage, size argument and output are in kernel.h.
#include "kernel.h"

#define BASE_ROUNDS 170
#define TREE_DEPTH 16
#define TREE_NODES ((1u << (TREE_DEPTH + 1)) - 1)

struct node {
  int32_t left, right; /* indices, or -1 */
  uint32_t value;
};

static uint64_t fibonacci(uint32_t n) { return n < 2 ? n : fibonacci(n - 1) + fibonacci(n - 2); }

static uint64_t ackermann(uint64_t m, uint64_t n) {
  if (m == 0) return n + 1;
  if (n == 0) return ackermann(m - 1, 1);
  return ackermann(m - 1, ackermann(m, n - 1));
}

static int32_t tak(int32_t x, int32_t y, int32_t z) {
  if (y >= x) return z;
  return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y));
}

/** Builds a complete tree of `depth` levels from nodes[*next] on; returns its root. */
static int32_t build_tree(struct node* nodes, uint32_t* next, uint32_t depth, uint32_t seed) {
  int32_t index = (int32_t)(*next)++;
  nodes[index].value = seed;
  nodes[index].left = depth ? build_tree(nodes, next, depth - 1, seed * 3 + 1) : -1;
  nodes[index].right = depth ? build_tree(nodes, next, depth - 1, seed * 5 + 7) : -1;
  return index;
}

/** A position-weighted sum: it changes when the tree is mirrored. */
static uint64_t tree_sum(const struct node* nodes, int32_t index, uint64_t weight) {
  if (index < 0) return 0;
  return nodes[index].value * weight + tree_sum(nodes, nodes[index].left, weight * 2) +
         tree_sum(nodes, nodes[index].right, weight * 2 + 1);
}

static void mirror(struct node* nodes, int32_t index) {
  if (index < 0) return;
  int32_t swap = nodes[index].left;
  nodes[index].left = nodes[index].right;
  nodes[index].right = swap;
  mirror(nodes, nodes[index].left);
  mirror(nodes, nodes[index].right);
}

int main(int argc, char** argv) {
  uint64_t rounds = scaled(BASE_ROUNDS, size_argument(argc, argv));
  double start = now_ms();
  struct node* nodes = malloc(TREE_NODES * sizeof *nodes);
  uint64_t checksum = 0xcbf29ce484222325ull;
  for (uint64_t round = 0; round < rounds; round++) {
    uint32_t variant = (uint32_t)(round % 3);
    checksum = mix(checksum, fibonacci(22 + variant));
    checksum = mix(checksum, ackermann(2, 200 + variant));
    checksum = mix(checksum, ackermann(3, 5 + variant));
    checksum = mix(checksum, (uint64_t)(uint32_t)tak(18 + (int32_t)variant, 12, 6));
    uint32_t next = 0;
    int32_t root = build_tree(nodes, &next, TREE_DEPTH, (uint32_t)round);
    checksum = mix(checksum, tree_sum(nodes, root, 1));
    mirror(nodes, root);
    checksum = mix(checksum, tree_sum(nodes, root, 1));
  }
  free(nodes);
  report(checksum, now_ms() - start);
  return 0;
}
