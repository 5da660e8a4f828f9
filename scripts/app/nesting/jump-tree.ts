// A jump on a value to one of `count` places, nested at most 2^bits
// blocks per level: the shape both rewrites use (rewrite.ts).
//
// A br_table must name its targets as enclosing blocks, so a jump to N
// places is N nested blocks deep. Here the places are grouped 2^bits at a
// time, and groups of groups, so each level's br_table chooses among at
// most 2^bits blocks by one slice of the value's bits:
//
//   block ×m                      ;; one per child, innermost is child 0
//     (value - base) >> shift     ;; which child
//     br_table 0 1 … m-1 (m-1)
//   end  child 0                  ;; a place (leaf), or the same shape again
//   end  child 1
//   …
//
// Code placed at a leaf that falls off its end runs into the next child's
// code: the next leaf of the same group, or the next group's br_table,
// which then needs the value set to that next place (rewrite.ts does).
// A value beyond the last place goes to the last one at every level.
//
// Every level is one more jump at run time (an interpreter's dispatch pays
// them all), so treeBits takes the fewest levels whose br_tables choose
// among at most 2^MAX_BITS: a 258-way switch is two levels of up to 32, not
// three of 16. Its depth is at most levels × 2^bits; FANOUT_BITS is the
// shallow fallback when that is too deep (nesting/index.ts).

export const FANOUT_BITS = 4;
export const FANOUT = 1 << FANOUT_BITS;
const MAX_BITS = 6;

/** The bits per level of the jump tree over `count` places: the fewest levels, at least FANOUT_BITS each. */
export function treeBits(count: number): number {
  const needed = Math.max(1, Math.ceil(Math.log2(count)));
  const levels = Math.ceil(needed / MAX_BITS);
  return Math.max(FANOUT_BITS, Math.ceil(needed / levels));
}

export interface JumpTreeVisitor {
  /** Open `count` blocks, then jump on (value - base) >> shift among them. */
  open(count: number, base: number, shift: number): void;
  /** Close the innermost open block: the code of its child follows. */
  end(): void;
  /** The place `index` starts here. */
  place(index: number): void;
}

/** Walks the jump tree over places 0 … count-1 with `bits` per level, in the order its code is written. */
export function walkJumpTree(count: number, bits: number, visitor: JumpTreeVisitor): void {
  let shift = 0;
  while (count > 2 ** (bits + shift)) shift += bits;
  node(0, count, shift, bits, visitor);
}

function node(base: number, limit: number, shift: number, bits: number, visitor: JumpTreeVisitor): void {
  const children = Math.ceil((limit - base) / 2 ** shift);
  visitor.open(children, base, shift);
  for (let k = 0; k < children; k++) {
    visitor.end();
    const first = base + k * 2 ** shift;
    if (shift === 0) visitor.place(first);
    else node(first, Math.min(limit, first + 2 ** shift), shift - bits, bits, visitor);
  }
}
